#include "gate/gbench.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "core/error.h"
#include "core/parse.h"
#include "gate/json_scan.h"
#include "platform/fs.h"
#include "results/metrics.h"
#include "stats/descriptive.h"

namespace benchgate::gate {

using detail::JsonScanner;
using nlohmann::json;

// ---------------------------------------------------------------- units

std::optional<TimeUnit> parse_time_unit(std::string_view text) {
  if (text == "ns") return TimeUnit::kNs;
  if (text == "us") return TimeUnit::kUs;
  if (text == "ms") return TimeUnit::kMs;
  if (text == "s") return TimeUnit::kS;
  return std::nullopt;
}

std::string_view time_unit_name(TimeUnit u) {
  switch (u) {
    case TimeUnit::kNs:
      return "ns";
    case TimeUnit::kUs:
      return "us";
    case TimeUnit::kMs:
      return "ms";
    case TimeUnit::kS:
      return "s";
  }
  return "?";
}

int time_unit_exponent(TimeUnit u) {
  switch (u) {
    case TimeUnit::kNs:
      return -9;
    case TimeUnit::kUs:
      return -6;
    case TimeUnit::kMs:
      return -3;
    case TimeUnit::kS:
      return 0;
  }
  return 0;
}

namespace {

// "<mantissa>e<exponent + shift>" for a JSON number's text.
std::string shift_decimal(std::string_view number, int shift) {
  const auto e = number.find_first_of("eE");
  int exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view ex = number.substr(e + 1);
    if (!ex.empty() && ex.front() == '+') ex.remove_prefix(1);
    std::from_chars(ex.data(), ex.data() + ex.size(), exponent);
  }
  return fmt::format("{}e{}", number.substr(0, e), exponent + shift);
}

double parse_decimal(const std::string& s) {
  double out = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec == std::errc::result_out_of_range) return s.front() == '-' ? -HUGE_VAL : HUGE_VAL;
  return out;
}

// Shortest round-trip text of a finite double, scientific ("1.5e-06").
std::string shortest(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  return std::string(buf, res.ptr);
}

}  // namespace

double convert_time(double value, TimeUnit from, TimeUnit to) {
  if (from == to || !std::isfinite(value) || value == 0) return value;
  return convert_time_text(shortest(value), from, to);
}

double convert_time_text(std::string_view number, TimeUnit from, TimeUnit to) {
  const int shift = time_unit_exponent(from) - time_unit_exponent(to);
  if (shift == 0) return parse_decimal(std::string(number));
  return parse_decimal(shift_decimal(number, shift));
}

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
  kName, kRealTime, kCpuTime, kTimeUnit, kRunName, kRunType, kIterations, kRepetitions,
  kRepetitionIndex, kThreads, kFamilyIndex, kInstanceIndex, kAggregateName, kAggregateUnit,
  kLabel, kErrorOccurred, kErrorMessage, kSkipped, kSkipMessage, kComplexity, kOther
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
    default: break;
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

void parse_row(JsonScanner& sc, GbenchRow& row, const RowContext& ctx) {
  sc.peek();
  row.offset = sc.offset();
  sc.object_begin();
  std::string_view key;
  bool has_real = false, has_cpu = false;
  std::string_view unit_text;
  while (sc.next_key(key)) {
    switch (classify(key)) {
      case Key::kName: row.name = string_field(sc, key, ctx); break;
      case Key::kRealTime:
        row.real_time = sc.number(&row.real_pos, &row.real_len);
        has_real = true;
        break;
      case Key::kCpuTime:
        row.cpu_time = sc.number(&row.cpu_pos, &row.cpu_len);
        has_cpu = true;
        break;
      case Key::kTimeUnit: unit_text = string_field(sc, key, ctx); break;
      case Key::kRunName: row.run_name = string_field(sc, key, ctx); break;
      case Key::kRunType: row.aggregate = string_field(sc, key, ctx) == "aggregate"; break;
      case Key::kIterations: row.iterations = sc.number(); break;
      case Key::kRepetitions: row.repetitions = int_field(sc); break;
      case Key::kRepetitionIndex: row.repetition_index = int_field(sc); break;
      case Key::kThreads: row.threads = int_field(sc); break;
      case Key::kFamilyIndex: row.family_index = int_field(sc); break;
      case Key::kInstanceIndex: row.per_family_instance_index = int_field(sc); break;
      case Key::kAggregateName: row.aggregate_name = string_field(sc, key, ctx); break;
      case Key::kAggregateUnit: row.aggregate_unit = string_field(sc, key, ctx); break;
      case Key::kLabel: row.label = string_field(sc, key, ctx); break;
      case Key::kErrorOccurred: row.error_occurred = sc.boolean(); break;
      case Key::kErrorMessage: row.error_message = string_field(sc, key, ctx); break;
      case Key::kSkipped:
        // Newer libraries write a bool; some write an enum as a number.
        if (sc.peek() == 't' || sc.peek() == 'f') {
          row.skipped = sc.boolean();
        } else {
          row.skipped = sc.number() != 0;
        }
        break;
      case Key::kSkipMessage: row.skip_message = string_field(sc, key, ctx); break;
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

// ---------------------------------------------------------------- writer

namespace {

std::string num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", v);
}

std::string str(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// A time in seconds written in `unit`: the shortest decimal digits of the value with the
// exponent shifted, so that time_in() reads back exactly the same double.
std::string time_text(double seconds, TimeUnit unit) {
  if (!std::isfinite(seconds)) return num(seconds);
  if (seconds == 0 || unit == TimeUnit::kS) return num(seconds);
  return shift_decimal(shortest(seconds), -time_unit_exponent(unit));
}

TimeUnit unit_for(double seconds) {
  const double a = std::fabs(seconds);
  if (a >= 1) return TimeUnit::kS;
  if (a >= 1e-3) return TimeUnit::kMs;
  if (a >= 1e-6) return TimeUnit::kUs;
  return TimeUnit::kNs;
}

std::string metric_unit(const std::string& metric) {
  if (auto m = results::find_metric(metric)) return std::string(m->unit);
  if (metric.rfind("latency", 0) == 0) return "s";
  return "";
}

std::string name_part(std::string s) {
  std::replace(s.begin(), s.end(), ' ', '_');
  return s;
}

struct Family {
  std::string name, app, role, cell, metric, unit, field;
  std::vector<const results::Sample*> samples;  // sorted by iteration
  TimeUnit time_unit = TimeUnit::kNs;
  std::vector<std::string> time_texts;  // per sample: real_time = cpu_time, as written
  std::vector<double> times;            // the same in time_unit (for the aggregates)
  std::vector<std::pair<std::string, std::vector<double>>> counters;
};

// real_time/cpu_time/counters of a family, decided by its unit (see gbench.h).
void fill_values(Family& f) {
  std::vector<double> vals;
  for (const auto* s : f.samples)
    vals.push_back(s->value);
  std::vector<double> seconds = vals;
  if (f.unit == "s") {
    f.field = "real_time";
  } else if (f.unit.size() >= 2 && f.unit.substr(f.unit.size() - 2) == "/s") {
    f.field = "items_per_second";
    for (double& x : seconds)
      x = x > 0 ? 1 / x : 0;  // time per request
    f.counters.emplace_back("items_per_second", vals);
  } else {
    f.field = f.metric;
    f.counters.emplace_back(f.metric, vals);
  }
  if (f.field == f.metric) {
    f.time_unit = TimeUnit::kNs;  // the value itself, not a time
    for (double x : vals)
      f.time_texts.push_back(num(x));
    f.times = vals;
    return;
  }
  f.time_unit = unit_for(stats::median(seconds));
  for (double x : seconds) {
    f.time_texts.push_back(time_text(x, f.time_unit));
    f.times.push_back(convert_time(x, TimeUnit::kS, f.time_unit));
  }
}

void write_row(std::string& out, const Family& f, int family_index, const std::string& name,
               std::string_view run_type, std::string_view aggregate, std::size_t index,
               const std::string& time, const std::vector<double>& counter_values,
               std::string_view label) {
  const std::size_t n = f.samples.size();
  out += "    {\n";
  out += fmt::format("      \"name\": {},\n", str(name));
  out += fmt::format("      \"family_index\": {},\n", family_index);
  out += "      \"per_family_instance_index\": 0,\n";
  out += fmt::format("      \"run_name\": {},\n", str(f.name));
  out += fmt::format("      \"run_type\": \"{}\",\n", run_type);
  out += fmt::format("      \"repetitions\": {},\n", n);
  if (aggregate.empty()) {
    out += fmt::format("      \"repetition_index\": {},\n", index);
    out += "      \"threads\": 1,\n";
    out += "      \"iterations\": 1,\n";
  } else {
    out += "      \"threads\": 1,\n";
    out += fmt::format("      \"aggregate_name\": \"{}\",\n", aggregate);
    out += fmt::format("      \"aggregate_unit\": \"{}\",\n",
                       aggregate == "cv" ? "percentage" : "time");
    out += fmt::format("      \"iterations\": {},\n", n);
  }
  out += fmt::format("      \"real_time\": {},\n", time);
  out += fmt::format("      \"cpu_time\": {},\n", time);
  out += fmt::format("      \"time_unit\": \"{}\"", time_unit_name(f.time_unit));
  for (std::size_t c = 0; c < f.counters.size(); ++c) {
    out += fmt::format(",\n      {}: {}", str(f.counters[c].first), num(counter_values[c]));
  }
  if (!label.empty()) out += fmt::format(",\n      \"label\": {}", str(label));
  out += "\n    }";
}

double aggregate_of(std::string_view which, const std::vector<double>& v) {
  if (which == "mean") return stats::mean(v);
  if (which == "median") return stats::median(v);
  if (which == "stddev") return v.size() < 2 ? 0 : stats::stddev(v);
  const double m = stats::mean(v);
  return v.size() < 2 || m == 0 ? 0 : stats::stddev(v) / m;  // cv
}

nlohmann::ordered_json context_for(const results::ResultsFile& r) {
  nlohmann::ordered_json ctx = nlohmann::ordered_json::object();
  const json& m = r.machine;
  auto copy = [&](const char* key, nlohmann::ordered_json def) {
    auto it = m.find(key);
    if (it != m.end() && !it->is_null()) {
      ctx[key] = nlohmann::ordered_json::parse(it->dump());
    } else {
      ctx[key] = std::move(def);
    }
  };
  copy("date", r.started_at);
  copy("host_name", "");
  copy("executable", "benchgate");
  copy("num_cpus", r.testbed.num_cpus);
  copy("mhz_per_cpu", 0);
  copy("cpu_scaling_enabled", false);
  copy("caches", json::array());
  copy("load_avg", json::array());
  copy("library_build_type", r.testbed.build_type.empty() ? "release" : r.testbed.build_type);
  return ctx;
}

}  // namespace

std::string gbench_text(const results::ResultsFile& results) {
  const auto samples = results::collect_samples(results);
  // cell → scenario, to name families "<app>/<scenario>/c:64/<metric>".
  std::map<std::string, std::string> scenario_of;
  for (const auto& run : results.runs) {
    scenario_of.emplace(run.scenario, run.scenario);
    for (const auto& p : run.periods)
      scenario_of.emplace(results::cell_key(run.scenario, p.point), run.scenario);
  }
  std::vector<std::string> apps, cells;
  std::map<std::tuple<std::string, std::string, std::string>, Family> families;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> metrics;
  for (const auto& s : samples) {
    if (std::find(apps.begin(), apps.end(), s.app) == apps.end()) apps.push_back(s.app);
    if (std::find(cells.begin(), cells.end(), s.cell) == cells.end()) cells.push_back(s.cell);
    auto& f = families[{s.app, s.cell, s.metric}];
    if (f.samples.empty()) {
      f.app = s.app;
      f.role = s.role;
      f.cell = s.cell;
      f.metric = s.metric;
      f.unit = metric_unit(s.metric);
    }
    f.samples.push_back(&s);
    metrics[{s.app, s.cell}].insert(s.metric);
  }

  std::vector<Family*> order;
  std::set<std::string> used;
  for (const auto& app : apps) {
    for (const auto& cell : cells) {
      auto it = metrics.find({app, cell});
      if (it == metrics.end()) continue;
      std::vector<std::string> names;
      for (const auto& m : results::known_metrics()) {
        if (it->second.count(std::string(m.name))) names.emplace_back(m.name);
      }
      for (const auto& n : it->second) {
        if (!results::find_metric(n)) names.push_back(n);
      }
      for (const auto& metric : names) {
        Family& f = families.at({app, cell, metric});
        const auto sc = scenario_of.find(cell);
        const std::string scenario = sc != scenario_of.end() ? sc->second : cell;
        std::string name = name_part(app) + "/" + name_part(scenario);
        if (cell.size() > scenario.size() && cell.compare(0, scenario.size(), scenario) == 0) {
          for (auto part : split_whitespace(cell.substr(scenario.size()))) {
            std::replace(part.begin(), part.end(), '=', ':');
            name += "/" + part;
          }
        }
        name += "/" + name_part(metric);
        std::string unique = name;
        for (int k = 2; used.count(unique); ++k)
          unique = fmt::format("{}#{}", name, k);
        used.insert(unique);
        f.name = unique;
        std::stable_sort(f.samples.begin(), f.samples.end(),
                         [](const auto* a, const auto* b) { return a->iteration < b->iteration; });
        fill_values(f);
        order.push_back(&f);
      }
    }
  }

  const auto ctx = context_for(results);
  json fam = json::object();
  for (const auto* f : order) {
    json iters = json::array(), ids = json::array();
    for (const auto* s : f->samples) {
      iters.push_back(s->iteration);
      ids.push_back(s->run_id);
    }
    fam[f->name] = {{"app", f->app},       {"role", f->role}, {"cell", f->cell},
                    {"metric", f->metric}, {"unit", f->unit}, {"field", f->field},
                    {"iterations", iters}, {"run_ids", ids}};
  }
  // The machine context pretty-printed like Google Benchmark's; the mapping one family a line.
  std::string out = "{\n  \"context\": ";
  std::string head = replace_all(
      ctx.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace), "\n", "\n  ");
  head.erase(head.rfind('}'));
  while (!head.empty() && (head.back() == ' ' || head.back() == '\n'))
    head.pop_back();
  out += head + ",\n    \"benchgate\": {\"mapping_version\": 1, \"tool_version\": " +
         str(results.tool_version) + ", \"suite\": " + str(results.name) + ", \"families\": {";
  bool first_family = true;
  for (const auto& [k, v] : fam.items()) {
    out += first_family ? "\n" : ",\n";
    first_family = false;
    out += "      " + str(k) + ": " + v.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  out += "\n    }}\n  }";
  out += ",\n  \"benchmarks\": [\n";
  bool first = true;
  int family_index = 0;
  for (const auto* f : order) {
    const std::string label =
        f->field == f->metric
            ? fmt::format("{} [{}], not a time", f->metric, f->unit.empty() ? "value" : f->unit)
            : "";
    const std::size_t n = f->samples.size();
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<double> cv;
      for (const auto& [k, vals] : f->counters)
        cv.push_back(vals[i]);
      if (!first) out += ",\n";
      first = false;
      write_row(out, *f, family_index, f->name, "iteration", "", i, f->time_texts[i], cv, label);
    }
    if (n >= 2) {
      for (std::string_view agg : {"mean", "median", "stddev", "cv"}) {
        std::vector<double> cv;
        for (const auto& [k, vals] : f->counters)
          cv.push_back(aggregate_of(agg, vals));
        out += ",\n";
        write_row(out, *f, family_index, f->name + "_" + std::string(agg), "aggregate", agg, 0,
                  num(aggregate_of(agg, f->times)), cv, label);
      }
    }
    ++family_index;
  }
  out += "\n  ]\n}\n";
  return out;
}

void write_gbench(const results::ResultsFile& results, const std::filesystem::path& path) {
  platform::write_file_atomic(path, gbench_text(results));
}

std::vector<results::Sample> samples_from_gbench(const GbenchFile& file) {
  std::vector<results::Sample> out;
  const auto bg = file.context.find("benchgate");
  if (bg == file.context.end() || !bg->is_object() || !bg->contains("families")) return out;
  const json& fams = (*bg)["families"];
  try {
    for (const auto& row : file.rows) {
      if (row.aggregate || row.error_occurred) continue;
      auto it = fams.find(std::string(row.name));
      if (it == fams.end()) continue;
      const json& f = *it;
      const auto idx = static_cast<std::size_t>(row.repetition_index);
      results::Sample s;
      s.app = f.at("app").get<std::string>();
      s.role = f.value("role", "");
      s.cell = f.at("cell").get<std::string>();
      s.metric = f.at("metric").get<std::string>();
      s.iteration = f.at("iterations").at(idx).get<int>();
      s.run_id = f.at("run_ids").at(idx).get<std::string>();
      const std::string field = f.at("field").get<std::string>();
      if (field == "real_time") {
        s.value = time_in(file, row, true, TimeUnit::kS);
      } else {
        s.value = std::numeric_limits<double>::quiet_NaN();
        for (const auto& [k, v] : row.counters) {
          if (k == field) s.value = v;
        }
      }
      out.push_back(std::move(s));
    }
  } catch (const json::exception& e) {
    throw ConfigError(fmt::format("{}: context.benchgate mapping is inconsistent with the rows: {}",
                                  file.origin, e.what()));
  }
  return out;
}

}  // namespace benchgate::gate
