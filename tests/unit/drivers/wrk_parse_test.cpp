#include "drivers/wrk_parse.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/parse.h"

namespace benchgate::drivers {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BENCHGATE_TEST_DATA_DIR) + "/wrk/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr double kKB = 1024.0;
constexpr double kMB = 1024.0 * 1024.0;

// Relative tolerance for values wrk printed with two decimals, converted to other units.
void expect_near_rel(double actual, double expected, const char* what) {
  EXPECT_NEAR(actual, expected, std::abs(expected) * 1e-9 + 1e-15) << what;
}

TEST(WrkUnits, Times) {
  expect_near_rel(parse_wrk_time("621.86us"), 621.86e-6, "us");
  expect_near_rel(parse_wrk_time("1.05ms"), 1.05e-3, "ms");
  expect_near_rel(parse_wrk_time("1.14s "), 1.14, "s with trailing space");
  expect_near_rel(parse_wrk_time("1.50m"), 90.0, "minutes");
  expect_near_rel(parse_wrk_time("2.00h"), 7200.0, "hours");
  EXPECT_TRUE(std::isnan(parse_wrk_time("-nanus")));
  EXPECT_TRUE(std::isnan(parse_wrk_time("-nan")));
  EXPECT_THROW(parse_wrk_time("12.0x"), ParseError);
  EXPECT_THROW(parse_wrk_time("12.0"), ParseError);
  EXPECT_THROW(parse_wrk_time("ms"), ParseError);
}

TEST(WrkUnits, BytesAre1024Based) {
  EXPECT_DOUBLE_EQ(parse_wrk_bytes("0.00B"), 0.0);
  expect_near_rel(parse_wrk_bytes("5.14KB"), 5.14 * kKB, "KB");
  expect_near_rel(parse_wrk_bytes("19.13MB"), 19.13 * kMB, "MB");
  expect_near_rel(parse_wrk_bytes("1.50GB"), 1.5 * kMB * kKB, "GB");
  expect_near_rel(parse_wrk_bytes("2.00TB"), 2.0 * kMB * kMB, "TB");
  expect_near_rel(parse_wrk_bytes("174.02KB"), 174.02 * kKB, "KB");
  EXPECT_THROW(parse_wrk_bytes("3.00XB"), ParseError);
}

TEST(WrkUnits, CountsAre1000Based) {
  expect_near_rel(parse_wrk_count("20.84k"), 20840.0, "k");
  expect_near_rel(parse_wrk_count("1.20M"), 1.2e6, "M");
  expect_near_rel(parse_wrk_count("595.03"), 595.03, "plain");
  EXPECT_TRUE(std::isnan(parse_wrk_count("-nan")));
  EXPECT_THROW(parse_wrk_count("5.0q"), ParseError);
}

TEST(WrkParse, NormalRunMixedUnits) {
  auto r = parse_wrk_output(fixture("plaintext_t2_c16_d3s.txt"));
  EXPECT_EQ(r.driver, "wrk");
  EXPECT_EQ(r.requests, 124597);
  EXPECT_DOUBLE_EQ(r.duration_s, 3.01);
  expect_near_rel(r.bytes_read, 19.13 * kMB, "bytes");
  EXPECT_EQ(r.non_2xx_3xx, 0);
  EXPECT_EQ(r.errors.total(), 0);
  expect_near_rel(r.throughput, 124597 / 3.01, "throughput");
  expect_near_rel(r.latency.mean, 621.86e-6, "mean");
  expect_near_rel(r.latency.stdev, 1.05e-3, "stdev");
  expect_near_rel(r.latency.max, 11.44e-3, "max");
  EXPECT_EQ(r.latency.count, 124597);
  ASSERT_EQ(r.latency.percentiles.size(), 4u);
  expect_near_rel(r.latency.percentiles.at("50"), 212e-6, "p50");
  expect_near_rel(r.latency.percentiles.at("75"), 542e-6, "p75");
  expect_near_rel(r.latency.percentiles.at("90"), 1.86e-3, "p90");
  expect_near_rel(r.latency.percentiles.at("99"), 5.22e-3, "p99");
  EXPECT_DOUBLE_EQ(r.extra.at("requests_per_s").get<double>(), 41352.74);
  expect_near_rel(r.extra.at("transfer_per_s").get<double>(), 6.35 * kMB, "transfer/s");
  EXPECT_EQ(r.extra.at("threads").get<int>(), 2);
  EXPECT_EQ(r.extra.at("connections").get<int>(), 16);
  EXPECT_EQ(r.extra.at("url").get<std::string>(), "http://127.0.0.1:8091/plaintext");
  EXPECT_DOUBLE_EQ(r.extra.at("configured_duration_s").get<double>(), 3.0);
  const auto& rt = r.extra.at("req_per_thread");
  expect_near_rel(rt.at("mean").get<double>(), 20840.0, "req mean");
  expect_near_rel(rt.at("stdev").get<double>(), 6230.0, "req stdev");
  expect_near_rel(rt.at("max").get<double>(), 32820.0, "req max");
  EXPECT_DOUBLE_EQ(rt.at("within_stdev_pct").get<double>(), 61.67);
  EXPECT_DOUBLE_EQ(r.extra.at("latency_within_stdev_pct").get<double>(), 88.80);
  EXPECT_FALSE(r.extra.contains("other_output"));
}

TEST(WrkParse, AllResponses404AreNotThroughput) {
  auto r = parse_wrk_output(fixture("notfound_404.txt"));
  EXPECT_EQ(r.requests, 115687);
  EXPECT_EQ(r.non_2xx_3xx, 115687);
  EXPECT_DOUBLE_EQ(r.throughput, 0.0);
  EXPECT_DOUBLE_EQ(r.duration_s, 3.10);
  expect_near_rel(r.bytes_read, 33.98 * kMB, "bytes");
  expect_near_rel(r.latency.max, 153.93e-3, "max");
  expect_near_rel(r.latency.percentiles.at("50"), 249e-6, "p50");
  expect_near_rel(r.latency.percentiles.at("99"), 91.49e-3, "p99");
  EXPECT_DOUBLE_EQ(r.extra.at("requests_per_s").get<double>(), 37300.27);
  expect_near_rel(r.extra.at("req_per_thread").at("mean").get<double>(), 19450.0, "k");
}

TEST(WrkParse, TimeoutsWithNanStdevLeaveLatencyEmpty) {
  auto r = parse_wrk_output(fixture("timeouts_slow_upstream.txt"));
  EXPECT_EQ(r.requests, 16);
  EXPECT_EQ(r.errors.timeout, 16);
  EXPECT_EQ(r.errors.connect, 0);
  EXPECT_EQ(r.errors.read, 0);
  EXPECT_EQ(r.errors.write, 0);
  EXPECT_EQ(r.non_2xx_3xx, 16);
  EXPECT_DOUBLE_EQ(r.throughput, 0.0);
  expect_near_rel(r.bytes_read, 5.14 * kKB, "KB");
  // -nan% in the Latency row: wrk recorded no latency at all; zeros would fake a fast run.
  EXPECT_TRUE(r.latency.empty());
  EXPECT_TRUE(r.latency.percentiles.empty());
  EXPECT_DOUBLE_EQ(r.latency.mean, 0.0);
  EXPECT_TRUE(r.extra.at("latency_within_stdev_pct").is_null());
  // Non-integer Req/Sec values.
  const auto& rt = r.extra.at("req_per_thread");
  EXPECT_DOUBLE_EQ(rt.at("mean").get<double>(), 5.33);
  EXPECT_DOUBLE_EQ(rt.at("stdev").get<double>(), 4.04);
  EXPECT_DOUBLE_EQ(rt.at("max").get<double>(), 10.00);
  EXPECT_DOUBLE_EQ(rt.at("within_stdev_pct").get<double>(), 66.67);
  EXPECT_DOUBLE_EQ(r.extra.at("requests_per_s").get<double>(), 5.31);
  expect_near_rel(r.extra.at("transfer_per_s").get<double>(), 1.71 * kKB, "KB/s");
}

TEST(WrkParse, NoResponseAtAllZeroRequests) {
  auto r = parse_wrk_output(fixture("timeouts_no_response.txt"));
  EXPECT_EQ(r.requests, 0);
  EXPECT_DOUBLE_EQ(r.duration_s, 3.01);
  EXPECT_DOUBLE_EQ(r.bytes_read, 0.0);
  EXPECT_EQ(r.errors.total(), 0);  // no Socket errors line in wrk 4.1 here
  EXPECT_EQ(r.non_2xx_3xx, 0);
  EXPECT_DOUBLE_EQ(r.throughput, 0.0);
  EXPECT_TRUE(r.latency.empty());
  EXPECT_TRUE(r.extra.at("req_per_thread").at("within_stdev_pct").is_null());
  EXPECT_DOUBLE_EQ(r.extra.at("transfer_per_s").get<double>(), 0.0);
}

TEST(WrkParse, ReadErrors) {
  auto r = parse_wrk_output(fixture("read_errors_reset.txt"));
  EXPECT_EQ(r.requests, 0);
  EXPECT_EQ(r.errors.read, 54109);
  EXPECT_EQ(r.errors.connect, 0);
  EXPECT_EQ(r.errors.write, 0);
  EXPECT_EQ(r.errors.timeout, 0);
  EXPECT_EQ(r.errors.total(), 54109);
  EXPECT_DOUBLE_EQ(r.duration_s, 3.10);
  EXPECT_TRUE(r.latency.empty());
}

TEST(WrkParse, ConnectionRefusedSaysSo) {
  try {
    parse_wrk_output(fixture("connect_refused.txt"));
    FAIL() << "expected ParseError";
  } catch (const ParseError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("could not connect to 127.0.0.1:8099"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Connection refused"), std::string::npos) << msg;
    EXPECT_NE(msg.find("unable to connect to 127.0.0.1:8099 Connection refused"), std::string::npos)
        << msg;
  }
}

TEST(WrkParse, PipelinedRun) {
  auto r = parse_wrk_output(fixture("pipeline16_lua.txt"));
  EXPECT_EQ(r.requests, 289148);
  EXPECT_DOUBLE_EQ(r.duration_s, 3.08);
  expect_near_rel(r.bytes_read, 44.40 * kMB, "MB");
  expect_near_rel(r.throughput, 289148 / 3.08, "throughput");
  EXPECT_DOUBLE_EQ(r.extra.at("requests_per_s").get<double>(), 93840.68);
  expect_near_rel(r.latency.percentiles.at("99"), 9.45e-3, "p99");
  expect_near_rel(r.extra.at("req_per_thread").at("max").get<double>(), 86790.0, "k");
}

TEST(WrkParse, ConnectionClose) {
  auto r = parse_wrk_output(fixture("connection_close.txt"));
  EXPECT_EQ(r.requests, 37984);
  EXPECT_DOUBLE_EQ(r.duration_s, 3.05);
  expect_near_rel(r.bytes_read, 5.65 * kMB, "MB");
  expect_near_rel(r.latency.percentiles.at("50"), 595e-6, "p50");
  expect_near_rel(r.latency.percentiles.at("75"), 1.18e-3, "p75");
  expect_near_rel(r.extra.at("req_per_thread").at("mean").get<double>(), 6310.0, "6.31k");
  expect_near_rel(r.extra.at("req_per_thread").at("stdev").get<double>(), 2150.0, "2.15k");
  expect_near_rel(r.extra.at("transfer_per_s").get<double>(), 1.85 * kMB, "MB/s");
}

TEST(WrkParse, SecondsWithTrailingSpaces) {
  auto r = parse_wrk_output(fixture("slow_server_seconds.txt"));
  EXPECT_EQ(r.requests, 85);
  EXPECT_DOUBLE_EQ(r.duration_s, 5.01);
  expect_near_rel(r.bytes_read, 12.67 * kKB, "KB");
  expect_near_rel(r.latency.mean, 0.82898, "mean");
  expect_near_rel(r.latency.stdev, 0.41543, "stdev");
  expect_near_rel(r.latency.max, 1.57, "max");
  expect_near_rel(r.latency.percentiles.at("50"), 0.81173, "p50");
  expect_near_rel(r.latency.percentiles.at("75"), 1.14, "p75");
  expect_near_rel(r.latency.percentiles.at("90"), 1.40, "p90");
  expect_near_rel(r.latency.percentiles.at("99"), 1.57, "p99");
  EXPECT_DOUBLE_EQ(r.extra.at("requests_per_s").get<double>(), 16.97);
  expect_near_rel(r.extra.at("transfer_per_s").get<double>(), 2.53 * kKB, "KB/s");
}

TEST(WrkParse, TimeoutsMixedWithSuccesses) {
  auto r = parse_wrk_output(fixture("slow_server_timeouts_mixed.txt"));
  EXPECT_EQ(r.requests, 85);
  EXPECT_EQ(r.errors.timeout, 30);
  EXPECT_EQ(r.non_2xx_3xx, 0);
  expect_near_rel(r.throughput, 85 / 5.02, "throughput");
  expect_near_rel(r.latency.max, 988.15e-3, "max");
  expect_near_rel(r.latency.percentiles.at("99"), 988.15e-3, "p99");
  EXPECT_FALSE(r.latency.empty());
}

TEST(WrkParse, Http10ServerClosing) {
  auto r = parse_wrk_output(fixture("http10_server_closes.txt"));
  EXPECT_EQ(r.requests, 3576);
  EXPECT_DOUBLE_EQ(r.duration_s, 3.03);
  expect_near_rel(r.bytes_read, 527.32 * kKB, "KB");
  EXPECT_EQ(r.errors.total(), 0);
  expect_near_rel(r.extra.at("req_per_thread").at("max").get<double>(), 1040.0, "1.04k");
  EXPECT_DOUBLE_EQ(r.extra.at("req_per_thread").at("mean").get<double>(), 595.03);
}

TEST(WrkParse, CrlfAndScriptOutputAreTolerated) {
  std::string text = fixture("plaintext_t2_c16_d3s.txt");
  text = replace_all(text, "\n", "\r\n");
  text += "custom summary from done(): 42\n";
  auto r = parse_wrk_output(text);
  EXPECT_EQ(r.requests, 124597);
  ASSERT_TRUE(r.extra.contains("other_output"));
  EXPECT_EQ(r.extra.at("other_output").at(0).get<std::string>(), "custom summary from done(): 42");
}

TEST(WrkParse, MinutesInRuntime) {
  const std::string text =
      "Running 1m test @ http://127.0.0.1:8080/\n"
      "  2 threads and 10 connections\n"
      "  Thread Stats   Avg      Stdev     Max   +/- Stdev\n"
      "    Latency     1.00ms    0.50ms   1.01m    90.00%\n"
      "    Req/Sec     1.00M     0.10M    2.00G    70.00%\n"
      "  6000000 requests in 1.00m, 1.00GB read\n"
      "Requests/sec: 100000.00\n"
      "Transfer/sec:     17.07MB\n";
  auto r = parse_wrk_output(text);
  EXPECT_DOUBLE_EQ(r.duration_s, 60.0);
  EXPECT_DOUBLE_EQ(r.extra.at("configured_duration_s").get<double>(), 60.0);
  expect_near_rel(r.latency.max, 60.6, "1.01m");
  expect_near_rel(r.bytes_read, 1024.0 * kMB, "GB");
  expect_near_rel(r.extra.at("req_per_thread").at("max").get<double>(), 2e9, "G");
  EXPECT_TRUE(r.latency.percentiles.empty());  // no --latency
  expect_near_rel(r.throughput, 100000.0, "throughput");
}

TEST(WrkParse, RejectsWhatIsNotWrkOutput) {
  EXPECT_THROW(parse_wrk_output(""), ParseError);
  EXPECT_THROW(parse_wrk_output("\n  \n"), ParseError);
  try {
    parse_wrk_output("Hello, World!\n");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("Hello, World!"), std::string::npos) << e.what();
  }
  // Truncated: requests line but no rates.
  EXPECT_THROW(parse_wrk_output("  10 requests in 1.00s, 1.00KB read\n"), ParseError);
}

TEST(WrkParse, MalformedNumbersNameTheLine) {
  std::string text = fixture("plaintext_t2_c16_d3s.txt");
  text = replace_all(text, "19.13MB read", "19.13XB read");
  try {
    parse_wrk_output(text);
    FAIL();
  } catch (const ParseError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("line 11"), std::string::npos) << msg;
    EXPECT_NE(msg.find("19.13XB"), std::string::npos) << msg;
  }
}

TEST(WrkParse, KnownFailureLines) {
  auto msg = [](const std::string& text) {
    try {
      parse_wrk_output(text);
    } catch (const ParseError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg("unable to resolve nohost:80 Name or service not known\n").find("resolve"),
            std::string::npos);
  EXPECT_NE(msg("invalid URL: foo\n").find("rejected the URL"), std::string::npos);
  EXPECT_NE(msg("Usage: wrk <options> <url>\n  Options:\n").find("usage"), std::string::npos);
  EXPECT_NE(msg("PANIC: unprotected error in call to Lua API (x.lua:3: boom)\n").find("Lua"),
            std::string::npos);
}

// Fuzz crasher (tests/data/fuzz-crashers/wrk/): a "Non-2xx or 3xx responses:" line with
// nothing after the colon read past its end (std::out_of_range, exit 5). Now: the count is
// missing, a ParseError.
TEST(WrkParse, Non2xxLineWithoutACountIsAParseError) {
  const auto crasher = fixture("../fuzz-crashers/wrk/non2xx-line-without-a-count.txt");
  EXPECT_THROW(parse_wrk_output(crasher), ParseError);
  auto text = fixture("notfound_404.txt");
  const auto at = text.find("Non-2xx or 3xx responses:");
  ASSERT_NE(at, std::string::npos);
  text.erase(at + 25, text.find('\n', at) - (at + 25));
  EXPECT_THROW(parse_wrk_output(text), ParseError);
}

}  // namespace
}  // namespace benchgate::drivers
