#pragma once
// Shared fixtures for the report tests: the realistic A/B results in tests/data/report (two
// apps, two cells, five interleaved iterations with traces, a crashed run, an invalid period),
// a hand-made GateResult for it, a hostile variant, golden-file comparison with masking.

#include <filesystem>
#include <string>
#include <string_view>

#include "gate/verdict.h"
#include "report/model.h"
#include "results/model.h"

namespace benchgate::report::testing {

std::filesystem::path data_dir();  ///< tests/data/report

results::ResultsFile load_results();  ///< results.json, schema-validated
gate::GateResult load_gate();         ///< gate.json (hand-made verdicts)

/// The sample model; gated or not. Log tails are read from data_dir().
ReportModel sample_model(bool gated = true);

/// A large gated report: `scenarios` × `points` closed-loop cells (clients 1, 2, 4, …) made
/// from the sample's runs (two apps, ten interleaved iterations, their traces), throughput
/// saturating and latency growing with the load (Little's law), gated by the real A/B gate.
/// The sample's crashed run and invalid period stay in the first scenario only. 6 × 8 is the
/// 48-cell case of the report size target.
results::ResultsFile large_results(int scenarios = 6, int points = 8);
ReportModel large_model(int scenarios = 6, int points = 8);

/// A stored-baseline gate whose baseline carries a history: the sample's "main" runs are the
/// baseline (relabelled "app"), its "pr" runs this run, twelve past baselines drifting around
/// it; gated by the real gate::run_against_baseline.
ReportModel history_model();

/// Labels that try to inject markup everywhere: <script>, |, backticks, ]]>, control
/// characters, invalid UTF-8, a 10 kB metric name, a suite name that closes an HTML comment.
inline const std::string kHostileApp =
    "<script>alert(\"pr\")</script> | `rm -rf /` ]]> \x01\x1b[31m@everyone";
inline const std::string kHostileBase = "main|[x](javascript:alert(1))\xff\xfe";
inline const std::string kHostileScenario = "plain`text` ]]><b>|*_~#$!\\ \n<!-- -->\x7f";
inline const std::string kHostileSuite = "hello --> <!-- @everyone";
std::string long_name();  ///< 10,240 characters
ReportModel hostile_model();

/// Replaces volatile values (dates, host, tool version, elapsed/duration numbers in JUnit
/// time attributes) with placeholders.
std::string mask(std::string text);

/// Compares text with tests/golden/<name>; BENCHGATE_UPDATE_GOLDEN=1 rewrites the file.
void expect_golden(const std::string& name, const std::string& text);

/// Runs a command, returns its exit status; output appended to *output.
int run_command(const std::string& command, std::string* output);

}  // namespace benchgate::report::testing
