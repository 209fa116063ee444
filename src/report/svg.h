#pragma once
// Inline SVG charts for report.html: line charts (time series, latency percentile curves)
// and forest plots (change estimates with confidence intervals and ±min-effect bands).
// The output is XML (XHTML-embeddable), needs no script or font, and carries <title>/<desc>
// for screen readers; data-points on the root counts the plotted points.

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace benchgate::report::svg {

struct Point {
  double x = 0, y = 0;
};

struct Series {
  std::string legend;         ///< legend entry, also the toggle group (series may share one)
  std::string color;          ///< CSS colour
  std::string tooltip;        ///< hover text of the line
  std::vector<Point> points;  ///< a non-finite y breaks the line
  /// Optional band around the line, one (low, high) per point (e.g. min–max over the
  /// iterations): a translucent area in the series' colour. Empty: none.
  std::vector<std::pair<double, double>> band;
  /// Optional tooltip per marker (same length as points); empty: "<tooltip>: x, y".
  std::vector<std::string> point_titles;
  /// Indexes of points to mark with a red ring (e.g. a regressed load point).
  std::vector<std::size_t> rings;
  bool dashed = false;
  bool markers = false;  ///< a circle per point, with "x: y" tooltips
  double width = 1.5;
  double opacity = 0.85;
};

struct Axis {
  std::string label;  ///< with its unit: "throughput (req/s)"
  bool log = false;
  std::function<std::string(double)> format;  ///< tick labels (default: compact number)
  std::optional<double> min, max;             ///< forced range ends
  bool include_zero = false;
  /// Explicit ticks (value, label); replaces the automatic ones.
  std::vector<std::pair<double, std::string>> ticks;
};

struct LineChart {
  std::string id;  ///< unique in the page; prefixes the ids inside
  std::string title;
  std::string description;
  Axis x, y;
  std::vector<Series> series;
  int width = 560;
  int height = 280;
};

/// A <svg> element; charts without a finite point say "no data" instead of plotting.
std::string line_chart(const LineChart& chart);

struct Interval {
  std::string label;     ///< "throughput ↑"
  std::string sublabel;  ///< "pr vs main"
  double estimate = 0, low = 0, high = 0;
  double limit = 0;    ///< min effect (≥ 0): band [-limit, +limit]
  int worse_sign = 1;  ///< +1: larger values are worse (latency); -1: smaller (throughput)
  std::string color;   ///< the verdict's colour
  std::string tooltip;
  std::string value_text;  ///< right-hand text: "-6.1 % [-7.9 %, -4.2 %]"
  bool has_estimate = true;
};

struct ForestPlot {
  std::string id;
  std::string title;
  std::string description;
  std::string x_label;
  std::function<std::string(double)> format;
  std::vector<Interval> rows;
  int width = 760;
};

std::string forest_plot(const ForestPlot& plot);

/// "Nice" tick values (1, 2, 5 × 10^k) covering [lo, hi], about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
/// Decades (and 2, 5 multiples when the range is narrow) covering [lo, hi], lo > 0.
std::vector<double> log_ticks(double lo, double hi);
/// Compact tick label: "0", "2.5", "150", "12k", "1.5M".
std::string compact(double v);

}  // namespace benchgate::report::svg
