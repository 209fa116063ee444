#pragma once
// The "wrk2" driver: constant-rate (open-loop) load with wrk2 (github.com/giltene/wrk2), which
// is not packaged for Debian: it is found on PATH as `wrk2` or given with tool_path.
//
// wrk2 calibrates for 10 s + 5 ms per connection of a thread before it records latencies, then
// resets its histograms. The driver runs one wrk2 process with -d = calibration + duration,
// counts the calibration as warm-up (a longer warm-up adds a separate wrk2 run for the rest)
// and starts the monitor when the calibration ends, so the monitor measures what wrk2's
// histograms cover.

#include <memory>
#include <string>

#include "drivers/commands.h"
#include "drivers/driver.h"

namespace benchgate::drivers {

std::unique_ptr<Driver> make_wrk2_driver();

/// wrk2's calibration time: 10 s + 5 ms per connection (an upper bound: wrk2 counts the
/// connections of one thread).
Nanos wrk2_calibration(int connections);

/// The wrk2 command for a request: -d = duration + calibration, -R = request.point.rate.
/// Throws UsageError naming --rates when the request has no rate.
ToolCommand wrk2_command(const DriveRequest& request, Nanos duration, Nanos calibration,
                         const std::string& tag);

/// Completes a parsed wrk2 result (pure): target_rate; duration_s becomes the measured part
/// (the run minus the calibration; requests and throughput stay whole-run, which at a
/// constant rate is the same rate); extra run_duration_s and calibration_s; and the
/// self-honesty checks: rate shortfall (as the builtin driver), errors (non-2xx/3xx and socket
/// errors) above max_error_rate or no successful response (drivers/error_share.h), no
/// calibration lines (histograms include the warm-up).
void finish_wrk2_result(results::DriverResult& r, double rate, Nanos calibration,
                        double max_error_rate);

}  // namespace benchgate::drivers
