#pragma once
// Gate thresholds as the user configures them (suite [gate] table, CLI). Plain data, filled
// by config/ and read by gate/; recorded in results.json with the resolved suite.

#include <map>
#include <optional>
#include <string>

#include "results/metrics.h"

namespace benchgate::results {

/// Per-metric override; unset fields fall back to the metric registry's defaults.
struct MetricThreshold {
  std::optional<double> min_effect_rel;  ///< fraction (0.03 = 3 %)
  std::optional<double> min_effect_abs;  ///< in the metric's unit (bytes, seconds, count)
  std::optional<double> alpha;           ///< family-wise α override for this metric
  std::optional<Better> better;          ///< direction override
  bool enabled = true;                   ///< false: reported, never gated
};

struct GateSettings {
  double alpha = 0.05;  ///< family-wise, Holm over every gate-able test
  int min_runs = 10;    ///< pairs (A/B) or runs per side (baseline) wanted
  std::map<std::string, MetricThreshold> metrics;  ///< metric name -> threshold
  /// scenario name (or cell key) -> metric name -> threshold (wins over `metrics`)
  std::map<std::string, std::map<std::string, MetricThreshold>> per_scenario;
  bool warn_only = false;                  ///< exit 0 even on regressions
  std::string testbed_mismatch = "error";  ///< error (not comparable) | warn
  int confirm = 0;                         ///< extra pairs for the confirmation extension
  /// Tarone's rule (docs/statistics.md): tests whose smallest attainable p cannot reach the
  /// Holm threshold leave the family. false: plain Holm over every informative gated test —
  /// only for measuring what the rule gains (bench/tarone_gain.cpp); no suite key or flag.
  bool tarone = true;
};

}  // namespace benchgate::results
