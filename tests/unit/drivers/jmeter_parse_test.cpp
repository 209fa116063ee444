#include "drivers/jmeter_parse.h"

#include <gtest/gtest.h>

#include "core/parse.h"
#include "test_support.h"

namespace benchgate::drivers {
namespace {

std::string fixture(const std::string& name) {
  return testing::read_text(testing::data_path("jmeter/" + name));
}

TEST(JmeterSummary, ReadsEveryLine) {
  auto s = parse_jmeter_summary(fixture("plaintext_t8_d20_console.txt"), {.interval_s = 6});
  ASSERT_EQ(s.lines.size(), 9u);
  const auto& l0 = s.lines[0];
  EXPECT_FALSE(l0.total);
  EXPECT_EQ(l0.samples, 1);
  EXPECT_DOUBLE_EQ(l0.printed_s, 0.4);
  EXPECT_DOUBLE_EQ(l0.rate, 2.6);
  EXPECT_DOUBLE_EQ(l0.avg_ms, 66);
  EXPECT_DOUBLE_EQ(l0.min_ms, 66);
  EXPECT_DOUBLE_EQ(l0.max_ms, 66);
  EXPECT_EQ(l0.active, 8);
  EXPECT_EQ(l0.started, 8);
  EXPECT_EQ(l0.finished, 0);
  EXPECT_EQ(l0.line, 5u);
  // "in 6s" is rounded; count / rate is the real length.
  EXPECT_DOUBLE_EQ(s.lines[1].printed_s, 6);
  EXPECT_NEAR(s.lines[1].elapsed_s, 45824 / 8181.4, 1e-12);
  EXPECT_TRUE(s.lines[2].total);
  EXPECT_EQ(s.lines[2].samples, 45825);
  EXPECT_EQ(s.lines[2].active, -1);
  EXPECT_DOUBLE_EQ(s.lines[3].rate, 14430.4);
  ASSERT_TRUE(s.total);
  EXPECT_EQ(s.total->samples, 344861);
  EXPECT_DOUBLE_EQ(s.total->printed_s, 20.1);
  EXPECT_DOUBLE_EQ(s.total->rate, 17200.0);
  EXPECT_EQ(s.lines[7].active, 0);
  EXPECT_EQ(s.lines[7].finished, 8);
  EXPECT_EQ(s.test_start_ms, 1795801800954);
}

TEST(JmeterSummary, SkipsPartialFirstAndLastIntervals) {
  auto s = parse_jmeter_summary(fixture("plaintext_t8_d20_console.txt"), {.interval_s = 6});
  // Kept: 45824 (5.6 s), 86568, 152023; dropped: the 1-sample 0.4 s line and the last 2.1 s one.
  ASSERT_EQ(s.kept.size(), 3u);
  EXPECT_EQ(s.samples, 45824 + 86568 + 152023);
  EXPECT_EQ(s.errors, 0);
  const double d = 45824 / 8181.4 + 86568 / 14430.4 + 152023 / 25337.2;
  EXPECT_NEAR(s.duration_s, d, 1e-9);
  EXPECT_NEAR(s.skipped_before_s, 1 / 2.6, 1e-12);
  EXPECT_DOUBLE_EQ(s.max_ms, 66);
  EXPECT_DOUBLE_EQ(s.min_ms, 0);
  EXPECT_TRUE(s.warnings.empty());
}

TEST(JmeterSummary, WarmupSkipsIntervalsStartingBeforeItEnds) {
  auto s = parse_jmeter_summary(fixture("plaintext_t8_d20_console.txt"),
                                {.warmup_s = 2, .interval_s = 6});
  ASSERT_EQ(s.kept.size(), 2u);
  EXPECT_EQ(s.samples, 86568 + 152023);
  EXPECT_NEAR(s.duration_s, 86568 / 14430.4 + 152023 / 25337.2, 1e-9);
  auto r = jmeter_result(s, nullptr);
  EXPECT_EQ(r.driver, "jmeter");
  EXPECT_EQ(r.requests, 238591);
  EXPECT_NEAR(r.throughput, 238591 / (86568 / 14430.4 + 152023 / 25337.2), 1e-6);
  EXPECT_TRUE(r.extra.at("errors_unclassified").get<bool>());
  EXPECT_TRUE(r.latency.percentiles.empty());
  EXPECT_DOUBLE_EQ(r.latency.max, 0.030);
}

TEST(JmeterSummary, InfersTheIntervalAndHandlesErrors) {
  auto s = parse_jmeter_summary(fixture("timeouts_t8_d20_console.txt"));
  // Intervals: 1 (0.77 s), 53 (5.05 s), 72 (6 s), 59 (6.02 s), 33 (3.1 s, threads finished).
  ASSERT_EQ(s.kept.size(), 2u);
  EXPECT_EQ(s.samples, 72 + 59);
  EXPECT_EQ(s.errors, 27 + 27);
  EXPECT_NEAR(s.duration_s, 72 / 12.0 + 59 / 9.8, 1e-9);
  EXPECT_NEAR(s.avg_ms, (694.0 * 72 + 787.0 * 59) / 131, 1e-9);
  EXPECT_DOUBLE_EQ(s.min_ms, 57);
  EXPECT_DOUBLE_EQ(s.max_ms, 1012);
  EXPECT_DOUBLE_EQ(s.lines[1].error_pct, 37.74);
  EXPECT_EQ(s.total->errors, 86);
  EXPECT_DOUBLE_EQ(s.total->error_pct, 39.45);
  // "in 5.1s" has a fraction: it bounds count / rate (53 / 10.5 = 5.048) to ±0.05 s.
  EXPECT_DOUBLE_EQ(s.lines[1].elapsed_s, 5.05);
  auto w = s.window_ms();
  ASSERT_TRUE(w);
  const std::int64_t from = 1795801822126 + std::llround((1 / 1.3 + 5.05) * 1000);
  EXPECT_EQ(w->first, from);
  EXPECT_EQ(w->second, from + std::llround((72 / 12.0 + 59 / 9.8) * 1000));
}

TEST(JmeterSummary, LogFileLinesWithPrefix) {
  auto s = parse_jmeter_summary(fixture("plaintext_t8_d20_jmeter.log"), {.interval_s = 6});
  EXPECT_EQ(s.total->samples, 344861);
  EXPECT_EQ(s.samples, 45824 + 86568 + 152023);
}

TEST(JmeterSummary, DebianXStreamFailure) {
  const auto console = fixture("debian_unpatched_xstream_failure_console.txt");
  try {
    parse_jmeter_summary(console);
    FAIL();
  } catch (const ParseError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("could not load the test plan"), std::string::npos) << msg;
    EXPECT_NE(msg.find("XStream"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ForbiddenClassException"), std::string::npos) << msg;
    EXPECT_NE(msg.find("exits with status 0"), std::string::npos) << msg;
  }
  // The log alone says the same.
  const auto reason =
      jmeter_failure_reason("", fixture("debian_unpatched_xstream_failure_jmeter.log"));
  EXPECT_NE(reason.find("XStream"), std::string::npos) << reason;
}

TEST(JmeterSummary, OtherFailures) {
  EXPECT_NE(jmeter_failure_reason("Created the tree successfully using plan.jmx\n", "")
                .find("summariser.name"),
            std::string::npos);
  EXPECT_NE(jmeter_failure_reason("Creating summariser <summary>\n"
                                  "summary +      1 in   0.4s =    2.6/s Avg:    66 Min:    66 "
                                  "Max:    66 Err:     0 (0.00%) Active: 8 Started: 8 "
                                  "Finished: 0\n",
                                  "")
                .find("did not run to its end"),
            std::string::npos);
  EXPECT_NE(jmeter_failure_reason("An error occurred: java.io.FileNotFoundException: x.jmx\n", "")
                .find("could not open"),
            std::string::npos);
  EXPECT_THROW(parse_jmeter_summary(""), ParseError);
}

TEST(JmeterSummary, ShortRunFallsBackToTheTotal) {
  const std::string text =
      "summary +     10 in   2.5s =    4.0/s Avg:    10 Min:     5 Max:    20 Err:     1 "
      "(10.00%) Active: 0 Started: 2 Finished: 2\n"
      "summary =     10 in   2.5s =    4.0/s Avg:    10 Min:     5 Max:    20 Err:     1 "
      "(10.00%)\n";
  auto s = parse_jmeter_summary(text, {.interval_s = 6});
  EXPECT_TRUE(s.kept.empty());
  EXPECT_EQ(s.samples, 10);
  EXPECT_EQ(s.errors, 1);
  EXPECT_DOUBLE_EQ(s.duration_s, 2.5);
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find("whole-run total"), std::string::npos);
  EXPECT_FALSE(s.window_ms());
}

TEST(Jtl, HeaderLessJmeter213) {
  auto j = parse_jtl_csv(fixture("plaintext_t8_d20_results_first2000.jtl"));
  EXPECT_FALSE(j.had_header);
  EXPECT_EQ(j.rows, 2000);
  EXPECT_EQ(j.samples, 2000);
  EXPECT_EQ(j.failures, 0);
  EXPECT_EQ(j.response_codes.size(), 1u);
  EXPECT_EQ(j.response_codes.at("200"), 2000);
  EXPECT_DOUBLE_EQ(j.bytes, 322000);
  EXPECT_EQ(j.latency.count, 2000);
  EXPECT_DOUBLE_EQ(j.latency.min, 0.0);
  EXPECT_DOUBLE_EQ(j.latency.max, 0.066);
  EXPECT_NEAR(j.latency.mean, 3.0505e-3, 1e-12);
  // Nearest-rank percentiles of the elapsed column, computed independently.
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("50"), 0.002);
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("75"), 0.004);
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("90"), 0.006);
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("95"), 0.007);
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("99"), 0.016);
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("99.9"), 0.064);
  EXPECT_EQ(j.first_ms, 1795801801329);
  EXPECT_EQ(j.last_end_ms, 1795801802213);
}

TEST(Jtl, TimeWindow) {
  auto j = parse_jtl_csv(fixture("plaintext_t8_d20_results_first2000.jtl"),
                         {.from_ms = 1795801801400, .to_ms = 1795801801500});
  EXPECT_EQ(j.rows, 2000);
  EXPECT_EQ(j.samples, 186);
}

TEST(Jtl, HeaderAndFailures) {
  auto j = parse_jtl_csv(fixture("timeouts_t8_d20_results.jtl"));
  EXPECT_TRUE(j.had_header);
  EXPECT_EQ(j.samples, 218);
  EXPECT_EQ(j.failures, 86);
  EXPECT_EQ(j.response_codes.at("200"), 132);
  EXPECT_EQ(j.response_codes.at("Non HTTP response code: java.net.SocketTimeoutException"), 86);
  EXPECT_EQ(j.errors.timeout, 86);
  EXPECT_EQ(j.errors.total(), 86);
  EXPECT_EQ(j.non_2xx_3xx, 0);
  EXPECT_DOUBLE_EQ(j.bytes, 259270);
  EXPECT_DOUBLE_EQ(j.latency.min, 0.057);
  EXPECT_DOUBLE_EQ(j.latency.max, 1.057);
  EXPECT_NEAR(j.latency.mean, 0.7396651376146789, 1e-12);
  EXPECT_NEAR(j.latency.stdev, 0.31099887055854504, 1e-12);
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("50"), 0.876);
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("75"), 1.002);
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("90"), 1.003);
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("95"), 1.004);
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("99"), 1.057);
  EXPECT_EQ(j.latency_successful.count, 132);
  EXPECT_NEAR(j.latency_successful.mean, 0.566780303030303, 1e-12);
  EXPECT_DOUBLE_EQ(j.latency_successful.percentiles.at("50"), 0.589);
  EXPECT_DOUBLE_EQ(j.latency_successful.percentiles.at("99"), 1.027);
  EXPECT_DOUBLE_EQ(j.latency_successful.max, 1.045);
}

TEST(Jtl, CombinedResult) {
  auto s = parse_jmeter_summary(fixture("timeouts_t8_d20_console.txt"));
  auto j = parse_jtl_csv(fixture("timeouts_t8_d20_results.jtl"));
  auto r = jmeter_result(s, &j);
  EXPECT_EQ(r.requests, 131);
  EXPECT_NEAR(r.throughput, (131 - 54) / (72 / 12.0 + 59 / 9.8), 1e-9);
  EXPECT_EQ(r.errors.timeout, 86);
  EXPECT_EQ(r.status_codes.at("200"), 132);
  EXPECT_EQ(r.status_codes.size(), 1u);
  EXPECT_DOUBLE_EQ(r.latency.percentiles.at("50"), 0.876);
  EXPECT_EQ(r.extra.at("failed_samples").get<int>(), 54);
  EXPECT_EQ(r.extra.at("run_total").at("samples").get<int>(), 218);
  EXPECT_FALSE(r.extra.contains("errors_unclassified"));
}

TEST(Jtl, QuotedFieldsAndHttpErrors) {
  const std::string text =
      "timeStamp,elapsed,label,responseCode,responseMessage,success,bytes\r\n"
      "1000,5,\"GET /a,b\",200,OK,true,10\r\n"
      "1001,7,\"say \"\"hi\"\"\",404,Not Found,false,20\r\n"
      "1002,9,x,Non HTTP response code: org.apache.http.conn.HttpHostConnectException,"
      "\"Connection refused\nmultiline\",false,0\r\n"
      "1003,11,x,Non HTTP response code: java.net.SocketException,Connection reset,false,0\r\n"
      "1004,13,x,200,OK,false,0\r\n"
      "\r\n";
  auto j = parse_jtl_csv(text);
  EXPECT_EQ(j.samples, 5);
  EXPECT_EQ(j.failures, 4);
  EXPECT_EQ(j.non_2xx_3xx, 1);
  EXPECT_EQ(j.errors.connect, 1);
  EXPECT_EQ(j.errors.read, 1);
  EXPECT_EQ(j.response_codes.at("200"), 2);  // the last one failed an assertion
  EXPECT_DOUBLE_EQ(j.latency.percentiles.at("50"), 0.009);
}

TEST(Jtl, Rejects) {
  EXPECT_THROW(parse_jtl_csv("1,2,3\n"), ParseError);  // unknown header-less layout
  try {
    parse_jtl_csv("timeStamp,elapsed,success\n1,2,true\n2025/01/01 10:00,3,true\n");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("timestamp_format"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_jtl_csv("timeStamp,elapsed,success\n1,2\n"), ParseError);
  EXPECT_THROW(parse_jtl_csv("timeStamp,label\n1,x\n"), ParseError);
  EXPECT_THROW(parse_jtl_csv("timeStamp,elapsed,success\n1,\"2,true\n"), ParseError);
  auto empty = parse_jtl_csv("");
  EXPECT_EQ(empty.samples, 0);
  EXPECT_TRUE(empty.latency.empty());
}

}  // namespace
}  // namespace benchgate::drivers
