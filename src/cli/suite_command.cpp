#include "cli/suite_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>

#include "cli/common.h"
#include "config/compare_app.h"
#include "config/names.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "matrix/matrix.h"
#include "platform/sysinfo.h"
#include "runner/suite_runner.h"

namespace benchgate::cli {

namespace fs = std::filesystem;

namespace {

/// --shard / BENCHGATE_SHARD, resolved (auto reads the CI's variables); nullopt: not sharded.
std::optional<runner::ShardSpec> shard_of(const config::SuiteConfig& suite) {
  if (suite.invocation.shard.empty()) return std::nullopt;
  return runner::parse_shard(suite.invocation.shard, suite.invocation.shard_origin,
                             config::process_env());
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
  o.shard = shard_of(suite);
  return runner::run_suite(std::move(suite), o);
}

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  auto* c = app.add_subcommand("run",
                               "Run a suite file's matrix, gate it, write every report "
                               "(the default command)");
  add_table_options(c, config::kRunCommand, o.options);
  c->add_flag("--dry-run", o.dry_run,
              "Resolve the suite (file, BENCHGATE_* variables, flags) and print the plan: every "
              "run in order with its load points; start nothing");
  return c;
}

namespace {

void print_runs(const matrix::Plan& plan) {
  for (const auto& run : plan.runs) {
    std::vector<std::string> points;
    for (const auto& p : run.points)
      points.push_back(p.key());
    // A bursts run says which start of both apps it belongs to; its warm-up is burst_warmup
    // (an app's first burst of a start has the full warm-up).
    const bool bursts = run.driver_options.pairing == config::kPairingBursts;
    fmt::print("{:>4}  {}  {} {}  [{}]  {} + {} warm-up{}\n", run.sequence + 1, run.id, run.driver,
               run.url, join(points, ", "), format_duration(run.duration),
               format_duration(run.warmup_per_point()),
               bursts ? fmt::format("  (burst, start {})", run.session + 1) : "");
  }
}

// `run --shard I/N --dry-run`: the partition (which cells go to which shard) and this shard's
// runs, numbered as in the whole plan.
int print_shard_plan(config::SuiteConfig suite, const runner::ShardSpec& spec) {
  const auto sharded = runner::plan_shard(suite, spec);
  const auto& p = sharded.partition;
  fmt::print("{}: {} runs ({} scenarios), order seed {}, load time at least {}\n",
             suite.source.empty() ? suite.name : suite.source.string(),
             format_count(sharded.whole_runs), p.units.size(), sharded.plan.seed,
             format_duration(sharded.whole_load));
  fmt::print(
      "{} shards (unit: a scenario with all its cells, apps and iterations; balanced by "
      "planned load time), suite hash {}:\n",
      p.total, sharded.record.value("suite_hash", ""));
  for (int s = 1; s <= p.total; ++s) {
    std::vector<std::string> cells;
    for (const auto& u : p.units) {
      if (u.shard == s) cells.insert(cells.end(), u.cells.begin(), u.cells.end());
    }
    fmt::print("  shard {}/{}{}: {} runs, load time at least {}: {}\n", s, p.total,
               s == spec.index ? " (this one)" : "", p.runs_of(s),
               format_duration(p.load[static_cast<std::size_t>(s - 1)]), join(cells, ", "));
  }
  fmt::print("shard {}/{} ({}): {} runs\n", spec.index, spec.total, spec.source,
             sharded.plan.runs.size());
  print_runs(sharded.plan);
  return 0;
}

// `run --dry-run`: the resolved plan on stdout, one line per run, in execution order.
int print_plan(const config::SuiteConfig& suite) {
  config::validate_suite(suite);
  if (auto spec = shard_of(suite)) return print_shard_plan(suite, *spec);
  const auto plan = matrix::expand(suite);
  fmt::print("{}: {} runs ({} scenarios), order seed {}, load time at least {}\n",
             suite.source.empty() ? suite.name : suite.source.string(),
             format_count(plan.runs.size()), plan.scenarios.size(), plan.seed,
             format_duration(plan.load_time(suite.defaults.sleep)));
  print_runs(plan);
  return 0;
}

/// The per-invocation settings execute_suite() takes; the gate settings are in suite.gate.
GateFlags invocation_flags(const config::SuiteConfig& suite) {
  GateFlags f;
  f.baseline = suite.invocation.baseline;
  f.no_color = suite.invocation.no_color;
  f.tune_host = suite.invocation.tune_host;
  f.profile_regressions = suite.invocation.profile_regressions;
  f.out = suite.defaults.out.string();
  return f;
}

}  // namespace

int run_run(const RunOptions& o) {
  const auto given = given_options(o.options, config::process_env());
  const std::string config_file = config::given_value(given, "config").value_or("benchgate.toml");
  if (!fs::exists(config_file)) {
    throw UsageError(fmt::format(
        "-c/--config: suite file {} not found (write one: see the README, or `benchgate drive` "
        "/ `benchgate compare` run without a suite file)",
        config_file));
  }
  auto suite =
      config::parse_suite_file(config_file, platform::machine_context().value("host_name", ""));
  config::apply_options(suite, given, "the command-line and BENCHGATE_* options");
  if (o.dry_run) return print_plan(suite);
  const auto flags = invocation_flags(suite);
  return execute_suite(std::move(suite), flags, "run");
}

CLI::App* add_compare_command(CLI::App& app, CompareOptions& o) {
  auto* c = app.add_subcommand(
      "compare",
      "Run several apps over interleaved iterations and print a table (the old compare.sh)");
  add_table_options(c, config::kCompareCommand, o.options);
  return c;
}

namespace {

/// compares/DATE-TIME[-NAME], made unique: the folder is claimed with mkdir (which fails when it
/// exists), so two compares started in the same second, even at once, never share one.
fs::path unique_compare_folder(const std::string& name) {
  const auto stamp = fmt::format("{:%Y%m%d-%H%M%S}", fmt::localtime(std::time(nullptr)));
  const std::string base = name.empty() || name == "compare" ? stamp : stamp + "-" + name;
  const fs::path parent = "compares";
  fs::create_directories(parent);
  for (int i = 1;; ++i) {
    const fs::path dir = parent / (i == 1 ? base : fmt::format("{}-{}", base, i));
    if (fs::create_directory(dir)) return dir;
    if (i > 10'000) throw RunError("compares/: cannot find a free folder name for " + base);
  }
}

}  // namespace

int run_compare(const CompareOptions& o) {
  const auto given = given_options(o.options, config::process_env());
  const auto app_args = split(config::given_value(given, "apps").value_or(""), '\n', true);
  if (app_args.empty()) throw UsageError("apps: at least one app argument is required");
  const auto url_text = config::given_value(given, "url");
  if (!url_text || trim(*url_text).empty()) throw UsageError("--url is required");
  config::SuiteConfig s;
  s.name = "compare";
  s.hostname = platform::machine_context().value("host_name", "");  // as `run` records it
  for (std::size_t i = 0; i < app_args.size(); ++i) {
    s.apps.push_back(config::parse_compare_app(app_args[i], i));
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
  for (std::size_t i = 0; i < s.apps.size(); ++i) {
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
  const auto url = with_context("--url", [&] { return parse_url(*url_text); });
  auto path = url.target.substr(
      1, url.target.find('?') == std::string::npos ? std::string::npos : url.target.find('?') - 1);
  sc.name = path.empty() ? "root" : replace_all(path, "/", "_");
  sc.url = url.str();
  sc.clients = {128};
  s.scenarios.push_back(sc);
  // compare's defaults (the old compare.sh's), then BENCHGATE_* variables, then flags.
  s.defaults.duration = std::chrono::seconds(30);
  s.defaults.iterations = 5;
  s.defaults.out.clear();
  config::apply_options(s, given, "the compare options");
  if (s.defaults.out.empty()) s.defaults.out = unique_compare_folder(s.name);
  const auto flags = invocation_flags(s);
  return execute_suite(std::move(s), flags, "compare");
}

}  // namespace benchgate::cli
