#include "gate/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "core/error.h"
#include "core/parse.h"
#include "core/pvalue.h"
#include "gate/gate.h"
#include "gate/outcome.h"
#include "gbench/json_scan.h"
#include "platform/fs.h"
#include "results/json.h"
#include "stats/descriptive.h"

namespace benchgate::gate {

using gbench::GbenchBenchmark;
using gbench::GbenchFile;
using gbench::TimeUnit;

namespace {

std::string file_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

}  // namespace

// ---------------------------------------------------------------- loading

DiffInput load_diff_input(const std::filesystem::path& path) {
  DiffInput in;
  in.path = path.string();
  auto mapped = gbench::detail::map_text(path);
  gbench::JsonDocument doc =
      gbench::parse_document(std::move(mapped.storage), mapped.text, in.path);
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

std::vector<double> times(const GbenchBenchmark& b, bool real, TimeUnit unit) {
  std::vector<double> out;
  out.reserve(b.iterations.size());
  for (const auto* row : b.iterations) {
    double v = real ? row->real_time : row->cpu_time;
    if (!std::isfinite(v)) continue;
    if (row->time_unit != unit) v = gbench::convert_time(v, row->time_unit, unit);
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
    return gbench::convert_time(*v, b.time_unit, unit);
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

using BenchmarkPair = std::pair<const GbenchBenchmark*, const GbenchBenchmark*>;

// Every benchmark of either file, paired by name: the base's order, then the candidate's
// extra ones (a side is null where the benchmark is missing).
std::vector<BenchmarkPair> pair_by_name(const std::vector<GbenchBenchmark>& gb,
                                        const std::vector<GbenchBenchmark>& gc) {
  std::unordered_map<std::string_view, const GbenchBenchmark*> cand_by_name;
  for (const auto& b : gc)
    cand_by_name.emplace(b.name, &b);
  std::unordered_map<std::string_view, const GbenchBenchmark*> base_by_name;
  for (const auto& b : gb)
    base_by_name.emplace(b.name, &b);
  std::vector<BenchmarkPair> order;
  order.reserve(gb.size() + gc.size());
  for (const auto& b : gb) {
    auto it = cand_by_name.find(b.name);
    order.emplace_back(&b, it == cand_by_name.end() ? nullptr : it->second);
  }
  for (const auto& c : gc) {
    if (!base_by_name.count(c.name)) order.emplace_back(nullptr, &c);
  }
  return order;
}

// Two times and the counters of each benchmark: the comparisons to reserve.
std::size_t expected_comparisons(const std::vector<BenchmarkPair>& order) {
  std::size_t expected = 0;
  for (const auto& [b, c] : order) {
    std::size_t counters = 0;
    for (const auto* side : {b, c}) {
      if (side && !side->iterations.empty())
        counters = std::max(counters, side->iterations.front()->counters.size());
    }
    expected += 2 + counters;
  }
  return expected;
}

// The two file names the verdicts and reasons name.
struct DiffNames {
  std::string base, cand;
};

// A benchmark that cannot be tested: missing on one side, errored, skipped, or without
// iteration rows. Its verdict and reason (an empty reason when it can be tested).
struct Forced {
  Verdict verdict = Verdict::kUnchanged;
  std::string reason;
};

Forced forced_verdict(const GbenchBenchmark* b, const GbenchBenchmark* c, const DiffNames& names) {
  if (!b || !c)
    return {Verdict::kNotComparable, fmt::format("only in {}", b ? names.base : names.cand)};
  if (!b->errors.empty() || !c->errors.empty()) {
    return {Verdict::kError,
            !c->errors.empty() ? errors_text(*c, names.cand) : errors_text(*b, names.base)};
  }
  if ((b->iterations.empty() && b->aggregates.empty() && !b->skipped.empty()) ||
      (c->iterations.empty() && c->aggregates.empty() && !c->skipped.empty())) {
    const auto* s = !b->skipped.empty() ? b : c;
    return {Verdict::kNotComparable,
            fmt::format("skipped in {}: {}", s == b ? names.base : names.cand,
                        s->skipped.front()->skip_message)};
  }
  if (b->iterations.empty() || c->iterations.empty()) {
    return {Verdict::kInconclusive,
            fmt::format("cannot test without iteration rows ({} has aggregates only)",
                        b->iterations.empty() ? names.base : names.cand)};
  }
  return {};
}

constexpr const char* kTimes[] = {"real_time", "cpu_time"};

// A real_time or cpu_time comparison of one benchmark, with its policy, without samples.
Comparison time_comparison(const std::string& name, TimeUnit unit, const char* metric,
                           const DiffNames& names, const results::GateSettings& settings) {
  const std::string unit_name(gbench::time_unit_name(unit));
  Comparison x;
  x.cell = name;
  x.metric = metric;
  x.baseline_label = names.base;
  x.paired = false;
  const results::MetricInfo info{
      metric, unit_name, results::Better::kLower, results::Scale::kRatio, kGbenchTimeMinEffect,
      0,      ""};
  x.policy = resolve_policy(settings, "", name, metric, info);
  x.policy.unit = unit_name;
  return x;
}

// The time comparisons of a benchmark that cannot be tested; an inconclusive one carries the
// medians (of the iterations or the aggregates) as hints.
void add_forced_times(std::vector<Comparison>& comps, const GbenchBenchmark* b,
                      const GbenchBenchmark* c, const Forced& forced, const DiffNames& names,
                      const results::GateSettings& settings) {
  const std::string& name = b ? b->name : c->name;
  const TimeUnit unit = b ? b->time_unit : c->time_unit;
  for (const char* metric : kTimes) {
    Comparison x = time_comparison(name, unit, metric, names, settings);
    x.forced = forced.verdict;
    x.forced_reason = forced.reason;
    if (b && c && forced.verdict == Verdict::kInconclusive) {
      x.baseline_hint = b->iterations.empty()
                            ? agg_hint(*b, metric, unit)
                            : std::optional(stats::median(times(*b, metric[0] == 'r', unit)));
      x.current_hint = c->iterations.empty()
                           ? agg_hint(*c, metric, unit)
                           : std::optional(stats::median(times(*c, metric[0] == 'r', unit)));
    }
    comps.push_back(std::move(x));
  }
}

void add_times(std::vector<Comparison>& comps, const GbenchBenchmark& b, const GbenchBenchmark& c,
               const DiffNames& names, const results::GateSettings& settings) {
  for (const char* metric : kTimes) {
    Comparison x = time_comparison(b.name, b.time_unit, metric, names, settings);
    const bool real = metric[0] == 'r';
    x.baseline = times(b, real, b.time_unit);
    x.current = times(c, real, b.time_unit);
    if (x.baseline.empty() || x.current.empty()) {
      x.forced = Verdict::kInconclusive;
      x.forced_reason = "no finite values on one side";
    }
    comps.push_back(std::move(x));
  }
}

bool has_counter(const GbenchBenchmark& b, const std::string& counter) {
  const auto& counters = b.iterations.front()->counters;
  return std::any_of(counters.begin(), counters.end(),
                     [&](const auto& kv) { return kv.first == counter; });
}

// Counters, in the base's first-row order, then the candidate's extra ones. Each is gated only
// when the settings name it; unknown_direction marks the plain counters (not "*_per_second",
// not gated) whose direction nobody declared.
void add_counters(std::vector<Comparison>& comps, std::vector<bool>& unknown_direction,
                  const GbenchBenchmark& b, const GbenchBenchmark& c, const DiffNames& names,
                  const results::GateSettings& settings) {
  std::vector<std::string> counter_names;
  std::set<std::string> seen;
  for (const auto* side : {&b, &c}) {
    if (side->iterations.empty()) continue;
    for (const auto& [k, v] : side->iterations.front()->counters) {
      if (seen.insert(std::string(k)).second) counter_names.emplace_back(k);
    }
  }
  for (const auto& counter : counter_names) {
    Comparison x;
    x.cell = b.name;
    x.metric = counter;
    x.baseline_label = names.base;
    x.baseline = counter_values(b, counter);
    x.current = counter_values(c, counter);
    bool positive = true;
    for (const auto* v : {&x.baseline, &x.current}) {
      for (double d : *v)
        positive = positive && d > 0;
    }
    const bool rate = counter.size() > 11 && std::string_view(counter).ends_with("_per_second");
    const results::MetricInfo info{counter,
                                   rate ? "/s" : "",
                                   rate ? results::Better::kHigher : results::Better::kLower,
                                   positive ? results::Scale::kRatio : results::Scale::kDifference,
                                   kGbenchTimeMinEffect,
                                   0,
                                   ""};
    x.policy = resolve_policy(settings, "", b.name, counter, info);
    if (!mentions(settings, b.name, counter)) x.policy.gated = false;
    unknown_direction.resize(comps.size(), false);
    unknown_direction.push_back(!rate && !x.policy.gated);
    const bool in_b = has_counter(b, counter);
    const bool in_c = has_counter(c, counter);
    if (!in_b || !in_c) {
      x.forced = Verdict::kNotComparable;
      x.forced_reason = fmt::format("counter only in {}", in_b ? names.base : names.cand);
    } else if (x.baseline.empty() || x.current.empty()) {
      x.forced = Verdict::kInconclusive;
      x.forced_reason = "no finite values on one side (NaN or infinite)";
    }
    comps.push_back(std::move(x));
  }
}

// A plain counter has no known better direction: a significant change is "changed"
// (informational), never regressed, warn or improved, unless the settings give its direction.
void mark_unknown_directions(GateResult& r, const std::vector<bool>& unknown_direction) {
  for (std::size_t i = 0; i < r.verdicts.size() && i < unknown_direction.size(); ++i) {
    auto& v = r.verdicts[i];
    if (!unknown_direction[i] || v.gated) continue;
    if (v.verdict == Verdict::kRegressed || v.verdict == Verdict::kWarn ||
        v.verdict == Verdict::kImproved) {
      v.verdict = Verdict::kChanged;
      v.cause.clear();
      v.reason = fmt::format(
          "changed by {}{} (p two-sided {}); direction unknown (informational: not gated)",
          describe_change(v, v.estimate), describe_ci(v), p_relation(v.p_two_sided));
    } else if (v.verdict == Verdict::kInconclusive && v.cause == "not_significant") {
      v.cause = "wide_ci";
      v.reason = fmt::format(
          "changed by {}{}, not significant (p two-sided {}); direction unknown "
          "(informational: not gated)",
          describe_change(v, v.estimate), describe_ci(v), p_relation(v.p_two_sided));
    }
  }
}

}  // namespace

GateResult diff_gbench(const GbenchFile& base, const GbenchFile& candidate,
                       const results::GateSettings& settings) {
  const auto gb = gbench::group_benchmarks(base);
  const auto gc = gbench::group_benchmarks(candidate);
  const DiffNames names{file_name(base.origin), file_name(candidate.origin)};
  const auto order = pair_by_name(gb, gc);

  std::vector<Comparison> comps;
  std::vector<bool> unknown_direction;  // per comparison: a plain counter
  comps.reserve(expected_comparisons(order));
  for (const auto& [b, c] : order) {
    if (const Forced forced = forced_verdict(b, c, names); !forced.reason.empty()) {
      add_forced_times(comps, b, c, forced, names, settings);
      continue;
    }
    add_times(comps, *b, *c, names, settings);
    add_counters(comps, unknown_direction, *b, *c, names, settings);
  }

  EvaluateOptions opt;
  opt.mode = "diff";
  opt.baseline_source = base.origin;
  GateResult r = evaluate(comps, settings, opt);
  r.candidate_source = candidate.origin;
  r.format = "gbench";
  mark_unknown_directions(r, unknown_direction);
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

}  // namespace benchgate::gate
