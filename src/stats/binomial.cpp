#include "stats/binomial.h"

#include <algorithm>
#include <cmath>

namespace benchgate::stats {

namespace {

double log_pmf(std::int64_t k, std::int64_t n, double p) {
  const double kk = static_cast<double>(k);
  const double nn = static_cast<double>(n);
  return std::lgamma(nn + 1) - std::lgamma(kk + 1) - std::lgamma(nn - kk + 1) + kk * std::log(p) +
         (nn - kk) * std::log1p(-p);
}

// P(X ≤ k) for 0 ≤ k < n, 0 < p < 1, k at or below the mean: the terms shrink from k down.
double lower_tail(std::int64_t k, std::int64_t n, double p) {
  double term = std::exp(log_pmf(k, n, p));
  double sum = term;
  const double q_over_p = (1 - p) / p;
  for (std::int64_t i = k; i > 0; --i) {
    // pmf(i − 1) = pmf(i) · i / (n − i + 1) · (1 − p) / p
    term *= static_cast<double>(i) / static_cast<double>(n - i + 1) * q_over_p;
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return std::min(sum, 1.0);
}

}  // namespace

double binomial_cdf(std::int64_t k, std::int64_t n, double p) {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  if (static_cast<double>(k) <= static_cast<double>(n) * p) return lower_tail(k, n, p);
  // Above the mean: the complement is the lower tail of the failures, Y = n − X ~ Bin(n, 1 − p).
  return 1 - lower_tail(n - k - 1, n, 1 - p);
}

double binomial_sf_inclusive(std::int64_t k, std::int64_t n, double p) {
  // P(X ≥ k) = P(n − X ≤ n − k), n − X ~ Binomial(n, 1 − p).
  return binomial_cdf(n - k, n, 1 - p);
}

double binomial_test_two_sided(std::int64_t k, std::int64_t n, double p) {
  if (n <= 0) return 1;
  const double tail = std::min(binomial_cdf(k, n, p), binomial_sf_inclusive(k, n, p));
  return std::clamp(2 * tail, 0.0, 1.0);
}

double poisson_rates_test(std::int64_t a, double exposure_a, std::int64_t b, double exposure_b) {
  if (a + b <= 0 || !(exposure_a > 0) || !(exposure_b > 0)) return 1;
  return binomial_test_two_sided(a, a + b, exposure_a / (exposure_a + exposure_b));
}

double poisson_rates_min_p(std::int64_t n, double exposure_a, double exposure_b) {
  if (n <= 0 || !(exposure_a > 0) || !(exposure_b > 0)) return 1;
  const double r = exposure_a / (exposure_a + exposure_b);
  return std::min(1.0, 2 * std::pow(std::min(r, 1 - r), static_cast<double>(n)));
}

}  // namespace benchgate::stats
