#include "report/model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fixtures.h"
#include "report/format.h"

namespace benchgate::report {
namespace {

using testing::sample_model;

TEST(ReportModel, GroupsRunsIntoCellsInExecutionOrder) {
  const auto m = sample_model();
  EXPECT_EQ(m.suite, "hello");
  ASSERT_EQ(m.cells.size(), 3u);
  EXPECT_EQ(m.cells[0].key, "plaintext");  // per-run metrics (start-up)
  EXPECT_TRUE(m.cells[0].per_run);
  EXPECT_EQ(m.cells[1].key, "plaintext c=16");
  EXPECT_EQ(m.cells[2].key, "plaintext c=64");
  EXPECT_EQ(m.cells[2].point.clients, 64);
  ASSERT_EQ(m.cells[1].apps.size(), 2u);
  EXPECT_EQ(m.cells[1].apps[0].app, "main");  // baseline first
  EXPECT_EQ(m.cells[1].apps[1].app, "pr");
}

TEST(ReportModel, CountsGoodAndTotalIterations) {
  const auto m = sample_model();
  const auto* c16 = m.find_cell("plaintext c=16");
  const auto* c64 = m.find_cell("plaintext c=64");
  ASSERT_TRUE(c16 && c64);
  // main iteration 5 had an invalid c=16 period; pr iteration 3 crashed during c=64 (its
  // c=16 period was fine, but a failed run's numbers are not used).
  EXPECT_EQ(c16->apps[0].good, 9);
  EXPECT_EQ(c16->apps[0].total, 10);
  EXPECT_EQ(c16->apps[1].good, 9);
  EXPECT_EQ(c16->apps[1].total, 10);
  EXPECT_EQ(c64->apps[0].good, 10);
  EXPECT_EQ(c64->apps[1].good, 9);
  EXPECT_EQ(c64->apps[1].total, 10);
  EXPECT_NEAR(c64->apps[0].measured_s, 100, 1e-9);
}

TEST(ReportModel, StatsAreMedianMinMaxOfGoodIterations) {
  const auto m = sample_model();
  const auto& main64 = m.find_cell("plaintext c=64")->apps[0];
  const Stat* t = main64.stat("throughput");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->values.size(), 10u);
  auto v = t->values;
  std::sort(v.begin(), v.end());
  EXPECT_DOUBLE_EQ(t->median, (v[4] + v[5]) / 2);
  EXPECT_DOUBLE_EQ(t->min, v[0]);
  EXPECT_DOUBLE_EQ(t->max, v[9]);
  EXPECT_EQ(t->unit, "req/s");
  EXPECT_EQ(t->better, results::Better::kHigher);
  // Registry order: throughput first; latency_max (derived, unregistered) has unit seconds.
  EXPECT_EQ(main64.stats.front().metric, "throughput");
  EXPECT_EQ(main64.stat("latency_max")->unit, "s");
}

TEST(ReportModel, ProblemsListFailedRunsWithTheirLogTail) {
  const auto m = sample_model();
  ASSERT_EQ(m.problems.size(), 2u);
  const bool crash_first = m.problems[0].app == "pr";
  const auto& crash = crash_first ? m.problems[0] : m.problems[1];
  const auto& invalid = crash_first ? m.problems[1] : m.problems[0];
  EXPECT_TRUE(crash.is_error());
  EXPECT_EQ(crash.app, "pr");
  EXPECT_EQ(crash.cell, "plaintext c=64");
  EXPECT_EQ(crash.iteration, 3);
  EXPECT_NE(crash.reason.find("SIGSEGV"), std::string::npos);
  EXPECT_EQ(crash.log_path, "artifacts/run-006-pr/app.log");
  // The last 20 lines, ending with the exit.
  EXPECT_NE(crash.log_tail.find("exiting with status 139"), std::string::npos);
  EXPECT_EQ(std::count(crash.log_tail.begin(), crash.log_tail.end(), '\n'), 19);
  // A finished run with an invalid load point (the fixture is an older results file) failed
  // all the same, as its exit code 4 says.
  EXPECT_TRUE(invalid.is_error());
  EXPECT_EQ(invalid.status, "failed");
  EXPECT_EQ(invalid.cell, "plaintext c=16");
  EXPECT_EQ(invalid.reason,
            "load point c=16 invalid: driver CPU saturated (98 % of one core): it would measure "
            "itself");
  EXPECT_EQ(m.failed_runs(), 2);
}

TEST(ReportModel, RanksRegressionsWorstFirst) {
  const auto m = sample_model();
  ASSERT_EQ(m.ranked.size(), m.gate->verdicts.size());
  int last = -1;
  for (std::size_t i : m.ranked) {
    const int o = verdict_order(m.gate->verdicts[i].verdict);
    EXPECT_GE(o, last);
    last = o;
  }
  const auto& first = m.gate->verdicts[m.ranked[0]];
  const auto& second = m.gate->verdicts[m.ranked[1]];
  ASSERT_EQ(first.verdict, gate::Verdict::kRegressed);
  ASSERT_EQ(second.verdict, gate::Verdict::kRegressed);
  EXPECT_GE(severity(first), severity(second));
}

TEST(ReportModel, StatusFollowsTheWorstCondition) {
  // The status is the outcome's token (gate/outcome.h; every case in tests/unit/gate).
  auto r = testing::load_results();
  auto g = testing::load_gate();
  EXPECT_EQ(build_model(r, g).status(), "run_failed");  // exit 4 outranks the regressions
  std::vector<results::RunRecord> ok;
  for (const auto& run : r.runs) {
    bool good = run.status == "ok";
    for (const auto& p : run.periods)
      good = good && p.status == "ok";
    if (good) ok.push_back(run);
  }
  r.runs = ok;
  EXPECT_EQ(build_model(r, g).status(), "regressed");
  for (auto& v : g.verdicts)
    v.verdict = gate::Verdict::kNotComparable;
  EXPECT_EQ(build_model(r, g).status(), "undecided");
  for (auto& v : g.verdicts)
    v.verdict = gate::Verdict::kUnchanged;
  EXPECT_EQ(build_model(r, g).status(), "pass");
  EXPECT_EQ(build_model(r, std::nullopt).status(), "not_gated");
  r.status = "interrupted";
  EXPECT_EQ(build_model(r, g).status(), "interrupted");
  r.status = "running";
  EXPECT_EQ(build_model(r, g).status(), "partial");
}

TEST(ReportModel, EnvironmentAndRunUrlFromProvenance) {
  const auto m = sample_model();
  auto find = [&](const std::string& k) {
    for (const auto& [key, value] : m.environment) {
      if (key == k) return value;
    }
    return std::string("<missing>");
  };
  EXPECT_EQ(find("host"), "ci-runner-7");
  EXPECT_EQ(find("CPU"), "AMD EPYC 7763 64-Core Processor");
  EXPECT_EQ(find("load average"), "0.52, 0.61, 0.58");
  // On pull_request GITHUB_SHA is the test merge commit, and the report says so.
  EXPECT_EQ(find("commit (PR test merge)"), "9fceb02d0ae598e95dc970b74767f19372d61af8");
  EXPECT_EQ(find("ref"), "faster-plaintext");
  EXPECT_EQ(m.run_url, "https://github.com/acme/hello/actions/runs/123456789");
}

TEST(ReportModel, RunUrlForGitLabAndJenkins) {
  auto r = testing::load_results();
  r.provenance = {{"CI_JOB_URL", "https://gitlab.example/acme/hello/-/jobs/77"},
                  {"CI_COMMIT_SHA", "abc"}};
  EXPECT_EQ(build_model(r, std::nullopt).run_url, "https://gitlab.example/acme/hello/-/jobs/77");
  r.provenance = {{"BUILD_URL", "https://ci.example/job/hello/5/"}, {"GIT_COMMIT", "def"}};
  EXPECT_EQ(build_model(r, std::nullopt).run_url, "https://ci.example/job/hello/5/");
  r.provenance = nlohmann::json::object();
  EXPECT_EQ(build_model(r, std::nullopt).run_url, "");
}

TEST(ReportModel, ArtifactsAreDeduplicatedProfiles) {
  const auto m = sample_model();
  ASSERT_EQ(m.artifacts.size(), 1u);  // the flame graph, referenced by a run and a verdict
  EXPECT_EQ(m.artifacts[0].path, "artifacts/run-002-pr/flame.svg");
}

TEST(ReportModel, EmptyResultsMakeAnEmptyModel) {
  results::ResultsFile r;
  const auto m = build_model(r, std::nullopt);
  EXPECT_EQ(m.suite, "benchgate");
  EXPECT_TRUE(m.cells.empty());
  EXPECT_EQ(m.status(), "not_gated");  // nothing judged: never a pass
}

TEST(ReportModel, Median) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 2, 3}), 2.5);
  EXPECT_TRUE(std::isnan(median({})));
}

}  // namespace
}  // namespace benchgate::report
