#pragma once
// Binomial tails and the exact test of two Poisson counts (used to tell a real change of a
// profile frame's sample count from sampling noise).

#include <cstdint>

namespace benchgate::stats {

/// P(X ≤ k) for X ~ Binomial(n, p): 0 for k < 0, 1 for k ≥ n. Summed term by term from k
/// towards the far tail (relative accuracy ~1e-12 for n up to 1e7).
double binomial_cdf(std::int64_t k, std::int64_t n, double p);
/// P(X ≥ k) for X ~ Binomial(n, p): 1 for k ≤ 0, 0 for k > n.
double binomial_sf_inclusive(std::int64_t k, std::int64_t n, double p);

/// Two-sided exact binomial test of k successes in n trials against p, by doubling the smaller
/// tail: min(1, 2·min(P(X ≤ k), P(X ≥ k))). n = 0: 1.
double binomial_test_two_sided(std::int64_t k, std::int64_t n, double p);

/// Exact conditional test that two Poisson counts have the same rate per unit of exposure:
/// a ~ Poisson(λ·exposure_a), b ~ Poisson(λ'·exposure_b), H0 λ = λ'. Given a + b, a is
/// Binomial(a + b, exposure_a / (exposure_a + exposure_b)) under H0; the two-sided p of
/// binomial_test_two_sided. Exposures must be > 0; a + b = 0 gives 1.
double poisson_rates_test(std::int64_t a, double exposure_a, std::int64_t b, double exposure_b);

/// The smallest p poisson_rates_test can give for a + b = n: the extreme outcome (all n on the
/// less likely side), min(1, 2·min(r, 1 − r)^n) with r = exposure_a / (exposure_a + exposure_b).
double poisson_rates_min_p(std::int64_t n, double exposure_a, double exposure_b);

}  // namespace benchgate::stats
