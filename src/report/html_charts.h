#pragma once
// The per-cell charts of the HTML report (report/html.cpp lays out the page): throughput, app
// traces, RSS per process and latency percentiles of every run of a cell, each an inline SVG
// (report/svg.h) in a <figure>.

#include <functional>
#include <string>
#include <vector>

#include "report/model.h"
#include "results/model.h"

namespace benchgate::report::html_charts {

/// One measured period of a run of a cell.
struct RunView {
  const results::RunRecord* run;
  const results::PeriodResult* period;
  std::string app;
  bool good;  ///< the run and the period are "ok"
};

/// The line colour of an app (the page keeps one per app).
using ColorOf = std::function<std::string(const std::string& app)>;

/// "<figure>" around an SVG with its caption and a muted note.
std::string figure(const std::string& svg_text, const std::string& caption, const std::string& note,
                   bool wide = false);

/// Successful responses per second per trace interval, one line per run.
std::string throughput_chart(const std::string& id, const Cell& cell, const ColorOf& color,
                             const std::vector<RunView>& runs);
/// One app trace series (cpu_percent, rss_total, ...) times scale, one line per run.
std::string trace_chart(const std::string& id, const Cell& cell, const ColorOf& color,
                        const std::vector<RunView>& runs, const std::string& series,
                        const std::string& caption, const std::string& what,
                        const std::string& ylabel, double scale);
/// RSS of each process (and the total) of the first good run of each app.
std::string process_rss_chart(const std::string& id, const Cell& cell, const ColorOf& color,
                              const std::vector<RunView>& runs);
/// Latency at each percentile (x in nines), from the histogram when there is one.
std::string latency_chart(const std::string& id, const Cell& cell, const ColorOf& color,
                          const std::vector<RunView>& runs);

}  // namespace benchgate::report::html_charts
