#pragma once
// Executes one run: pre-flight, start the app's instances (pinned, own process groups),
// wait for readiness, measure the idle footprint, drive each load point with warm-up while
// the monitor samples, shut down and record how the app ended. Never throws for a failure
// of the app or the driver: the RunRecord says what happened (status, reason, failure kind).
// A load point the driver marks invalid (errors above max_error_rate, no successful response,
// driver saturated, rate missed, ...) is recorded as invalid and fails its run; the run's
// remaining load points are still driven.
// With a profiler (RunSpec::profiler) the app is wrapped, or each load period's measured part
// is recorded, and post-processed into the period's / run's `profile` (runner/profiling.h); a
// profiler that is unavailable or fails only sets that profile's status and adds a warning.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "matrix/matrix.h"
#include "results/model.h"
#include "runner/seams.h"

namespace benchgate::runner {

/// One run as the matrix planned it (app, scenario, load points, timings, driver).
using RunSpec = matrix::Run;

/// RunRecord::failure_kind values: how a run failed, independent of the message's wording.
namespace kind {
inline constexpr const char* kNotReady = "not_ready";  ///< no answer within ready_timeout
inline constexpr const char* kExitedAtStart = "exited_at_start";   ///< exited before it was ready
inline constexpr const char* kStartFailed = "start_failed";        ///< could not be launched
inline constexpr const char* kPortInUse = "port_in_use";           ///< pre-flight found a server
inline constexpr const char* kPreRunFailed = "pre_run_failed";     ///< a pre-run hook failed
inline constexpr const char* kCrashed = "crashed";                 ///< died during the load periods
inline constexpr const char* kDriverFailed = "driver_failed";      ///< the driver failed
inline constexpr const char* kInvalid = "invalid";                 ///< a load point was invalid
inline constexpr const char* kUnexpectedExit = "unexpected_exit";  ///< did not stop on SIGTERM
inline constexpr const char* kInterrupted = "interrupted";
/// The measure mode cannot work on this machine (no valgrind; no hardware counters for
/// measure = "counters"): the reason says why. Never a pass.
inline constexpr const char* kUnavailable = "unavailable";
/// pairing = "bursts": the other app of the pair failed (or was never up), so this run has no
/// partner to be compared with; the reason names the other app's failure.
inline constexpr const char* kPartnerFailed = "partner_failed";
}  // namespace kind

/// Fail fast: when an app's first two runs both failed at start the same way (the same
/// start-up failure kind: not_ready, exited_at_start or start_failed), its remaining runs
/// are not started but recorded as skipped (skipped_run) with that reason. Pure; one per
/// suite, fed every finished run in execution order.
class FailFast {
 public:
  /// Records a finished run of spec.app (skipped ones are not recorded).
  void record(const RunSpec& spec, const results::RunRecord& rec);
  struct Skip {
    std::string reason;  ///< "failed the same way in runs 1 and 2: never became ready within 30 s"
    std::string kind;    ///< the failure kind of runs 1 and 2
  };
  /// Whether to skip the next run of this app, and why.
  std::optional<Skip> skip(const RunSpec& spec) const;

 private:
  struct AppState {
    int runs = 0;              ///< runs recorded so far
    std::string first_kind;    ///< failure kind of the first run ("" if it did not fail at start)
    std::optional<Skip> skip;  ///< set once the first two failed the same way
  };
  std::map<std::string, AppState> apps_;
};

/// True for the failure kinds that happen before the app ever served: not_ready,
/// exited_at_start, start_failed.
bool is_start_failure(std::string_view failure_kind);

/// "never became ready within 30 s", "exited before it became ready", "could not be started".
std::string describe_start_failure(std::string_view failure_kind, const RunSpec& spec);

/// A run's record as it starts: who, what, where and when (execute_run and skipped_run).
results::RunRecord new_run_record(const RunSpec& spec, Clock& clock);

/// The record of a run that was not started: status "skipped", the given reason and kind.
results::RunRecord skipped_run(const RunSpec& spec, const std::string& reason,
                               const std::string& failure_kind, Clock& clock);

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
  /// The driver, processes, probe, monitor, profiler and survivors sweep the run goes through
  /// (runner/seams.h); tests replace them.
  RunSeams seams = real_seams();
};

/// Runs one app start with all its load points: pre-flight, pre-run hooks, launch, readiness,
/// idle footprint, each load point, shutdown (and the survivors sweep), post-run hook, the
/// verdict (runner/execution.cpp), every outside effect through ctx.seams.
results::RunRecord execute_run(const RunSpec& spec, RunContext& ctx);

/// Checks the run can start at all (driver known and installed, CPUs present, URL valid,
/// command present). Throws UsageError (bad input, exit 2) or RunError (missing tool, exit 4).
void check_run_spec(const RunSpec& spec);

/// `s` with every character but letters, digits, '-', '_' and '.' replaced by '_': a run id or
/// load point key made a file name ("c=64" -> "c_64").
std::string file_safe(std::string s);

/// The last `lines` lines of a log file ("" if unreadable), for failure messages.
std::string log_tail(const std::filesystem::path& path, int lines = 15);

}  // namespace benchgate::runner
