#include "report/format.h"

#include <gtest/gtest.h>

#include <cmath>

namespace benchgate::report {
namespace {

using gate::MetricVerdict;
using gate::Verdict;

MetricVerdict ratio(double est, double lo, double hi, results::Better b, double me) {
  MetricVerdict v;
  v.metric = "throughput";
  v.unit = "req/s";
  v.better = b;
  v.scale = results::Scale::kRatio;
  v.verdict = Verdict::kRegressed;
  v.estimate = est;
  v.ci_low = lo;
  v.ci_high = hi;
  v.min_effect = me;
  v.p_adjusted = 0.0016;
  return v;
}

TEST(Format, ValuesInTheirUnits) {
  EXPECT_EQ(format_value(61234, "req/s"), "61.2k req/s");
  EXPECT_EQ(format_value(0.000612, "s"), "612 µs");
  EXPECT_EQ(format_value(0.00123, "s"), "1.23 ms");
  EXPECT_EQ(format_value(0.25, "s"), "250.0 ms");
  EXPECT_EQ(format_value(1.5, "s"), "1.50 s");
  EXPECT_EQ(format_value(5.5e-6, "s"), "5.50 µs");
  EXPECT_EQ(format_value(45.25, "%"), "45.2 %");
  EXPECT_EQ(format_value(12.5 * 1024 * 1024, "bytes"), "12.5 MiB");
  EXPECT_EQ(format_value(3, "count"), "3");
  EXPECT_EQ(format_value(1234.5678, "ns"), "1235 ns");
  EXPECT_EQ(format_value(NAN, "s"), "n/a");
  EXPECT_EQ(format_cpu_per_request(18.44e-6), "18.4 µs");
}

TEST(Format, ChangeCiAndLimitInTheEstimatesScale) {
  auto v = ratio(-0.0612, -0.079, -0.042, results::Better::kHigher, 0.03);
  EXPECT_EQ(format_change(v), "-6.1 %");
  EXPECT_EQ(format_ci(v), "[-7.9 %, -4.2 %]");
  EXPECT_EQ(format_limit(v), "-3 %");
  v.better = results::Better::kLower;
  v.min_effect = 0.125;
  EXPECT_EQ(format_limit(v), "+12.5 %");

  MetricVerdict d;
  d.unit = "bytes";
  d.scale = results::Scale::kDifference;
  d.better = results::Better::kLower;
  d.estimate = 12 * 1024 * 1024;
  d.ci_low = -1024 * 1024;
  d.ci_high = 20 * 1024 * 1024;
  d.min_effect = 4 * 1024 * 1024;
  EXPECT_EQ(format_change(d), "+12.0 MiB");
  EXPECT_EQ(format_ci(d), "[-1.0 MiB, +20.0 MiB]");
  EXPECT_EQ(format_limit(d), "+4.0 MiB");

  d.verdict = Verdict::kNotComparable;
  EXPECT_EQ(format_change(d), "n/a");
  EXPECT_EQ(format_ci(d), "");
}

TEST(Format, SeverityOrdersByHowFarBeyondTheLimit) {
  const auto a = ratio(-0.06, -0.08, -0.04, results::Better::kHigher, 0.03);  // 2x the limit
  const auto b = ratio(+0.15, 0.1, 0.2, results::Better::kLower, 0.10);       // 1.5x
  EXPECT_DOUBLE_EQ(severity(a), 2);
  EXPECT_DOUBLE_EQ(severity(b), 1.5);
}

TEST(Format, VerdictNamesAndOrder) {
  EXPECT_EQ(verdict_key(Verdict::kNotComparable), "not_comparable");
  EXPECT_EQ(verdict_label(Verdict::kNotComparable), "not comparable");
  ASSERT_EQ(verdicts_in_order().size(), 7u);
  EXPECT_EQ(verdicts_in_order().front(), Verdict::kRegressed);
  EXPECT_EQ(verdicts_in_order().back(), Verdict::kUnchanged);
  EXPECT_LT(verdict_order(Verdict::kError), verdict_order(Verdict::kWarn));
}

TEST(Format, MedianRange) {
  EXPECT_EQ(format_median_range(61234, 60000, 62500, 5, 1), "61.2k (60.0k–62.5k)");
  EXPECT_EQ(format_median_range(0.000612, 0.0006, 0.00063, 5, 1e3), "0.612 (0.600–0.630)");
  EXPECT_EQ(format_median_range(1, 1, 1, 1, 1), "1.00");
  EXPECT_EQ(format_median_range(NAN, 0, 0, 0, 1), "–");
}

TEST(Format, Seconds) {
  EXPECT_EQ(format_seconds(0.25), "250ms");
  EXPECT_EQ(format_seconds(12.34), "12.3s");
  EXPECT_EQ(format_seconds(65), "1m 05s");
  EXPECT_EQ(format_seconds(3725), "1h 02m");
}

}  // namespace
}  // namespace benchgate::report
