// runner::execute_bursts over fake seams (fake_seams.h) and a FakeClock: a session starts both
// apps once, alternates bursts in the plan's order, gives the start-up metrics to each app's
// first run, and ends the way bursts.h says on a crash, a start failure or an invalid burst.

#include "runner/bursts.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "config/suite.h"
#include "fake_seams.h"
#include "matrix/matrix.h"
#include "platform/fs.h"

namespace benchgate::runner {
namespace {

using namespace std::chrono_literals;
using fakes::World;

config::SuiteConfig bursts_suite(int iterations, int starts) {
  auto suite = config::parse_suite_text(R"(
[defaults]
driver = "builtin"
duration = "1s"
warmup = "3s"
pairing = "bursts"
burst_warmup = "100ms"
seed = 7
[[app]]
label = "main"
command = ["/opt/app", "--port", "{port}"]
role = "baseline"
[[app]]
label = "pr"
command = ["/opt/app", "--port", "{port}", "--slow"]
role = "candidate"
port = 8081
[[scenario]]
name = "plain"
url = "http://127.0.0.1:8080/"
clients = [4, 8]
)",
                                        "t.toml", "host");
  suite.defaults.iterations = iterations;
  for (auto& sc : suite.scenarios)
    sc.driver_options.starts = starts;
  return suite;
}

class BurstsTest : public ::testing::Test {
 protected:
  BurstsTest() : world(clock) {
    // A port answers once a live process was launched with it on its command line.
    world.probe = [&](const Url& url) {
      ProbeResult r;
      for (std::size_t i = 0; i < world.processes.size(); ++i) {
        const auto& argv = world.launched[i].argv;
        const bool serves =
            std::find(argv.begin(), argv.end(), std::to_string(url.port)) != argv.end();
        if (serves && !world.processes[i]->poll()) {
          r.connected = r.answered = true;
          r.status = 200;
          return r;
        }
      }
      r.error = "connection refused";
      return r;
    };
    world.period = [&](const drivers::DriveRequest& req, drivers::DriveHooks& hooks,
                       const CancelToken& cancel, Clock& c) {
      bursts.push_back({req.url, req.warmup, req.point.clients});
      return fakes::normal_period(req, hooks, cancel, c);
    };
  }

  std::vector<results::RunRecord> run(const matrix::Plan& plan) {
    RunContext ctx{clock, world.cancel, dir.path()};
    ctx.seams = world.seams();
    return execute_bursts(std::span(plan.runs), ctx);
  }

  struct Seen {
    std::string url;
    Nanos warmup;
    int clients;
  };
  FakeClock clock;
  World world;
  std::vector<Seen> bursts;
  platform::TempDir dir{"bg-bursts"};
};

TEST(BurstsPlanTest, PairsOfOneStartAreContiguousAndAlternateAbba) {
  auto plan = matrix::expand(bursts_suite(6, 2));
  ASSERT_EQ(plan.runs.size(), 12u);
  // Two sessions of 3 pairs; the pairs alternate their order (ABBA...).
  EXPECT_EQ(session_length(plan.runs, 0), 6u);
  EXPECT_EQ(session_length(plan.runs, 6), 6u);
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    EXPECT_EQ(plan.runs[i].session, i < 6 ? 0 : 1) << i;
    EXPECT_EQ(plan.runs[i].iteration, static_cast<int>(i / 2) + 1) << i;
  }
  for (std::size_t i = 2; i < plan.runs.size(); i += 2) {
    EXPECT_NE(plan.runs[i].pair_order, plan.runs[i - 2].pair_order) << i;
    EXPECT_EQ(plan.runs[i].app.label, plan.runs[i - 1].app.label) << "ABBA: A B B A at " << i;
  }
  // The candidate serves on its own port, and "{port}" became it.
  for (const auto& r : plan.runs) {
    const bool cand = r.app.label == "pr";
    EXPECT_EQ(r.url, cand ? "http://127.0.0.1:8081/" : "http://127.0.0.1:8080/");
    EXPECT_EQ(r.app.command[2], cand ? "8081" : "8080");
  }
}

TEST(BurstsPlanTest, StartsSplitThePairsEvenlyAndNeverExceedThem) {
  auto plan = matrix::expand(bursts_suite(5, 2));  // 5 pairs over 2 starts: 3 + 2
  std::vector<int> sessions;
  for (const auto& r : plan.runs)
    sessions.push_back(r.session);
  EXPECT_EQ(sessions, (std::vector<int>{0, 0, 0, 0, 0, 0, 1, 1, 1, 1}));
  plan = matrix::expand(bursts_suite(2, 9));  // more starts than pairs: one per pair
  EXPECT_EQ(plan.runs.back().session, 1);
}

TEST_F(BurstsTest, ASessionStartsEachAppOnceAndAlternatesBursts) {
  auto plan = matrix::expand(bursts_suite(4, 1));
  auto recs = run(plan);
  ASSERT_EQ(recs.size(), 8u);
  // One launch per app, no restarts.
  ASSERT_EQ(world.launched.size(), 2u);
  EXPECT_EQ(world.launched[0].argv.back(), "8080");
  EXPECT_EQ(world.launched[1].argv.back(), "--slow");
  // 4 pairs × 2 load points × 2 apps; per point the pair's first app then its second.
  ASSERT_EQ(bursts.size(), 16u);
  std::size_t b = 0;
  for (std::size_t i = 0; i < plan.runs.size(); i += 2) {
    for (int clients : {4, 8}) {
      for (std::size_t j : {i, i + 1}) {
        EXPECT_EQ(bursts[b].url, plan.runs[j].url) << b;
        EXPECT_EQ(bursts[b].clients, clients) << b;
        ++b;
      }
    }
  }
  // Each app's first burst has the full warm-up, every other one burst_warmup.
  int full = 0;
  for (const auto& s : bursts)
    full += s.warmup == 3s;
  EXPECT_EQ(full, 2);
  EXPECT_EQ(bursts[2].warmup, 100ms);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    EXPECT_EQ(recs[i].id, plan.runs[i].id);
    EXPECT_EQ(recs[i].status, "ok") << recs[i].failure;
    EXPECT_EQ(recs[i].periods.size(), 2u);
    // Start-up metrics only on each app's first run: a session is one start.
    EXPECT_EQ(recs[i].metrics.count("startup_time"), i < 2 ? 1u : 0u) << i;
    EXPECT_EQ(recs[i].instances.size(), 1u);
  }
  // The candidate was stopped before the baseline, and both with SIGTERM.
  EXPECT_EQ(world.processes[0]->terminations, 1);
  EXPECT_EQ(world.processes[1]->terminations, 1);
}

TEST_F(BurstsTest, ACrashEndsTheSessionAndNamesItInEveryRunLeft) {
  auto plan = matrix::expand(bursts_suite(4, 1));
  // The candidate dies 5 s after its launch: during the second pair.
  world.on_launch = [&](const platform::SpawnOptions& o, fakes::FakeProcess& p) {
    if (o.argv.back() == "--slow") p.exit_at = clock.now() + 12s;
  };
  auto recs = run(plan);
  ASSERT_EQ(recs.size(), 8u);
  // Every run is ok (before the crash), the crash, its partners, or the crashed app's runs
  // left (skipped with the crash's kind).
  int crashed = 0, partner = 0, left = 0, ok = 0;
  for (const auto& r : recs) {
    if (r.status == "ok") {
      ++ok;
    } else if (r.failure_kind == kind::kPartnerFailed) {
      ++partner;
    } else if (r.failure_kind == kind::kCrashed) {
      (r.status == "skipped" ? left : crashed) += 1;
    }
  }
  EXPECT_EQ(crashed, 1);
  EXPECT_EQ(ok, 2);       // the first pair keeps its measurements
  EXPECT_EQ(partner, 3);  // the crash's partner and the baseline's runs left
  EXPECT_EQ(left, 2);
  for (const auto& r : recs) {
    if (r.status != "ok") {
      EXPECT_NE(r.failure.find("exited"), std::string::npos) << r.failure;
    }
  }
}

TEST_F(BurstsTest, ABaselineThatNeverComesUpFailsItsRunsAndSkipsThePartners) {
  auto plan = matrix::expand(bursts_suite(3, 1));
  world.on_launch = [&](const platform::SpawnOptions&, fakes::FakeProcess& p) {
    p.exit_at = clock.now() + 10ms;  // exits before it answers
    p.exit_status = fakes::exited(3);
  };
  world.probe = [](const Url&) {
    ProbeResult r;
    r.error = "connection refused";
    return r;
  };
  auto recs = run(plan);
  ASSERT_EQ(recs.size(), 6u);
  EXPECT_EQ(world.launched.size(), 1u) << "the candidate is not started without a partner";
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const bool base = plan.runs[i].app.role == "baseline";
    EXPECT_EQ(recs[i].failure_kind, base ? kind::kExitedAtStart : kind::kPartnerFailed) << i;
    EXPECT_NE(recs[i].status, "ok");
  }
  EXPECT_TRUE(bursts.empty());
}

TEST_F(BurstsTest, APairWithAnInvalidBurstIsMeasuredAgainOnceAndSaysSo) {
  auto plan = matrix::expand(bursts_suite(3, 1));
  int n = 0;
  world.period = [&](const drivers::DriveRequest& req, drivers::DriveHooks& hooks,
                     const CancelToken& cancel, Clock& c) {
    bursts.push_back({req.url, req.warmup, req.point.clients});
    auto r = fakes::normal_period(req, hooks, cancel, c);
    if (++n == 5) r.invalid_reasons.push_back("no response in the measured window");
    return r;
  };
  auto recs = run(plan);
  ASSERT_EQ(recs.size(), 6u);
  // 3 pairs × 2 points × 2 apps, and pair 2 (bursts 5-8) once more.
  EXPECT_EQ(bursts.size(), 16u);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    EXPECT_EQ(recs[i].status, "ok") << recs[i].failure;
    EXPECT_EQ(recs[i].periods.size(), 2u) << "the first attempt's periods are replaced";
    const bool second_pair = plan.runs[i].iteration == 2;
    const bool warned = std::any_of(recs[i].warnings.begin(), recs[i].warnings.end(), [](auto& w) {
      return w.find("burst pair 2 measured again") != std::string::npos &&
             w.find("no response in the measured window") != std::string::npos;
    });
    EXPECT_EQ(warned, second_pair) << i;
  }
}

TEST_F(BurstsTest, AnAppInvalidAgainFailsOnlyItsOwnRun) {
  auto plan = matrix::expand(bursts_suite(3, 1));
  world.period = [&](const drivers::DriveRequest& req, drivers::DriveHooks& hooks,
                     const CancelToken& cancel, Clock& c) {
    auto r = fakes::normal_period(req, hooks, cancel, c);
    // The candidate (port 8081) fails every burst of pair 2, the retry's too.
    if (req.url.find(":8081") != std::string::npos &&
        req.artifact_prefix.find("b02") != std::string::npos) {
      r.invalid_reasons.push_back("errors 40% above max_error_rate 1%");
    }
    return r;
  };
  auto recs = run(plan);
  ASSERT_EQ(recs.size(), 6u);
  int failed = 0;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    if (recs[i].status != "ok") {
      ++failed;
      EXPECT_EQ(recs[i].failure_kind, kind::kInvalid);
      EXPECT_EQ(plan.runs[i].app.label, "pr");
      EXPECT_EQ(plan.runs[i].iteration, 2);
    }
  }
  EXPECT_EQ(failed, 1);
}

TEST_F(BurstsTest, AnInterruptedSessionRecordsOnlyWhatRan) {
  auto plan = matrix::expand(bursts_suite(4, 1));
  int n = 0;
  world.period = [&](const drivers::DriveRequest& req, drivers::DriveHooks& hooks,
                     const CancelToken& cancel, Clock& c) {
    if (++n == 3) world.cancel.cancel();
    return fakes::normal_period(req, hooks, cancel, c);
  };
  auto recs = run(plan);
  ASSERT_LT(recs.size(), plan.runs.size());
  EXPECT_TRUE(std::any_of(recs.begin(), recs.end(),
                          [](const auto& r) { return r.status == "interrupted"; }));
  for (const auto& p : world.processes)
    EXPECT_TRUE(p->status().has_value()) << "every app is stopped";
}

}  // namespace
}  // namespace benchgate::runner
