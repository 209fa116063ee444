#pragma once
// The profiler seam. A profiler either wraps the app's command (massif, oprofile: it must see
// the process from its start) or is started around the measured load period, attached to the
// app's processes or to the whole machine (perf, flame graphs, oprofile-sys), and stopped with a
// signal at the period's end. Afterwards post_process() runs the reporting tools, writes the
// artifacts and parses them into a results::ProfileSummary.
//
// The runner drives it:
//   if (auto why = p->unavailable_reason(ctx)) -> the run goes on, profile marked failed (why)
//   kWrap:   app argv = p->wrap(app argv, ctx); after the app stopped: p->post_process(...)
//   kAttach / kSystemWide: at measure start spawn p->attach(app pids, ctx) in its own process
//            group; at measure end signal it with p->stop_signal(), wait (up to stop_grace());
//            then p->post_process(ctx, runner, its stderr).
// A profiler failure never fails the run: post_process returns status "failed" with a reason.

#include <csignal>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "platform/roots.h"
#include "platform/subprocess.h"
#include "profilers/demangle.h"
#include "results/model.h"

namespace benchgate::profilers {

enum class Attachment {
  kWrap,        ///< the profiler launches the app: wrap() replaces the app's argv
  kAttach,      ///< started for the measured period on the app's processes (pids)
  kSystemWide,  ///< started for the measured period on the whole machine (or the app's CPUs)
};

/// Runs one reporting tool to completion, its stdout into a file. The returned stderr text is
/// for diagnostics.
struct ToolRun {
  platform::ExitStatus status;
  std::string stderr_text;
};
using ToolRunner = std::function<ToolRun(const std::vector<std::string>& argv,
                                         const std::filesystem::path& stdout_path)>;

/// The real runner: platform::Subprocess, stderr kept in memory (its tail), a timeout, and the
/// cancel token (a cancelled or timed-out tool is terminated and reported as failed).
ToolRunner subprocess_tool_runner(Nanos timeout = std::chrono::minutes(5),
                                  const CancelToken* cancel = nullptr);

struct ProfilerContext {
  std::filesystem::path out_dir;         ///< the run's output folder
  std::string artifact_prefix;           ///< relative to out_dir, e.g. "artifacts/run-003/c64-"
  std::string tool_path;                 ///< explicit perf / valgrind / operf; empty: from PATH
  const Demangler* demangler = nullptr;  ///< external demangler (after the C++ one)
  std::size_t top = 25;                  ///< entries kept in the summary
  std::vector<int> cpus;  ///< system-wide profilers: only these CPUs (the app's); empty: all
  std::string title;      ///< flame graph title, e.g. "hello c=64 #1"
  // Seams for tests (privilege and kernel feature checks).
  platform::SysRoots roots;
  int euid = -1;  ///< -1: geteuid()

  std::string artifact(std::string_view name) const { return artifact_prefix + std::string(name); }
  std::filesystem::path path(std::string_view name) const { return out_dir / artifact(name); }
};

class Profiler {
 public:
  virtual ~Profiler() = default;
  virtual std::string name() const = 0;
  virtual Attachment attachment() const = 0;
  /// nullopt when it can run here; otherwise why not, clearly (tool missing, privileges denied,
  /// kernel feature absent), e.g. "perf-idle needs root ... (kernel.perf_event_paranoid is 2)".
  virtual std::optional<std::string> unavailable_reason(const ProfilerContext& ctx) const = 0;
  /// kWrap: the argv to launch instead of the app's. Throws UsageError for other attachments.
  virtual std::vector<std::string> wrap(const std::vector<std::string>& app,
                                        const ProfilerContext& ctx) const;
  /// kAttach / kSystemWide: the argv to start when the measured period begins (pids: every
  /// process of the app). Throws UsageError for kWrap.
  virtual std::vector<std::string> attach(const std::vector<int>& pids,
                                          const ProfilerContext& ctx) const;
  /// How to end an attached session: perf and operf finish their output on SIGINT.
  virtual int stop_signal() const { return SIGINT; }
  virtual Nanos stop_grace() const { return std::chrono::seconds(30); }
  /// kWrap: whether the wrapper's exit status is the app's expected termination (the wrapper
  /// passes SIGTERM on, or exits 0 / 128+SIGTERM after the app did).
  virtual bool expected_exit(const platform::ExitStatus& status) const;
  /// Runs the reporting tools, writes the artifacts, parses them. `profiler_stderr` is what
  /// the recording process printed (used to explain failures). Never throws for tool
  /// failures: the summary then has status "failed" and a reason.
  virtual results::ProfileSummary post_process(const ProfilerContext& ctx, const ToolRunner& run,
                                               std::string_view profiler_stderr) const = 0;
};

/// perf, perf-cg, perf-idle, flame, flame-all, massif, oprofile, oprofile-sys. Throws
/// UsageError naming the valid ones for an unknown name.
std::unique_ptr<Profiler> make_profiler(const std::string& name);
std::vector<std::string> profiler_names();

/// Why perf cannot record here for the given kind of target, from perf_event_paranoid and the
/// effective uid; nullopt when it can. kernel_frames: whether kernel stacks are wanted.
std::optional<std::string> perf_permission_problem(Attachment target, bool tracepoints,
                                                   const ProfilerContext& ctx);
/// Turns a recording tool's stderr into a one-line reason ("permission denied: ...",
/// "no such process", ...); empty when it recognises nothing.
std::string diagnose_profiler_stderr(std::string_view stderr_text);

/// One side of a differential flame graph: its folded-stack files (summed) and the requests
/// served while they were recorded (0 when unknown: shares of samples are compared then).
struct DiffSide {
  std::vector<std::filesystem::path> folded;
  double requests = 0;
};

/// Renders a differential flame graph of the baseline's and the candidate's profiles into
/// `svg` (for --profile-regressions): per 1,000 requests when both request counts are known,
/// coloured only beyond sampling noise (render_diff_flamegraph). The title gets what was
/// normalised appended. Throws ParseError / InternalError.
void write_diff_flamegraph(const DiffSide& before, const DiffSide& after,
                           const std::filesystem::path& svg, const std::string& title);

}  // namespace benchgate::profilers
