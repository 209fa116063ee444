#pragma once
// report.html: one self-contained page (inline CSS and SVG, a few lines of optional inline
// script, a Content-Security-Policy that forbids every network load), readable offline and
// complete without JavaScript. XHTML-compatible markup, so it also parses as XML.
//
// Contents, most important first: the headline (status and counts); load scaling (throughput
// and p99 against clients or rate, per scenario with more than one load point); regressions
// (each regressed cell's rows, forest plot, throughput and latency charts); the full verdict
// table (or the results table when not gated); the history over past baselines (when the
// baseline carries one); per cell a summary table, throughput, CPU % and RSS (total and per
// process) over the load period and latency percentiles — per app the median of its good
// runs with their min–max band — and a forest plot of the change estimates with their
// confidence intervals and ±min-effect bands; whole-run traces per scenario; failed runs with
// their log tails; notes; the environment, the run order and the artifacts.

#include <ostream>

#include "report/model.h"

namespace benchgate::report {

struct HtmlOptions {
  std::size_t max_name = 160;  ///< labels and cells are shortened to this many characters
};

void write_html(const ReportModel& model, std::ostream& out, const HtmlOptions& options = {});

}  // namespace benchgate::report
