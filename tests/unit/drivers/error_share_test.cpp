// The error-share check (drivers/error_share.h) and how every HTTP driver applies it: a load
// point whose non-2xx/3xx responses and socket errors exceed max_error_rate, or that got no
// successful response at all, is invalid — on recorded tool outputs (tests/data) and on
// synthetic results.

#include "drivers/error_share.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/parse.h"
#include "drivers/builtin_driver.h"
#include "drivers/jmeter_driver.h"
#include "drivers/wrk2_driver.h"
#include "drivers/wrk2_parse.h"
#include "drivers/wrk_parse.h"
#include "test_support.h"

namespace benchgate::drivers {
namespace {

std::string fixture(const std::string& name) {
  return testing::read_text(testing::data_path(name));
}

results::DriverResult result(std::int64_t responses, std::int64_t non_ok,
                             std::map<std::string, std::int64_t> codes = {}) {
  results::DriverResult r;
  r.requests = responses;
  r.non_2xx_3xx = non_ok;
  r.status_codes = std::move(codes);
  return r;
}

TEST(ErrorShare, GroupThousands) {
  EXPECT_EQ(group_thousands(0), "0");
  EXPECT_EQ(group_thousands(999), "999");
  EXPECT_EQ(group_thousands(1000), "1,000");
  EXPECT_EQ(group_thousands(10000), "10,000");
  EXPECT_EQ(group_thousands(1234567), "1,234,567");
  EXPECT_EQ(group_thousands(-1234), "-1,234");
}

TEST(ErrorShare, AllResponses404AreInvalidWithTheCodeAndCount) {
  const auto r = result(10000, 10000, {{"404", 10000}});
  const auto reason = error_share_reason(r, 0.01);
  ASSERT_TRUE(reason);
  EXPECT_EQ(*reason,
            "10,000 of 10,000 responses (100 %) were errors, above max_error_rate 1 %: 404 "
            "×10,000");
}

TEST(ErrorShare, AtTheLimitIsValidAboveItIsNot) {
  // 1 % exactly is not above 1 %.
  EXPECT_FALSE(error_share_reason(result(1000, 10, {{"200", 990}, {"500", 10}}), 0.01));
  const auto above = error_share_reason(result(1000, 11, {{"200", 989}, {"500", 11}}), 0.01);
  ASSERT_TRUE(above);
  EXPECT_EQ(*above, "11 of 1,000 responses (1.1 %) were errors, above max_error_rate 1 %: 500 ×11");
  EXPECT_FALSE(error_share_reason(result(1000, 0, {{"200", 1000}}), 0.0));
  EXPECT_TRUE(error_share_reason(result(1000, 1, {{"200", 999}, {"503", 1}}), 0.0));
}

TEST(ErrorShare, SocketErrorsAndTimeoutsCountAsErrors) {
  auto r = result(900, 50, {{"200", 850}, {"404", 20}, {"500", 30}});
  r.errors.read = 60;
  r.errors.timeout = 40;
  const auto reason = error_share_reason(r, 0.05);
  ASSERT_TRUE(reason);
  // (50 + 100) of 1000 attempts; codes by count, then the socket errors by kind.
  EXPECT_EQ(*reason,
            "150 of 1,000 requests (15 %) were errors, above max_error_rate 5 %: 500 ×30, 404 "
            "×20, read errors ×60, timeouts ×40");
  EXPECT_FALSE(error_share_reason(r, 0.15));
}

TEST(ErrorShare, NonOkWithoutCodesIsCountedAsSuch) {
  // wrk reports only "Non-2xx or 3xx responses: N".
  const auto reason = error_share_reason(result(200, 100), 0.01);
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("100 of 200 responses (50 %)"), std::string::npos) << *reason;
  EXPECT_NE(reason->find(": non-2xx/3xx ×100"), std::string::npos) << *reason;
  const auto mixed = error_share_reason(result(200, 100, {{"404", 40}}), 0.01);
  ASSERT_TRUE(mixed);
  EXPECT_NE(mixed->find(": 404 ×40, other non-2xx/3xx ×60"), std::string::npos) << *mixed;
}

TEST(ErrorShare, NoSuccessfulResponseIsInvalidWhateverTheLimit) {
  // max_error_rate = 1 would let any share pass; a load point without one successful
  // response still must not.
  const auto r = result(500, 500, {{"404", 500}});
  const auto reason = error_share_reason(r, 1.0);
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("no successful response: 500 of 500 responses were errors (404 ×500"),
            std::string::npos)
      << *reason;
  auto sockets = result(0, 0);
  sockets.errors.connect = 7;
  const auto refused = error_share_reason(sockets, 1.0);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->find("connect errors ×7"), std::string::npos) << *refused;
  // One success among many errors is not "none" (the limit decides).
  EXPECT_FALSE(error_share_reason(result(500, 499, {{"200", 1}, {"404", 499}}), 1.0));
}

TEST(ErrorShare, NothingAtAllIsInvalid) {
  const auto reason = error_share_reason(result(0, 0), 0.01);
  ASSERT_TRUE(reason);
  EXPECT_EQ(*reason, "no response in the measured window");
}

TEST(ErrorShare, CheckAppendsTheReason) {
  auto r = result(10, 10, {{"404", 10}});
  r.invalid_reasons.push_back("earlier");
  EXPECT_TRUE(check_error_share(r, 0.01));
  ASSERT_EQ(r.invalid_reasons.size(), 2u);
  EXPECT_NE(r.invalid_reasons[1].find("404 ×10"), std::string::npos);
  auto ok = result(10, 0, {{"200", 10}});
  EXPECT_FALSE(check_error_share(ok, 0.01));
  EXPECT_TRUE(ok.invalid_reasons.empty());
}

// The builtin driver: a closed-loop window where every response was a 404.
TEST(ErrorShare, BuiltinDriverAll404) {
  loadgen::EngineResult e;
  e.window_started = true;
  e.duration_s = 0.3;
  e.responses = 1234;
  e.success = 0;
  e.status[404] = 1234;
  loadgen::EngineConfig c;
  c.connections = 2;
  auto r = builtin_driver_result(e, c, 0.01);
  EXPECT_EQ(r.non_2xx_3xx, 1234);
  EXPECT_EQ(r.status_codes.at("404"), 1234);
  EXPECT_DOUBLE_EQ(r.throughput, 0.0);
  ASSERT_EQ(r.invalid_reasons.size(), 1u);
  EXPECT_EQ(r.invalid_reasons[0],
            "1,234 of 1,234 responses (100 %) were errors, above max_error_rate 1 %: 404 ×1,234");
  // max_error_rate = 1: still invalid.
  EXPECT_FALSE(builtin_driver_result(e, c, 1.0).invalid_reasons.empty());
  // All 200: valid.
  e.success = 1234;
  e.status[404] = 0;
  e.status[200] = 1234;
  EXPECT_TRUE(builtin_driver_result(e, c, 0.01).invalid_reasons.empty());
}

TEST(ErrorShare, BuiltinDriverSocketErrorsNameTheFirstOne) {
  loadgen::EngineResult e;
  e.window_started = true;
  e.duration_s = 0.3;
  e.responses = 0;
  e.errors.connect = 40;
  e.first_error = "connect: Connection refused";
  loadgen::EngineConfig c;
  c.connections = 2;
  const auto r = builtin_driver_result(e, c, 0.01);
  ASSERT_EQ(r.invalid_reasons.size(), 1u);
  EXPECT_EQ(r.invalid_reasons[0],
            "40 of 40 requests (100 %) were errors, above max_error_rate 1 %: connect errors "
            "×40; first socket error: connect: Connection refused");
  // Cancelled: interrupted, not invalid.
  e.cancelled = true;
  EXPECT_TRUE(builtin_driver_result(e, c, 0.01).invalid_reasons.empty());
}

// wrk: "Non-2xx or 3xx responses: 115687" of 115687 requests (a recorded run on /notfound).
TEST(ErrorShare, WrkAll404) {
  auto r = parse_wrk_output(fixture("wrk/notfound_404.txt"));
  const auto reason = error_share_reason(r, 0.01);
  ASSERT_TRUE(reason);
  EXPECT_EQ(*reason,
            "115,687 of 115,687 responses (100 %) were errors, above max_error_rate 1 %: "
            "non-2xx/3xx ×115,687");
  EXPECT_TRUE(error_share_reason(r, 1.0)) << "no successful response";
  EXPECT_FALSE(error_share_reason(parse_wrk_output(fixture("wrk/plaintext_t2_c16_d3s.txt")), 0.01));
}

// wrk2 at 2000 requests/s on /notfound: every response a 404.
TEST(ErrorShare, Wrk2All404) {
  auto r = parse_wrk2_output(fixture("wrk2/R2000_notfound_404_d5s.txt"));
  finish_wrk2_result(r, 2000, Nanos{0}, 0.01);
  bool found = false;
  for (const auto& s : r.invalid_reasons) {
    found |= s.find(
                 "9,971 of 9,971 responses (100 %) were errors, above max_error_rate 1 %: "
                 "non-2xx/3xx ×9,971") != std::string::npos;
  }
  EXPECT_TRUE(found) << ::testing::PrintToString(r.invalid_reasons);
}

// JMeter: the recorded timeouts run's JTL with every sample turned into a 404.
TEST(ErrorShare, JmeterAll404FromTheJtl) {
  std::istringstream in(fixture("jmeter/timeouts_t8_d20_results.jtl"));
  std::string jtl, line;
  std::getline(in, line);
  jtl = line + "\n";
  while (std::getline(in, line)) {
    auto f = split(line, ',');
    ASSERT_EQ(f.size(), 12u) << line;
    f[3] = "404";
    f[4] = "Not Found";
    f[7] = "false";
    jtl += join(f, ",") + "\n";
  }
  DriveRequest req;
  req.url = "http://127.0.0.1:8095/";
  req.point = {8, 0};
  req.duration = std::chrono::seconds(18);
  req.options.extra["plan"] = "plan.jmx";
  const auto console = fixture("jmeter/timeouts_t8_d20_console.txt");
  const auto r = jmeter_run_result(console, jtl, "", req);
  EXPECT_GT(r.non_2xx_3xx, 100);
  EXPECT_EQ(r.errors.total(), 0);
  ASSERT_EQ(r.invalid_reasons.size(), 1u);
  EXPECT_NE(r.invalid_reasons[0].find("were errors, above max_error_rate 1 %: 404 ×"),
            std::string::npos)
      << r.invalid_reasons[0];
  // max_error_rate = 1: still invalid, no sample succeeded.
  req.options.max_error_rate = 1.0;
  const auto lenient = jmeter_run_result(console, jtl, "", req);
  ASSERT_EQ(lenient.invalid_reasons.size(), 1u);
  EXPECT_NE(lenient.invalid_reasons[0].find("no successful"), std::string::npos)
      << lenient.invalid_reasons[0];
}

}  // namespace
}  // namespace benchgate::drivers
