#pragma once
// The Google Benchmark files of tests/data/gbench that the diff tests of gate (the verdicts)
// and report (the renderings) both read: the recorded pair and the public pairs.

#include <filesystem>
#include <string>

#include "gate/diff.h"

namespace benchgate::testing {

inline const std::filesystem::path kGbenchPairs =
    std::filesystem::path(BENCHGATE_TEST_DATA_DIR) / "gbench/public/pairs";
inline const std::filesystem::path kGbenchRecorded =
    std::filesystem::path(BENCHGATE_TEST_DATA_DIR) / "gbench/recorded";

/// `benchgate diff` of public pair `pair` (tests/data/gbench/public/pairs/<pair>).
inline gate::GateResult diff_gbench_pair(const std::string& pair) {
  return gate::diff_files(kGbenchPairs / pair / "base.json", kGbenchPairs / pair / "cand.json",
                          {});
}

}  // namespace benchgate::testing
