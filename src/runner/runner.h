#pragma once
// Executes one run: pre-flight, start the app's instances (pinned, own process groups),
// wait for readiness, measure the idle footprint, drive each load point with warm-up while
// the monitor samples, shut down and record how the app ended. Never throws for a failure
// of the app or the driver: the RunRecord says what happened (status + reason).
// With a profiler (RunSpec::profiler) the app is wrapped, or each load period's measured part
// is recorded, and post-processed into the period's / run's `profile` (runner/profiling.h); a
// profiler that is unavailable or fails only sets that profile's status and adds a warning.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "matrix/matrix.h"
#include "core/cancel.h"
#include "core/clock.h"
#include "results/model.h"

namespace benchgate::runner {

/// One run as the matrix planned it (app, scenario, load points, timings, driver).
using RunSpec = matrix::Run;

/// Progress callbacks (console progress line, CI log lines). Called on the runner's thread,
/// except on_interval which the driver calls from its own thread.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_run_start(const RunSpec& spec) { (void)spec; }
  virtual void on_phase(const RunSpec& spec, const std::string& phase) { (void)spec, (void)phase; }
  virtual void on_period_start(const RunSpec& spec, const results::LoadPoint& point) {
    (void)spec, (void)point;
  }
  virtual void on_interval(double rps) { (void)rps; }
  virtual void on_period_end(const RunSpec& spec, const results::PeriodResult& period) {
    (void)spec, (void)period;
  }
  /// Something the user should see now (a profiler that is unavailable or failed); it is
  /// also in the RunRecord's warnings.
  virtual void on_warning(const RunSpec& spec, const std::string& message) {
    (void)spec, (void)message;
  }
  virtual void on_run_end(const RunSpec& spec, const results::RunRecord& record) {
    (void)spec, (void)record;
  }
};

struct RunContext {
  Clock& clock;
  const CancelToken& cancel;
  std::filesystem::path out_dir;  ///< artifacts go to out_dir/artifacts/<run id>/
  RunObserver* observer = nullptr;
  Nanos idle_window = std::chrono::milliseconds(100);  ///< idle CPU measured over this
  bool preflight = true;  ///< refuse when something already answers at the URL
  /// Pre-flight: how long a port that still answers may take to close (the previous run's
  /// app releasing it) before the run fails naming the port and, when found, its holder.
  Nanos port_wait = std::chrono::seconds(3);
  /// After the app is stopped, processes it left behind (re-parented to benchgate) get
  /// SIGTERM, then SIGKILL after this long; each is named in the run's warnings.
  Nanos survivor_grace = std::chrono::seconds(1);
};

/// Runs one app start with all its load points.
results::RunRecord execute_run(const RunSpec& spec, RunContext& ctx);

/// Checks the run can start at all (driver known and installed, CPUs present, URL valid,
/// command present). Throws UsageError (bad input, exit 2) or RunError (missing tool, exit 4).
void check_run_spec(const RunSpec& spec);

/// The last `lines` lines of a log file ("" if unreadable), for failure messages.
std::string log_tail(const std::filesystem::path& path, int lines = 15);

}  // namespace benchgate::runner
