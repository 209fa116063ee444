// Request-count mode (EngineConfig::request_count): exactly N requests, every one counted.

#include <gtest/gtest.h>

#include <chrono>

#include "core/parse.h"
#include "loadgen/engine.h"
#include "test_server.h"

namespace benchgate::loadgen {
namespace {

using namespace std::chrono_literals;
using testing::Action;
using testing::ok_response;
using testing::TestServer;

EngineConfig counted_config(const std::string& url, std::int64_t n) {
  EngineConfig c;
  c.url = url;
  c.connections = 3;
  c.threads = 2;
  c.duration = 10s;  // the time limit only
  c.timeout = 500ms;
  c.request_count = n;
  return c;
}

TEST(CountedEngine, SendsAndCountsExactlyTheRequestedNumber) {
  TestServer server([](const std::string&, int) { return Action{ok_response()}; });
  for (std::int64_t n : {1, 2, 3, 7, 500}) {
    const int before = server.requests();
    Engine engine(counted_config(server.url(), n));
    CancelToken cancel;
    const auto r = engine.run(cancel, system_clock());
    EXPECT_TRUE(r.count_reached) << n << ": " << r.first_error;
    EXPECT_FALSE(r.cancelled);
    EXPECT_EQ(r.sent, n);
    EXPECT_EQ(r.responses, n);
    EXPECT_EQ(r.success, n);
    EXPECT_EQ(r.errors.total(), 0) << r.first_error;
    EXPECT_EQ(server.requests() - before, n) << "the server saw a different count";
    EXPECT_EQ(r.latency.count(), n);
  }
}

TEST(CountedEngine, PipeliningStillStopsAtTheCount) {
  TestServer server([](const std::string&, int) { return Action{ok_response()}; });
  auto c = counted_config(server.url(), 101);
  c.pipeline = 8;
  Engine engine(c);
  CancelToken cancel;
  const auto r = engine.run(cancel, system_clock());
  EXPECT_TRUE(r.count_reached);
  EXPECT_EQ(r.responses, 101);
  EXPECT_EQ(server.requests(), 101);
}

TEST(CountedEngine, ErrorsAreCountedAndTheRunStillEnds) {
  TestServer server([](const std::string&, int) { return Action{""}; });  // never answers
  auto c = counted_config(server.url(), 6);
  c.timeout = 50ms;
  Engine engine(c);
  CancelToken cancel;
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = engine.run(cancel, system_clock());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_TRUE(r.count_reached);  // every request sent and failed
  EXPECT_EQ(r.responses, 0);
  EXPECT_EQ(r.errors.timeout, 6);
}

TEST(CountedEngine, TimeLimitEndsARunThatCannotConnect) {
  std::string url;
  {
    TestServer gone([](const std::string&, int) { return Action{""}; });
    url = gone.url();
  }
  auto c = counted_config(url, 10);
  c.duration = 200ms;
  Engine engine(c);
  CancelToken cancel;
  const auto r = engine.run(cancel, system_clock());
  EXPECT_FALSE(r.count_reached);
  EXPECT_EQ(r.responses, 0);
  EXPECT_NE(r.first_error, "");
}

TEST(CountedEngine, OpenLoopIsRefused) {
  auto c = counted_config("http://127.0.0.1:1/", 10);
  c.rate = 100;
  EXPECT_THROW(Engine{c}, ParseError);
}

}  // namespace
}  // namespace benchgate::loadgen
