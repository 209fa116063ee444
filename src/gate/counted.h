#pragma once
// The gate rule for counted, near-deterministic metrics (instruction mode: instructions and
// estimated cycles per request, start-up instructions; docs/statistics.md "Counted
// metrics"). Their run-to-run noise is ~10⁻⁵, so a rank test (3 pairs: smallest p 0.125)
// is the wrong tool: the verdict comes from the measured spread instead.
//
// With B the baseline values, C the current ones (≥ 2 each), me the limit (min_effect,
// default 0.5 %), spread(X) = max(X)/min(X) − 1 and floor = me / 2 (0.25 % by default):
//   range        [min(C)/max(B) − 1, max(C)/min(B) − 1]: every cross ratio lies inside
//   regressed    both spreads ≤ floor and every current value is worse than every baseline
//                value by more than me (the whole range beyond me in the worse direction)
//   improved     the mirror image
//   unchanged    the whole range lies within ± me (whatever the spreads)
//   inconclusive cause spread_above_floor: a spread is above the floor (and not unchanged);
//                cause wide_ci: the range straddles the limit; cause too_few_runs: fewer
//                than 2 values on a side (no spread can be measured)
// No p-value: these tests are not in Holm's family. Estimate: median(C)/median(B) − 1.

#include <string_view>

#include "gate/gate.h"
#include "gate/verdict.h"

namespace benchgate::gate {

/// The spread floor as a share of the limit. Half the limit: a regression needs a gap of more
/// than the limit between the two sides while neither side varies by more than half of it.
/// Measured (bench/instructions-gates.sh, README): at a fifth of the limit, the power at +1 %
/// with 3 pairs depended on the machine's load (74.5 % with a pool spread of 1.3·10⁻³); at half,
/// 100 % on three pools, with no A/A false alarm in 600 gates.
inline constexpr double kSpreadFloorShare = 0.5;

/// Metrics the spread rule decides (instructions_per_request, est_cycles_per_request,
/// startup_instructions).
bool is_counted_metric(std::string_view metric);

/// Decides `v` (whose min_effect, gated and identity fields are set) from c.baseline and
/// c.current by the rule above: sets verdict, cause, reason, test ("spread-rule"), estimate
/// and range (ci_low/ci_high); p-values are NaN.
void decide_by_spread(const Comparison& c, MetricVerdict& v);

}  // namespace benchgate::gate
