#pragma once
// The counting measure modes (docs/suite-reference.md, README "Instruction mode"): what the app
// executes per request, counted instead of timed, so the verdict does not depend on how busy
// the machine is.
//
//   measure = "instructions": under valgrind's callgrind (simulated CPU, ~50x slower, counts
//                             reproducible to ~10⁻⁵, the same on every machine of an image)
//   measure = "counters":     the CPU's own counters through perf stat (native speed; only
//                             where the machine exposes them: runner/counters.h)
//
// Method, both modes: differencing two lifetimes. For each load point the app is started twice
// under the counting tool, which follows every process it forks or execs (workers, a wrapper
// script's exec). Lifetime A serves W warm-up requests, lifetime B W + N (the builtin driver's
// request-count mode: closed loop, the load point's connections); each is then stopped and the
// tool writes its totals at exit. Everything but the N extra requests (start-up, the readiness
// probe, connection set-up, the warm-up, shut-down) is the same in both, so
//   instructions_per_request = (Ir_B − Ir_A) / N        (summed over every process)
//   est_cycles_per_request   = (CEst_B − CEst_A) / N    (callgrind: profilers/callgrind.h)
//   cycles_per_request       = (cycles_B − cycles_A) / N (counters: cycles:u)
//   startup_instructions     = Ir_A − W · instructions_per_request   (per run, first point)
// No runtime control (callgrind_control, perf's control fifo) is needed, so apps whose workers
// switch user (nginx as root: workers run as nobody) are covered: callgrind writes into a
// fresh world-writable folder (1777) under $TMPDIR or /tmp, copied into the run's artifacts
// afterwards; perf's counters are inherited by the kernel whatever the user.
// Exactness: each lifetime must have answered exactly its requests with 2xx/3xx and no
// socket error; otherwise the load point is invalid and the run fails (no number from a
// window that did not hold exactly N requests).
//
// Every outside effect goes through the run's seams (runner/seams.h: the driver factory, the
// process launcher, the readiness probe, the survivors sweep) and its clock; the counting tool
// itself is a CountingMethod, so the whole sequence runs in unit tests with fakes.

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "profilers/callgrind.h"
#include "runner/runner.h"

namespace benchgate::runner {

/// What one lifetime counted, summed over its processes.
struct LifetimeCounts {
  std::uint64_t instructions = 0;
  std::uint64_t cycles = 0;  ///< callgrind: estimated cycles; counters: cycles:u
  /// callgrind: one entry per process (per-process figures in results.json); empty otherwise.
  std::vector<profilers::CallgrindTotals> procs;
  std::string version;  ///< the tool's version ("callgrind-3.19.0", "perf 6.1")
};

/// How a counting mode counts one lifetime of the app.
struct CountingMethod {
  std::string mode;           ///< "instructions" | "counters"
  std::string tool;           ///< "callgrind" | "perf stat" (phases and messages)
  std::string cycles_metric;  ///< the cycles metric it fills
  std::string cycles_key;     ///< "est_cycles" | "cycles" (results.json's per-period details)
  /// Ends a lifetime: the app's group gets this signal, then SIGKILL after the grace.
  /// callgrind: SIGTERM; perf stat: SIGINT (perf ignores it, waits for the app and writes its
  /// counts; SIGTERM would kill perf before it writes anything).
  int stop_signal = SIGTERM;
  /// nullopt when the mode works here, else why not (the run fails, kind "unavailable").
  std::function<std::optional<std::string>()> unavailable;
  /// The command line that wraps the app's argv, the tool writing into `tmp_dir`.
  std::function<std::vector<std::string>(const std::filesystem::path& tmp_dir)> wrap;
  /// Reads what a lifetime wrote into `tmp_dir`, copying the raw files into `keep_dir`.
  /// Throws (ParseError, RunError) when there is nothing usable.
  std::function<LifetimeCounts(const std::filesystem::path& tmp_dir,
                               const std::filesystem::path& keep_dir)>
      read;
};

/// callgrind (measure = "instructions").
CountingMethod callgrind_method();

/// Whether the run is measured by a counting mode (instructions or counters).
bool is_counting_run(const RunSpec& spec);
/// Whether the run is measured in instruction mode (spec.driver_options.measure).
bool is_instruction_run(const RunSpec& spec);

/// Executes a counting run (execute_run hands such runs here) with the method of its mode.
results::RunRecord execute_counting_run(const RunSpec& spec, RunContext& ctx);

/// Executes a counting run with the given method (tests pass a fake one).
results::RunRecord execute_counted_run(const RunSpec& spec, RunContext& ctx,
                                       const CountingMethod& method);

/// "valgrind-3.19.0" (valgrind --version), or "valgrind-unknown".
std::string valgrind_version();

/// When every run of the plan is in instruction mode, replaces `testbed` by its counting
/// form (platform::counting_testbed: architecture, glibc, valgrind version, build type), so a
/// stored baseline of counted metrics is comparable across machines of the same image.
/// Counters mode keeps the machine's fingerprint: hardware counts depend on the CPU model.
void use_counting_testbed(const matrix::Plan& plan, results::Testbed& testbed);

/// The valgrind command line that wraps the app (before the app's argv).
std::vector<std::string> callgrind_argv(const std::filesystem::path& out_dir);

/// Per-process difference of two lifetimes, processes matched in start order (by pid within
/// each lifetime; pids grow in start order unless they wrap).
struct ProcessCount {
  std::string cmd;
  int pid_a = 0, pid_b = 0;  ///< 0: no such process in that lifetime
  std::uint64_t ir_a = 0, ir_b = 0;
  std::uint64_t cycles_a = 0, cycles_b = 0;
};
std::vector<ProcessCount> match_processes(std::vector<profilers::CallgrindTotals> a,
                                          std::vector<profilers::CallgrindTotals> b);

}  // namespace benchgate::runner
