#include "drivers/wrk2_parse.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/parse.h"
#include "test_support.h"

namespace benchgate::drivers {
namespace {

std::string fixture(const std::string& name) {
  return testing::read_text(testing::data_path("wrk2/" + name));
}

constexpr double kKB = 1024.0;
constexpr double kMB = 1024.0 * 1024.0;

void expect_rel(double actual, double expected, const std::string& what) {
  EXPECT_NEAR(actual, expected, std::abs(expected) * 1e-9 + 1e-15) << what;
}

TEST(Wrk2Parse, CalibratedConstantRateRun) {
  auto r = parse_wrk2_output(fixture("R2000_t2_c16_d15s.txt"));
  EXPECT_EQ(r.driver, "wrk2");
  EXPECT_EQ(r.requests, 29962);
  EXPECT_DOUBLE_EQ(r.duration_s, 15.00);
  expect_rel(r.bytes_read, 4.60 * kMB, "bytes");
  expect_rel(r.throughput, 29962 / 15.0, "throughput");
  EXPECT_DOUBLE_EQ(r.extra.at("requests_per_s").get<double>(), 1997.66);
  expect_rel(r.extra.at("transfer_per_s").get<double>(), 314.08 * kKB, "transfer");

  // Calibration lines.
  EXPECT_TRUE(r.extra.at("calibrated").get<bool>());
  const auto& cal = r.extra.at("calibration");
  ASSERT_EQ(cal.size(), 2u);
  expect_rel(cal[0].at("mean_latency_s").get<double>(), 0.917e-3, "cal 0");
  expect_rel(cal[1].at("mean_latency_s").get<double>(), 0.810e-3, "cal 1");
  expect_rel(cal[0].at("sampling_interval_s").get<double>(), 10e-3, "interval");

  // Recorded histogram: footer, 8 percentiles, spectrum.
  const auto& l = r.latency;
  EXPECT_EQ(l.count, 9909);
  expect_rel(l.mean, 0.818e-3, "mean");
  expect_rel(l.stdev, 0.487e-3, "stdev");
  expect_rel(l.max, 6.084e-3, "max");
  expect_rel(l.min, 0.033e-3, "min");
  ASSERT_EQ(l.percentiles.size(), 8u);
  expect_rel(l.percentiles.at("50"), 790e-6, "p50");
  expect_rel(l.percentiles.at("75"), 1.10e-3, "p75");
  expect_rel(l.percentiles.at("90"), 1.31e-3, "p90");
  expect_rel(l.percentiles.at("99"), 2.36e-3, "p99");
  expect_rel(l.percentiles.at("99.9"), 4.49e-3, "p99.9");
  expect_rel(l.percentiles.at("99.99"), 5.53e-3, "p99.99");
  expect_rel(l.percentiles.at("99.999"), 6.09e-3, "p99.999");
  expect_rel(l.percentiles.at("100"), 6.09e-3, "p100");
  EXPECT_FALSE(r.latency_uncorrected.has_value());

  const auto& sp = r.extra.at("spectrum");
  ASSERT_EQ(sp.size(), 69u);
  expect_rel(sp[0][0].get<double>(), 0.033e-3, "first value");
  EXPECT_DOUBLE_EQ(sp[0][1].get<double>(), 0.0);
  EXPECT_EQ(sp[0][2].get<std::int64_t>(), 1);
  expect_rel(sp[5][0].get<double>(), 0.790e-3, "p50 row");
  EXPECT_DOUBLE_EQ(sp[5][1].get<double>(), 0.5);
  EXPECT_EQ(sp[5][2].get<std::int64_t>(), 4957);
  // The last row ("6.087  1.000000  9909  inf").
  expect_rel(sp.back()[0].get<double>(), 6.087e-3, "last value");
  EXPECT_DOUBLE_EQ(sp.back()[1].get<double>(), 1.0);
  EXPECT_EQ(sp.back()[2].get<std::int64_t>(), 9909);
  EXPECT_EQ(r.extra.at("hdr").at("buckets").get<int>(), 27);
  EXPECT_EQ(r.extra.at("hdr").at("sub_buckets").get<int>(), 2048);
  const auto& rt = r.extra.at("req_per_thread");
  expect_rel(rt.at("mean").get<double>(), 1050.0, "req mean");
  EXPECT_DOUBLE_EQ(rt.at("stdev").get<double>(), 83.45);
  expect_rel(rt.at("max").get<double>(), 1670.0, "req max");
  EXPECT_FALSE(r.extra.contains("other_output"));
}

TEST(Wrk2Parse, ShortRunWithoutCalibration) {
  auto r = parse_wrk2_output(fixture("R2000_notfound_404_d5s.txt"));
  EXPECT_FALSE(r.extra.at("calibrated").get<bool>());
  EXPECT_TRUE(r.extra.at("calibration").empty());
  EXPECT_EQ(r.requests, 9971);
  EXPECT_EQ(r.non_2xx_3xx, 9971);
  EXPECT_DOUBLE_EQ(r.throughput, 0.0);
  expect_rel(r.bytes_read, 2.93 * kMB, "bytes");
  EXPECT_EQ(r.latency.count, 9969);
  expect_rel(r.latency.mean, 0.890e-3, "mean");
  expect_rel(r.latency.percentiles.at("50"), 841e-6, "p50");
  expect_rel(r.latency.percentiles.at("99.999"), 6.38e-3, "p99.999");
  // "Req/Sec -nan -nan 0.00 0.00%".
  const auto& rt = r.extra.at("req_per_thread");
  EXPECT_TRUE(rt.at("mean").is_null());
  EXPECT_TRUE(rt.at("stdev").is_null());
  EXPECT_DOUBLE_EQ(rt.at("max").get<double>(), 0.0);
  expect_rel(r.extra.at("transfer_per_s").get<double>(), 599.83 * kKB, "KB/s");
}

TEST(Wrk2Parse, OverloadSecondsWithTrailingSpaces) {
  auto r = parse_wrk2_output(fixture("R500000_overload_d5s.txt"));
  EXPECT_EQ(r.requests, 277244);
  EXPECT_DOUBLE_EQ(r.duration_s, 5.00);
  expect_rel(r.bytes_read, 42.57 * kMB, "bytes");
  EXPECT_EQ(r.latency.count, 277236);
  expect_rel(r.latency.mean, 2341.620e-3, "mean");
  expect_rel(r.latency.stdev, 1247.208e-3, "stdev");
  expect_rel(r.latency.max, 4493.312e-3, "max");
  expect_rel(r.latency.percentiles.at("50"), 2.39, "p50");
  expect_rel(r.latency.percentiles.at("90"), 4.02, "p90");
  expect_rel(r.latency.percentiles.at("100"), 4.50, "p100");
  const auto& sp = r.extra.at("spectrum");
  expect_rel(sp[1][0].get<double>(), 539.647e-3, "thousands of ms");
  EXPECT_EQ(sp[1][2].get<std::int64_t>(), 27725);
  expect_rel(sp.back()[0].get<double>(), 4497.407e-3, "last");
  EXPECT_DOUBLE_EQ(r.extra.at("requests_per_s").get<double>(), 55468.37);
}

TEST(Wrk2Parse, UncorrectedBlock) {
  auto r = parse_wrk2_output(fixture("R2000_uncorrected_U_d5s.txt"));
  EXPECT_EQ(r.requests, 9971);
  EXPECT_EQ(r.latency.count, 9969);
  expect_rel(r.latency.mean, 0.843e-3, "mean");
  expect_rel(r.latency.percentiles.at("50"), 816e-6, "p50");
  expect_rel(r.latency.percentiles.at("99.99"), 4.42e-3, "p99.99");
  ASSERT_TRUE(r.latency_uncorrected.has_value());
  const auto& u = *r.latency_uncorrected;
  EXPECT_EQ(u.count, 9969);
  expect_rel(u.mean, 0.081e-3, "u mean");
  expect_rel(u.stdev, 0.062e-3, "u stdev");
  expect_rel(u.max, 1.469e-3, "u max");
  expect_rel(u.min, 0.027e-3, "u min");
  expect_rel(u.percentiles.at("50"), 68e-6, "u p50");
  expect_rel(u.percentiles.at("75"), 93e-6, "u p75");
  expect_rel(u.percentiles.at("90"), 143e-6, "u p90");
  expect_rel(u.percentiles.at("99"), 280e-6, "u p99");
  expect_rel(u.percentiles.at("99.9"), 574e-6, "u p99.9");
  expect_rel(u.percentiles.at("99.99"), 1.42e-3, "u p99.99");
  expect_rel(u.percentiles.at("100"), 1.47e-3, "u p100");
  const auto& us = r.extra.at("spectrum_uncorrected");
  EXPECT_EQ(us[0][2].get<std::int64_t>(), 3);
  expect_rel(us.back()[0].get<double>(), 1.469e-3, "u last");
  // The two spectra are distinct.
  expect_rel(r.extra.at("spectrum")[0][0].get<double>(), 0.039e-3, "c first");
  EXPECT_DOUBLE_EQ(r.extra.at("requests_per_s").get<double>(), 1994.09);
  expect_rel(r.extra.at("transfer_per_s").get<double>(), 313.52 * kKB, "KB/s");
}

TEST(Wrk2Parse, TimeoutsOnASlowServer) {
  auto r = parse_wrk2_output(fixture("R200_errors_timeouts_d5s.txt"));
  EXPECT_EQ(r.requests, 92);
  EXPECT_DOUBLE_EQ(r.duration_s, 5.23);
  EXPECT_EQ(r.errors.timeout, 2);
  EXPECT_EQ(r.errors.total(), 2);
  expect_rel(r.bytes_read, 13.57 * kKB, "KB");
  EXPECT_EQ(r.latency.count, 90);
  expect_rel(r.latency.mean, 2489.381e-3, "mean");
  expect_rel(r.latency.stdev, 1214.115e-3, "stdev");
  expect_rel(r.latency.max, 4587.520e-3, "max");
  expect_rel(r.latency.min, 91.967e-3, "min");
  expect_rel(r.latency.percentiles.at("50"), 2.49, "p50");
  expect_rel(r.latency.percentiles.at("99"), 4.54, "p99");
  EXPECT_EQ(r.extra.at("spectrum").size(), 35u);
  expect_rel(r.throughput, 92 / 5.23, "throughput");
}

TEST(Wrk2Parse, ZeroRequestsNanEverywhere) {
  auto r = parse_wrk2_output(fixture("R2000_read_errors_d5s.txt"));
  EXPECT_EQ(r.requests, 0);
  EXPECT_DOUBLE_EQ(r.duration_s, 6.04);
  EXPECT_EQ(r.errors.read, 66);
  EXPECT_EQ(r.errors.timeout, 48);
  EXPECT_EQ(r.errors.connect, 0);
  EXPECT_EQ(r.errors.write, 0);
  EXPECT_DOUBLE_EQ(r.throughput, 0.0);
  EXPECT_TRUE(r.latency.empty());
  EXPECT_DOUBLE_EQ(r.latency.mean, 0.0);
  ASSERT_EQ(r.extra.at("spectrum").size(), 1u);
  EXPECT_EQ(r.extra.at("spectrum")[0][2].get<std::int64_t>(), 0);
  EXPECT_TRUE(r.extra.at("latency_within_stdev_pct").get<double>() == 0.0);
}

TEST(Wrk2Parse, ConnectionRefused) {
  try {
    parse_wrk2_output("unable to connect to 127.0.0.1:8099 Connection refused\n");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("wrk2 could not connect to 127.0.0.1:8099"),
              std::string::npos)
        << e.what();
  }
}

TEST(Wrk2Parse, WithoutLatencyFlagUsesTheStatsRow) {
  const std::string text =
      "Running 5s test @ http://127.0.0.1:8091/plaintext\n"
      "  2 threads and 16 connections\n"
      "  Thread Stats   Avg      Stdev     Max   +/- Stdev\n"
      "    Latency   843.39us  438.38us   5.46ms   64.94%\n"
      "    Req/Sec       -nan      -nan   0.00      0.00%\n"
      "  9971 requests in 5.00s, 1.53MB read\n"
      "Requests/sec:   1994.09\n"
      "Transfer/sec:    313.52KB\n";
  auto r = parse_wrk2_output(text);
  expect_rel(r.latency.mean, 843.39e-6, "mean");
  EXPECT_TRUE(r.latency.percentiles.empty());
  EXPECT_FALSE(r.extra.contains("spectrum"));
}

TEST(Wrk2Parse, MalformedSpectrumRowNamesTheLine) {
  std::string text = fixture("R2000_t2_c16_d15s.txt");
  text = replace_all(text, "       0.263     0.100000          996         1.11",
                     "       0.263     0.1000x0          996         1.11");
  try {
    parse_wrk2_output(text);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("line 22"), std::string::npos) << e.what();
  }
}

TEST(Wrk2Parse, HdrBlockStandalone) {
  const std::vector<std::string_view> lines = {
      "  Latency Distribution (HdrHistogram - Recorded Latency)",
      " 50.000%    1.00ms",
      "100.000%    2.00ms",
      "",
      "  Detailed Percentile spectrum:",
      "       Value   Percentile   TotalCount 1/(1-Percentile)",
      "",
      "       0.500     0.000000            1         1.00",
      "       2.000     1.000000            4          inf",
      "#[Mean    =        1.250, StdDeviation   =        0.500]",
      "#[Max     =        2.000, Total count    =            4]",
      "#[Buckets =           27, SubBuckets     =         2048]",
      "----------------------------------------------------------",
      "  4 requests in 1.00s, 1.00KB read"};
  std::size_t i = 0;
  auto b = parse_hdr_block(lines, i);
  EXPECT_EQ(i, 12u);
  EXPECT_EQ(b.stats.count, 4);
  EXPECT_DOUBLE_EQ(b.stats.min, 0.0005);
  EXPECT_DOUBLE_EQ(b.stats.max, 0.002);
  EXPECT_EQ(b.spectrum.size(), 2u);
  EXPECT_EQ(b.spectrum[1], (HdrSpectrumRow{0.002, 1.0, 4}));
}

// Fuzz crasher (tests/data/fuzz-crashers/wrk2/): wrk2's report with an empty "Non-2xx or 3xx
// responses:" count was std::out_of_range (exit 5); now a ParseError.
TEST(Wrk2Parse, Non2xxLineWithoutACountIsAParseError) {
  EXPECT_THROW(parse_wrk2_output(fixture("../fuzz-crashers/wrk2/non2xx-line-without-a-count.txt")),
               ParseError);
}

}  // namespace
}  // namespace benchgate::drivers
