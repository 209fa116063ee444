#pragma once
// The runner's side of the profiler seam (profilers/profiler.h): one RunProfiling per run.
//
//   run start     unavailable_reason(): tool missing, permission denied -> status "unavailable",
//                 a warning, and the run goes on unprofiled.
//   kWrap         (massif, oprofile) instance 0's argv is wrapped; its exit status is judged by
//                 the profiler (the wrapper's exit); after the app stopped: post_process() ->
//                 the run's profile.
//   kAttach /     (perf, perf-cg, perf-idle, flame, flame-all, oprofile-sys) one recording per
//   kSystemWide   load period, over its measured part only: started at on_measure_start on
//                 every process of the app (instances and their descendants), stopped with
//                 the profiler's signal at on_measure_end, then waited for and post-processed
//                 into the period's profile. The run's profile rolls the periods up.
//
// A profiler never fails the run: every failure ends up as status "failed" + reason in the
// profile and as a run warning.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cancel.h"
#include "matrix/matrix.h"
#include "platform/subprocess.h"
#include "profilers/demangle.h"
#include "profilers/profiler.h"
#include "results/model.h"

namespace benchgate::runner {

class RunProfiling {
 public:
  using ProfilerFactory = std::function<std::unique_ptr<profilers::Profiler>(const std::string&)>;
  /// rel_dir: the run's artifact folder relative to out_dir ("artifacts/<run id>").
  /// make_profiler: profilers::make_profiler, or a test's fake (RunSeams::make_profiler).
  RunProfiling(const matrix::Run& spec, std::filesystem::path out_dir,
               std::filesystem::path rel_dir, const CancelToken& cancel,
               const ProfilerFactory& make_profiler);
  ~RunProfiling();
  RunProfiling(const RunProfiling&) = delete;
  RunProfiling& operator=(const RunProfiling&) = delete;

  /// A profiler is configured (available or not).
  bool configured() const { return configured_; }
  /// Configured and able to run here.
  bool active() const { return profiler_ != nullptr; }
  /// Why it cannot run here (status "unavailable"); empty when it can.
  const std::string& unavailable() const { return unavailable_; }

  /// The argv to launch instance `index` with (kWrap wraps instance 0 only).
  std::vector<std::string> launch_argv(std::vector<std::string> argv, int index);
  /// Whether instance `index` ended as expected after SIGTERM (the wrapper's rules for it).
  bool wrapped(int index) const;
  bool expected_exit(const platform::ExitStatus& status) const;
  /// How long instance `index` may take to exit after SIGTERM (a wrapper writes its output).
  Nanos stop_grace(int index, Nanos normal) const;

  /// Attached profilers: start recording the processes of the app (roots = instance pids;
  /// their descendants are found in /proc). No-op for wrapping profilers.
  void period_start(const std::vector<int>& roots, const std::string& point_key);
  /// Sends the stop signal (does not wait: called from the driver's measure-end hook).
  void period_signal_stop();
  /// Waits for the recording to end and post-processes it; the period's profile (nullopt
  /// when no recording belongs to this period, e.g. wrapping profilers).
  std::optional<results::ProfileSummary> period_finish();

  /// After the app stopped: the run's profile (wrapping: post-processed now; attached: the
  /// periods rolled up). nullopt when no profiler is configured.
  std::optional<results::ProfileSummary> run_profile(
      const std::vector<results::PeriodResult>& periods, bool app_started);

  /// Warnings to add to the run (profile failures, unavailability), each once.
  std::vector<std::string> take_warnings();

 private:
  profilers::ProfilerContext context(const std::string& prefix) const;
  results::ProfileSummary failed(std::string reason) const;
  void warn_about(const results::ProfileSummary& s, const std::string& where);

  const matrix::Run& spec_;
  std::filesystem::path out_dir_;
  std::filesystem::path rel_dir_;
  const CancelToken& cancel_;
  bool configured_ = false;
  std::string name_;
  std::string unavailable_;
  std::unique_ptr<profilers::Profiler> profiler_;
  std::vector<std::string> warnings_;

  // The current attached recording.
  std::optional<platform::Subprocess> recorder_;
  std::string point_key_;
  std::string start_error_;
  bool period_pending_ = false;
  bool stop_sent_ = false;
  std::filesystem::path recorder_log_;
  bool wrapped_instance_ = false;
  /// BENCHGATE_DEMANGLER (a command line such as "swift-demangle --simplified"): names the
  /// C++ demangler leaves alone are piped through it.
  std::optional<profilers::Demangler> demangler_;
};

}  // namespace benchgate::runner
