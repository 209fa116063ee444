#include "core/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/parse.h"

namespace benchgate {
namespace {

// Nearest-rank quantile of a sorted sample: the value at rank ceil(q·n).
double exact_quantile(const std::vector<std::int64_t>& sorted, double q) {
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return static_cast<double>(sorted[rank - 1]);
}

TEST(LatencyHistogram, BucketsCoverEveryValueOnce) {
  const std::vector<std::int64_t> values = {0,   1,    127,       128,
                                            255, 256,  257,       1000,
                                            123456789, LatencyHistogram::kMaxTrackable};
  for (std::int64_t v : values) {
    const int i = LatencyHistogram::bucket_index(v);
    EXPECT_LE(LatencyHistogram::bucket_low(i), v);
    EXPECT_GE(LatencyHistogram::bucket_high(i), v);
    EXPECT_LT(i, LatencyHistogram::kBucketCount);
  }
  for (int i = 1; i < LatencyHistogram::kBucketCount; ++i) {
    ASSERT_EQ(LatencyHistogram::bucket_low(i), LatencyHistogram::bucket_high(i - 1) + 1) << i;
  }
}

TEST(LatencyHistogram, QuantilesWithinOnePercentOfExact) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(2e6), 1.2);  // ~2 ms median, long tail
  std::vector<std::int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 200000; ++i) {
    auto v = static_cast<std::int64_t>(dist(rng)) + 1000;
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 0.99999}) {
    const double want = exact_quantile(values, q);
    EXPECT_NEAR(h.quantile_ns(q), want, want * 0.01) << "q=" << q;
  }
  EXPECT_EQ(h.min_ns(), values.front());
  EXPECT_EQ(h.max_ns(), values.back());
  EXPECT_EQ(h.count(), 200000);
}

TEST(LatencyHistogram, SmallKnownSample) {
  LatencyHistogram h;
  for (std::int64_t v : {10, 20, 30, 40, 50, 60, 70, 80, 90, 100}) h.record(v);
  EXPECT_EQ(h.quantile_ns(0.5), 50);   // rank 5
  EXPECT_EQ(h.quantile_ns(0.9), 90);   // rank 9
  EXPECT_EQ(h.quantile_ns(0.99), 100); // rank 10
  EXPECT_DOUBLE_EQ(h.mean_ns(), 55);
  EXPECT_NEAR(h.stdev_ns(), 30.276503540974915, 1e-9);  // sample stdev of 10..100
}

TEST(LatencyHistogram, OneHourFits) {
  LatencyHistogram h;
  const std::int64_t hour = 3600LL * 1'000'000'000;
  h.record(hour);
  EXPECT_EQ(h.clamped(), 0);
  EXPECT_NEAR(h.quantile_ns(0.5), static_cast<double>(hour), hour * 0.01);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
  LatencyHistogram a, b, all;
  for (int i = 1; i <= 5000; ++i) {
    (i % 3 ? a : b).record(i * 997);
    all.record(i * 997);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.nonzero_buckets(), all.nonzero_buckets());
  for (double q : {0.1, 0.5, 0.99}) EXPECT_EQ(a.quantile_ns(q), all.quantile_ns(q));
}

TEST(LatencyHistogram, EncodeDecodeRoundTrip) {
  LatencyHistogram h;
  for (int i = 0; i < 1000; ++i) h.record(1000 + i * i);
  auto back = LatencyHistogram::decode(h.encode());
  EXPECT_EQ(back.nonzero_buckets(), h.nonzero_buckets());
  EXPECT_EQ(back.min_ns(), h.min_ns());
  EXPECT_EQ(back.max_ns(), h.max_ns());
  EXPECT_EQ(back.encode(), h.encode());
}

TEST(LatencyHistogram, DecodeRejectsGarbage) {
  for (auto bad : {"", "v2;1;1;1;1;1;0;1:1", "v1;2;1;1;1;1;0;1:1", "v1;1;1;1;1;1;0;99999:1",
                   "v1;x;1;1;1;1;0;", "v1;1;1;1;1;1;0;5"}) {
    EXPECT_THROW(LatencyHistogram::decode(bad), ParseError) << bad;
  }
}

}  // namespace
}  // namespace benchgate
