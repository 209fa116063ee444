#pragma once
// Console output: the results table (also what `benchgate compare` prints), the final
// verdict table, and live progress while runs execute. Colours only when asked (the caller
// knows whether the stream is a terminal); labels are made terminal-safe.

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "report/model.h"
#include "results/model.h"

namespace benchgate::report {

struct ConsoleOptions {
  bool color = false;          ///< ANSI colours (set when the stream is a TTY)
  std::size_t max_name = 48;   ///< labels and cells are shortened to this many columns
  bool show_unchanged = true;  ///< verdict table: also the unchanged rows (at the end)
};

/// Per scenario × load point × app: median (min–max) of throughput, latency p50 / p99 / max,
/// CPU %, CPU µs per request, peak RSS, and good/total iterations; start-up times below.
void write_results_table(const ReportModel& model, std::ostream& out,
                         const ConsoleOptions& options = {});

/// Every verdict in report order (worst first) with baseline, current, change [CI], limit
/// and Holm-adjusted p, then the counts and the gate's notes. Without a gate: "not gated".
void write_verdict_table(const ReportModel& model, std::ostream& out,
                         const ConsoleOptions& options = {});

/// The outcome line (gate/outcome.h), the last line of `run`, `compare` and `report` before
/// the reports line: "outcome: ❔ undecided: … (exit 3)".
void write_outcome(const ReportModel& model, std::ostream& out, const ConsoleOptions& options = {});

/// Failed runs and excluded load periods with their reasons (nothing when there are none).
/// Print it once, after the tables.
void write_problems(const ReportModel& model, std::ostream& out,
                    const ConsoleOptions& options = {});

/// Where a run is while it executes.
struct RunProgress {
  int index = 0;  ///< 0-based position in execution order
  int total = 0;  ///< runs in the plan
  int iteration = 0;
  int iterations = 0;
  std::string app;
  std::string cell;         ///< the load point being driven ("plaintext c=64"), or the scenario
  std::string phase;        ///< "starting", "warm-up", "measuring", "stopping"
  double elapsed_s = 0;     ///< since the whole suite started
  double remaining_s = -1;  ///< estimate for the whole suite; < 0 unknown
  double current_rps = -1;  ///< throughput of the last interval; < 0 unknown
};

/// A run that just ended.
struct RunDone {
  const results::RunRecord* run = nullptr;
  int index = 0;
  int total = 0;
  int iterations = 0;
  double elapsed_s = 0;  ///< since the whole suite started
  double remaining_s = -1;
};

/// Receives progress from the runner (through cli, which adapts the runner's callbacks).
class ProgressReporter {
 public:
  virtual ~ProgressReporter() = default;
  /// Frequent updates while a run executes (the TTY reporter redraws its line).
  virtual void update(const RunProgress& p) = 0;
  /// Once per run, when it ended (ok or not).
  virtual void run_finished(const RunDone& d) = 0;
  /// A log line that must not be garbled by the live line.
  virtual void message(std::string_view line) = 0;
  /// Clears the live line; call before printing the final tables.
  virtual void finish() = 0;
};

/// tty: one live line redrawn with \r (at most every 0.1 s of elapsed time), plus a permanent
/// line per finished run; otherwise only one plain line per finished run (CI logs).
std::unique_ptr<ProgressReporter> make_progress_reporter(std::ostream& out, bool tty,
                                                         int width = 100, bool color = false);

/// The plain one-line description of a finished run, as printed per run.
std::string run_line(const RunDone& d);

}  // namespace benchgate::report
