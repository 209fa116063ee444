// Open-loop accuracy of the built-in load generator against the example server: rate held,
// injected delay measured, and a server stall visible in the coordinated-omission corrected
// latency but not in the service time.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "loadgen/engine.h"
#include "platform/fs.h"
#include "platform/subprocess.h"
#include "hello_server.h"
#include "test_support.h"

namespace benchgate {
namespace {

using namespace std::chrono_literals;

using testing::HelloServer;

loadgen::EngineResult drive(loadgen::EngineConfig c) {
  loadgen::Engine engine(std::move(c));
  CancelToken cancel;
  return engine.run(cancel, system_clock());
}

TEST(LoadgenOpenLoop, AchievedRateWithinOnePercentOfTarget) {
  HelloServer server;
  loadgen::EngineConfig c;
  c.url = server.url();
  c.rate = 2000;  // hello-server does tens of thousands per second here
  c.connections = 16;
  c.threads = 1;
  c.warmup = 300ms;
  c.duration = 2s;
  const auto r = drive(c);
  EXPECT_EQ(r.errors.total(), 0) << r.first_error;
  const double achieved = static_cast<double>(r.responses) / r.duration_s;
  EXPECT_NEAR(achieved, 2000, 2000 * 0.01);
  EXPECT_EQ(r.success, r.responses);
}

TEST(LoadgenOpenLoop, MedianLatencyMatchesAnInjectedDelay) {
  HelloServer server({"--delay-ms", "20"});
  loadgen::EngineConfig c;
  c.url = server.url();
  c.rate = 400;  // 8 requests in flight on average; 32 connections leave room
  c.connections = 32;
  c.threads = 1;
  c.warmup = 300ms;
  c.duration = 2s;
  const auto r = drive(c);
  EXPECT_EQ(r.errors.total(), 0) << r.first_error;
  EXPECT_NEAR(r.latency.quantile_ns(0.5), 20e6, 20e6 * 0.05);
  EXPECT_NEAR(r.service.quantile_ns(0.5), 20e6, 20e6 * 0.05);
  EXPECT_GE(r.latency.min_ns(), 19'000'000);
}

TEST(LoadgenOpenLoop, StallShowsInCorrectedButNotInUncorrectedLatency) {
  // The whole server pauses 200 ms every second.
  HelloServer server({"--stall-every-ms", "1000", "--stall-ms", "200"});
  loadgen::EngineConfig c;
  c.url = server.url();
  c.rate = 1000;
  c.connections = 4;  // only these few requests are in flight when a stall starts
  c.threads = 1;
  c.warmup = 200ms;
  c.duration = 2s;
  c.timeout = 1s;
  const auto r = drive(c);
  EXPECT_EQ(r.errors.total(), 0) << r.first_error;
  // ~2 stalls x 200 ms at 1000/s: ~20 % of requests were due while the server slept.
  EXPECT_GT(r.latency.quantile_ns(0.99), 100e6);
  EXPECT_GT(r.latency.quantile_ns(0.9), 20e6);
  // As service time only the ~4 requests in flight per stall waited: < 1 % of them.
  EXPECT_LT(r.service.quantile_ns(0.99), 20e6);
  EXPECT_GT(r.service.max_ns(), 100'000'000);
}

}  // namespace
}  // namespace benchgate
