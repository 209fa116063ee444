#pragma once
// Commands that work from stored files without running anything: report (re-render every
// output, the old "recompare"), diff (gate two files), baseline update, validate, export.

#include <string>

namespace CLI {
class App;
}

namespace benchgate::cli {

struct ReportOptions {
  std::string results;
  std::string out;  ///< default: the results file's folder
  bool no_color = false;
  bool allow_partial = false;
};

struct DiffOptions {
  std::string base, candidate;
  std::string format = "text";
  std::string output;      ///< write the rendering here instead of stdout
  std::string alpha;       ///< "": 0.05 (else in (0, 0.5], checked)
  std::string min_effect;  ///< for Google Benchmark times, e.g. "5%"
  bool warn_only = false;
  std::string testbed_mismatch;
  bool allow_partial = false;
};

struct BaselineOptions {
  std::string from = "benchgate-out/results.json";
  std::string to = "baselines/main.json";
  bool allow_partial = false;
  /// Past baselines kept in the new file's history (gate::kDefaultHistoryLimit); 0: none.
  std::size_t history = 100;
};

struct ValidateOptions {
  std::string file;
  std::string print_schema;  ///< results | baseline | suite
};

struct ExportOptions {
  std::string results;
  bool gbench = false;
  std::string output;
};

struct OfflineCommands {
  ReportOptions report;
  DiffOptions diff;
  BaselineOptions baseline;
  ValidateOptions validate;
  ExportOptions exp;
  CLI::App* report_cmd = nullptr;
  CLI::App* diff_cmd = nullptr;
  CLI::App* baseline_cmd = nullptr;
  CLI::App* baseline_update_cmd = nullptr;
  CLI::App* validate_cmd = nullptr;
  CLI::App* export_cmd = nullptr;
};

void add_offline_commands(CLI::App& app, OfflineCommands& c);
/// Runs whichever of them was parsed; returns -1 when none was.
int run_offline_commands(const OfflineCommands& c);

}  // namespace benchgate::cli
