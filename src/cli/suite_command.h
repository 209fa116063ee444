#pragma once
// `benchgate run` (suite file) and `benchgate compare` (the old compare.sh command line):
// both expand a suite into the run matrix, execute it, gate, write every report.

#include <optional>
#include <string>
#include <vector>

#include "cli/table_options.h"
#include "config/suite.h"

namespace CLI {
class App;
}

namespace benchgate::cli {

/// Gate and output options shared by run and compare.
struct GateFlags {
  std::string baseline;  ///< --baseline FILE: stored-baseline mode
  bool warn_only = false;
  std::string testbed_mismatch;  ///< "" (suite value) | error | warn
  std::string confirm;           ///< "": the suite's value (else 0-1000, checked)
  std::string alpha;             ///< "": the suite's value (else in (0, 0.5], checked)
  bool no_color = false;
  std::string out;
  bool tune_host = false;  ///< --tune-host (not a gate setting: shared by run and compare)
  /// --profile-regressions: re-run each regressed A/B cell once per side under the `flame`
  /// profiler and write a differential flame graph.
  bool profile_regressions = false;
};

struct RunOptions {
  TableOptions options;  ///< every option-table option of run (config::option_table())
  bool dry_run = false;  ///< --dry-run: resolve and print the plan, run nothing
};

struct CompareOptions {
  TableOptions options;  ///< every option-table option of compare, its app arguments included
};

CLI::App* add_run_command(CLI::App& app, RunOptions& o);
CLI::App* add_compare_command(CLI::App& app, CompareOptions& o);
int run_run(const RunOptions& o);
int run_compare(const CompareOptions& o);

/// Executes a validated suite end to end; returns the exit code.
int execute_suite(config::SuiteConfig suite, const GateFlags& flags, const std::string& command);

}  // namespace benchgate::cli
