// The gate engine: A/B (paired) and stored-baseline (unpaired) verdicts, Holm, confirmation.
// p-values and estimates are checked against scipy values (tests/data/stats/reference.json,
// "gate" section), never against this code's own output.

#include <gtest/gtest.h>

#include <cmath>

#include "gate/baseline.h"
#include "gate/gate.h"
#include "gate_test_util.h"

namespace benchgate::gate {
namespace {

using testing::ab_results;
using testing::make_run;
using testing::rel_near;
using testing::stats_reference;

std::vector<double> vec(const nlohmann::json& j) {
  return j.get<std::vector<double>>();
}

const MetricVerdict& find(const GateResult& r, const std::string& metric,
                          const std::string& cell = "plaintext c=64") {
  for (const auto& v : r.verdicts) {
    if (v.metric == metric && v.cell == cell) return v;
  }
  ADD_FAILURE() << "no verdict for " << cell << " :: " << metric;
  static MetricVerdict none;
  return none;
}

TEST(AbGate, MatchesScipyOnPairedLogRatios) {
  const auto& cases = stats_reference()["gate"]["ab"];
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    const auto r = run_ab(ab_results("throughput", vec(c["base"]), vec(c["cand"])), {});
    const auto& v = find(r, "throughput");
    EXPECT_EQ(v.test, "wilcoxon-signed-rank");
    EXPECT_TRUE(v.paired);
    EXPECT_EQ(v.n_baseline, 10);
    EXPECT_TRUE(rel_near(v.p_value, c["p_worse"], 1e-9)) << v.p_value;
    EXPECT_TRUE(rel_near(v.p_improved, c["p_better"], 1e-9));
    EXPECT_TRUE(rel_near(v.p_two_sided, c["p_two_sided"], 1e-9));
    EXPECT_TRUE(rel_near(v.estimate, c["estimate"], 1e-9));
    EXPECT_TRUE(rel_near(v.ci_low, c["ci_low"], 1e-9));
    EXPECT_TRUE(rel_near(v.ci_high, c["ci_high"], 1e-9));
    EXPECT_EQ(r.tests, 1);
    EXPECT_EQ(v.p_adjusted, v.p_value);  // one test: Holm changes nothing
  }
  // 5 % throughput loss, 1 % noise, 10 pairs: regressed (−5.1 % beyond the 3 % limit, p = 2^-10).
  const auto r0 =
      run_ab(ab_results("throughput", vec(cases[0]["base"]), vec(cases[0]["cand"])), {});
  EXPECT_EQ(find(r0, "throughput").verdict, Verdict::kRegressed) << find(r0, "throughput").reason;
  EXPECT_EQ(r0.exit_code(false), ExitCode::kRegression);
  EXPECT_EQ(r0.exit_code(true), ExitCode::kOk);
  EXPECT_EQ(find(r0, "throughput").app, "pr");
  EXPECT_EQ(find(r0, "throughput").baseline_label, "main");
  EXPECT_EQ(find(r0, "throughput").scenario, "plaintext");
  EXPECT_DOUBLE_EQ(find(r0, "throughput").min_effect, 0.03);
  EXPECT_DOUBLE_EQ(find(r0, "throughput").measured_s, 200);  // 10 pairs × 2 × 10 s
  // Same app: CI [−0.75 %, +0.94 %] within ±3 % → unchanged.
  const auto r1 =
      run_ab(ab_results("throughput", vec(cases[1]["base"]), vec(cases[1]["cand"])), {});
  EXPECT_EQ(find(r1, "throughput").verdict, Verdict::kUnchanged) << find(r1, "throughput").reason;
  EXPECT_EQ(r1.exit_code(false), ExitCode::kOk);
}

TEST(AbGate, ImprovementIsTheMirrorImage) {
  std::vector<double> base, cand;
  for (int i = 0; i < 10; ++i) {
    base.push_back(0.010 * (1 + 0.001 * i));
    cand.push_back(0.008 * (1 + 0.0013 * i));  // latency 20 % lower
  }
  const auto r = run_ab(ab_results("latency_p99", base, cand), {});
  const auto& v = find(r, "latency_p99");
  EXPECT_EQ(v.verdict, Verdict::kImproved) << v.reason;
  EXPECT_EQ(v.better, results::Better::kLower);
  EXPECT_LT(v.estimate, -0.15);
  EXPECT_DOUBLE_EQ(v.p_improved, std::ldexp(1.0, -10));
}

TEST(AbGate, SignificantButSmallIsWarn) {
  std::vector<double> base, cand;
  for (int i = 0; i < 10; ++i) {
    base.push_back(1000 + i);
    cand.push_back((1000 + i) * 0.99);  // 1 % loss on every pair: significant, below 3 %
  }
  const auto v = find(run_ab(ab_results("throughput", base, cand), {}), "throughput");
  EXPECT_EQ(v.verdict, Verdict::kWarn) << v.reason;
}

TEST(AbGate, LargeButNotSignificantIsInconclusive) {
  // Noisy pairs: HL estimate −4.9 % (beyond 3 %), one-sided Wilcoxon p = 0.0801 (scipy).
  // warn means only "significant but within the limit"; this is undecided, with its cause.
  const std::vector<double> base(10, 1000.0);
  const std::vector<double> cand{802.519, 843.665,  869.358,  886.92,   904.837,
                                 923.116, 1030.455, 1072.508, 1094.174, 1127.497};
  const auto v = find(run_ab(ab_results("throughput", base, cand), {}), "throughput");
  EXPECT_EQ(v.verdict, Verdict::kInconclusive) << v.reason;
  EXPECT_EQ(v.cause, "not_significant");
  EXPECT_NE(v.reason.find("not significant"), std::string::npos) << v.reason;
  EXPECT_NEAR(v.p_adjusted, 0.080078125, 1e-12);
  EXPECT_NEAR(v.estimate, -0.0487706, 1e-6);
}

TEST(AbGate, TooFewPairsIsInconclusiveWithANote) {
  // 4 pairs: the exact one-sided p can't go below 2^-4 = 0.0625 ≥ 0.05.
  const auto r =
      run_ab(ab_results("throughput", {1000, 1001, 1002, 1003}, {800, 801, 802, 803}), {});
  const auto& v = find(r, "throughput");
  EXPECT_EQ(v.verdict, Verdict::kInconclusive) << v.reason;
  EXPECT_DOUBLE_EQ(v.p_min, 0.0625);
  EXPECT_NE(v.reason.find("≥ 5 pairs"), std::string::npos) << v.reason;
  ASSERT_FALSE(r.notes.empty());
  EXPECT_EQ(r.exit_code(false), ExitCode::kNotComparable);  // nothing could be decided
}

TEST(AbGate, SmallestPCountsNonZeroDifferencesOnly) {
  // 10 pairs, 7 of them identical: the signed-rank test drops the zeros and has n = 3, so its
  // smallest one-sided p is 2^-3 = 0.125 (scipy.stats.wilcoxon([1, 2, 3], alternative=
  // "greater") = 0.125), not 2^-10.
  const std::vector<double> base(10, 1000.0);
  std::vector<double> cand(10, 1000.0);
  cand[0] = 900;
  cand[1] = 910;
  cand[2] = 920;
  const auto r = run_ab(ab_results("throughput", base, cand), {});
  const auto& v = find(r, "throughput");
  EXPECT_DOUBLE_EQ(v.p_min, 0.125);
  EXPECT_EQ(v.verdict, Verdict::kInconclusive) << v.reason;
  EXPECT_NE(v.reason.find("3 non-zero differences"), std::string::npos) << v.reason;
  for (const auto& note : r.notes)
    EXPECT_EQ(note.find("10 pairs cannot reach"), std::string::npos) << note;
}

TEST(AbGate, IdenticalOnEveryPairIsUnchangedNotTooFew) {
  // No non-zero difference at all: nothing to test, the CI [0, 0] decides.
  const std::vector<double> same(10, 1000.0);
  const auto r = run_ab(ab_results("throughput", same, same), {});
  const auto& v = find(r, "throughput");
  EXPECT_EQ(v.verdict, Verdict::kUnchanged) << v.reason;
  EXPECT_EQ(v.p_min, 1.0);
}

TEST(AbGate, HolmOverEveryGatedTest) {
  // Two cells × throughput; one regressed pair of cells with p = 2^-10 each.
  results::ResultsFile f;
  for (int i = 1; i <= 10; ++i) {
    for (const char* cell : {"a", "b"}) {
      f.runs.push_back(make_run("main", "baseline", cell, i, {{"throughput", 1000.0 + i}}));
      f.runs.push_back(make_run("pr", "candidate", cell, i, {{"throughput", 900.0 + i}}));
    }
  }
  const auto r = run_ab(f, {});
  EXPECT_EQ(r.tests, 2);
  for (const auto& v : r.verdicts) {
    EXPECT_DOUBLE_EQ(v.p_value, std::ldexp(1.0, -10));
    EXPECT_DOUBLE_EQ(v.p_adjusted, 2 * std::ldexp(1.0, -10));  // Holm: 2·p, then max(…)
    EXPECT_EQ(v.verdict, Verdict::kRegressed);
  }
}

TEST(AbGate, TaroneLeavesOutTestsThatCannotSpeak) {
  // 6 pairs, 4 gated cells at α = 0.05. Cells a and b: every pair 20 % slower, so the exact
  // one-sided signed-rank p is 2^-6 = 0.015625 (scipy.stats.wilcoxon(d, alternative="greater")
  // with 6 positive differences). Cells c and d: 3 of the 6 pairs identical, the other 3
  // slower: the test drops the zeros, n = 3, smallest p 2^-3 = 0.125 > α.
  // Plain Holm over 4: 4 · 0.015625 = 0.0625 ≥ α, nothing decided.
  // Tarone (worked by hand): m = 1 → K = #{p_min ≤ 0.05} = 2 > 1; m = 2 → K = #{p_min ≤
  // 0.025} = 2 ≤ 2. Family {a, b}: Holm p_adj = 2 · 0.015625 = 0.03125 < α → regressed.
  results::ResultsFile f;
  for (int i = 1; i <= 6; ++i) {
    for (const char* cell : {"a", "b", "c", "d"}) {
      const bool zeros = cell[0] >= 'c';
      const double base = 1000.0 + i;
      const double cand = zeros && i <= 3 ? base : base * (1.2 + 0.01 * i);  // no ties
      f.runs.push_back(make_run("main", "baseline", cell, i, {{"latency_p99", base}}));
      f.runs.push_back(make_run("pr", "candidate", cell, i, {{"latency_p99", cand}}));
    }
  }
  const auto r = run_ab(f, {});
  EXPECT_EQ(r.tests, 4);
  EXPECT_EQ(r.holm_family, 2);
  EXPECT_EQ(r.holm_level, 2);
  EXPECT_EQ(holm_family_text(r), "2 of 4 tests (Tarone's rule: the others cannot reach α/2)");
  for (const char* cell : {"a c=64", "b c=64"}) {
    const auto& v = find(r, "latency_p99", cell);
    EXPECT_DOUBLE_EQ(v.p_value, 0.015625);
    EXPECT_DOUBLE_EQ(v.p_adjusted, 0.03125);
    EXPECT_EQ(v.verdict, Verdict::kRegressed) << v.reason;
  }
  for (const char* cell : {"c c=64", "d c=64"}) {
    const auto& v = find(r, "latency_p99", cell);
    EXPECT_DOUBLE_EQ(v.p_min, 0.125);
    EXPECT_DOUBLE_EQ(v.p_adjusted, 1.0);
    EXPECT_EQ(v.verdict, Verdict::kInconclusive) << v.reason;
    EXPECT_EQ(v.cause, "too_few_runs");
    EXPECT_NE(v.reason.find("Tarone's rule"), std::string::npos) << v.reason;
  }
}

TEST(AbGate, FailedRunsAreErrorsAndMissingMetricsNotComparable) {
  auto f = ab_results("throughput", std::vector<double>(10, 1000), std::vector<double>(10, 1000));
  f.runs.push_back(make_run("main", "baseline", "json", 1, {{"throughput", 5}}));
  auto bad = make_run("pr", "candidate", "json", 1, {});
  bad.status = "failed";
  bad.failure = "app exited with status 3";
  bad.periods.clear();
  f.runs.push_back(bad);
  // A metric only the candidate has.
  f.runs[10].periods[0].metrics["latency_p50"] = 0.001;
  const auto r = run_ab(f, {});
  const auto& err = find(r, "throughput", "json c=64");
  EXPECT_EQ(err.verdict, Verdict::kError);
  EXPECT_NE(err.reason.find("app exited with status 3"), std::string::npos);
  EXPECT_EQ(find(r, "latency_p50").verdict, Verdict::kNotComparable);
  // Identical throughput on every pair: no information, left out of Holm, unchanged.
  EXPECT_EQ(find(r, "throughput").verdict, Verdict::kUnchanged);
  EXPECT_EQ(r.tests, 0);
  EXPECT_EQ(r.exit_code(false), ExitCode::kRunFailed);
}

TEST(AbGate, InvalidPeriodsAreExcludedAndSaidSo) {
  std::vector<double> base, cand;
  for (int i = 0; i < 10; ++i) {
    base.push_back(1000 + i);
    cand.push_back(1000 + i);
  }
  auto f = ab_results("throughput", base, cand);
  f.runs[12].periods[0].status = "invalid";  // candidate iteration 3
  const auto v = find(run_ab(f, {}), "throughput");
  EXPECT_EQ(v.n_current, 9);
  EXPECT_NE(v.reason.find("1 invalid period excluded"), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("1 iteration without a partner"), std::string::npos) << v.reason;
}

TEST(AbGate, WithoutRolesNothingIsCompared) {
  results::ResultsFile f;
  f.runs.push_back(make_run("a", "", "x", 1, {{"throughput", 1}}));
  const auto r = run_ab(f, {});
  EXPECT_TRUE(r.verdicts.empty());
  EXPECT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.exit_code(false), ExitCode::kNotComparable);
}

TEST(Policy, OverridesApplyFieldByField) {
  results::GateSettings s;
  s.alpha = 0.01;
  s.metrics["throughput"].min_effect_rel = 0.05;
  s.per_scenario["plaintext"]["throughput"].alpha = 0.1;
  s.per_scenario["plaintext c=256"]["throughput"].enabled = false;
  s.metrics["my_counter"].better = results::Better::kHigher;
  const auto info = results::find_metric("throughput");
  auto p = resolve_policy(s, "plaintext", "plaintext c=64", "throughput", info);
  EXPECT_DOUBLE_EQ(p.min_effect_rel, 0.05);
  EXPECT_DOUBLE_EQ(p.alpha, 0.1);
  EXPECT_TRUE(p.gated);
  EXPECT_EQ(p.better, results::Better::kHigher);
  EXPECT_FALSE(resolve_policy(s, "plaintext", "plaintext c=256", "throughput", info).gated);
  EXPECT_DOUBLE_EQ(resolve_policy(s, "json", "json c=64", "throughput", info).alpha, 0.01);
  // Unknown metrics are reported, not gated, unless the settings name them.
  EXPECT_FALSE(resolve_policy(s, "x", "x", "latency_max", std::nullopt).gated);
  EXPECT_TRUE(resolve_policy(s, "x", "x", "my_counter", std::nullopt).gated);
}

TEST(Policy, AbsoluteFloorForRatioMetrics) {
  // peak_rss: max(3 %, 4 MiB); for a 50 MiB app the 4 MiB floor (8 %) wins.
  std::vector<double> base(10, 50.0 * 1024 * 1024), cand;
  for (int i = 0; i < 10; ++i)
    cand.push_back(base[0] * 1.05 + i);  // +5 %, significant
  const auto v = find(run_ab(ab_results("peak_rss", base, cand), {}), "peak_rss");
  EXPECT_DOUBLE_EQ(v.min_effect, 4.0 / 50);
  EXPECT_EQ(v.verdict, Verdict::kWarn) << v.reason;
}

TEST(Gate, UngatedRegressionIsInformational) {
  std::vector<double> base, cand;
  for (int i = 0; i < 10; ++i) {
    base.push_back(0.01 + i * 1e-5);
    cand.push_back(0.02 + i * 1e-5);
  }
  const auto r = run_ab(ab_results("latency_max", base, cand), {});
  const auto& v = find(r, "latency_max");
  // The rule's verdict is kept so a reader sees the direction, but the row is information
  // only: not in Holm's family, the counts or the exit code.
  EXPECT_FALSE(v.gated);
  EXPECT_EQ(v.verdict, Verdict::kRegressed);
  EXPECT_NE(v.reason.find("informational: not gated"), std::string::npos);
  EXPECT_EQ(r.tests, 0);
  EXPECT_EQ(r.count(Verdict::kRegressed), 0);
  int ungated = 0;
  for (const auto& x : r.verdicts)
    ungated += x.gated ? 0 : 1;
  EXPECT_EQ(r.informational(), ungated);
  EXPECT_NE(r.exit_code(false), ExitCode::kRegression);
}

TEST(Gate, RunCountCheckNamesTheCountNeeded) {
  EXPECT_FALSE(check_run_count(10, 40, 0.05, true));   // 2^-10 < 0.05/40
  const auto w = check_run_count(10, 60, 0.05, true);  // 2^-10 > 0.05/60
  ASSERT_TRUE(w);
  EXPECT_NE(w->find("use at least 11 pairs"), std::string::npos) << *w;
  EXPECT_TRUE(check_run_count(3, 1, 0.05, false));  // 3 v 3: p ≥ 0.05
  EXPECT_FALSE(check_run_count(4, 1, 0.05, false));
  // Every registry metric but the three counted ones (spread rule, outside Holm).
  EXPECT_EQ(gated_metric_names({}).size(), results::known_metrics().size() - 3);
}

TEST(Confirmation, BothLooksAtHalfAlphaAndOnlyWarnInconclusiveChange) {
  results::GateSettings s;
  s.confirm = 10;
  EXPECT_DOUBLE_EQ(look_alpha_scale(s), 0.5);
  // First look: 5 pairs with a clear 10 % loss → p = 2^-5 = 0.031 ≥ α/2 = 0.025 → inconclusive.
  std::vector<double> base, cand;
  for (int i = 0; i < 15; ++i) {
    base.push_back(1000 + i);
    cand.push_back((1000 + i) * 0.9 + 0.7 * i);  // distinct ratios: no ties, exact test
  }
  const auto first = run_ab(
      ab_results("throughput", {base.begin(), base.begin() + 5}, {cand.begin(), cand.begin() + 5}),
      s);
  EXPECT_DOUBLE_EQ(first.alpha, 0.025);
  ASSERT_EQ(first.verdicts.size(), 1u);
  EXPECT_EQ(first.verdicts[0].verdict, Verdict::kInconclusive) << first.verdicts[0].reason;
  EXPECT_TRUE(needs_confirmation(first));
  const auto merged = confirm_ab(first, ab_results("throughput", base, cand), s);
  EXPECT_EQ(merged.verdicts[0].verdict, Verdict::kRegressed) << merged.verdicts[0].reason;
  EXPECT_EQ(merged.verdicts[0].looks, 2);
  EXPECT_DOUBLE_EQ(merged.verdicts[0].alpha, 0.025);
  // A verdict the first look settled stays, whatever the second look says.
  GateResult settled = first;
  settled.verdicts[0].verdict = Verdict::kUnchanged;
  EXPECT_FALSE(needs_confirmation(settled));
  const auto kept = merge_confirmation(settled, merged, 10);
  EXPECT_EQ(kept.verdicts[0].verdict, Verdict::kUnchanged);
  EXPECT_EQ(kept.verdicts[0].looks, 1);
}

// ---------------------------------------------------------------- stored baseline

results::ResultsFile single_app(const std::vector<double>& values, const std::string& metric,
                                const std::string& app = "hello") {
  results::ResultsFile f;
  f.name = "suite";
  f.command = "run";
  f.status = "complete";
  f.testbed.fingerprint = "fp-1";
  f.testbed.cpu_model = "Test CPU";
  f.testbed.num_cpus = 2;
  for (std::size_t i = 0; i < values.size(); ++i) {
    f.runs.push_back(
        make_run(app, "", "plaintext", static_cast<int>(i) + 1, {{metric, values[i]}}));
  }
  return f;
}

TEST(BaselineGate, MatchesScipyOnUnpairedLogSamples) {
  for (const auto& c : stats_reference()["gate"]["unpaired"]) {
    const auto baseline = make_baseline(single_app(vec(c["base"]), "latency_p99"));
    const auto r = run_against_baseline(single_app(vec(c["cand"]), "latency_p99"), baseline, {},
                                        "baselines/main.json");
    const auto& v = find(r, "latency_p99");
    EXPECT_EQ(v.test, "mann-whitney-u");
    EXPECT_FALSE(v.paired);
    EXPECT_TRUE(rel_near(v.p_value, c["p_worse"], 1e-9)) << v.p_value << " vs " << c["p_worse"];
    EXPECT_TRUE(rel_near(v.p_improved, c["p_better"], 1e-9));
    EXPECT_TRUE(rel_near(v.p_two_sided, c["p_two_sided"], 1e-9));
    EXPECT_TRUE(rel_near(v.estimate, c["estimate"], 1e-9));
    if (c["ci_low"].is_null()) {
      EXPECT_TRUE(std::isnan(v.ci_low));
    } else {
      EXPECT_TRUE(rel_near(v.ci_low, c["ci_low"], 1e-9));
      EXPECT_TRUE(rel_near(v.ci_high, c["ci_high"], 1e-9));
    }
    EXPECT_TRUE(r.testbed_match);
  }
}

TEST(BaselineGate, DetectsARegressionAgainstTheStoredSamples) {
  std::vector<double> base, cand;
  for (int i = 0; i < 10; ++i) {
    base.push_back(10000 + 13 * i);
    cand.push_back(9000 + 11 * i);  // −10 % throughput
  }
  const auto b = make_baseline(single_app(base, "throughput"));
  const auto r = run_against_baseline(single_app(cand, "throughput"), b, {}, "main.json");
  EXPECT_EQ(find(r, "throughput").verdict, Verdict::kRegressed) << find(r, "throughput").reason;
  EXPECT_EQ(r.mode, "baseline");
  EXPECT_EQ(r.exit_code(false), ExitCode::kRegression);
}

TEST(BaselineGate, TestbedMismatchIsNotComparableUnlessWarn) {
  std::vector<double> base(10, 1000), cand(10, 500);
  for (int i = 0; i < 10; ++i)
    cand[static_cast<std::size_t>(i)] += i;
  const auto b = make_baseline(single_app(base, "throughput"));
  auto cur = single_app(cand, "throughput");
  cur.testbed.fingerprint = "fp-2";
  const auto strict = run_against_baseline(cur, b, {}, "main.json");
  EXPECT_FALSE(strict.testbed_match);
  EXPECT_EQ(find(strict, "throughput").verdict, Verdict::kNotComparable);
  EXPECT_NE(find(strict, "throughput").reason.find("testbed differs"), std::string::npos);
  EXPECT_EQ(strict.exit_code(false), ExitCode::kNotComparable);
  results::GateSettings warn;
  warn.testbed_mismatch = "warn";
  const auto loose = run_against_baseline(cur, b, warn, "main.json");
  EXPECT_EQ(find(loose, "throughput").verdict, Verdict::kRegressed);
  EXPECT_FALSE(loose.testbed_match);
}

TEST(BaselineGate, MissingCellsAndFailedRuns) {
  auto base = single_app(std::vector<double>(10, 1000), "throughput");
  base.runs.push_back(make_run("hello", "", "gone", 1, {{"throughput", 3}}));
  const auto b = make_baseline(base);
  auto cur = single_app(std::vector<double>(10, 1000), "throughput");
  auto failed = make_run("hello", "", "plaintext", 11, {});
  failed.status = "failed";
  failed.failure = "never became ready";
  cur.runs.push_back(failed);
  cur.runs.push_back(make_run("hello", "", "new", 1, {{"throughput", 3}}));
  const auto r = run_against_baseline(cur, b, {}, "main.json");
  EXPECT_EQ(find(r, "throughput").verdict, Verdict::kError);
  EXPECT_EQ(find(r, "throughput", "gone c=64").verdict, Verdict::kNotComparable);
  EXPECT_EQ(find(r, "throughput", "new c=64").verdict, Verdict::kNotComparable);
}

}  // namespace
}  // namespace benchgate::gate
