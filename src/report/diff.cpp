#include "report/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <unordered_map>

#include "core/error.h"
#include "core/parse.h"
#include "core/text.h"
#include "gate/outcome.h"
#include "report/format.h"

namespace benchgate::report {

using gate::GateResult;
using gate::MetricVerdict;
using gate::Verdict;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Text columns are padded to the longest name up to this width; a longer name overflows its
// column instead of padding every row to its length (a 10 MB benchmark name made each row
// 10 MB: 1.3 GB of output).
constexpr std::size_t kMaxColumn = 160;

std::string file_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

}  // namespace

DiffFormat diff_format_from_name(std::string_view name) {
  if (name == "text") return DiffFormat::kText;
  if (name == "json") return DiffFormat::kJson;
  if (name == "md" || name == "markdown") return DiffFormat::kMarkdown;
  throw UsageError(fmt::format("--format: unknown format '{}' (expected text, json or md)", name));
}

namespace {

std::string fmt_value(double v) {
  if (std::isnan(v)) return "n/a";
  const double a = std::fabs(v);
  if (a >= 100 || a == 0) return fmt::format("{:.0f}", v);
  if (a >= 1) return fmt::format("{:.2f}", v);
  return fmt::format("{:.3g}", v);
}

std::string fmt_change(const MetricVerdict& v, double x) {
  if (std::isnan(x)) return "n/a";
  if (v.scale == results::Scale::kRatio) {
    const double pct = x * 100;
    return std::fabs(pct) >= 10 ? fmt::format("{:+.1f}%", pct) : fmt::format("{:+.2f}%", pct);
  }
  return fmt::format("{:+.4g}{}{}", x, v.unit.empty() ? "" : " ", v.unit);
}

std::string fmt_estimate(const MetricVerdict& v) {
  std::string s = fmt_change(v, v.estimate);
  if (!std::isnan(v.ci_low) && !std::isnan(v.ci_high)) {
    s += fmt::format(" [{}, {}]", fmt_change(v, v.ci_low), fmt_change(v, v.ci_high));
  }
  return s;
}

// compare.py's calculate_change.
double change(double old_v, double new_v) {
  if (std::isnan(old_v) || std::isnan(new_v)) return kNaN;
  if (old_v == 0 && new_v == 0) return 0;
  if (old_v == 0) return (new_v - old_v) / ((old_v + new_v) / 2);
  return (new_v - old_v) / std::fabs(old_v);
}

std::vector<const MetricVerdict*> by_rank(const GateResult& r, bool attention_only) {
  std::vector<const MetricVerdict*> out;
  for (const auto& v : r.verdicts) {
    if (attention_only && (v.verdict == Verdict::kUnchanged || !v.gated)) continue;
    out.push_back(&v);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return gate::verdict_rank(a->verdict) < gate::verdict_rank(b->verdict);
  });
  return out;
}

std::string counts_line(const GateResult& r, bool emoji) {
  std::vector<std::string> parts;
  for (const Verdict verdict : verdicts_in_order()) {
    int n = 0;
    for (const auto& v : r.verdicts)
      n += (v.gated && v.verdict == verdict) ? 1 : 0;
    if (n == 0 && verdict != Verdict::kRegressed) continue;
    parts.push_back(emoji
                        ? fmt::format("{} {} {}", verdict_emoji(verdict), n, verdict_label(verdict))
                        : fmt::format("{} {}", n, verdict_label(verdict)));
  }
  if (const int info = r.informational(); info > 0) {
    parts.push_back(emoji ? fmt::format("ℹ️ {} informational (not gated)", info)
                          : fmt::format("{} informational (not gated)", info));
  }
  return join(parts, emoji ? " · " : ", ");
}

// The outcome line every format starts with (gate/outcome.h: the one decision).
std::string outcome_line(const GateResult& r, bool warn_only) {
  return gate::decide_outcome(nullptr, &r, warn_only).headline();
}

std::string label_of(const MetricVerdict& v) {
  return v.app.empty() ? v.cell : v.app + " " + v.cell;
}

void render_attention(std::string& out, const GateResult& r) {
  const auto rows = by_rank(r, true);
  if (rows.empty()) return;
  out += "\nNeeds attention:\n";
  for (const auto* v : rows) {
    out += fmt::format("  {:<14} {} :: {}  {}\n", shown_verdict(*v), label_of(*v), v->metric,
                       v->reason);
  }
}

std::string text_gbench(const GateResult& r, bool warn_only) {
  // Per benchmark: its real_time and cpu_time verdicts and any counter verdicts.
  struct Row {
    const MetricVerdict* real = nullptr;
    const MetricVerdict* cpu = nullptr;
    std::vector<const MetricVerdict*> counters;
  };
  std::vector<std::string> names;
  std::unordered_map<std::string, Row> rows;
  for (const auto& v : r.verdicts) {
    auto [it, inserted] = rows.try_emplace(v.cell);
    if (inserted) names.push_back(v.cell);
    if (v.metric == "real_time") {
      it->second.real = &v;
    } else if (v.metric == "cpu_time") {
      it->second.cpu = &v;
    } else {
      it->second.counters.push_back(&v);
    }
  }
  std::size_t width = std::string_view("Benchmark").size();
  for (const auto& n : names)
    width = std::max(width, std::min(n.size(), kMaxColumn));
  width += std::string_view("_pvalue").size();

  std::string out = fmt::format("Comparing {} to {}\n", r.baseline_source, r.candidate_source);
  out += outcome_line(r, warn_only) + "\n";
  out += fmt::format("Gate: {} (Holm over {} at α = {}; 95 % CIs of the Hodges-Lehmann shift)\n",
                     counts_line(r, false), gate::holm_family_text(r), r.alpha);
  render_attention(out, r);
  out += "\n";
  const std::string header = fmt::format(
      "{:<{}}Time             CPU      Time Old      Time New       CPU Old       CPU New",
      "Benchmark", width + 12);
  out += header + "  Verdict\n";
  out += std::string(header.size() + 9, '-') + "\n";
  for (const auto& name : names) {
    const Row& row = rows.at(name);
    const MetricVerdict* rt = row.real;
    const MetricVerdict* ct = row.cpu;
    if (!rt || !ct) continue;
    const MetricVerdict* worst =
        gate::verdict_rank(ct->verdict) < gate::verdict_rank(rt->verdict) ? ct : rt;
    std::string verdict = shown_verdict(*worst);
    if (worst->verdict != Verdict::kError && worst->verdict != Verdict::kNotComparable &&
        !std::isnan(worst->estimate)) {
      verdict += fmt::format(" ({} {})", worst == rt ? "time" : "cpu", fmt_estimate(*worst));
    } else if (worst->verdict == Verdict::kError || worst->verdict == Verdict::kNotComparable) {
      verdict += " (" + worst->reason + ")";
    }
    out += fmt::format("{:<{}}{:>16}{:>16}{:>14}{:>14}{:>14}{:>14}  {}\n", name, width,
                       std::isnan(change(rt->baseline, rt->current))
                           ? std::string("n/a")
                           : fmt::format("{:+.4f}", change(rt->baseline, rt->current)),
                       std::isnan(change(ct->baseline, ct->current))
                           ? std::string("n/a")
                           : fmt::format("{:+.4f}", change(ct->baseline, ct->current)),
                       fmt_value(rt->baseline), fmt_value(rt->current), fmt_value(ct->baseline),
                       fmt_value(ct->current), verdict);
    // compare.py prints the U test only with at least 2 repetitions on each side, in its own
    // fixed four-decimal format (these rows read like compare.py's; core/pvalue.h elsewhere).
    if (rt->test == "mann-whitney-u" && ct->test == "mann-whitney-u" &&
        std::min(rt->n_baseline, rt->n_current) >= 2) {
      std::string desc =
          fmt::format("U Test, Repetitions: {} vs {}", rt->n_baseline, rt->n_current);
      if (std::min(rt->n_baseline, rt->n_current) < 9) {
        desc += ". WARNING: Results unreliable! 9+ repetitions recommended.";
      }
      out += fmt::format("{:<{}}{:>16.4f}{:>16.4f}      {}\n", name + "_pvalue", width,
                         rt->p_two_sided, ct->p_two_sided, desc);
    }
    for (const auto* cv : row.counters) {
      if (cv->verdict == Verdict::kUnchanged || std::isnan(cv->estimate)) continue;
      out += fmt::format("{:<{}}  {}: {} -> {}  {}  {}{}\n", "", 4, cv->metric,
                         fmt_value(cv->baseline), fmt_value(cv->current), fmt_estimate(*cv),
                         shown_verdict(*cv), cv->gated ? "" : " (not gated)");
    }
  }
  for (const auto& n : r.notes)
    out += "Note: " + n + "\n";
  return out;
}

std::string text_generic(const GateResult& r, bool warn_only) {
  std::string out;
  if (r.mode == "diff") {
    out += fmt::format("Comparing {} to {}\n", r.baseline_source, r.candidate_source);
  } else {
    out += fmt::format("Gate ({}) against {}\n", r.mode, r.baseline_source);
  }
  out += outcome_line(r, warn_only) + "\n";
  out += fmt::format("Gate: {} (Holm over {} at α = {})\n", counts_line(r, false),
                     gate::holm_family_text(r), r.alpha);
  render_attention(out, r);
  out += "\n";
  std::size_t w_cell = 4, w_metric = 6;
  for (const auto& v : r.verdicts) {
    w_cell = std::max(w_cell,
                      std::min(v.cell.size() + (v.app.empty() ? 0 : v.app.size() + 1), kMaxColumn));
    w_metric = std::max(w_metric, std::min(v.metric.size(), kMaxColumn));
  }
  out += fmt::format("{:<14} {:<{}} {:<{}} {:>12} {:>12} {:<28} {:>8}\n", "Verdict", "Cell", w_cell,
                     "Metric", w_metric, "Baseline", "Current", "Change [95 % CI]", "p");
  for (const auto* v : by_rank(r, false)) {
    out += fmt::format("{:<14} {:<{}} {:<{}} {:>12} {:>12} {:<28} {:>8}\n", shown_verdict(*v),
                       label_of(*v), w_cell, v->metric, w_metric, fmt_value(v->baseline),
                       fmt_value(v->current), fmt_estimate(*v), shown_p(*v));
  }
  out +=
      "p: Holm-adjusted one-sided p for gated tests; \"raw\" marks the unadjusted p of an "
      "informational row (its verdict in parentheses)\n";
  for (const auto& n : r.notes)
    out += "Note: " + n + "\n";
  return out;
}

std::string md_row(const MetricVerdict& v) {
  return fmt::format("| {} {} | {} | {} ({}) | {} | {} | {} | {} | {} |\n",
                     v.gated ? verdict_emoji(v.verdict) : std::string_view("ℹ️"),
                     shown_verdict(v), markdown_escape(label_of(v)), markdown_escape(v.metric),
                     v.better == results::Better::kHigher ? "higher is better" : "lower is better",
                     fmt_value(v.baseline), fmt_value(v.current), markdown_escape(fmt_estimate(v)),
                     shown_p(v), markdown_escape(v.reason));
}

std::string render_md(const GateResult& r, bool warn_only) {
  // GitHub rejects comments over 65,536 characters: stay under 60,000. Regressions and errors
  // are never cut; the other attention rows and the details are, with a note.
  constexpr std::size_t kLimit = 60000;
  constexpr std::size_t kReserve = 1500;  // notes and closing text
  const std::string head =
      "| Status | Cell | Metric | Baseline | Current | Change (95 % CI) | p¹ | Why |\n"
      "|---|---|---|---:|---:|---|---:|---|\n";
  std::string out = "<!-- benchgate:diff v1 -->\n";
  out += fmt::format("### {} — benchgate diff: `{}` → `{}`\n\n",
                     markdown_escape(outcome_line(r, warn_only)),
                     markdown_escape(file_name(r.baseline_source)),
                     markdown_escape(file_name(r.candidate_source)));
  out += counts_line(r, true) + "\n\n";
  const auto attention = by_rank(r, true);
  std::size_t left_out = 0;
  if (!attention.empty()) {
    out += head;
    for (const auto* v : attention) {
      const std::string row = md_row(*v);
      const bool must = v->verdict == Verdict::kRegressed || v->verdict == Verdict::kError;
      if (!must && out.size() + row.size() + kReserve > kLimit) {
        ++left_out;
        continue;
      }
      out += row;
    }
    if (left_out > 0) {
      out += fmt::format(
          "\n… and {} more rows needing attention (size limit); see the JSON output.\n", left_out);
    }
    out += "\n";
  }
  std::string details = "<details><summary>All " + std::to_string(r.verdicts.size()) +
                        " results</summary>\n\n" + head;
  std::size_t shown = 0;
  for (const auto* v : by_rank(r, false)) {
    std::string row = md_row(*v);
    if (out.size() + details.size() + row.size() + kReserve > kLimit) break;
    details += row;
    ++shown;
  }
  if (shown < r.verdicts.size()) {
    details +=
        fmt::format("\n… {} more rows left out (the comment size limit); see the JSON output.\n",
                    r.verdicts.size() - shown);
  }
  details += "\n</details>\n";
  out += details;
  out +=
      "\n¹ Holm-adjusted one-sided p for gated tests; *raw* marks the unadjusted p of an "
      "informational row (ℹ️, verdict in parentheses).\n";
  for (const auto& n : r.notes) {
    std::string line = "\n> " + markdown_escape(n) + "\n";
    if (out.size() + line.size() > kLimit) break;
    out += line;
  }
  return out;
}

}  // namespace

std::string render_diff(const GateResult& result, DiffFormat format, bool warn_only) {
  switch (format) {
    case DiffFormat::kJson: {
      std::string text =
          gate::to_json_text(result);  // == to_json(result).dump(2), without the tree
      text += '\n';                    // (capacity reserved: no 6 MB copy)
      return text;
    }
    case DiffFormat::kMarkdown:
      return render_md(result, warn_only);
    case DiffFormat::kText:
      return result.format == "gbench" ? text_gbench(result, warn_only)
                                       : text_generic(result, warn_only);
  }
  return {};
}

}  // namespace benchgate::report
