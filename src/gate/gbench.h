#pragma once
// Google Benchmark JSON (docs: gbench-json.md): a fast, tolerant reader and a writer for
// benchgate results.
//
// Reader: old (2016-2019) and new (1.7-1.9) files; rows without run_type are iteration rows;
// bare NaN / Infinity / -Infinity become missing values; lowercase nan/inf and every syntax
// or format problem throw ConfigError "<file>:<line>[:<col>]: ..."; unknown fields are
// ignored; unknown numeric fields are counters; BigO/RMS rows are dropped when grouping.
//
// Writer mapping (benchgate results → Google Benchmark JSON): one family per app × cell ×
// metric named "<app>/<scenario, spaces as _>/c:<clients>[/r:<rate>]/<metric>", one iteration
// row per benchgate iteration (repetition_index in iteration order, iterations = 1) plus
// mean/median/stddev/cv aggregates (Google Benchmark's formulas: stddev with n − 1, cv =
// stddev/mean, both 0 for one repetition). Values:
//   - time metrics (unit "s": latencies, CPU per request, start-up time): real_time = cpu_time
//     = the value, in ns/us/ms/s picked by the median's magnitude;
//   - rates ("req/s"): items_per_second = the value; real_time = cpu_time = 1/value (time per
//     request) so that "lower time is better" still holds for tools that read only times;
//   - everything else (bytes, %, counts): a counter named after the metric holds the value and
//     real_time = cpu_time = the value with time_unit "ns" (label "<metric> [<unit>], not a
//     time"), so trend tools that chart real_time chart the metric.
// The context carries "benchgate": {"mapping_version": 1, "families": {name: {app, role, cell,
// metric, unit, field, iterations, run_ids}}}, from which samples_from_gbench() recovers every
// sample bit-identically (time values are written so that convert_time() reads them back
// exactly: a time written in us is the decimal digits of the value in seconds with the
// exponent shifted by 6, and time_in() shifts it back on the text).

#include <cstddef>
#include <deque>
#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "results/model.h"

namespace benchgate::gate {

enum class TimeUnit { kNs, kUs, kMs, kS };

std::optional<TimeUnit> parse_time_unit(std::string_view text);
std::string_view time_unit_name(TimeUnit u);
/// Power of ten of one unit in seconds (ns → −9).
int time_unit_exponent(TimeUnit u);
/// Converts between time units by shifting the decimal exponent of the value's shortest
/// round-trip representation and rounding once (so 1.5 us → 1.5e-6 s exactly as if the file
/// had said 1.5e-6).
double convert_time(double value, TimeUnit from, TimeUnit to);
/// The same on a number's text: the decimal exponent is shifted and the result rounded once,
/// so "1.7123456789012345e+02" us reads as the double nearest 1.7123456789012345e-04 s.
double convert_time_text(std::string_view number, TimeUnit from, TimeUnit to);

/// One row of the "benchmarks" list. Strings view the file's text (or, when they had escapes,
/// the file's string arena): valid while the GbenchFile (or a copy of it) lives.
struct GbenchRow {
  std::string_view name;
  std::string_view run_name;
  bool aggregate = false;  ///< run_type "aggregate"
  std::string_view aggregate_name;
  std::string_view aggregate_unit;
  std::string_view label;
  int repetitions = 0;
  int repetition_index = -1;
  int threads = 1;
  int family_index = -1;
  int per_family_instance_index = -1;
  double iterations = std::numeric_limits<double>::quiet_NaN();
  /// NaN when absent or written as NaN / ±Infinity (missing values).
  double real_time = std::numeric_limits<double>::quiet_NaN();
  double cpu_time = std::numeric_limits<double>::quiet_NaN();
  bool has_times = false;  ///< real_time and cpu_time keys present
  /// Where the real_time / cpu_time numbers are in GbenchFile::text (for exact conversion).
  std::size_t real_pos = 0, real_len = 0, cpu_pos = 0, cpu_len = 0;
  TimeUnit time_unit = TimeUnit::kNs;
  bool error_occurred = false;
  std::string_view error_message;
  bool skipped = false;
  std::string_view skip_message;
  bool complexity = false;  ///< BigO / RMS row (big_o, rms or *_coefficient fields)
  /// User counters and memory fields, in file order (non-finite values kept as is).
  std::vector<std::pair<std::string_view, double>> counters;
  std::size_t offset = 0;  ///< byte offset of the row in the file
  int line = 0;            ///< line of the row (computed on demand by the reader: 0 if not)
};

struct GbenchFile {
  std::string origin;
  std::shared_ptr<const char> storage;  ///< owns `text` (a mapped file or a string)
  std::string_view text;                ///< the file's text (rows point into it)
  /// Strings that had escapes, decoded (rows point into it); shared by copies.
  std::shared_ptr<std::deque<std::string>> strings = std::make_shared<std::deque<std::string>>();
  nlohmann::json context = nlohmann::json::object();
  std::vector<GbenchRow> rows;
};

/// A row's real_time (real = true) or cpu_time in `unit`, converted from the number's text in
/// file.text (exact: the value the file's decimal number denotes, rounded once).
double time_in(const GbenchFile& file, const GbenchRow& row, bool real, TimeUnit unit);

/// A parsed JSON document that may be Google Benchmark output: its rows when it has a
/// "benchmarks" list, and every other top-level key as JSON (for benchgate files).
struct JsonDocument {
  bool has_benchmarks = false;
  GbenchFile gbench;
  nlohmann::json top = nlohmann::json::object();
};

/// Parses any JSON document (leniently: bare NaN/Infinity allowed) and reads a "benchmarks"
/// list as Google Benchmark rows. ConfigError on syntax or row format problems.
JsonDocument parse_document(std::string text, const std::string& origin);
/// The same on text kept alive by `storage` (e.g. a mapped file), without copying it.
JsonDocument parse_document(std::shared_ptr<const char> storage, std::string_view text,
                            const std::string& origin);

/// Parses Google Benchmark JSON; ConfigError when it is not (no "benchmarks" list).
GbenchFile parse_gbench(std::string text, const std::string& origin);
GbenchFile read_gbench(const std::filesystem::path& path);

/// The rows of one benchmark name, as the gate compares them.
struct GbenchBenchmark {
  std::string name;
  std::string label;
  TimeUnit time_unit = TimeUnit::kNs;
  std::vector<const GbenchRow*> iterations;  ///< measured repetitions (not errored/skipped)
  std::vector<const GbenchRow*> aggregates;  ///< mean, median, stddev, cv, user statistics
  std::vector<const GbenchRow*> errors;      ///< error_occurred rows
  std::vector<const GbenchRow*> skipped;     ///< skipped rows
  /// Value of an aggregate row ("median", "mean") for a field, if present.
  std::optional<double> aggregate_value(std::string_view aggregate, std::string_view field) const;
};

/// Groups rows by benchmark name in first-appearance order; BigO/RMS rows are dropped.
/// Aggregate rows are keyed by run_name (or their name without the "_<aggregate>" suffix).
std::vector<GbenchBenchmark> group_benchmarks(const GbenchFile& file);

/// Google Benchmark JSON text for benchgate results (mapping above).
std::string gbench_text(const results::ResultsFile& results);
/// Writes gbench_text() atomically.
void write_gbench(const results::ResultsFile& results, const std::filesystem::path& path);

/// Samples recovered from a file gbench_text() wrote (empty for other files).
std::vector<results::Sample> samples_from_gbench(const GbenchFile& file);

}  // namespace benchgate::gate
