#include "report/openmetrics.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

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
  EXPECT_NE(text.find("benchgate_throughput_per_second{app=\"pr\",cell=\"plaintext c=64\"} " +
                      fmt::format("{}", t->median)),
            std::string::npos);
  EXPECT_NE(text.find("# UNIT benchgate_latency_p99_seconds seconds"), std::string::npos);
  EXPECT_NE(text.find("benchgate_verdicts{verdict=\"regressed\"} 2"), std::string::npos);
  EXPECT_NE(text.find("benchgate_failed_runs 2"), std::string::npos);  // a crash, an invalid run
}

TEST(OpenMetrics, FamilyNames) {
  EXPECT_EQ(openmetrics_family("latency_p99.9", "s"), "benchgate_latency_p99_9_seconds");
  EXPECT_EQ(openmetrics_family("cpu_percent", "%"), "benchgate_cpu_percent");
  EXPECT_EQ(openmetrics_family("peak_rss", "bytes"), "benchgate_peak_rss_bytes");
  EXPECT_EQ(openmetrics_family("BM_Foo/8", "ns"), "benchgate_BM_Foo_8");
}

}  // namespace
}  // namespace benchgate::report
