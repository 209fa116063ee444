// The one decision: decide_outcome maps runs + verdicts to the exit code and the word. Every
// case of the table in gate/outcome.h, the precedence between them, and that informational
// rows never count.

#include "gate/outcome.h"

#include <gtest/gtest.h>

#include <string>

namespace benchgate::gate {
namespace {

MetricVerdict verdict(Verdict v, bool gated = true, std::string cause = "") {
  MetricVerdict m;
  m.app = "pr";
  m.cell = "plaintext c=16";
  m.metric = "throughput";
  m.verdict = v;
  m.gated = gated;
  m.cause = std::move(cause);
  return m;
}

GateResult gate_of(std::initializer_list<MetricVerdict> vs) {
  GateResult g;
  g.mode = "ab";
  g.baseline_source = "main";
  g.verdicts = vs;
  g.tests = static_cast<int>(vs.size());
  return g;
}

results::ResultsFile runs(int ok, int failed = 0, std::string status = "complete") {
  results::ResultsFile r;
  r.status = std::move(status);
  for (int i = 0; i < ok + failed; ++i) {
    results::RunRecord run;
    run.id = "r" + std::to_string(i);
    run.status = i < ok ? "ok" : "failed";
    r.runs.push_back(run);
  }
  r.planned_runs = ok + failed;
  return r;
}

TEST(Outcome, PassOnlyWhenEveryGatedTestDecided) {
  const auto r = runs(4);
  const auto g =
      gate_of({verdict(Verdict::kUnchanged), verdict(Verdict::kImproved), verdict(Verdict::kWarn)});
  const auto o = decide_outcome(&r, &g, false);
  EXPECT_EQ(o.kind, OutcomeKind::kPass);
  EXPECT_EQ(o.exit_code, ExitCode::kOk);
  EXPECT_EQ(o.token(), "pass");
  EXPECT_EQ(o.headline(), "✅ pass: all 3 gated tests decided, no regressions");
}

TEST(Outcome, OneInconclusiveTestMakesItUndecidedNotPass) {
  const auto r = runs(4);
  const auto g = gate_of({verdict(Verdict::kUnchanged), verdict(Verdict::kUnchanged),
                          verdict(Verdict::kInconclusive, true, "wide_ci")});
  const auto o = decide_outcome(&r, &g, false);
  EXPECT_EQ(o.kind, OutcomeKind::kUndecided);
  EXPECT_EQ(o.cause, UndecidedCause::kSomeUndecided);
  EXPECT_EQ(o.exit_code, ExitCode::kNotComparable);
  EXPECT_EQ(o.headline(), "❔ undecided: 1 of 3 gated tests not decided (1 inconclusive)");
  EXPECT_EQ(o.emoji().find("✅"), std::string_view::npos);
}

TEST(Outcome, TooFewPairsIsUndecidedWithTheGateNote) {
  // The case: 3 pairs, the candidate lost 44 %: no test can reach α.
  const auto r = runs(6);
  auto g = gate_of({verdict(Verdict::kInconclusive, true, "too_few_runs"),
                    verdict(Verdict::kInconclusive, true, "too_few_runs")});
  g.notes.push_back(
      "3 pairs cannot reach α = 0.05 with Holm over 2 tests (smallest possible p 0.125); at "
      "least 6 pairs are needed");
  const auto o = decide_outcome(&r, &g, false);
  EXPECT_EQ(o.kind, OutcomeKind::kUndecided);
  EXPECT_EQ(o.cause, UndecidedCause::kTooFewRuns);
  EXPECT_EQ(o.exit_code, ExitCode::kNotComparable);
  EXPECT_NE(o.reason.find("at least 6 pairs are needed"), std::string::npos) << o.reason;
}

TEST(Outcome, EveryVerdictInconclusive) {
  const auto r = runs(6);
  const auto g =
      gate_of({verdict(Verdict::kInconclusive, true, "wide_ci"), verdict(Verdict::kNotComparable)});
  const auto o = decide_outcome(&r, &g, false);
  EXPECT_EQ(o.cause, UndecidedCause::kAllInconclusive);
  EXPECT_EQ(o.reason, "all 2 gated tests not decided (1 inconclusive, 1 not comparable)");
}

TEST(Outcome, NoBaselineYet) {
  const auto r = runs(2);
  GateResult g;
  g.mode = "baseline";
  g.baseline_source = "baselines/main.json";
  g.no_baseline = true;
  const auto o = decide_outcome(&r, &g, false);
  EXPECT_EQ(o.kind, OutcomeKind::kUndecided);
  EXPECT_EQ(o.cause, UndecidedCause::kNoBaseline);
  EXPECT_EQ(o.exit_code, ExitCode::kNotComparable);
  EXPECT_NE(o.reason.find("baselines/main.json does not exist"), std::string::npos);
}

TEST(Outcome, TestbedMismatch) {
  const auto r = runs(2);
  auto g = gate_of({verdict(Verdict::kNotComparable), verdict(Verdict::kNotComparable)});
  g.mode = "baseline";
  g.testbed_match = false;
  const auto o = decide_outcome(&r, &g, false);
  EXPECT_EQ(o.cause, UndecidedCause::kTestbedMismatch);
  EXPECT_EQ(o.exit_code, ExitCode::kNotComparable);
}

TEST(Outcome, NothingCompared) {
  const auto r = runs(2);
  GateResult g;
  g.mode = "ab";
  g.notes.push_back("A/B gate needs exactly one app with role \"baseline\"");
  const auto o = decide_outcome(&r, &g, false);
  EXPECT_EQ(o.cause, UndecidedCause::kNothingCompared);
  EXPECT_EQ(o.exit_code, ExitCode::kNotComparable);
}

TEST(Outcome, RegressedWinsOverUndecidedAndWarnOnlyKeepsTheWord) {
  const auto r = runs(4);
  const auto g = gate_of({verdict(Verdict::kRegressed), verdict(Verdict::kRegressed),
                          verdict(Verdict::kInconclusive, true, "wide_ci")});
  auto o = decide_outcome(&r, &g, false);
  EXPECT_EQ(o.kind, OutcomeKind::kRegressed);
  EXPECT_EQ(o.exit_code, ExitCode::kRegression);
  EXPECT_EQ(o.headline(), "❌ 2 regressions");
  o = decide_outcome(&r, &g, true);
  EXPECT_EQ(o.kind, OutcomeKind::kRegressed);
  EXPECT_EQ(o.exit_code, ExitCode::kOk);
  EXPECT_EQ(o.token(), "regressed");
  EXPECT_EQ(o.headline(), "❌ 2 regressions (--warn-only: exit 0)");
}

TEST(Outcome, FailedRunWinsOverRegressionAndSaysBoth) {
  const auto r = runs(3, 1);
  const auto g = gate_of({verdict(Verdict::kRegressed), verdict(Verdict::kUnchanged)});
  const auto o = decide_outcome(&r, &g, false);
  EXPECT_EQ(o.kind, OutcomeKind::kRunFailed);
  EXPECT_EQ(o.exit_code, ExitCode::kRunFailed);
  EXPECT_EQ(o.failed_runs, 1);
  EXPECT_EQ(o.headline(), "💥 run failed: 1 of 4 runs failed; 1 regression");
}

TEST(Outcome, InvalidPeriodAndSkippedRunAreFailedRuns) {
  auto r = runs(2);
  results::PeriodResult p;
  p.status = "invalid";
  r.runs[0].periods.push_back(p);
  r.runs[1].status = "skipped";
  EXPECT_TRUE(run_failed(r.runs[0]));
  EXPECT_TRUE(run_failed(r.runs[1]));
  EXPECT_EQ(count_failed_runs(r), 2);
  const auto o = decide_outcome(&r, nullptr, false);
  EXPECT_EQ(o.kind, OutcomeKind::kRunFailed);
  EXPECT_EQ(o.exit_code, ExitCode::kRunFailed);
}

TEST(Outcome, ErrorVerdictIsARunFailure) {
  const auto r = runs(2);
  const auto g = gate_of({verdict(Verdict::kError), verdict(Verdict::kUnchanged)});
  const auto o = decide_outcome(&r, &g, false);
  EXPECT_EQ(o.kind, OutcomeKind::kRunFailed);
  EXPECT_EQ(o.exit_code, ExitCode::kRunFailed);
}

TEST(Outcome, PartialAndInterruptedResults) {
  auto r = runs(3, 0, "running");
  r.planned_runs = 6;
  auto o = decide_outcome(&r, nullptr, false);
  EXPECT_EQ(o.kind, OutcomeKind::kPartial);
  EXPECT_EQ(o.exit_code, ExitCode::kRunFailed);
  EXPECT_NE(o.reason.find("3 of 6 planned runs"), std::string::npos) << o.reason;
  r.status = "interrupted";
  o = decide_outcome(&r, nullptr, false);
  EXPECT_EQ(o.kind, OutcomeKind::kInterrupted);
  EXPECT_EQ(o.exit_code, ExitCode::kInterrupted);
  // A diff of partial inputs read with --allow-partial.
  GateResult g = gate_of({verdict(Verdict::kUnchanged)});
  g.partial = "a.json: status \"running\"";
  o = decide_outcome(nullptr, &g, false);
  EXPECT_EQ(o.kind, OutcomeKind::kPartial);
  EXPECT_EQ(o.exit_code, ExitCode::kRunFailed);
}

TEST(Outcome, InformationalRowsNeverCount) {
  const auto r = runs(2);
  // An ungated regression (e.g. a metric outside the registry) and an unknown-direction change.
  const auto g = gate_of({verdict(Verdict::kUnchanged), verdict(Verdict::kRegressed, false),
                          verdict(Verdict::kChanged, false),
                          verdict(Verdict::kInconclusive, false, "wide_ci")});
  const auto o = decide_outcome(&r, &g, false);
  EXPECT_EQ(o.kind, OutcomeKind::kPass);
  EXPECT_EQ(o.tally.gated(), 1);
  EXPECT_EQ(o.tally.informational, 3);
  EXPECT_EQ(g.count(Verdict::kRegressed), 0);
  EXPECT_EQ(g.informational(), 3);
  EXPECT_EQ(o.headline(), "✅ pass: the gated test decided, no regressions");
}

TEST(Outcome, NotGated) {
  const auto r = runs(2);
  const auto o = decide_outcome(&r, nullptr, false);
  EXPECT_EQ(o.kind, OutcomeKind::kNotGated);
  EXPECT_EQ(o.exit_code, ExitCode::kOk);
  EXPECT_EQ(o.emoji(), "📊");
}

TEST(Outcome, RecordedWarnOnly) {
  results::ResultsFile r;
  EXPECT_FALSE(recorded_warn_only(r));
  r.suite = {{"gate", {{"warn_only", true}}}};
  EXPECT_TRUE(recorded_warn_only(r));
}

}  // namespace
}  // namespace benchgate::gate
