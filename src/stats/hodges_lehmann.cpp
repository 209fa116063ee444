#include "stats/hodges_lehmann.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "stats/normal.h"
#include "stats/rank_tests.h"

namespace benchgate::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Median plus the k-th and (N+1−k)-th order statistics of v (1-based), reordering v.
ShiftEstimate summarise(std::vector<double>& v, long long k, double level, bool exact) {
  ShiftEstimate e;
  e.level = level;
  e.k = k;
  e.exact = exact;
  const auto n = static_cast<long long>(v.size());
  if (n == 0) {
    e.estimate = e.ci_low = e.ci_high = kNaN;
    return e;
  }
  auto nth = [&](long long i) {  // 0-based order statistic
    std::nth_element(v.begin(), v.begin() + i, v.end());
    return v[static_cast<std::size_t>(i)];
  };
  const long long mid = n / 2;
  const double upper = nth(mid);
  if (n % 2 == 1) {
    e.estimate = upper;
  } else {
    const double lower = *std::max_element(v.begin(), v.begin() + mid);
    e.estimate = lower + (upper - lower) / 2;
  }
  if (k >= 1 && k <= n + 1 - k) {
    e.ci_low = nth(k - 1);
    e.ci_high = nth(n - k);
  } else {
    e.ci_low = e.ci_high = kNaN;
  }
  return e;
}

long long normal_k(double mean, double sd, double level) {
  const double z = normal_quantile(1 - (1 - level) / 2);
  const double k = std::floor(mean + 0.5 - z * sd);
  return k < 0 ? 0 : static_cast<long long>(k);
}

// The confidence level as an exact fraction num/den (den > 0, num ≤ den).
struct ExactLevel {
  UInt128 num = 0;
  UInt128 den = 1;
};

// A level written as a decimal (0.9, 0.95, 0.999) is not exactly representable in binary, and
// (1 − level)/2 computed in floating point lands a rounding error away from the probabilities
// P(T ≤ t) it must be compared with — on the wrong side where they are equal (3 × 3 at 0.90:
// P(U ≤ 0) = 1/20). So the level is taken as the shortest decimal fraction of at most 9 digits
// that rounds to the given double (int64 / int64 division is correctly rounded, so the test
// below is exact), else as the double's exact binary value; ≤ 0 and NaN count as 0, ≥ 1 as 1.
ExactLevel exact_level(double level) {
  if (!(level > 0)) return {0, 1};
  if (level >= 1) return {1, 1};
  std::int64_t den = 1;
  for (int digits = 1; digits <= 9; ++digits) {
    den *= 10;
    const auto num = static_cast<std::int64_t>(std::llround(level * static_cast<double>(den)));
    if (static_cast<double>(num) / static_cast<double>(den) == level) {
      return {static_cast<UInt128>(num), static_cast<UInt128>(den)};
    }
  }
  int e = 0;
  const double f = std::frexp(level, &e);  // level = f · 2^e, f in [0.5, 1), e ≤ 0
  const int shift = 53 - e;
  if (shift > 120) return {0, 1};  // level < 2^-67: 0 for every count that fits
  const auto mantissa = static_cast<std::uint64_t>(std::ldexp(f, 53));
  return {static_cast<UInt128>(mantissa), UInt128{1} << shift};
}

// a · b as a 256-bit number (hi, lo).
std::pair<UInt128, UInt128> mul_wide(UInt128 a, UInt128 b) {
  const UInt128 mask = ~std::uint64_t{0};
  const UInt128 a0 = a & mask, a1 = a >> 64, b0 = b & mask, b1 = b >> 64;
  const UInt128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const UInt128 mid = (p00 >> 64) + (p01 & mask) + (p10 & mask);  // < 3 · 2^64
  const UInt128 lo = (p00 & mask) | (mid << 64);
  const UInt128 hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
  return {hi, lo};
}

// count / total ≤ (1 − level) / 2  ⇔  2 · den · count ≤ (den − num) · total, in integers
// (count, total < 2^126 and den ≤ 2^120, so neither product overflows 256 bits).
bool within_half_alpha(UInt128 count, UInt128 total, const ExactLevel& lv) {
  return mul_wide(2 * lv.den, count) <= mul_wide(lv.den - lv.num, total);
}

}  // namespace

long long signed_rank_ci_k(int n, double level) {
  if (n <= 0) return 0;
  if (n <= kWilcoxonExactMaxN) {
    const ExactLevel lv = exact_level(level);
    const auto& counts = signed_rank_counts(n);
    const UInt128 total = UInt128{1} << n;
    UInt128 below = 0;
    long long k = 0;  // k − 1 = largest t with P(T ≤ t) ≤ α/2
    for (std::size_t t = 0; t < counts.size(); ++t) {
      below += counts[t];
      if (!within_half_alpha(below, total, lv)) break;
      k = static_cast<long long>(t) + 1;
    }
    return k;
  }
  const double nn = n;
  return normal_k(nn * (nn + 1) / 4, std::sqrt(nn * (nn + 1) * (2 * nn + 1) / 24), level);
}

long long rank_sum_ci_k(int m, int n, double level) {
  if (m <= 0 || n <= 0) return 0;
  const auto& dist = u_distribution(m, n);
  if (dist.valid()) {
    const ExactLevel lv = exact_level(level);
    long long k = 0;
    for (std::size_t u = 0; u < dist.cumulative.size(); ++u) {
      if (!within_half_alpha(dist.cumulative[u], dist.total, lv)) break;
      k = static_cast<long long>(u) + 1;
    }
    return k;
  }
  const double mn = static_cast<double>(m) * n;
  return normal_k(mn / 2, std::sqrt(mn * (static_cast<double>(m) + n + 1) / 12), level);
}

ShiftEstimate hodges_lehmann_one_sample(std::span<const double> d, double level) {
  const std::size_t n = d.size();
  std::vector<double> walsh;
  walsh.reserve(n * (n + 1) / 2);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i; j < n; ++j)
      walsh.push_back((d[i] + d[j]) / 2);
  }
  const int ni = static_cast<int>(n);
  return summarise(walsh, signed_rank_ci_k(ni, level), level, ni <= kWilcoxonExactMaxN);
}

ShiftEstimate hodges_lehmann_two_sample(std::span<const double> x, std::span<const double> y,
                                        double level) {
  std::vector<double> diffs;
  diffs.reserve(x.size() * y.size());
  for (double a : x) {
    for (double b : y)
      diffs.push_back(a - b);
  }
  const int m = static_cast<int>(x.size());
  const int n = static_cast<int>(y.size());
  const bool exact = m > 0 && n > 0 && u_distribution(m, n).valid();
  return summarise(diffs, rank_sum_ci_k(m, n, level), level, exact);
}

}  // namespace benchgate::stats
