#pragma once
// Holm's step-down adjustment for multiple comparisons (Holm 1979).

#include <cstddef>
#include <span>
#include <vector>

namespace benchgate::stats {

/// Holm-adjusted p-values, in input order: sort ascending, p_adj(i) = max over j ≤ i of
/// min(1, (m − j + 1)·p_(j)). Rejecting every test with p_adj < α controls the family-wise
/// error rate at α. NaN inputs stay NaN and do not count in m.
std::vector<double> holm_adjust(std::span<const double> p);

/// Holm over the tests that can speak (Tarone 1990; Holm form, Hommel & Krummenauer 1998), for
/// discrete tests whose smallest attainable p (p_min) is known. Find the smallest m ≥ 1 with
/// K(m) = #{i : p_min_i ≤ α/m} ≤ m; the K(m) tests of that set are Holm-adjusted among
/// themselves, every other test gets 1 (it could not reach α/m whatever the data). Rejecting
/// p_adj < α controls the family-wise error rate at α: a test outside the set can never be
/// rejected, and each of the K ≤ m inside has P(p ≤ α/K) ≤ α/K under its null. The set
/// depends on p_min only (for a conditional test, on the conditioning totals), not on p.
/// NaN p stays NaN and does not count.
std::vector<double> tarone_holm_adjust(std::span<const double> p, std::span<const double> p_min,
                                       double alpha);

/// The size K(m) of the family tarone_holm_adjust keeps (tests whose p_min ≤ α/m).
std::size_t tarone_family_size(std::span<const double> p_min, double alpha);

/// Tarone's m and K(m) together: a test belongs to the family when p_min ≤ α/level.
/// NaN entries do not count. An empty input gives {1, 0}.
struct TaroneFamily {
  std::size_t level = 1;  ///< m
  std::size_t size = 0;   ///< K(m) ≤ m
};
TaroneFamily tarone_family(std::span<const double> p_min, double alpha);

}  // namespace benchgate::stats
