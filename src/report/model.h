#pragma once
// The report model: one view over a results file (and its verdicts, when gated) that every
// reporter renders. Building it does the grouping, ranking and summarising once, so JUnit,
// Markdown, HTML, OpenMetrics and the console agree on every number.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gate/outcome.h"
#include "gate/verdict.h"
#include "results/metrics.h"
#include "results/model.h"

namespace benchgate::report {

/// Report file names inside the output folder.
struct ReportFiles {
  std::string results = "results.json";
  std::string junit = "junit.xml";
  std::string summary = "summary.md";
  std::string html = "report.html";
  std::string metrics = "metrics.txt";
};

struct ReportOptions {
  /// The output folder: artifact paths in the results are relative to it, and failed runs'
  /// log tails are read from it. Empty: no log tails.
  std::filesystem::path out_dir;
  ReportFiles files;
  std::size_t log_tail_lines = 20;
  std::size_t log_tail_bytes = 4096;
};

/// One metric of one app in one cell over the good iterations.
struct Stat {
  std::string metric;
  std::string unit;
  results::Better better = results::Better::kLower;
  std::vector<double> values;  ///< one per good iteration, in iteration order
  double median = 0, min = 0, max = 0;
};

/// A run, and which of its load periods belongs to the cell (-1: none, or a per-run cell).
struct PeriodRef {
  std::size_t run = 0;
  int period = -1;
};

/// One app in one cell.
struct AppCell {
  std::string app;
  std::string role;
  int good = 0;           ///< iterations whose run and period were ok
  int total = 0;          ///< iterations of this app that reached or should have reached the cell
  double measured_s = 0;  ///< seconds spent measuring (load period lengths)
  std::vector<PeriodRef> refs;  ///< every iteration, in execution order
  std::vector<Stat> stats;      ///< registry order, then other metrics by name
  const Stat* stat(std::string_view metric) const;
};

/// A matrix cell: one load point of a scenario ("plaintext c=64"), or a scenario's per-run
/// metrics such as start-up time (per_run, key = scenario).
struct Cell {
  std::string key;
  std::string scenario;
  results::LoadPoint point;
  bool per_run = false;
  std::string url;
  std::vector<AppCell> apps;  ///< baseline first, then candidate, then by first appearance
};

/// A failed or skipped run (a run with an invalid load point failed), or an interrupted one.
struct Problem {
  std::size_t run = 0;
  int period = -1;  ///< -1: the run itself
  std::string app;
  std::string scenario;
  std::string cell;  ///< the failing period's cell, or the scenario
  int iteration = 0;
  std::string status;  ///< failed | skipped | interrupted
  std::string reason;
  std::string log_path;  ///< the app log artifact, relative to the output folder
  std::string log_tail;  ///< its last lines, when readable
  /// Failed and skipped runs are errors (exit 4, JUnit <error>); interrupted runs are only
  /// excluded.
  bool is_error() const { return status == "failed" || status == "skipped"; }
};

struct Link {
  std::string label;
  std::string path;  ///< relative to the output folder
  std::string description;
};

struct ReportModel {
  results::ResultsFile results;
  std::optional<gate::GateResult> gate;
  std::string suite;  ///< results name (or "benchgate"): the marker id and JUnit suite name
  std::filesystem::path out_dir;
  ReportFiles files;

  std::vector<Cell> cells;        ///< in execution order of first appearance
  std::vector<Problem> problems;  ///< in execution order
  /// Indexes into gate->verdicts in report order: regressed first (worst first), then error,
  /// not comparable, inconclusive, warn, improved, unchanged.
  std::vector<std::size_t> ranked;
  std::vector<Link> artifacts;  ///< profiles and other artifacts worth a link, de-duplicated
  /// Environment and provenance as (label, value) pairs, for display. Raw: escape to render.
  std::vector<std::pair<std::string, std::string>> environment;
  std::string run_url;  ///< the CI run (GitHub run, GitLab job, Jenkins build), when known
  /// The one decision every reporter shows (gate/outcome.h), with the recorded --warn-only.
  gate::Outcome outcome;

  bool gated() const { return gate.has_value(); }
  /// Iterations per app (the largest iteration number in the runs).
  int iterations() const;
  int count(gate::Verdict v) const;  ///< gated verdicts of kind v
  int failed_runs() const;           ///< outcome.failed_runs
  /// outcome.token(): pass | regressed | undecided | run_failed | partial | interrupted |
  /// not_gated.
  std::string status() const;
  const Cell* find_cell(std::string_view key) const;
  /// The verdicts of one cell, in gate order.
  std::vector<const gate::MetricVerdict*> verdicts_for(std::string_view cell) const;
};

/// Builds the model. gate: the verdicts when the run was gated (cli passes
/// gate::gate_result_from_json(results.gate) for stored results).
ReportModel build_model(results::ResultsFile results, std::optional<gate::GateResult> gate,
                        const ReportOptions& options = {});

/// Unit and better direction of a metric, also for derived metrics outside the registry
/// (latency_max, latency_mean) and unknown ones ("" unit, lower is better).
std::pair<std::string, results::Better> metric_unit(std::string_view metric);

/// Median of values (the mean of the middle two for even sizes); NaN when empty.
double median(std::vector<double> values);

}  // namespace benchgate::report
