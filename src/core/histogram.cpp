#include "core/histogram.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/parse.h"

namespace benchgate {

int LatencyHistogram::bucket_index(std::int64_t ns) {
  auto v = static_cast<std::uint64_t>(std::clamp<std::int64_t>(ns, 0, kMaxTrackable));
  if (v < static_cast<std::uint64_t>(kSubCount)) return static_cast<int>(v);
  const int msb = 63 - std::countl_zero(v);
  const int shift = msb - kSubBits;
  return static_cast<int>(((shift + 1) << kSubBits) | ((v >> shift) & (kSubCount - 1)));
}

std::int64_t LatencyHistogram::bucket_low(int index) {
  if (index < kSubCount) return index;
  const int shift = (index >> kSubBits) - 1;
  const std::int64_t mant = (index & (kSubCount - 1)) | kSubCount;
  return mant << shift;
}

std::int64_t LatencyHistogram::bucket_high(int index) {
  if (index < kSubCount) return index;
  const int shift = (index >> kSubBits) - 1;
  return bucket_low(index) + (std::int64_t{1} << shift) - 1;
}

void LatencyHistogram::record_n(std::int64_t ns, std::int64_t n) {
  if (n <= 0) return;
  if (ns < 0) ns = 0;
  if (ns > kMaxTrackable) {
    clamped_ += n;
    ns = kMaxTrackable;
  }
  buckets_[static_cast<std::size_t>(bucket_index(ns))] += n;
  if (count_ == 0 || ns < min_) min_ = ns;
  if (count_ == 0 || ns > max_) max_ = ns;
  count_ += n;
  const long double v = static_cast<long double>(ns);
  sum_ += v * n;
  sumsq_ += v * v * n;
}

void LatencyHistogram::merge(const LatencyHistogram& o) {
  if (o.count_ == 0) return;
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
  if (count_ == 0 || o.min_ < min_) min_ = o.min_;
  if (count_ == 0 || o.max_ > max_) max_ = o.max_;
  count_ += o.count_;
  sum_ += o.sum_;
  sumsq_ += o.sumsq_;
  clamped_ += o.clamped_;
}

void LatencyHistogram::reset() { *this = LatencyHistogram(); }

double LatencyHistogram::mean_ns() const {
  return count_ ? static_cast<double>(sum_ / count_) : 0.0;
}

double LatencyHistogram::stdev_ns() const {
  if (count_ < 2) return 0.0;
  const long double mean = sum_ / count_;
  long double var = (sumsq_ - count_ * mean * mean) / (count_ - 1);
  if (var < 0) var = 0;
  return static_cast<double>(std::sqrt(var));
}

double LatencyHistogram::quantile_ns(double q) const {
  if (count_ == 0) return 0.0;
  if (q <= 0) return static_cast<double>(min_);
  if (q >= 1) return static_cast<double>(max_);
  auto rank = static_cast<std::int64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<std::int64_t>(rank, 1, count_);
  std::int64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += buckets_[static_cast<std::size_t>(i)];
    if (seen >= rank) {
      const double mid =
          (static_cast<double>(bucket_low(i)) + static_cast<double>(bucket_high(i))) / 2.0;
      return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

std::vector<std::pair<int, std::int64_t>> LatencyHistogram::nonzero_buckets() const {
  std::vector<std::pair<int, std::int64_t>> out;
  for (int i = 0; i < kBucketCount; ++i) {
    if (buckets_[static_cast<std::size_t>(i)]) out.emplace_back(i, buckets_[static_cast<std::size_t>(i)]);
  }
  return out;
}

std::string LatencyHistogram::encode() const {
  std::string out = fmt::format("v1;{};{};{};{:.17g};{:.17g};{};", count_, min_ns(), max_ns(),
                                static_cast<double>(sum_), static_cast<double>(sumsq_), clamped_);
  int prev = 0;
  bool first = true;
  for (auto [i, n] : nonzero_buckets()) {
    if (!first) out += ',';
    out += fmt::format("{}:{}", i - prev, n);
    prev = i;
    first = false;
  }
  return out;
}

LatencyHistogram LatencyHistogram::decode(std::string_view text) {
  auto fail = [&](const char* what) {
    return ParseError(fmt::format("malformed histogram encoding ({})", what));
  };
  auto parts = split_view(text, ';');
  if (parts.size() != 8 || parts[0] != "v1") throw fail("expected 'v1;' and 8 fields");
  LatencyHistogram h;
  try {
    const auto count = parse_int(parts[1]);
    h.min_ = parse_int(parts[2]);
    h.max_ = parse_int(parts[3]);
    h.sum_ = parse_double(parts[4]);
    h.sumsq_ = parse_double(parts[5]);
    h.clamped_ = parse_int(parts[6]);
    int idx = 0;
    std::int64_t total = 0;
    if (!parts[7].empty()) {
      for (auto item : split_view(parts[7], ',')) {
        auto colon = item.find(':');
        if (colon == std::string_view::npos) throw fail("bucket without ':'");
        const auto delta = parse_int(item.substr(0, colon));
        const auto n = parse_int(item.substr(colon + 1));
        if (delta < 0 || n <= 0) throw fail("negative bucket");
        idx += static_cast<int>(delta);
        if (idx >= kBucketCount) throw fail("bucket index out of range");
        h.buckets_[static_cast<std::size_t>(idx)] += n;
        total += n;
      }
    }
    if (total != count || count < 0) throw fail("bucket counts do not add up to the count");
    h.count_ = count;
    if (count && (h.min_ < 0 || h.max_ < h.min_)) throw fail("min/max inconsistent");
  } catch (const ParseError& e) {
    if (std::string_view(e.what()).starts_with("malformed histogram")) throw;
    throw fail(e.what());
  }
  return h;
}

}  // namespace benchgate
