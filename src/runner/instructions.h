#pragma once
// Instruction mode (measure = "instructions"; docs/suite-reference.md, README "Instruction
// mode"): what the app executes per request, counted under valgrind's callgrind instead of
// timed, so the verdict does not depend on how busy the machine is.
//
// Method: differencing two lifetimes. For each load point the app is started twice under
//   valgrind --tool=callgrind --trace-children=yes --cache-sim=yes (fixed cache geometry)
//            --callgrind-out-file=<tmp>/callgrind.out.%p
// so every process it forks or execs (workers, a wrapper script's exec) writes its own file.
// Lifetime A serves W warm-up requests, lifetime B W + N (the built-in driver's request-count
// mode: closed loop, the load point's connections); each is then stopped with SIGTERM and
// callgrind writes its totals at exit. Everything but the N extra requests (start-up, the
// readiness probe, connection set-up, the warm-up, shut-down) is the same in both, so
//   instructions_per_request = (Ir_B − Ir_A) / N        (Ir summed over every process)
//   est_cycles_per_request   = (CEst_B − CEst_A) / N    (profilers/callgrind.h formula)
//   startup_instructions     = Ir_A − W · instructions_per_request   (per run, first point)
// No runtime control (callgrind_control) is needed, so apps whose workers switch user (nginx
// as root: workers run as nobody) are covered: callgrind writes into a fresh world-writable
// folder (1777) under $TMPDIR or /tmp, copied into the run's artifacts afterwards.
// Exactness: each lifetime must have answered exactly its requests with 2xx/3xx and no
// socket error; otherwise the load point is invalid and the run fails (no number from a
// window that did not hold exactly N requests).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "profilers/callgrind.h"
#include "runner/runner.h"

namespace benchgate::runner {

/// Whether the run is measured in instruction mode (spec.driver_options.measure).
bool is_instruction_run(const RunSpec& spec);

/// Executes an instruction-mode run (execute_run hands such runs here).
results::RunRecord execute_instruction_run(const RunSpec& spec, RunContext& ctx);

/// "valgrind-3.19.0" (valgrind --version), or "valgrind-unknown".
std::string valgrind_version();

/// When every run of the plan is in instruction mode, replaces `testbed` by its counting
/// form (platform::counting_testbed: architecture, glibc, valgrind version, build type), so a
/// stored baseline of counted metrics is comparable across machines of the same image.
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
