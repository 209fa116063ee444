#include "gate/gate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "core/parse.h"
#include "core/pvalue.h"
#include "gate/counted.h"
#include "gate/index.h"
#include "stats/descriptive.h"
#include "stats/hodges_lehmann.h"
#include "stats/holm.h"
#include "stats/rank_tests.h"

namespace benchgate::gate {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using results::Better;
using results::Scale;

// ---------------------------------------------------------------- formatting

std::string fmt_change(double v, const MetricPolicy& p) {
  if (std::isnan(v)) return "n/a";
  if (p.scale == Scale::kRatio) {
    const double pct = v * 100;
    if (std::fabs(pct) >= 10) return fmt::format("{:+.1f} %", pct);
    return fmt::format("{:+.2f} %", pct);
  }
  const std::string sign = v < 0 ? "-" : "+";
  if (p.unit == "bytes") return sign + format_bytes(std::fabs(v));
  if (p.unit == "s") return sign + format_latency(std::fabs(v));
  return fmt::format("{:+.4g}{}{}", v, p.unit.empty() ? "" : " ", p.unit);
}

std::string fmt_limit(double me, const MetricPolicy& p) {
  if (p.scale == Scale::kRatio) return fmt::format("±{:.3g} %", me * 100);
  std::string s = fmt_change(me, p);
  return "±" + s.substr(1);
}

std::string fmt_ci(double lo, double hi, const MetricPolicy& p) {
  if (std::isnan(lo) || std::isnan(hi)) return "[no CI: too few values]";
  return fmt::format("[{}, {}]", fmt_change(lo, p), fmt_change(hi, p));
}

// ---------------------------------------------------------------- per-comparison work

struct Tested {
  bool informative = false;  // the test could reject at all
  double p_worse = 1, p_better = 1, p_two = 1, p_min = 1;
  int n_nonzero = 0;
  double estimate = kNaN, ci_low = kNaN, ci_high = kNaN;
  double min_effect = 0;
};

// Replaces values ≤ 0 of a ratio metric (see gate.h) and returns the smallest positive value.
void make_positive(std::vector<double>& a, std::vector<double>& b) {
  double smallest = std::numeric_limits<double>::infinity();
  for (const auto* v : {&a, &b}) {
    for (double x : *v) {
      if (x > 0) smallest = std::min(smallest, x);
    }
  }
  const double eps = std::isfinite(smallest) ? smallest * 1e-9 : 1e-300;
  for (auto* v : {&a, &b}) {
    for (double& x : *v) {
      if (!(x > 0)) x = eps;
    }
  }
}

Tested run_tests(const Comparison& c, double ci_level) {
  Tested t;
  const Better better = c.policy.better;
  const auto worse_alt =
      better == Better::kLower ? stats::Alternative::kGreater : stats::Alternative::kLess;
  const auto better_alt =
      better == Better::kLower ? stats::Alternative::kLess : stats::Alternative::kGreater;
  std::vector<double> base = c.baseline;
  std::vector<double> cur = c.current;
  const bool ratio = c.policy.scale == Scale::kRatio;
  if (ratio) make_positive(base, cur);

  stats::ShiftEstimate hl;
  if (c.paired) {
    std::vector<double> d(base.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
      d[i] = ratio ? std::log(cur[i] / base[i]) : cur[i] - base[i];
    }
    const auto st = stats::signed_rank_statistic(d);
    t.p_worse = stats::wilcoxon_signed_rank(st, worse_alt).p_value;
    t.p_better = stats::wilcoxon_signed_rank(st, better_alt).p_value;
    t.p_two = stats::wilcoxon_signed_rank(st, stats::Alternative::kTwoSided).p_value;
    t.n_nonzero = st.n;
    t.informative = st.n > 0;
    // The test drops zero differences, so its smallest p depends on the non-zero ones only.
    t.p_min = stats::wilcoxon_min_p(st.n);
    hl = stats::hodges_lehmann_one_sample(d, ci_level);
  } else {
    // Ranks of the raw values equal those of their logs; testing the raw values avoids ties
    // that rounding in log() could create (and keeps compare.py's p-values exactly). The gate's
    // one-sided tests use the exact null distribution whenever there are no ties (it is cheap
    // for any realistic run count, and the normal approximation overstates tail p-values
    // several-fold at 10-12 runs); p_two is scipy's method="auto", as compare.py reports it.
    const auto st = stats::u_statistic(cur, base);
    t.p_worse = stats::mann_whitney_u(st, worse_alt, stats::Method::kExact).p_value;
    t.p_better = stats::mann_whitney_u(st, better_alt, stats::Method::kExact).p_value;
    t.p_two = stats::mann_whitney_u(st, stats::Alternative::kTwoSided).p_value;
    const double n = static_cast<double>(base.size() + cur.size());
    t.informative = !base.empty() && !cur.empty() && st.tie_term < n * n * n - n;
    t.p_min = stats::mann_whitney_min_p(static_cast<int>(cur.size()), static_cast<int>(base.size()),
                                        stats::Alternative::kGreater, stats::Method::kExact);
    if (ratio) {
      for (double& x : base)
        x = std::log(x);
      for (double& x : cur)
        x = std::log(x);
    }
    hl = stats::hodges_lehmann_two_sample(cur, base, ci_level);
  }
  auto to_scale = [&](double x) { return ratio ? std::expm1(x) : x; };
  t.estimate = to_scale(hl.estimate);
  t.ci_low = to_scale(hl.ci_low);
  t.ci_high = to_scale(hl.ci_high);
  return t;
}

double min_effect_for(const MetricPolicy& p, double baseline_median) {
  if (p.scale == Scale::kRatio) {
    double me = p.min_effect_rel;
    if (p.min_effect_abs > 0 && baseline_median > 0) {
      me = std::max(me, p.min_effect_abs / baseline_median);
    }
    return me;
  }
  if (p.min_effect_abs > 0) return p.min_effect_abs;
  return p.min_effect_rel * std::fabs(baseline_median);
}

std::string test_name(const Comparison& c) {
  return c.paired ? "wilcoxon-signed-rank" : "mann-whitney-u";
}

}  // namespace

// ---------------------------------------------------------------- policy

MetricPolicy resolve_policy(const results::GateSettings& settings, std::string_view scenario,
                            std::string_view cell, std::string_view metric,
                            const std::optional<results::MetricInfo>& known) {
  MetricPolicy p;
  p.alpha = settings.alpha;
  if (known) {
    p.unit = std::string(known->unit);
    p.better = known->better;
    p.scale = known->scale;
    p.min_effect_rel = known->min_effect_rel;
    p.min_effect_abs = known->min_effect_abs;
    p.gated = true;
  } else {
    p.min_effect_rel = 0.05;
    p.gated = false;
    // Metrics outside the registry that still carry a latency (latency_max, latency_mean,
    // other percentiles) are times in seconds where lower is better.
    if (metric.starts_with("latency_")) {
      p.unit = "s";
      p.better = results::Better::kLower;
      p.scale = results::Scale::kRatio;
    }
  }
  auto apply = [&](const results::MetricThreshold& t) {
    if (t.min_effect_rel) p.min_effect_rel = *t.min_effect_rel;
    if (t.min_effect_abs) p.min_effect_abs = *t.min_effect_abs;
    if (t.alpha) p.alpha = *t.alpha;
    if (t.better) p.better = *t.better;
    p.gated = t.enabled;
  };
  const std::string m(metric);
  if (auto it = settings.metrics.find(m); it != settings.metrics.end()) apply(it->second);
  for (std::string_view key : {scenario, cell}) {
    if (key.empty()) continue;
    auto s = settings.per_scenario.find(std::string(key));
    if (s == settings.per_scenario.end()) continue;
    if (auto it = s->second.find(m); it != s->second.end()) apply(it->second);
  }
  return p;
}

// ---------------------------------------------------------------- evaluate

namespace {

// Sample counts behind a too-few-runs advice → (smallest possible p, runs needed).
using TooFew = std::map<std::pair<std::size_t, bool>, std::pair<double, int>>;

// The verdict's description of the comparison: names, policy, sample sizes and medians.
MetricVerdict describe(const Comparison& c, const EvaluateOptions& options) {
  MetricVerdict v;
  v.app = c.app;
  v.cell = c.cell;
  v.scenario = c.scenario;
  v.metric = c.metric;
  v.unit = c.policy.unit;
  v.better = c.policy.better;
  v.scale = c.policy.scale;
  v.baseline_label = c.baseline_label;
  v.n_baseline = static_cast<int>(c.baseline.size());
  v.n_current = static_cast<int>(c.current.size());
  v.paired = c.paired;
  v.gated = c.policy.gated;
  v.alpha = c.policy.alpha * options.alpha_scale;
  v.ci_level = options.ci_level;
  v.measured_s = c.measured_s;
  v.artifacts = c.artifacts;
  v.baseline = c.baseline.empty() ? c.baseline_hint.value_or(kNaN) : stats::median(c.baseline);
  v.current = c.current.empty() ? c.current_hint.value_or(kNaN) : stats::median(c.current);
  v.min_effect = min_effect_for(c.policy, v.baseline);
  return v;
}

// A comparison decided before any test (c.forced): no p-values; the change of the hints as
// the estimate when both exist.
void apply_forced(MetricVerdict& v, const Comparison& c) {
  v.verdict = *c.forced;
  v.reason = c.forced_reason;
  if (!c.note.empty()) v.reason += " (" + c.note + ")";
  v.test = "none";
  v.p_value = v.p_adjusted = v.p_improved = v.p_two_sided = kNaN;
  v.p_min = kNaN;
  v.estimate = v.ci_low = v.ci_high = kNaN;
  if (c.baseline_hint && c.current_hint && *c.baseline_hint != 0) {
    v.estimate = c.policy.scale == Scale::kRatio ? *c.current_hint / *c.baseline_hint - 1
                                                 : *c.current_hint - *c.baseline_hint;
  }
}

// "1 pair", "2 runs per side", "1 vs 2 runs" (unpaired sides of different sizes); paired with
// zero differences, the non-zero ones the test counts.
std::string samples_text(const Comparison& c, const Tested& t, std::size_t n_for_note,
                         bool zeros_dropped) {
  if (zeros_dropped) {
    return fmt::format("{} pair{} with {} non-zero difference{} (the test drops zeros)", n_for_note,
                       n_for_note == 1 ? "" : "s", t.n_nonzero, t.n_nonzero == 1 ? "" : "s");
  }
  if (c.paired) return fmt::format("{} pair{}", n_for_note, n_for_note == 1 ? "" : "s");
  if (c.baseline.size() != c.current.size()) {
    return fmt::format("{} vs {} runs", c.baseline.size(), c.current.size());
  }
  return fmt::format("{} run{} per side", n_for_note, n_for_note == 1 ? "" : "s");
}

// Holm's family as one verdict sees it: its size (Tarone's rule: the gated tests that can
// reach α/m), the level m, how many gated tests there are, and whether this test was left out.
struct HolmFamily {
  int size = 1;
  int level = 1;
  int tests = 0;
  bool left_out = false;
};

// " with Holm over 3 tests", " / 4 (Tarone's rule: ...)", or "" for an ungated test.
std::string family_text(const MetricVerdict& v, const HolmFamily& holm, int family) {
  if (!v.gated) return {};
  if (holm.left_out) {
    return fmt::format(" / {} (Tarone's rule: Holm runs over the {} of {} tests that can)",
                       holm.level, holm.size, holm.tests);
  }
  return family > 1 ? fmt::format(" with Holm over {} tests", family) : std::string();
}

// The decision rule on a tested comparison: its verdict, cause and reason, with the Holm family
// (Tarone's rule) of the gated tests; too_few collects the advice notes.
void decide(MetricVerdict& v, const Comparison& c, const Tested& t, const HolmFamily& holm,
            double p_better_adj, TooFew& too_few) {
  const int family = v.gated ? holm.size : 1;
  const double me = v.min_effect;
  const double sign = c.policy.better == Better::kLower ? 1.0 : -1.0;
  const double worse_est = sign * v.estimate;
  const bool sig_worse = v.p_adjusted < v.alpha;
  const bool sig_better = p_better_adj < v.alpha;
  const bool big_worse = worse_est > me;
  const bool big_better = -worse_est > me;
  const bool ci_ok = !std::isnan(v.ci_low) && !std::isnan(v.ci_high);
  const bool ci_within = ci_ok && v.ci_low >= -me && v.ci_high <= me;
  // A test without any non-zero difference (identical on every pair) is not "too few runs":
  // its CI says how small the change is.
  const bool can_reach = !t.informative || (!holm.left_out && t.p_min * family < v.alpha);
  const std::string est = fmt_change(v.estimate, c.policy);
  const std::string ci = fmt_ci(v.ci_low, v.ci_high, c.policy);
  const std::string limit = fmt_limit(me, c.policy);
  const std::string p_txt = fmt::format("{} {}", v.gated ? "p_adj" : "p", p_relation(v.p_adjusted));
  const std::string unit_word = c.paired ? "pairs" : "runs per side";
  const std::size_t n_for_note =
      c.paired ? c.baseline.size() : std::min(c.baseline.size(), c.current.size());
  const bool zeros_dropped = c.paired && static_cast<std::size_t>(t.n_nonzero) < n_for_note;

  if (sig_worse && big_worse) {
    v.verdict = Verdict::kRegressed;
    v.reason = fmt::format("{} {} is worse than the {} limit; {} < α = {}", est, ci, limit, p_txt,
                           v.alpha);
  } else if (!can_reach && !sig_worse && !sig_better && !ci_within) {
    // (A CI inside ± the limit decides "unchanged" below without the test reaching α: that
    // is an equivalence decision, e.g. peak RSS identical to the page on most pairs.)
    v.verdict = Verdict::kInconclusive;
    v.cause = "too_few_runs";
    // Advice: with this many, the test can reach α even if every gated test can (Holm over
    // all of them), so it is enough whatever Tarone's rule decides then.
    const int advice_family = v.gated ? std::max(holm.tests, 1) : 1;
    const double level = v.alpha / advice_family;
    const int needed = c.paired ? stats::wilcoxon_pairs_needed(level)
                                : stats::mann_whitney_runs_needed(
                                      level, stats::Alternative::kGreater, stats::Method::kExact);
    v.reason = fmt::format(
        "{} can never reach α = {}{}: the smallest possible p is {}; {} needs ≥ {} {} "
        "(estimate {})",
        samples_text(c, t, n_for_note, zeros_dropped), v.alpha, family_text(v, holm, family),
        format_p(t.p_min), "the test", needed,
        zeros_dropped ? std::string("non-zero differences") : unit_word, est);
    // The advice counts gated tests only: an ungated metric is tested alone (no Holm)
    // and would understate the pairs the gate needs. Zero differences are a property of the
    // metric's values, not of the pair count: their reason says so instead.
    if (v.gated && !zeros_dropped) too_few[{n_for_note, c.paired}] = {t.p_min, needed};
  } else if (sig_worse) {
    // The one meaning of warn: significantly worse, but by less than the limit.
    v.verdict = Verdict::kWarn;
    v.reason = fmt::format("significantly worse ({} < α = {}) but {} {} is within the {} limit",
                           p_txt, v.alpha, est, ci, limit);
  } else if (big_worse) {
    v.verdict = Verdict::kInconclusive;
    v.cause = "not_significant";
    v.reason = fmt::format(
        "{} {} is worse than the {} limit but not significant ({} ≥ α = {}): more runs needed", est,
        ci, limit, p_txt, v.alpha);
  } else if (sig_better && big_better) {
    v.verdict = Verdict::kImproved;
    v.reason = fmt::format("{} {} is better beyond the {} limit; p_better{} {} < α = {}", est, ci,
                           limit, v.gated ? "_adj" : "", p_relation(p_better_adj), v.alpha);
  } else if (ci_within) {
    v.verdict = Verdict::kUnchanged;
    v.reason = fmt::format("{} {} lies within {}", est, ci, limit);
  } else {
    v.verdict = Verdict::kInconclusive;
    v.cause = "wide_ci";
    v.reason = ci_ok ? fmt::format("{} {} is wider than {}: more runs needed", est, ci, limit)
                     : fmt::format("{} {}: more runs needed", est, ci);
  }
}

// The notes that say how many pairs or runs the gate needs, one per sample count seen.
void add_too_few_notes(GateResult& r, const TooFew& too_few) {
  for (const auto& [key, val] : too_few) {
    const auto& [n, paired] = key;
    r.notes.push_back(fmt::format(
        "{} {} cannot reach α = {} with Holm over {} tests (smallest possible p {}); at least {} "
        "{} are needed",
        n, paired ? (n == 1 ? "pair" : "pairs") : (n == 1 ? "run per side" : "runs per side"),
        r.alpha, r.tests, format_p(val.first), val.second, paired ? "pairs" : "runs per side"));
    // (Tarone's rule lets the tests that can speak decide meanwhile; the advice is the count at
    // which every gated test can.)
  }
}

}  // namespace

GateResult evaluate(const std::vector<Comparison>& comparisons,
                    const results::GateSettings& settings, const EvaluateOptions& options) {
  GateResult r;
  r.mode = options.mode;
  r.baseline_source = options.baseline_source;
  r.alpha = settings.alpha * options.alpha_scale;
  r.verdicts.reserve(comparisons.size());

  // The tests, and Holm over the gated ones that can say something.
  std::vector<Tested> tested(comparisons.size());
  std::vector<double> fam_worse(comparisons.size(), kNaN);
  std::vector<double> fam_better(comparisons.size(), kNaN);
  std::vector<double> fam_p_min(comparisons.size(), kNaN);
  for (std::size_t i = 0; i < comparisons.size(); ++i) {
    const auto& c = comparisons[i];
    if (c.forced || is_counted_metric(c.metric)) continue;  // counted: the spread rule
    tested[i] = run_tests(c, options.ci_level);
    if (c.policy.gated && tested[i].informative) {
      fam_worse[i] = tested[i].p_worse;
      fam_better[i] = tested[i].p_better;
      fam_p_min[i] = tested[i].p_min;
      ++r.tests;
    }
  }
  // Holm over the tests that can speak (Tarone's rule, docs/statistics.md): a test whose
  // smallest attainable p cannot reach α/m does not count in the family. The family depends on
  // the tests' p_min only (their n, zeros and ties), never on their p.
  if (!settings.tarone) {
    // Plain Holm (for measuring the rule's gain): every informative test can "reach" α/m.
    for (auto& p : fam_p_min) {
      if (!std::isnan(p)) p = 0;
    }
  }
  const auto tarone = stats::tarone_family(fam_p_min, r.alpha);
  r.holm_family = static_cast<int>(tarone.size);
  r.holm_level = static_cast<int>(tarone.level);
  const double tarone_cut = r.alpha / static_cast<double>(tarone.level);
  const auto adj_worse = stats::tarone_holm_adjust(fam_worse, fam_p_min, r.alpha);
  const auto adj_better = stats::tarone_holm_adjust(fam_better, fam_p_min, r.alpha);

  TooFew too_few;
  for (std::size_t i = 0; i < comparisons.size(); ++i) {
    const auto& c = comparisons[i];
    const auto& t = tested[i];
    MetricVerdict v = describe(c, options);
    if (c.forced) {
      apply_forced(v, c);
      r.verdicts.push_back(std::move(v));
      continue;
    }
    if (is_counted_metric(c.metric)) {
      decide_by_spread(c, v);
      r.verdicts.push_back(std::move(v));
      continue;
    }
    v.test = test_name(c);
    v.estimate = t.estimate;
    v.ci_low = t.ci_low;
    v.ci_high = t.ci_high;
    v.p_value = t.p_worse;
    v.p_improved = t.p_better;
    v.p_two_sided = t.p_two;
    v.p_min = t.p_min;
    const bool in_family = !std::isnan(fam_worse[i]);
    v.p_adjusted = in_family ? adj_worse[i] : t.p_worse;
    HolmFamily holm;
    holm.size = std::max(r.holm_family, 1);
    holm.level = r.holm_level;
    holm.tests = r.tests;
    // Gated and informative, but left out by Tarone's rule: it can never be significant.
    holm.left_out = settings.tarone && in_family && !(t.p_min <= tarone_cut);
    decide(v, c, t, holm, in_family ? adj_better[i] : t.p_better, too_few);
    // Ungated metrics keep the verdict the rule gives (so a reader sees which way they moved),
    // but they are information only: never in Holm's family, the counts or the exit code.
    if (!v.gated) v.reason += " (informational: not gated, raw p)";
    if (!t.informative && v.verdict == Verdict::kUnchanged) {
      v.reason = c.paired ? "identical on every pair" : "every value identical on both sides";
    }
    if (!c.note.empty()) v.reason += " (" + c.note + ")";
    r.verdicts.push_back(std::move(v));
  }
  add_too_few_notes(r, too_few);
  if (options.alpha_scale != 1.0) {
    r.notes.push_back(fmt::format(
        "confirmation extension declared: each of the two looks tests at α = {}", r.alpha));
  }
  return r;
}

// ---------------------------------------------------------------- A/B

namespace {

// The A/B samples of one metric: the values of the iterations both apps measured, in
// iteration order; the others are left out with a note (no partner) or, when no iteration
// has both, the comparison is not comparable. Maps are iteration → value.
void pair_by_iteration(Comparison& c, const auto& base_values, const auto& cand_values) {
  std::vector<int> unpaired;
  for (const auto& [it, x] : base_values) {
    auto y = cand_values.find(it);
    if (y == cand_values.end()) {
      unpaired.push_back(it);
      continue;
    }
    c.baseline.push_back(x);
    c.current.push_back(y->second);
  }
  for (const auto& [it, y] : cand_values) {
    if (!base_values.count(it)) unpaired.push_back(it);
  }
  if (c.baseline.empty()) {
    c.forced = Verdict::kNotComparable;
    c.forced_reason = "no iteration measured both apps";
  } else if (!unpaired.empty()) {
    c.note = fmt::format("{} iteration{} without a partner left out", unpaired.size(),
                         unpaired.size() == 1 ? "" : "s");
  }
}

}  // namespace

GateResult run_ab(const results::ResultsFile& results, const results::GateSettings& settings) {
  std::vector<std::string> baselines, candidates;
  for (const auto& run : results.runs) {
    auto& list = run.role == "baseline" ? baselines : candidates;
    if (run.role.empty()) continue;
    if (std::find(list.begin(), list.end(), run.app) == list.end()) list.push_back(run.app);
  }
  EvaluateOptions opt;
  opt.mode = "ab";
  opt.alpha_scale = look_alpha_scale(settings);
  if (baselines.size() != 1 || candidates.empty()) {
    GateResult r;
    r.mode = "ab";
    r.alpha = settings.alpha;
    r.notes.push_back(fmt::format(
        "A/B gate needs exactly one app with role \"baseline\" and at least one with role "
        "\"candidate\" (found {} baseline, {} candidate): nothing compared",
        baselines.size(), candidates.size()));
    return r;
  }
  const std::string& base = baselines.front();
  opt.baseline_source = base;
  const detail::Index ix = detail::build_index(results);

  std::vector<Comparison> comps;
  for (const auto& cand : candidates) {
    for (const auto& cell : ix.cells) {
      const auto& scenario = ix.cell_scenario.at(cell);
      std::set<std::string> names;
      for (const auto* app : {&base, &cand}) {
        if (auto it = ix.metrics.find({*app, cell}); it != ix.metrics.end()) {
          names.insert(it->second.begin(), it->second.end());
        }
      }
      const std::string fail_b = detail::failure_of(ix, base, cell);
      const std::string fail_c = detail::failure_of(ix, cand, cell);
      if (names.empty()) {
        if (fail_b.empty() && fail_c.empty()) continue;  // a cell neither app measured
        names.insert("(all)");
      }
      for (const auto& metric : detail::ordered_metrics(names)) {
        Comparison c;
        c.app = cand;
        c.cell = cell;
        c.scenario = scenario;
        c.metric = metric;
        c.baseline_label = base;
        c.paired = true;
        c.policy = resolve_policy(settings, scenario, cell, metric, results::find_metric(metric));
        auto mb = ix.measured.find({base, cell});
        auto mc = ix.measured.find({cand, cell});
        c.measured_s =
            (mb != ix.measured.end() ? mb->second : 0) + (mc != ix.measured.end() ? mc->second : 0);
        if (auto a = ix.artifacts.find({cand, cell}); a != ix.artifacts.end())
          c.artifacts = a->second;
        if (!fail_b.empty() || !fail_c.empty()) {
          c.forced = Verdict::kError;
          c.forced_reason = !fail_c.empty() ? fail_c : fail_b;
          comps.push_back(std::move(c));
          continue;
        }
        auto vb = ix.values.find({base, cell, metric});
        auto vc = ix.values.find({cand, cell, metric});
        if (vb == ix.values.end() || vc == ix.values.end()) {
          c.forced = Verdict::kNotComparable;
          c.forced_reason =
              fmt::format("{} measured for {} only", metric, vb == ix.values.end() ? cand : base);
          comps.push_back(std::move(c));
          continue;
        }
        pair_by_iteration(c, vb->second, vc->second);
        const int inv = ix.count(ix.invalid, base, cell) + ix.count(ix.invalid, cand, cell);
        if (inv > 0) {
          c.note += fmt::format("{}{} invalid period{} excluded", c.note.empty() ? "" : "; ", inv,
                                inv == 1 ? "" : "s");
        }
        comps.push_back(std::move(c));
      }
    }
  }
  GateResult r = evaluate(comps, settings, opt);
  int max_pairs = 0;
  for (const auto& v : r.verdicts)
    max_pairs = std::max(max_pairs, v.n_current);
  if (max_pairs > 0 && max_pairs < settings.min_runs) {
    r.notes.push_back(
        fmt::format("only {} pairs measured; the gate wants {}", max_pairs, settings.min_runs));
  }
  return r;
}

// ---------------------------------------------------------------- confirmation

double look_alpha_scale(const results::GateSettings& settings) {
  return settings.confirm > 0 ? 0.5 : 1.0;
}

bool needs_confirmation(const GateResult& first_look) {
  for (const auto& v : first_look.verdicts) {
    if (v.gated && (v.verdict == Verdict::kWarn || v.verdict == Verdict::kInconclusive)) {
      return true;
    }
  }
  return false;
}

GateResult merge_confirmation(const GateResult& first_look, const GateResult& second_look,
                              int extra_pairs) {
  GateResult r = second_look;
  std::map<std::tuple<std::string, std::string, std::string>, const MetricVerdict*> first;
  for (const auto& v : first_look.verdicts)
    first[{v.app, v.cell, v.metric}] = &v;
  for (auto& v : r.verdicts) {
    auto it = first.find({v.app, v.cell, v.metric});
    if (it == first.end()) continue;
    const MetricVerdict& f = *it->second;
    if (f.verdict == Verdict::kWarn || f.verdict == Verdict::kInconclusive) {
      v.looks = 2;
      v.reason += fmt::format(" [second look with {} extra pairs; first look: {}]", extra_pairs,
                              verdict_name(f.verdict));
    } else {
      v = f;  // settled by the first look
    }
  }
  r.notes.push_back(fmt::format(
      "confirmation extension: {} extra pairs; warn/inconclusive verdicts re-tested once, both "
      "looks at α = {}",
      extra_pairs, r.alpha));
  return r;
}

GateResult confirm_ab(const GateResult& first_look, const results::ResultsFile& extended,
                      const results::GateSettings& settings) {
  return merge_confirmation(first_look, run_ab(extended, settings), settings.confirm);
}

// ---------------------------------------------------------------- run-count check

std::optional<std::string> check_run_count(int runs, int tests, double alpha, bool paired) {
  tests = std::max(tests, 1);
  const double level = alpha / tests;
  const double p_min = paired ? stats::wilcoxon_min_p(runs)
                              : stats::mann_whitney_min_p(runs, runs, stats::Alternative::kGreater,
                                                          stats::Method::kExact);
  if (p_min < level) return std::nullopt;
  const int needed = paired ? stats::wilcoxon_pairs_needed(level)
                            : stats::mann_whitney_runs_needed(level, stats::Alternative::kGreater,
                                                              stats::Method::kExact);
  const char* what = paired ? "pairs" : "runs per side";
  return fmt::format(
      "{} {} can never reach α = {} with Holm over up to {} tests (every gated metric of every "
      "cell, planned before the runs; smallest possible p {}); use at least {} {}",
      runs, what, alpha, tests, format_p(p_min), needed, what);
}

std::vector<std::string> gated_metric_names(const results::GateSettings& settings) {
  std::vector<std::string> out;
  for (const auto& m : results::known_metrics()) {
    auto it = settings.metrics.find(std::string(m.name));
    if (it != settings.metrics.end() && !it->second.enabled) continue;
    if (is_counted_metric(m.name)) continue;  // decided by the spread rule, not in Holm's family
    out.emplace_back(m.name);
  }
  return out;
}

}  // namespace benchgate::gate
