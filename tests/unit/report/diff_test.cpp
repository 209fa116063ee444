// The renderings of `benchgate diff` (report/diff.h) on recorded and public Google Benchmark
// pairs: compare.py's columns, the attention rows first, JSON exactly the gate's dump, and a
// Markdown comment under GitHub's size limit.

#include "report/diff.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "gate/diff.h"
#include "gbench_pairs.h"

namespace benchgate::report {
namespace {

namespace fs = std::filesystem;
using gate::diff_files;
using gate::GateResult;
using gate::Verdict;
using nlohmann::json;

const fs::path& kRecorded = benchgate::testing::kGbenchRecorded;
using benchgate::testing::diff_gbench_pair;

TEST(Render, TextLooksLikeComparePy) {
  const auto r = diff_files(kRecorded / "baseline.json", kRecorded / "candidate.json", {});
  const std::string text = render_diff(r, DiffFormat::kText);
  EXPECT_NE(text.find("Benchmark                    "), std::string::npos);
  EXPECT_NE(
      text.find("Time             CPU      Time Old      Time New       CPU Old       CPU New"),
      std::string::npos);
  EXPECT_NE(text.find("BM_StringJoin/64_pvalue                0.0002          0.0002      U Test, "
                      "Repetitions: 10 vs 10"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("BM_SortInts/4096                      -0.8813         -0.8810           193"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("Needs attention:"), std::string::npos);
  // Attention rows come before the table, the worst first.
  EXPECT_LT(text.find("regressed      BM_StringJoin"), text.find("error          BM_AlwaysFails"));
  EXPECT_LT(text.find("Needs attention:"), text.find("Time Old"));
}

TEST(Render, JsonAndMarkdown) {
  const auto r = diff_files(kRecorded / "baseline.json", kRecorded / "candidate.json", {});
  const auto j = json::parse(render_diff(r, DiffFormat::kJson));
  EXPECT_EQ(j["format"], "gbench");
  EXPECT_EQ(j["verdicts"].size(), r.verdicts.size());
  EXPECT_EQ(gate::gate_result_from_json(j).verdicts.size(), r.verdicts.size());
  const std::string md = render_diff(r, DiffFormat::kMarkdown);
  EXPECT_EQ(md.rfind("<!-- benchgate:diff v1 -->\n", 0), 0u);
  // StringJoin ×2 metrics ×2 sizes, and the 0.3 ns WeirdCounters loop (+8.7 %, p = 0.0003 in
  // compare.py too: the two binaries really differ there).
  EXPECT_NE(md.find("❌ 6 regressed · 💥 2 error"), std::string::npos) << md.substr(0, 400);
  EXPECT_NE(md.find("<details>"), std::string::npos);
  EXPECT_NE(md.find("BM\\_StringJoin/64"), std::string::npos);  // user text escaped
  EXPECT_LT(md.size(), 60000u);
  EXPECT_THROW(diff_format_from_name("xml"), UsageError);
  EXPECT_EQ(diff_format_from_name("md"), DiffFormat::kMarkdown);
}

TEST(Render, JsonIsTheGateResultsDump) {
  const auto r = diff_files(kRecorded / "baseline.json", kRecorded / "candidate.json", {});
  EXPECT_EQ(render_diff(r, DiffFormat::kJson), gate::to_json(r).dump(2) + "\n");
}

TEST(Render, HugeDiffStaysUnderTheCommentLimit) {
  const auto r = diff_gbench_pair("10_kokkos_stack12_A_vs_synthetic_cycle");
  const std::string md = render_diff(r, DiffFormat::kMarkdown);
  EXPECT_LT(md.size(), 60000u);
  EXPECT_NE(md.find("more rows left out"), std::string::npos);
  // The regressions are in the attention table, never truncated.
  int rows = 0;
  for (std::size_t at = md.find("| ❌ regressed |"); at != std::string::npos;
       at = md.find("| ❌ regressed |", at + 1)) {
    ++rows;
  }
  EXPECT_GE(rows, r.count(Verdict::kRegressed));
  EXPECT_GT(r.count(Verdict::kRegressed), 0);
}

}  // namespace
}  // namespace benchgate::report
