#pragma once
// The suite pipeline of `benchgate run` and `benchgate compare`: plan → runs (fail-fast skips)
// with a checkpointed results.json (runner/checkpoint.h) → gate → optional confirmation pairs →
// optional --profile-regressions re-runs → reports → exit code from the outcome. cli only
// parses options and calls run_suite.
//
// The second half, "gate + outcome + reports from a ResultsFile", is its own function
// (gate_and_report), for commands that gate results they did not run themselves.

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "config/suite.h"
#include "gate/baseline.h"
#include "gate/gate.h"
#include "results/model.h"
#include "runner/shard.h"

namespace benchgate::runner {

/// How `run` / `compare` want the suite run (cli fills it from its flags; the gate settings
/// and the output folder are already in the suite).
struct SuiteOptions {
  std::string command = "run";  ///< recorded in results.json: run | compare
  std::string baseline;         ///< --baseline FILE: stored-baseline mode ("" : A/B or none)
  bool profile_regressions = false;
  bool tune_host = false;
  bool no_color = false;
  /// --shard I/N: run only this shard's part of the plan (runner/shard.h), ungated.
  std::optional<ShardSpec> shard;
};

/// What the gate compares against.
struct GateSource {
  std::string baseline_path;               ///< "" : no stored baseline
  std::optional<gate::Baseline> baseline;  ///< read; nullopt when the file does not exist yet
  bool ab = false;                         ///< the apps have baseline and candidate roles
  /// Reads the baseline file when given (a bad file: exit 2). A file that does not exist yet
  /// (a project's first run) is not an error: the outcome is "undecided: no baseline yet".
  static GateSource load(const std::string& baseline_path, bool ab);
  bool no_baseline() const { return !baseline_path.empty() && !baseline; }
};

/// The suite has an app with role baseline and one with role candidate (an A/B gate).
bool has_ab_roles(const config::SuiteConfig& suite);

/// The gate over finished runs: against the stored baseline, A/B, or none (nullopt when there
/// is neither). No confirmation runs (run_suite adds them).
std::optional<gate::GateResult> gate_results(const results::ResultsFile& results,
                                             const results::GateSettings& settings,
                                             const GateSource& source);

/// Records the verdicts, the regression profiles (when not null) and the one outcome
/// (gate/outcome.h) in `results`.
void record_outcome(results::ResultsFile& results, const std::optional<gate::GateResult>& verdicts,
                    bool warn_only, const nlohmann::json& regression_profiles = {});

/// Where the reports go.
struct ReportTarget {
  std::filesystem::path out_dir;
  bool color = false;
  std::ostream* out = &std::cout;  ///< console tables, the reports line, GitHub integration
};

/// Writes every report into target.out_dir (not results.json), prints the console tables and
/// integrates with GitHub when it runs there; returns the outcome's exit code.
int write_reports(const results::ResultsFile& results,
                  const std::optional<gate::GateResult>& verdicts, const ReportTarget& target);

/// Gates `results`, records the outcome, writes out_dir/results.json and every report exactly
/// as `run` does; returns the exit code.
int gate_and_report(results::ResultsFile results, const results::GateSettings& settings,
                    const GateSource& source, const ReportTarget& target);

/// Executes a suite end to end; returns the exit code. Throws UsageError / RunError for what
/// cannot run at all (before anything starts), and what stops benchgate midway (results.json
/// then says "failed").
int run_suite(config::SuiteConfig suite, const SuiteOptions& options);

}  // namespace benchgate::runner
