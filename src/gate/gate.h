#pragma once
// The statistical gate (docs: statistics.md): samples of a baseline and a candidate →
// one verdict per app × cell × metric, Holm-corrected over every gated test.
//
// Decision rule, per test, with est = the Hodges-Lehmann change estimate, me = min effect,
// α = the metric's level, p_adj = Holm-adjusted one-sided p for "worse". Each verdict has one
// meaning (docs/statistics.md):
//   regressed       p_adj < α and est worse than me
//   inconclusive    cause too_few_runs: even the most extreme data cannot reach the Holm level
//                   (smallest achievable p × tests ≥ α), nothing was significant and the CI
//                   is not within ± me (that is "unchanged", an equivalence decision)
//   warn            p_adj < α but est within me (significantly worse, by less than the limit)
//   inconclusive    cause not_significant: est worse than me, p_adj ≥ α
//   improved        mirror-image test significant (Holm over the "better" family) and est
//                   better than me
//   unchanged       the CI lies within ± me
//   inconclusive    cause wide_ci: otherwise (the CI is wider than ± me)
//   not_comparable  metric or cell missing on one side, unit or testbed mismatch
//   error           runs of the cell failed
// Metrics outside the registry, or disabled, are informational: the same rule with their raw
// p (no Holm), reported apart, never counted in Holm's family, the tallies or the exit code.
//
// Scales: kRatio metrics compare log values (A/B: log(cand/base) per pair) and report
// exp(est) − 1; values ≤ 0 in a ratio metric are replaced by 1e-9 × the smallest positive
// value of that comparison, so a drop to zero reads as ≈ −100 %. kDifference metrics compare
// raw differences. Tests with no information at all (every paired difference zero, or every
// value tied) cannot reject and are left out of the Holm family.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gate/verdict.h"
#include "results/gate_settings.h"
#include "results/metrics.h"
#include "results/model.h"

namespace benchgate::gate {

/// Thresholds resolved for one cell × metric: per_scenario[cell], per_scenario[scenario],
/// settings.metrics, then the metric registry (field by field).
struct MetricPolicy {
  std::string unit;
  results::Better better = results::Better::kLower;
  results::Scale scale = results::Scale::kRatio;
  double min_effect_rel = 0;  ///< kRatio: fraction
  double min_effect_abs = 0;  ///< kRatio: floor in the unit (max of both); kDifference: limit
  double alpha = 0.05;        ///< decision level (family-wise, Holm)
  bool gated = true;
};

/// Registry + settings lookup. `known` (the registry entry or a caller-provided default, e.g.
/// Google Benchmark times) supplies the defaults; without it the metric is not gated unless
/// the settings name it.
MetricPolicy resolve_policy(const results::GateSettings& settings, std::string_view scenario,
                            std::string_view cell, std::string_view metric,
                            const std::optional<results::MetricInfo>& known);

/// One comparison the gate makes.
struct Comparison {
  std::string app;
  std::string cell;
  std::string scenario;
  std::string metric;
  std::string baseline_label;
  MetricPolicy policy;
  /// Paired: baseline[i] and current[i] come from the same pair (iteration).
  std::vector<double> baseline;
  std::vector<double> current;
  bool paired = false;
  /// Set for comparisons decided without a test (error, not_comparable, inconclusive).
  std::optional<Verdict> forced;
  std::string forced_reason;
  /// Informational: medians to show when there are no samples (aggregates-only inputs).
  std::optional<double> baseline_hint, current_hint;
  double measured_s = 0;
  std::vector<std::string> artifacts;
  std::string note;  ///< appended to the verdict's reason, e.g. "2 invalid periods excluded"
};

struct EvaluateOptions {
  std::string mode = "ab";  ///< ab | baseline | diff
  std::string baseline_source;
  /// Multiplies every α (0.5 for each look of the confirmation extension).
  double alpha_scale = 1.0;
  double ci_level = 0.95;
};

/// Runs every test, applies Holm over the gated ones and decides each verdict (rule above).
/// Verdicts come out in the input order.
GateResult evaluate(const std::vector<Comparison>& comparisons,
                    const results::GateSettings& settings, const EvaluateOptions& options);

/// A/B mode: the app with role "baseline" against each app with role "candidate" of one
/// results file, paired by iteration, Wilcoxon signed-rank + one-sample Hodges-Lehmann.
/// Cells with a failed run or period → error; a metric or cell on one side only →
/// not_comparable. Without both roles the result has no verdicts (exit 3) and a note.
GateResult run_ab(const results::ResultsFile& results, const results::GateSettings& settings);

/// α each look of a run-mode gate uses: settings.alpha, halved when the confirmation
/// extension is declared (settings.confirm > 0), since both looks are then tested at α/2.
double look_alpha_scale(const results::GateSettings& settings);

/// True when a first look has a gated warn or inconclusive verdict the confirmation extension
/// (statistics.md) could settle.
bool needs_confirmation(const GateResult& first_look);

/// Confirmation extension, second look: `second_look` is the gate re-run over every pair (the
/// first look's plus the extra ones; e.g. run_ab on the extended results — with
/// settings.confirm > 0 both looks test at α/2). Verdicts the first look settled (regressed,
/// improved, unchanged, error, not_comparable) stay; warn and inconclusive ones take the
/// second look's verdict. Never repeat this: one extension, declared in advance.
GateResult merge_confirmation(const GateResult& first_look, const GateResult& second_look,
                              int extra_pairs);

/// Convenience for the runner: run_ab(extended) then merge_confirmation.
GateResult confirm_ab(const GateResult& first_look, const results::ResultsFile& extended,
                      const results::GateSettings& settings);

/// Pre-run check (statistics.md "How many runs"): nullopt when `runs` pairs (paired) or runs
/// per side (unpaired) can reach the Holm level α/tests; otherwise a warning naming the count
/// that would be needed.
std::optional<std::string> check_run_count(int runs, int tests, double alpha, bool paired);

/// Registry metrics the settings gate (enabled, not disabled everywhere), in report order;
/// cells × this count is the Holm family size check_run_count() wants.
std::vector<std::string> gated_metric_names(const results::GateSettings& settings);

}  // namespace benchgate::gate
