#pragma once
// Holm's step-down adjustment for multiple comparisons (Holm 1979).

#include <span>
#include <vector>

namespace benchgate::stats {

/// Holm-adjusted p-values, in input order: sort ascending, p_adj(i) = max over j ≤ i of
/// min(1, (m − j + 1)·p_(j)). Rejecting every test with p_adj < α controls the family-wise
/// error rate at α. NaN inputs stay NaN and do not count in m.
std::vector<double> holm_adjust(std::span<const double> p);

}  // namespace benchgate::stats
