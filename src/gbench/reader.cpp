#include "gbench/reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "core/error.h"
#include "core/parse.h"
#include "gbench/json_scan.h"

namespace benchgate::gbench {

using detail::JsonScanner;
using nlohmann::json;

double time_in(const GbenchFile& file, const GbenchRow& row, bool real, TimeUnit unit) {
  const double v = real ? row.real_time : row.cpu_time;
  if (row.time_unit == unit || !std::isfinite(v) || v == 0) return v;
  const std::size_t pos = real ? row.real_pos : row.cpu_pos;
  const std::size_t len = real ? row.real_len : row.cpu_len;
  if (len == 0 || pos + len > file.text.size()) return convert_time(v, row.time_unit, unit);
  return convert_time_text(file.text.substr(pos, len), row.time_unit, unit);
}

// ---------------------------------------------------------------- reader

namespace {

bool number_like(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == 'N' || c == 'I' || c == 'i';
}

// A string value as a view that outlives the scanner: into the text when it had no escapes,
// else into the file's arena.
std::string_view stable(std::string_view s, std::string_view text, std::deque<std::string>& arena) {
  if (s.data() >= text.data() && s.data() + s.size() <= text.data() + text.size()) return s;
  return arena.emplace_back(s);
}

struct RowContext {
  std::string_view text;
  std::deque<std::string>& arena;
};

std::string_view string_field(JsonScanner& sc, std::string_view key, const RowContext& ctx) {
  if (sc.peek() != '"') sc.fail(fmt::format("\"{}\" must be a string", key));
  return stable(sc.string(), ctx.text, ctx.arena);
}

enum class Key {
  kName,
  kRealTime,
  kCpuTime,
  kTimeUnit,
  kRunName,
  kRunType,
  kIterations,
  kRepetitions,
  kRepetitionIndex,
  kThreads,
  kFamilyIndex,
  kInstanceIndex,
  kAggregateName,
  kAggregateUnit,
  kLabel,
  kErrorOccurred,
  kErrorMessage,
  kSkipped,
  kSkipMessage,
  kComplexity,
  kOther
};

// Row keys by length first: one string comparison per key on the hot path.
Key classify(std::string_view k) {
  switch (k.size()) {
    case 3:
      if (k == "rms") return Key::kComplexity;
      break;
    case 4:
      if (k == "name") return Key::kName;
      break;
    case 5:
      if (k == "label") return Key::kLabel;
      if (k == "big_o") return Key::kComplexity;
      break;
    case 7:
      if (k == "threads") return Key::kThreads;
      if (k == "skipped") return Key::kSkipped;
      break;
    case 8:
      if (k == "cpu_time") return Key::kCpuTime;
      if (k == "run_name") return Key::kRunName;
      if (k == "run_type") return Key::kRunType;
      break;
    case 9:
      if (k == "real_time") return Key::kRealTime;
      if (k == "time_unit") return Key::kTimeUnit;
      break;
    case 10:
      if (k == "iterations") return Key::kIterations;
      break;
    case 11:
      if (k == "repetitions") return Key::kRepetitions;
      break;
    case 12:
      if (k == "family_index") return Key::kFamilyIndex;
      if (k == "skip_message") return Key::kSkipMessage;
      break;
    case 13:
      if (k == "error_message") return Key::kErrorMessage;
      break;
    case 14:
      if (k == "aggregate_name") return Key::kAggregateName;
      if (k == "aggregate_unit") return Key::kAggregateUnit;
      if (k == "error_occurred") return Key::kErrorOccurred;
      break;
    case 15:
      if (k == "cpu_coefficient") return Key::kComplexity;
      break;
    case 16:
      if (k == "repetition_index") return Key::kRepetitionIndex;
      if (k == "real_coefficient") return Key::kComplexity;
      break;
    case 25:
      if (k == "per_family_instance_index") return Key::kInstanceIndex;
      break;
    default:
      break;
  }
  return Key::kOther;
}

// An integer field (repetitions, threads, indices). A value beyond int's range was undefined
// behaviour in the conversion (fuzz_gbench): now a format error naming the line.
int int_field(JsonScanner& sc) {
  const auto at = sc.offset();
  const double v = sc.number();
  if (!std::isfinite(v)) return 0;
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    sc.error_at(at, "expected an integer field of at most 2147483647");
  }
  return static_cast<int>(v);
}

// Over 100 lines on purpose: one pass over the row's keys, one branch per key kind; the
// function is the table of Google Benchmark's row fields, and splitting it would scatter it.
void parse_row(JsonScanner& sc, GbenchRow& row, const RowContext& ctx) {
  sc.peek();
  row.offset = sc.offset();
  sc.object_begin();
  std::string_view key;
  bool has_real = false, has_cpu = false;
  std::string_view unit_text;
  while (sc.next_key(key)) {
    switch (classify(key)) {
      case Key::kName:
        row.name = string_field(sc, key, ctx);
        break;
      case Key::kRealTime:
        row.real_time = sc.number(&row.real_pos, &row.real_len);
        has_real = true;
        break;
      case Key::kCpuTime:
        row.cpu_time = sc.number(&row.cpu_pos, &row.cpu_len);
        has_cpu = true;
        break;
      case Key::kTimeUnit:
        unit_text = string_field(sc, key, ctx);
        break;
      case Key::kRunName:
        row.run_name = string_field(sc, key, ctx);
        break;
      case Key::kRunType:
        row.aggregate = string_field(sc, key, ctx) == "aggregate";
        break;
      case Key::kIterations:
        row.iterations = sc.number();
        break;
      case Key::kRepetitions:
        row.repetitions = int_field(sc);
        break;
      case Key::kRepetitionIndex:
        row.repetition_index = int_field(sc);
        break;
      case Key::kThreads:
        row.threads = int_field(sc);
        break;
      case Key::kFamilyIndex:
        row.family_index = int_field(sc);
        break;
      case Key::kInstanceIndex:
        row.per_family_instance_index = int_field(sc);
        break;
      case Key::kAggregateName:
        row.aggregate_name = string_field(sc, key, ctx);
        break;
      case Key::kAggregateUnit:
        row.aggregate_unit = string_field(sc, key, ctx);
        break;
      case Key::kLabel:
        row.label = string_field(sc, key, ctx);
        break;
      case Key::kErrorOccurred:
        row.error_occurred = sc.boolean();
        break;
      case Key::kErrorMessage:
        row.error_message = string_field(sc, key, ctx);
        break;
      case Key::kSkipped:
        // Newer libraries write a bool; some write an enum as a number.
        if (sc.peek() == 't' || sc.peek() == 'f') {
          row.skipped = sc.boolean();
        } else {
          row.skipped = sc.number() != 0;
        }
        break;
      case Key::kSkipMessage:
        row.skip_message = string_field(sc, key, ctx);
        break;
      case Key::kComplexity:
        row.complexity = true;
        sc.skip();
        break;
      case Key::kOther:
        if (const char c = sc.peek(); number_like(c) || c == 'n') {
          // A counter. null reads as a missing value; lowercase nan/inf is rejected.
          const std::string_view name = stable(key, ctx.text, ctx.arena);
          row.counters.emplace_back(name, sc.number());
        } else {
          sc.skip();
        }
        break;
    }
  }
  if (row.name.empty()) sc.error_at(row.offset, "a benchmark row without a \"name\"");
  if (!unit_text.empty()) {
    const auto u = parse_time_unit(unit_text);
    if (!u) {
      sc.error_at(row.offset,
                  fmt::format("benchmark '{}': unknown time_unit '{}' (expected ns, us, "
                              "ms or s)",
                              row.name, unit_text));
    }
    row.time_unit = *u;
  }
  row.has_times = has_real && has_cpu;
  if (!row.aggregate && !row.complexity && !row.error_occurred && !row.skipped && !row.has_times) {
    sc.error_at(row.offset, fmt::format("benchmark '{}': an iteration row needs real_time and "
                                        "cpu_time",
                                        row.name));
  }
}

}  // namespace

JsonDocument parse_document(std::string text, const std::string& origin) {
  auto owned = detail::own_text(std::move(text));
  return parse_document(std::move(owned.storage), owned.text, origin);
}

namespace {

// Rows to reserve: at most the number of '{' (every row is an object; rows move on growth
// otherwise). memchr on a rare byte: a few ms for 13 MB, where searching for "\"name\"" (a
// memchr stop at every quote) took ~8 % of a whole diff.
std::size_t count_objects(std::string_view text) {
  std::size_t n = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const void* hit = std::memchr(p, '{', static_cast<std::size_t>(end - p));
    if (!hit) break;
    ++n;
    p = static_cast<const char*>(hit) + 1;
  }
  return n;
}

}  // namespace

JsonDocument parse_document(std::shared_ptr<const char> storage, std::string_view text,
                            const std::string& origin) {
  if (trim(text).empty()) throw ConfigError(fmt::format("{}: file is empty", origin));
  JsonDocument doc;
  doc.gbench.origin = origin;
  doc.gbench.storage = std::move(storage);
  doc.gbench.text = text;
  doc.gbench.rows.reserve(count_objects(text));
  detail::advise_huge_pages(doc.gbench.rows.data(), doc.gbench.rows.capacity() * sizeof(GbenchRow));
  JsonScanner sc(doc.gbench.text, origin);
  const RowContext ctx{doc.gbench.text, *doc.gbench.strings};
  const char first = sc.peek();
  if (first == '[') {
    throw ConfigError(fmt::format(
        "{}: the top level is a JSON list; expected an object (Google Benchmark JSON with "
        "\"context\" and \"benchmarks\", or a benchgate results or baseline file)",
        origin));
  }
  sc.object_begin();
  std::string_view key;
  while (sc.next_key(key)) {
    if (key == "benchmarks") {
      doc.has_benchmarks = true;
      if (sc.peek() != '[') sc.fail("\"benchmarks\" must be a list");
      sc.array_begin();
      while (sc.next_element()) {
        if (sc.peek() != '{') sc.fail("each entry of \"benchmarks\" must be an object");
        doc.gbench.rows.emplace_back();
        parse_row(sc, doc.gbench.rows.back(), ctx);
      }
    } else {
      std::string k(key);
      doc.top[k] = sc.value();
    }
  }
  sc.expect_end();
  if (doc.has_benchmarks) {
    if (auto it = doc.top.find("context"); it != doc.top.end()) {
      if (!it->is_object())
        throw ConfigError(fmt::format("{}: \"context\" must be an object", origin));
      doc.gbench.context = *it;
    }
  }
  return doc;
}

GbenchFile parse_gbench(std::string text, const std::string& origin) {
  JsonDocument doc = parse_document(std::move(text), origin);
  if (!doc.has_benchmarks) {
    throw ConfigError(fmt::format(
        "{}: not Google Benchmark JSON: the top-level object has no \"benchmarks\" list", origin));
  }
  return std::move(doc.gbench);
}

GbenchFile read_gbench(const std::filesystem::path& path) {
  auto mapped = detail::map_text(path);
  JsonDocument doc = parse_document(std::move(mapped.storage), mapped.text, path.string());
  if (!doc.has_benchmarks) {
    throw ConfigError(fmt::format(
        "{}: not Google Benchmark JSON: the top-level object has no \"benchmarks\" list",
        path.string()));
  }
  return std::move(doc.gbench);
}

// ---------------------------------------------------------------- grouping

std::optional<double> GbenchBenchmark::aggregate_value(std::string_view aggregate,
                                                       std::string_view field) const {
  for (const auto* row : aggregates) {
    if (row->aggregate_name != aggregate) continue;
    double v = std::numeric_limits<double>::quiet_NaN();
    if (field == "real_time") {
      v = row->real_time;
    } else if (field == "cpu_time") {
      v = row->cpu_time;
    } else {
      for (const auto& [k, x] : row->counters) {
        if (k == field) v = x;
      }
    }
    if (std::isfinite(v)) return v;
  }
  return std::nullopt;
}

std::vector<GbenchBenchmark> group_benchmarks(const GbenchFile& file) {
  std::vector<GbenchBenchmark> out;
  std::unordered_map<std::string_view, std::size_t> index;
  auto slot = [&](std::string_view name) -> GbenchBenchmark& {
    auto [it, inserted] = index.emplace(name, out.size());
    if (inserted) {
      out.emplace_back();
      out.back().name = std::string(name);
    }
    return out[it->second];
  };
  for (const auto& row : file.rows) {
    if (row.complexity || row.aggregate_name == "BigO" || row.aggregate_name == "RMS") continue;
    std::string_view key = row.name;
    if (row.aggregate) {
      if (!row.run_name.empty()) {
        key = row.run_name;
      } else if (!row.aggregate_name.empty()) {
        const std::string suffix = "_" + std::string(row.aggregate_name);
        if (key.size() > suffix.size() && key.substr(key.size() - suffix.size()) == suffix) {
          key.remove_suffix(suffix.size());
        }
      }
    }
    auto& b = slot(key);
    const bool first_row =
        b.iterations.empty() && b.aggregates.empty() && b.errors.empty() && b.skipped.empty();
    if (first_row) b.time_unit = row.time_unit;
    if (b.label.empty()) b.label = std::string(row.label);
    if (row.error_occurred) {
      b.errors.push_back(&row);
    } else if (row.skipped) {
      b.skipped.push_back(&row);
    } else if (row.aggregate) {
      b.aggregates.push_back(&row);
    } else {
      if (b.iterations.empty()) b.time_unit = row.time_unit;
      b.iterations.push_back(&row);
    }
  }
  return out;
}
}  // namespace benchgate::gbench
