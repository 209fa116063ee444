#include "report/openmetrics.h"

#include <fmt/format.h>
#include <fmt/printf.h>
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <set>
#include <sstream>

#include "fixtures.h"

namespace benchgate::report {
namespace {

using namespace testing;

std::string metrics(const ReportModel& m) {
  std::ostringstream out;
  write_openmetrics(m, out);
  return out.str();
}

TEST(OpenMetrics, GoldenGated) {
  expect_golden("metrics_gated.txt", mask(metrics(sample_model())));
}
TEST(OpenMetrics, GoldenHostile) {
  expect_golden("metrics_hostile.txt", mask(metrics(hostile_model())));
}

// The OpenMetrics text format rules GitLab's parser (and Prometheus') relies on.
void expect_valid(const std::string& text) {
  ASSERT_GE(text.size(), 6u);
  EXPECT_EQ(text.substr(text.size() - 6), "# EOF\n");
  static const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*)?\})? (-?[0-9.]+(e[-+]?[0-9]+)?|NaN|[+-]Inf)$)");
  static const std::regex meta(R"(^# (TYPE|UNIT|HELP) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$)");
  std::istringstream in(text);
  std::string line;
  std::set<std::string> finished;  // families already closed: must not reappear
  std::string current;
  std::set<std::string> label_sets;
  while (std::getline(in, line)) {
    if (line == "# EOF") break;
    std::smatch m;
    std::string family;
    if (std::regex_match(line, m, meta)) {
      family = m[2];
      if (m[1] == "UNIT") {
        EXPECT_TRUE(family.ends_with("_" + m[3].str())) << line;
      }
    } else {
      ASSERT_TRUE(std::regex_match(line, m, sample)) << line.substr(0, 300);
      family = m[1];
      EXPECT_TRUE(label_sets.insert(line.substr(0, line.rfind(' '))).second)
          << "duplicate sample " << line.substr(0, 200);
    }
    if (family != current) {
      EXPECT_FALSE(finished.count(family)) << "family " << family << " is not contiguous";
      if (!current.empty()) finished.insert(current);
      current = family;
    }
  }
  EXPECT_FALSE(std::getline(in, line)) << "text after # EOF";
}

TEST(OpenMetrics, ValidText) {
  expect_valid(metrics(sample_model()));
  expect_valid(metrics(sample_model(false)));
  expect_valid(metrics(hostile_model()));
}

TEST(OpenMetrics, MediansPerAppAndCell) {
  const auto m = sample_model();
  const auto text = metrics(m);
  const auto* t = m.find_cell("plaintext c=64")->apps[1].stat("throughput");
  // 4 significant digits, rounded here with printf's %.4g, independently of the writer.
  const double rounded = std::stod(fmt::sprintf("%.4g", t->median));
  EXPECT_NE(text.find("benchgate_throughput_per_second{app=\"pr\",cell=\"plaintext c=64\"} " +
                      fmt::format("{}", rounded)),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# UNIT benchgate_latency_p99_seconds seconds"), std::string::npos);
  EXPECT_NE(text.find("benchgate_verdicts{verdict=\"regressed\"} 2"), std::string::npos);
  EXPECT_NE(text.find("benchgate_failed_runs 2"), std::string::npos);  // a crash, an invalid period
  EXPECT_NE(text.find("benchgate_outcome{outcome=\"run_failed\"} 1"), std::string::npos);
  EXPECT_NE(text.find("benchgate_exit_code 4"), std::string::npos);
}

TEST(OpenMetrics, Rounding) {
  EXPECT_EQ(round_significant(14432.6, 4), 14430);
  EXPECT_EQ(fmt::format("{}", round_significant(0.000144349, 4)), "0.0001443");
  EXPECT_EQ(fmt::format("{}", round_significant(2.9999999999999996e-05, 4)), "3e-05");
  EXPECT_EQ(round_significant(-0.06151, 2), -0.062);
  EXPECT_EQ(round_significant(0, 4), 0);
  EXPECT_TRUE(std::isnan(round_significant(NAN, 4)));
  EXPECT_EQ(fmt::format("{}", round_decimals(0.0612345, 4)), "0.0612");
  EXPECT_EQ(fmt::format("{}", round_decimals(-0.00001, 4)), "0");  // never "-0"
}

/// Significant digits of a printed OpenMetrics value ("0.0001443" → 4, "14430" → 4, "3e-05" → 1).
int significant_digits(std::string v) {
  if (auto e = v.find_first_of("eE"); e != std::string::npos) v.resize(e);
  std::string digits;
  for (char c : v)
    if (c >= '0' && c <= '9') digits += c;
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  digits = digits.substr(first);
  // Trailing zeros of an integer are not significant here (14430 from 14432.6).
  while (!digits.empty() && digits.back() == '0')
    digits.pop_back();
  return static_cast<int>(digits.size());
}

// metrics.txt carries what the measurement supports, not 17 digits: a GitLab metrics diff then
// shows the changes that are real. Medians and changes: 4 significant digits; relative
// changes: 4 decimals; p-values: 2 significant digits; counts exact.
TEST(OpenMetrics, ValuesRoundedToWhatTheMeasurementSupports) {
  for (const auto& m : {sample_model(), sample_model(false)}) {
    std::istringstream in(metrics(m));
    std::string line;
    int checked = 0;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto value = line.substr(line.rfind(' ') + 1);
      const auto family = line.substr(0, line.find_first_of("{ "));
      if (value == "NaN" || value.ends_with("Inf")) continue;
      ++checked;
      if (family == "benchgate_p_adjusted") {
        EXPECT_LE(significant_digits(value), 2) << line;
      } else if (family == "benchgate_change_ratio") {
        const auto dot = value.find('.');
        EXPECT_TRUE(dot == std::string::npos || value.size() - dot - 1 <= 4) << line;
      } else {
        EXPECT_LE(significant_digits(value), 4) << line;
      }
    }
    EXPECT_GT(checked, 20);
  }
}

TEST(OpenMetrics, FamilyNames) {
  EXPECT_EQ(openmetrics_family("latency_p99.9", "s"), "benchgate_latency_p99_9_seconds");
  EXPECT_EQ(openmetrics_family("cpu_percent", "%"), "benchgate_cpu_percent");
  EXPECT_EQ(openmetrics_family("peak_rss", "bytes"), "benchgate_peak_rss_bytes");
  EXPECT_EQ(openmetrics_family("BM_Foo/8", "ns"), "benchgate_BM_Foo_8");
}

}  // namespace
}  // namespace benchgate::report
