#include "report/html.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/histogram.h"
#include "core/parse.h"
#include "core/text.h"
#include "report/format.h"
#include "report/svg.h"

namespace benchgate::report {

using gate::MetricVerdict;
using gate::Verdict;
using results::RunRecord;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

constexpr std::string_view kPalette[] = {"#1f6fb4", "#e8710a", "#2e8b57", "#b0358c",
                                         "#6a5acd", "#8c6d1f", "#17a2b8", "#d6336c"};
constexpr std::string_view kProcessPalette[] = {"#1f6fb4", "#e8710a", "#2e8b57", "#b0358c",
                                                "#6a5acd", "#8c6d1f", "#17a2b8", "#d6336c",
                                                "#5f6b7a", "#9c27b0"};

std::string_view verdict_color(Verdict v) {
  switch (v) {
    case Verdict::kRegressed:
      return "#cf222e";
    case Verdict::kError:
      return "#a40e26";
    case Verdict::kNotComparable:
      return "#6e7781";
    case Verdict::kInconclusive:
      return "#8250df";
    case Verdict::kWarn:
      return "#bf8700";
    case Verdict::kImproved:
      return "#1a7f37";
    case Verdict::kUnchanged:
    case Verdict::kChanged:
      return "#57606a";
  }
  return "#57606a";
}

constexpr std::string_view kCss = R"CSS(
:root { --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --soft: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, nav, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 22px; margin: 0 0 6px; word-break: break-word; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--border);
  word-break: break-word; }
h3 { font-size: 15px; margin: 18px 0 8px; }
a { color: var(--accent); }
.status { display: inline-block; font-weight: 600; font-size: 15px; padding: 3px 10px; border-radius: 12px;
  background: var(--soft); border: 1px solid var(--border); }
.status.regressed, .status.run_failed, .status.partial { background: #ffebe9; border-color: #ffcecb; color: #a40e26; }
.status.pass { background: #dafbe1; border-color: #aceebb; color: #116329; }
.status.undecided, .status.interrupted { background: #fff8c5; border-color: #f2e1a0; color: #7d4e00; }
.counts { margin: 8px 0 0; font-size: 15px; }
.meta, .muted { color: var(--muted); }
nav { margin-top: 12px; }
nav ol { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 6px 14px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { padding: 4px 9px; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { max-width: 28em; word-break: break-word; }
.table-wrap { overflow-x: auto; }
.badge { display: inline-block; min-width: 6.5em; padding: 0 6px; border-radius: 10px; font-size: 12px;
  font-weight: 600; color: #fff; text-align: center; white-space: nowrap; }
tr.v-unchanged td { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(500px, 1fr)); gap: 14px; }
figure { margin: 0; border: 1px solid var(--border); border-radius: 6px; padding: 10px 10px 4px; background: #fff; }
figure.wide { grid-column: 1 / -1; }
figcaption { font-weight: 600; margin-bottom: 4px; }
figcaption .muted { font-weight: 400; }
svg.chart { display: block; width: 100%; height: auto; font-size: 12px; font-family: inherit; }
svg.chart text { fill: #59636e; }
svg.chart .axis-label { fill: #1f2328; font-weight: 600; }
svg.chart .grid line { stroke: #eef1f4; }
svg.chart .axis line { stroke: #8c959f; }
svg.chart .axis .zero { stroke: #59636e; stroke-dasharray: 3 3; }
svg.chart .frame { fill: none; stroke: var(--border); }
svg.chart .nodata { fill: #8c959f; font-style: italic; }
svg.chart .legend-item { cursor: pointer; }
svg.chart .legend-item text { fill: #1f2328; }
svg.chart .legend-item.off { opacity: .35; }
svg.chart .series.hidden { display: none; }
svg.chart .band { fill: #e3e9ef; }
svg.chart .worse { fill: #fde4e4; }
svg.chart .stripe { fill: #fafbfc; }
svg.chart .ci { stroke: #59636e; stroke-width: 2.2; }
svg.chart .cap { stroke-width: 1.6; }
svg.chart .est { fill: #59636e; stroke: #fff; stroke-width: 1; }
svg.chart .label { fill: #1f2328; font-weight: 600; }
svg.chart .sublabel { font-size: 11px; }
svg.chart .value { fill: #1f2328; font-variant-numeric: tabular-nums; }
pre { background: var(--soft); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px;
  overflow: auto; max-height: 22em; font-size: 12px; white-space: pre-wrap; word-break: break-all; }
.problem { border-left: 4px solid #cf222e; padding: 2px 0 2px 12px; margin: 10px 0; }
.problem.invalid { border-left-color: #bf8700; }
dl.env { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 6px 0; }
dl.env dt { color: var(--muted); }
dl.env dd { margin: 0; word-break: break-word; }
details summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
footer { margin: 32px auto 24px; color: var(--muted); font-size: 12px; }
@media print { nav, svg.chart .legend-item title { display: none; } figure { break-inside: avoid; } }
)CSS";

// Optional nicety: click or press Enter on a legend entry to hide or show its series.
constexpr std::string_view kScript = R"JS(
(function () {
  function toggle(item) {
    var svg = item.closest('svg');
    var group = item.getAttribute('data-group');
    var off = item.classList.toggle('off');
    item.setAttribute('aria-pressed', off ? 'false' : 'true');
    svg.querySelectorAll('.series').forEach(function (s) {
      if (s.getAttribute('data-group') === group) s.classList.toggle('hidden', off);
    });
  }
  document.querySelectorAll('svg.chart .legend-item').forEach(function (item) {
    item.addEventListener('click', function () { toggle(item); });
    item.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(item); }
    });
  });
})();
)JS";

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

class Page {
 public:
  Page(const ReportModel& m, const HtmlOptions& o) : m_(m), o_(o) {
    // One colour per app, baseline blue and candidate orange.
    std::vector<std::string> apps;
    for (const auto& c : m_.cells) {
      for (const auto& a : c.apps) {
        if (a.role == "baseline" && !color_.count(a.app)) color_[a.app] = std::string(kPalette[0]);
      }
    }
    for (const auto& c : m_.cells) {
      for (const auto& a : c.apps) {
        if (a.role == "candidate" && !color_.count(a.app)) color_[a.app] = std::string(kPalette[1]);
      }
    }
    std::size_t next = 2;
    for (const auto& r : m_.results.runs) {
      if (!color_.count(r.app)) color_[r.app] = std::string(kPalette[next++ % std::size(kPalette)]);
    }
    for (std::size_t i = 0; i < m_.cells.size(); ++i)
      cell_id_[m_.cells[i].key] = i;
  }

  void write(std::ostream& out) {
    out << "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
        << "<meta charset=\"utf-8\"/>\n"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"/>\n"
        << "<meta name=\"generator\" content=\"benchgate " << esc(m_.results.tool_version, 40)
        << "\"/>\n"
        << "<title>benchgate: " << esc(m_.suite) << " — " << status_text() << "</title>\n"
        << "<style>" << kCss << "</style>\n</head>\n<body>\n";
    header(out);
    nav(out);
    out << "<main>\n";
    if (m_.gate) {
      verdicts(out);
    } else {
      results_section(out);
    }
    for (std::size_t i = 0; i < m_.cells.size(); ++i) {
      if (!m_.cells[i].per_run) cell_section(out, i);
    }
    scenario_sections(out);
    problems(out);
    notes(out);
    environment(out);
    out << "</main>\n<footer>Generated by benchgate " << esc(m_.results.tool_version, 40)
        << " from " << esc(m_.files.results)
        << ". Every chart is inline SVG: this page loads nothing from the network and is "
           "complete without JavaScript (which only lets you hide series by clicking their "
           "legend).</footer>\n";
    out << "<script>//<![CDATA[" << kScript << "//]]></script>\n</body>\n</html>\n";
  }

 private:
  std::string esc(std::string_view s, std::size_t max = 0) const {
    return html_escape(shorten(s, max ? max : o_.max_name));
  }

  std::string color(const std::string& app) const {
    auto it = color_.find(app);
    return it == color_.end() ? std::string(kPalette[0]) : it->second;
  }

  std::string cell_anchor(const std::string& key) const {
    auto it = cell_id_.find(key);
    return it == cell_id_.end() ? "" : fmt::format("cell-{}", it->second);
  }

  // The outcome (gate/outcome.h) decides the pill: green only for a pass.
  std::string status_text() const { return esc(m_.outcome.headline(), 600); }

  void header(std::ostream& out) const {
    out << "<header>\n<h1>benchgate report: " << esc(m_.suite) << "</h1>\n";
    out << "<p><span class=\"status " << m_.status() << "\">" << status_text() << "</span></p>\n";
    if (m_.gate) {
      std::vector<std::string> parts;
      for (Verdict v : verdicts_in_order()) {
        const int n = m_.count(v);
        if (n > 0 || v == Verdict::kRegressed) {
          parts.push_back(fmt::format("{} {} {}", verdict_emoji(v), n, verdict_label(v)));
        }
      }
      if (const int info = m_.outcome.tally.informational; info > 0) {
        parts.push_back(fmt::format("ℹ️ {} informational (not gated)", info));
      }
      out << "<p class=\"counts\">" << esc(fmt::format("{}", fmt::join(parts, " · ")), 2000)
          << "</p>\n";
    }
    std::vector<std::string> meta;
    if (m_.gate) {
      std::string cand, base;
      int n = 0;
      for (const auto& v : m_.gate->verdicts) {
        if (cand.empty()) cand = v.app;
        if (base.empty()) base = v.baseline_label;
        n = std::max(n, v.n_current);
      }
      if (base.empty()) base = m_.gate->baseline_source;
      if (m_.gate->mode == "ab") {
        meta.push_back(
            fmt::format("A/B gate: <strong>{}</strong> vs baseline <strong>{}</strong>, "
                        "{} interleaved pairs",
                        esc(cand), esc(base), n));
      } else {
        meta.push_back(fmt::format("{} gate: <strong>{}</strong> vs <strong>{}</strong>",
                                   esc(m_.gate->mode), esc(cand), esc(base)));
      }
    }
    meta.push_back(fmt::format("{} runs", m_.results.runs.size()));
    if (!m_.results.started_at.empty()) meta.push_back("started " + esc(m_.results.started_at, 40));
    if (!m_.results.finished_at.empty()) {
      meta.push_back("finished " + esc(m_.results.finished_at, 40));
    }
    if (m_.results.status != "complete") meta.push_back("status " + esc(m_.results.status, 40));
    out << "<p class=\"meta\">" << fmt::format("{}", fmt::join(meta, " · ")) << "</p>\n";
    if (m_.gate && !m_.gate->testbed_match) {
      out << "<p class=\"problem invalid\">The baseline was measured on a different testbed (CPU, "
             "core count, kernel or build type): its numbers are not comparable with these.</p>\n";
    }
    out << "</header>\n";
  }

  void nav(std::ostream& out) const {
    out << "<nav aria-label=\"Contents\"><ol>\n";
    out << (m_.gate ? "<li><a href=\"#verdicts\">Verdicts</a></li>\n"
                    : "<li><a href=\"#results\">Results</a></li>\n");
    for (std::size_t i = 0; i < m_.cells.size(); ++i) {
      if (m_.cells[i].per_run) continue;
      out << fmt::format("<li><a href=\"#cell-{}\">{}</a></li>\n", i, esc(m_.cells[i].key, 60));
    }
    if (!m_.problems.empty()) out << "<li><a href=\"#problems\">Failed runs</a></li>\n";
    out << "<li><a href=\"#environment\">Environment</a></li>\n</ol></nav>\n";
  }

  // --- verdicts ----------------------------------------------------------------------------

  void verdict_rows(std::ostream& out, const std::vector<std::size_t>& idx, bool cell_col) const {
    const auto& vs = m_.gate->verdicts;
    const std::string level = format_level(vs.empty() ? 0.95 : vs.front().ci_level);
    out << "<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">status</th>"
           "<th scope=\"col\">app</th>"
        << (cell_col ? "<th scope=\"col\">cell</th>" : "")
        << "<th scope=\"col\">metric</th><th scope=\"col\" class=\"num\">baseline</th>"
           "<th scope=\"col\" class=\"num\">current</th><th scope=\"col\" "
           "class=\"num\">change</th><th scope=\"col\" class=\"num\">"
        << level
        << " CI</th><th scope=\"col\" class=\"num\">limit</th><th scope=\"col\" class=\"num\" "
           "title=\"Holm-adjusted one-sided p for gated tests; raw marks the unadjusted p of an "
           "informational row\">p</th><th scope=\"col\" class=\"num\">n</th><th "
           "scope=\"col\">why</th></tr>"
           "</thead>\n<tbody>\n";
    for (std::size_t i : idx) {
      const auto& v = vs[i];
      const bool est = has_estimate(v);
      out << fmt::format(
          "<tr class=\"v-{}\"><td><span class=\"badge\" "
          "style=\"background:{}\">{}</span></td><td class=\"name\">{}</td>",
          verdict_key(v.verdict), v.gated ? verdict_color(v.verdict) : "#8c959f",
          html_escape(shown_verdict(v)), esc(v.app));
      if (cell_col) {
        const std::string anchor = cell_anchor(v.cell);
        out << "<td class=\"name\">"
            << (anchor.empty() ? esc(v.cell)
                               : fmt::format("<a href=\"#{}\">{}</a>", anchor, esc(v.cell)))
            << "</td>";
      }
      out << fmt::format(
          "<td class=\"name\" title=\"{}\">{} {}</td><td class=\"num\">{}</td><td "
          "class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
          "class=\"num\">{}</td><td class=\"num\">{}</td><td "
          "class=\"num\">{}</td><td>{}</td></tr>\n",
          html_escape(results::better_arrow(v.better)), esc(v.metric), better_symbol(v.better),
          html_escape(format_value(v.baseline, v.unit)),
          html_escape(format_value(v.current, v.unit)), est ? html_escape(format_change(v)) : "–",
          est ? html_escape(format_ci(v)) : "–", est ? html_escape(format_limit(v)) : "–",
          est ? html_escape(shown_p(v)) : "–",
          v.n_baseline || v.n_current ? fmt::format("{}/{}", v.n_baseline, v.n_current) : "–",
          esc(v.reason, 300));
    }
    out << "</tbody></table></div>\n";
  }

  void verdicts(std::ostream& out) const {
    out << "<section id=\"verdicts\">\n<h2>Verdicts</h2>\n";
    if (m_.gate->verdicts.empty()) {
      out << "<p>No metric could be compared.</p>\n</section>\n";
      return;
    }
    out << "<p class=\"muted\">Worst first. ↑ higher is better, ↓ lower is better; change and "
           "CI are the Hodges–Lehmann estimate of candidate vs baseline; limit is the smallest "
           "change in the worse direction that can count as a regression; n = baseline/current "
           "samples.</p>\n";
    verdict_rows(out, m_.ranked, true);
    out << "</section>\n";
  }

  void results_table(std::ostream& out, const Cell* only) const {
    out << "<div class=\"table-wrap\"><table>\n<thead><tr>"
        << (only ? "" : "<th scope=\"col\">cell</th>") << "<th scope=\"col\">app</th>";
    for (const auto& c : result_columns()) {
      out << "<th scope=\"col\" class=\"num\">" << html_escape(c.header) << "</th>";
    }
    out << "<th scope=\"col\" class=\"num\">good</th></tr></thead>\n<tbody>\n";
    for (const auto& cell : m_.cells) {
      if (cell.per_run || (only && &cell != only)) continue;
      for (const auto& ac : cell.apps) {
        out << "<tr>";
        if (!only) {
          out << fmt::format("<td class=\"name\"><a href=\"#{}\">{}</a></td>",
                             cell_anchor(cell.key), esc(cell.key));
        }
        out << fmt::format("<td class=\"name\"><span style=\"color:{}\">■</span> {}</td>",
                           color(ac.app), esc(ac.app));
        for (const auto& col : result_columns()) {
          const Stat* s = ac.stat(col.metric);
          out << "<td class=\"num\">"
              << (s ? html_escape(format_median_range(s->median, s->min, s->max, s->values.size(),
                                                      col.scale))
                    : "–")
              << "</td>";
        }
        out << fmt::format("<td class=\"num\">{}/{}</td></tr>\n", ac.good, ac.total);
      }
    }
    out << "</tbody></table></div>\n";
  }

  void results_section(std::ostream& out) const {
    out << "<section id=\"results\">\n<h2>Results</h2>\n<p class=\"muted\">Not gated. Median "
           "(min–max) over the good iterations of each app.</p>\n";
    results_table(out, nullptr);
    out << "</section>\n";
  }

  // --- per cell ----------------------------------------------------------------------------

  struct RunView {
    const RunRecord* run;
    const results::PeriodResult* period;
    std::string app;
    bool good;
  };

  std::vector<RunView> runs_of(const Cell& cell) const {
    std::vector<RunView> out;
    for (const auto& ac : cell.apps) {
      for (const auto& ref : ac.refs) {
        const auto& run = m_.results.runs[ref.run];
        if (ref.period < 0) continue;
        const auto& p = run.periods[static_cast<std::size_t>(ref.period)];
        out.push_back({&run, &p, ac.app, run.status == "ok" && p.status == "ok"});
      }
    }
    return out;
  }

  std::string run_name(const RunView& r) const {
    return fmt::format("{} #{}{}", shorten(r.app, 60), r.run->iteration,
                       r.good ? "" : " (" + r.period->status + ")");
  }

  static std::string figure(const std::string& svg_text, const std::string& caption,
                            const std::string& note, bool wide = false) {
    return fmt::format("<figure{}><figcaption>{}{}</figcaption>\n{}</figure>\n",
                       wide ? " class=\"wide\"" : "", caption,
                       note.empty() ? "" : " <span class=\"muted\">" + note + "</span>", svg_text);
  }

  void cell_section(std::ostream& out, std::size_t index) {
    const Cell& cell = m_.cells[index];
    const std::string id = fmt::format("cell-{}", index);
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
    const auto runs = runs_of(cell);
    out << "<div class=\"charts\">\n";
    out << throughput_chart(id, cell, runs);
    out << trace_chart(id + "-cpu", cell, runs, "cpu_percent", "CPU",
                       "user + system, all app processes", "CPU (%, 100 = one core)", 1);
    out << trace_chart(id + "-rss", cell, runs, "rss_total", "RSS (total)",
                       "summed over the app's processes", "RSS (MiB)", 1 / kMiB);
    out << process_rss_chart(id + "-proc", cell, runs);
    out << latency_chart(id + "-lat", cell, runs);
    out << "</div>\n";
    if (m_.gate) {
      const auto vs = m_.verdicts_for(cell.key);
      if (!vs.empty()) {
        out << "<h3>Baseline vs candidate</h3>\n";
        forest(out, id, cell, vs);
      }
    }
    out << "</section>\n";
  }

  std::string throughput_chart(const std::string& id, const Cell& cell,
                               const std::vector<RunView>& runs) const {
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

  std::string trace_chart(const std::string& id, const Cell& cell, const std::vector<RunView>& runs,
                          const std::string& series, const std::string& caption,
                          const std::string& what, const std::string& ylabel, double scale) const {
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
  std::string process_rss_chart(const std::string& id, const Cell& cell,
                                const std::vector<RunView>& runs) const {
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
        svg::Series s{label,
                      std::string(kProcessPalette[color_index++ % std::size(kProcessPalette)]),
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

  std::string latency_chart(const std::string& id, const Cell& cell,
                            const std::vector<RunView>& runs) const {
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
          for (double p :
               {50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999}) {
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

  void forest(std::ostream& out, const std::string& id, const Cell& cell,
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
  void scenario_sections(std::ostream& out) const {
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
              rs ? html_escape(format_median_range(rs->median, rs->min, rs->max, rs->values.size(),
                                                   1 / kMiB))
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
        c.description = "One line per run, from launch to shutdown, coloured by app.";
        c.x.label = "time since launch (s)";
        c.y.label = ylabel;
        c.y.include_zero = true;
        for (const auto& r : m_.results.runs) {
          if (r.scenario != sc || r.traces.empty()) continue;
          auto it = r.traces.series.find(series);
          if (it == r.traces.series.end()) continue;
          svg::Series s{r.app, color(r.app),
                        fmt::format("{} #{}{}", shorten(r.app, 60), r.iteration,
                                    r.status == "ok" ? "" : " (" + r.status + ")")};
          s.dashed = r.status != "ok";
          for (std::size_t i = 0; i < it->second.size() && i < r.traces.t.size(); ++i) {
            s.points.push_back({r.traces.t[i], it->second[i] * scale});
          }
          c.series.push_back(std::move(s));
        }
        out << figure(svg::line_chart(c), title, "every run, launch to shutdown");
      }
      out << "</div>\n</section>\n";
    }
  }

  // --- problems, notes, environment --------------------------------------------------------

  std::string link(const std::string& path) const {
    // Relative artifact paths only (no scheme, not absolute): they sit beside this file.
    const bool relative = !path.empty() && path.find(':') == std::string::npos &&
                          path.front() != '/' && path.front() != '\\';
    if (!relative) return esc(path, 300);
    std::string href;
    for (unsigned char ch : one_line(path)) {
      if (ch <= 0x20 || ch >= 0x7F || ch == '"' || ch == '\'' || ch == '<' || ch == '>' ||
          ch == '#' || ch == '?' || ch == '%' || ch == '\\' || ch == '`') {
        href += fmt::format("%{:02X}", ch);
      } else {
        href += static_cast<char>(ch);
      }
    }
    return fmt::format("<a href=\"{}\">{}</a>", html_escape(href), esc(path, 300));
  }

  void problems(std::ostream& out) const {
    if (m_.problems.empty()) return;
    out << "<section id=\"problems\">\n<h2>Failed and excluded runs</h2>\n<p "
           "class=\"muted\">Failed and skipped runs (a run with an invalid load point failed) "
           "are excluded from the statistics and make benchgate exit with 4.</p>\n";
    for (const auto& p : m_.problems) {
      const auto& run = m_.results.runs[p.run];
      out << fmt::format(
          "<div class=\"problem{}\"><p><strong>{}</strong> · {} · iteration {} · "
          "<strong>{}</strong>"
          "{}</p>\n<p>{}</p>\n",
          p.is_error() ? "" : " invalid", esc(p.app), esc(p.cell), p.iteration, esc(p.status, 40),
          run.id.empty() ? "" : " · run " + esc(run.id, 80), esc(p.reason, 2000));
      if (!run.termination.description.empty()) {
        out << "<p class=\"muted\">termination: " << esc(run.termination.description, 300)
            << "</p>\n";
      }
      if (!p.log_path.empty()) out << "<p>log: " << link(p.log_path) << "</p>\n";
      if (!p.log_tail.empty()) {
        out << "<pre>" << html_escape(shorten(p.log_tail, 8000)) << "</pre>\n";
      }
      out << "</div>\n";
    }
    out << "</section>\n";
  }

  void notes(std::ostream& out) const {
    std::vector<std::string> items;
    if (m_.gate) items.insert(items.end(), m_.gate->notes.begin(), m_.gate->notes.end());
    items.insert(items.end(), m_.results.warnings.begin(), m_.results.warnings.end());
    if (items.empty()) return;
    out << "<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n";
    for (const auto& n : items)
      out << "<li>" << esc(n, 1000) << "</li>\n";
    out << "</ul>\n</section>\n";
  }

  void environment(std::ostream& out) const {
    out << "<section id=\"environment\">\n<h2>Environment</h2>\n<dl class=\"env\">\n";
    for (const auto& [k, v] : m_.environment) {
      out << "<dt>" << esc(k, 80) << "</dt><dd>" << esc(v, 500) << "</dd>\n";
    }
    if (const auto url = safe_url(m_.run_url); !url.empty()) {
      out << "<dt>CI run</dt><dd><a href=\"" << html_escape(url) << "\">" << esc(m_.run_url, 300)
          << "</a></dd>\n";
    }
    out << "</dl>\n";
    if (!m_.artifacts.empty()) {
      out << "<h3>Artifacts</h3>\n<ul>\n";
      for (const auto& a : m_.artifacts) {
        out << "<li>" << esc(a.label, 200) << ": " << link(a.path)
            << (a.description.empty() ? "" : " — " + esc(a.description, 300)) << "</li>\n";
      }
      out << "</ul>\n";
    }
    // Execution order: the interleaving is part of the method.
    if (!m_.results.runs.empty()) {
      out << fmt::format(
          "<details><summary>All {} runs in execution order{}</summary>\n", m_.results.runs.size(),
          m_.results.order.seed ? fmt::format(" (seed {})", m_.results.order.seed) : "");
      out << "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\" class=\"num\">#</th>"
             "<th scope=\"col\">run</th><th scope=\"col\">app</th><th scope=\"col\">scenario</th>"
             "<th scope=\"col\" class=\"num\">iteration</th><th scope=\"col\">status</th><th "
             "scope=\"col\" class=\"num\">elapsed</th></tr></thead><tbody>\n";
      std::vector<const RunRecord*> runs;
      for (const auto& r : m_.results.runs)
        runs.push_back(&r);
      std::stable_sort(runs.begin(), runs.end(),
                       [](const auto* a, const auto* b) { return a->sequence < b->sequence; });
      for (const auto* r : runs) {
        out << fmt::format(
            "<tr><td class=\"num\">{}</td><td class=\"name\">{}</td><td class=\"name\">{}</td><td "
            "class=\"name\">{}</td><td class=\"num\">{}</td><td>{}</td><td "
            "class=\"num\">{}</td></tr>\n",
            r->sequence + 1, esc(r->id, 80), esc(r->app), esc(r->scenario), r->iteration,
            esc(r->status, 40), html_escape(format_seconds(r->elapsed_s)));
      }
      out << "</tbody></table></div>\n</details>\n";
    }
    out << "</section>\n";
  }

  const ReportModel& m_;
  const HtmlOptions& o_;
  std::map<std::string, std::string> color_;
  std::map<std::string, std::size_t> cell_id_;
};

}  // namespace

void write_html(const ReportModel& model, std::ostream& out, const HtmlOptions& options) {
  Page(model, options).write(out);
}

}  // namespace benchgate::report
