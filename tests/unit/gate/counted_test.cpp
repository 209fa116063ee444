// The spread rule for counted metrics (gate/counted.h): decided from the values' ranges, not a
// rank test. Values are the figures of real callgrind runs of the example server (README
// "Instruction mode"), scaled where a case needs a given change.

#include "gate/counted.h"

#include <gtest/gtest.h>

#include <cmath>

#include "gate/gate.h"
#include "gate_test_util.h"

namespace benchgate::gate {
namespace {

using testing::ab_results;

const MetricVerdict& only(const GateResult& r) {
  EXPECT_EQ(r.verdicts.size(), 1u);
  return r.verdicts.front();
}

std::vector<double> scaled(const std::vector<double>& v, double f) {
  std::vector<double> out;
  for (double x : v)
    out.push_back(x * f);
  return out;
}

// instructions_per_request of three A/A samples (spread ~2e-6).
const std::vector<double> kBase = {11278.34, 11278.37, 11278.31};

TEST(SpreadRule, OnePercentMoreWorkWithThreePairsIsRegressed) {
  const auto r = run_ab(ab_results("instructions_per_request", kBase, scaled(kBase, 1.01)), {});
  const auto& v = only(r);
  EXPECT_EQ(v.verdict, Verdict::kRegressed) << v.reason;
  EXPECT_EQ(v.test, "spread-rule");
  EXPECT_NEAR(v.estimate, 0.01, 1e-6);
  EXPECT_TRUE(std::isnan(v.p_value));
  EXPECT_EQ(r.tests, 0);  // not in Holm's family
  EXPECT_EQ(r.exit_code(false), ExitCode::kRegression);
}

TEST(SpreadRule, AaIsUnchanged) {
  const auto r =
      run_ab(ab_results("instructions_per_request", kBase, {11278.36, 11278.30, 11278.35}), {});
  EXPECT_EQ(only(r).verdict, Verdict::kUnchanged) << only(r).reason;
  EXPECT_EQ(r.exit_code(false), ExitCode::kOk);
}

TEST(SpreadRule, ImprovementBeyondTheLimit) {
  const auto r = run_ab(ab_results("est_cycles_per_request", kBase, scaled(kBase, 0.98)), {});
  EXPECT_EQ(only(r).verdict, Verdict::kImproved) << only(r).reason;
}

TEST(SpreadRule, ChangeWithinTheLimitIsUnchanged) {
  const auto r = run_ab(ab_results("instructions_per_request", kBase, scaled(kBase, 1.004)), {});
  EXPECT_EQ(only(r).verdict, Verdict::kUnchanged) << only(r).reason;
}

TEST(SpreadRule, RangeStraddlingTheLimitIsInconclusive) {
  // Quiet sides, but the change (0.5 % ± a little) straddles the 0.5 % limit.
  const std::vector<double> base = {1000.0, 1000.1, 1000.2};
  const std::vector<double> cur = {1004.9, 1005.0, 1005.3};
  const auto r = run_ab(ab_results("instructions_per_request", base, cur), {});
  EXPECT_EQ(only(r).verdict, Verdict::kInconclusive) << only(r).reason;
  EXPECT_EQ(only(r).cause, "wide_ci");
  EXPECT_EQ(r.exit_code(false), ExitCode::kNotComparable);
}

TEST(SpreadRule, SpreadAboveTheFloorIsNeverRegressed) {
  // +2 % but one baseline value is 0.3 % off the others: above the 0.25 % floor.
  const std::vector<double> base = {1000, 1003, 1000};
  const auto r = run_ab(ab_results("instructions_per_request", base, {1020, 1020, 1020.5}), {});
  EXPECT_EQ(only(r).verdict, Verdict::kInconclusive) << only(r).reason;
  EXPECT_EQ(only(r).cause, "spread_above_floor");
}

TEST(SpreadRule, FloorIsHalfTheLimit) {
  // +2 %, spreads 0.2 % and 0.24 %: below the 0.25 % floor (half the 0.5 % limit), so the gap of
  // min(C)/max(B) − 1 = 1020/1002 − 1 = 1.8 % decides. With a spread of 0.26 % it could not.
  const auto r = run_ab(
      ab_results("instructions_per_request", {1000, 1002, 1001}, {1020, 1022.4, 1021}), {});
  EXPECT_EQ(only(r).verdict, Verdict::kRegressed) << only(r).reason;
  const auto q = run_ab(
      ab_results("instructions_per_request", {1000, 1002.6, 1001}, {1020, 1022.4, 1021}), {});
  EXPECT_EQ(only(q).verdict, Verdict::kInconclusive) << only(q).reason;
  EXPECT_EQ(only(q).cause, "spread_above_floor");
}

TEST(SpreadRule, FloorFollowsTheLimit) {
  // Same data, limit 5 %: the floor is 2.5 %, the spread 0.3 % is below it; +2 % < 5 % → unchanged.
  results::GateSettings s;
  s.metrics["instructions_per_request"].min_effect_rel = 0.05;
  const std::vector<double> base = {1000, 1003, 1000};
  const auto r = run_ab(ab_results("instructions_per_request", base, {1020, 1020, 1020.5}), s);
  EXPECT_EQ(only(r).verdict, Verdict::kUnchanged) << only(r).reason;
}

TEST(SpreadRule, OneValueASideCannotMeasureASpread) {
  const auto r = run_ab(ab_results("instructions_per_request", {1000}, {1100}), {});
  EXPECT_EQ(only(r).verdict, Verdict::kInconclusive);
  EXPECT_EQ(only(r).cause, "too_few_runs");
}

TEST(SpreadRule, EveryCurrentValueMustExceedEveryBaselineValue) {
  // Medians +1.5 %, but one current value is below a baseline value: not regressed.
  const std::vector<double> base = {1000, 1000.5, 1000.2};
  const std::vector<double> cur = {1015, 1015.2, 1000.3};
  const auto r = run_ab(ab_results("instructions_per_request", base, cur), {});
  EXPECT_NE(only(r).verdict, Verdict::kRegressed) << only(r).reason;
}

TEST(SpreadRule, WallClockMetricsKeepTheRankTest) {
  EXPECT_TRUE(is_counted_metric("instructions_per_request"));
  EXPECT_TRUE(is_counted_metric("startup_instructions"));
  EXPECT_FALSE(is_counted_metric("throughput"));
  const auto r = run_ab(ab_results("throughput", kBase, scaled(kBase, 0.9)), {});
  EXPECT_EQ(only(r).test, "wilcoxon-signed-rank");
}

}  // namespace
}  // namespace benchgate::gate
