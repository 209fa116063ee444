#pragma once
// A log-linear latency histogram (HdrHistogram-like): fixed memory, ≤ 0.4 % relative error
// (bucket midpoints, 128 sub-buckets per power of two), 1 ns to ~4.9 h, mergeable
// bucket-by-bucket across threads and runs. Recording is O(1) and allocation-free.
//
// Quantiles use the nearest-rank definition (the value at rank ceil(q·N)), like HdrHistogram
// and wrk2. Min, max, mean and stdev are exact (tracked outside the buckets).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace benchgate {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 7;
  static constexpr std::int64_t kSubCount = 1 << kSubBits;
  /// Values above this (2^44 ns ≈ 4.9 h) are clamped into the last bucket.
  static constexpr std::int64_t kMaxTrackable = (std::int64_t{1} << 44) - 1;
  static constexpr int kBucketCount = static_cast<int>((44 - kSubBits + 1) * kSubCount);

  LatencyHistogram() { buckets_.fill(0); }

  /// Records one value in nanoseconds (negative values are recorded as 0).
  void record(std::int64_t ns) { record_n(ns, 1); }
  void record_n(std::int64_t ns, std::int64_t n);
  void merge(const LatencyHistogram& other);
  void reset();

  std::int64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::int64_t min_ns() const { return count_ ? min_ : 0; }
  std::int64_t max_ns() const { return count_ ? max_ : 0; }
  double mean_ns() const;
  double stdev_ns() const;
  /// q in [0,1]; 0 gives min, 1 gives max. Returns the bucket's midpoint clamped to [min,max].
  double quantile_ns(double q) const;
  /// Number of values clamped at kMaxTrackable.
  std::int64_t clamped() const { return clamped_; }

  static int bucket_index(std::int64_t ns);
  static std::int64_t bucket_low(int index);
  static std::int64_t bucket_high(int index);  // inclusive

  /// Compact text encoding: "v1;<count>;<min>;<max>;<sum>;<sumsq>;<clamped>;<idx>:<n>,...",
  /// bucket indices delta-encoded. decode() throws ParseError on malformed input.
  std::string encode() const;
  static LatencyHistogram decode(std::string_view text);

  /// Non-empty buckets as (index, count), ascending.
  std::vector<std::pair<int, std::int64_t>> nonzero_buckets() const;

 private:
  std::array<std::int64_t, kBucketCount> buckets_;
  std::int64_t count_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  long double sum_ = 0;
  long double sumsq_ = 0;
  std::int64_t clamped_ = 0;
};

}  // namespace benchgate
