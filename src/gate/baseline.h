#pragma once
// Stored baselines: the file `benchgate baseline update` writes and `--baseline` reads, and the
// unpaired gate against it (Mann-Whitney U + two-sample Hodges-Lehmann per app × cell ×
// metric; docs: statistics.md "Stored baseline").
//
// File format (schemas/baseline.schema.json), "kind": "benchgate.baseline": the testbed and
// provenance of the source run and one "series" per app × cell × metric with the values of
// every ok iteration, and the "history" of the baselines it replaced (gate/history.h). A
// benchgate results file can be used as a baseline directly.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gate/history.h"
#include "gate/verdict.h"
#include "results/gate_settings.h"
#include "results/model.h"

namespace benchgate::gate {

struct BaselineSeries {
  std::string app;
  std::string role;
  std::string scenario;
  std::string cell;
  std::string metric;
  std::string unit;
  std::vector<int> iterations;
  std::vector<double> values;
  std::vector<std::string> run_ids;
};

struct Baseline {
  std::string tool_version;
  std::string created_at;
  std::string name;  ///< suite name of the source results
  std::string command;
  std::string started_at, finished_at;
  std::string source_path;
  results::Testbed testbed;
  nlohmann::json machine = nlohmann::json::object();
  nlohmann::json provenance = nlohmann::json::object();
  std::vector<BaselineSeries> series;
  /// The baselines this one replaced, oldest first (bounded; empty in files written before
  /// the history existed and in results files used as baselines).
  History history;
};

/// The baseline as a history entry: its date, commit and the median of each series.
HistoryEntry history_entry(const Baseline& b);

/// Builds a baseline from results. With `require_complete` (baseline update), results that are
/// not "complete" or have a failed run or period throw RunError: a failed run must never become
/// (or overwrite) a baseline. Otherwise only the ok runs are taken.
/// allow_partial (--allow-partial) skips the status check only: failed runs still throw.
Baseline make_baseline(const results::ResultsFile& results, bool require_complete = true,
                       bool allow_partial = false);

nlohmann::json to_json(const Baseline& b);
/// Validates against the bundled "baseline" schema; ConfigError "<origin>: ..." when invalid.
Baseline baseline_from_json(const nlohmann::json& j, const std::string& origin);

/// Reads a baseline file — or a benchgate results file, used as a baseline. ConfigError naming
/// the file when missing, empty, malformed or schema-invalid.
Baseline read_baseline(const std::filesystem::path& path);

/// Writes atomically (platform::write_file_atomic): readers see the old or the new file.
void write_baseline(const Baseline& b, const std::filesystem::path& path);

/// `benchgate baseline update`: make_baseline(results, true) then write_baseline. Throws
/// before the file is touched when the results are not a complete, successful run.
/// Results that are not complete: ConfigError (exit 2) unless allow_partial.
/// When `path` already holds a baseline, it moves into the new file's history (after its own
/// history), of which the newest `history_limit` entries are kept (0: no history). A file at
/// `path` that cannot be read is a ConfigError (its history would be lost), unless
/// history_limit is 0.
Baseline update_baseline(const results::ResultsFile& results, const std::filesystem::path& path,
                         const std::string& source_path = "", bool allow_partial = false,
                         std::size_t history_limit = kDefaultHistoryLimit);

/// Gates results against a stored baseline (mode "baseline"). Testbed fingerprints that differ
/// make every verdict not_comparable unless settings.testbed_mismatch == "warn". A cell with a
/// failed run → error; a metric or cell on one side only, or a unit change → not_comparable.
GateResult run_against_baseline(const results::ResultsFile& current, const Baseline& baseline,
                                const results::GateSettings& settings,
                                const std::string& baseline_source);

struct UnpairedOptions {
  std::string mode = "baseline";  ///< "baseline" | "diff"
  /// When each side has exactly one app and their labels differ, compare them anyway (diff of
  /// two results files from different builds).
  bool match_single_app = false;
  /// Multiplies α (look_alpha_scale() for run modes; 1 for diff).
  double alpha_scale = 1.0;
};
GateResult run_against_baseline(const results::ResultsFile& current, const Baseline& baseline,
                                const results::GateSettings& settings,
                                const std::string& baseline_source, const UnpairedOptions& options);

}  // namespace benchgate::gate
