#include "report/html_charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
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

}  // namespace

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
      "Successful responses per second in each trace interval of every run; one "
      "line per run, coloured by app.";
  c.x.label = "time into the load period (s)";
  c.y.label = "throughput (req/s)";
  c.y.include_zero = true;
  for (const auto& r : runs) {
    const auto& d = r.period->driver;
    if (d.throughput_trace.empty()) continue;
    const double dt = d.trace_interval_s > 0 ? d.trace_interval_s : 1;
    svg::Series s{r.app, color(r.app), run_name(r)};
    for (std::size_t i = 0; i < d.throughput_trace.size(); ++i) {
      s.points.push_back({dt * static_cast<double>(i + 1), d.throughput_trace[i]});
    }
    s.dashed = !r.good;
    s.opacity = r.good ? 0.8 : 0.5;
    c.series.push_back(std::move(s));
  }
  return figure(svg::line_chart(c), "Throughput", "req/s per interval, every run");
}

std::string trace_chart(const std::string& id, const Cell& cell, const ColorOf& color,
                        const std::vector<RunView>& runs, const std::string& series,
                        const std::string& caption, const std::string& what,
                        const std::string& ylabel, double scale) {
  svg::LineChart c;
  c.id = id;
  c.title = caption + " over the load period: " + shorten(cell.key, 80);
  c.description = "App " + caption + " (" + what +
                  ") sampled during the load period; one line per run, coloured by app.";
  c.x.label = "time into the load period (s)";
  c.y.label = ylabel;
  c.y.include_zero = true;
  for (const auto& r : runs) {
    const auto& tr = r.period->app.traces;
    auto it = tr.series.find(series);
    if (it == tr.series.end()) continue;
    svg::Series s{r.app, color(r.app), run_name(r)};
    for (std::size_t i = 0; i < it->second.size() && i < tr.t.size(); ++i) {
      s.points.push_back({tr.t[i], it->second[i] * scale});
    }
    s.dashed = !r.good;
    s.opacity = r.good ? 0.8 : 0.5;
    c.series.push_back(std::move(s));
  }
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
      "Latency at each percentile for every run (x axis in nines: 50, 90, 99, "
      "99.9 …; open loop: corrected for coordinated omission).";
  c.x.label = "percentile";
  c.y.label = "latency (ms)";
  c.y.format = fmt_ms;
  c.x.format = [](double x) { return fmt::format("p{:.6g}", 100 * (1 - std::pow(10.0, -x))); };
  double max_p = 99;
  double ylo = 1e300, yhi = 0;
  for (const auto& r : runs) {
    const auto& lat = r.period->driver.latency;
    svg::Series s{r.app, color(r.app), run_name(r)};
    s.markers = true;
    s.dashed = !r.good;
    s.opacity = r.good ? 0.8 : 0.5;
    bool from_histogram = false;
    if (!lat.histogram.empty()) {
      try {
        const auto h = LatencyHistogram::decode(lat.histogram);
        const double n = static_cast<double>(h.count());
        for (double p : {50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999}) {
          if (1 / (1 - p / 100) > n) break;
          s.points.push_back({nines(p), h.quantile_ns(p / 100) / 1e6});
          max_p = std::max(max_p, p);
        }
        from_histogram = !s.points.empty();
      } catch (const std::exception&) {
        s.points.clear();  // fall back to the reported percentiles
      }
    }
    if (!from_histogram) {
      std::vector<std::pair<double, double>> pts;
      for (const auto& [key, value] : lat.percentiles) {
        try {
          const double p = parse_double(key);
          if (p > 0 && p < 100 && std::isfinite(value)) pts.emplace_back(p, value);
        } catch (const std::exception&) {
        }
      }
      std::sort(pts.begin(), pts.end());
      for (const auto& [p, v] : pts) {
        s.points.push_back({nines(p), v * 1e3});
        max_p = std::max(max_p, p);
      }
    }
    for (const auto& p : s.points) {
      if (p.y > 0) {
        ylo = std::min(ylo, p.y);
        yhi = std::max(yhi, p.y);
      }
    }
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  c.y.log = yhi > 0 && yhi / ylo > 20;
  c.y.include_zero = !c.y.log;
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99, 99.999}) {
    if (p <= max_p + 1e-9) c.x.ticks.emplace_back(nines(p), fmt::format("{:g}", p));
  }
  c.x.min = nines(50);
  c.x.max = nines(max_p);
  return figure(svg::line_chart(c), "Latency percentiles",
                c.y.log ? "log latency axis, every run" : "every run");
}

}  // namespace benchgate::report::html_charts
