#include "gate/baseline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "gate/gate.h"
#include "gate/index.h"
#include "platform/fs.h"
#include "platform/sysinfo.h"
#include "results/json.h"
#include "results/metrics.h"

namespace benchgate::gate {

using nlohmann::json;

namespace {

template <class T>
void get_to(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) it->get_to(out);
}

std::string unit_of(const std::string& metric) {
  if (auto m = results::find_metric(metric)) return std::string(m->unit);
  if (metric.rfind("latency", 0) == 0) return "s";
  return "";
}

std::string describe(const results::Testbed& t) {
  if (t.fingerprint.empty()) return "unknown testbed";
  if (!t.basis.empty()) return fmt::format("{} [{}]", t.basis, t.fingerprint);
  return fmt::format("{}, {} CPUs, kernel {}, {} build [{}]",
                     t.cpu_model.empty() ? "unknown CPU" : t.cpu_model, t.num_cpus,
                     t.kernel_major.empty() ? "?" : t.kernel_major,
                     t.build_type.empty() ? "?" : t.build_type, t.fingerprint);
}

}  // namespace

Baseline make_baseline(const results::ResultsFile& r, bool require_complete, bool allow_partial) {
  if (require_complete) {
    if (r.status != "complete" && !allow_partial) {
      throw RunError(fmt::format(
          "results of '{}' are {}, not complete: a baseline is only made from a complete run "
          "(the baseline was not changed)",
          r.name, r.status));
    }
    for (const auto& run : r.runs) {
      if (run.status != "ok") {
        throw RunError(fmt::format(
            "run {} ({} {}, iteration {}) {}: {}; a baseline is only made from a successful run "
            "(the baseline was not changed)",
            run.id, run.app, run.scenario, run.iteration, run.status,
            run.failure.empty() ? "no reason recorded" : run.failure));
      }
      for (const auto& p : run.periods) {
        if (p.status == "failed" || p.status == "interrupted") {
          throw RunError(fmt::format(
              "run {} ({} {}, iteration {}) {} at {}: {}; a baseline is only made from a "
              "successful run (the baseline was not changed)",
              run.id, run.app, run.scenario, run.iteration, p.status, p.point.key(),
              p.reason.empty() ? "no reason recorded" : p.reason));
        }
      }
    }
  }
  Baseline b;
  b.tool_version = r.tool_version;
  b.created_at = platform::iso8601_now();
  b.name = r.name;
  b.command = r.command;
  b.started_at = r.started_at;
  b.finished_at = r.finished_at;
  b.testbed = r.testbed;
  b.machine = r.machine.is_object() ? r.machine : json::object();
  b.provenance = r.provenance.is_object() ? r.provenance : json::object();

  const auto ix = detail::build_index(r);
  std::map<std::tuple<std::string, std::string, std::string>, std::map<int, std::string>> ids;
  std::map<std::string, std::string> role_of;
  for (const auto& s : results::collect_samples(r)) {
    ids[{s.app, s.cell, s.metric}][s.iteration] = s.run_id;
    role_of[s.app] = s.role;
  }
  for (const auto& app : ix.apps) {
    for (const auto& cell : ix.cells) {
      auto m = ix.metrics.find({app, cell});
      if (m == ix.metrics.end()) continue;
      for (const auto& metric : detail::ordered_metrics(m->second)) {
        const auto& vals = ix.values.at({app, cell, metric});
        BaselineSeries s;
        s.app = app;
        s.role = role_of[app];
        s.scenario = ix.cell_scenario.at(cell);
        s.cell = cell;
        s.metric = metric;
        s.unit = unit_of(metric);
        const auto& id = ids[{app, cell, metric}];
        for (const auto& [it, v] : vals) {
          s.iterations.push_back(it);
          s.values.push_back(v);
          auto i = id.find(it);
          s.run_ids.push_back(i == id.end() ? "" : i->second);
        }
        b.series.push_back(std::move(s));
      }
    }
  }
  return b;
}

HistoryEntry history_entry(const Baseline& b) {
  HistoryEntry e;
  e.created_at = b.created_at;
  e.commit = provenance_commit(b.provenance);
  e.tool_version = b.tool_version;
  for (const auto& s : b.series) {
    std::vector<double> v = s.values;
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    e.values.push_back({s.app, s.cell, s.metric, n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2});
  }
  return e;
}

json to_json(const Baseline& b) {
  json series = json::array();
  for (const auto& s : b.series) {
    series.push_back({{"app", s.app},
                      {"role", s.role},
                      {"scenario", s.scenario},
                      {"cell", s.cell},
                      {"metric", s.metric},
                      {"unit", s.unit},
                      {"iterations", s.iterations},
                      {"values", s.values},
                      {"run_ids", s.run_ids}});
  }
  json out{{"kind", "benchgate.baseline"},
           {"schema_version", 1},
           {"tool", {{"name", "benchgate"}, {"version", b.tool_version}}},
           {"created_at", b.created_at},
           {"source",
            {{"name", b.name},
             {"command", b.command},
             {"started_at", b.started_at},
             {"finished_at", b.finished_at},
             {"path", b.source_path}}},
           {"testbed",
            {{"cpu_model", b.testbed.cpu_model},
             {"num_cpus", b.testbed.num_cpus},
             {"kernel", b.testbed.kernel},
             {"kernel_major", b.testbed.kernel_major},
             {"build_type", b.testbed.build_type},
             {"fingerprint", b.testbed.fingerprint}}},
           {"machine", b.machine},
           {"provenance", b.provenance},
           {"series", std::move(series)}};
  if (!b.testbed.basis.empty()) out["testbed"]["basis"] = b.testbed.basis;
  if (!b.history.empty()) out["history"] = history_to_json(b.history);
  return out;
}

Baseline baseline_from_json(const json& j, const std::string& origin) {
  results::validate_against_schema(j, "baseline", origin);
  Baseline b;
  try {
    if (auto it = j.find("tool"); it != j.end()) get_to(*it, "version", b.tool_version);
    get_to(j, "created_at", b.created_at);
    if (auto it = j.find("source"); it != j.end()) {
      get_to(*it, "name", b.name);
      get_to(*it, "command", b.command);
      get_to(*it, "started_at", b.started_at);
      get_to(*it, "finished_at", b.finished_at);
      get_to(*it, "path", b.source_path);
    }
    const json& t = j.at("testbed");
    get_to(t, "cpu_model", b.testbed.cpu_model);
    get_to(t, "num_cpus", b.testbed.num_cpus);
    get_to(t, "kernel", b.testbed.kernel);
    get_to(t, "kernel_major", b.testbed.kernel_major);
    get_to(t, "build_type", b.testbed.build_type);
    get_to(t, "fingerprint", b.testbed.fingerprint);
    get_to(t, "basis", b.testbed.basis);
    if (auto it = j.find("machine"); it != j.end()) b.machine = *it;
    if (auto it = j.find("provenance"); it != j.end()) b.provenance = *it;
    for (const auto& e : j.at("series")) {
      BaselineSeries s;
      get_to(e, "app", s.app);
      get_to(e, "role", s.role);
      get_to(e, "scenario", s.scenario);
      get_to(e, "cell", s.cell);
      get_to(e, "metric", s.metric);
      get_to(e, "unit", s.unit);
      get_to(e, "iterations", s.iterations);
      get_to(e, "values", s.values);
      get_to(e, "run_ids", s.run_ids);
      if (s.iterations.size() != s.values.size()) {
        throw ConfigError(fmt::format("{}: series {} / {} / {}: {} iterations but {} values",
                                      origin, s.app, s.cell, s.metric, s.iterations.size(),
                                      s.values.size()));
      }
      if (s.scenario.empty()) s.scenario = s.cell;
      b.series.push_back(std::move(s));
    }
    if (auto it = j.find("history"); it != j.end()) b.history = history_from_json(*it, origin);
  } catch (const json::exception& e) {
    throw ConfigError(fmt::format("{}: not a valid benchgate baseline: {}", origin, e.what()));
  }
  return b;
}

Baseline read_baseline(const std::filesystem::path& path) {
  const json j = results::read_json_file(path);
  const std::string origin = path.string();
  const auto kind = j.is_object() && j.contains("kind") && j["kind"].is_string()
                        ? j["kind"].get<std::string>()
                        : std::string();
  if (kind == "benchgate.results") {
    Baseline b = make_baseline(results::results_from_json(j, origin), false);
    b.source_path = origin;
    return b;
  }
  if (kind != "benchgate.baseline") {
    throw ConfigError(fmt::format(
        "{}: not a benchgate baseline (\"kind\" is {}; expected \"benchgate.baseline\" or a "
        "benchgate results file)",
        origin, kind.empty() ? "missing" : "\"" + kind + "\""));
  }
  return baseline_from_json(j, origin);
}

void write_baseline(const Baseline& b, const std::filesystem::path& path) {
  platform::write_file_atomic(path, to_json(b).dump(2) + "\n");
}

Baseline update_baseline(const results::ResultsFile& results, const std::filesystem::path& path,
                         const std::string& source_path, bool allow_partial,
                         std::size_t history_limit) {
  results::require_complete(results, source_path.empty() ? "results" : source_path, allow_partial);
  Baseline b = make_baseline(results, true, allow_partial);
  if (b.series.empty()) {
    throw RunError(fmt::format(
        "results of '{}' hold no measured values: nothing to store (the baseline was not changed)",
        results.name));
  }
  b.source_path = source_path;
  std::error_code ec;
  if (history_limit > 0 && std::filesystem::exists(path, ec)) {
    Baseline previous;
    try {
      previous = read_baseline(path);
    } catch (const Error& e) {
      throw ConfigError(fmt::format(
          "{} (the baseline to replace; its history would be lost: move the file away, or pass "
          "--history 0 to write a baseline without history; the baseline was not changed)",
          e.what()));
    }
    b.history = std::move(previous.history);
    append_bounded(b.history, history_entry(previous), history_limit);
  }
  write_baseline(b, path);
  return b;
}

GateResult run_against_baseline(const results::ResultsFile& current, const Baseline& baseline,
                                const results::GateSettings& settings,
                                const std::string& baseline_source) {
  UnpairedOptions opt;
  opt.alpha_scale = look_alpha_scale(settings);
  return run_against_baseline(current, baseline, settings, baseline_source, opt);
}

// Over 100 lines on purpose: index the baseline, map app labels, check the fingerprint, then
// test every (app, cell, metric); the steps share the same four indexes, and passing them
// between functions would say less than reading them in order.
GateResult run_against_baseline(const results::ResultsFile& current, const Baseline& baseline,
                                const results::GateSettings& settings,
                                const std::string& baseline_source,
                                const UnpairedOptions& options) {
  const auto ix = detail::build_index(current);
  // Baseline series by (app, cell, metric); cells and apps in baseline order.
  std::map<std::tuple<std::string, std::string, std::string>, const BaselineSeries*> base;
  std::vector<std::string> base_apps, base_cells;
  std::map<std::string, std::string> base_scenario;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> base_metrics;
  for (const auto& s : baseline.series) {
    base[{s.app, s.cell, s.metric}] = &s;
    if (std::find(base_apps.begin(), base_apps.end(), s.app) == base_apps.end())
      base_apps.push_back(s.app);
    if (base_scenario.emplace(s.cell, s.scenario).second) base_cells.push_back(s.cell);
    base_metrics[{s.app, s.cell}].insert(s.metric);
  }

  std::vector<std::string> notes;
  // App label mapping: current label → baseline label.
  std::map<std::string, std::string> base_label;
  for (const auto& a : ix.apps)
    base_label[a] = a;
  std::vector<std::string> apps = ix.apps;
  if (options.match_single_app && ix.apps.size() == 1 && base_apps.size() == 1 &&
      ix.apps[0] != base_apps[0]) {
    base_label[ix.apps[0]] = base_apps[0];
    notes.push_back(
        fmt::format("compared app '{}' against baseline app '{}' (one app on each side)",
                    ix.apps[0], base_apps[0]));
  } else {
    for (const auto& a : base_apps) {
      if (std::find(apps.begin(), apps.end(), a) == apps.end()) {
        apps.push_back(a);
        base_label[a] = a;
      }
    }
  }
  std::vector<std::string> cells = ix.cells;
  std::map<std::string, std::string> scenario_of = ix.cell_scenario;
  for (const auto& c : base_cells) {
    if (scenario_of.emplace(c, base_scenario[c]).second) cells.push_back(c);
  }

  const bool fp_match = baseline.testbed.fingerprint == current.testbed.fingerprint;
  const bool strict = settings.testbed_mismatch != "warn";
  std::string mismatch;
  if (!fp_match) {
    mismatch = fmt::format("testbed differs: baseline {} vs current {}", describe(baseline.testbed),
                           describe(current.testbed));
    notes.push_back(strict ? mismatch +
                                 "; nothing is comparable (--testbed-mismatch=warn compares "
                                 "anyway)"
                           : mismatch +
                                 "; compared anyway (testbed_mismatch = warn): verdicts may "
                                 "reflect the machine, not the code");
  } else {
    notes.push_back(
        fmt::format("stored-baseline comparison: valid only on the same testbed (both {})",
                    describe(current.testbed)));
  }

  std::vector<Comparison> comps;
  for (const auto& app : apps) {
    const std::string& blabel = base_label[app];
    for (const auto& cell : cells) {
      const std::string& scenario = scenario_of[cell];
      std::set<std::string> names;
      if (auto it = ix.metrics.find({app, cell}); it != ix.metrics.end()) {
        names.insert(it->second.begin(), it->second.end());
      }
      if (auto it = base_metrics.find({blabel, cell}); it != base_metrics.end()) {
        names.insert(it->second.begin(), it->second.end());
      }
      const bool in_current = std::find(ix.apps.begin(), ix.apps.end(), app) != ix.apps.end() &&
                              ix.cell_scenario.count(cell);
      const std::string failure = in_current ? detail::failure_of(ix, app, cell) : "";
      if (names.empty()) {
        if (failure.empty()) continue;
        names.insert("(all)");
      }
      for (const auto& metric : detail::ordered_metrics(names)) {
        Comparison c;
        c.app = app;
        c.cell = cell;
        c.scenario = scenario;
        c.metric = metric;
        c.baseline_label = options.mode == "diff" ? baseline_source : blabel;
        c.paired = false;
        c.policy = resolve_policy(settings, scenario, cell, metric, results::find_metric(metric));
        if (auto m = ix.measured.find({app, cell}); m != ix.measured.end())
          c.measured_s = m->second;
        if (auto a = ix.artifacts.find({app, cell}); a != ix.artifacts.end())
          c.artifacts = a->second;
        auto bs = base.find({blabel, cell, metric});
        auto cv = ix.values.find({app, cell, metric});
        if (bs != base.end()) c.baseline = bs->second->values;
        if (cv != ix.values.end()) {
          for (const auto& [it, v] : cv->second)
            c.current.push_back(v);
        }
        if (!failure.empty()) {
          c.forced = Verdict::kError;
          c.forced_reason = failure;
        } else if (!fp_match && strict) {
          c.forced = Verdict::kNotComparable;
          c.forced_reason = mismatch;
        } else if (bs == base.end()) {
          c.forced = Verdict::kNotComparable;
          c.forced_reason = fmt::format("{} of {} {} is not in the baseline", metric, app, cell);
        } else if (cv == ix.values.end()) {
          c.forced = Verdict::kNotComparable;
          c.forced_reason =
              fmt::format("{} of {} {} was not measured in this run", metric, app, cell);
        } else if (!bs->second->unit.empty() && !c.policy.unit.empty() &&
                   bs->second->unit != c.policy.unit) {
          c.forced = Verdict::kNotComparable;
          c.forced_reason = fmt::format("unit changed: baseline in {}, current in {}",
                                        bs->second->unit, c.policy.unit);
        }
        const int inv = ix.count(ix.invalid, app, cell);
        if (inv > 0) c.note = fmt::format("{} invalid period{} excluded", inv, inv == 1 ? "" : "s");
        comps.push_back(std::move(c));
      }
    }
  }

  EvaluateOptions eo;
  eo.mode = options.mode;
  eo.baseline_source = baseline_source;
  eo.alpha_scale = options.alpha_scale;
  GateResult r = evaluate(comps, settings, eo);
  r.testbed_match = fp_match;
  if (options.mode == "baseline" && !baseline.history.empty()) {
    r.history = baseline.history;  // then the baseline itself, the newest point before this run
    r.history.push_back(history_entry(baseline));
  }
  r.notes.insert(r.notes.begin(), notes.begin(), notes.end());
  return r;
}

}  // namespace benchgate::gate
