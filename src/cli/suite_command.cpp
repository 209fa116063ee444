#include "cli/suite_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "cli/common.h"
#include "cli/tune_host.h"
#include "config/compare_app.h"
#include "config/names.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "gate/baseline.h"
#include "gate/gate.h"
#include "gate/outcome.h"
#include "matrix/matrix.h"
#include "platform/fs.h"
#include "platform/signals.h"
#include "platform/sysinfo.h"
#include "profilers/profiler.h"
#include "report/report.h"
#include "report/run_warnings.h"
#include "results/json.h"
#include "runner/runner.h"

namespace benchgate::cli {

namespace fs = std::filesystem;

namespace {

/// RunObserver → report::ProgressReporter, with elapsed / remaining estimates.
class Progress final : public runner::RunObserver {
 public:
  Progress(report::ProgressReporter& rep, const matrix::Plan& plan, Nanos sleep)
      : rep_(rep), plan_(plan), sleep_(sleep), t0_(system_clock().now()) {}

  void set_index(int i) { index_ = i; }

  void on_run_start(const runner::RunSpec& spec) override {
    run_t0_ = system_clock().now();
    emit(spec, spec.scenario, "starting", -1);
  }
  void on_phase(const runner::RunSpec& spec, const std::string& phase) override {
    emit(spec, cell_, phase, -1);
  }
  void on_period_start(const runner::RunSpec& spec, const results::LoadPoint& p) override {
    cell_ = results::cell_key(spec.scenario, p);
    emit(spec, cell_, "measuring", -1);
  }
  void on_interval(double rps) override {
    std::lock_guard lock(mu_);
    rps_ = rps;
  }
  void on_warning(const runner::RunSpec& spec, const std::string& message) override {
    rep_.message(fmt::format("benchgate: warning: run {}: {}", spec.id, message));
  }
  void on_run_end(const runner::RunSpec& spec, const results::RunRecord& rec) override {
    overhead_sum_ += rec.overhead_s;
    ++done_;
    report::RunDone d;
    d.run = &rec;
    d.index = index_;
    d.total = static_cast<int>(plan_.runs.size());
    d.iterations = spec.iterations;
    d.elapsed_s = elapsed();
    d.remaining_s = remaining(index_ + 1);
    rep_.run_finished(d);
    cell_.clear();
    rps_ = -1;
  }
  void tick(const runner::RunSpec& spec) { emit(spec, cell_, "measuring", rps_); }

 private:
  double elapsed() const { return to_seconds(system_clock().now() - t0_); }
  double remaining(int from) const {
    double s = 0;
    for (std::size_t i = static_cast<std::size_t>(from); i < plan_.runs.size(); ++i) {
      const auto& r = plan_.runs[i];
      s += to_seconds((r.warmup + r.duration) * static_cast<long>(r.points.size()) + sleep_);
      s += done_ ? overhead_sum_ / done_ : 0.5;
    }
    return s;
  }
  void emit(const runner::RunSpec& spec, const std::string& cell, const std::string& phase,
            double rps) {
    report::RunProgress p;
    p.index = index_;
    p.total = static_cast<int>(plan_.runs.size());
    p.iteration = spec.iteration;
    p.iterations = spec.iterations;
    p.app = spec.app.label;
    p.cell = cell.empty() ? spec.scenario : cell;
    p.phase = phase;
    p.elapsed_s = elapsed();
    double in_run = to_seconds(system_clock().now() - run_t0_);
    double this_run =
        to_seconds((spec.warmup + spec.duration) * static_cast<long>(spec.points.size()));
    p.remaining_s = remaining(index_ + 1) + std::max(0.0, this_run - in_run);
    {
      std::lock_guard lock(mu_);
      p.current_rps = rps >= 0 ? rps : rps_;
    }
    rep_.update(p);
  }

  report::ProgressReporter& rep_;
  const matrix::Plan& plan_;
  Nanos sleep_;
  Nanos t0_;
  Nanos run_t0_{0};
  int index_ = 0;
  int done_ = 0;
  double overhead_sum_ = 0;
  std::string cell_;
  std::mutex mu_;
  double rps_ = -1;
};

// Rejects what cannot run before anything starts: each distinct app × scenario × driver once.
void preflight_checks(const matrix::Plan& plan) {
  std::set<std::string> seen;
  for (const auto& run : plan.runs) {
    const auto key = run.app.label + "\n" + run.scenario + "\n" + run.driver;
    if (!seen.insert(key).second) continue;
    try {
      runner::check_run_spec(run);
    } catch (const Error& e) {
      if (e.code() == ExitCode::kUsage) {
        throw UsageError(
            fmt::format("app '{}', scenario '{}': {}", run.app.label, run.scenario, e.what()));
      }
      throw RunError(
          fmt::format("app '{}', scenario '{}': {}", run.app.label, run.scenario, e.what()));
    }
  }
}

bool has_ab_roles(const config::SuiteConfig& s) {
  bool b = false, c = false;
  for (const auto& a : s.apps) {
    b |= a.role == "baseline";
    c |= a.role == "candidate";
  }
  return b && c;
}

// Runs the planned runs in order; appends to results and checkpoints results.json after each.
// An app whose first two runs failed at start the same way has its remaining runs recorded as
// skipped instead (runner::FailFast); the other apps go on.
void run_plan(const matrix::Plan& plan, const config::SuiteConfig& suite, runner::RunContext& ctx,
              Progress& progress, runner::FailFast& fail_fast, results::ResultsFile& results,
              const fs::path& results_path) {
  bool slept_before = false;  // a run was started: pause before the next one
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    if (ctx.cancel.cancelled()) break;
    const auto& spec = plan.runs[i];
    progress.set_index(static_cast<int>(i));
    if (auto skip = fail_fast.skip(spec)) {
      results.runs.push_back(runner::skipped_run(spec, skip->reason, skip->kind, ctx.clock));
      progress.on_run_end(spec, results.runs.back());
      results::write_results(results, results_path);
      continue;
    }
    if (slept_before && suite.defaults.sleep > Nanos::zero()) {
      if (!ctx.clock.wait_for(suite.defaults.sleep, &ctx.cancel)) break;
    }
    slept_before = true;
    results.runs.push_back(runner::execute_run(spec, ctx));
    fail_fast.record(spec, results.runs.back());
    if (results.runs.back().status == "interrupted") break;
    results::write_results(results, results_path);
  }
}

void apply_gate_flags(results::GateSettings& g, const GateFlags& f) {
  if (f.warn_only) g.warn_only = true;
  if (!f.testbed_mismatch.empty()) g.testbed_mismatch = f.testbed_mismatch;
  if (!f.confirm.empty()) g.confirm = parse_confirm_flag("--confirm", f.confirm);
  if (!f.alpha.empty()) g.alpha = parse_alpha_flag("--alpha", f.alpha);
}

}  // namespace

/// Profiled pairs per regressed cell, their samples summed per side: at the demo's 2-second
/// periods (~2,000 cpu-clock samples per run at 999 Hz) one pair leaves a 10 % change of a
/// function with 70 % of the samples within ~2 standard deviations of sampling noise; three
/// pairs put it beyond 4.
constexpr int kProfilePairs = 3;

/// --profile-regressions: for every cell with a regressed verdict in an A/B gate, runs the
/// baseline app and the candidate app kProfilePairs more times each (interleaved, ABBA), at
/// that cell's load point only, under the `flame` profiler (perf call stacks, software cpu-clock
/// event), then renders a differential flame graph of the summed folded stacks, per 1,000
/// requests served while profiling (red: frames that cost more per request in the candidate,
/// blue: less; grey: within sampling noise). The extra runs are not gate samples: they are
/// recorded only under results.gate.regression_profiles. A profile that cannot be made is
/// recorded with its reason and never changes the exit code.
nlohmann::json profile_regressions(const matrix::Plan& plan, const config::SuiteConfig& suite,
                                   const gate::GateResult& verdicts, runner::RunContext& ctx,
                                   report::ProgressReporter& reporter) {
  nlohmann::json out = nlohmann::json::array();
  std::set<std::string> cells;
  for (const auto& v : verdicts.verdicts) {
    if (v.verdict == gate::Verdict::kRegressed) cells.insert(v.cell);
  }
  const fs::path dir = ctx.out_dir / "artifacts" / "profile-regressions";
  auto folded_of = [&](const results::RunRecord& r) -> std::optional<fs::path> {
    for (const auto& p : r.periods) {
      if (!p.profile) continue;
      for (const auto& a : p.profile->artifacts) {
        if (a.kind == "folded-stacks") return ctx.out_dir / a.path;
      }
    }
    return std::nullopt;
  };
  auto why_not = [](const results::RunRecord& r) {
    if (r.status != "ok") return fmt::format("run {}: {}", r.status, r.failure);
    for (const auto& p : r.periods) {
      if (p.profile && p.profile->status != "ok") return p.profile->reason;
    }
    return std::string("no folded stacks were recorded");
  };
  int n = 0;
  for (const auto& cell : cells) {
    if (ctx.cancel.cancelled()) break;
    nlohmann::json rec = {{"cell", cell}, {"profiler", "flame"}, {"pairs", kProfilePairs}};
    // The first planned run of each side whose scenario has this cell.
    std::optional<matrix::Run> base, cand;
    std::optional<results::LoadPoint> point;
    for (const auto& r : plan.runs) {
      for (const auto& pt : r.points) {
        if (results::cell_key(r.scenario, pt) != cell) continue;
        const auto& role = suite.apps[r.app_index].role;
        if (role == "baseline" && !base) base = r;
        if (role == "candidate" && !cand) cand = r;
        point = pt;
      }
    }
    if (!base || !cand || !point) {
      rec["status"] = "failed";
      rec["reason"] = "no baseline and candidate run in the plan for this cell";
      out.push_back(rec);
      continue;
    }
    ++n;
    const std::string tag = fmt::format("p{:02d}", n);
    reporter.message(
        fmt::format("profiling regressed cell {}: {} and {} {} times each under perf, interleaved",
                    cell, base->app.label, cand->app.label, kProfilePairs));
    // Sides [0] baseline, [1] candidate: folded stacks and the requests served while each
    // profile was recorded (the attached profiler covers the measured period).
    profilers::DiffSide sides[2];
    std::vector<std::string> run_ids[2];
    std::string failure[2];
    for (int pair = 0; pair < kProfilePairs && !ctx.cancel.cancelled(); ++pair) {
      // ABBA order: drift over the pairs affects both sides alike.
      const int first = pair % 2;
      for (int k : {first, 1 - first}) {
        const matrix::Run& r = k == 0 ? *base : *cand;
        matrix::Run spec = r;
        spec.id = fmt::format("{}-{}-{}-{}", tag, r.app.label, r.scenario, pair + 1);
        spec.points = {*point};
        spec.profiler = "flame";
        runner::RunContext pctx = ctx;
        pctx.observer = nullptr;  // not part of the plan the progress display counts
        const auto run = runner::execute_run(spec, pctx);
        run_ids[k].push_back(run.id);
        const auto folded = folded_of(run);
        if (!folded) {
          failure[k] = why_not(run);
          continue;
        }
        sides[k].folded.push_back(*folded);
        for (const auto& period : run.periods) {
          if (period.profile) sides[k].requests += static_cast<double>(period.driver.requests);
        }
      }
    }
    rec["app"] = cand->app.label;
    rec["baseline_run"] = run_ids[0].empty() ? "" : run_ids[0].front();
    rec["candidate_run"] = run_ids[1].empty() ? "" : run_ids[1].front();
    rec["baseline_runs"] = run_ids[0];
    rec["candidate_runs"] = run_ids[1];
    if (sides[0].folded.empty() || sides[1].folded.empty()) {
      rec["status"] = "failed";
      rec["reason"] =
          sides[0].folded.empty() ? "baseline: " + failure[0] : "candidate: " + failure[1];
      reporter.message("profile of " + cell + " failed: " + rec["reason"].get<std::string>());
      out.push_back(rec);
      continue;
    }
    try {
      fs::create_directories(dir);
      const fs::path svg = dir / (tag + "-diff-flamegraph.svg");
      profilers::write_diff_flamegraph(sides[0], sides[1], svg,
                                       fmt::format("{}: {} vs {} (red grew, blue shrank)", cell,
                                                   cand->app.label, base->app.label));
      rec["status"] = "ok";
      rec["diff_flamegraph"] = fs::relative(svg, ctx.out_dir).string();
      rec["baseline_folded"] = fs::relative(sides[0].folded.front(), ctx.out_dir).string();
      rec["candidate_folded"] = fs::relative(sides[1].folded.front(), ctx.out_dir).string();
      nlohmann::json all[2];
      for (int k : {0, 1}) {
        all[k] = nlohmann::json::array();
        for (const auto& f : sides[k].folded)
          all[k].push_back(fs::relative(f, ctx.out_dir).string());
      }
      rec["baseline_folded_all"] = all[0];
      rec["candidate_folded_all"] = all[1];
      rec["baseline_requests"] = sides[0].requests;
      rec["candidate_requests"] = sides[1].requests;
      reporter.message("differential flame graph: " + svg.string());
    } catch (const std::exception& e) {
      rec["status"] = "failed";
      rec["reason"] = e.what();
    }
    out.push_back(rec);
  }
  return out;
}

int execute_suite(config::SuiteConfig suite, const GateFlags& flags, const std::string& command) {
  apply_gate_flags(suite.gate, flags);
  if (!flags.out.empty()) suite.defaults.out = flags.out;
  config::validate_suite(suite);
  auto plan = matrix::expand(suite);
  preflight_checks(plan);

  std::optional<gate::Baseline> baseline;
  // A baseline that does not exist yet (the first run of a project) is not an error: the run is
  // measured and reported, and the outcome is "undecided: no baseline yet" (exit 3).
  const bool no_baseline = !flags.baseline.empty() && !fs::exists(flags.baseline);
  if (!flags.baseline.empty() && !no_baseline) {
    baseline = gate::read_baseline(flags.baseline);  // bad file: exit 2
  }

  const fs::path out = suite.defaults.out;
  const fs::path results_path = out / "results.json";
  CancelToken cancel;
  platform::SignalGuard signals(cancel);  // before new_results(), which runs git
  auto results = new_results(command, suite.name);
  results.suite = config::suite_to_json(suite);
  results.order.seed = plan.seed;
  results.order.sequence = plan.sequence();
  results.planned_runs = static_cast<int>(plan.runs.size());
  if (no_baseline) {
    std::cerr << fmt::format(
        "benchgate: warning: no baseline yet: {} does not exist; the runs are measured and "
        "reported, and the outcome will be undecided (exit 3). Create it with `benchgate "
        "baseline update --from <results.json> --to {}`\n",
        flags.baseline, flags.baseline);
  }

  // Warn up front when the configured runs can never reach the Holm-adjusted α.
  const bool ab = has_ab_roles(suite);
  if (ab || baseline) {
    int cells = 0, min_iter = 1 << 30;
    for (const auto& sc : suite.scenarios) {
      if (!matrix::filter_matches(suite.filter, sc.name)) continue;
      cells += static_cast<int>(sc.clients.size() * std::max<std::size_t>(1, sc.rates.size()));
      min_iter = std::min(min_iter, sc.iterations.value_or(suite.defaults.iterations));
    }
    const int tests = cells * static_cast<int>(gate::gated_metric_names(suite.gate).size());
    if (auto warn = gate::check_run_count(min_iter, tests,
                                          suite.gate.alpha * gate::look_alpha_scale(suite.gate),
                                          ab && !baseline)) {
      results.warnings.push_back(*warn);
      std::cerr << "benchgate: warning: " << *warn << "\n";
    }
  }

  TuneHostScope tuning(flags.tune_host, results.suite, std::cerr);  // restored after the runs
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  const bool color = !flags.no_color && stdout_is_tty();
  auto reporter = report::make_progress_reporter(std::cerr, tty, 100, !flags.no_color && tty);
  Progress progress(*reporter, plan, suite.defaults.sleep);
  runner::RunContext ctx{system_clock(), cancel, out, &progress};
  std::cerr << fmt::format("benchgate: {} runs ({} apps, {} scenarios), seed {}, output {}\n",
                           plan.runs.size(), suite.apps.size(), plan.scenarios.size(), plan.seed,
                           out.string());
  // The life cycle (results/model.h): "running" from this first checkpoint on; "complete" only
  // with the last write, once every planned run has finished; "failed" when an error stops
  // benchgate; "interrupted" after a signal.
  results::write_results(results, results_path);
  std::optional<gate::GateResult> verdicts;
  runner::FailFast fail_fast;
  try {
    run_plan(plan, suite, ctx, progress, fail_fast, results, results_path);

    // The gate.
    if (!cancel.cancelled()) {
      if (no_baseline) {
        gate::GateResult g;
        g.mode = "baseline";
        g.baseline_source = flags.baseline;
        g.alpha = suite.gate.alpha;
        g.no_baseline = true;
        g.notes.push_back(fmt::format("no baseline yet: {} does not exist", flags.baseline));
        verdicts = std::move(g);
      } else if (baseline) {
        verdicts = gate::run_against_baseline(results, *baseline, suite.gate, flags.baseline);
      } else if (ab) {
        verdicts = gate::run_ab(results, suite.gate);
        if (suite.gate.confirm > 0 && gate::needs_confirmation(*verdicts)) {
          int last = 0;
          for (const auto& r : plan.runs)
            last = std::max(last, r.iteration);
          matrix::ExpandOptions more;
          more.first_iteration = last + 1;
          more.iterations = suite.gate.confirm;
          more.first_sequence = static_cast<int>(plan.runs.size());
          auto suite2 = suite;
          suite2.defaults.seed = plan.seed + 1;
          auto extra = matrix::expand(suite2, more);
          reporter->message(fmt::format("confirmation extension: {} more runs ({} pairs)",
                                        extra.runs.size(), suite.gate.confirm));
          for (const auto& id : extra.sequence())
            results.order.sequence.push_back(id);
          results.planned_runs += static_cast<int>(extra.runs.size());
          Progress progress2(*reporter, extra, suite.defaults.sleep);
          ctx.observer = &progress2;
          run_plan(extra, suite, ctx, progress2, fail_fast, results, results_path);
          if (!cancel.cancelled()) verdicts = gate::confirm_ab(*verdicts, results, suite.gate);
        }
      }
    }
    nlohmann::json regression_profiles;
    if (flags.profile_regressions && verdicts && !cancel.cancelled()) {
      if (verdicts->mode != "ab") {
        reporter->message("--profile-regressions needs an A/B gate (baseline and candidate apps)");
      } else {
        regression_profiles = profile_regressions(plan, suite, *verdicts, ctx, *reporter);
      }
    }
    tuning.restore();
    reporter->finish();
    results.finished_at = platform::iso8601_now();
    if (cancel.cancelled()) {
      results.status = "interrupted";
    } else if (static_cast<int>(results.runs.size()) < results.planned_runs) {
      results.status = "failed";
      results.failure =
          fmt::format("only {} of {} planned runs ran", results.runs.size(), results.planned_runs);
    } else {
      results.status = "complete";
    }
    if (verdicts) results.gate = gate::to_json(*verdicts);
    if (!regression_profiles.is_null()) results.gate["regression_profiles"] = regression_profiles;
    results.outcome = gate::outcome_json(
        gate::decide_outcome(&results, verdicts ? &*verdicts : nullptr, suite.gate.warn_only));
    results::write_results(results, results_path);  // a failure here leaves "running" on disk
  } catch (const std::exception& e) {
    // benchgate could not finish: say so in the file, if it can still be written.
    results.status = "failed";
    results.failure = e.what();
    results.finished_at = platform::iso8601_now();
    try {
      results::write_results(results, results_path);
    } catch (const std::exception&) {
      // The disk refused the last checkpoint too: the file on disk still says "running".
    }
    throw;
  }

  report::ReportOptions ro;
  ro.out_dir = out;
  auto model = report::build_model(results, verdicts, ro);
  auto written = report::write_all(model, out);
  report::ConsoleOptions co;
  co.color = color;
  report::write_results_table(model, std::cout, co);
  if (verdicts) report::write_verdict_table(model, std::cout, co);
  report::write_problems(model, std::cout, co);
  report::write_run_warnings(model, std::cout, co);
  report::write_outcome(model, std::cout, co);
  std::cout << fmt::format("\nreports: {}\n", out.string());
  report::github_integrate(model, report::render_markdown(model), written.named(),
                           report::process_env(), std::cout);
  return static_cast<int>(model.outcome.exit_code);  // the one decision (gate/outcome.h)
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

// `run --dry-run`: the resolved plan on stdout, one line per run, in execution order.
int print_plan(const config::SuiteConfig& suite) {
  config::validate_suite(suite);
  const auto plan = matrix::expand(suite);
  fmt::print("{}: {} runs ({} scenarios), order seed {}, load time at least {}\n",
             suite.source.empty() ? suite.name : suite.source.string(),
             format_count(plan.runs.size()), plan.scenarios.size(), plan.seed,
             format_duration(plan.load_time(suite.defaults.sleep)));
  for (const auto& run : plan.runs) {
    std::vector<std::string> points;
    for (const auto& p : run.points)
      points.push_back(p.key());
    fmt::print("{:>4}  {}  {} {}  [{}]  {} + {} warm-up\n", run.sequence + 1, run.id, run.driver,
               run.url, join(points, ", "), format_duration(run.duration),
               format_duration(run.warmup));
  }
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
