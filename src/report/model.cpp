#include "report/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include "core/parse.h"
#include "report/format.h"

namespace benchgate::report {

using gate::Verdict;
using results::ResultsFile;
using results::RunRecord;

const Stat* AppCell::stat(std::string_view metric) const {
  for (const auto& s : stats) {
    if (s.metric == metric) return &s;
  }
  return nullptr;
}

int ReportModel::count(Verdict v) const {
  return gate ? gate->count(v) : 0;
}

int ReportModel::iterations() const {
  int n = 0;
  for (const auto& r : results.runs)
    n = std::max(n, r.iteration);
  return n;
}

int ReportModel::failed_runs() const {
  return outcome.failed_runs;
}

std::string ReportModel::status() const {
  return std::string(outcome.token());
}

const Cell* ReportModel::find_cell(std::string_view key) const {
  for (const auto& c : cells) {
    if (c.key == key) return &c;
  }
  return nullptr;
}

std::vector<const gate::MetricVerdict*> ReportModel::verdicts_for(std::string_view cell) const {
  std::vector<const gate::MetricVerdict*> out;
  if (!gate) return out;
  for (const auto& v : gate->verdicts) {
    if (v.cell == cell) out.push_back(&v);
  }
  return out;
}

std::pair<std::string, results::Better> metric_unit(std::string_view metric) {
  if (auto info = results::find_metric(metric)) return {std::string(info->unit), info->better};
  if (metric.starts_with("latency_")) return {"s", results::Better::kLower};
  return {"", results::Better::kLower};
}

double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

namespace {

int metric_rank(std::string_view name) {
  const auto& known = results::known_metrics();
  for (std::size_t i = 0; i < known.size(); ++i) {
    if (known[i].name == name) return static_cast<int>(i);
  }
  // Derived, unregistered metrics right after their relatives.
  if (name == "latency_max") return 5;
  if (name == "latency_mean") return 5;
  return 1000;
}

void sort_stats(std::vector<Stat>& stats) {
  std::stable_sort(stats.begin(), stats.end(), [](const Stat& a, const Stat& b) {
    const int ra = metric_rank(a.metric), rb = metric_rank(b.metric);
    if (ra != rb) return ra < rb;
    return a.metric < b.metric;
  });
}

void finish_stats(AppCell& ac, const std::map<std::string, std::vector<double>>& values) {
  for (const auto& [name, vals] : values) {
    Stat s;
    s.metric = name;
    std::tie(s.unit, s.better) = metric_unit(name);
    s.values = vals;
    s.median = median(vals);
    s.min = *std::min_element(vals.begin(), vals.end());
    s.max = *std::max_element(vals.begin(), vals.end());
    ac.stats.push_back(std::move(s));
  }
  sort_stats(ac.stats);
}

std::string read_tail(const std::filesystem::path& path, std::size_t lines, std::size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff start =
      size > static_cast<std::streamoff>(bytes) ? size - static_cast<std::streamoff>(bytes) : 0;
  in.seekg(start);
  std::string text(static_cast<std::size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (start > 0) {  // drop the partial first line
    auto nl = text.find('\n');
    text = nl == std::string::npos ? text : text.substr(nl + 1);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  std::size_t pos = text.size();
  for (std::size_t n = 0; n < lines && pos != std::string::npos && pos > 0; ++n) {
    pos = text.rfind('\n', pos - 1);
  }
  if (pos != std::string::npos && pos < text.size() && text[pos] == '\n') {
    text = text.substr(pos + 1);
  }
  return text;
}

std::string app_log(const RunRecord& run) {
  for (const auto& i : run.instances) {
    if (!i.log.empty()) return i.log;
  }
  for (const auto& a : run.artifacts) {
    if (a.kind == "app-log") return a.path;
  }
  return "";
}

std::string json_display(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "yes" : "no";
  if (j.is_number_integer()) return std::to_string(j.get<long long>());
  if (j.is_number()) return fmt::format("{:g}", j.get<double>());
  if (j.is_array()) {
    std::string out;
    for (const auto& e : j) {
      if (!out.empty()) out += ", ";
      out += e.is_number() ? fmt::format("{:.2f}", e.get<double>()) : json_display(e);
    }
    return out;
  }
  if (j.is_null()) return "";
  return j.dump();
}

std::string jstr(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end()) return "";
  return json_display(*it);
}

void build_environment(ReportModel& m) {
  const auto& r = m.results;
  auto add = [&](std::string label, std::string value) {
    if (!value.empty()) m.environment.emplace_back(std::move(label), std::move(value));
  };
  const auto& mc = r.machine;
  const auto& pv = r.provenance;
  add("benchgate", r.tool_version);
  add("command", r.command);
  add("started", r.started_at);
  add("finished", r.finished_at);
  add("host", jstr(mc, "host_name"));
  add("CPU", !r.testbed.cpu_model.empty() ? r.testbed.cpu_model : jstr(mc, "cpu_model"));
  add("CPUs", r.testbed.num_cpus > 0 ? std::to_string(r.testbed.num_cpus) : jstr(mc, "num_cpus"));
  add("available CPUs", jstr(mc, "available_cpus"));
  add("MHz per CPU", jstr(mc, "mhz_per_cpu"));
  add("governor", jstr(mc, "governor"));
  add("CPU scaling", jstr(mc, "cpu_scaling_enabled"));
  add("cgroup CPU quota", jstr(mc, "cgroup_cpu_quota"));
  add("load average", jstr(mc, "load_avg"));
  add("kernel", !r.testbed.kernel.empty() ? r.testbed.kernel : jstr(mc, "kernel"));
  add("compiler", jstr(mc, "compiler"));
  add("build type",
      !r.testbed.build_type.empty() ? r.testbed.build_type : jstr(mc, "library_build_type"));
  add("testbed fingerprint", r.testbed.fingerprint);
  if (m.gate) {
    add("gate mode", m.gate->mode);
    add("baseline", m.gate->baseline_source);
    if (!m.gate->testbed_match) add("testbed", "baseline testbed differs");
  }
  // Provenance: commit, refs, CI run.
  std::string commit = jstr(pv, "GITHUB_SHA");
  std::string commit_label = "commit";
  if (!commit.empty() && jstr(pv, "GITHUB_EVENT_NAME").starts_with("pull_request")) {
    commit_label = "commit (PR test merge)";
  }
  if (commit.empty()) commit = jstr(pv, "CI_COMMIT_SHA");
  if (commit.empty()) commit = jstr(pv, "GIT_COMMIT");
  if (commit.empty()) {
    commit = jstr(pv, "git_commit");
    if (!commit.empty() && pv.is_object() && pv.value("git_dirty", false)) commit += " (dirty)";
  }
  add(commit_label, commit);
  std::string ref = jstr(pv, "GITHUB_HEAD_REF");
  if (ref.empty()) ref = jstr(pv, "GITHUB_REF");
  if (ref.empty()) ref = jstr(pv, "CI_COMMIT_REF_NAME");
  add("ref", ref);
  add("base ref", jstr(pv, "GITHUB_BASE_REF"));
  add("merge request", jstr(pv, "CI_MERGE_REQUEST_IID"));
  std::string repo = jstr(pv, "GITHUB_REPOSITORY");
  if (repo.empty()) repo = jstr(pv, "CI_PROJECT_PATH");
  add("repository", repo);
  std::string workflow = jstr(pv, "GITHUB_WORKFLOW");
  if (!workflow.empty() && !jstr(pv, "GITHUB_JOB").empty())
    workflow += " / " + jstr(pv, "GITHUB_JOB");
  if (workflow.empty()) workflow = jstr(pv, "CI_JOB_NAME");
  add("job", workflow);
  std::string runner = jstr(pv, "RUNNER_NAME");
  if (!jstr(pv, "RUNNER_OS").empty()) {
    runner += (runner.empty() ? "" : " (") + jstr(pv, "RUNNER_OS") + " " + jstr(pv, "RUNNER_ARCH") +
              (jstr(pv, "RUNNER_NAME").empty() ? "" : ")");
  }
  add("runner", runner);

  // The CI run's URL.
  const std::string server = jstr(pv, "GITHUB_SERVER_URL");
  const std::string run_id = jstr(pv, "GITHUB_RUN_ID");
  if (!server.empty() && !repo.empty() && !run_id.empty() &&
      !jstr(pv, "GITHUB_REPOSITORY").empty()) {
    m.run_url = fmt::format("{}/{}/actions/runs/{}", server, repo, run_id);
    const std::string attempt = jstr(pv, "GITHUB_RUN_ATTEMPT");
    if (!attempt.empty() && attempt != "1") m.run_url += "/attempts/" + attempt;
  } else if (!jstr(pv, "CI_JOB_URL").empty()) {
    m.run_url = jstr(pv, "CI_JOB_URL");
  } else if (!jstr(pv, "CI_PIPELINE_URL").empty()) {
    m.run_url = jstr(pv, "CI_PIPELINE_URL");
  } else {
    m.run_url = jstr(pv, "BUILD_URL");
  }
}

bool is_profile_artifact(const results::Artifact& a) {
  return a.kind != "app-log" && a.kind != "driver-output";
}

void collect_artifacts(ReportModel& m) {
  std::set<std::string> seen;
  auto add = [&](const results::Artifact& a, const std::string& context) {
    if (a.path.empty() || !is_profile_artifact(a) || !seen.insert(a.path).second) return;
    std::string label = a.kind + " · " + context;
    m.artifacts.push_back({std::move(label), a.path, a.description});
  };
  for (const auto& run : m.results.runs) {
    const std::string ctx = fmt::format("{} {} #{}", run.app, run.scenario, run.iteration);
    for (const auto& a : run.artifacts)
      add(a, ctx);
    if (run.profile) {
      for (const auto& a : run.profile->artifacts)
        add(a, ctx);
    }
    for (const auto& p : run.periods) {
      if (!p.profile) continue;
      const std::string pctx = fmt::format("{} {} #{}", run.app,
                                           results::cell_key(run.scenario, p.point), run.iteration);
      for (const auto& a : p.profile->artifacts)
        add(a, pctx);
    }
  }
  if (m.gate) {
    for (const auto& v : m.gate->verdicts) {
      for (const auto& path : v.artifacts) {
        add({"artifact", path, ""}, v.app + " " + v.cell);
      }
    }
  }
}

}  // namespace

// Over 100 lines on purpose: runs in order → cells → per-cell values → problems → tests, each
// step reading the indexes of the one before; the sections are marked inside.
ReportModel build_model(ResultsFile results, std::optional<gate::GateResult> gate,
                        const ReportOptions& options) {
  ReportModel m;
  m.results = std::move(results);
  m.gate = std::move(gate);
  m.out_dir = options.out_dir;
  m.files = options.files;
  m.suite = !m.results.name.empty() ? m.results.name : jstr(m.results.suite, "name");
  if (m.suite.empty()) m.suite = "benchgate";

  // Runs in execution order (the results list them so, but be robust to hand-made files).
  std::vector<std::size_t> order(m.results.runs.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return m.results.runs[a].sequence < m.results.runs[b].sequence;
  });

  // Cells in order of first appearance; a scenario's load points as its runs list them.
  std::map<std::string, std::size_t> cell_index;
  auto cell_for = [&](const std::string& key, const RunRecord& run, bool per_run,
                      const results::LoadPoint& point) -> Cell& {
    auto [it, inserted] = cell_index.emplace(key, m.cells.size());
    if (inserted) {
      Cell c;
      c.key = key;
      c.scenario = run.scenario;
      c.point = point;
      c.per_run = per_run;
      c.url = run.url;
      m.cells.push_back(std::move(c));
    }
    return m.cells[it->second];
  };
  for (std::size_t idx : order) {
    const auto& run = m.results.runs[idx];
    if (!run.metrics.empty()) cell_for(run.scenario, run, true, {});
    for (const auto& p : run.periods) {
      cell_for(results::cell_key(run.scenario, p.point), run, false, p.point);
    }
  }

  // Per cell and app: every iteration, the good ones' values.
  for (auto& cell : m.cells) {
    std::map<std::string, std::map<std::string, std::vector<double>>> values;  // app → metric
    auto app_cell = [&](const RunRecord& run) -> AppCell& {
      for (auto& ac : cell.apps) {
        if (ac.app == run.app) return ac;
      }
      cell.apps.push_back({run.app, run.role});
      return cell.apps.back();
    };
    for (std::size_t idx : order) {
      const auto& run = m.results.runs[idx];
      if (run.scenario != cell.scenario) continue;
      if (cell.per_run) {
        AppCell& ac = app_cell(run);
        ac.refs.push_back({idx, -1});
        ++ac.total;
        if (run.status != "ok") continue;
        ++ac.good;
        ac.measured_s += run.startup.time_to_ready_s;
        for (const auto& [name, v] : run.metrics) {
          if (std::isfinite(v)) values[run.app][name].push_back(v);
        }
        continue;
      }
      int found = -1;
      for (std::size_t p = 0; p < run.periods.size(); ++p) {
        if (results::cell_key(run.scenario, run.periods[p].point) == cell.key) {
          found = static_cast<int>(p);
        }
      }
      // A run that failed before this load point still was an iteration of the cell; an ok
      // run without the point simply did not include it.
      if (found < 0 && run.status == "ok") continue;
      AppCell& ac = app_cell(run);
      ac.refs.push_back({idx, found});
      ++ac.total;
      if (found < 0) continue;
      const auto& period = run.periods[static_cast<std::size_t>(found)];
      ac.measured_s +=
          period.driver.duration_s > 0 ? period.driver.duration_s : period.app.duration_s;
      if (run.status != "ok" || period.status != "ok") continue;
      ++ac.good;
      for (const auto& [name, v] : period.metrics) {
        if (std::isfinite(v)) values[run.app][name].push_back(v);
      }
    }
    for (auto& ac : cell.apps)
      finish_stats(ac, values[ac.app]);
    std::stable_sort(cell.apps.begin(), cell.apps.end(), [](const AppCell& a, const AppCell& b) {
      auto rank = [](const std::string& role) {
        return role == "baseline" ? 0 : role == "candidate" ? 1 : 2;
      };
      return rank(a.role) < rank(b.role);
    });
  }

  // Problems: failed, skipped and interrupted runs; a finished run with a load point not ok
  // (an older results file) as a failed run.
  for (std::size_t idx : order) {
    const auto& run = m.results.runs[idx];
    auto problem = [&](int period, std::string status, std::string reason, std::string cell) {
      Problem p;
      p.run = idx;
      p.period = period;
      p.app = run.app;
      p.scenario = run.scenario;
      p.cell = std::move(cell);
      p.iteration = run.iteration;
      p.status = std::move(status);
      p.reason = std::move(reason);
      p.log_path = app_log(run);
      if (p.is_error() && !p.log_path.empty() && !options.out_dir.empty()) {
        p.log_tail =
            read_tail(options.out_dir / p.log_path, options.log_tail_lines, options.log_tail_bytes);
      }
      m.problems.push_back(std::move(p));
    };
    if (run.status != "ok") {
      std::string cell = run.scenario;
      int period = -1;
      for (std::size_t i = 0; i < run.periods.size(); ++i) {
        if (run.periods[i].status != "ok") {
          cell = results::cell_key(run.scenario, run.periods[i].point);
          period = static_cast<int>(i);
          break;
        }
      }
      std::string reason = run.failure;
      if (reason.empty() && !run.termination.expected) reason = run.termination.description;
      if (reason.empty()) reason = "run " + run.status;
      problem(period, run.status, reason, cell);
      continue;
    }
    // A finished run with a load point that was not ok (results written before an invalid
    // load point failed its run): the run failed all the same, as the exit code says.
    for (std::size_t i = 0; i < run.periods.size(); ++i) {
      const auto& p = run.periods[i];
      if (p.status == "ok") continue;
      std::string reason = p.reason;
      if (reason.empty()) reason = join(p.driver.invalid_reasons, "; ");
      if (p.status == "invalid") reason = "load point " + p.point.key() + " invalid: " + reason;
      problem(static_cast<int>(i), p.status == "interrupted" ? p.status : "failed", reason,
              results::cell_key(run.scenario, p.point));
    }
  }

  if (m.gate) {
    const auto& vs = m.gate->verdicts;
    m.ranked.resize(vs.size());
    for (std::size_t i = 0; i < vs.size(); ++i)
      m.ranked[i] = i;
    // Gated tests first (the decision), informational rows after them.
    std::stable_sort(m.ranked.begin(), m.ranked.end(), [&](std::size_t a, std::size_t b) {
      if (vs[a].gated != vs[b].gated) return vs[a].gated;
      const int oa = verdict_order(vs[a].verdict), ob = verdict_order(vs[b].verdict);
      if (oa != ob) return oa < ob;
      return severity(vs[a]) > severity(vs[b]);
    });
  }

  m.outcome = gate::decide_outcome(&m.results, m.gate ? &*m.gate : nullptr,
                                   gate::recorded_warn_only(m.results));
  build_environment(m);
  collect_artifacts(m);
  return m;
}

}  // namespace benchgate::report
