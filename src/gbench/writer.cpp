#include "gbench/writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "results/metrics.h"
#include "stats/descriptive.h"

namespace benchgate::gbench {

using detail::shift_decimal;
using detail::shortest;
using nlohmann::json;

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

// Every family (app × cell × metric) with its samples, named and filled, in output order:
// apps and cells in first-sample order, known metrics in registry order, then the others.
// `samples` must outlive the result (families point into it).
struct FamilySet {
  std::map<std::tuple<std::string, std::string, std::string>, Family> families;
  std::vector<Family*> order;
};

FamilySet collect_families(const results::ResultsFile& results,
                           const std::vector<results::Sample>& samples) {
  FamilySet set;
  // cell → scenario, to name families "<app>/<scenario>/c:64/<metric>".
  std::map<std::string, std::string> scenario_of;
  for (const auto& run : results.runs) {
    scenario_of.emplace(run.scenario, run.scenario);
    for (const auto& p : run.periods)
      scenario_of.emplace(results::cell_key(run.scenario, p.point), run.scenario);
  }
  std::vector<std::string> apps, cells;
  auto& families = set.families;
  auto& order = set.order;
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

  return set;
}

// The "context" object: the machine context pretty-printed like Google Benchmark's, plus the
// benchgate mapping, one family a line.
std::string context_text(const results::ResultsFile& results, const std::vector<Family*>& order) {
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
  std::string out;
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
  return out;
}

// The "benchmarks" rows: each family's iteration rows, then its aggregates (2+ samples).
std::string benchmark_rows(const std::vector<Family*>& order) {
  std::string out;
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
  return out;
}

}  // namespace

std::string gbench_text(const results::ResultsFile& results) {
  const auto samples = results::collect_samples(results);
  const FamilySet set = collect_families(results, samples);
  return "{\n  \"context\": " + context_text(results, set.order) + ",\n  \"benchmarks\": [\n" +
         benchmark_rows(set.order) + "\n  ]\n}\n";
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

}  // namespace benchgate::gbench
