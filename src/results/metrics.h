#pragma once
// The registry of gate-able metrics: name, unit, better direction and default threshold
// (docs: statistics.md "Metrics and their direction").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchgate::results {

enum class Better { kHigher, kLower };

/// How the gate compares two samples of a metric.
enum class Scale {
  kRatio,       ///< strictly positive values: compare log(cand/base), effects in %
  kDifference,  ///< values that may be 0 or negative (RSS growth, errors): cand − base
};

struct MetricInfo {
  std::string_view name;
  std::string_view unit;  ///< "req/s", "s", "bytes", "%", "count"
  Better better;
  Scale scale;
  double min_effect_rel;  ///< fraction (0.03 = 3 %), for kRatio
  double min_effect_abs;  ///< in the metric's unit; for kRatio an absolute floor (max of both)
  std::string_view description;
};

/// Every metric benchgate itself produces, in report order.
const std::vector<MetricInfo>& known_metrics();
/// Registry lookup; nullopt for metrics not in the registry (e.g. Google Benchmark counters).
std::optional<MetricInfo> find_metric(std::string_view name);

/// Names of the per-load-period metrics.
namespace metric {
inline constexpr std::string_view kThroughput = "throughput";
inline constexpr std::string_view kLatencyP50 = "latency_p50";
inline constexpr std::string_view kLatencyP90 = "latency_p90";
inline constexpr std::string_view kLatencyP99 = "latency_p99";
inline constexpr std::string_view kLatencyP999 = "latency_p99.9";
inline constexpr std::string_view kLatencyMax = "latency_max";
inline constexpr std::string_view kLatencyMean = "latency_mean";
inline constexpr std::string_view kCpuPerRequest = "cpu_per_request";
inline constexpr std::string_view kCpuPercent = "cpu_percent";
inline constexpr std::string_view kPeakRss = "peak_rss";
inline constexpr std::string_view kRssGrowth = "rss_growth";
inline constexpr std::string_view kErrors = "errors";
// Per-run (start-up) metrics.
inline constexpr std::string_view kStartupTime = "startup_time";
inline constexpr std::string_view kIdleRss = "idle_rss";
// Instruction mode (measure = "instructions").
inline constexpr std::string_view kInstructionsPerRequest = "instructions_per_request";
inline constexpr std::string_view kEstCyclesPerRequest = "est_cycles_per_request";
inline constexpr std::string_view kStartupInstructions = "startup_instructions";
}  // namespace metric

/// "higher is better" / "lower is better" arrows for reports.
std::string_view better_arrow(Better b);

}  // namespace benchgate::results
