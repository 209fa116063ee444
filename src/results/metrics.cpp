#include "results/metrics.h"

namespace benchgate::results {

namespace {
constexpr double kMiB = 1024.0 * 1024.0;
}

const std::vector<MetricInfo>& known_metrics() {
  static const std::vector<MetricInfo> metrics = {
      {metric::kThroughput, "req/s", Better::kHigher, Scale::kRatio, 0.03, 0,
       "successful (2xx/3xx) responses per second"},
      {metric::kLatencyP50, "s", Better::kLower, Scale::kRatio, 0.10, 0, "median latency"},
      {metric::kLatencyP90, "s", Better::kLower, Scale::kRatio, 0.10, 0, "90th percentile latency"},
      {metric::kLatencyP99, "s", Better::kLower, Scale::kRatio, 0.10, 0, "99th percentile latency"},
      {metric::kLatencyP999, "s", Better::kLower, Scale::kRatio, 0.15, 0,
       "99.9th percentile latency"},
      {metric::kCpuPerRequest, "s", Better::kLower, Scale::kRatio, 0.03, 0,
       "app CPU time (user+sys, all processes) per successful response"},
      {metric::kCpuPercent, "%", Better::kLower, Scale::kRatio, 0.05, 0,
       "app CPU utilisation over the load period (100 % = one core)"},
      {metric::kPeakRss, "bytes", Better::kLower, Scale::kRatio, 0.03, 4 * kMiB,
       "peak of the RSS summed over the app's processes"},
      {metric::kRssGrowth, "bytes", Better::kLower, Scale::kDifference, 0, 4 * kMiB,
       "RSS at the end minus RSS at the start of the load period (leak signal)"},
      {metric::kErrors, "count", Better::kLower, Scale::kDifference, 0, 0.5,
       "non-2xx/3xx responses plus socket errors and timeouts"},
      {metric::kStartupTime, "s", Better::kLower, Scale::kRatio, 0.10, 0.005,
       "time from launch to the first successful response"},
      {metric::kIdleRss, "bytes", Better::kLower, Scale::kRatio, 0.03, 4 * kMiB,
       "RSS summed over the app's processes before the first load period"},
      // Instruction mode (measure = "instructions"): counted under callgrind, near-deterministic,
      // decided by the spread rule (gate/counted.h), not a rank test.
      {metric::kInstructionsPerRequest, "instr", Better::kLower, Scale::kRatio, 0.005, 0,
       "instructions the app executed per request (callgrind Ir, all processes)"},
      {metric::kEstCyclesPerRequest, "cycles", Better::kLower, Scale::kRatio, 0.005, 0,
       "estimated cycles per request: Ir + 10 L1 misses + 100 last-level misses (callgrind)"},
      {metric::kStartupInstructions, "instr", Better::kLower, Scale::kRatio, 0.005, 0,
       "instructions of a lifetime without counted requests (start-up, warm-up surplus, exit)"},
  };
  return metrics;
}

std::optional<MetricInfo> find_metric(std::string_view name) {
  for (const auto& m : known_metrics()) {
    if (m.name == name) return m;
  }
  return std::nullopt;
}

std::string_view better_arrow(Better b) {
  return b == Better::kHigher ? "higher is better" : "lower is better";
}

}  // namespace benchgate::results
