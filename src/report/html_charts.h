#pragma once
// The per-cell charts of the HTML report (report/html.cpp lays out the page): throughput, app
// traces, RSS per process and latency percentiles of a cell, each an inline SVG (report/svg.h)
// in a <figure>. Each app is drawn as the median of its good runs with their min–max band
// (ten overlapping lines per app show no more than that, at ten times the size); a run that
// was not good is drawn on its own, dashed.

#include <functional>
#include <string>
#include <vector>

#include "report/model.h"
#include "report/svg.h"
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

/// The points of one run, for median_and_band.
struct RunPoints {
  std::string app;
  std::string name;  ///< "main #3 (failed)": the tooltip of a run drawn on its own
  bool good = true;
  std::vector<svg::Point> points;
};

/// Per app (in order of appearance): the median of its good runs at each sample index, with
/// their min–max band; then every run that was not good as its own dashed line.
std::vector<svg::Series> median_and_band(const std::vector<RunPoints>& runs, const ColorOf& color,
                                         bool markers);

/// "<figure>" around an SVG with its caption and a muted note.
std::string figure(const std::string& svg_text, const std::string& caption, const std::string& note,
                   bool wide = false);

/// Successful responses per second per trace interval.
std::string throughput_chart(const std::string& id, const Cell& cell, const ColorOf& color,
                             const std::vector<RunView>& runs);
/// One app trace series (cpu_percent, rss_total, ...) times scale.
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
