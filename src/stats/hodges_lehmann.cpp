#include "stats/hodges_lehmann.h"

#include <algorithm>
#include <cmath>
#include <limits>
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

}  // namespace

long long signed_rank_ci_k(int n, double level) {
  if (n <= 0) return 0;
  const double half_alpha = (1 - level) / 2;
  if (n <= kWilcoxonExactMaxN) {
    const auto& pmf = signed_rank_pmf(n);
    double cdf = 0;
    long long k = 0;  // k − 1 = largest t with P(T ≤ t) ≤ α/2
    for (std::size_t t = 0; t < pmf.size(); ++t) {
      cdf += pmf[t];
      if (cdf > half_alpha) break;
      k = static_cast<long long>(t) + 1;
    }
    return k;
  }
  const double nn = n;
  return normal_k(nn * (nn + 1) / 4, std::sqrt(nn * (nn + 1) * (2 * nn + 1) / 24), level);
}

long long rank_sum_ci_k(int m, int n, double level) {
  if (m <= 0 || n <= 0) return 0;
  const double half_alpha = (1 - level) / 2;
  const auto& dist = u_distribution(m, n);
  if (dist.valid()) {
    long long k = 0;
    for (std::size_t u = 0; u < dist.cumulative.size(); ++u) {
      if (dist.cdf(static_cast<std::int64_t>(u)) > half_alpha) break;
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
