// The counting measure modes (runner/instructions.h) over fake seams and a fake counting
// method: two lifetimes per load point, launched, probed, driven and stopped through the run's
// seams on a FakeClock; the per-request arithmetic; an unavailable mode; a window that did not
// hold exactly N requests; perf stat's SIGINT stop. Plus the explanation of a regressed cell
// from recorded callgrind files (runner/instruction_explanations.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "fake_seams.h"
#include "platform/fs.h"
#include "profilers/perf_counters.h"
#include "runner/counters.h"
#include "runner/instruction_explanations.h"
#include "runner/instructions.h"
#include "test_support.h"

namespace benchgate::runner {
namespace {

using namespace std::chrono_literals;
using fakes::World;
using ::testing::HasSubstr;

class CountedRunTest : public ::testing::Test {
 protected:
  CountedRunTest() : world(clock) {
    spec.id = "i01-app-plain";
    spec.iteration = 1;
    spec.app.label = "app";
    spec.app.command = {"/opt/app/server", "--port", "8080"};
    spec.scenario = "plain";
    spec.url = "http://127.0.0.1:8080/";
    spec.points = {results::LoadPoint{1, 0}};
    spec.ready_timeout = 5s;
    spec.driver = "builtin";
    spec.driver_options.measure = "instructions";
    spec.driver_options.warmup_requests = 10;
    spec.driver_options.counted_requests = 100;
    // The driver answers exactly the requests asked for, all 200.
    world.period = [this](const drivers::DriveRequest& req, drivers::DriveHooks&,
                          const CancelToken&, Clock&) {
      driven.push_back(req.request_count);
      results::DriverResult r;
      r.requests = req.request_count;
      r.non_2xx_3xx = bad_responses;
      r.extra["count_reached"] = true;
      return r;
    };
    method.mode = "instructions";
    method.tool = "fake-counter";
    method.cycles_metric = "est_cycles_per_request";
    method.cycles_key = "est_cycles";
    method.unavailable = [] { return std::optional<std::string>(); };
    method.wrap = [](const std::filesystem::path& d) {
      return std::vector<std::string>{"fake-counter", "--out", d.string()};
    };
    // Lifetime A: 1,000,000 + 10 requests × 5,000; lifetime B: + 100 more × 5,000.
    method.read = [this](const std::filesystem::path&, const std::filesystem::path&) {
      LifetimeCounts c;
      const std::uint64_t requests = driven.empty() ? 0 : static_cast<std::uint64_t>(driven.back());
      c.instructions = 1'000'000 + requests * 5'000;
      c.cycles = 2 * c.instructions;
      c.version = "fake-1";
      ++reads;
      return c;
    };
  }

  results::RunRecord run() {
    RunContext ctx{clock, world.cancel, dir.path()};
    ctx.seams = world.seams();
    return execute_counted_run(spec, ctx, method);
  }

  FakeClock clock;
  World world;
  RunSpec spec;
  CountingMethod method;
  std::vector<std::int64_t> driven;
  std::int64_t bad_responses = 0;
  int reads = 0;
  platform::TempDir dir{"bg-counted"};
};

TEST_F(CountedRunTest, TwoLifetimesThroughTheSeamsGiveThePerRequestDifference) {
  const auto rec = run();
  ASSERT_EQ(rec.status, "ok") << rec.failure;
  ASSERT_EQ(world.launched.size(), 2u);  // lifetime A and B, each its own launch
  for (const auto& o : world.launched) {
    ASSERT_GE(o.argv.size(), 6u);
    EXPECT_EQ(o.argv[0], "fake-counter");
    EXPECT_EQ(o.argv[3], "/opt/app/server");  // the app's argv after the wrapper
    EXPECT_EQ(o.clock, &clock);
    EXPECT_TRUE(o.die_with_parent);
  }
  EXPECT_EQ(driven, (std::vector<std::int64_t>{10, 110}));  // W, then W + N
  EXPECT_EQ(reads, 2);
  for (const auto& p : world.processes)
    EXPECT_EQ(p->terminations, 1);  // SIGTERM, through the seam
  const auto& period = rec.periods.at(0);
  EXPECT_EQ(period.metrics.at("instructions_per_request"), 5000.0);
  EXPECT_EQ(period.metrics.at("est_cycles_per_request"), 10000.0);
  // startup = Ir_A − W · ipr = 1,050,000 − 10 · 5,000
  EXPECT_EQ(rec.metrics.at("startup_instructions"), 1'000'000.0);
  EXPECT_EQ(period.driver.extra["instructions"]["instructions_counted"], 1'550'000u);
  EXPECT_EQ(period.driver.throughput, 0.0);  // under a counting tool: no throughput
}

TEST_F(CountedRunTest, AnUnavailableModeFailsTheRunWithItsReasonAndStartsNothing) {
  method.unavailable = [] {
    return std::optional<std::string>("perf stat says instructions:u is <not supported>");
  };
  const auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, "unavailable");
  EXPECT_THAT(rec.failure, HasSubstr("<not supported>"));
  EXPECT_TRUE(world.launched.empty());
  EXPECT_TRUE(is_start_failure(rec.failure_kind));  // fail-fast skips the app's other runs
}

TEST_F(CountedRunTest, AnErrorResponseInvalidatesTheWindow) {
  bad_responses = 1;
  const auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, "invalid");
  EXPECT_THAT(rec.failure, HasSubstr("1 non-2xx/3xx responses"));
  EXPECT_TRUE(rec.periods.at(0).metrics.empty());
}

TEST_F(CountedRunTest, PerfStatLifetimesEndWithSigint) {
  method.stop_signal = SIGINT;
  world.on_launch = [](const platform::SpawnOptions&, fakes::FakeProcess& p) {
    p.signal_exit = fakes::exited(0);  // perf stat waits for the app, writes, exits 0
  };
  const auto rec = run();
  ASSERT_EQ(rec.status, "ok") << rec.failure;
  for (const auto& p : world.processes) {
    EXPECT_EQ(p->signals, std::vector<int>{SIGINT});
    EXPECT_EQ(p->terminations, 0);
  }
  EXPECT_THAT(rec.termination.description, HasSubstr("SIGINT"));
}

TEST_F(CountedRunTest, AnAppThatIgnoresTheStopSignalFailsTheRun) {
  method.stop_signal = SIGINT;
  world.on_launch = [](const platform::SpawnOptions&, fakes::FakeProcess& p) {
    p.ignores_sigterm = true;  // ignores SIGINT too: killed after the grace
  };
  const auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, "unexpected_exit");
  EXPECT_THAT(rec.failure, HasSubstr("did not stop as expected on SIGINT"));
}

TEST_F(CountedRunTest, CountersModeHereIsEitherAvailableOrSaysWhyNot) {
  // The real perf method on this machine (the development VM has no PMU): never a silent pass.
  spec.driver_options.measure = "counters";
  method = perf_counters_method();
  const auto avail = profilers::detect_counters();
  if (avail.available) GTEST_SKIP() << "hardware counters work here";
  const auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, "unavailable");
  EXPECT_THAT(rec.failure, HasSubstr("measure = \"counters\" is unavailable here: "));
  EXPECT_THAT(rec.failure, HasSubstr(avail.reason));
  EXPECT_TRUE(world.launched.empty());
}

TEST(PerfStatArgv, CountsUserSpaceInstructionsAndCyclesIntoAFile) {
  const auto a = perf_stat_argv("/tmp/x");
  EXPECT_EQ(a, (std::vector<std::string>{"perf", "stat", "-x,", "-o", "/tmp/x/perf-stat.csv", "-e",
                                         "instructions:u,cycles:u", "--"}));
}

// Explanations from the recorded lifetimes of tests/data/callgrind/hello/.
TEST(InstructionExplanations, ARegressedCellGetsItsPerFunctionTableAndFlameGraph) {
  platform::TempDir out("bg-explain");
  results::ResultsFile rf;
  const results::LoadPoint point{1, 0};
  for (const std::string app : {"main", "pr"}) {
    results::RunRecord r;
    r.id = "i01-" + app + "-plaintext";
    r.app = app;
    r.scenario = "plaintext";
    r.status = "ok";
    results::PeriodResult p;
    p.point = point;
    p.status = "ok";
    p.driver.extra["instructions"] = {{"counted_requests", 50}};
    r.periods.push_back(p);
    for (const std::string side : {"a", "b"}) {
      const auto rel = std::filesystem::path("artifacts") / r.id / ("callgrind-c_1-" + side);
      std::filesystem::create_directories(out.path() / rel);
      std::filesystem::copy_file(
          benchgate::testing::data_path("callgrind/hello/" + app + "-" + side + ".callgrind"),
          out.path() / rel / "callgrind.out.100");
      r.artifacts.push_back({"callgrind", rel.string(), ""});
    }
    rf.runs.push_back(r);
  }
  gate::GateResult g;
  g.mode = "ab";
  gate::MetricVerdict v;
  v.app = "pr";
  v.baseline_label = "main";
  v.cell = results::cell_key("plaintext", point);
  v.metric = "instructions_per_request";
  v.verdict = gate::Verdict::kRegressed;
  g.verdicts.push_back(v);
  v.metric = "throughput";  // not a counted metric: not explained
  g.verdicts.push_back(v);
  const auto e = explain_counted_regressions(rf, g, out.path());
  ASSERT_EQ(e.size(), 1u);
  ASSERT_EQ(e[0]["status"], "ok") << e[0].dump();
  EXPECT_EQ(e[0]["rows"][0]["function"],
            "(anonymous namespace)::spin(unsigned long, unsigned long)");
  EXPECT_NEAR(e[0]["rows"][0]["delta_pct"].get<double>(), 10.0, 0.05);
  EXPECT_EQ(e[0]["requests_base"], 50.0);
  for (const char* k : {"table", "diff_flamegraph", "baseline_folded", "candidate_folded"}) {
    EXPECT_TRUE(std::filesystem::exists(out.path() / e[0][k].get<std::string>())) << k;
  }
  const auto svg = platform::read_file(out.path() / e[0]["diff_flamegraph"].get<std::string>());
  EXPECT_THAT(svg, HasSubstr("spin"));
  // A/B only: a stored-baseline gate has no callgrind files of the baseline side.
  g.mode = "baseline";
  EXPECT_TRUE(explain_counted_regressions(rf, g, out.path()).empty());
  // A side without its files says why instead of failing the command.
  g.mode = "ab";
  rf.runs[0].artifacts.clear();
  const auto missing = explain_counted_regressions(rf, g, out.path());
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0]["status"], "failed");
  EXPECT_THAT(missing[0]["reason"].get<std::string>(), HasSubstr("lists no callgrind folders"));
}

}  // namespace
}  // namespace benchgate::runner
