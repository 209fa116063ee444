#pragma once
// The "jmeter" driver: a non-GUI JMeter run of a test plan (.jmx) that reads its thread count,
// duration and target from properties (${__P(THREADS)}, ${__P(DURATION)}, ${__P(HOST)},
// ${__P(PORT)}, ${__P(PATH)}, ${__P(PROTOCOL)}, ${__P(TIMEOUT)}; see tests/data/jmeter/plan.jmx).
//
// One JMeter process runs warm-up + duration; the monitor starts `warmup` after it was
// started, and the summariser intervals that begin within the warm-up are left out of the
// result (jmeter_parse.h). JMeter is closed-loop here: threads = the load point's clients.
//
// Settings come from DriverOptions::extra (suite keys): "plan" (required), "user_properties"
// (-q), "system_properties" (-S), "property:<name>" (-J<name>=<value>), and optionally
// "summariser_interval" (a duration, default: the monitor interval, at least 1 s).

#include <memory>
#include <string>

#include "drivers/commands.h"
#include "drivers/driver.h"
#include "drivers/jmeter_parse.h"

namespace benchgate::drivers {

std::unique_ptr<Driver> make_jmeter_driver();

/// Prefix of DriverOptions::extra keys holding -J properties (config::kPropertyPrefix).
inline constexpr std::string_view kJmeterPropertyPrefix = "property:";

/// The JMeter command spec for a request: -JTHREADS = clients, -JDURATION = warm-up +
/// duration, -JHOST/-JPORT/-JPATH/-JPROTOCOL from the URL, -JTIMEOUT from the timeout; the JTL
/// and log go to the artifact folder. Throws UsageError when there is no plan or a rate is set.
JmeterCommandSpec jmeter_command_spec(const DriveRequest& request);

/// Turns a run's console output (and its JTL and -j log text, either may be empty) into a
/// result with the self-honesty checks: no sample; errors (non-2xx/3xx, socket errors,
/// timeouts) above max_error_rate or no successful sample (drivers/error_share.h); else
/// failed samples (failed assertions included) above max_error_rate.
/// Throws RunError explaining why when JMeter ran nothing (jmeter_failure_reason).
results::DriverResult jmeter_run_result(std::string_view console, std::string_view jtl,
                                        std::string_view log, const DriveRequest& request);

}  // namespace benchgate::drivers
