#include "gate/gbench.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
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

double convert_time(double value, TimeUnit from, TimeUnit to) {
  if (from == to || !std::isfinite(value) || value == 0) return value;
  const int shift = time_unit_exponent(from) - time_unit_exponent(to);
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  const std::string_view text(buf, static_cast<std::size_t>(res.ptr - buf));
  const auto e = text.find('e');
  int exponent = 0;
  std::from_chars(text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0), text.data() + text.size(),
                  exponent);
  const std::string shifted = fmt::format("{}e{}", text.substr(0, e), exponent + shift);
  double out = 0;
  std::from_chars(shifted.data(), shifted.data() + shifted.size(), out);
  return out;
}

// ---------------------------------------------------------------- reader

namespace {

bool number_like(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == 'N' || c == 'I' || c == 'i';
}

std::string string_field(JsonScanner& sc, std::string_view key) {
  if (sc.peek() != '"') sc.fail(fmt::format("\"{}\" must be a string", key));
  return std::string(sc.string());
}

int int_field(JsonScanner& sc) {
  const double v = sc.number();
  return std::isfinite(v) ? static_cast<int>(v) : 0;
}

void parse_row(JsonScanner& sc, GbenchRow& row) {
  sc.peek();
  row.offset = sc.offset();
  sc.object_begin();
  std::string_view key;
  bool has_real = false, has_cpu = false;
  std::string unit_text;
  while (sc.next_key(key)) {
    if (key == "name") {
      row.name = string_field(sc, key);
    } else if (key == "real_time") {
      row.real_time = sc.number();
      has_real = true;
    } else if (key == "cpu_time") {
      row.cpu_time = sc.number();
      has_cpu = true;
    } else if (key == "time_unit") {
      unit_text = string_field(sc, key);
    } else if (key == "run_name") {
      row.run_name = string_field(sc, key);
    } else if (key == "run_type") {
      row.aggregate = string_field(sc, key) == "aggregate";
    } else if (key == "iterations") {
      row.iterations = sc.number();
    } else if (key == "repetitions") {
      row.repetitions = int_field(sc);
    } else if (key == "repetition_index") {
      row.repetition_index = int_field(sc);
    } else if (key == "threads") {
      row.threads = int_field(sc);
    } else if (key == "family_index") {
      row.family_index = int_field(sc);
    } else if (key == "per_family_instance_index") {
      row.per_family_instance_index = int_field(sc);
    } else if (key == "aggregate_name") {
      row.aggregate_name = string_field(sc, key);
    } else if (key == "aggregate_unit") {
      row.aggregate_unit = string_field(sc, key);
    } else if (key == "label") {
      row.label = string_field(sc, key);
    } else if (key == "error_occurred") {
      row.error_occurred = sc.boolean();
    } else if (key == "error_message") {
      row.error_message = string_field(sc, key);
    } else if (key == "skipped") {
      // Newer libraries write a bool; some write an enum as a number.
      if (sc.peek() == 't' || sc.peek() == 'f') {
        row.skipped = sc.boolean();
      } else {
        row.skipped = sc.number() != 0;
      }
    } else if (key == "skip_message") {
      row.skip_message = string_field(sc, key);
    } else if (key == "big_o" || key == "rms" || key == "cpu_coefficient" ||
               key == "real_coefficient") {
      row.complexity = true;
      sc.skip();
    } else if (const char c = sc.peek(); number_like(c) || c == 'n') {
      // A counter. null reads as a missing value; lowercase nan/inf is rejected by number().
      std::string name(key);
      const double v = sc.number();
      row.counters.emplace_back(std::move(name), v);
    } else {
      sc.skip();
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

JsonDocument parse_document(std::string_view text, const std::string& origin) {
  if (trim(text).empty()) throw ConfigError(fmt::format("{}: file is empty", origin));
  JsonDocument doc;
  doc.gbench.origin = origin;
  JsonScanner sc(text, origin);
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
        parse_row(sc, doc.gbench.rows.back());
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

GbenchFile parse_gbench(std::string_view text, const std::string& origin) {
  JsonDocument doc = parse_document(text, origin);
  if (!doc.has_benchmarks) {
    throw ConfigError(fmt::format(
        "{}: not Google Benchmark JSON: the top-level object has no \"benchmarks\" list", origin));
  }
  return std::move(doc.gbench);
}

GbenchFile read_gbench(const std::filesystem::path& path) {
  std::string text;
  try {
    text = platform::read_file(path);
  } catch (const std::exception& e) {
    throw ConfigError(fmt::format("{}: cannot read: {}", path.string(), e.what()));
  }
  return parse_gbench(text, path.string());
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
        const std::string suffix = "_" + row.aggregate_name;
        if (key.size() > suffix.size() && key.substr(key.size() - suffix.size()) == suffix) {
          key.remove_suffix(suffix.size());
        }
      }
    }
    auto& b = slot(key);
    const bool first_row =
        b.iterations.empty() && b.aggregates.empty() && b.errors.empty() && b.skipped.empty();
    if (first_row) b.time_unit = row.time_unit;
    if (b.label.empty()) b.label = row.label;
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
  return json(std::string(s)).dump();
}

// A value in `unit` that convert_time() reads back as exactly x seconds, if one exists.
std::optional<double> exact_in(double x, TimeUnit unit) {
  if (unit == TimeUnit::kS || !std::isfinite(x) || x == 0) return x;
  double v = convert_time(x, TimeUnit::kS, unit);
  if (convert_time(v, unit, TimeUnit::kS) == x) return v;
  double up = v, down = v;
  for (int i = 0; i < 8; ++i) {
    up = std::nextafter(up, HUGE_VAL);
    down = std::nextafter(down, -HUGE_VAL);
    if (convert_time(up, unit, TimeUnit::kS) == x) return up;
    if (convert_time(down, unit, TimeUnit::kS) == x) return down;
  }
  return std::nullopt;
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
  std::vector<double> real, cpu;  // per sample, in time_unit
  std::vector<std::pair<std::string, std::vector<double>>> counters;
};

// real_time/cpu_time/counters of a family, decided by its unit (see gbench.h).
void fill_values(Family& f) {
  std::vector<double> vals;
  for (const auto* s : f.samples)
    vals.push_back(s->value);
  if (f.unit == "s") {
    f.field = "real_time";
    f.time_unit = unit_for(stats::median(vals));
    std::vector<double> conv;
    for (double x : vals) {
      auto v = exact_in(x, f.time_unit);
      if (!v) break;
      conv.push_back(*v);
    }
    if (conv.size() != vals.size()) {
      f.time_unit = TimeUnit::kS;
      conv = vals;
    }
    f.real = conv;
    f.cpu = conv;
  } else if (f.unit.size() >= 2 && f.unit.substr(f.unit.size() - 2) == "/s") {
    f.field = "items_per_second";
    std::vector<double> inv;
    for (double x : vals)
      inv.push_back(x > 0 ? 1 / x : 0);
    f.time_unit = unit_for(stats::median(inv));
    for (double& t : inv)
      t = convert_time(t, TimeUnit::kS, f.time_unit);
    f.real = inv;
    f.cpu = inv;
    f.counters.emplace_back("items_per_second", vals);
  } else {
    f.field = f.metric;
    f.time_unit = TimeUnit::kNs;
    f.real = vals;
    f.cpu = vals;
    f.counters.emplace_back(f.metric, vals);
  }
}

void write_row(std::string& out, const Family& f, int family_index, const std::string& name,
               std::string_view run_type, std::string_view aggregate, std::size_t index,
               double real, double cpu, const std::vector<double>& counter_values,
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
  out += fmt::format("      \"real_time\": {},\n", num(real));
  out += fmt::format("      \"cpu_time\": {},\n", num(cpu));
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

json context_for(const results::ResultsFile& r) {
  json ctx = json::object();
  const json& m = r.machine;
  auto copy = [&](const char* key, json def) {
    auto it = m.find(key);
    ctx[key] = it != m.end() && !it->is_null() ? *it : std::move(def);
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

  json ctx = context_for(results);
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
  ctx["benchgate"] = {{"mapping_version", 1},
                      {"tool_version", results.tool_version},
                      {"suite", results.name},
                      {"families", fam}};

  std::string out = "{\n  \"context\": ";
  out += replace_all(ctx.dump(2), "\n", "\n  ");
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
      write_row(out, *f, family_index, f->name, "iteration", "", i, f->real[i], f->cpu[i], cv,
                label);
    }
    if (n >= 2) {
      for (std::string_view agg : {"mean", "median", "stddev", "cv"}) {
        std::vector<double> cv;
        for (const auto& [k, vals] : f->counters)
          cv.push_back(aggregate_of(agg, vals));
        out += ",\n";
        write_row(out, *f, family_index, f->name + "_" + std::string(agg), "aggregate", agg, 0,
                  aggregate_of(agg, f->real), aggregate_of(agg, f->cpu), cv, label);
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
      auto it = fams.find(row.name);
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
        s.value = convert_time(row.real_time, row.time_unit, TimeUnit::kS);
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
