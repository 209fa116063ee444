#include "cli/summary.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/parse.h"

namespace benchgate::cli {

namespace {

std::string pct(const results::LatencyStats& l, const char* key) {
  auto it = l.percentiles.find(key);
  return it == l.percentiles.end() ? "-" : format_latency(it->second);
}

}  // namespace

void print_drive_summary(std::ostream& os, const results::ResultsFile& r) {
  for (const auto& run : r.runs) {
    os << fmt::format("\n{} — {} ({})\n", run.app, run.url, run.status);
    if (run.startup.measured) {
      os << fmt::format("  start-up: ready after {}, idle RSS {}, idle CPU {:.1f}%\n",
                        format_latency(run.startup.time_to_ready_s),
                        format_bytes(static_cast<double>(run.startup.idle_rss)),
                        run.startup.idle_cpu_percent);
    }
    if (!run.periods.empty()) {
      os << fmt::format("  {:<14} {:>10} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>9} {:>10} {:>10}\n",
                        "load", "req/s", "p50", "p90", "p99", "max", "errors", "CPU%", "CPU/req",
                        "RSS peak", "RSS delta");
    }
    for (const auto& p : run.periods) {
      const auto& d = p.driver;
      const auto& a = p.app;
      const auto cpr = p.metrics.find("cpu_per_request");
      os << fmt::format(
          "  {:<14} {:>10} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8.1f} {:>9} {:>10} {:>10}{}\n",
          p.point.key(), format_si(d.throughput), pct(d.latency, "50"), pct(d.latency, "90"),
          pct(d.latency, "99"),
          d.latency.count || d.latency.max > 0 ? format_latency(d.latency.max) : "-",
          d.non_2xx_3xx + d.errors.total(), a.cpu_percent,
          cpr == p.metrics.end() ? "-" : fmt::format("{:.1f}us", cpr->second * 1e6),
          format_bytes(static_cast<double>(a.rss_peak)),
          // No delta when a process exited during the period (a crash is not a shrink).
          std::none_of(a.per_process.begin(), a.per_process.end(),
                       [](const auto& pp) { return pp.exited; })
              ? format_bytes(static_cast<double>(a.rss_end - a.rss_start))
              : std::string("-"),
          p.status == "ok" ? "" : fmt::format("  [{}: {}]", p.status, p.reason));
      if (d.non_2xx_3xx > 0) {
        os << fmt::format("  {:<14} warning: {} non-2xx/3xx responses (excluded from req/s)\n", "",
                          d.non_2xx_3xx);
      }
      if (d.errors.total() > 0) {
        os << fmt::format(
            "  {:<14} socket errors: connect {}, read {}, write {}, timeout {}, parse {}\n", "",
            d.errors.connect, d.errors.read, d.errors.write, d.errors.timeout, d.errors.parse);
      }
      if (!a.per_process.empty() && a.per_process.size() > 1) {
        for (const auto& proc : a.per_process) {
          os << fmt::format(
              "  {:<14}   pid {:<7} {:<16} CPU {:.2f}s user {:.2f}s sys, RSS {} → {} (peak {})\n",
              "", proc.pid, proc.comm, proc.cpu_user_s, proc.cpu_sys_s,
              format_bytes(static_cast<double>(proc.rss_start)),
              format_bytes(static_cast<double>(proc.rss_end)),
              format_bytes(static_cast<double>(proc.rss_peak)));
        }
      }
    }
    if (run.profile) {
      const auto& pr = *run.profile;
      std::string top;
      for (std::size_t i = 0; i < pr.top_symbols.size() && i < 3; ++i) {
        top += fmt::format("{}{} {:.1f}%", i ? ", " : "", pr.top_symbols[i].name,
                           pr.top_symbols[i].share * 100);
      }
      if (pr.status == "ok") {
        os << fmt::format("  profile {}: ok{}\n", pr.profiler, top.empty() ? "" : " — top: " + top);
      } else {
        os << fmt::format("  profile {}: {}: {}\n", pr.profiler, pr.status, pr.reason);
      }
      for (const auto& a : pr.artifacts) {
        if (a.kind == "profiler-log") continue;
        os << fmt::format("    {}: {}\n", a.kind, a.path);
      }
    }
    for (const auto& w : run.warnings)
      os << "  warning: " << w << "\n";
    if (!run.termination.description.empty()) {
      os << fmt::format("  shutdown: {}\n", run.termination.description);
    }
  }
}

}  // namespace benchgate::cli
