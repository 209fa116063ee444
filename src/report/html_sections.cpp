// report.html: load scaling charts, the regressions block and the history chart (Page,
// html_page.h).

#include "report/html_page.h"

namespace benchgate::report::html_page {

// Scenarios with more than one load point, in order of appearance.
std::vector<Page::ScalingGroup> Page::scaling_groups() const {
  std::vector<ScalingGroup> groups;
  for (const auto& c : m_.cells) {
    if (c.per_run) continue;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.scenario == c.scenario; });
    if (it == groups.end()) {
      groups.push_back({c.scenario, {&c}});
    } else {
      it->cells.push_back(&c);
    }
  }
  std::erase_if(groups, [](const ScalingGroup& g) { return g.cells.size() < 2; });
  for (auto& g : groups) {
    std::set<double> rates;
    for (const auto* c : g.cells)
      rates.insert(c->point.rate);
    g.by_rate = rates.size() > 1 && !rates.count(0.0);
  }
  return groups;
}

// One scaling chart: `metric` (median, min–max band) of each app against the load.
std::string Page::scaling_chart(const ScalingGroup& g, std::size_t gi, const std::string& metric,
                                double scale, const std::string& ylabel) const {
  // Series: per app, and per client count (open loop) or rate (closed loop at several
  // rates) when the other dimension has more than one value.
  std::set<double> other;
  for (const auto* c : g.cells)
    other.insert(g.by_rate ? c->point.clients : c->point.rate);
  std::vector<std::pair<std::string, double>> keys;  // (app, other value)
  for (const auto* c : g.cells) {
    for (const auto& ac : c->apps) {
      const std::pair<std::string, double> k{ac.app, g.by_rate ? c->point.clients : c->point.rate};
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  svg::LineChart ch;
  ch.id = fmt::format("scaling-{}-{}", gi, metric == "throughput" ? "tput" : "p99");
  ch.title =
      fmt::format("{} against the {}: {}", metric == "throughput" ? "Throughput" : "p99 latency",
                  g.by_rate ? "target rate" : "number of clients", shorten(g.scenario, 80));
  ch.description =
      "Per app, the median over its good iterations at each load point (markers) with the "
      "min–max band; a red ring marks a load point where the app regressed.";
  ch.x.label = g.by_rate ? "target rate (req/s)" : "clients (connections)";
  ch.y.label = ylabel;
  std::set<double> xs;
  double ylo = 1e300, yhi = 0;
  std::size_t dash = 0;
  for (const auto& [app, o] : keys) {
    svg::Series s{app, color(app), app};
    if (other.size() > 1) {
      const std::string suffix =
          g.by_rate ? fmt::format(" c={}", static_cast<int>(o)) : fmt::format(" r={:g}", o);
      s.legend = app + suffix;
      s.tooltip = s.legend;
      s.dashed = dash++ % 2 == 1;
    }
    s.markers = true;
    s.width = 2;
    std::vector<std::pair<double, const Cell*>> pts;
    for (const auto* c : g.cells) {
      if ((g.by_rate ? c->point.clients : c->point.rate) != o) continue;
      pts.emplace_back(g.by_rate ? c->point.rate : c->point.clients, c);
    }
    std::sort(pts.begin(), pts.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [x, c] : pts) {
      const AppCell* ac = nullptr;
      for (const auto& a : c->apps) {
        if (a.app == app) ac = &a;
      }
      const Stat* st = ac ? ac->stat(metric) : nullptr;
      if (!st || st->values.empty() || !std::isfinite(st->median)) continue;
      s.points.push_back({x, st->median * scale});
      s.band.emplace_back(st->min * scale, st->max * scale);
      const bool reg = regressed(app, c->key);
      s.point_titles.push_back(fmt::format(
          "{} · {}: {}{} (min–max {}–{}, {} good run{}){}", shorten(app, 60), shorten(c->key, 80),
          svg::compact(st->median * scale), metric == "throughput" ? " req/s" : " ms",
          svg::compact(st->min * scale), svg::compact(st->max * scale), st->values.size(),
          st->values.size() == 1 ? "" : "s", reg ? " · regressed" : ""));
      if (reg) s.rings.push_back(s.points.size() - 1);
      xs.insert(x);
      if (st->median * scale > 0) {
        ylo = std::min(ylo, st->min * scale);
        yhi = std::max(yhi, st->max * scale);
      }
    }
    if (!s.points.empty()) ch.series.push_back(std::move(s));
  }
  if (xs.empty()) return "";
  // A log x axis when the load points span a factor of 4 or more (1, 2, 4 … 256 clients).
  ch.x.log = *xs.begin() > 0 && *xs.rbegin() / *xs.begin() >= 4;
  std::size_t step = (xs.size() + 9) / 10;  // at most about ten labelled ticks
  std::size_t i = 0;
  for (double x : xs) {
    if (i++ % step == 0 || x == *xs.rbegin()) ch.x.ticks.emplace_back(x, svg::compact(x));
  }
  if (metric == "throughput") {
    ch.y.include_zero = true;
  } else {
    ch.y.log = ylo > 0 && yhi / ylo > 20;
    ch.y.include_zero = !ch.y.log;
  }
  return figure(svg::line_chart(ch), metric == "throughput" ? "Throughput" : "p99 latency",
                fmt::format("against the {}, median and range", g.by_rate ? "rate" : "clients"));
}

void Page::scaling(std::ostream& out) const {
  const auto groups = scaling_groups();
  if (groups.empty()) return;
  out << "<section id=\"scaling\">\n<h2>Load scaling</h2>\n<p class=\"muted\">How each "
         "scenario's throughput and p99 latency change with the load: per app the median over "
         "its good iterations at each load point, with the min–max band. Hover a marker for "
         "its numbers.</p>\n";
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    const auto& g = groups[gi];
    const std::string tput = scaling_chart(g, gi, "throughput", 1, "throughput (req/s)");
    const std::string p99 = scaling_chart(g, gi, "latency_p99", 1e3, "p99 latency (ms)");
    if (tput.empty() && p99.empty()) continue;
    out << "<h3>" << esc(g.scenario) << "</h3>\n<div class=\"charts\">\n"
        << tput << p99 << "</div>\n";
  }
  out << "</section>\n";
}

// Cells with a gated regression, worst first, each with its regressed rows, its change
// estimates and its throughput and latency charts (not repeated in the cell's section).
void Page::regressions(std::ostream& out) {
  std::vector<std::string> cells;
  std::map<std::string, std::vector<std::size_t>> rows;
  for (std::size_t i : m_.ranked) {
    const auto& v = m_.gate->verdicts[i];
    if (!v.gated || v.verdict != Verdict::kRegressed) continue;
    if (!rows.count(v.cell)) cells.push_back(v.cell);
    rows[v.cell].push_back(i);
  }
  out << "<section id=\"regressions\">\n<h2>Regressions</h2>\n";
  if (cells.empty()) {
    out << "<p>No gated metric regressed.";
    const int other = m_.count(Verdict::kError) + m_.count(Verdict::kInconclusive) +
                      m_.count(Verdict::kNotComparable);
    if (other > 0 || m_.failed_runs() > 0) {
      out << " The headline above and the table below say what else was not decided.";
    }
    out << "</p>\n</section>\n";
    return;
  }
  const int n = m_.count(Verdict::kRegressed);
  out << fmt::format(
      "<p class=\"muted\">{} gated metric{} regressed in {} cell{}, worst first: the regressed "
      "rows, the change of every metric of the cell with its confidence interval, and the "
      "cell's throughput and latency.</p>\n",
      n, n == 1 ? "" : "s", cells.size(), cells.size() == 1 ? "" : "s");
  const html_charts::ColorOf color_of = [this](const std::string& app) { return color(app); };
  for (const auto& key : cells) {
    const std::string anchor = cell_anchor(key);
    const std::string id =
        "reg-" + (anchor.empty() ? std::to_string(in_regressions_.size()) : anchor.substr(5));
    out << fmt::format(
        "<div class=\"regression\" id=\"{}\">\n<h3>{}</h3>\n", id,
        anchor.empty() ? esc(key) : fmt::format("<a href=\"#{}\">{}</a>", anchor, esc(key)));
    verdict_rows(out, rows[key], false);
    if (const Cell* c = m_.find_cell(key)) {
      forest(out, id, *c, m_.verdicts_for(key));
      const auto runs = runs_of(*c);
      out << "<div class=\"charts\">\n"
          << html_charts::throughput_chart(id, *c, color_of, runs)
          << html_charts::latency_chart(id + "-lat", *c, color_of, runs) << "</div>\n";
      in_regressions_[key] = id;
    }
    out << "</div>\n";
  }
  out << "</section>\n";
}

// Throughput and p99 of each scenario over the stored baseline's history, the baseline
// itself and this run: one line per load point.
void Page::history(std::ostream& out) const {
  const auto& h = m_.gate->history;
  if (h.empty()) return;
  out << fmt::format(
      "<section id=\"history\">\n<h2>History</h2>\n<p class=\"muted\">The median of each "
      "load point in each of the {} stored baseline{} (oldest left; the newest is the one "
      "this run was gated against), then in this run (right). Hover a marker for its date "
      "and commit.</p>\n",
      h.size(), h.size() == 1 ? "" : "s");
  std::vector<std::string> scenarios;
  for (const auto& c : m_.cells) {
    if (!c.per_run &&
        std::find(scenarios.begin(), scenarios.end(), c.scenario) == scenarios.end()) {
      scenarios.push_back(c.scenario);
    }
  }
  std::size_t palette = 0;
  for (std::size_t si = 0; si < scenarios.size(); ++si) {
    std::string charts;
    for (const auto& [metric, scale, ylabel] :
         std::vector<std::tuple<std::string, double, std::string>>{
             {"throughput", 1.0, "throughput (req/s)"}, {"latency_p99", 1e3, "p99 latency (ms)"}}) {
      svg::LineChart ch;
      ch.id = fmt::format("history-{}-{}", si, metric == "throughput" ? "tput" : "p99");
      ch.title = fmt::format("{} over past baselines: {}",
                             metric == "throughput" ? "Throughput" : "p99 latency",
                             shorten(scenarios[si], 80));
      ch.description = "The median of each load point in each stored baseline, then in this run.";
      ch.x.label = "baseline (oldest → newest), then this run";
      ch.y.label = ylabel;
      ch.y.include_zero = true;
      const double now = static_cast<double>(h.size());
      // About eight dated ticks, none next to "this run" (their labels would collide).
      const std::size_t step = (h.size() + 7) / 8;
      for (std::size_t i = 0; i + 2 <= h.size(); i += step) {
        ch.x.ticks.emplace_back(static_cast<double>(i), short_date(h[i].created_at));
      }
      ch.x.ticks.emplace_back(now, "this run");
      ch.x.min = 0;
      ch.x.max = now;
      palette = 0;
      for (const auto& c : m_.cells) {
        if (c.per_run || c.scenario != scenarios[si]) continue;
        for (const auto& ac : c.apps) {
          if (m_.gate->mode == "baseline" && ac.role == "baseline") continue;
          svg::Series s{c.point.key() + (c.apps.size() > 1 ? " · " + ac.app : ""),
                        std::string(kPalette[palette++ % std::size(kPalette)]), ""};
          s.markers = true;
          s.tooltip = s.legend;
          for (std::size_t i = 0; i < h.size(); ++i) {
            const auto* v = h[i].find(ac.app, c.key, metric);
            if (!v) continue;
            s.points.push_back({static_cast<double>(i), v->median * scale});
            s.point_titles.push_back(
                fmt::format("{}: {} · {}{}", s.legend, svg::compact(v->median * scale),
                            h[i].created_at.empty() ? "undated" : h[i].created_at,
                            h[i].commit.empty() ? "" : " · " + h[i].commit.substr(0, 12)));
          }
          if (const Stat* st = ac.stat(metric); st && !st->values.empty()) {
            s.points.push_back({now, st->median * scale});
            s.point_titles.push_back(
                fmt::format("{}: {} · this run", s.legend, svg::compact(st->median * scale)));
            if (regressed(ac.app, c.key)) s.rings.push_back(s.points.size() - 1);
          }
          if (s.points.size() >= 2) ch.series.push_back(std::move(s));
        }
      }
      if (ch.series.empty()) continue;
      charts += figure(svg::line_chart(ch), metric == "throughput" ? "Throughput" : "p99 latency",
                       "per load point, past baselines and this run");
    }
    if (charts.empty()) continue;
    out << "<h3>" << esc(scenarios[si]) << "</h3>\n<div class=\"charts\">\n"
        << charts << "</div>\n";
  }
  out << "</section>\n";
}

// "2026-12-04T10:00:00Z" → "12-04"; other text as it is, shortened.
std::string Page::short_date(const std::string& iso) {
  if (iso.size() >= 10 && iso[4] == '-' && iso[7] == '-') return iso.substr(5, 5);
  return shorten(iso, 10);
}

}  // namespace benchgate::report::html_page
