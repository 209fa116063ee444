// The builtin driver: its result model against the example server, and its self-honesty checks.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/histogram.h"
#include "drivers/builtin_driver.h"
#include "platform/fs.h"
#include "platform/subprocess.h"
#include "hello_server.h"
#include "test_support.h"

namespace benchgate {
namespace {

using namespace std::chrono_literals;

using Hello = testing::HelloServer;

drivers::DriveRequest request(const std::string& url, int clients, double rate) {
  drivers::DriveRequest req;
  req.url = url;
  req.point.clients = clients;
  req.point.rate = rate;
  req.warmup = 200ms;
  req.duration = 1s;
  req.interval = 250ms;
  req.options.threads = 1;
  return req;
}

TEST(BuiltinDriver, OpenLoopResultAgainstHelloServer) {
  Hello server;
  auto driver = drivers::make_builtin_driver();
  EXPECT_EQ(driver->name(), "builtin");
  EXPECT_TRUE(driver->open_loop());
  auto req = request(server.url(), 8, 1000);
  driver->validate(req);
  int starts = 0, ends = 0;
  std::vector<double> live;
  drivers::DriveHooks hooks;
  hooks.on_measure_start = [&] { ++starts; };
  hooks.on_measure_end = [&] { ++ends; };
  hooks.on_interval = [&](double r) { live.push_back(r); };
  CancelToken cancel;
  const auto r = driver->run(req, hooks, cancel, system_clock());
  EXPECT_EQ(starts, 1);
  EXPECT_EQ(ends, 1);
  EXPECT_EQ(live.size(), 3u);
  EXPECT_EQ(r.driver, "builtin");
  EXPECT_TRUE(r.invalid_reasons.empty()) << r.invalid_reasons.front();
  EXPECT_NEAR(r.duration_s, 1.0, 0.05);
  EXPECT_NEAR(r.throughput, 1000, 20);
  EXPECT_EQ(r.target_rate, 1000);
  EXPECT_EQ(r.status_codes.at("200"), r.requests);
  EXPECT_EQ(r.non_2xx_3xx, 0);
  EXPECT_EQ(r.errors.total(), 0);
  EXPECT_GT(r.bytes_read, 0);
  EXPECT_GT(r.driver_cpu_s, 0);
  ASSERT_EQ(r.throughput_trace.size(), 4u);
  for (double v : r.throughput_trace)
    EXPECT_NEAR(v, 1000, 60);
  EXPECT_EQ(r.trace_interval_s, 0.25);
  // Latency in seconds, every percentile, and the histogram for later merging.
  EXPECT_EQ(r.latency.count, r.requests);
  for (const char* k : {"50", "75", "90", "99", "99.9", "99.99", "99.999"}) {
    ASSERT_TRUE(r.latency.percentiles.count(k)) << k;
  }
  EXPECT_GT(r.latency.percentiles.at("50"), 1e-6);
  EXPECT_LT(r.latency.percentiles.at("50"), 0.05);
  EXPECT_LE(r.latency.percentiles.at("50"), r.latency.percentiles.at("99.999"));
  const auto h = LatencyHistogram::decode(r.latency.histogram);
  EXPECT_EQ(h.count(), r.requests);
  EXPECT_NEAR(h.quantile_ns(0.5) / 1e9, r.latency.percentiles.at("50"), 1e-12);
  ASSERT_TRUE(r.latency_uncorrected.has_value());
  EXPECT_EQ(r.latency_uncorrected->count, r.requests);
  EXPECT_EQ(r.extra.at("threads").size(), 1u);
}

TEST(BuiltinDriver, ClosedLoopHasNoUncorrectedLatency) {
  Hello server;
  auto driver = drivers::make_builtin_driver();
  auto req = request(server.url(), 4, 0);
  req.duration = 300ms;
  drivers::DriveHooks hooks;
  CancelToken cancel;
  const auto r = driver->run(req, hooks, cancel, system_clock());
  EXPECT_GT(r.requests, 100);
  EXPECT_FALSE(r.latency_uncorrected.has_value());
  EXPECT_EQ(r.target_rate, 0);
}

TEST(BuiltinDriver, FlagsAnOpenLoopShortfall) {
  Hello server({"--delay-ms", "50"});  // 2 connections x 20/s = 40/s at most
  auto driver = drivers::make_builtin_driver();
  auto req = request(server.url(), 2, 200);
  drivers::DriveHooks hooks;
  CancelToken cancel;
  const auto r = driver->run(req, hooks, cancel, system_clock());
  ASSERT_FALSE(r.invalid_reasons.empty());
  EXPECT_NE(r.invalid_reasons[0].find("below the 200 requests/s target"), std::string::npos)
      << r.invalid_reasons[0];
  // Corrected latency shows the queue building up; service time stays ~50 ms.
  EXPECT_GT(r.latency.percentiles.at("99"), 0.3);
  EXPECT_LT(r.latency_uncorrected->percentiles.at("99"), 0.25);  // 50 ms + a busy machine
  EXPECT_GT(r.latency.percentiles.at("99"), 2 * r.latency_uncorrected->percentiles.at("99"));
}

TEST(BuiltinDriver, FlagsSocketErrorsAboveTheLimit) {
  const int port = testing::free_port();  // nothing listens here
  auto driver = drivers::make_builtin_driver();
  auto req = request("http://127.0.0.1:" + std::to_string(port) + "/", 2, 0);
  req.warmup = 0ms;
  req.duration = 200ms;
  drivers::DriveHooks hooks;
  CancelToken cancel;
  const auto r = driver->run(req, hooks, cancel, system_clock());
  EXPECT_GT(r.errors.connect, 0);
  // One reason: every attempt failed (no response at all), with the kind and the first error.
  ASSERT_EQ(r.invalid_reasons.size(), 1u);
  EXPECT_NE(r.invalid_reasons[0].find("(100 %) were errors, above max_error_rate 1 %: connect "
                                      "errors ×"),
            std::string::npos)
      << r.invalid_reasons[0];
  EXPECT_NE(r.invalid_reasons[0].find("refused"), std::string::npos) << r.invalid_reasons[0];
}

TEST(BuiltinDriver, FlagsASaturatedThread) {
  loadgen::EngineResult r;
  r.window_started = true;
  r.duration_s = 2;
  r.responses = r.success = 1000;
  r.threads = {{1, 8, 1.96}, {-1, 8, 1.0}};
  loadgen::EngineConfig c;
  const auto out = drivers::builtin_driver_result(r, c, 0.01);
  ASSERT_EQ(out.invalid_reasons.size(), 1u);
  EXPECT_NE(out.invalid_reasons[0].find("driver thread 0 (CPU 1) was CPU-saturated (98.0 %"),
            std::string::npos)
      << out.invalid_reasons[0];
}

TEST(BuiltinDriver, ValidateNamesTheOption) {
  auto driver = drivers::make_builtin_driver();
  auto req = request("http://127.0.0.1:1/", 1, 0);
  req.options.pipeline = 4;
  req.options.keepalive = false;
  EXPECT_THROW(driver->validate(req), UsageError);
  req = request("gopher://x/", 1, 0);
  try {
    driver->validate(req);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--url"), std::string::npos) << e.what();
  }
  req = request("http://127.0.0.1:1/", 1, 0);
  req.options.requests_file = "/nonexistent/requests.txt";
  try {
    driver->validate(req);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--requests-file"), std::string::npos) << e.what();
  }
}

TEST(BuiltinDriver, CancelledDuringWarmupReturnsAnEmptyResultQuickly) {
  Hello server;
  auto driver = drivers::make_builtin_driver();
  auto req = request(server.url(), 2, 0);
  req.warmup = 10s;
  drivers::DriveHooks hooks;
  bool started = false;
  hooks.on_measure_start = [&] { started = true; };
  CancelToken cancel;
  // The moment: the driver starts waiting out its warm-up on the clock (no sleep).
  class CancelOnFirstWait final : public Clock {
   public:
    explicit CancelOnFirstWait(CancelToken& c) : cancel_(c) {}
    Nanos now() const override { return system_clock().now(); }
    WallTime wall() const override { return system_clock().wall(); }
    bool wait_until(Nanos deadline, const CancelToken* cancel) override {
      if (waits_++ == 0) cancel_.cancel();
      return system_clock().wait_until(deadline, cancel);
    }
    int waits_ = 0;

   private:
    CancelToken& cancel_;
  } clock(cancel);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = driver->run(req, hooks, cancel, clock);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(clock.waits_, 1);
  EXPECT_LT(took, 300ms);
  EXPECT_FALSE(started);
  EXPECT_EQ(r.requests, 0);
}

}  // namespace
}  // namespace benchgate
