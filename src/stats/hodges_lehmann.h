#pragma once
// Hodges-Lehmann location and shift estimates with distribution-free confidence intervals.
//
// CI rule (Hollander & Wolfe; the rule used by the reference values in tests/data):
//   k = the largest integer with P(T ≤ k − 1) ≤ (1 − level)/2 under the null distribution of
//   the rank statistic T (W+ one-sample, U two-sample); CI = [A_(k), A_(N+1−k)] of the N sorted
//   Walsh averages / pairwise differences (1-based). k = 0 means no interval exists at that
//   level (too few values): the bounds are NaN.
// The comparison P(T ≤ t) ≤ (1 − level)/2 is made in exact integers: the null distribution as
// counts out of its total (2^n, or C(m+n, m)) and the level as a fraction — the shortest decimal
// of at most 9 digits that rounds to the given double (0.9 is 9/10), else the double's exact
// binary value — so points where P(T ≤ t) equals (1 − level)/2 exactly (3 × 3 at 0.90:
// P(U ≤ 0) = 1/20) get the k of the rule, not one less.
// The null distribution is exact for the one-sample case when n ≤ 50 and for the two-sample
// case whenever stats::u_distribution() can represent it; otherwise k comes from the normal
// approximation with continuity correction: k = ⌊E[T] + 0.5 − z·sd(T)⌋.

#include <span>

namespace benchgate::stats {

struct ShiftEstimate {
  double estimate = 0;  ///< median of the Walsh averages / pairwise differences
  double ci_low = 0;    ///< NaN when no interval exists at this level
  double ci_high = 0;
  double level = 0.95;
  long long k = 0;     ///< rank of the lower bound (see above)
  bool exact = false;  ///< k from the exact null distribution
};

/// One-sample: the median of the n(n+1)/2 Walsh averages (d_i + d_j)/2, i ≤ j. All values
/// count, zeros included (the Wilcoxon test drops zeros; the estimate does not).
ShiftEstimate hodges_lehmann_one_sample(std::span<const double> d, double level = 0.95);

/// Two-sample shift of x relative to y: the median of the m·n differences x_i − y_j.
ShiftEstimate hodges_lehmann_two_sample(std::span<const double> x, std::span<const double> y,
                                        double level = 0.95);

/// The k of the rule above for the signed-rank distribution of n values.
long long signed_rank_ci_k(int n, double level);
/// The k of the rule above for the U distribution of samples of m and n values.
long long rank_sum_ci_k(int m, int n, double level);

}  // namespace benchgate::stats
