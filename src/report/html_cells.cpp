// report.html: per-cell sections, forest plots of the changes and the whole runs per scenario
// (Page, html_page.h).

#include "report/html_page.h"

namespace benchgate::report::html_page {

void Page::cell_section(std::ostream& out, std::size_t index) {
  const Cell& cell = m_.cells[index];
  const std::string id = fmt::format("cell-{}", index);
  const bool charts = load_cells() <= kChartEveryCellUpTo || notable(cell);
  out << fmt::format("<section id=\"{}\" class=\"cell\">\n<h2>{}</h2>\n", id, esc(cell.key));
  if (!cell.url.empty()) {
    out << "<p class=\"muted\">" << esc(cell.url, 300)
        << (cell.point.rate > 0
                ? fmt::format(" · open loop at {:g} req/s with {} connections", cell.point.rate,
                              cell.point.clients)
                : fmt::format(" · closed loop with {} connections", cell.point.clients))
        << "</p>\n";
  }
  results_table(out, &cell);
  if (!charts) {
    out << fmt::format(
        "<p class=\"muted\">No chart for this cell: with {} cells the page draws the charts of "
        "cells with a decided change, an error or a run that was not good (this one had none); "
        "the load scaling charts show its throughput and p99, the table its verdicts.</p>\n"
        "</section>\n",
        load_cells());
    return;
  }
  const auto runs = runs_of(cell);
  const html_charts::ColorOf color_of = [this](const std::string& app) { return color(app); };
  const auto shown = in_regressions_.find(cell.key);
  const bool above = shown != in_regressions_.end();
  if (above) {
    out << fmt::format(
        "<p class=\"muted\">This cell regressed: its change estimates, throughput and latency "
        "charts are <a href=\"#{}\">under Regressions</a>.</p>\n",
        shown->second);
  }
  out << "<div class=\"charts\">\n";
  if (!above) out << html_charts::throughput_chart(id, cell, color_of, runs);
  out << html_charts::trace_chart(id + "-cpu", cell, color_of, runs, "cpu_percent", "CPU",
                                  "user + system, all app processes", "CPU (%, 100 = one core)", 1);
  out << html_charts::trace_chart(id + "-rss", cell, color_of, runs, "rss_total", "RSS (total)",
                                  "summed over the app's processes", "RSS (MiB)", 1 / kMiB);
  out << html_charts::process_rss_chart(id + "-proc", cell, color_of, runs);
  if (!above) out << html_charts::latency_chart(id + "-lat", cell, color_of, runs);
  out << "</div>\n";
  if (m_.gate && !above) {
    const auto vs = m_.verdicts_for(cell.key);
    if (!vs.empty()) {
      out << "<h3>Baseline vs candidate</h3>\n";
      forest(out, id, cell, vs);
    }
  }
  out << "</section>\n";
}

void Page::forest(std::ostream& out, const std::string& id, const Cell& cell,
                  const std::vector<const MetricVerdict*>& vs) const {
  // One plot per scale and unit: relative changes together, absolute ones per unit.
  std::vector<std::pair<std::string, std::vector<const MetricVerdict*>>> groups;
  for (const auto* v : vs) {
    const std::string key = v->scale == results::Scale::kRatio ? "%" : v->unit;
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
    if (it == groups.end()) {
      groups.push_back({key, {v}});
    } else {
      it->second.push_back(v);
    }
  }
  int n = 0;
  std::vector<const MetricVerdict*> unplotted;
  for (const auto& [unit, rows] : groups) {
    if (std::none_of(rows.begin(), rows.end(), [](const auto* v) { return has_estimate(*v); })) {
      unplotted.insert(unplotted.end(), rows.begin(), rows.end());
      continue;
    }
    svg::ForestPlot f;
    f.id = fmt::format("{}-forest-{}", id, n++);
    f.width = 1100;  // a wide figure: drawn at about its own size, so its text is not enlarged
    const bool ratio = unit == "%";
    double scale = 1;
    std::string axis_unit = unit;
    if (!ratio && unit == "bytes") {
      scale = 1 / kMiB;
      axis_unit = "MiB";
    } else if (!ratio && unit == "s") {
      scale = 1e3;
      axis_unit = "ms";
    }
    if (ratio) scale = 100;
    f.title = fmt::format("Change vs baseline{}: {}", ratio ? " (%)" : " (" + axis_unit + ")",
                          shorten(cell.key, 80));
    f.description =
        "Each row: the estimated change of one metric (dot) with its confidence "
        "interval (whiskers); the grey band is ± the metric's minimum effect, the "
        "red region lies beyond it in the metric's worse direction.";
    f.x_label = ratio ? "change of the candidate vs the baseline (%)"
                      : "change of the candidate vs the baseline (" + axis_unit + ")";
    f.format = [ratio](double x) {
      const std::string s = svg::compact(x);
      return (x > 0 ? "+" : "") + s + (ratio ? "%" : "");
    };
    for (const auto* v : rows) {
      svg::Interval r;
      r.label = v->metric + " " + std::string(better_symbol(v->better));
      r.sublabel = std::string(verdict_label(v->verdict)) + " · " + v->app;
      r.has_estimate = has_estimate(*v);
      r.estimate = v->estimate * scale;
      r.low = v->ci_low * scale;
      r.high = v->ci_high * scale;
      r.limit = std::fabs(v->min_effect) * scale;
      r.worse_sign = v->better == results::Better::kHigher ? -1 : 1;
      r.color = std::string(verdict_color(v->verdict));
      r.tooltip = shorten(verdict_message(*v), 600);
      r.value_text = r.has_estimate ? format_change(*v) + " " + format_ci(*v)
                                    : std::string(verdict_label(v->verdict));
      f.rows.push_back(std::move(r));
    }
    out << figure(svg::forest_plot(f),
                  ratio ? "Relative change with " + format_level(rows.front()->ci_level) + " CI"
                        : "Absolute change (" + html_escape(axis_unit) + ") with " +
                              format_level(rows.front()->ci_level) + " CI",
                  "hover a row for the gate's reasoning", true);
  }
  if (!unplotted.empty()) {
    out << "<ul class=\"muted\">\n";
    for (const auto* v : unplotted) {
      out << fmt::format("<li>{} {}: {}{}</li>\n", esc(v->metric), better_symbol(v->better),
                         verdict_label(v->verdict),
                         v->reason.empty() ? "" : " — " + esc(v->reason, 300));
    }
    out << "</ul>\n";
  }
}

// Whole runs (launch to shutdown) per scenario, from RunRecord.traces.
void Page::scenario_sections(std::ostream& out) const {
  std::vector<std::string> scenarios;
  for (const auto& r : m_.results.runs) {
    if (!r.traces.empty() &&
        std::find(scenarios.begin(), scenarios.end(), r.scenario) == scenarios.end()) {
      scenarios.push_back(r.scenario);
    }
  }
  for (std::size_t si = 0; si < scenarios.size(); ++si) {
    const auto& sc = scenarios[si];
    out << fmt::format("<section id=\"scenario-{}\">\n<h2>Whole runs: {}</h2>\n", si, esc(sc));
    out << "<p class=\"muted\">From launch to shutdown (start-up, warm-up, every load period "
           "and the pauses between them).</p>\n";
    // Start-up table, when measured.
    if (const Cell* c = m_.find_cell(sc); c && c->per_run) {
      out << "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">app</th><th "
             "scope=\"col\" class=\"num\">start-up ms</th><th scope=\"col\" class=\"num\">idle "
             "RSS MiB</th><th scope=\"col\" class=\"num\">good</th></tr></thead><tbody>\n";
      for (const auto& ac : c->apps) {
        const Stat* t = ac.stat("startup_time");
        const Stat* rs = ac.stat("idle_rss");
        out << fmt::format(
            "<tr><td class=\"name\">{}</td><td class=\"num\">{}</td><td "
            "class=\"num\">{}</td><td class=\"num\">{}/{}</td></tr>\n",
            esc(ac.app),
            t ? html_escape(format_median_range(t->median, t->min, t->max, t->values.size(), 1e3))
              : "–",
            rs ? html_escape(
                     format_median_range(rs->median, rs->min, rs->max, rs->values.size(), 1 / kMiB))
               : "–",
            ac.good, ac.total);
      }
      out << "</tbody></table></div>\n";
    }
    out << "<div class=\"charts\">\n";
    for (const auto& [series, title, ylabel, scale] :
         std::vector<std::tuple<std::string, std::string, std::string, double>>{
             {"rss_total", "RSS (total)", "RSS (MiB)", 1 / kMiB},
             {"cpu_percent", "CPU", "CPU (%, 100 = one core)", 1.0}}) {
      svg::LineChart c;
      c.id = fmt::format("scenario-{}-{}", si, series == "rss_total" ? "rss" : "cpu");
      c.title = title + " over whole runs: " + shorten(sc, 80);
      c.description =
          "From launch to shutdown: per app the median of its runs with their min–max band; "
          "runs that did not end ok dashed.";
      c.x.label = "time since launch (s)";
      c.y.label = ylabel;
      c.y.include_zero = true;
      std::vector<html_charts::RunPoints> runs;
      for (const auto& r : m_.results.runs) {
        if (r.scenario != sc || r.traces.empty()) continue;
        auto it = r.traces.series.find(series);
        if (it == r.traces.series.end()) continue;
        html_charts::RunPoints p{r.app,
                                 fmt::format("{} #{}{}", shorten(r.app, 60), r.iteration,
                                             r.status == "ok" ? "" : " (" + r.status + ")"),
                                 r.status == "ok",
                                 {}};
        for (std::size_t i = 0; i < it->second.size() && i < r.traces.t.size(); ++i) {
          p.points.push_back({r.traces.t[i], it->second[i] * scale});
        }
        runs.push_back(std::move(p));
      }
      c.series = html_charts::median_and_band(
          runs, [this](const std::string& app) { return color(app); }, false);
      out << figure(svg::line_chart(c), title, "launch to shutdown, median and range of the runs");
    }
    out << "</div>\n</section>\n";
  }
}

}  // namespace benchgate::report::html_page
