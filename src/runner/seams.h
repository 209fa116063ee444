#pragma once
// What execute_run touches outside itself, each behind a replaceable seam: the load driver,
// the app's processes (and the pre/post-run hooks), the readiness probe, the resource monitor,
// the profiler, and benchgate's own descendants (the survivors sweep). real_seams() wires the
// real implementations; tests pass fakes (tests/unit/runner/) and drive time with FakeClock.
// The clock and the cancel token are the RunContext's own.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "core/url.h"
#include "drivers/driver.h"
#include "monitor/monitor.h"
#include "platform/subprocess.h"
#include "platform/survivors.h"
#include "profilers/profiler.h"
#include "results/model.h"
#include "runner/probe.h"

namespace benchgate::runner {

/// A started process (an app instance or a hook) as the runner uses it; platform::Subprocess
/// in production (its own process group, killed with it when this object is destroyed).
class Process {
 public:
  virtual ~Process() = default;
  virtual int pid() const = 0;
  /// Non-blocking: the exit status once it has exited.
  virtual std::optional<platform::ExitStatus> poll() = 0;
  /// The status once known (after poll/wait_for/terminate reported it).
  virtual std::optional<platform::ExitStatus> status() const = 0;
  /// Waits up to `timeout` on the run's clock (nullopt on timeout or cancellation).
  virtual std::optional<platform::ExitStatus> wait_for(Nanos timeout,
                                                       const CancelToken* cancel) = 0;
  /// SIGTERM to its group, `grace` for it to exit, then SIGKILL; its exit status.
  virtual platform::ExitStatus terminate(Nanos grace) = 0;
  /// Sends `sig` to its group and returns at once (the counting modes stop perf stat's
  /// lifetimes with SIGINT: perf waits for the app and writes its counts).
  virtual void signal_group(int sig) = 0;
};

/// The app's resource monitor as the runner uses it (monitor::Monitor in production).
class AppMonitor {
 public:
  virtual ~AppMonitor() = default;
  virtual void add_root(int pid, int instance) = 0;
  virtual void start() = 0;
  virtual void stop() = 0;
  virtual monitor::Snapshot sample_now() = 0;
  virtual void begin_period() = 0;
  virtual results::ResourceUsage end_period() = 0;
  virtual results::Traces run_traces() const = 0;
};

struct RunSeams {
  /// drivers::make_driver: UsageError for an unknown name.
  std::function<std::unique_ptr<drivers::Driver>(const std::string& name)> make_driver;
  /// Starts a process (platform::Subprocess::spawn with the run's clock). Throws RunError
  /// when it cannot be started.
  std::function<std::unique_ptr<Process>(const platform::SpawnOptions& options)> launch;
  /// One HTTP(S) probe (probe_url), for pre-flight and readiness.
  std::function<ProbeResult(const Url& url, Nanos timeout, bool tls_verify, Clock& clock)> probe;
  std::function<std::unique_ptr<AppMonitor>(const monitor::MonitorOptions& options, Clock& clock)>
      make_monitor;
  /// profilers::make_profiler (names are validated up front by check_run_spec).
  std::function<std::unique_ptr<profilers::Profiler>(const std::string& name)> make_profiler;
  /// benchgate's descendants now (the snapshot taken before the app is launched).
  std::function<std::vector<platform::ProcessKey>()> descendants;
  /// Stops what the app left behind (platform::stop_descendants).
  std::function<std::vector<platform::Survivor>(const platform::SweepOptions& options)>
      stop_descendants;
  /// Who holds a TCP port, for the pre-flight's message ("" when nobody is found).
  std::function<std::string(int port)> port_holders;
};

/// The real implementations of every seam.
RunSeams real_seams();

}  // namespace benchgate::runner
