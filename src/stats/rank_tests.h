#pragma once
// Wilcoxon signed-rank and Mann-Whitney U tests, their exact null distributions, and the
// smallest p-value a given sample size can ever produce.
//
// Conventions (docs: statistics.md):
// - Wilcoxon signed-rank: zero differences are dropped before ranking (Wilcoxon's original
//   rule, scipy's zero_method="wilcox"); n is the count of non-zero differences. Exact null
//   distribution when n ≤ 50 and no |d| ties; otherwise the normal approximation with the tie
//   correction of the variance and a continuity correction of 0.5 (scipy wilcoxon(...,
//   correction=True, method="approx")).
// - Mann-Whitney U: kAuto is scipy 1.10's method="auto" exactly: exact when there are no ties
//   and one sample has at most 8 values, else the normal approximation with tie and continuity
//   corrections. This is what Google Benchmark's compare.py calls, so p-values match it.
// - Alternative::kGreater means "the first sample (or the differences) tends to be larger".

#include <cstdint>
#include <span>
#include <vector>

namespace benchgate::stats {

// 128-bit integers (a GCC/Clang extension) hold the exact U distribution counts.
__extension__ typedef unsigned __int128 UInt128;
__extension__ typedef __int128 Int128;

enum class Alternative { kTwoSided, kGreater, kLess };

enum class Method {
  kAuto,    ///< the per-test rule above
  kExact,   ///< exact null distribution (falls back to kNormal when ties make it invalid)
  kNormal,  ///< normal approximation with tie and continuity corrections
};

struct TestResult {
  double statistic = 0;  ///< Wilcoxon: W+ (sum of positive ranks); Mann-Whitney: U of x
  double p_value = 1;
  double z = 0;        ///< standardised statistic (normal approximation only)
  bool exact = false;  ///< exact null distribution used
  bool ties = false;   ///< tied values among |d| (Wilcoxon) or the pooled sample (U)
  int n = 0;           ///< Wilcoxon: non-zero differences; Mann-Whitney: n1 + n2
  int zeros = 0;       ///< Wilcoxon: zero differences dropped
};

/// Wilcoxon signed-rank test on paired differences d (finite values). kGreater: the
/// differences tend to be positive. No non-zero difference: p = 1.
TestResult wilcoxon_signed_rank(std::span<const double> d, Alternative alt,
                                Method method = Method::kAuto);

/// Mann-Whitney U test of x against y (finite values). kGreater: x tends to be larger than y.
/// An empty sample: p = 1.
TestResult mann_whitney_u(std::span<const double> x, std::span<const double> y, Alternative alt,
                          Method method = Method::kAuto);

/// The rank statistics alone, so that several alternatives can be tested from one ranking.
struct SignedRankStatistic {
  double w_plus = 0;    ///< sum of the ranks of the positive differences
  int n = 0;            ///< non-zero differences
  int zeros = 0;        ///< zero differences dropped
  double tie_term = 0;  ///< Σ(t³ − t) over tied |d|
};
SignedRankStatistic signed_rank_statistic(std::span<const double> d);
TestResult wilcoxon_signed_rank(const SignedRankStatistic& s, Alternative alt,
                                Method method = Method::kAuto);

struct UStatistic {
  double u1 = 0;  ///< U of the first sample
  int n1 = 0, n2 = 0;
  double tie_term = 0;  ///< Σ(t³ − t) over tied values of the pooled sample
};
UStatistic u_statistic(std::span<const double> x, std::span<const double> y);
TestResult mann_whitney_u(const UStatistic& s, Alternative alt, Method method = Method::kAuto);

/// Largest n for which the exact signed-rank distribution is used by kAuto.
inline constexpr int kWilcoxonExactMaxN = 50;

/// Exact null distribution of W+ for n non-zero differences: element w = P(W+ = w),
/// w = 0..n(n+1)/2, by halving convolutions: exact (dyadic rationals) for n ≤ 53. Cached.
const std::vector<double>& signed_rank_pmf(int n);

/// The same distribution as exact integer counts: element w = number of the 2^n equally likely
/// sign vectors with W+ = w (they sum to 2^n). n is clamped to 0..62. Cached.
const std::vector<std::uint64_t>& signed_rank_counts(int n);

/// Exact null distribution of U for samples of m and n values (either order), as cumulative
/// counts: element u = number of the C(m+n, m) equally likely arrangements with U ≤ u. Empty
/// when C(m+n, m) does not fit 125 bits or m·n > 4e6 (use the normal approximation then).
/// Cached.
struct UDistribution {
  std::vector<UInt128> cumulative;
  UInt128 total = 0;
  bool valid() const { return !cumulative.empty(); }
  /// P(U ≤ u) (0 for u < 0, 1 for u ≥ m·n).
  double cdf(std::int64_t u) const;
};
const UDistribution& u_distribution(int m, int n);

/// Smallest p-value the signed-rank test can give with n non-zero differences and no ties:
/// 2^-n one-sided (2^(1-n) two-sided) while exact, the normal approximation's beyond.
double wilcoxon_min_p(int n, Alternative alt = Alternative::kGreater);
/// Smallest n whose wilcoxon_min_p is below `level` (e.g. 5 for 0.05, 7 for 0.01).
int wilcoxon_pairs_needed(double level, Alternative alt = Alternative::kGreater);

/// Smallest p-value the U test (without ties) can give with samples of n1 and n2 values.
double mann_whitney_min_p(int n1, int n2, Alternative alt = Alternative::kGreater,
                          Method method = Method::kAuto);
/// Smallest n (values per side) whose mann_whitney_min_p(n, n) is below `level`.
int mann_whitney_runs_needed(double level, Alternative alt = Alternative::kGreater,
                             Method method = Method::kAuto);

}  // namespace benchgate::stats
