#include "cli/suite_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>

#include "cli/common.h"
#include "config/names.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "platform/sysinfo.h"
#include "runner/suite_runner.h"

namespace benchgate::cli {

namespace fs = std::filesystem;

namespace {

void add_gate_flags(CLI::App* c, GateFlags& g) {
  c->add_option("--baseline", g.baseline, "Gate against this stored baseline (unpaired)")
      ->envname("BENCHGATE_BASELINE");
  c->add_flag("--warn-only", g.warn_only, "Report regressions but exit 0")
      ->envname("BENCHGATE_WARN_ONLY");
  c->add_option("--testbed-mismatch", g.testbed_mismatch,
                "error (default: verdicts not_comparable) | warn (gate anyway)")
      ->check(CLI::IsMember({"error", "warn"}))
      ->envname("BENCHGATE_TESTBED_MISMATCH");
  c->add_option("--confirm", g.confirm,
                "Extra A/B pairs to run once when a verdict is warn or inconclusive (0: off)")
      ->envname("BENCHGATE_CONFIRM");
  c->add_option("--alpha", g.alpha, "Family-wise significance level (default 0.05)")
      ->envname("BENCHGATE_ALPHA");
  c->add_flag("--no-color", g.no_color, "No ANSI colours even on a terminal")->envname("NO_COLOR");
  c->add_option("--out", g.out, "Output folder")->envname("BENCHGATE_OUT");
  c->add_flag("--tune-host", g.tune_host,
              "Enable net.ipv4.tcp_tw_reuse, set the CPU governor to performance, turn turbo off "
              "(restored "
              "afterwards; what is not available here is reported and skipped)")
      ->envname("BENCHGATE_TUNE_HOST");
  c->add_flag("--profile-regressions", g.profile_regressions,
              "A/B gate: re-run each regressed cell once per side under perf and write a "
              "differential flame graph (artifacts/profile-regressions/)")
      ->envname("BENCHGATE_PROFILE_REGRESSIONS");
}

void apply_gate_flags(results::GateSettings& g, const GateFlags& f) {
  if (f.warn_only) g.warn_only = true;
  if (!f.testbed_mismatch.empty()) g.testbed_mismatch = f.testbed_mismatch;
  if (!f.confirm.empty()) g.confirm = parse_confirm_flag("--confirm", f.confirm);
  if (!f.alpha.empty()) g.alpha = parse_alpha_flag("--alpha", f.alpha);
}

}  // namespace

int execute_suite(config::SuiteConfig suite, const GateFlags& flags, const std::string& command) {
  apply_gate_flags(suite.gate, flags);
  if (!flags.out.empty()) suite.defaults.out = flags.out;
  runner::SuiteOptions o;
  o.command = command;
  o.baseline = flags.baseline;
  o.profile_regressions = flags.profile_regressions;
  o.tune_host = flags.tune_host;
  o.no_color = flags.no_color;
  return runner::run_suite(std::move(suite), o);
}

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  auto* c = app.add_subcommand("run",
                               "Run a suite file's matrix, gate it, write every report "
                               "(the default command)");
  c->add_option("-c,--config", o.config, "Suite file")->envname("BENCHGATE_CONFIG");
  c->add_option("--iterations", o.iterations, "Iterations (runs per app × scenario)");
  c->add_option("--filter", o.filter, "Only scenarios matching these globs: 'plain*,!slow'");
  c->add_option("--seed", o.seed, "Seed of the run order (recorded in results.json)");
  c->add_option("--duration", o.duration, "Measured length of each load period");
  c->add_option("--warmup", o.warmup, "Warm-up before each load period");
  c->add_option("--driver", o.driver, "Load driver for every scenario");
  c->add_option("--app-cpus", o.app_cpus, "CPU list for the apps");
  c->add_option("--driver-cpus", o.driver_cpus, "CPU list for the driver");
  c->add_option("--sleep", o.sleep, "Pause between runs");
  c->add_option("--profiler,--profile", o.profiler,
                "Profile every run: perf, perf-cg, perf-idle, flame, flame-all, massif, oprofile, "
                "oprofile-sys, none (overrides the suite's profiler key)");
  c->add_option("--set", o.set, "Override any setting: --set iterations=3 (repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  add_gate_flags(c, o.gate);
  return c;
}

int run_run(const RunOptions& o) {
  if (!fs::exists(o.config)) {
    throw UsageError(fmt::format(
        "-c/--config: suite file {} not found (write one: see the README, or `benchgate drive` "
        "/ `benchgate compare` run without a suite file)",
        o.config));
  }
  auto suite =
      config::parse_suite_file(o.config, platform::machine_context().value("host_name", ""));
  config::apply_env_overrides(suite, config::process_env());
  auto set = [&](const char* name, const std::string& value, const char* flag) {
    if (!value.empty()) config::apply_override(suite, name, value, flag);
  };
  set("iterations", o.iterations, "--iterations");
  set("filter", o.filter, "--filter");
  set("seed", o.seed, "--seed");
  set("duration", o.duration, "--duration");
  set("warmup", o.warmup, "--warmup");
  set("driver", o.driver, "--driver");
  set("app_cpus", o.app_cpus, "--app-cpus");
  set("driver_cpus", o.driver_cpus, "--driver-cpus");
  set("sleep", o.sleep, "--sleep");
  set("profiler", o.profiler, "--profiler");
  for (const auto& kv : o.set) {
    auto eq = kv.find('=');
    if (eq == std::string::npos)
      throw UsageError(fmt::format("--set: expected name=value, got '{}'", kv));
    config::apply_override(suite, kv.substr(0, eq), kv.substr(eq + 1), "--set " + kv.substr(0, eq));
  }
  return execute_suite(std::move(suite), o.gate, "run");
}

namespace {

// Splits a compare app argument at the commas outside quotes (quoting as in shell_split), so
// "sh -c 'echo a,b',label=x" is the command "sh -c 'echo a,b'" and one attribute.
std::vector<std::string> split_unquoted_commas(const std::string& s) {
  std::vector<std::string> parts(1);
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0;
    } else if (c == '\\' && i + 1 < s.size()) {
      parts.back() += c;
      c = s[++i];
    } else if (quote == '"') {
      if (c == '"') quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ',') {
      parts.emplace_back();
      continue;
    }
    parts.back() += c;
  }
  return parts;
}

// "name=value" with a lowercase name: an attribute (known or not), not part of the command.
bool looks_like_attribute(const std::string& part) {
  const auto eq = part.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  return std::all_of(part.begin(), part.begin() + static_cast<long>(eq),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

}  // namespace

config::AppSpec parse_compare_app(const std::string& spec, std::size_t index) {
  static const std::vector<std::string> keys = {"label", "instances", "pwd", "cwd", "cpus", "role"};
  const std::string arg = fmt::format("app {}", index + 1);
  config::AppSpec app;
  // The command, then ",key=value" attributes. A comma (outside quotes) that does not start an
  // attribute belongs to the command before the first attribute, and to the CPU list after
  // "cpus=" (cpus=0,2-3).
  const auto parts = split_unquoted_commas(spec);
  std::string cmd = parts[0];
  std::map<std::string, std::string> attrs;
  std::string current;  // the attribute being read
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto& part = parts[i];
    if (!looks_like_attribute(part)) {
      if (current.empty()) {
        cmd += "," + part;
      } else if (current == "cpus") {
        attrs[current] += "," + part;
      } else {
        throw UsageError(
            fmt::format("{} '{}': unexpected ',{}' after the attributes (quote a comma "
                        "that belongs to the command)",
                        arg, spec, part));
      }
      continue;
    }
    const auto eq = part.find('=');
    current = part.substr(0, eq);
    if (std::find(keys.begin(), keys.end(), current) == keys.end()) {
      throw UsageError(
          fmt::format("{} '{}': unknown attribute '{}' (expected label, instances, "
                      "pwd, cwd, cpus or role; quote a comma that belongs to the "
                      "command)",
                      arg, printable(spec, 200), printable(current)));
    }
    if (attrs.count(current) || (current == "pwd" && attrs.count("cwd")) ||
        (current == "cwd" && attrs.count("pwd"))) {
      throw UsageError(fmt::format("{} '{}': attribute '{}' given twice", arg, printable(spec, 200),
                                   printable(current)));
    }
    attrs[current] = part.substr(eq + 1);
  }
  app.command = with_context(arg, [&] { return shell_split(cmd); });
  if (app.command.empty()) throw UsageError(fmt::format("{}: empty command in '{}'", arg, spec));
  app.label = attrs.count("label") ? attrs["label"] : fs::path(app.command[0]).filename().string();
  if (app.label.empty()) throw UsageError(fmt::format("{}: empty label", arg));
  if (attrs.count("instances")) {
    auto n = with_context(arg + " instances", [&] { return parse_int(attrs["instances"]); });
    if (n < 1 || n > 1024) throw UsageError(fmt::format("{} instances: expected 1 to 1024", arg));
    app.instances = static_cast<int>(n);
  }
  if (attrs.count("pwd")) app.cwd = attrs["pwd"];
  if (attrs.count("cwd")) app.cwd = attrs["cwd"];
  if (attrs.count("cpus")) {
    app.cpus = with_context(arg + " cpus", [&] { return parse_cpu_list(attrs["cpus"]); });
  }
  if (attrs.count("role")) {
    app.role = attrs["role"];
    if (app.role != "baseline" && app.role != "candidate") {
      throw UsageError(
          fmt::format("{} role: expected baseline or candidate, got '{}'", arg, app.role));
    }
  }
  return app;
}

CLI::App* add_compare_command(CLI::App& app, CompareOptions& o) {
  auto* c = app.add_subcommand(
      "compare",
      "Run several apps over interleaved iterations and print a table (the old compare.sh)");
  c->add_option("apps", o.apps, "APP[,label=NAME][,instances=N][,pwd=DIR][,cpus=LIST][,role=...]")
      ->required()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("--url", o.url, "URL to drive")->required();
  c->add_option("--clients", o.clients, "Connections per load period, a list");
  c->add_option("--rates", o.rates, "Constant request rates (open loop), a list");
  c->add_option("--duration", o.duration, "Measured length of each load period");
  c->add_option("--warmup", o.warmup, "Warm-up before each load period");
  c->add_option("--iterations", o.iterations, "Iterations");
  c->add_option("--sleep", o.sleep, "Pause between runs");
  c->add_option("--driver", o.driver, "Load driver");
  c->add_option("--cpus", o.cpus, "CPU list for the apps");
  c->add_option("--driver-cpus", o.driver_cpus, "CPU list for the driver");
  c->add_option("--driver-threads", o.driver_threads, "Driver threads (0: automatic)");
  c->add_option("--pre-run", o.pre_run, "Shell command run before every run (cleanup, DB reset)");
  c->add_option("--client-host", o.client_host, "Run the driver on this host over ssh");
  c->add_option("--seed", o.seed, "Seed of the run order");
  c->add_option("--interval", o.interval, "Monitor sampling interval");
  add_gate_flags(c, o.gate);
  return c;
}

int run_compare(const CompareOptions& o) {
  config::SuiteConfig s;
  s.name = "compare";
  s.hostname = platform::machine_context().value("host_name", "");  // as `run` records it
  for (std::size_t i = 0; i < o.apps.size(); ++i) {
    auto app = parse_compare_app(o.apps[i], i);
    app.pre_run = o.pre_run;
    s.apps.push_back(std::move(app));
  }
  // Roles: both or neither, at most one of each; the message names the app argument.
  std::map<std::string, std::size_t> roles;  // role -> app index
  for (std::size_t i = 0; i < s.apps.size(); ++i) {
    const auto& role = s.apps[i].role;
    if (role.empty()) continue;
    if (auto [it, fresh] = roles.emplace(role, i); !fresh) {
      throw UsageError(fmt::format("app {} role: app {} already has role {}; at most one app may",
                                   i + 1, it->second + 1, role));
    }
  }
  if (roles.size() == 1) {
    const auto& [role, i] = *roles.begin();
    throw UsageError(
        fmt::format("app {} role: an A/B gate needs one app with role=baseline and "
                    "one with role=candidate; no app has role={}",
                    i + 1, role == "baseline" ? "candidate" : "baseline"));
  }
  // Labels must be unique. Given twice: an error. Taken from the command: number duplicates
  // (two builds of the same binary name).
  std::map<std::string, std::size_t> explicit_labels;
  for (std::size_t i = 0; i < o.apps.size(); ++i) {
    const auto& a = s.apps[i];
    if (a.label == fs::path(a.command[0]).filename().string()) continue;  // derived
    if (auto [it, fresh] = explicit_labels.emplace(a.label, i); !fresh) {
      throw UsageError(fmt::format("app {} label: '{}' is already the label of app {}", i + 1,
                                   printable(a.label), it->second + 1));
    }
  }
  std::map<std::string, int> seen;
  for (auto& a : s.apps) {
    if (seen[a.label]++ > 0) a.label += fmt::format("-{}", seen[a.label]);
  }
  config::ScenarioSpec sc;
  const auto url = with_context("--url", [&] { return parse_url(o.url); });
  auto path = url.target.substr(
      1, url.target.find('?') == std::string::npos ? std::string::npos : url.target.find('?') - 1);
  sc.name = path.empty() ? "root" : replace_all(path, "/", "_");
  sc.url = o.url;
  sc.clients = with_context("--clients", [&] { return parse_positive_int_list(o.clients); });
  if (!o.rates.empty())
    sc.rates = with_context("--rates", [&] { return parse_positive_double_list(o.rates); });
  s.scenarios.push_back(sc);
  auto& d = s.defaults;
  d.driver = o.driver;
  d.duration = with_context("--duration", [&] { return parse_duration(o.duration); });
  d.warmup = with_context("--warmup", [&] { return parse_duration(o.warmup); });
  d.interval = with_context("--interval", [&] { return parse_duration(o.interval); });
  if (o.iterations < 1) throw UsageError("--iterations: expected a positive integer");
  d.iterations = o.iterations;
  d.sleep = with_context("--sleep", [&] { return parse_duration(o.sleep); });
  d.app_cpus = with_context("--cpus", [&] { return parse_cpu_list(o.cpus); });
  d.driver_cpus = with_context("--driver-cpus", [&] { return parse_cpu_list(o.driver_cpus); });
  d.driver_threads = o.driver_threads;
  if (!o.client_host.empty() && !config::is_valid_client_host(o.client_host)) {
    throw UsageError(fmt::format("--client-host: expected {}, got '{}'", config::kClientHostRule,
                                 printable(o.client_host)));
  }
  d.client_host = o.client_host;
  if (!o.seed.empty()) {
    auto v = with_context("--seed", [&] { return parse_int(o.seed); });
    if (v < 0) throw UsageError("--seed: expected a non-negative integer");
    d.seed = static_cast<std::uint64_t>(v);
  }
  d.out = o.gate.out.empty()
              ? fs::path("compares") /
                    fmt::format("{:%Y%m%d-%H%M%S}", fmt::localtime(std::time(nullptr)))
              : fs::path(o.gate.out);
  GateFlags flags = o.gate;
  flags.out = d.out.string();
  return execute_suite(std::move(s), flags, "compare");
}

}  // namespace benchgate::cli
