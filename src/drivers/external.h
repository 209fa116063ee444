#pragma once
// Running an external driver tool: locally (pinned to the driver CPUs) or on a remote load
// host over ssh, with output captured to an artifact file and cancellation honoured.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "drivers/driver.h"
#include "platform/subprocess.h"

namespace benchgate::drivers {

struct ToolRun {
  platform::ExitStatus status;
  std::string output;  ///< stdout+stderr
  bool cancelled = false;
  bool timed_out = false;
};

/// The argv actually executed: `argv` itself, or `ssh -tt -o BatchMode=yes -o
/// ConnectTimeout=5 [ssh_options] -- HOST <argv quoted>` when options.client_host is set
/// (-tt: the remote tool is hung up when ssh is stopped; run_tool turns the pty's CRLF back
/// into LF in ToolRun::output).
std::vector<std::string> tool_argv(const std::vector<std::string>& argv,
                                   const DriverOptions& options);

/// A callback run once while the tool runs: `after` this long since it started, or when it
/// exits if that is sooner (not when cancelled first). Drivers whose tool warms up inside the
/// same process (wrk2's calibration, a JMeter run's first seconds) start the monitor with it.
struct ToolMark {
  Nanos after{0};
  std::function<void()> fn;  ///< empty: no mark
};

/// The tool's own lifetime, for the monitor: on_start when the tool starts, on_end when it has
/// exited. Locally that is around the spawn and the wait. Over ssh it is when the remote side
/// says so: the remote command prints kRemoteStartMarker right before the tool and
/// kRemoteEndMarker right after it (run_tool watches the output for them), so ssh's connection
/// set-up and tear-down (0.3-0.6 s on a LAN) are not part of the app's CPU and RSS window.
/// A ToolMark's `after` counts from the same start.
struct ToolWindow {
  std::function<void()> on_start;  ///< empty: nothing to call
  std::function<void()> on_end;
};
inline constexpr std::string_view kRemoteStartMarker = "@@benchgate-tool-start@@";
inline constexpr std::string_view kRemoteEndMarker = "@@benchgate-tool-end@@";

/// Runs the tool to completion (or `limit`, or cancellation), output to `output_path` (the
/// remote markers are removed from ToolRun::output, not from the file). Pinned to options.cpus
/// when local. Throws RunError when it cannot start.
ToolRun run_tool(const std::vector<std::string>& argv, const DriverOptions& options,
                 const std::filesystem::path& output_path, Nanos limit, const CancelToken& cancel,
                 const ToolMark& mark = {}, const ToolWindow& window = {});

/// When the tool ran over ssh and ssh itself failed (exit status 255: cannot connect, key
/// refused, host key mismatch), a message naming the host and quoting ssh's lines (without
/// its "Warning: Permanently added ..." notes); nullopt otherwise.
std::optional<std::string> ssh_failure(const ToolRun& run, const DriverOptions& options);

/// The tool to run: the option's tool_path when set, else `name` (found on PATH).
std::string tool_program(const DriverOptions& options, std::string_view name);

/// How long a tool measuring for `window` may run: its window, the request time-out and 15 s
/// for starting and reporting.
Nanos tool_time_limit(Nanos window, const DriverOptions& options);

/// What every external driver records of how its tool ran: the command as executed (with ssh),
/// the output's artifact path, and the tool's CPU time when it ran here (over ssh it is not
/// ours to measure).
void record_tool_run(results::DriverResult& r, const std::vector<std::string>& argv,
                     const DriverOptions& options, const std::string& output_artifact,
                     const ToolRun& run);

/// RunError text for a tool missing from PATH, with the hint of how to get it.
void require_tool(const std::string& program, const std::string& hint,
                  const DriverOptions& options);

}  // namespace benchgate::drivers
