#include "results/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "results/metrics.h"

namespace benchgate::results {

std::string LoadPoint::key() const {
  if (rate > 0) return fmt::format("c={} r={:g}", clients, rate);
  return fmt::format("c={}", clients);
}

std::string incomplete_reason(const ResultsFile& r) {
  if (r.status == "complete") return "";
  const std::string runs =
      r.planned_runs > 0
          ? fmt::format("{} of {} planned runs recorded", r.runs.size(), r.planned_runs)
          : fmt::format("{} run{} recorded", r.runs.size(), r.runs.size() == 1 ? "" : "s");
  if (r.status == "running") {
    return fmt::format(
        "status \"running\": benchgate did not finish — it was killed or its "
        "final write failed ({})",
        runs);
  }
  if (r.status == "interrupted") {
    return fmt::format("status \"interrupted\": stopped by a signal ({})", runs);
  }
  if (r.status == "failed") {
    return fmt::format("status \"failed\": {} ({})",
                       r.failure.empty() ? "benchgate stopped on an error" : r.failure, runs);
  }
  return fmt::format("status \"{}\" ({})", r.status, runs);
}

void require_complete(const ResultsFile& r, const std::string& origin, bool allow_partial) {
  if (allow_partial) return;
  const std::string why = incomplete_reason(r);
  if (why.empty()) return;
  throw ConfigError(fmt::format(
      "{}: the results are not complete ({}); pass --allow-partial to use them anyway (every "
      "report then says \"partial\")",
      origin, why));
}

std::string cell_key(const std::string& scenario, const LoadPoint& point) {
  return scenario + " " + point.key();
}

namespace {

/// rss_end - rss_start means something only when every process of the period lived to its
/// end: one that exited (crashed) drops out of rss_end, which would show as a "shrink".
bool every_process_lived(const ResourceUsage& a) {
  return std::none_of(a.per_process.begin(), a.per_process.end(),
                      [](const ProcessUsage& p) { return p.exited; });
}

}  // namespace

void derive_metrics(PeriodResult& p) {
  auto& m = p.metrics;
  const auto& d = p.driver;
  const auto& a = p.app;
  if (d.driver == "sleep") {  // idle footprint only: no requests were sent
    if (a.cpu_total_s() > 0) m[std::string(metric::kCpuPercent)] = a.cpu_percent;
    if (a.rss_peak > 0) m[std::string(metric::kPeakRss)] = static_cast<double>(a.rss_peak);
    if (a.duration_s > 0 && every_process_lived(a))
      m[std::string(metric::kRssGrowth)] = static_cast<double>(a.rss_end - a.rss_start);
    return;
  }
  m[std::string(metric::kThroughput)] = d.throughput;
  auto pct = [&](const char* key, std::string_view name) {
    auto it = d.latency.percentiles.find(key);
    if (it != d.latency.percentiles.end() && std::isfinite(it->second) && it->second > 0) {
      m[std::string(name)] = it->second;
    }
  };
  pct("50", metric::kLatencyP50);
  pct("90", metric::kLatencyP90);
  pct("99", metric::kLatencyP99);
  pct("99.9", metric::kLatencyP999);
  if (d.latency.max > 0) m[std::string(metric::kLatencyMax)] = d.latency.max;
  if (d.latency.mean > 0) m[std::string(metric::kLatencyMean)] = d.latency.mean;

  const double successes = d.throughput * d.duration_s;
  if (a.duration_s > 0) {
    if (successes > 0 && a.cpu_total_s() > 0) {
      m[std::string(metric::kCpuPerRequest)] = a.cpu_total_s() / successes;
    }
    if (a.cpu_total_s() > 0) m[std::string(metric::kCpuPercent)] = a.cpu_percent;
    if (a.rss_peak > 0) m[std::string(metric::kPeakRss)] = static_cast<double>(a.rss_peak);
    // Not from a period in which a process of the app exited (crashed): its memory left the
    // sum, which is no shrink of the app.
    if (every_process_lived(a)) {
      m[std::string(metric::kRssGrowth)] = static_cast<double>(a.rss_end - a.rss_start);
    }
  }
  m[std::string(metric::kErrors)] = static_cast<double>(d.non_2xx_3xx + d.errors.total());
}

std::vector<Sample> collect_samples(const ResultsFile& r) {
  std::vector<Sample> out;
  for (const auto& run : r.runs) {
    if (run.status != "ok") continue;
    for (const auto& [name, value] : run.metrics) {
      if (!std::isfinite(value)) continue;
      out.push_back({run.app, run.role, run.scenario, name, run.iteration, value, run.id});
    }
    for (const auto& p : run.periods) {
      if (p.status != "ok") continue;
      const auto cell = cell_key(run.scenario, p.point);
      for (const auto& [name, value] : p.metrics) {
        if (!std::isfinite(value)) continue;
        out.push_back({run.app, run.role, cell, name, run.iteration, value, run.id});
      }
    }
  }
  return out;
}

}  // namespace benchgate::results
