#pragma once
// The gate's output: one verdict per app × cell × metric (docs: statistics.md).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/exit_code.h"
#include "gate/history.h"
#include "results/metrics.h"

namespace benchgate::gate {

enum class Verdict {
  kRegressed,
  kWarn,
  kImproved,
  kUnchanged,
  kInconclusive,
  kNotComparable,
  kError,
  /// Informational rows only (never gated): a significant change of a metric whose better
  /// direction is unknown (e.g. a Google Benchmark counter nobody declared).
  kChanged
};

std::string_view verdict_name(Verdict v);          ///< "regressed", "not_comparable", ...
Verdict verdict_from_name(std::string_view name);  ///< throws ParseError
/// Report order: regressed, error, not_comparable, inconclusive, warn, improved, unchanged,
/// changed.
int verdict_rank(Verdict v);

struct MetricVerdict {
  std::string app;     ///< app label (A/B: the candidate's label; diff: "" or file name)
  std::string cell;    ///< "plaintext c=64", or a Google Benchmark name
  std::string metric;  ///< "throughput", "latency_p99", "real_time", ...
  std::string unit;
  results::Better better = results::Better::kLower;
  results::Scale scale = results::Scale::kRatio;
  Verdict verdict = Verdict::kUnchanged;
  std::string reason;  ///< one line, why this verdict
  /// Why an inconclusive verdict is one: "too_few_runs" (the test can never reach α with
  /// these sample sizes), "not_significant" (estimate beyond the limit, test not
  /// significant), "wide_ci" (the CI straddles the limit); "" otherwise.
  std::string cause;

  std::string baseline_label;  ///< "main" / "baseline.json"
  double baseline = 0;         ///< median of the baseline sample
  double current = 0;          ///< median of the candidate sample
  int n_baseline = 0;
  int n_current = 0;
  bool paired = false;
  std::string test;  ///< "wilcoxon-signed-rank" | "mann-whitney-u" | "none"

  /// Change estimate: kRatio → relative change (0.05 = +5 %); kDifference → cand − base.
  double estimate = 0;
  double ci_low = 0, ci_high = 0;  ///< same scale as estimate
  double ci_level = 0.95;
  double p_value = 1;      ///< raw one-sided p for "worse"
  double p_adjusted = 1;   ///< Holm-adjusted
  double p_improved = 1;   ///< raw one-sided p for "better"
  double p_two_sided = 1;  ///< for cross-checking with compare.py
  double min_effect = 0;   ///< threshold in the estimate's scale
  double alpha = 0.05;
  bool gated = true;                   ///< counted in Holm and in the exit code
  double measured_s = 0;               ///< seconds spent measuring this cell (JUnit time)
  std::vector<std::string> artifacts;  ///< related artifact paths (profiles)
  // Added by the gate engine (gate.h):
  std::string scenario;  ///< scenario of the cell ("" for Google Benchmark cells)
  double p_min = 0;      ///< smallest raw p this test could give with these sample sizes
  int looks = 1;         ///< 2 when settled by the confirmation extension
};

struct GateResult {
  std::string mode;             ///< "ab" | "baseline" | "diff"
  std::string baseline_source;  ///< path of the baseline file, or the baseline app label
  bool testbed_match = true;
  /// Baseline mode: the baseline file named does not exist yet (nothing compared; exit 3).
  bool no_baseline = false;
  /// An input was partial results read with --allow-partial: what was incomplete ("" if none).
  std::string partial;
  std::vector<MetricVerdict> verdicts;
  std::vector<std::string> notes;  ///< warnings such as "10 pairs cannot reach α=..."
  /// Baseline mode, when the baseline carries a history: its past baselines, then the baseline
  /// itself (oldest first); JSON "baseline_history", written only when not empty.
  History history;
  // Added by the gate engine (gate.h):
  std::string candidate_source;  ///< diff: path of the candidate file
  std::string format;            ///< diff: "gbench" | "benchgate"
  double alpha = 0.05;           ///< family-wise α each verdict was decided at
  int tests = 0;                 ///< gated, informative tests
  /// Tests in Holm's family after Tarone's rule (those whose smallest attainable p can reach
  /// α/holm_level); the other tests − holm_family can never be significant and do not count.
  int holm_family = 0;
  int holm_level = 1;  ///< Tarone's m: a test counts when its p_min ≤ α/m
  /// Gated verdicts of kind v (the counts every report shows; informational rows excluded).
  int count(Verdict v) const;
  int informational() const;  ///< ungated rows
  /// Exit code of this gate alone (gate/outcome.h decide_outcome without runs).
  ExitCode exit_code(bool warn_only) const;
};

/// "8 tests", or "5 of 8 tests (Tarone's rule)" when tests that can never reach α/m were left
/// out of Holm's family.
std::string holm_family_text(const GateResult& r);

nlohmann::json to_json(const GateResult& r);
/// The same text as to_json(r).dump(2), written directly (no JSON tree: a diff of thousands of
/// benchmarks renders several times faster).
std::string to_json_text(const GateResult& r);
GateResult gate_result_from_json(const nlohmann::json& j);

}  // namespace benchgate::gate
