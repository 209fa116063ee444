// The wrk2 and jmeter drivers' result step on recorded tool outputs (tests/data).

#include <gtest/gtest.h>

#include "core/error.h"
#include "drivers/driver.h"
#include "drivers/jmeter_driver.h"
#include "drivers/wrk2_driver.h"
#include "drivers/wrk2_parse.h"
#include "test_support.h"

namespace benchgate::drivers {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string fixture(const std::string& name) {
  return testing::read_text(testing::data_path(name));
}

bool has_reason(const results::DriverResult& r, const std::string& text) {
  for (const auto& s : r.invalid_reasons) {
    if (s.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Wrk2Result, CalibratedRunAtTheRateIsValid) {
  auto r = parse_wrk2_output(fixture("wrk2/R2000_t2_c16_d15s.txt"));
  finish_wrk2_result(r, 2000, milliseconds(10080), 0.01);
  EXPECT_TRUE(r.invalid_reasons.empty()) << r.invalid_reasons.front();
  EXPECT_EQ(r.target_rate, 2000);
  EXPECT_NEAR(r.duration_s, 15.0 - 10.08, 1e-9);
  EXPECT_EQ(r.extra["run_duration_s"], 15.0);
  EXPECT_NEAR(r.extra["calibration_s"].get<double>(), 10.08, 1e-12);
  EXPECT_NEAR(r.throughput, 29962 / 15.0, 1e-9);  // the whole run's rate
}

TEST(Wrk2Result, OverloadFallsShortOfTheTarget) {
  auto r = parse_wrk2_output(fixture("wrk2/R500000_overload_d5s.txt"));
  finish_wrk2_result(r, 500000, Nanos{0}, 0.01);
  EXPECT_TRUE(has_reason(r, "below the 500000 requests/s target")) << r.invalid_reasons.at(0);
  // A 5 s run is shorter than wrk2's calibration: its histograms include the warm-up.
  EXPECT_TRUE(has_reason(r, "no calibration lines"));
}

TEST(Wrk2Result, NoResponseAndSocketErrors) {
  auto r = parse_wrk2_output(fixture("wrk2/R2000_read_errors_d5s.txt"));
  finish_wrk2_result(r, 2000, Nanos{0}, 0.01);
  EXPECT_TRUE(has_reason(r,
                         "114 of 114 requests (100 %) were errors, above max_error_rate 1 %: "
                         "read errors ×66, timeouts ×48"))
      << (r.invalid_reasons.empty() ? "" : r.invalid_reasons.front());
  auto t = parse_wrk2_output(fixture("wrk2/R200_errors_timeouts_d5s.txt"));
  finish_wrk2_result(t, 200, Nanos{0}, 0.5);
  EXPECT_FALSE(has_reason(t, "were errors")) << "2 timeouts are under a 50 % limit";
  finish_wrk2_result(t, 200, Nanos{0}, 0.0001);
  EXPECT_TRUE(has_reason(t, "were errors, above max_error_rate"));
}

DriveRequest jmeter_request(Nanos warmup) {
  DriveRequest req;
  req.url = "http://127.0.0.1:8095/";
  req.point = {8, 0};
  req.warmup = warmup;
  req.duration = seconds(18);
  req.options.extra["plan"] = "plan.jmx";
  return req;
}

TEST(JmeterResult, SummaryAndJtlTogether) {
  auto req = jmeter_request(Nanos{0});
  req.options.max_error_rate = 0.5;
  auto r = jmeter_run_result(fixture("jmeter/timeouts_t8_d20_console.txt"),
                             fixture("jmeter/timeouts_t8_d20_results.jtl"),
                             fixture("jmeter/timeouts_t8_d20_jmeter.log"), req);
  EXPECT_EQ(r.driver, "jmeter");
  EXPECT_EQ(r.requests, 72 + 59);  // the whole 6 s intervals
  EXPECT_TRUE(r.invalid_reasons.empty()) << r.invalid_reasons.front();
  EXPECT_GT(r.errors.timeout, 0);         // classified from the JTL
  EXPECT_GT(r.latency.count, 0);          // percentiles from the JTL
  EXPECT_FALSE(r.extra.contains("jtl"));  // no note: the JTL was used
  req.options.max_error_rate = 0.01;
  auto strict = jmeter_run_result(fixture("jmeter/timeouts_t8_d20_console.txt"),
                                  fixture("jmeter/timeouts_t8_d20_results.jtl"), "", req);
  // The read timeouts classified from the JTL are errors above 1 %.
  EXPECT_TRUE(has_reason(strict, "were errors, above max_error_rate 1 %: timeouts ×"))
      << ::testing::PrintToString(strict.invalid_reasons);
}

TEST(JmeterResult, WithoutJtlUsesTheSummaryOnly) {
  auto r = jmeter_run_result(fixture("jmeter/plaintext_t8_d20_console.txt"), "", "",
                             jmeter_request(Nanos{0}));
  EXPECT_EQ(r.requests, 45824 + 86568 + 152023);
  EXPECT_TRUE(r.invalid_reasons.empty()) << r.invalid_reasons.front();
  ASSERT_TRUE(r.extra.contains("jtl"));
  EXPECT_NE(r.extra["jtl"].get<std::string>().find("no JTL results file"), std::string::npos);
  EXPECT_EQ(r.extra["errors_unclassified"], true);
}

TEST(JmeterResult, WarmupSkipsTheFirstIntervals) {
  auto r = jmeter_run_result(fixture("jmeter/plaintext_t8_d20_console.txt"), "", "",
                             jmeter_request(milliseconds(5500)));
  // The intervals that start within the warm-up are left out: 0.4 s and 5.6 s long, the
  // second starting at 0.4 s. The third starts at 5.99 s, after a 5.5 s warm-up...
  EXPECT_EQ(r.requests, 86568 + 152023);
  // ...but within a 6 s one.
  r = jmeter_run_result(fixture("jmeter/plaintext_t8_d20_console.txt"), "", "",
                        jmeter_request(seconds(6)));
  EXPECT_EQ(r.requests, 152023);
}

TEST(JmeterResult, RanNothingIsARunErrorWithTheReason) {
  try {
    jmeter_run_result(fixture("jmeter/debian_unpatched_xstream_failure_console.txt"), "",
                      fixture("jmeter/debian_unpatched_xstream_failure_jmeter.log"),
                      jmeter_request(Nanos{0}));
    FAIL() << "expected RunError";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("ForbiddenClassException"), std::string::npos) << e.what();
  }
}

TEST(DriverRegistry, Wrk2AndJmeterAreRegistered) {
  const auto names = driver_names();
  for (const char* n : {"wrk2", "jmeter"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
    EXPECT_EQ(make_driver(n)->name(), n);
  }
  EXPECT_TRUE(make_driver("wrk2")->open_loop());
  EXPECT_FALSE(make_driver("jmeter")->open_loop());
}

}  // namespace
}  // namespace benchgate::drivers
