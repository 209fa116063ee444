#include "report/markdown.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/text.h"
#include "report/format.h"
#include "report/run_warnings.h"

namespace benchgate::report {

using gate::MetricVerdict;
using gate::Verdict;

std::string marker_id(std::string_view suite) {
  std::string id;
  for (char c : suite) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '/' || c == '+' || c == '-';
    id += ok ? c : '_';
    if (id.size() >= 100) break;
  }
  // "--" cannot appear inside an HTML comment.
  for (auto p = id.find("--"); p != std::string::npos; p = id.find("--"))
    id[p + 1] = '_';
  if (id.empty()) id = "benchgate";
  return id;
}

std::string marker_line(std::string_view suite) {
  return fmt::format("<!-- benchgate:report v1 id={} -->", marker_id(suite));
}

namespace {

class Renderer {
 public:
  Renderer(const ReportModel& m, const MarkdownOptions& o) : m_(m), o_(o) {}

  std::string render() {
    const std::string head = header();
    const std::string tail =
        failures() + markdown_run_warnings(m_, o_.max_list) + notes() + environment() + footer();
    // Reserve room for the truncation notes and the <details> wrapper.
    constexpr std::size_t kReserve = 600;
    const std::size_t fixed = head.size() + tail.size() + kReserve;
    std::size_t budget = o_.max_chars > fixed ? o_.max_chars - fixed : 0;

    std::string main_table;
    std::string details;
    if (m_.gate) {
      main_table = attention_table(budget);
      budget = budget > main_table.size() ? budget - main_table.size() : 0;
      const std::string why = explanations(budget);
      main_table += why;
      budget = budget > why.size() ? budget - why.size() : 0;
      details = all_verdicts(budget);
    } else {
      main_table = results_tables(budget);
    }
    std::string out = head + main_table + details + tail;
    return out;
  }

 private:
  std::string esc(std::string_view s, std::size_t max = 0) const {
    return markdown_escape(shorten(s, max ? max : o_.max_name));
  }

  // --- head -----------------------------------------------------------------------------

  std::string header() const {
    std::string out = marker_line(m_.suite) + "\n\n";
    const std::string suite = esc(m_.suite);
    // The outcome decides the title (gate/outcome.h): ✅ only for a pass.
    const auto& oc = m_.outcome;
    const std::string title =
        fmt::format("{} benchgate: {} — {}", oc.emoji(), suite, esc(oc.text(), 600));
    const int failed = m_.failed_runs();
    out += "### " + title + "\n\n";

    // Headline counts.
    std::vector<std::string> parts;
    if (m_.gate) {
      for (Verdict v : verdicts_in_order()) {
        const int n = m_.count(v);
        if (n > 0 || v == Verdict::kRegressed) {
          parts.push_back(fmt::format("{} {} {}", verdict_emoji(v), n, verdict_label(v)));
        }
      }
    } else {
      std::set<std::string> apps;
      int load_cells = 0;
      for (const auto& c : m_.cells) {
        if (!c.per_run) ++load_cells;
        for (const auto& a : c.apps)
          apps.insert(a.app);
      }
      parts.push_back(fmt::format("📊 {} app{} × {} cell{} · {} run{}", apps.size(),
                                  apps.size() == 1 ? "" : "s", load_cells,
                                  load_cells == 1 ? "" : "s", m_.results.runs.size(),
                                  m_.results.runs.size() == 1 ? "" : "s"));
    }
    if (failed > 0) {
      parts.push_back(fmt::format("💥 {} failed run{}", failed, failed == 1 ? "" : "s"));
    }
    if (const int info = m_.outcome.tally.informational; info > 0) {
      parts.push_back(fmt::format("ℹ️ {} informational (not gated)", info));
    }
    out += join(parts, " · ") + "\n\n";
    if (m_.gate) out += mode_line();
    return out;
  }

  static std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (const auto& p : parts) {
      if (!out.empty()) out += sep;
      out += p;
    }
    return out;
  }

  std::string mode_line() const {
    const auto& g = *m_.gate;
    std::string cand, base, test;
    double alpha = 0.05, level = 0.95;
    for (const auto& v : g.verdicts) {
      if (cand.empty()) cand = v.app;
      if (base.empty()) base = v.baseline_label;
      if (test.empty() && v.test != "none") test = v.test;
      alpha = v.alpha;
      level = v.ci_level;
    }
    if (base.empty()) base = g.baseline_source;
    const int n = m_.iterations();
    std::string line;
    if (g.mode == "ab") {
      line = fmt::format("A/B gate: **{}** vs baseline **{}** · {} interleaved iteration{}",
                         esc(cand), esc(base), n, n == 1 ? "" : "s");
    } else if (g.mode == "baseline") {
      line = fmt::format("Stored baseline **{}** vs **{}** · {} iteration{}", esc(base), esc(cand),
                         n, n == 1 ? "" : "s");
    } else {
      line = fmt::format("Diff: **{}** vs **{}**", esc(base), esc(cand));
    }
    if (!test.empty()) line += " · " + esc(test_name(test));
    line += fmt::format(" · Holm α = {:g}", alpha);
    if (g.tests > 0) line += " over " + gate::holm_family_text(g);
    line += fmt::format(" · {} confidence intervals", format_level(level));
    line += "\n\n";
    if (!g.testbed_match) {
      line +=
          "> [!WARNING]\n> The baseline was measured on a different testbed (CPU, core count, "
          "kernel or build type): its numbers are not comparable with these.\n\n";
    }
    return line;
  }

  // --- verdict tables ----------------------------------------------------------------------

  std::string verdict_row(const MetricVerdict& v, std::size_t max_name, bool with_p) const {
    std::string change = format_change(v);
    if (const auto ci = format_ci(v); !ci.empty()) change += " " + ci;
    std::string row = fmt::format("| {} {} | {} | {} | {} {} | {} | {} | {} | {} |",
                                  v.gated ? verdict_emoji(v.verdict) : std::string_view("ℹ️"),
                                  shown_verdict(v), esc(v.app, max_name), esc(v.cell, max_name),
                                  esc(v.metric, max_name), better_symbol(v.better),
                                  format_value(v.baseline, v.unit), format_value(v.current, v.unit),
                                  change, has_estimate(v) ? format_limit(v) : "–");
    if (with_p) {
      row.pop_back();
      row += fmt::format("| {} |", has_estimate(v) ? shown_p(v) : "–");
    }
    return row + "\n";
  }

  std::string table_head(bool with_p) const {
    const std::string level =
        format_level(m_.gate->verdicts.empty() ? 0.95 : m_.gate->verdicts.front().ci_level);
    if (with_p) {
      return fmt::format(
          "| status | app | cell | metric | baseline | current | change [{} CI] | limit | p¹ "
          "|\n|:--|:--|:--|:--|--:|--:|:--|--:|--:|\n",
          level);
    }
    return fmt::format(
        "| status | app | cell | metric | baseline | current | change [{} CI] | limit |\n"
        "|:--|:--|:--|:--|--:|--:|:--|--:|\n",
        level);
  }

  static constexpr std::string_view kLegend =
      "<sub>↑ higher is better · ↓ lower is better · limit: the smallest change in the worse "
      "direction that can count as a regression · ¹ p: Holm-adjusted one-sided p of a gated "
      "test; *raw* marks the unadjusted p of an informational row (ℹ️, status in parentheses, "
      "never counted)</sub>\n\n";

  // Every row that is not unchanged, worst first; regressions always, the rest while they fit.
  std::string attention_table(std::size_t budget) const {
    std::vector<const MetricVerdict*> rows;
    for (std::size_t i : m_.ranked) {
      const auto& v = m_.gate->verdicts[i];
      if (v.verdict != Verdict::kUnchanged) rows.push_back(&v);
    }
    if (rows.empty()) {
      return m_.gate->verdicts.empty() ? "No metric could be compared.\n\n"
                                       : "Every metric is within its threshold.\n\n";
    }
    std::string out = table_head(false);
    std::size_t shown = 0, kept_regressions = 0;
    const int regressions = m_.count(Verdict::kRegressed);
    for (const auto* v : rows) {
      const bool must = v->verdict == Verdict::kRegressed;
      std::string row = verdict_row(*v, o_.max_name, false);
      if (must && out.size() + row.size() > budget) row = verdict_row(*v, 40, false);
      // Only a pathological number of regressions can fill the whole comment.
      if (out.size() + row.size() > budget) break;
      out += row;
      ++shown;
      if (must) ++kept_regressions;
    }
    if (shown < rows.size()) {
      const std::size_t missing_reg = static_cast<std::size_t>(regressions) - kept_regressions;
      out += fmt::format("\n… {} more row{} not shown here{}: see {} or {}.\n", rows.size() - shown,
                         rows.size() - shown == 1 ? "" : "s",
                         missing_reg ? fmt::format(" ({} regressions)", missing_reg) : "",
                         m_.files.junit, m_.files.html);
    }
    return out + "\n" + std::string(kLegend);
  }

  std::string all_verdicts(std::size_t budget) const {
    const auto& vs = m_.gate->verdicts;
    if (vs.empty()) return "";
    std::string open = fmt::format("<details><summary>All {} result{}</summary>\n\n", vs.size(),
                                   vs.size() == 1 ? "" : "s");
    const std::string close = "\n</details>\n\n";
    std::string body = table_head(true);
    std::size_t shown = 0;
    for (const auto& v : vs) {
      std::string row = verdict_row(v, o_.max_name, true);
      if (open.size() + body.size() + row.size() + close.size() > budget) break;
      body += row;
      ++shown;
    }
    if (shown == 0) {
      return fmt::format("All {} results are in {} and {} (too many for this comment).\n\n",
                         vs.size(), m_.files.junit, m_.files.html);
    }
    if (shown < vs.size()) {
      body += fmt::format(
          "\n… {} more row{} cut to keep this comment under {} characters: see {} "
          "or {}.\n",
          vs.size() - shown, vs.size() - shown == 1 ? "" : "s", o_.max_chars, m_.files.junit,
          m_.files.html);
    }
    return open + body + close;
  }

  // --- ungated results ---------------------------------------------------------------------

  std::string results_tables(std::size_t budget) const {
    std::string head = "| app | cell |";
    std::string align = "|:--|:--|";
    for (const auto& c : result_columns()) {
      head += fmt::format(" {} |", c.header);
      align += "--:|";
    }
    head += " good |\n";
    align += "--:|\n";
    std::string out = "Median (min–max) over the good iterations.\n\n" + head + align;
    std::size_t rows = 0, shown = 0;
    for (const auto& cell : m_.cells) {
      if (cell.per_run) continue;
      for (const auto& ac : cell.apps) {
        ++rows;
        std::string row = fmt::format("| {} | {} |", esc(ac.app), esc(cell.key));
        for (const auto& col : result_columns()) {
          const Stat* s = ac.stat(col.metric);
          row += " " +
                 (s ? format_median_range(s->median, s->min, s->max, s->values.size(), col.scale)
                    : std::string("–")) +
                 " |";
        }
        row += fmt::format(" {}/{} |\n", ac.good, ac.total);
        if (out.size() + row.size() > budget) continue;
        out += row;
        ++shown;
      }
    }
    if (shown < rows) {
      out +=
          fmt::format("\n… {} more row{} cut to keep this comment under {} characters: see {}.\n",
                      rows - shown, rows - shown == 1 ? "" : "s", o_.max_chars, m_.files.html);
    }
    out += "\n";
    // Per-run metrics (start-up), when measured.
    std::string startup;
    for (const auto& cell : m_.cells) {
      if (!cell.per_run) continue;
      for (const auto& ac : cell.apps) {
        const Stat* t = ac.stat("startup_time");
        const Stat* r = ac.stat("idle_rss");
        if (!t && !r) continue;
        startup += fmt::format(
            "| {} | {} | {} | {} | {}/{} |\n", esc(ac.app), esc(cell.key),
            t ? format_median_range(t->median, t->min, t->max, t->values.size(), 1e3) : "–",
            r ? format_median_range(r->median, r->min, r->max, r->values.size(),
                                    1 / (1024.0 * 1024.0))
              : "–",
            ac.good, ac.total);
      }
    }
    if (!startup.empty() && out.size() + startup.size() + 200 < budget) {
      out += "| app | scenario | start-up ms | idle RSS MiB | good |\n|:--|:--|--:|--:|--:|\n" +
             startup + "\n";
    }
    return out;
  }

  // --- tail --------------------------------------------------------------------------------

  std::string failures() const {
    if (m_.problems.empty()) return "";
    std::string out = "#### 💥 Failed and excluded runs\n\n";
    std::size_t n = 0;
    for (const auto& p : m_.problems) {
      if (n++ == o_.max_list) {
        out += fmt::format("- … and {} more (see {})\n", m_.problems.size() - o_.max_list,
                           m_.files.html);
        break;
      }
      out += fmt::format("- **{}** · {} · iteration {}: {} — {}", esc(p.app), esc(p.cell),
                         p.iteration, p.status, esc(p.reason, 300));
      if (!p.log_path.empty()) out += fmt::format(" (log: {})", esc(p.log_path, 200));
      out += "\n";
    }
    return out + "\n";
  }

  // Instruction mode: the per-function difference of each regressed counted cell
  // (results.gate.explanations, runner/instruction_explanations.h), top rows, if they fit.
  std::string explanations(std::size_t budget) const {
    const auto& g = m_.results.gate;
    if (!g.is_object() || !g.contains("explanations") || !g["explanations"].is_array()) return "";
    std::string out;
    for (const auto& e : g["explanations"]) {
      if (!e.is_object()) continue;
      const auto str = [&](const char* k) {
        return e.contains(k) && e[k].is_string() ? e[k].get<std::string>() : std::string();
      };
      const auto num = [](const nlohmann::json& j, const char* k) {
        return j.contains(k) && j[k].is_number() ? j[k].get<double>() : 0.0;
      };
      std::string part =
          fmt::format("#### Why {} · {} costs more: instructions per request by function\n\n",
                      esc(str("app")), esc(str("cell")));
      if (str("status") != "ok") {
        part += fmt::format("No explanation: {}\n\n", esc(str("reason"), 300));
      } else {
        part += fmt::format(
            "Self Ir per counted request (callgrind, lifetimes B − A over every sample; {} vs "
            "{}), largest changes first:\n\n| function | {} | {} | Δ | Δ % "
            "|\n|:--|--:|--:|--:|--:|\n",
            esc(str("app")), esc(str("baseline_app")), esc(str("baseline_app")), esc(str("app")));
        std::size_t shown = 0;
        const std::size_t rows = e.contains("rows") && e["rows"].is_array() ? e["rows"].size() : 0;
        for (std::size_t i = 0; i < rows && shown < o_.explain_rows; ++i, ++shown) {
          const auto& r = e["rows"][i];
          std::string fn = r.contains("function") && r["function"].is_string()
                               ? r["function"].get<std::string>()
                               : std::string("?");
          const double d = num(r, "delta");
          const bool has_pct = r.contains("delta_pct") && r["delta_pct"].is_number();
          part += fmt::format("| {} | {:.1f} | {:.1f} | {:+.1f} | {} |\n", esc(fn, 100),
                              num(r, "base"), num(r, "current"), d,
                              has_pct ? fmt::format("{:+.2f} %", r["delta_pct"].get<double>())
                                      : std::string("new"));
        }
        const double tb = num(e, "total_base"), tc = num(e, "total_current");
        part +=
            fmt::format("| **all {} functions** | {:.1f} | {:.1f} | {:+.1f} | {} |\n\n",
                        e.contains("functions") && e["functions"].is_number()
                            ? e["functions"].get<std::int64_t>()
                            : 0,
                        tb, tc, tc - tb,
                        tb > 0 ? fmt::format("{:+.2f} %", (tc - tb) / tb * 100) : std::string("—"));
        part += fmt::format("Every function: {} · differential flame graph: {}\n\n",
                            esc(str("table"), 200), esc(str("diff_flamegraph"), 200));
      }
      if (out.size() + part.size() > budget) {
        out += "(more explanations in results.json: gate.explanations)\n\n";
        break;
      }
      out += part;
    }
    return out;
  }

  std::string notes() const {
    std::vector<std::string> items;
    if (m_.gate) {
      for (const auto& n : m_.gate->notes)
        items.push_back(n);
    }
    for (const auto& w : m_.results.warnings)
      items.push_back(w);
    if (items.empty()) return "";
    std::string out = "#### Notes\n\n";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i == o_.max_list) {
        out += fmt::format("- … and {} more\n", items.size() - i);
        break;
      }
      out += "- " + esc(items[i], 300) + "\n";
    }
    return out + "\n";
  }

  std::string environment() const {
    std::string out;
    // Commit and run visible; the machine in a collapsed table.
    std::vector<std::string> line;
    for (const auto& [k, v] : m_.environment) {
      if (k.starts_with("commit")) line.push_back(fmt::format("{} {}", esc(k), esc(v, 80)));
      if (k == "ref") line.push_back(fmt::format("ref {}", esc(v, 120)));
    }
    if (const auto url = safe_url(m_.run_url); !url.empty()) {
      line.push_back(fmt::format("[CI run]({})", url));
    }
    if (!line.empty()) out += join(line, " · ") + "\n\n";
    if (!m_.environment.empty()) {
      out += "<details><summary>Environment</summary>\n\n| | |\n|:--|:--|\n";
      for (const auto& [k, v] : m_.environment) {
        out += fmt::format("| {} | {} |\n", esc(k, 60), esc(v, 200));
      }
      out += "\n</details>\n\n";
    }
    if (!m_.artifacts.empty()) {
      out += "<details><summary>Artifacts (profiles)</summary>\n\n";
      for (std::size_t i = 0; i < m_.artifacts.size(); ++i) {
        if (i == o_.max_list) {
          out += fmt::format("- … and {} more\n", m_.artifacts.size() - i);
          break;
        }
        const auto& a = m_.artifacts[i];
        out += fmt::format("- {}: {}", esc(a.label, 150), esc(a.path, 200));
        if (!a.description.empty()) out += " — " + esc(a.description, 150);
        out += "\n";
      }
      out += "\nThey are in the uploaded report folder, with the full report in " + m_.files.html +
             ".\n\n</details>\n\n";
    }
    return out;
  }

  std::string footer() const {
    return fmt::format("<sub>benchgate {} · full report: {} · machine-readable: {}, {}</sub>\n",
                       esc(m_.results.tool_version, 40), m_.files.html, m_.files.junit,
                       m_.files.results);
  }

  const ReportModel& m_;
  const MarkdownOptions& o_;
};

}  // namespace

std::string render_markdown(const ReportModel& model, const MarkdownOptions& options) {
  return Renderer(model, options).render();
}

void write_markdown(const ReportModel& model, std::ostream& out, const MarkdownOptions& options) {
  out << render_markdown(model, options);
}

}  // namespace benchgate::report
