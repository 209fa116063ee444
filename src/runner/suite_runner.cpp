#include "runner/suite_runner.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <set>
#include <span>

#include "core/error.h"
#include "gate/outcome.h"
#include "matrix/matrix.h"
#include "platform/signals.h"
#include "platform/sysinfo.h"
#include "report/report.h"
#include "report/run_warnings.h"
#include "results/json.h"
#include "results/metrics.h"
#include "runner/bursts.h"
#include "runner/checkpoint.h"
#include "runner/instruction_explanations.h"
#include "runner/instructions.h"
#include "runner/progress.h"
#include "runner/regression_profiles.h"
#include "runner/runner.h"
#include "runner/tune_host.h"

namespace benchgate::runner {

namespace fs = std::filesystem;

namespace {

// Rejects what cannot run before anything starts: each distinct app × scenario × driver once.
void preflight_checks(const matrix::Plan& plan) {
  std::set<std::string> seen;
  for (const auto& run : plan.runs) {
    const auto key = run.app.label + "\n" + run.scenario + "\n" + run.driver;
    if (!seen.insert(key).second) continue;
    try {
      check_run_spec(run);
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

// Warns up front when the configured runs can never reach the Holm-adjusted α.
void warn_run_count(const config::SuiteConfig& suite, const GateSource& source,
                    results::ResultsFile& results) {
  if (!source.ab && !source.baseline) return;
  int cells = 0, min_iter = 1 << 30;
  for (const auto& sc : suite.scenarios) {
    if (!matrix::filter_matches(suite.filter, sc.name)) continue;
    if (config::is_counting_mode(sc.driver_options.measure)) continue;  // spread rule, no rank test
    cells += static_cast<int>(sc.clients.size() * std::max<std::size_t>(1, sc.rates.size()));
    min_iter = std::min(min_iter, sc.iterations.value_or(suite.defaults.iterations));
  }
  if (cells == 0) return;
  const auto gated = gate::gated_metric_names(suite.gate);
  const int tests = cells * static_cast<int>(gated.size());
  const double alpha = suite.gate.alpha * gate::look_alpha_scale(suite.gate);
  auto warn = [&](const std::string& w) {
    results.warnings.push_back(w);
    std::cerr << "benchgate: warning: " << w << "\n";
  };
  if (auto w = gate::check_run_count(min_iter, tests, alpha, source.ab && !source.baseline)) {
    warn(*w);
  }
  // pairing = "bursts": the start-up metrics have one pair per start, not per burst pair.
  const bool startup_gated =
      std::find(gated.begin(), gated.end(), results::metric::kStartupTime) != gated.end() ||
      std::find(gated.begin(), gated.end(), results::metric::kIdleRss) != gated.end();
  for (const auto& sc : suite.scenarios) {
    if (!startup_gated || !matrix::filter_matches(suite.filter, sc.name) ||
        sc.driver_options.pairing != config::kPairingBursts) {
      continue;
    }
    const int iterations = sc.iterations.value_or(suite.defaults.iterations);
    const int starts = std::min(sc.driver_options.starts, iterations);
    if (auto w = gate::check_run_count(starts, tests, alpha, true)) {
      warn(
          fmt::format("scenario {} (pairing = \"bursts\"): its start-up metrics get one pair "
                      "per start: {} (`starts`), or disable startup_time and idle_rss in [gate]",
                      sc.name, *w));
    }
  }
}

// A bursts session one of whose apps fail-fast skips: every run of it is recorded as skipped
// (the partner's as partner_failed). False when the session is to run.
bool skip_session(std::span<const RunSpec> session, const FailFast& fail_fast, RunContext& ctx,
                  Progress& progress, results::ResultsFile& results) {
  const RunSpec* skipped = nullptr;
  std::optional<FailFast::Skip> why;
  for (const auto& r : session) {
    if ((why = fail_fast.skip(r))) {
      skipped = &r;
      break;
    }
  }
  if (!skipped) return false;
  for (const auto& r : session) {
    if (r.app.label == skipped->app.label) {
      results.runs.push_back(skipped_run(r, why->reason, why->kind, ctx.clock));
    } else {
      results.runs.push_back(skipped_run(
          r,
          fmt::format("not run: its partner '{}' is skipped ({})", skipped->app.label, why->reason),
          kind::kPartnerFailed, ctx.clock));
    }
    progress.on_run_end(r, results.runs.back());
  }
  return true;
}

// Runs a bursts session (runner/bursts.h) and records its runs; false when it was interrupted.
bool run_session(std::span<const RunSpec> session, FailFast& fail_fast, RunContext& ctx,
                 results::ResultsFile& results) {
  bool interrupted = false;
  for (auto& rec : execute_bursts(session, ctx)) {
    interrupted = interrupted || rec.status == "interrupted";
    for (const auto& r : session) {
      if (r.id == rec.id && rec.status != "skipped") fail_fast.record(r, rec);
    }
    results.runs.push_back(std::move(rec));
  }
  return !interrupted;
}

// Runs the planned runs in order; appends to results and checkpoints results.json after each.
// An app whose first two runs failed at start the same way has its remaining runs recorded as
// skipped instead (FailFast); the other apps go on.
void run_plan(const matrix::Plan& plan, Nanos sleep, RunContext& ctx, Progress& progress,
              FailFast& fail_fast, results::ResultsFile& results, const Checkpoint& checkpoint) {
  bool slept_before = false;  // a run was started: pause before the next one
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    if (ctx.cancel.cancelled()) break;
    const auto& spec = plan.runs[i];
    progress.set_index(static_cast<int>(i));
    if (is_bursts_run(spec)) {
      const auto n = session_length(plan.runs, i);
      const auto session = std::span(plan.runs).subspan(i, n);
      i += n - 1;
      if (!skip_session(session, fail_fast, ctx, progress, results)) {
        if (slept_before && sleep > Nanos::zero()) {
          if (!ctx.clock.wait_for(sleep, &ctx.cancel)) break;
        }
        slept_before = true;
        if (!run_session(session, fail_fast, ctx, results)) break;
      }
      checkpoint.write();
      continue;
    }
    if (auto skip = fail_fast.skip(spec)) {
      results.runs.push_back(skipped_run(spec, skip->reason, skip->kind, ctx.clock));
      progress.on_run_end(spec, results.runs.back());
      checkpoint.write();
      continue;
    }
    if (slept_before && sleep > Nanos::zero()) {
      if (!ctx.clock.wait_for(sleep, &ctx.cancel)) break;
    }
    slept_before = true;
    results.runs.push_back(execute_run(spec, ctx));
    fail_fast.record(spec, results.runs.back());
    if (results.runs.back().status == "interrupted") break;
    checkpoint.write();
  }
}

// One suite invocation's state, from the plan to the exit code.
class SuiteRun {
 public:
  SuiteRun(config::SuiteConfig suite, const SuiteOptions& options)
      : suite_(std::move(suite)), options_(options) {}

  int run();

 private:
  void plan() {
    config::validate_suite(suite_);
    if (options_.shard)
      plan_one_shard(*options_.shard);
    else
      plan_ = matrix::expand(suite_);
    preflight_checks(plan_);
    if (options_.shard && !options_.baseline.empty()) {
      std::cerr << fmt::format(
          "benchgate: note: a shard is not gated: --baseline {} is for `benchgate merge "
          "--baseline`, which checks it against every shard's testbed\n",
          options_.baseline);
      return;  // no gate source: nothing to read or warn about here
    }
    source_ = GateSource::load(options_.baseline, has_ab_roles(suite_));
  }

  // The shard's part of the whole plan; it does not gate (merge gates the whole family), so the
  // confirmation extension, which decides on the family's verdicts, cannot run in it.
  void plan_one_shard(const ShardSpec& spec) {
    if (suite_.gate.confirm > 0) {
      throw UsageError(fmt::format(
          "{}: the confirmation extension (gate.confirm = {}) decides on the verdicts of the "
          "whole family, which only `benchgate merge` sees; set --confirm 0 for a sharded run",
          spec.source, suite_.gate.confirm));
    }
    if (options_.profile_regressions) {
      throw UsageError(fmt::format(
          "{}: --profile-regressions needs the verdicts of the whole family, which only "
          "`benchgate merge` sees; not available in a sharded run",
          spec.source));
    }
    auto sharded = runner::plan_shard(suite_, spec);
    plan_ = std::move(sharded.plan);
    shard_ = std::move(sharded.record);
  }

  void start_results() {
    results_ = new_results(options_.command, suite_.name);
    use_counting_testbed(plan_, results_.testbed);  // instruction mode: portable baselines
    results_.suite = config::suite_to_json(suite_);
    results_.order.seed = plan_.seed;
    results_.order.sequence = plan_.sequence();
    results_.planned_runs = static_cast<int>(plan_.runs.size());
    if (options_.shard) results_.shard = shard_;  // the outcome says "not gated here"
    if (source_.no_baseline()) {
      std::cerr << fmt::format(
          "benchgate: warning: no baseline yet: {} does not exist; the runs are measured and "
          "reported, and the outcome will be undecided (exit 3). Create it with `benchgate "
          "baseline update --from <results.json> --to {}`\n",
          options_.baseline, options_.baseline);
    }
    warn_run_count(suite_, source_, results_);
  }

  // The gate, with the confirmation extension when an A/B verdict asks for it: more
  // interleaved pairs, run once, then the confirmed verdicts.
  void gate(RunContext& ctx, report::ProgressReporter& reporter, FailFast& fail_fast,
            const Checkpoint& checkpoint) {
    if (options_.shard) return;  // merge gates
    verdicts_ = gate_results(results_, suite_.gate, source_);
    if (!verdicts_ || !source_.baseline_path.empty() || !source_.ab) return;
    if (suite_.gate.confirm <= 0 || !gate::needs_confirmation(*verdicts_)) return;
    int last = 0;
    for (const auto& r : plan_.runs)
      last = std::max(last, r.iteration);
    matrix::ExpandOptions more;
    more.first_iteration = last + 1;
    more.iterations = suite_.gate.confirm;
    more.first_sequence = static_cast<int>(plan_.runs.size());
    auto suite2 = suite_;
    suite2.defaults.seed = plan_.seed + 1;
    auto extra = matrix::expand(suite2, more);
    reporter.message(fmt::format("confirmation extension: {} more runs ({} pairs)",
                                 extra.runs.size(), suite_.gate.confirm));
    for (const auto& id : extra.sequence())
      results_.order.sequence.push_back(id);
    results_.planned_runs += static_cast<int>(extra.runs.size());
    Progress progress2(reporter, extra, suite_.defaults.sleep, ctx.clock);
    RunContext ctx2 = ctx;
    ctx2.observer = &progress2;
    run_plan(extra, suite_.defaults.sleep, ctx2, progress2, fail_fast, results_, checkpoint);
    if (!ctx.cancel.cancelled()) verdicts_ = gate::confirm_ab(*verdicts_, results_, suite_.gate);
  }

  config::SuiteConfig suite_;
  const SuiteOptions& options_;
  matrix::Plan plan_;
  GateSource source_;
  results::ResultsFile results_;
  std::optional<gate::GateResult> verdicts_;
  nlohmann::json shard_;  ///< results.json "shard" of a sharded run
};

// Plan → runs → gate (+ confirmation) → regression profiles → results.json → reports. The
// signal guard, the host tuning and the progress display live exactly as long as this call.
int SuiteRun::run() {
  plan();
  const fs::path out = suite_.defaults.out;
  CancelToken cancel;
  platform::SignalGuard signals(cancel);  // before new_results(), which runs git
  start_results();
  TuneHostScope tuning(options_.tune_host, results_.suite, std::cerr);  // restored after the runs
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  const bool color = !options_.no_color && ::isatty(STDOUT_FILENO) == 1;
  auto reporter = report::make_progress_reporter(std::cerr, tty, 100, !options_.no_color && tty);
  Clock& clock = system_clock();
  Progress progress(*reporter, plan_, suite_.defaults.sleep, clock);
  RunContext ctx{clock, cancel, out, &progress};
  std::cerr << fmt::format(
      "benchgate: {}{} runs ({} apps, {} scenarios), seed {}, output {}\n",
      options_.shard ? fmt::format("shard {}/{}: ", options_.shard->index, options_.shard->total)
                     : "",
      plan_.runs.size(), suite_.apps.size(), plan_.scenarios.size(), plan_.seed, out.string());
  Checkpoint checkpoint(results_, out / "results.json");
  checkpoint.write();  // "running" from here on (runner/checkpoint.h)
  FailFast fail_fast;
  try {
    run_plan(plan_, suite_.defaults.sleep, ctx, progress, fail_fast, results_, checkpoint);
    if (!cancel.cancelled()) gate(ctx, *reporter, fail_fast, checkpoint);
    nlohmann::json regression_profiles;
    if (options_.profile_regressions && verdicts_ && !cancel.cancelled()) {
      if (verdicts_->mode != "ab") {
        reporter->message("--profile-regressions needs an A/B gate (baseline and candidate apps)");
      } else {
        ctx.observer = nullptr;
        regression_profiles = profile_regressions(plan_, suite_, *verdicts_, ctx, *reporter);
      }
    }
    // Instruction mode: per-function explanations of regressed counted cells (A/B only).
    nlohmann::json explanations;
    if (verdicts_ && !cancel.cancelled()) {
      explanations = explain_counted_regressions(results_, *verdicts_, out);
    }
    tuning.restore();
    reporter->finish();
    settle_status(results_, cancel.cancelled(), platform::iso8601_now());
    record_outcome(results_, verdicts_, suite_.gate.warn_only, regression_profiles);
    if (!explanations.empty()) results_.gate["explanations"] = explanations;
    checkpoint.write();  // a failure here leaves "running" on disk
  } catch (const std::exception& e) {
    // benchgate could not finish: say so in the file, if it can still be written.
    checkpoint.fail(e.what(), platform::iso8601_now());
    throw;
  }
  return write_reports(results_, verdicts_, ReportTarget{out, color, &std::cout});
}

}  // namespace

bool has_ab_roles(const config::SuiteConfig& s) {
  bool b = false, c = false;
  for (const auto& a : s.apps) {
    b |= a.role == "baseline";
    c |= a.role == "candidate";
  }
  return b && c;
}

GateSource GateSource::load(const std::string& baseline_path, bool ab) {
  GateSource s;
  s.baseline_path = baseline_path;
  s.ab = ab;
  if (!baseline_path.empty() && fs::exists(baseline_path)) {
    s.baseline = gate::read_baseline(baseline_path);  // bad file: exit 2
  }
  return s;
}

std::optional<gate::GateResult> gate_results(const results::ResultsFile& results,
                                             const results::GateSettings& settings,
                                             const GateSource& source) {
  if (source.no_baseline()) {
    gate::GateResult g;
    g.mode = "baseline";
    g.baseline_source = source.baseline_path;
    g.alpha = settings.alpha;
    g.no_baseline = true;
    g.notes.push_back(fmt::format("no baseline yet: {} does not exist", source.baseline_path));
    return g;
  }
  if (source.baseline) {
    return gate::run_against_baseline(results, *source.baseline, settings, source.baseline_path);
  }
  if (source.ab) return gate::run_ab(results, settings);
  return std::nullopt;
}

void record_outcome(results::ResultsFile& results, const std::optional<gate::GateResult>& verdicts,
                    bool warn_only, const nlohmann::json& regression_profiles) {
  if (verdicts) results.gate = gate::to_json(*verdicts);
  if (!regression_profiles.is_null()) results.gate["regression_profiles"] = regression_profiles;
  results.outcome = gate::outcome_json(
      gate::decide_outcome(&results, verdicts ? &*verdicts : nullptr, warn_only));
}

int write_reports(const results::ResultsFile& results,
                  const std::optional<gate::GateResult>& verdicts, const ReportTarget& target) {
  std::ostream& out = *target.out;
  report::ReportOptions ro;
  ro.out_dir = target.out_dir;
  auto model = report::build_model(results, verdicts, ro);
  auto written = report::write_all(model, target.out_dir);
  report::ConsoleOptions co;
  co.color = target.color;
  report::write_results_table(model, out, co);
  if (verdicts) report::write_verdict_table(model, out, co);
  report::write_problems(model, out, co);
  report::write_run_warnings(model, out, co);
  report::write_outcome(model, out, co);
  out << fmt::format("\nreports: {}\n", target.out_dir.string());
  report::github_integrate(model, report::render_markdown(model), written.named(),
                           report::process_env(), out);
  return static_cast<int>(model.outcome.exit_code);  // the one decision (gate/outcome.h)
}

int gate_and_report(results::ResultsFile results, const results::GateSettings& settings,
                    const GateSource& source, const ReportTarget& target) {
  const auto verdicts = gate_results(results, settings, source);
  record_outcome(results, verdicts, settings.warn_only);
  Checkpoint(results, target.out_dir / "results.json").write();
  return write_reports(results, verdicts, target);
}

int run_suite(config::SuiteConfig suite, const SuiteOptions& options) {
  return SuiteRun(std::move(suite), options).run();
}

}  // namespace benchgate::runner
