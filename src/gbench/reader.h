#pragma once
// Google Benchmark JSON (docs/gbench-json.md): a fast, tolerant reader.
//
// Reader: old (2016-2019) and new (1.7-1.9) files; rows without run_type are iteration rows;
// bare NaN / Infinity / -Infinity become missing values; lowercase nan/inf and every syntax
// or format problem throw ConfigError "<file>:<line>[:<col>]: ..."; unknown fields are
// ignored; unknown numeric fields are counters; BigO/RMS rows are dropped when grouping.

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

#include "gbench/units.h"

namespace benchgate::gbench {

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

}  // namespace benchgate::gbench
