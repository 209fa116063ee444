#pragma once
// The "builtin" driver: benchgate's own HTTP/1.1 load generator (loadgen::Engine) behind the
// Driver interface. Closed loop, or open loop at a constant rate with coordinated-omission
// corrected latency; full latency histograms in the result; self-honesty checks.

#include <memory>

#include "drivers/driver.h"
#include "loadgen/engine.h"

namespace benchgate::drivers {

std::unique_ptr<Driver> make_builtin_driver();

/// Self-honesty threshold: a driver thread busy this share of the window was saturated.
inline constexpr double kSaturatedThreadShare = 0.95;
/// Open loop: achieved rate more than this far below the target makes the run invalid.
inline constexpr double kRateShortfall = 0.02;

/// The engine configuration for a drive request (pure, except reading the request list file).
/// Throws UsageError naming the option for bad values.
loadgen::EngineConfig builtin_engine_config(const DriveRequest& request);

/// Maps what the engine measured to the result model and runs the self-honesty checks
/// (saturated driver thread, open-loop shortfall, errors above max_error_rate or no
/// successful response: drivers/error_share.h). Pure.
results::DriverResult builtin_driver_result(const loadgen::EngineResult& r,
                                            const loadgen::EngineConfig& config,
                                            double max_error_rate);

/// Histogram -> LatencyStats in seconds with percentiles "50" ... "99.999" and the encoding.
results::LatencyStats latency_stats(const LatencyHistogram& h);

}  // namespace benchgate::drivers
