#include "fixtures.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "gate/baseline.h"
#include "gate/gate.h"
#include "platform/fs.h"
#include "results/json.h"

namespace benchgate::report::testing {

std::filesystem::path data_dir() {
  return std::filesystem::path(BENCHGATE_TEST_DATA_DIR) / "report";
}

results::ResultsFile load_results() {
  return results::read_results(data_dir() / "results.json");
}

gate::GateResult load_gate() {
  const auto j = results::read_json_file(data_dir() / "gate.json");
  gate::GateResult g;
  g.mode = j.at("mode");
  g.baseline_source = j.at("baseline_source");
  g.testbed_match = j.at("testbed_match");
  g.notes = j.at("notes").get<std::vector<std::string>>();
  for (const auto& e : j.at("verdicts")) {
    gate::MetricVerdict v;
    v.app = e.at("app");
    v.cell = e.at("cell");
    v.metric = e.at("metric");
    v.unit = e.at("unit");
    v.better = e.at("better") == "higher" ? results::Better::kHigher : results::Better::kLower;
    v.scale = e.at("scale") == "ratio" ? results::Scale::kRatio : results::Scale::kDifference;
    const std::string name = e.at("verdict");
    using gate::Verdict;
    v.verdict = name == "regressed"        ? Verdict::kRegressed
                : name == "warn"           ? Verdict::kWarn
                : name == "improved"       ? Verdict::kImproved
                : name == "unchanged"      ? Verdict::kUnchanged
                : name == "inconclusive"   ? Verdict::kInconclusive
                : name == "not_comparable" ? Verdict::kNotComparable
                                           : Verdict::kError;
    v.reason = e.at("reason");
    v.baseline_label = e.at("baseline_label");
    v.baseline = e.at("baseline");
    v.current = e.at("current");
    v.n_baseline = e.at("n_baseline");
    v.n_current = e.at("n_current");
    v.paired = e.at("paired");
    v.test = e.at("test");
    v.estimate = e.at("estimate");
    v.ci_low = e.at("ci_low");
    v.ci_high = e.at("ci_high");
    v.ci_level = e.at("ci_level");
    v.p_value = e.at("p_value");
    v.p_adjusted = e.at("p_adjusted");
    v.p_improved = e.at("p_improved");
    v.p_two_sided = e.at("p_two_sided");
    v.min_effect = e.at("min_effect");
    v.alpha = e.at("alpha");
    v.gated = e.at("gated");
    v.measured_s = e.at("measured_s");
    v.artifacts = e.at("artifacts").get<std::vector<std::string>>();
    g.verdicts.push_back(std::move(v));
  }
  return g;
}

ReportModel sample_model(bool gated) {
  ReportOptions o;
  o.out_dir = data_dir();
  return build_model(load_results(), gated ? std::optional(load_gate()) : std::nullopt, o);
}

namespace {

// Throughput share of the saturation level at c clients (1 at infinity).
double saturation(int clients) {
  return clients / (clients + 6.0);
}

// Scales one copied period from `from` clients to `to` clients in scenario `s`.
void scale_period(results::PeriodResult& p, int to, int s) {
  const int from = p.point.clients;
  const double heavier = 1 + 0.6 * s;  // later scenarios do more work per request
  const double tf = saturation(to) / saturation(from) / heavier;
  // Little's law: latency = clients / throughput.
  const double lf = (to / saturation(to)) / (from / saturation(from)) * heavier;
  p.point.clients = to;
  auto& d = p.driver;
  d.throughput *= tf;
  d.requests = static_cast<std::int64_t>(static_cast<double>(d.requests) * tf);
  for (auto& v : d.throughput_trace)
    v *= tf;
  d.latency.min *= lf;
  d.latency.mean *= lf;
  d.latency.stdev *= lf;
  d.latency.max *= lf;
  for (auto& [k, v] : d.latency.percentiles)
    v *= lf;
  for (auto& [k, v] : p.metrics) {
    if (k == "throughput") v *= tf;
    if (k.starts_with("latency_")) v *= lf;
  }
}

}  // namespace

results::ResultsFile large_results(int scenarios, int points) {
  static constexpr std::string_view kNames[] = {"plaintext", "json",    "db",      "queries",
                                                "fortunes",  "updates", "cached",  "upload",
                                                "download",  "static",  "graphql", "websocket"};
  const auto base = load_results();
  results::ResultsFile r = base;
  r.runs.clear();
  r.order.sequence.clear();
  int seq = 0;
  for (int s = 0; s < scenarios; ++s) {
    const std::string name = s < static_cast<int>(std::size(kNames))
                                 ? std::string(kNames[static_cast<std::size_t>(s)])
                                 : fmt::format("scenario{}", s);
    for (const auto& src : base.runs) {
      results::RunRecord run = src;
      run.scenario = name;
      run.url = "http://127.0.0.1:18080/" + name;
      run.sequence = seq++;
      run.id = fmt::format("run-{:03}-{}", run.sequence + 1, run.app);
      r.order.sequence.push_back(run.id);
      run.periods.clear();
      if (s > 0 && run.status != "ok") {  // the crash happens once, in the first scenario
        run.status = "ok";
        run.failure.clear();
        run.failure_kind.clear();
      }
      for (int k = 0; k < points && !src.periods.empty(); ++k) {
        auto p = src.periods[static_cast<std::size_t>(k) % src.periods.size()];
        if (s > 0 && p.status != "ok")
          p = src.periods.front().status == "ok" ? src.periods.front() : src.periods.back();
        if (s > 0) {
          p.status = "ok";
          p.reason.clear();
        }
        scale_period(p, 1 << k, s);
        const bool stop = p.status == "failed";
        run.periods.push_back(std::move(p));
        if (stop) break;  // a run ends at its failed period
      }
      r.runs.push_back(std::move(run));
    }
  }
  return r;
}

ReportModel history_model() {
  const auto all = load_results();
  results::ResultsFile base = all, cur = all;
  base.runs.clear();
  cur.runs.clear();
  for (auto run : all.runs) {
    const bool is_base = run.app == "main";
    run.app = "app";
    run.role = "";
    (is_base ? base : cur).runs.push_back(std::move(run));
  }
  cur.name = base.name = "hello";
  auto b = gate::make_baseline(base, false);
  b.created_at = "2026-12-04T09:00:00Z";
  b.provenance = {{"GITHUB_SHA", "5be1c0de5be1c0de5be1c0de5be1c0de5be1c0de"}};
  const auto newest = gate::history_entry(b);
  for (int i = 0; i < 12; ++i) {
    auto e = newest;
    e.created_at = fmt::format("2026-11-{:02}T09:00:00Z", 8 + 2 * i);
    e.commit = fmt::format("{:08x}c0ffee{:026x}", 0x1000 * (i + 1), i);
    // A slow drift, and main got 4 % faster three baselines ago.
    const double f = (1 + 0.015 * std::sin(i * 1.3)) * (i >= 9 ? 1.0 : 0.96);
    for (auto& v : e.values) {
      if (v.metric == "throughput") v.median *= f;
      if (v.metric.starts_with("latency_")) v.median /= f;
    }
    b.history.push_back(std::move(e));
  }
  auto g = gate::run_against_baseline(cur, b, results::GateSettings{}, "baselines/main.json");
  cur.gate = gate::to_json(g);
  ReportOptions o;
  o.out_dir = data_dir();
  return build_model(std::move(cur), std::move(g), o);
}

ReportModel large_model(int scenarios, int points) {
  auto r = large_results(scenarios, points);
  auto g = gate::run_ab(r, results::GateSettings{});
  r.gate = gate::to_json(g);
  ReportOptions o;
  o.out_dir = data_dir();
  return build_model(std::move(r), std::move(g), o);
}

std::string long_name() {
  std::string s = "very-long-metric-name-";
  while (s.size() < 10240)
    s += "0123456789abcdef";
  return s.substr(0, 10240);
}

ReportModel hostile_model() {
  auto r = load_results();
  r.name = kHostileSuite;
  for (auto& run : r.runs) {
    if (run.app == "pr") run.app = kHostileApp;
    if (run.app == "main") run.app = kHostileBase;
    run.scenario = kHostileScenario;
    run.url = "javascript:alert(1)//<b>";
    if (run.status == "failed") run.failure = "segfault\nin `json_escape` <b>|</b> ]]> \x02\x1b[2J";
    for (auto& p : run.periods) {
      if (!p.metrics.empty()) p.metrics[long_name()] = 42;
    }
  }
  r.provenance["GITHUB_SERVER_URL"] = "https://github.com/\"><script>x</script>";
  r.warnings.push_back("warning with | pipe and <tag> and ]]>");
  auto g = load_gate();
  g.baseline_source = kHostileBase;
  g.notes.push_back("note ]]> <script>alert(1)</script> | `x`");
  for (auto& v : g.verdicts) {
    v.app = kHostileApp;
    v.baseline_label = kHostileBase;
    const auto sp = v.cell.find(' ');
    v.cell = kHostileScenario + (sp == std::string::npos ? "" : v.cell.substr(sp));
    v.reason += v.reason.empty() ? "" : " <i>|</i> ]]>";
  }
  // A regression whose metric has a 10 kB name.
  auto extra = g.verdicts.front();
  extra.metric = long_name();
  extra.unit = "";
  extra.verdict = gate::Verdict::kRegressed;
  extra.estimate = 0.5;
  extra.ci_low = 0.4;
  extra.ci_high = 0.6;
  extra.better = results::Better::kLower;
  g.verdicts.push_back(extra);
  ReportOptions o;
  o.out_dir = data_dir();
  return build_model(std::move(r), std::move(g), o);
}

std::string mask(std::string text) {
  static const std::regex date(
      R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)");
  static const std::regex host("ci-runner-7");
  static const std::regex version(R"(benchgate 0\.1\.0)");
  static const std::regex time_attr(R"(time="[0-9.]+")");
  text = std::regex_replace(text, date, "<DATE>");
  text = std::regex_replace(text, host, "<HOST>");
  text = std::regex_replace(text, version, "benchgate <VERSION>");
  text = std::regex_replace(text, time_attr, "time=\"<T>\"");
  return text;
}

void expect_golden(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::path(BENCHGATE_GOLDEN_DIR) / name;
  if (const char* u = std::getenv("BENCHGATE_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    platform::write_file_atomic(path, text);
    return;
  }
  std::string expected;
  try {
    expected = platform::read_file(path);
  } catch (const std::exception& e) {
    FAIL() << "missing golden file " << path << " (BENCHGATE_UPDATE_GOLDEN=1 creates it)";
  }
  if (expected == text) return;
  // Point at the first differing line.
  std::istringstream a(expected), b(text);
  std::string la, lb;
  int line = 0;
  while (true) {
    ++line;
    const bool ga = static_cast<bool>(std::getline(a, la));
    const bool gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) break;
    if (la != lb || ga != gb) {
      ADD_FAILURE() << name << ":" << line
                    << " differs from the golden file\n  expected: " << (ga ? la : "<end>")
                    << "\n  actual:   " << (gb ? lb : "<end>")
                    << "\n(BENCHGATE_UPDATE_GOLDEN=1 rewrites it after review)";
      return;
    }
  }
  ADD_FAILURE() << name << " differs from the golden file";
}

int run_command(const std::string& command, std::string* output) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) {
    if (output) output->append(buf.data(), n);
  }
  const int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace benchgate::report::testing
