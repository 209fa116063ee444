#pragma once
// The standard normal distribution, for the large-sample approximations of the rank tests.

namespace benchgate::stats {

/// P(Z ≤ z).
double normal_cdf(double z);
/// P(Z > z), accurate in the far upper tail (no 1 − cdf cancellation).
double normal_sf(double z);
/// The z with P(Z ≤ z) = p (Wichura's AS 241, ~1e-16 relative). ±inf at 0 and 1, NaN outside.
double normal_quantile(double p);

}  // namespace benchgate::stats
