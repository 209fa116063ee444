#pragma once
// `benchgate diff BASE CAND`: gate two stored files without running anything. Each file is
// Google Benchmark JSON or a benchgate results file (auto-detected; the base may also be a
// baseline file).
//
// Google Benchmark: every benchmark name is a cell; its metrics are real_time and cpu_time
// (gated: lower is better, ratio scale, min effect 5 % unless GateSettings.metrics overrides
// "real_time" / "cpu_time") and its counters (reported; gated only when GateSettings.metrics or
// per_scenario[<benchmark name>] names them; "*_per_second" counters are higher-is-better).
// Iteration rows are the samples (unpaired: Mann-Whitney U + two-sample Hodges-Lehmann, Holm
// over every gated test). Each verdict's p_two_sided is the two-sided U test exactly as
// Google's compare.py computes it (scipy mannwhitneyu, method "auto"), on the values as
// stored. A benchmark with errored repetitions → error; on one side only → not_comparable;
// without iteration rows (aggregates only) → inconclusive ("cannot test without iteration
// rows"), with the change of the median aggregates as the estimate.
//
// benchgate results: per app × cell × metric, unpaired, like a stored baseline (the base
// file's ok runs are the baseline; testbed fingerprints must match unless
// settings.testbed_mismatch == "warn").
//
// The renderings (text, JSON, Markdown) are in report/diff.h.

#include <filesystem>
#include <string>
#include <string_view>

#include "gate/baseline.h"
#include "gate/verdict.h"
#include "gbench/reader.h"
#include "results/gate_settings.h"
#include "results/model.h"

namespace benchgate::gate {

/// Default min effect of Google Benchmark times.
inline constexpr double kGbenchTimeMinEffect = 0.05;

/// One input of a diff, as detected.
struct DiffInput {
  enum class Kind { kGbench, kResults, kBaseline };
  std::string path;
  Kind kind = Kind::kGbench;
  gbench::GbenchFile gbench;
  results::ResultsFile results;
  Baseline baseline;
};

/// Reads and detects a file. ConfigError naming the file and the problem when it is missing,
/// empty, malformed, truncated, schema-invalid or neither format.
DiffInput load_diff_input(const std::filesystem::path& path);

/// Google Benchmark base vs candidate (mode "diff", format "gbench").
GateResult diff_gbench(const gbench::GbenchFile& base, const gbench::GbenchFile& candidate,
                       const results::GateSettings& settings);

/// Any two loaded inputs. ConfigError when the kinds cannot be compared (Google Benchmark vs
/// benchgate, or a baseline file as the candidate).
/// benchgate results that are not complete are refused (ConfigError, exit 2) unless
/// allow_partial; then GateResult.partial says what was incomplete (outcome "partial").
GateResult diff_inputs(const DiffInput& base, const DiffInput& candidate,
                       const results::GateSettings& settings, bool allow_partial = false);

/// load_diff_input() both files, then diff_inputs().
GateResult diff_files(const std::filesystem::path& base, const std::filesystem::path& candidate,
                      const results::GateSettings& settings, bool allow_partial = false);

}  // namespace benchgate::gate
