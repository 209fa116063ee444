#include "cli/drive_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "cli/common.h"
#include "cli/summary.h"
#include "cli/tune_host.h"
#include "config/names.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "gate/outcome.h"
#include "matrix/matrix.h"
#include "platform/signals.h"
#include "platform/sysinfo.h"
#include "results/json.h"
#include "runner/runner.h"

namespace benchgate::cli {

namespace fs = std::filesystem;

CLI::App* add_drive_command(CLI::App& app, DriveOptions& o) {
  auto* c =
      app.add_subcommand("drive", "Run one app once over a list of load points (the old drive.sh)");
  add_table_options(c, config::kDriveCommand, o.options);
  return c;
}

namespace {

// The one-app, one-scenario suite a drive is, with drive's defaults, then BENCHGATE_* variables,
// then flags (the option table: the same parsers and messages as run and compare).
config::SuiteConfig drive_suite(const std::vector<config::GivenOption>& given) {
  auto need = [&](const char* name, const char* flag) {
    auto v = config::given_value(given, name);
    if (!v || trim(*v).empty()) throw UsageError(fmt::format("{} is required", flag));
    return *v;
  };
  const std::string name = need("name", "--name");
  const std::string app_text = need("app", "--app");
  const std::string url = need("url", "--url");
  if (!config::is_valid_name(name)) {
    throw UsageError(
        fmt::format("--name: expected {}, got '{}'", config::kNameRule, printable(name)));
  }
  config::SuiteConfig s;
  s.name = name;
  s.hostname = platform::machine_context().value("host_name", "");
  config::AppSpec app;
  app.label = name;
  if (config::given_value(given, "shell").value_or("") == "true") {
    app.shell = true;
    app.command = {app_text};
  } else {
    app.command = with_context("--app", [&] { return shell_split(app_text); });
  }
  if (app.command.empty()) throw UsageError("--app: expected a command, got an empty string");
  s.apps.push_back(std::move(app));
  config::ScenarioSpec sc;
  sc.name = name;
  sc.url = with_context("--url", [&] { return parse_url(url); }).str();
  sc.clients = {16};
  s.scenarios.push_back(std::move(sc));
  s.defaults.iterations = 1;
  s.defaults.out = fs::path("runs") / name;
  config::apply_options(s, given, "the drive options");
  return s;
}

// The suite → its one run, with drive's own limits.
runner::RunSpec make_spec(const config::SuiteConfig& suite) {
  auto plan = matrix::expand(suite);
  if (plan.runs.size() != 1) {
    throw UsageError(
        fmt::format("drive runs once: expected one run, the options make {}", plan.runs.size()));
  }
  auto s = plan.runs.front();
  s.id = "run";
  s.iteration = 1;
  if (s.duration < std::chrono::milliseconds(100))
    throw UsageError("--duration: must be at least 100ms");
  if (s.interval < std::chrono::milliseconds(10))
    throw UsageError("--interval: must be at least 10ms");
  if (!s.driver_options.ssh_options.empty() && s.driver_options.client_host.empty()) {
    throw UsageError("--ssh-options: only used with --client-host");
  }
  return s;
}

class PrintObserver final : public runner::RunObserver {
 public:
  void on_phase(const runner::RunSpec&, const std::string& phase) override {
    if (phase == "waiting for readiness") std::cerr << "benchgate: waiting for the app...\n";
  }
  void on_period_start(const runner::RunSpec& spec, const results::LoadPoint& p) override {
    std::cerr << fmt::format("benchgate: {} {} — warm-up {}, then {} measured\n", spec.url, p.key(),
                             format_duration(spec.warmup), format_duration(spec.duration));
  }
  void on_warning(const runner::RunSpec&, const std::string& message) override {
    std::cerr << fmt::format("benchgate: warning: {}\n", message);
  }
};

}  // namespace

int run_drive(const DriveOptions& o) {
  const auto suite = drive_suite(given_options(o.options, config::process_env()));
  const auto spec = make_spec(suite);
  const fs::path out = suite.defaults.out;
  runner::check_run_spec(spec);

  // Signals are ours from here on: new_results() runs git, which takes a while on a busy
  // machine, and a Ctrl-C then must still end in a recorded, interrupted run.
  CancelToken cancel;
  platform::SignalGuard signals(cancel);
  auto results = new_results("drive", suite.name);
  results.suite = {{"app", spec.app.command},
                   {"url", spec.url},
                   {"instances", spec.app.instances},
                   {"cpus", format_cpu_list(spec.app.cpus)},
                   {"driver", spec.driver},
                   {"driver_cpus", format_cpu_list(spec.driver_options.cpus)},
                   {"duration", format_duration(spec.duration)},
                   {"warmup", format_duration(spec.warmup)},
                   {"interval", format_duration(spec.interval)}};
  if (!spec.profiler.empty()) results.suite["profiler"] = spec.profiler;
  if (spec.numa_node) results.suite["numa_node"] = *spec.numa_node;

  if (!spec.driver_options.client_host.empty()) {
    results.suite["client_host"] = spec.driver_options.client_host;
  }
  TuneHostScope tuning(suite.invocation.tune_host, results.suite, std::cerr);
  PrintObserver observer;
  runner::RunContext ctx{system_clock(), cancel, out, &observer};
  results.order.sequence = {spec.id};
  results.planned_runs = 1;
  results.runs.push_back(runner::execute_run(spec, ctx));
  tuning.restore();
  results.finished_at = platform::iso8601_now();
  if (cancel.cancelled() || results.runs.back().status == "interrupted") {
    results.status = "interrupted";
  } else {
    results.status = "complete";  // the one planned run finished; the write below is the last
  }
  results.outcome = gate::outcome_json(gate::decide_outcome(&results, nullptr, false));
  results::write_results(results, out / "results.json");

  print_drive_summary(std::cout, results);
  std::cout << fmt::format("results: {}\n", (out / "results.json").string());
  const auto& run = results.runs.back();
  if (run.status != "ok")
    std::cerr << fmt::format("benchgate: run {}: {}\n", run.status, run.failure);
  return static_cast<int>(runs_exit_code(results));
}

}  // namespace benchgate::cli
