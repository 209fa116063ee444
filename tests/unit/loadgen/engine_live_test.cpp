#include "loadgen/engine.h"

#include <gtest/gtest.h>

#include <chrono>

#include "test_server.h"

namespace benchgate::loadgen {
namespace {

using namespace std::chrono_literals;
using testing::Action;
using testing::ok_response;
using testing::small_engine_config;
using testing::TestServer;

// How long a run takes and how exact its window is are checked in the integration tests
// (tests/integration/loadgen_engine_timing_test.cpp, under the load-test lock).
EngineResult drive(const EngineConfig& c) {
  Engine engine(c);
  CancelToken cancel;
  auto r = engine.run(cancel, system_clock());
  EXPECT_FALSE(r.cancelled);
  return r;
}

TEST(Engine, ClosedLoopAgainstAWellBehavedServer) {
  TestServer server([](const std::string&, int) { return Action{ok_response()}; });
  auto c = small_engine_config(server.url("/x?y=1"));
  c.warmup = 100ms;
  const auto r = drive(c);
  EXPECT_GT(r.responses, 100);
  EXPECT_EQ(r.success, r.responses);
  EXPECT_EQ(r.status[200], r.responses);
  EXPECT_EQ(r.errors.total(), 0) << r.first_error;
  EXPECT_EQ(r.reconnects, 0);
  EXPECT_EQ(r.connections_opened, 4);  // opened during warm-up, never again
  EXPECT_EQ(r.sent_fresh, 0);          // every measured request reused a connection
  EXPECT_EQ(r.sent_reused, r.sent);
  EXPECT_TRUE(r.connect_time.empty());  // no connect inside the window
  EXPECT_EQ(r.latency.count(), r.responses);
  EXPECT_TRUE(r.service.empty());  // closed loop: one latency only
  ASSERT_EQ(r.success_per_interval.size(), 3u);
  std::int64_t sum = 0;
  for (auto v : r.success_per_interval) {
    EXPECT_GT(v, 0);
    sum += v;
  }
  EXPECT_EQ(sum, r.success);
  EXPECT_GT(r.bytes_read, r.responses * 38);
  EXPECT_GT(r.bytes_written, r.responses * 20);
  EXPECT_EQ(server.request_lines().begin()->first, "GET /x?y=1 HTTP/1.1");
  ASSERT_EQ(r.threads.size(), 2u);
  EXPECT_GT(r.driver_cpu_s, 0);
}

TEST(Engine, LocalhostResolvesToTheIpv4Listener) {
  TestServer server([](const std::string&, int) { return Action{ok_response()}; });
  auto c = small_engine_config("http://localhost:" + std::to_string(server.port()) + "/");
  // A fixed number of requests with generous limits: this checks name resolution, not speed
  // (a 100 ms window and timeout failed on a loaded CI machine).
  c.request_count = 8;
  c.duration = 10s;
  c.timeout = 5s;
  const auto r = drive(c);
  EXPECT_EQ(r.responses, 8);
  EXPECT_EQ(r.errors.total(), 0) << r.first_error;
  EXPECT_EQ(server.request_lines().size(), 1u);
}

TEST(Engine, PipeliningKeepsSeveralRequestsInFlight) {
  TestServer server([](const std::string&, int) { return Action{ok_response("pipelined")}; });
  auto c = small_engine_config(server.url());
  c.connections = 2;
  c.pipeline = 8;
  const auto r = drive(c);
  EXPECT_GT(r.responses, 100);
  EXPECT_EQ(r.errors.total(), 0) << r.first_error;
  EXPECT_GT(server.max_batch(), 1);
}

TEST(Engine, CloseModeOpensAConnectionPerRequest) {
  TestServer server([](const std::string& req, int) {
    const bool close = req.find("Connection: close\r\n") != std::string::npos;
    return Action{ok_response("bye", close), close ? Action::kClose : Action::kKeep};
  });
  auto c = small_engine_config(server.url());
  c.keepalive = false;
  const auto r = drive(c);
  EXPECT_GT(r.responses, 20);
  EXPECT_EQ(r.errors.total(), 0) << r.first_error;
  EXPECT_EQ(r.reconnects, 0);  // by design, not counted
  EXPECT_GE(r.connections_opened, r.responses);
}

TEST(Engine, RequestListWeightedWithHeadAndBody) {
  TestServer server([](const std::string& req, int) {
    // HEAD gets a Content-Length but no body: the parser must not wait for one.
    if (req.starts_with("HEAD")) return Action{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"};
    if (req.starts_with("POST") && req.find("\r\n\r\n{\"a\":1}") == std::string::npos) {
      return Action{"HTTP/1.1 400 Bad\r\nContent-Length: 0\r\n\r\n"};
    }
    return Action{ok_response()};
  });
  auto c = small_engine_config(server.url());
  c.connections = 1;
  c.threads = 1;
  c.requests = parse_request_list(
      "GET /a weight=3\nHEAD /h\nPOST /p\nContent-Type: application/json\n@body {\"a\":1}\n", ".",
      parse_url(server.url()));
  const auto r = drive(c);
  EXPECT_EQ(r.errors.total(), 0) << r.first_error;
  EXPECT_EQ(r.responses - r.success, 0);
  const auto lines = server.request_lines();
  const int a = lines.at("GET /a HTTP/1.1"), h = lines.at("HEAD /h HTTP/1.1"),
            p = lines.at("POST /p HTTP/1.1");
  EXPECT_NEAR(a, 3 * h, 3);
  EXPECT_NEAR(h, p, 1);
}

// --- misbehaving servers: each ends in counted errors and a finished run -----------------

TEST(Engine, ServerResetsMidResponse) {
  TestServer server([](const std::string&, int) {
    return Action{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", Action::kReset};
  });
  const auto r = drive(small_engine_config(server.url()));
  EXPECT_EQ(r.responses, 0);
  EXPECT_GT(r.errors.read, 10);
  EXPECT_GT(r.reconnects, 10);
}

TEST(Engine, ServerNeverAnswers) {
  TestServer server([](const std::string&, int) { return Action{""}; });
  auto c = small_engine_config(server.url());
  c.timeout = 50ms;
  const auto r = drive(c);
  EXPECT_EQ(r.responses, 0);
  // 4 connections, each timing out every ~50-55 ms over 300 ms.
  EXPECT_GE(r.errors.timeout, 12);
  EXPECT_LE(r.errors.timeout, 28);
  EXPECT_EQ(r.errors.total(), r.errors.timeout);
}

TEST(Engine, GarbageStatusLine) {
  TestServer server([](const std::string&, int) { return Action{"GARBAGE 200\r\n\r\n"}; });
  const auto r = drive(small_engine_config(server.url()));
  EXPECT_EQ(r.responses, 0);
  EXPECT_GT(r.errors.parse, 10);
  EXPECT_NE(r.first_error.find("status line"), std::string::npos) << r.first_error;
}

TEST(Engine, HugeHeaders) {
  const std::string huge = "HTTP/1.1 200 OK\r\nX-Huge: " + std::string(100 * 1024, 'h') +
                           "\r\nContent-Length: 0\r\n\r\n";
  TestServer server([&](const std::string&, int) { return Action{huge}; });
  const auto r = drive(small_engine_config(server.url()));
  EXPECT_EQ(r.responses, 0);
  EXPECT_GT(r.errors.parse, 5);
}

TEST(Engine, ChunkedWithBadSizes) {
  TestServer server([](const std::string&, int) {
    return Action{
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\nxx\r\n0\r\n\r\n"};
  });
  const auto r = drive(small_engine_config(server.url()));
  EXPECT_EQ(r.responses, 0);
  EXPECT_GT(r.errors.parse, 10);
}

TEST(Engine, ServerClosesAfterEveryResponseWithoutSayingSo) {
  TestServer server([](const std::string&, int) { return Action{ok_response(), Action::kClose}; });
  const auto r = drive(small_engine_config(server.url()));
  // Each connection gets one answer, then its next request meets the close.
  EXPECT_GT(r.responses, 10);
  EXPECT_GT(r.errors.read, 10);
  EXPECT_GT(r.reconnects, 10);
}

TEST(Engine, ServerClosesAfterEveryResponseAndSaysSo) {
  TestServer server([](const std::string&, int) {
    return Action{ok_response("x", true), Action::kClose};
  });
  const auto r = drive(small_engine_config(server.url()));
  EXPECT_GT(r.responses, 10);
  EXPECT_EQ(r.errors.total(), 0) << r.first_error;
  EXPECT_GE(r.reconnects, r.responses - 4);
  // Keep-alive was asked for but never happened; each request's latency started with its
  // connect.
  EXPECT_EQ(r.sent_reused, 0);
  // A request sent in the warm-up may be answered in the measured window (as above).
  EXPECT_GE(r.sent_fresh, r.responses - 4);
  EXPECT_GE(r.connect_time.count(), r.responses - 4);
  EXPECT_GE(r.latency.mean_ns(), r.connect_time.mean_ns());
}

TEST(Engine, UnsolicitedBytesAfterAResponse) {
  TestServer server([](const std::string&, int) { return Action{ok_response() + "EXTRA"}; });
  const auto r = drive(small_engine_config(server.url()));
  EXPECT_GT(r.responses, 0);
  EXPECT_GT(r.errors.parse, 0);
}

TEST(Engine, NothingListening) {
  int port = 0;
  {
    TestServer gone([](const std::string&, int) { return Action{""}; });
    port = gone.port();
  }
  auto c = small_engine_config("http://127.0.0.1:" + std::to_string(port) + "/");
  const auto r = drive(c);
  EXPECT_EQ(r.responses, 0);
  EXPECT_GT(r.errors.connect, 4);
  EXPECT_EQ(r.errors.total(), r.errors.connect);
  EXPECT_NE(r.first_error.find("refused"), std::string::npos) << r.first_error;
}

TEST(Engine, RejectsBadConfigurations) {
  EngineConfig c;
  c.url = "ftp://x/";
  EXPECT_THROW(Engine{c}, std::invalid_argument);
  c.url = "http://127.0.0.1:1/";
  c.connections = 0;
  EXPECT_THROW(Engine{c}, std::invalid_argument);
  c.connections = 1;
  c.pipeline = 4;
  c.keepalive = false;
  EXPECT_THROW(Engine{c}, std::invalid_argument);
  c.keepalive = true;
  c.rate = -1;
  EXPECT_THROW(Engine{c}, std::invalid_argument);
}

}  // namespace
}  // namespace benchgate::loadgen

namespace benchgate::loadgen {
namespace {

TEST(Engine, FakeClockPacesOnlyTheCoarseSchedule) {
  // A FakeClock's waits return at once: the run is over almost immediately, having asked the
  // clock for the warm-up and window edges, and still calls each hook exactly once.
  testing::TestServer server(
      [](const std::string&, int) { return testing::Action{testing::ok_response()}; });
  auto c = small_engine_config(server.url());
  c.warmup = std::chrono::hours(1);
  c.duration = std::chrono::hours(1);
  Engine engine(c);
  CancelToken cancel;
  FakeClock clock;
  int starts = 0, ends = 0;
  EngineHooks hooks;
  hooks.on_measure_start = [&] { ++starts; };
  hooks.on_measure_end = [&] { ++ends; };
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = engine.run(cancel, clock, hooks);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  EXPECT_EQ(clock.waits(), 2);
  EXPECT_EQ(starts, 1);
  EXPECT_EQ(ends, 1);
  EXPECT_TRUE(r.window_started);
  EXPECT_FALSE(r.cancelled);
  EXPECT_LT(r.duration_s, 0.5);
}

}  // namespace
}  // namespace benchgate::loadgen
