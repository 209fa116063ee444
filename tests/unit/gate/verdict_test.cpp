#include "gate/verdict.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "core/parse.h"

namespace benchgate::gate {
namespace {

MetricVerdict make(Verdict v, bool gated = true) {
  MetricVerdict m;
  m.cell = "plaintext c=64";
  m.metric = "throughput";
  m.verdict = v;
  m.gated = gated;
  return m;
}

TEST(Verdict, NamesRoundTrip) {
  for (Verdict v : {Verdict::kRegressed, Verdict::kWarn, Verdict::kImproved, Verdict::kUnchanged,
                    Verdict::kInconclusive, Verdict::kNotComparable, Verdict::kError,
                    Verdict::kChanged}) {
    EXPECT_EQ(verdict_from_name(verdict_name(v)), v);
  }
  EXPECT_EQ(verdict_name(Verdict::kNotComparable), "not_comparable");
  EXPECT_THROW(verdict_from_name("bad"), ParseError);
}

TEST(Verdict, ReportOrder) {
  // regressed, error, not_comparable, inconclusive, warn, improved, unchanged
  EXPECT_LT(verdict_rank(Verdict::kRegressed), verdict_rank(Verdict::kError));
  EXPECT_LT(verdict_rank(Verdict::kError), verdict_rank(Verdict::kNotComparable));
  EXPECT_LT(verdict_rank(Verdict::kNotComparable), verdict_rank(Verdict::kInconclusive));
  EXPECT_LT(verdict_rank(Verdict::kInconclusive), verdict_rank(Verdict::kWarn));
  EXPECT_LT(verdict_rank(Verdict::kWarn), verdict_rank(Verdict::kImproved));
  EXPECT_LT(verdict_rank(Verdict::kImproved), verdict_rank(Verdict::kUnchanged));
}

TEST(ExitCode, FollowsCiConventions) {
  GateResult r;
  EXPECT_EQ(r.exit_code(false), ExitCode::kNotComparable);  // nothing compared at all

  // One gated test not decided: undecided (3), never a pass.
  r.verdicts = {make(Verdict::kUnchanged), make(Verdict::kNotComparable)};
  EXPECT_EQ(r.exit_code(false), ExitCode::kNotComparable);
  r.verdicts = {make(Verdict::kUnchanged), make(Verdict::kWarn), make(Verdict::kImproved)};
  EXPECT_EQ(r.exit_code(false), ExitCode::kOk);

  r.verdicts.push_back(make(Verdict::kRegressed));
  EXPECT_EQ(r.exit_code(false), ExitCode::kRegression);
  EXPECT_EQ(r.exit_code(true), ExitCode::kOk);  // --warn-only turns 1 into 0

  r.verdicts.push_back(make(Verdict::kError));
  EXPECT_EQ(r.exit_code(false), ExitCode::kRunFailed);  // 4 outranks 1
  EXPECT_EQ(r.exit_code(true), ExitCode::kRunFailed);

  r.verdicts = {make(Verdict::kInconclusive), make(Verdict::kNotComparable)};
  EXPECT_EQ(r.exit_code(false), ExitCode::kNotComparable);

  // Ungated verdicts never decide the exit code.
  r.verdicts = {make(Verdict::kUnchanged), make(Verdict::kError, false)};
  EXPECT_EQ(r.exit_code(false), ExitCode::kOk);
  r.verdicts = {make(Verdict::kUnchanged, false)};
  EXPECT_EQ(r.exit_code(false), ExitCode::kNotComparable);
}

TEST(Json, RoundTripKeepsEveryField) {
  GateResult r;
  r.mode = "ab";
  r.baseline_source = "main";
  r.candidate_source = "pr.json";
  r.format = "benchgate";
  r.testbed_match = false;
  r.alpha = 0.025;
  r.tests = 12;
  r.notes = {"a note"};
  MetricVerdict v = make(Verdict::kRegressed);
  v.app = "pr";
  v.scenario = "plaintext";
  v.unit = "req/s";
  v.better = results::Better::kHigher;
  v.scale = results::Scale::kDifference;
  v.reason = "why";
  v.baseline_label = "main";
  v.baseline = 1000.5;
  v.current = 950.25;
  v.n_baseline = 10;
  v.n_current = 9;
  v.paired = true;
  v.test = "wilcoxon-signed-rank";
  v.estimate = -0.05;
  v.ci_low = NAN;  // no interval: written as null, read back as NaN
  v.ci_high = -0.01;
  v.ci_level = 0.9;
  v.p_value = 0.001;
  v.p_adjusted = 0.012;
  v.p_improved = 0.99;
  v.p_two_sided = 0.002;
  v.p_min = 0.0009765625;
  v.min_effect = 0.03;
  v.alpha = 0.025;
  v.gated = false;
  v.looks = 2;
  v.measured_s = 100;
  v.artifacts = {"artifacts/flame.svg"};
  v.cause = "wide_ci";
  r.verdicts.push_back(v);
  r.no_baseline = true;
  r.partial = "x.json: status \"running\"";

  const auto j = to_json(r);
  EXPECT_TRUE(j["verdicts"][0]["ci_low"].is_null());
  // An ungated row is informational: counted apart, never in "counts".
  EXPECT_EQ(j["counts"]["regressed"], 0);
  EXPECT_EQ(j["informational"], 1);
  const GateResult back = gate_result_from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(to_json(back).dump(), j.dump());
  EXPECT_TRUE(std::isnan(back.verdicts[0].ci_low));
  EXPECT_EQ(back.verdicts[0].better, results::Better::kHigher);
  EXPECT_EQ(back.verdicts[0].looks, 2);
  EXPECT_EQ(back.verdicts[0].cause, "wide_ci");
  EXPECT_TRUE(back.no_baseline);
  EXPECT_EQ(back.partial, r.partial);
}

TEST(Json, BadVerdictNameIsAConfigError) {
  nlohmann::json j = {{"verdicts", {{{"verdict", "exploded"}}}}};
  EXPECT_THROW(gate_result_from_json(j), ConfigError);
}

}  // namespace
}  // namespace benchgate::gate
