#pragma once
// `benchgate run` (suite file) and `benchgate compare` (the old compare.sh command line):
// both expand a suite into the run matrix, execute it, gate, write every report.

#include <optional>
#include <string>
#include <vector>

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
  std::string config = "benchgate.toml";
  std::string iterations;  ///< "": the suite's value (checked like BENCHGATE_ITERATIONS)
  std::string filter;
  std::string seed;
  std::string duration, warmup, driver, app_cpus, driver_cpus, sleep, profiler;
  std::vector<std::string> set;  ///< --set name=value, any overridable setting
  GateFlags gate;
};

struct CompareOptions {
  std::vector<std::string> apps;  ///< path[,label=NAME][,instances=N][,pwd=DIR][,cpus=LIST]
  std::string url;
  std::string clients = "128";
  std::string rates;
  std::string duration = "30s";
  std::string warmup = "2s";
  int iterations = 5;
  std::string sleep = "0s";
  std::string driver = "builtin";
  std::string cpus;
  std::string driver_cpus;
  int driver_threads = 0;
  std::string pre_run;
  std::string client_host;
  std::string seed;
  std::string interval = "1s";
  GateFlags gate;
};

CLI::App* add_run_command(CLI::App& app, RunOptions& o);
CLI::App* add_compare_command(CLI::App& app, CompareOptions& o);
int run_run(const RunOptions& o);
int run_compare(const CompareOptions& o);

/// Parses one `compare` app argument: "CMD[,label=NAME][,instances=N][,pwd=DIR][,cpus=LIST]
/// [,role=baseline|candidate]". CMD may contain spaces (split like a shell would).
config::AppSpec parse_compare_app(const std::string& spec, std::size_t index);

/// Executes a validated suite end to end; returns the exit code.
int execute_suite(config::SuiteConfig suite, const GateFlags& flags, const std::string& command);

}  // namespace benchgate::cli
