#include "gate/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "core/error.h"
#include "core/parse.h"
#include "gate/gate.h"
#include "gate/json_scan.h"
#include "gate/outcome.h"
#include "platform/fs.h"
#include "results/json.h"
#include "stats/descriptive.h"

namespace benchgate::gate {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// ---------------------------------------------------------------- loading

DiffInput load_diff_input(const std::filesystem::path& path) {
  DiffInput in;
  in.path = path.string();
  auto mapped = detail::map_text(path);
  JsonDocument doc = parse_document(std::move(mapped.storage), mapped.text, in.path);
  if (doc.has_benchmarks) {
    in.kind = DiffInput::Kind::kGbench;
    in.gbench = std::move(doc.gbench);
    return in;
  }
  const auto kind = doc.top.contains("kind") && doc.top["kind"].is_string()
                        ? doc.top["kind"].get<std::string>()
                        : std::string();
  if (kind == "benchgate.results") {
    in.kind = DiffInput::Kind::kResults;
    in.results = results::results_from_json(doc.top, in.path);
    return in;
  }
  if (kind == "benchgate.baseline") {
    in.kind = DiffInput::Kind::kBaseline;
    in.baseline = baseline_from_json(doc.top, in.path);
    return in;
  }
  throw ConfigError(fmt::format(
      "{}: neither Google Benchmark JSON (no \"benchmarks\" list) nor a benchgate results or "
      "baseline file (\"kind\" is {})",
      in.path, kind.empty() ? "missing" : "\"" + kind + "\""));
}

// ---------------------------------------------------------------- Google Benchmark

namespace {

struct Side {
  const GbenchBenchmark* b = nullptr;
  std::string file;
};

std::vector<double> times(const GbenchBenchmark& b, bool real, TimeUnit unit) {
  std::vector<double> out;
  out.reserve(b.iterations.size());
  for (const auto* row : b.iterations) {
    double v = real ? row->real_time : row->cpu_time;
    if (!std::isfinite(v)) continue;
    if (row->time_unit != unit) v = convert_time(v, row->time_unit, unit);
    out.push_back(v);
  }
  return out;
}

std::vector<double> counter_values(const GbenchBenchmark& b, const std::string& name) {
  std::vector<double> out;
  for (const auto* row : b.iterations) {
    for (const auto& [k, v] : row->counters) {
      if (k == name && std::isfinite(v)) out.push_back(v);
    }
  }
  return out;
}

std::optional<double> agg_hint(const GbenchBenchmark& b, const std::string& field, TimeUnit unit) {
  auto v = b.aggregate_value("median", field);
  if (!v) v = b.aggregate_value("mean", field);
  if (!v) return std::nullopt;
  if ((field == "real_time" || field == "cpu_time") && b.time_unit != unit) {
    return convert_time(*v, b.time_unit, unit);
  }
  return v;
}

std::string describe_change(const MetricVerdict& v, double x) {
  if (std::isnan(x)) return "n/a";
  if (v.scale == results::Scale::kRatio) return fmt::format("{:+.2f} %", x * 100);
  return fmt::format("{:+.4g}", x);
}

std::string describe_ci(const MetricVerdict& v) {
  if (std::isnan(v.ci_low) || std::isnan(v.ci_high)) return "";
  return fmt::format(" [{}, {}]", describe_change(v, v.ci_low), describe_change(v, v.ci_high));
}

bool mentions(const results::GateSettings& s, const std::string& cell, const std::string& metric) {
  if (s.metrics.count(metric)) return true;
  auto it = s.per_scenario.find(cell);
  return it != s.per_scenario.end() && it->second.count(metric);
}

std::string errors_text(const GbenchBenchmark& b, const std::string& file) {
  const std::string msg(b.errors.front()->error_message);
  return fmt::format("{}: {} of {} repetitions errored: {}", file, b.errors.size(),
                     b.errors.size() + b.iterations.size(), msg.empty() ? "no message" : msg);
}

}  // namespace

GateResult diff_gbench(const GbenchFile& base, const GbenchFile& candidate,
                       const results::GateSettings& settings) {
  const auto gb = group_benchmarks(base);
  const auto gc = group_benchmarks(candidate);
  const std::string base_name = file_name(base.origin);
  const std::string cand_name = file_name(candidate.origin);
  std::unordered_map<std::string_view, const GbenchBenchmark*> cand_by_name;
  for (const auto& b : gc)
    cand_by_name.emplace(b.name, &b);
  std::unordered_map<std::string_view, const GbenchBenchmark*> base_by_name;
  for (const auto& b : gb)
    base_by_name.emplace(b.name, &b);

  std::vector<std::pair<const GbenchBenchmark*, const GbenchBenchmark*>> order;
  order.reserve(gb.size() + gc.size());
  for (const auto& b : gb) {
    auto it = cand_by_name.find(b.name);
    order.emplace_back(&b, it == cand_by_name.end() ? nullptr : it->second);
  }
  for (const auto& c : gc) {
    if (!base_by_name.count(c.name)) order.emplace_back(nullptr, &c);
  }

  std::vector<Comparison> comps;
  std::vector<bool> unknown_direction;  // per comparison: a plain counter
  std::size_t expected = 0;             // two times and the counters of each benchmark
  for (const auto& [b, c] : order) {
    std::size_t counters = 0;
    for (const auto* side : {b, c}) {
      if (side && !side->iterations.empty())
        counters = std::max(counters, side->iterations.front()->counters.size());
    }
    expected += 2 + counters;
  }
  comps.reserve(expected);
  for (const auto& [b, c] : order) {
    const std::string& name = b ? b->name : c->name;
    const TimeUnit unit = b ? b->time_unit : c->time_unit;
    const std::string unit_name(time_unit_name(unit));
    auto time_comparison = [&](const char* metric) {
      Comparison x;
      x.cell = name;
      x.metric = metric;
      x.baseline_label = base_name;
      x.paired = false;
      const results::MetricInfo info{
          metric, unit_name, results::Better::kLower, results::Scale::kRatio, kGbenchTimeMinEffect,
          0,      ""};
      x.policy = resolve_policy(settings, "", name, metric, info);
      x.policy.unit = unit_name;
      return x;
    };
    const char* const kTimes[] = {"real_time", "cpu_time"};

    std::string forced_reason;
    Verdict forced = Verdict::kUnchanged;
    if (!b || !c) {
      forced = Verdict::kNotComparable;
      forced_reason = fmt::format("only in {}", b ? base_name : cand_name);
    } else if (!b->errors.empty() || !c->errors.empty()) {
      forced = Verdict::kError;
      forced_reason = !c->errors.empty() ? errors_text(*c, cand_name) : errors_text(*b, base_name);
    } else if ((b->iterations.empty() && b->aggregates.empty() && !b->skipped.empty()) ||
               (c->iterations.empty() && c->aggregates.empty() && !c->skipped.empty())) {
      const auto* s = !b->skipped.empty() ? b : c;
      forced = Verdict::kNotComparable;
      forced_reason = fmt::format("skipped in {}: {}", s == b ? base_name : cand_name,
                                  s->skipped.front()->skip_message);
    } else if (b->iterations.empty() || c->iterations.empty()) {
      forced = Verdict::kInconclusive;
      forced_reason = fmt::format("cannot test without iteration rows ({} has aggregates only)",
                                  b->iterations.empty() ? base_name : cand_name);
    }
    if (!forced_reason.empty()) {
      for (const char* metric : kTimes) {
        Comparison x = time_comparison(metric);
        x.forced = forced;
        x.forced_reason = forced_reason;
        if (b && c && forced == Verdict::kInconclusive) {
          x.baseline_hint = b->iterations.empty()
                                ? agg_hint(*b, metric, unit)
                                : std::optional(stats::median(times(*b, metric[0] == 'r', unit)));
          x.current_hint = c->iterations.empty()
                               ? agg_hint(*c, metric, unit)
                               : std::optional(stats::median(times(*c, metric[0] == 'r', unit)));
        }
        comps.push_back(std::move(x));
      }
      continue;
    }

    for (const char* metric : kTimes) {
      Comparison x = time_comparison(metric);
      const bool real = metric[0] == 'r';
      x.baseline = times(*b, real, unit);
      x.current = times(*c, real, unit);
      if (x.baseline.empty() || x.current.empty()) {
        x.forced = Verdict::kInconclusive;
        x.forced_reason = "no finite values on one side";
      }
      comps.push_back(std::move(x));
    }
    // Counters, in the base's first-row order, then the candidate's extra ones.
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto* side : {b, c}) {
      if (side->iterations.empty()) continue;
      for (const auto& [k, v] : side->iterations.front()->counters) {
        if (seen.insert(std::string(k)).second) names.emplace_back(k);
      }
    }
    for (const auto& counter : names) {
      Comparison x;
      x.cell = name;
      x.metric = counter;
      x.baseline_label = base_name;
      x.baseline = counter_values(*b, counter);
      x.current = counter_values(*c, counter);
      bool positive = true;
      for (const auto* v : {&x.baseline, &x.current}) {
        for (double d : *v)
          positive = positive && d > 0;
      }
      const bool rate =
          counter.size() > 11 && counter.compare(counter.size() - 11, 11, "_per_second") == 0;
      const results::MetricInfo info{
          counter,
          rate ? "/s" : "",
          rate ? results::Better::kHigher : results::Better::kLower,
          positive ? results::Scale::kRatio : results::Scale::kDifference,
          kGbenchTimeMinEffect,
          0,
          ""};
      x.policy = resolve_policy(settings, "", name, counter, info);
      if (!mentions(settings, name, counter)) x.policy.gated = false;
      unknown_direction.resize(comps.size(), false);
      unknown_direction.push_back(!rate && !x.policy.gated);
      const bool in_b = std::any_of(b->iterations.front()->counters.begin(),
                                    b->iterations.front()->counters.end(),
                                    [&](const auto& kv) { return kv.first == counter; });
      const bool in_c = std::any_of(c->iterations.front()->counters.begin(),
                                    c->iterations.front()->counters.end(),
                                    [&](const auto& kv) { return kv.first == counter; });
      if (!in_b || !in_c) {
        x.forced = Verdict::kNotComparable;
        x.forced_reason = fmt::format("counter only in {}", in_b ? base_name : cand_name);
      } else if (x.baseline.empty() || x.current.empty()) {
        x.forced = Verdict::kInconclusive;
        x.forced_reason = "no finite values on one side (NaN or infinite)";
      }
      comps.push_back(std::move(x));
    }
  }

  EvaluateOptions opt;
  opt.mode = "diff";
  opt.baseline_source = base.origin;
  GateResult r = evaluate(comps, settings, opt);
  r.candidate_source = candidate.origin;
  r.format = "gbench";
  unknown_direction.resize(comps.size(), false);
  // A plain counter has no known better direction: a significant change is "changed"
  // (informational), never regressed, warn or improved, unless the settings give its direction.
  for (std::size_t i = 0; i < comps.size(); ++i) {
    auto& v = r.verdicts[i];
    if (!unknown_direction[i] || v.gated) continue;
    if (v.verdict == Verdict::kRegressed || v.verdict == Verdict::kWarn ||
        v.verdict == Verdict::kImproved) {
      v.verdict = Verdict::kChanged;
      v.cause.clear();
      v.reason = fmt::format(
          "changed by {}{} (p two-sided = {:.4f}); direction unknown (informational: not gated)",
          describe_change(v, v.estimate), describe_ci(v), v.p_two_sided);
    } else if (v.verdict == Verdict::kInconclusive && v.cause == "not_significant") {
      v.cause = "wide_ci";
      v.reason = fmt::format(
          "changed by {}{}, not significant (p two-sided = {:.4f}); direction unknown "
          "(informational: not gated)",
          describe_change(v, v.estimate), describe_ci(v), v.p_two_sided);
    }
  }
  return r;
}

GateResult diff_inputs(const DiffInput& base, const DiffInput& candidate,
                       const results::GateSettings& settings, bool allow_partial) {
  using Kind = DiffInput::Kind;
  auto kind_name = [](Kind k) {
    switch (k) {
      case Kind::kGbench:
        return "Google Benchmark JSON";
      case Kind::kResults:
        return "a benchgate results file";
      case Kind::kBaseline:
        return "a benchgate baseline";
    }
    return "?";
  };
  if (base.kind == Kind::kGbench && candidate.kind == Kind::kGbench) {
    return diff_gbench(base.gbench, candidate.gbench, settings);
  }
  if (base.kind == Kind::kGbench || candidate.kind == Kind::kGbench) {
    throw ConfigError(
        fmt::format("cannot diff {} ({}) against {} ({}): both files must be the same "
                    "kind",
                    base.path, kind_name(base.kind), candidate.path, kind_name(candidate.kind)));
  }
  if (candidate.kind != Kind::kResults) {
    throw ConfigError(fmt::format("{}: the candidate must be a results file (it is {})",
                                  candidate.path, kind_name(candidate.kind)));
  }
  std::string partial;
  for (const DiffInput* in : {&base, &candidate}) {
    if (in->kind != Kind::kResults) continue;
    results::require_complete(in->results, in->path, allow_partial);  // exit 2 unless allowed
    if (const auto why = results::incomplete_reason(in->results); !why.empty()) {
      partial += (partial.empty() ? "" : "; ") + in->path + ": " + why;
    }
  }
  const Baseline b =
      base.kind == Kind::kResults ? make_baseline(base.results, false) : base.baseline;
  UnpairedOptions opt;
  opt.mode = "diff";
  opt.match_single_app = true;
  GateResult r = run_against_baseline(candidate.results, b, settings, base.path, opt);
  r.candidate_source = candidate.path;
  r.format = "benchgate";
  r.partial = partial;
  return r;
}

GateResult diff_files(const std::filesystem::path& base, const std::filesystem::path& candidate,
                      const results::GateSettings& settings, bool allow_partial) {
  const DiffInput b = load_diff_input(base);
  const DiffInput c = load_diff_input(candidate);
  return diff_inputs(b, c, settings, allow_partial);
}

// ---------------------------------------------------------------- rendering

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

std::string fmt_p(double p) {
  if (std::isnan(p)) return "n/a";
  if (p != 0 && p < 1e-4) return fmt::format("{:.1e}", p);
  return fmt::format("{:.4f}", p);
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
    return verdict_rank(a->verdict) < verdict_rank(b->verdict);
  });
  return out;
}

std::string counts_line(const GateResult& r, bool emoji) {
  struct Item {
    Verdict v;
    const char* icon;
    const char* word;
  };
  const Item items[] = {{Verdict::kRegressed, "❌", "regressed"},
                        {Verdict::kError, "🛑", "error"},
                        {Verdict::kNotComparable, "⏭️", "not comparable"},
                        {Verdict::kInconclusive, "❔", "inconclusive"},
                        {Verdict::kWarn, "⚠️", "warn"},
                        {Verdict::kImproved, "⚡", "improved"},
                        {Verdict::kUnchanged, "🟰", "unchanged"}};
  std::vector<std::string> parts;
  for (const auto& it : items) {
    int n = 0;
    for (const auto& v : r.verdicts)
      n += (v.gated && v.verdict == it.v) ? 1 : 0;
    if (n == 0 && it.v != Verdict::kRegressed) continue;
    parts.push_back(emoji ? fmt::format("{} {} {}", it.icon, n, it.word)
                          : fmt::format("{} {}", n, it.word));
  }
  if (const int info = r.informational(); info > 0) {
    parts.push_back(emoji ? fmt::format("ℹ️ {} informational (not gated)", info)
                          : fmt::format("{} informational (not gated)", info));
  }
  return join(parts, emoji ? " · " : ", ");
}

// The outcome line every format starts with (gate/outcome.h: the one decision).
std::string outcome_line(const GateResult& r, bool warn_only) {
  return decide_outcome(nullptr, &r, warn_only).headline();
}

// Gated rows show their verdict; informational rows show it in parentheses.
std::string shown_verdict(const MetricVerdict& v) {
  const std::string name(verdict_name(v.verdict));
  return v.gated ? name : "(" + name + ")";
}

// Holm-adjusted p for gated rows; the raw p, marked, for informational ones.
std::string shown_p(const MetricVerdict& v) {
  return v.gated ? fmt_p(v.p_adjusted) : fmt_p(v.p_value) + " raw";
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
    width = std::max(width, n.size());
  width += std::string_view("_pvalue").size();

  std::string out = fmt::format("Comparing {} to {}\n", r.baseline_source, r.candidate_source);
  out += outcome_line(r, warn_only) + "\n";
  out += fmt::format("Gate: {} (Holm over {} at α = {}; 95 % CIs of the Hodges-Lehmann shift)\n",
                     counts_line(r, false), holm_family_text(r), r.alpha);
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
    const MetricVerdict* worst = verdict_rank(ct->verdict) < verdict_rank(rt->verdict) ? ct : rt;
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
    // compare.py prints the U test only with at least 2 repetitions on each side.
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
                     holm_family_text(r), r.alpha);
  render_attention(out, r);
  out += "\n";
  std::size_t w_cell = 4, w_metric = 6;
  for (const auto& v : r.verdicts) {
    w_cell = std::max(w_cell, label_of(v).size());
    w_metric = std::max(w_metric, v.metric.size());
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

std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      case '*':
      case '_':
      case '`':
      case '[':
      case ']':
      case '#':
      case '\\':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string md_row(const MetricVerdict& v) {
  static const std::map<Verdict, const char*> icon = {
      {Verdict::kRegressed, "❌"},          {Verdict::kError, "🛑"},
      {Verdict::kNotComparable, "⏭️"}, {Verdict::kInconclusive, "❔"},
      {Verdict::kWarn, "⚠️"},          {Verdict::kImproved, "⚡"},
      {Verdict::kUnchanged, "🟰"},       {Verdict::kChanged, "🔀"}};
  return fmt::format("| {} {} | {} | {} ({}) | {} | {} | {} | {} | {} |\n",
                     v.gated ? icon.at(v.verdict) : "ℹ️", shown_verdict(v),
                     md_escape(label_of(v)), md_escape(v.metric),
                     v.better == results::Better::kHigher ? "higher is better" : "lower is better",
                     fmt_value(v.baseline), fmt_value(v.current), md_escape(fmt_estimate(v)),
                     shown_p(v), md_escape(v.reason));
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
                     md_escape(outcome_line(r, warn_only)), md_escape(file_name(r.baseline_source)),
                     md_escape(file_name(r.candidate_source)));
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
    std::string line = "\n> " + md_escape(n) + "\n";
    if (out.size() + line.size() > kLimit) break;
    out += line;
  }
  return out;
}

}  // namespace

std::string render_diff(const GateResult& result, DiffFormat format, bool warn_only) {
  switch (format) {
    case DiffFormat::kJson: {
      std::string text = to_json_text(result);  // == to_json(result).dump(2), without the tree
      text += '\n';                             // (capacity reserved: no 6 MB copy)
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

}  // namespace benchgate::gate
