// The suite pipeline's pieces that need no run: results.json's life cycle (runner/checkpoint.h)
// and "gate + outcome + reports from a ResultsFile" (runner/suite_runner.h).

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "platform/fs.h"
#include "results/json.h"
#include "runner/checkpoint.h"
#include "runner/suite_runner.h"

namespace benchgate::runner {
namespace {

namespace fs = std::filesystem;

results::RunRecord run_with(const std::string& status) {
  results::RunRecord r;
  r.id = "i01-app-plain";
  r.iteration = 1;
  r.app = "app";
  r.scenario = "plain";
  r.url = "http://127.0.0.1:8080/";
  r.status = status;
  if (status == "failed") {
    r.failure = "the app never became ready";
    r.failure_kind = "not_ready";
  }
  r.termination.description = "terminated by SIGTERM as expected";
  return r;
}

results::ResultsFile two_planned(int ran, const std::string& status = "ok") {
  results::ResultsFile r;
  r.command = "run";
  r.name = "unit";
  r.status = "running";
  r.planned_runs = 2;
  for (int i = 0; i < ran; ++i)
    r.runs.push_back(run_with(status));
  return r;
}

TEST(SettleStatus, EveryPlannedRunFinishedIsComplete) {
  auto r = two_planned(2);
  settle_status(r, false, "2026-12-04T21:00:00Z");
  EXPECT_EQ(r.status, "complete");
  EXPECT_EQ(r.finished_at, "2026-12-04T21:00:00Z");
  EXPECT_TRUE(r.failure.empty());
}

TEST(SettleStatus, FewerRunsThanPlannedIsFailedSayingHowMany) {
  auto r = two_planned(1);
  settle_status(r, false, "t");
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.failure, "only 1 of 2 planned runs ran");
}

TEST(SettleStatus, ASignalMakesItInterruptedWhateverRan) {
  auto r = two_planned(2);
  settle_status(r, true, "t");
  EXPECT_EQ(r.status, "interrupted");
}

TEST(Checkpoint, WritesRunningThenTheSettledStatus) {
  platform::TempDir dir("bg-ckpt");
  auto r = two_planned(0);
  Checkpoint cp(r, dir.path() / "results.json");
  cp.write();
  EXPECT_EQ(results::read_results(cp.path()).status, "running");
  r.runs.push_back(run_with("ok"));
  r.runs.push_back(run_with("ok"));
  cp.write();
  EXPECT_EQ(results::read_results(cp.path()).runs.size(), 2u);
  settle_status(r, false, "t");
  cp.write();
  EXPECT_EQ(results::read_results(cp.path()).status, "complete");
}

TEST(Checkpoint, FailRecordsTheReasonAndNeverThrowsWhenTheDiskRefuses) {
  platform::TempDir dir("bg-ckpt");
  auto r = two_planned(1);
  Checkpoint cp(r, dir.path() / "results.json");
  cp.write();
  cp.fail("cannot write report.html: No space left on device", "t");
  const auto back = results::read_results(cp.path());
  EXPECT_EQ(back.status, "failed");
  EXPECT_EQ(back.failure, "cannot write report.html: No space left on device");
  // A folder where the file should be: the write fails, fail() still returns.
  auto r2 = two_planned(0);
  Checkpoint bad(r2, dir.path());
  EXPECT_NO_THROW(bad.fail("stopped", "t"));
  EXPECT_EQ(r2.status, "failed");
}

TEST(GateResults, AMissingBaselineFileIsUndecidedNotAnError) {
  platform::TempDir dir("bg-gate");
  const auto path = (dir.path() / "baseline.json").string();
  const auto source = GateSource::load(path, false);
  EXPECT_TRUE(source.no_baseline());
  auto r = two_planned(2);
  settle_status(r, false, "t");
  const auto g = gate_results(r, results::GateSettings{}, source);
  ASSERT_TRUE(g.has_value());
  EXPECT_TRUE(g->no_baseline);
  EXPECT_EQ(g->mode, "baseline");
  record_outcome(r, g, false);
  EXPECT_EQ(r.outcome.at("exit_code").get<int>(), 3);  // undecided, as loud as a regression
}

TEST(GateResults, NoRolesAndNoBaselineMeansNoGate) {
  auto r = two_planned(2);
  EXPECT_FALSE(gate_results(r, results::GateSettings{}, GateSource::load("", false)).has_value());
}

TEST(GateAndReport, WritesResultsAndEveryReportAndReturnsTheOutcomesExitCode) {
  platform::TempDir dir("bg-report");
  auto r = two_planned(2);
  settle_status(r, false, "t");
  std::ostringstream out;
  const int code = gate_and_report(r, results::GateSettings{}, GateSource::load("", false),
                                   ReportTarget{dir.path(), false, &out});
  EXPECT_EQ(code, 0);
  const auto back = results::read_results(dir.path() / "results.json");
  EXPECT_EQ(back.outcome.at("exit_code").get<int>(), 0);
  EXPECT_TRUE(fs::exists(dir.path() / "junit.xml"));
  EXPECT_TRUE(fs::exists(dir.path() / "report.html"));
  EXPECT_NE(out.str().find("reports: " + dir.path().string()), std::string::npos) << out.str();
}

TEST(GateAndReport, AFailedRunIsExitFourInEveryOutput) {
  platform::TempDir dir("bg-report");
  auto r = two_planned(2, "failed");
  settle_status(r, false, "t");
  std::ostringstream out;
  const int code = gate_and_report(r, results::GateSettings{}, GateSource::load("", false),
                                   ReportTarget{dir.path(), false, &out});
  EXPECT_EQ(code, 4);
  EXPECT_EQ(results::read_results(dir.path() / "results.json").outcome.at("exit_code").get<int>(),
            4);
}

}  // namespace
}  // namespace benchgate::runner
