// The one p-value format (core/pvalue.h) that every report, diff rendering, gate reason and
// flame graph title uses.

#include "core/pvalue.h"

#include <gtest/gtest.h>

#include <limits>

namespace benchgate {
namespace {

TEST(PValue, TwoSignificantDigitsWithAFloorAndACeiling) {
  EXPECT_EQ(format_p(0.0016), "0.0016");
  EXPECT_EQ(format_p(0.04321), "0.043");
  EXPECT_EQ(format_p(0.5), "0.5");
  EXPECT_EQ(format_p(0.0001), "0.0001");
  EXPECT_EQ(format_p(0.00001), "< 0.0001");
  EXPECT_EQ(format_p(0), "< 0.0001");
  EXPECT_EQ(format_p(0.9994), "1");  // {:.2g} rounds it to 1 too
  EXPECT_EQ(format_p(0.9995), "1");
  EXPECT_EQ(format_p(1), "1");
  EXPECT_EQ(format_p(std::numeric_limits<double>::quiet_NaN()), "n/a");
  EXPECT_EQ(format_p(std::numeric_limits<double>::infinity()), "n/a");
}

TEST(PValue, RelationReadsAfterAName) {
  EXPECT_EQ(p_relation(0.018), "= 0.018");
  EXPECT_EQ(p_relation(3e-7), "< 0.0001");
  EXPECT_EQ(p_relation(std::numeric_limits<double>::quiet_NaN()), "= n/a");
}

}  // namespace
}  // namespace benchgate
