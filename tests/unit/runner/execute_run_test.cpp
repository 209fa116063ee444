// runner::execute_run over fake seams (fake_seams.h) and a FakeClock: every ending of a run
// (ready timeout, crash at start and mid-load, signal, invalid load points, profiler failure,
// port in use, failing hook, SIGTERM ignored) without a real process, socket or sleep.

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "fake_seams.h"
#include "platform/fs.h"
#include "runner/runner.h"

namespace benchgate::runner {
namespace {

using namespace std::chrono_literals;
using fakes::World;

class ExecuteRunTest : public ::testing::Test {
 protected:
  ExecuteRunTest() : world(clock) {
    spec.id = "i01-app-plain";
    spec.iteration = 1;
    spec.app.label = "app";
    spec.app.role = "candidate";
    spec.app.command = {"/opt/app/server", "--port", "8080"};
    spec.scenario = "plain";
    spec.url = "http://127.0.0.1:8080/";
    spec.points = {results::LoadPoint{1, 0}, results::LoadPoint{2, 0}};
    spec.warmup = 1s;
    spec.duration = 2s;
    spec.interval = 1s;
    spec.ready_timeout = 5s;
    spec.driver = "fake";
  }

  results::RunRecord run() {
    RunContext ctx{clock, world.cancel, dir.path()};
    ctx.seams = world.seams();
    return execute_run(spec, ctx);
  }

  fakes::FakeProcess& app(std::size_t i = 0) { return *world.processes.at(i); }

  FakeClock clock;
  World world;
  RunSpec spec;
  platform::TempDir dir{"bg-runner"};
};

TEST_F(ExecuteRunTest, AHealthyRunDrivesEveryLoadPointAndStopsTheAppWithSigterm) {
  const Nanos t0 = clock.now();
  world.probe = [&](const Url&) {
    ProbeResult r;
    // Ready 250 ms after the launch.
    if (world.processes.empty() || clock.now() < t0 + 250ms) {
      r.error = "connection refused";
      return r;
    }
    r.connected = r.answered = true;
    r.status = 200;
    return r;
  };
  auto rec = run();
  EXPECT_EQ(rec.status, "ok") << rec.failure;
  ASSERT_EQ(rec.periods.size(), 2u);
  EXPECT_EQ(rec.periods[0].status, "ok");
  EXPECT_EQ(rec.periods[1].driver.requests, 1000);
  EXPECT_GE(rec.startup.time_to_ready_s, 0.25);
  EXPECT_LT(rec.startup.time_to_ready_s, 0.25 + 0.021);  // polls every 20 ms at most
  EXPECT_TRUE(rec.termination.expected);
  EXPECT_EQ(app().terminations, 1);
  ASSERT_EQ(world.launched.size(), 1u);
  EXPECT_EQ(world.launched[0].argv, spec.app.command);
  EXPECT_EQ(world.launched[0].clock, &clock);  // the app's waits run on the run's clock
  EXPECT_TRUE(world.launched[0].die_with_parent);
  EXPECT_EQ(world.monitor->periods, 2);
  EXPECT_TRUE(world.monitor->stopped);
  // The run's timing comes from the injected clock: 2 × (1 s warm-up + 2 s) measured.
  EXPECT_GE(rec.elapsed_s, 6.0);
  EXPECT_LT(rec.elapsed_s, 6.5);
}

TEST_F(ExecuteRunTest, AnAppThatNeverAnswersFailsAsNotReadyAfterTheReadyTimeout) {
  world.probe = [](const Url&) {
    ProbeResult r;
    r.error = "connection refused";
    return r;
  };
  const Nanos t0 = clock.now();
  auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, kind::kNotReady);
  EXPECT_NE(rec.failure.find("never became ready"), std::string::npos) << rec.failure;
  EXPECT_NE(rec.failure.find("connection refused"), std::string::npos) << rec.failure;
  EXPECT_TRUE(rec.periods.empty());
  // It waited the timeout out on the clock (polling, not spinning), then stopped the app.
  EXPECT_GE(clock.now() - t0, 5s);
  EXPECT_LT(clock.now() - t0, 6s);
  EXPECT_GT(clock.waits(), 100);
  EXPECT_LT(world.probes, 400);
  EXPECT_EQ(app().terminations, 1);
}

TEST_F(ExecuteRunTest, AnAppThatExitsBeforeItIsReadyFailsAsExitedAtStart) {
  world.probe = [](const Url&) {
    ProbeResult r;
    r.error = "connection refused";
    return r;
  };
  world.on_launch = [&](const platform::SpawnOptions&, fakes::FakeProcess& p) {
    p.exit_at = clock.now() + 30ms;
    p.exit_status = fakes::exited(3);
  };
  auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, kind::kExitedAtStart);
  EXPECT_NE(rec.failure.find("exited with status 3"), std::string::npos) << rec.failure;
}

TEST_F(ExecuteRunTest, AnAppThatCannotBeLaunchedFailsAsStartFailed) {
  world.on_launch = [](const platform::SpawnOptions&, fakes::FakeProcess&) {
    throw RunError("cannot start '/opt/app/server': No such file or directory");
  };
  auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, kind::kStartFailed);
  EXPECT_NE(rec.failure.find("No such file"), std::string::npos);
}

TEST_F(ExecuteRunTest, AnAppThatCrashesDuringALoadPeriodFailsAsCrashedAndTheRestIsNotDriven) {
  int periods = 0;
  world.period = [&](const drivers::DriveRequest& req, drivers::DriveHooks& hooks,
                     const CancelToken& cancel, Clock& c) {
    ++periods;
    // The app dies in the middle of the measured part of the first load point.
    app().exit_at = c.now() + req.warmup + req.duration / 2;
    app().exit_status = fakes::killed(SIGSEGV);
    return fakes::normal_period(req, hooks, cancel, c);
  };
  auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, kind::kCrashed);
  EXPECT_NE(rec.failure.find("crashed during load point c=1"), std::string::npos) << rec.failure;
  EXPECT_NE(rec.failure.find("SIGSEGV"), std::string::npos) << rec.failure;
  EXPECT_EQ(periods, 1);
  ASSERT_EQ(rec.periods.size(), 1u);
  EXPECT_EQ(rec.periods[0].status, "failed");
  // It was dead already: not terminated, and its end is not called expected.
  EXPECT_EQ(app().terminations, 0);
  EXPECT_FALSE(rec.termination.expected);
}

TEST_F(ExecuteRunTest, ASignalDuringALoadPeriodInterruptsTheRunAndStopsTheApp) {
  world.period = [&](const drivers::DriveRequest& req, drivers::DriveHooks& hooks,
                     const CancelToken& cancel, Clock& c) {
    c.wait_for(req.warmup, &cancel);
    hooks.on_measure_start();
    c.wait_for(req.duration / 4, &cancel);
    world.cancel.cancel(SIGINT);  // what platform::SignalGuard does on Ctrl-C
    results::DriverResult r;      // a driver returns early, partial, when cancelled
    r.requests = 10;
    return r;
  };
  auto rec = run();
  EXPECT_EQ(rec.status, "interrupted");
  EXPECT_EQ(rec.failure_kind, kind::kInterrupted);
  ASSERT_EQ(rec.periods.size(), 1u);
  EXPECT_EQ(rec.periods[0].status, "interrupted");
  EXPECT_EQ(app().terminations, 1);
  EXPECT_TRUE(world.monitor->stopped);
}

TEST_F(ExecuteRunTest, ASignalWhileWaitingForReadinessInterruptsTheRun) {
  world.probe = [&](const Url&) {
    ProbeResult r;
    r.error = "connection refused";
    if (world.probes == 20) world.cancel.cancel(SIGTERM);
    return r;
  };
  auto rec = run();
  EXPECT_EQ(rec.status, "interrupted");
  EXPECT_EQ(rec.failure_kind, kind::kInterrupted);
  EXPECT_NE(rec.failure.find("waiting for the app to become ready"), std::string::npos);
  EXPECT_EQ(app().terminations, 1);
}

TEST_F(ExecuteRunTest, AnInvalidLoadPointFailsTheRunAsInvalidButTheOthersAreStillDriven) {
  world.period = [](const drivers::DriveRequest& req, drivers::DriveHooks& hooks,
                    const CancelToken& cancel, Clock& c) {
    auto r = fakes::normal_period(req, hooks, cancel, c);
    if (req.point.clients == 1) r.invalid_reasons = {"errors 40 % above max_error_rate 1 %"};
    return r;
  };
  auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, kind::kInvalid);
  EXPECT_NE(rec.failure.find("load point c=1 invalid: errors 40 %"), std::string::npos)
      << rec.failure;
  ASSERT_EQ(rec.periods.size(), 2u);
  EXPECT_EQ(rec.periods[0].status, "invalid");
  EXPECT_EQ(rec.periods[1].status, "ok");
  EXPECT_TRUE(rec.termination.expected);
}

TEST_F(ExecuteRunTest, ADriverFailureFailsTheRunAsDriverFailed) {
  world.period = [](const drivers::DriveRequest&, drivers::DriveHooks&, const CancelToken&,
                    Clock&) -> results::DriverResult {
    throw RunError("wrk exited with status 1");
  };
  auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, kind::kDriverFailed);
  EXPECT_EQ(rec.failure, "wrk exited with status 1");
}

TEST_F(ExecuteRunTest, AFailingProfilerMarksTheProfileFailedAndTheRunStaysOk) {
  spec.profiler = "fake-prof";
  auto rec = run();
  EXPECT_EQ(rec.status, "ok") << rec.failure;
  ASSERT_TRUE(rec.profile.has_value());
  EXPECT_EQ(rec.profile->status, "failed");
  EXPECT_EQ(rec.profile->reason, "the fake profiler wrote no samples");
  ASSERT_EQ(world.launched.size(), 1u);
  EXPECT_EQ(world.launched[0].argv.at(0), "fake-wrapper");  // the app ran under the wrapper
  bool warned = false;
  for (const auto& w : rec.warnings)
    warned |= w.find("the fake profiler wrote no samples") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST_F(ExecuteRunTest, AServerAlreadyOnThePortFailsThePreFlightNamingItsHolder) {
  world.probe = [](const Url&) {
    ProbeResult r;
    r.connected = r.answered = true;
    r.status = 200;
    return r;
  };
  const Nanos t0 = clock.now();
  auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, kind::kPortInUse);
  EXPECT_NE(rec.failure.find("still after 3s"), std::string::npos) << rec.failure;
  EXPECT_NE(rec.failure.find("held by pid 77 (nginx)"), std::string::npos) << rec.failure;
  EXPECT_TRUE(world.launched.empty());
  EXPECT_GE(clock.now() - t0, 3s);  // the bounded wait for the port to close
}

TEST_F(ExecuteRunTest, AFailingPreRunHookFailsTheRunBeforeTheAppStarts) {
  spec.app.pre_run = "reset-db";
  world.on_launch = [&](const platform::SpawnOptions& o, fakes::FakeProcess& p) {
    if (o.argv.at(0) == "/bin/sh") {
      p.exit_at = clock.now() + 10ms;
      p.exit_status = fakes::exited(2);
    }
  };
  auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, kind::kPreRunFailed);
  EXPECT_NE(rec.failure.find("script 'reset-db' failed (exited with status 2)"), std::string::npos)
      << rec.failure;
  ASSERT_EQ(world.launched.size(), 1u);  // the hook only
}

TEST_F(ExecuteRunTest, AnAppThatIgnoresSigtermIsKilledAndTheRunFailsAsUnexpectedExit) {
  world.on_launch = [](const platform::SpawnOptions&, fakes::FakeProcess& p) {
    p.ignores_sigterm = true;
  };
  auto rec = run();
  EXPECT_EQ(rec.status, "failed");
  EXPECT_EQ(rec.failure_kind, kind::kUnexpectedExit);
  EXPECT_NE(rec.termination.description.find("SIGKILL"), std::string::npos)
      << rec.termination.description;
}

TEST_F(ExecuteRunTest, TwoIdenticalStartFailuresSkipTheAppsRemainingRuns) {
  world.probe = [](const Url&) {
    ProbeResult r;
    r.error = "connection refused";
    return r;
  };
  FailFast fail_fast;
  for (int i = 1; i <= 2; ++i) {
    spec.iteration = i;
    spec.id = "i0" + std::to_string(i) + "-app-plain";
    ASSERT_FALSE(fail_fast.skip(spec).has_value());
    fail_fast.record(spec, run());
  }
  const auto skip = fail_fast.skip(spec);
  ASSERT_TRUE(skip.has_value());
  EXPECT_EQ(skip->kind, kind::kNotReady);
  EXPECT_NE(skip->reason.find("never became ready within 5 s"), std::string::npos) << skip->reason;
  const auto launches = world.launched.size();
  const auto rec = skipped_run(spec, skip->reason, skip->kind, clock);
  EXPECT_EQ(rec.status, "skipped");
  EXPECT_EQ(world.launched.size(), launches);  // nothing was started for the skipped run
}

}  // namespace
}  // namespace benchgate::runner
