#include "report/html_charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "core/histogram.h"
#include "core/parse.h"
#include "core/text.h"
#include "report/svg.h"

namespace benchgate::report::html_charts {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

constexpr std::string_view kProcessPalette[] = {"#1f6fb4", "#e8710a", "#2e8b57", "#b0358c",
                                                "#6a5acd", "#8c6d1f", "#17a2b8", "#d6336c",
                                                "#5f6b7a", "#9c27b0"};

/// x position of a percentile on the "nines" axis: 50 → 0.30, 90 → 1, 99 → 2, 99.9 → 3.
double nines(double percentile) {
  return -std::log10(1 - percentile / 100);
}

std::string fmt_ms(double ms) {
  if (ms >= 100) return fmt::format("{:.0f}", ms);
  if (ms >= 10) return fmt::format("{:.1f}", ms);
  if (ms >= 1) return fmt::format("{:.2f}", ms);
  return svg::compact(ms);
}

std::string run_name(const RunView& r) {
  return fmt::format("{} #{}{}", shorten(r.app, 60), r.run->iteration,
                     r.good ? "" : " (" + r.period->status + ")");
}

using PointsOf = std::function<std::vector<svg::Point>(const RunView&)>;

std::vector<svg::Series> per_app(const std::vector<RunView>& runs, const ColorOf& color,
                                 const PointsOf& points_of, bool markers) {
  std::vector<RunPoints> points;
  for (const auto& r : runs)
    points.push_back({r.app, run_name(r), r.good, points_of(r)});
  return median_and_band(points, color, markers);
}

}  // namespace

std::vector<svg::Series> median_and_band(const std::vector<RunPoints>& runs, const ColorOf& color,
                                         bool markers) {
  std::vector<std::string> apps;
  for (const auto& r : runs) {
    if (std::find(apps.begin(), apps.end(), r.app) == apps.end()) apps.push_back(r.app);
  }
  std::vector<svg::Series> out;
  for (const auto& app : apps) {
    std::vector<const std::vector<svg::Point>*> good;
    std::size_t n = 0;
    for (const auto& r : runs) {
      if (r.app != app || !r.good || r.points.empty()) continue;
      good.push_back(&r.points);
      n = std::max(n, r.points.size());
    }
    if (good.empty()) continue;
    svg::Series s{app, color(app),
                  good.size() == 1 ? shorten(app, 60) + " (1 good run)"
                                   : fmt::format("{}: median of {} good runs, band min–max",
                                                 shorten(app, 60), good.size())};
    s.markers = markers;
    s.width = 2;
    s.opacity = 0.9;
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<double> xs, ys;
      for (const auto* g : good) {
        if (i < g->size() && std::isfinite((*g)[i].x) && std::isfinite((*g)[i].y)) {
          xs.push_back((*g)[i].x);
          ys.push_back((*g)[i].y);
        }
      }
      if (ys.empty()) continue;
      const auto [lo, hi] = std::minmax_element(ys.begin(), ys.end());
      s.band.emplace_back(*lo, *hi);
      s.points.push_back({median(xs), median(ys)});
    }
    if (good.size() == 1) s.band.clear();
    out.push_back(std::move(s));
  }
  for (const auto& r : runs) {
    if (r.good || r.points.empty()) continue;
    svg::Series s{r.app, color(r.app), r.name};
    s.points = r.points;
    s.dashed = true;
    s.markers = markers;
    s.opacity = 0.6;
    out.push_back(std::move(s));
  }
  return out;
}

std::string figure(const std::string& svg_text, const std::string& caption, const std::string& note,
                   bool wide) {
  return fmt::format("<figure{}><figcaption>{}{}</figcaption>\n{}</figure>\n",
                     wide ? " class=\"wide\"" : "", caption,
                     note.empty() ? "" : " <span class=\"muted\">" + note + "</span>", svg_text);
}

std::string throughput_chart(const std::string& id, const Cell& cell, const ColorOf& color,
                             const std::vector<RunView>& runs) {
  svg::LineChart c;
  c.id = id + "-tput";
  c.title = "Throughput over the load period: " + shorten(cell.key, 80);
  c.description =
      "Successful responses per second in each trace interval: per app the median of its good "
      "runs with their min–max band; runs that were not good dashed.";
  c.x.label = "time into the load period (s)";
  c.y.label = "throughput (req/s)";
  c.y.include_zero = true;
  c.series = per_app(
      runs, color,
      [](const RunView& r) {
        std::vector<svg::Point> pts;
        const auto& d = r.period->driver;
        const double dt = d.trace_interval_s > 0 ? d.trace_interval_s : 1;
        for (std::size_t i = 0; i < d.throughput_trace.size(); ++i) {
          pts.push_back({dt * static_cast<double>(i + 1), d.throughput_trace[i]});
        }
        return pts;
      },
      false);
  return figure(svg::line_chart(c), "Throughput",
                "req/s per interval, median and range of the runs");
}

std::string trace_chart(const std::string& id, const Cell& cell, const ColorOf& color,
                        const std::vector<RunView>& runs, const std::string& series,
                        const std::string& caption, const std::string& what,
                        const std::string& ylabel, double scale) {
  svg::LineChart c;
  c.id = id;
  c.title = caption + " over the load period: " + shorten(cell.key, 80);
  c.description = "App " + caption + " (" + what +
                  ") sampled during the load period: per app the median of its good runs with "
                  "their min–max band; runs that were not good dashed.";
  c.x.label = "time into the load period (s)";
  c.y.label = ylabel;
  c.y.include_zero = true;
  c.series = per_app(
      runs, color,
      [&](const RunView& r) {
        std::vector<svg::Point> pts;
        const auto& tr = r.period->app.traces;
        auto it = tr.series.find(series);
        if (it == tr.series.end()) return pts;
        for (std::size_t i = 0; i < it->second.size() && i < tr.t.size(); ++i) {
          pts.push_back({tr.t[i], it->second[i] * scale});
        }
        return pts;
      },
      false);
  return figure(svg::line_chart(c), caption, what);
}

// Per-process RSS of the first good run of each app (a run's processes differ by pid).
std::string process_rss_chart(const std::string& id, const Cell& cell, const ColorOf& color,
                              const std::vector<RunView>& runs) {
  svg::LineChart c;
  c.id = id;
  c.title = "RSS per process: " + shorten(cell.key, 80);
  c.description =
      "Resident memory of each app process (and the total, dashed) during the load "
      "period of the first good iteration of each app.";
  c.x.label = "time into the load period (s)";
  c.y.label = "RSS (MiB)";
  c.y.include_zero = true;
  std::set<std::string> done;
  std::size_t color_index = 0;
  for (const auto& r : runs) {
    if (!r.good || done.count(r.app)) continue;
    const auto& tr = r.period->app.traces;
    bool any = false;
    for (const auto& [name, values] : tr.series) {
      if (!name.starts_with("rss:")) continue;
      const std::string pid = name.substr(4);
      std::string comm;
      for (const auto& p : r.period->app.per_process) {
        if (std::to_string(p.pid) == pid) comm = p.comm;
      }
      const std::string label = fmt::format("{} · {} {}", shorten(r.app, 30),
                                            comm.empty() ? "pid" : shorten(comm, 20), pid);
      svg::Series s{label, std::string(kProcessPalette[color_index++ % std::size(kProcessPalette)]),
                    label + " (iteration " + std::to_string(r.run->iteration) + ")"};
      for (std::size_t i = 0; i < values.size() && i < tr.t.size(); ++i) {
        s.points.push_back({tr.t[i], values[i] / kMiB});
      }
      c.series.push_back(std::move(s));
      any = true;
    }
    if (auto it = tr.series.find("rss_total"); it != tr.series.end()) {
      const std::string label = shorten(r.app, 30) + " · total";
      svg::Series s{label, color(r.app), label};
      s.dashed = true;
      s.width = 2;
      for (std::size_t i = 0; i < it->second.size() && i < tr.t.size(); ++i) {
        s.points.push_back({tr.t[i], it->second[i] / kMiB});
      }
      c.series.push_back(std::move(s));
      any = true;
    }
    if (any) done.insert(r.app);
  }
  return figure(svg::line_chart(c), "RSS per process", "first good iteration of each app");
}

std::string latency_chart(const std::string& id, const Cell& cell, const ColorOf& color,
                          const std::vector<RunView>& runs) {
  svg::LineChart c;
  c.id = id;
  c.title = "Latency percentiles: " + shorten(cell.key, 80);
  c.description =
      "Latency at each percentile (x axis in nines: 50, 90, 99, 99.9 …; open loop: corrected "
      "for coordinated omission): per app the median of its good runs with their min–max "
      "band; runs that were not good dashed.";
  c.x.label = "percentile";
  c.y.label = "latency (ms)";
  c.y.format = fmt_ms;
  c.x.format = [](double x) { return fmt::format("p{:.6g}", 100 * (1 - std::pow(10.0, -x))); };
  double max_p = 99;
  const auto points_of = [&max_p](const RunView& r) {
    std::vector<svg::Point> pts;
    const auto& lat = r.period->driver.latency;
    if (!lat.histogram.empty()) {
      try {
        const auto h = LatencyHistogram::decode(lat.histogram);
        const double n = static_cast<double>(h.count());
        for (double p : {50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999}) {
          if (1 / (1 - p / 100) > n) break;
          pts.push_back({nines(p), h.quantile_ns(p / 100) / 1e6});
          max_p = std::max(max_p, p);
        }
        if (!pts.empty()) return pts;
      } catch (const std::exception&) {
        pts.clear();  // fall back to the reported percentiles
      }
    }
    std::vector<std::pair<double, double>> reported;
    for (const auto& [key, value] : lat.percentiles) {
      try {
        const double p = parse_double(key);
        if (p > 0 && p < 100 && std::isfinite(value)) reported.emplace_back(p, value);
      } catch (const std::exception&) {
      }
    }
    std::sort(reported.begin(), reported.end());
    for (const auto& [p, v] : reported) {
      pts.push_back({nines(p), v * 1e3});
      max_p = std::max(max_p, p);
    }
    return pts;
  };
  c.series = per_app(runs, color, points_of, true);
  double ylo = 1e300, yhi = 0;
  for (const auto& s : c.series) {
    for (const auto& p : s.points) {
      if (p.y > 0) {
        ylo = std::min(ylo, p.y);
        yhi = std::max(yhi, p.y);
      }
    }
  }
  c.y.log = yhi > 0 && yhi / ylo > 20;
  c.y.include_zero = !c.y.log;
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99, 99.999}) {
    if (p <= max_p + 1e-9) c.x.ticks.emplace_back(nines(p), fmt::format("{:g}", p));
  }
  c.x.min = nines(50);
  c.x.max = nines(max_p);
  return figure(
      svg::line_chart(c), "Latency percentiles",
      c.y.log ? "log latency axis, median and range of the runs" : "median and range of the runs");
}

}  // namespace benchgate::report::html_charts
