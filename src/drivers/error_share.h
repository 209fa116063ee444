#pragma once
// The error-share check every HTTP driver applies to its measured period (builtin, wrk,
// wrk2, jmeter): a load point whose failed requests (non-2xx/3xx responses, socket errors,
// timeouts) exceed max_error_rate of what was sent, or that got no successful response at
// all, is invalid; its run then failed. Pure.

#include <cstdint>
#include <optional>
#include <string>

#include "results/model.h"

namespace benchgate::drivers {

/// Why the period's errors make it invalid, or nullopt when they do not. Counts: requests
/// (completed responses of any status), non_2xx_3xx, errors (socket errors and timeouts) and
/// status_codes of the result. Attempts are responses + socket errors; the share is
/// (non-2xx/3xx + socket errors) / attempts and must not exceed max_error_rate. A period with
/// attempts but no successful response is always invalid, whatever max_error_rate says. A
/// period with no attempt at all gives "no response in the measured window".
/// e.g. "10,000 of 10,000 responses (100 %) were errors, above max_error_rate 1 %: 404 ×10,000"
std::optional<std::string> error_share_reason(const results::DriverResult& r,
                                              double max_error_rate);

/// Appends error_share_reason() (if any) to r.invalid_reasons; returns true when it did.
bool check_error_share(results::DriverResult& r, double max_error_rate);

/// 10000 -> "10,000" (for messages).
std::string group_thousands(std::int64_t n);

}  // namespace benchgate::drivers
