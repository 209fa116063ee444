#include "cli/drive_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "cli/common.h"
#include "cli/summary.h"
#include "config/names.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "gate/outcome.h"
#include "platform/signals.h"
#include "platform/sysinfo.h"
#include "results/json.h"
#include "runner/checkpoint.h"
#include "runner/runner.h"
#include "runner/tune_host.h"

namespace benchgate::cli {

namespace fs = std::filesystem;

CLI::App* add_drive_command(CLI::App& app, DriveOptions& o) {
  auto* c =
      app.add_subcommand("drive", "Run one app once over a list of load points (the old drive.sh)");
  c->add_option("--name", o.name, "Run name; results go to runs/<name>/ unless --out is given")
      ->required();
  c->add_option("--app", o.app, "App command line (split like a shell would, no expansion)")
      ->required();
  c->add_option("--url", o.url, "URL to drive (http:// or https://)")->required();
  c->add_option("--cpus", o.cpus, "CPU list to pin the app to, e.g. 0,2-3");
  c->add_option("--instances", o.instances, "Instances of the app to start");
  c->add_option("--cwd", o.cwd, "Working folder of the app");
  c->add_option("--env", o.env, "Extra environment for the app, KEY=VALUE (repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("--clients", o.clients, "Connections per load period, a list: 16,64");
  c->add_option("--rates", o.rates, "Constant request rates (req/s), a list (open loop)");
  c->add_option("--duration", o.duration, "Measured length of each load period");
  c->add_option("--warmup", o.warmup, "Driven but not measured, before each load period");
  c->add_option("--interval", o.interval, "Monitor sampling interval (10ms or more)");
  c->add_option("--driver", o.driver,
                "builtin | wrk | wrk-pipeline | wrk-nokeepalive | wrk2 | jmeter | sleep");
  c->add_option("--wrk-script", o.wrk_script, "Lua script for wrk (-s)");
  c->add_option("--wrk-script-arg", o.wrk_script_args, "Argument after -- for the wrk script")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("--driver-cpus", o.driver_cpus, "CPU list to pin the driver to");
  c->add_option("--driver-threads", o.driver_threads, "Driver threads (0: automatic)");
  c->add_option("--pipeline", o.pipeline, "HTTP pipelining depth");
  c->add_flag("--no-keepalive", o.no_keepalive, "A new connection per request (Connection: close)");
  c->add_option("--timeout", o.timeout, "Per-request timeout");
  c->add_option("--header,-H", o.headers, "Extra request header 'Name: value' (repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("--method", o.method, "HTTP method");
  c->add_option("--body", o.body, "Request body");
  c->add_flag("--tls-verify", o.tls_verify, "Verify the server's TLS certificate (https)");
  c->add_option("--ready-timeout", o.ready_timeout, "How long to wait for the app to answer");
  c->add_option("--out", o.out, "Output folder (default runs/<name>)");
  c->add_option("--profiler,--profile", o.profiler,
                "Profile the app: perf, perf-cg, perf-idle, flame, flame-all, massif, oprofile, "
                "oprofile-sys, none. A profiler that cannot run is reported; the run still counts");
  c->add_option("--client-host", o.client_host, "Run the driver on this host over ssh");
  c->add_option("--ssh-options", o.ssh_options,
                "Extra ssh options for --client-host, split like a shell: '-p 2222 -i KEY'");
  c->add_option("--tool-path", o.tool_path, "Path of the external driver tool (wrk2, jmeter)");
  c->add_option("--jmeter-plan", o.jmeter_plan, "JMeter test plan (.jmx) for --driver jmeter");
  c->add_flag("--shell", o.shell, "Run --app through /bin/sh -c (pipes, variables, ...)");
  c->add_flag("--tune-host", o.tune_host,
              "Enable net.ipv4.tcp_tw_reuse, set the CPU governor to performance, turn turbo off "
              "(restored "
              "afterwards; what is not available here is reported and skipped)")
      ->envname("BENCHGATE_TUNE_HOST");
  return c;
}

namespace {

// Options → RunSpec, with every value validated and errors naming the option.
runner::RunSpec make_spec(const DriveOptions& o) {
  runner::RunSpec s;
  s.id = "run";
  s.iteration = 1;
  s.app.label = o.name;
  if (o.shell) {
    s.app.shell = true;
    s.app.command = {o.app};
  } else {
    s.app.command = with_context("--app", [&] { return shell_split(o.app); });
  }
  if (s.app.command.empty()) throw UsageError("--app: expected a command, got an empty string");
  s.app.instances = o.instances;
  if (o.instances < 1 || o.instances > 1024) throw UsageError("--instances: expected 1 to 1024");
  s.app.cwd = o.cwd;
  for (const auto& kv : o.env) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError(fmt::format("--env: expected KEY=VALUE, got '{}'", kv));
    }
    s.app.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  s.app.cpus = with_context("--cpus", [&] { return parse_cpu_list(o.cpus); });
  s.scenario = o.name;
  s.url = o.url;
  with_context("--url", [&] { return parse_url(o.url); });
  const auto clients =
      with_context("--clients", [&] { return parse_positive_int_list(o.clients); });
  std::vector<double> rates;
  if (!o.rates.empty())
    rates = with_context("--rates", [&] { return parse_positive_double_list(o.rates); });
  for (int c : clients) {
    if (rates.empty()) {
      s.points.push_back({c, 0});
    } else {
      for (double r : rates)
        s.points.push_back({c, r});
    }
  }
  s.duration = with_context("--duration", [&] { return parse_duration(o.duration); });
  if (s.duration < std::chrono::milliseconds(100))
    throw UsageError("--duration: must be at least 100ms");
  s.warmup = with_context("--warmup", [&] { return parse_duration(o.warmup); });
  s.interval = with_context("--interval", [&] { return parse_duration(o.interval); });
  if (s.interval < std::chrono::milliseconds(10))
    throw UsageError("--interval: must be at least 10ms");
  s.ready_timeout =
      with_context("--ready-timeout", [&] { return parse_duration(o.ready_timeout); });
  s.driver = o.driver;
  auto& d = s.driver_options;
  d.cpus = with_context("--driver-cpus", [&] { return parse_cpu_list(o.driver_cpus); });
  if (o.driver_threads < 0) throw UsageError("--driver-threads: expected 0 or more");
  d.threads = o.driver_threads;
  if (o.pipeline < 0) throw UsageError("--pipeline: expected a positive depth");
  if (o.pipeline > 0) d.pipeline = o.pipeline;
  d.keepalive = !o.no_keepalive;
  d.timeout = with_context("--timeout", [&] { return parse_duration(o.timeout); });
  d.script = o.wrk_script;
  d.script_args = o.wrk_script_args;
  d.method = o.method;
  d.body = o.body;
  for (const auto& h : o.headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      throw UsageError(fmt::format("--header: expected 'Name: value', got '{}'", h));
    }
    d.headers.emplace_back(std::string(trim(h.substr(0, colon))),
                           std::string(trim(h.substr(colon + 1))));
  }
  d.tls_verify = o.tls_verify;
  d.client_host = o.client_host;
  if (!d.client_host.empty() && !config::is_valid_client_host(d.client_host)) {
    throw UsageError(fmt::format("--client-host: expected {}, got '{}'", config::kClientHostRule,
                                 printable(d.client_host)));
  }
  d.ssh_options = with_context("--ssh-options", [&] { return shell_split(o.ssh_options); });
  if (!d.ssh_options.empty() && d.client_host.empty()) {
    throw UsageError("--ssh-options: only used with --client-host");
  }
  d.tool_path = o.tool_path;
  if (!o.jmeter_plan.empty()) {
    if (!fs::exists(o.jmeter_plan)) {
      throw UsageError(fmt::format("--jmeter-plan: file {} does not exist", o.jmeter_plan));
    }
    d.extra["plan"] = fs::absolute(o.jmeter_plan).string();
  }
  if (!o.wrk_script.empty() && !fs::exists(o.wrk_script)) {
    throw UsageError(fmt::format("--wrk-script: file {} does not exist", o.wrk_script));
  }
  if (!o.profiler.empty() && o.profiler != "none") {
    const auto& names = config::known_profilers();
    if (std::find(names.begin(), names.end(), o.profiler) == names.end()) {
      throw UsageError(fmt::format("--profiler: unknown profiler '{}'{}", o.profiler,
                                   config::suggestion_suffix(o.profiler, names)));
    }
    s.profiler = o.profiler;
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
  const auto spec = make_spec(o);
  const fs::path out = o.out.empty() ? fs::path("runs") / o.name : fs::path(o.out);
  runner::check_run_spec(spec);

  // Signals are ours from here on: new_results() runs git, which takes a while on a busy
  // machine, and a Ctrl-C then must still end in a recorded, interrupted run.
  CancelToken cancel;
  platform::SignalGuard signals(cancel);
  auto results = runner::new_results("drive", o.name);
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

  if (!spec.driver_options.client_host.empty()) {
    results.suite["client_host"] = spec.driver_options.client_host;
  }
  runner::TuneHostScope tuning(o.tune_host, results.suite, std::cerr);
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
