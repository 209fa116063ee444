// execute_run: one run as a sequence of named steps (pre-flight, pre-run hooks, launch,
// readiness, idle footprint, load points, shutdown, post-run, verdict) over the seams of
// RunContext::seams (runner/seams.h) and the RunContext's clock.

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <optional>
#include <tuple>

#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "monitor/monitor.h"
#include "platform/fs.h"
#include "platform/numa.h"
#include "platform/sysinfo.h"
#include "runner/instructions.h"
#include "runner/profiling.h"
#include "runner/runner.h"
#include "runner/seams.h"
#include "runner/session.h"

namespace benchgate::runner {

namespace fs = std::filesystem;

namespace {

// "{instance}" in the command becomes the instance number (0-based), e.g. for per-instance
// ports or log names.
std::vector<std::string> instance_argv(const config::AppSpec& app, int index) {
  std::vector<std::string> argv = config::launch_argv(app);
  for (auto& a : argv)
    a = replace_all(a, "{instance}", std::to_string(index));
  return argv;
}

bool expected_termination(const platform::ExitStatus& s) {
  if (!s.exited) return s.signal == SIGTERM || s.signal == SIGINT;
  return s.code == 0 || s.code == 128 + SIGTERM || s.code == 128 + SIGINT;
}

Ending interrupted(std::string reason) {
  return {"interrupted", std::move(reason), kind::kInterrupted};
}

}  // namespace

class Execution {
 public:
  Execution(const RunSpec& spec, RunContext& ctx)
      : spec_(spec), ctx_(ctx), seams_(ctx.seams), clock_(ctx.clock) {}

  results::RunRecord run() {
    start();
    if (auto e = preflight()) return finish(*e);
    if (auto e = pre_run_hooks()) return finish(*e);
    if (auto e = launch()) return finish(*e);
    std::optional<Ending> e = wait_until_ready();
    if (!e) {
      measure_idle();
      e = drive_load_points();
    }
    shutdown();
    if (e) return finish(*e);
    post_run();
    return finish(verdict());
  }

  // The steps as AppSession (runner/session.h) takes them, for pairing = "bursts".
  std::optional<Ending> open() {
    start();
    if (auto e = preflight()) return e;
    if (auto e = pre_run_hooks()) return e;
    if (auto e = launch()) return e;
    launched_ = true;
    auto e = wait_until_ready();
    if (!e) measure_idle();
    return e;
  }

  Burst burst(const results::LoadPoint& point, Nanos warmup, const std::string& tag) {
    warmup_ = warmup;
    tag_ = tag;
    Burst b;
    b.period.point = point;
    if (ctx_.cancel.cancelled()) {
      b.period.status = "interrupted";
      b.period.reason = "interrupted before the burst";
      b.ending = interrupted(b.period.reason);
      return b;
    }
    if (auto e = died_before("burst " + tag + point.key())) {
      b.period.status = "failed";
      b.period.reason = e->reason;
      b.ending = std::move(e);
      return b;
    }
    const auto artifacts_before = rec_.artifacts.size();
    b.ending = drive_point(point);
    b.period = std::move(rec_.periods.back());
    rec_.periods.pop_back();
    b.artifacts.assign(rec_.artifacts.begin() + static_cast<std::ptrdiff_t>(artifacts_before),
                       rec_.artifacts.end());
    rec_.artifacts.resize(artifacts_before);
    invalid_.clear();  // an invalid burst fails its own run, not the lifetime
    return b;
  }

  results::RunRecord close(std::optional<Ending> e) {
    if (launched_) shutdown();
    if (!e) {
      post_run();
      e = verdict();
    }
    return finish(*e);
  }

 private:
  void phase(const char* name) {
    if (ctx_.observer) ctx_.observer->on_phase(spec_, name);
  }
  void warn(std::string w) {
    if (ctx_.observer) ctx_.observer->on_warning(spec_, w);
    rec_.warnings.push_back(std::move(w));
  }
  void flush_profiler_warnings() {
    for (auto& w : profiling_->take_warnings())
      warn(std::move(w));
  }

  // The record, the artifact folder, the profiler (unavailable ones are reported and the run
  // goes on without them), the URL and the driver.
  void start() {
    t_begin_ = clock_.now();
    rec_ = new_run_record(spec_, clock_);
    if (ctx_.observer) ctx_.observer->on_run_start(spec_);
    rel_dir_ = fs::path("artifacts") / file_safe(spec_.id);
    abs_dir_ = ctx_.out_dir / rel_dir_;
    std::error_code ec;
    fs::create_directories(abs_dir_, ec);
    if (ec) {
      throw InternalError(fmt::format("cannot create {}: {}", abs_dir_.string(), ec.message()));
    }
    profiling_.emplace(spec_, ctx_.out_dir, rel_dir_, ctx_.cancel, seams_.make_profiler);
    flush_profiler_warnings();
    url_ = parse_url(spec_.url);
    driver_ = seams_.make_driver(spec_.driver);
  }

  // Records how the run ended (the first ending wins), the run's profile and its timings.
  results::RunRecord finish(Ending e) {
    if (rec_.status == "ok") {
      rec_.status = std::move(e.status);
      rec_.failure = std::move(e.reason);
      if (rec_.status != "ok") rec_.failure_kind = std::move(e.kind);
    }
    if (profiling_->configured()) {
      if (profiling_->active()) phase("profile");
      rec_.profile = profiling_->run_profile(rec_.periods, app_started_);
      flush_profiler_warnings();
    }
    rec_.elapsed_s = to_seconds(clock_.now() - t_begin_);
    rec_.overhead_s = std::max(0.0, rec_.elapsed_s - to_seconds(measured_));
    if (ctx_.observer) ctx_.observer->on_run_end(spec_, rec_);
    return rec_;
  }

  // 1. Never benchmark somebody else's server. The previous run's app (or something it left)
  // may still be closing its listening socket: wait a bounded time for the port to close
  // before calling it taken.
  std::optional<Ending> preflight() {
    if (!ctx_.preflight) return std::nullopt;
    phase("pre-flight");
    const bool verify = spec_.driver_options.tls_verify;
    auto pr = seams_.probe(url_, std::chrono::milliseconds(500), verify, clock_);
    const auto until = clock_.now() + ctx_.port_wait;
    while (pr.connected && clock_.now() < until && !ctx_.cancel.cancelled()) {
      clock_.wait_for(std::chrono::milliseconds(50), &ctx_.cancel);
      pr = seams_.probe(url_, std::chrono::milliseconds(500), verify, clock_);
    }
    if (!pr.connected) return std::nullopt;
    std::string holders;
    try {
      holders = seams_.port_holders(url_.port);
    } catch (const std::exception&) {
      // Naming the holder is a courtesy: the port is still in use either way.
    }
    return Ending{"failed",
                  fmt::format("something already answers at {} before the app was started "
                              "(port {} in use{}{}); refusing to benchmark it",
                              spec_.url, url_.port,
                              ctx_.port_wait > Nanos::zero()
                                  ? fmt::format(", still after {}", format_duration(ctx_.port_wait))
                                  : "",
                              holders.empty() ? "" : ", held by " + holders),
                  kind::kPortInUse};
  }

  // Runs a user's shell hook (pre/post-run script) to completion; returns "" or the reason.
  std::string run_hook(const std::string& command, const fs::path& log) {
    platform::SpawnOptions o;
    o.argv = {"/bin/sh", "-c", command};
    o.stdout_path = log;
    o.append = true;
    o.cwd = spec_.app.cwd;
    o.clock = &clock_;
    auto p = seams_.launch(o);
    auto st = p->wait_for(std::chrono::minutes(10), &ctx_.cancel);
    if (!st) {
      p->terminate(std::chrono::seconds(2));
      return ctx_.cancel.cancelled() ? "interrupted during the script '" + command + "'"
                                     : "script '" + command + "' did not finish within 10 minutes";
    }
    if (!st->success()) {
      return fmt::format("script '{}' failed ({})\n{}", command, st->describe(), log_tail(log));
    }
    return "";
  }

  // 2. Pre-run hooks (scenario, then app): cleanup, DB reset, ...
  std::optional<Ending> pre_run_hooks() {
    for (const auto* hook : {&spec_.scenario_pre_run, &spec_.app.pre_run}) {
      if (hook->empty()) continue;
      phase("pre-run");
      rec_.artifacts.push_back(
          {"pre-run-log", (rel_dir_ / "pre-run.log").string(), "pre-run script output"});
      if (auto err = run_hook(*hook, abs_dir_ / "pre-run.log"); !err.empty()) {
        if (ctx_.cancel.cancelled()) return interrupted(err);
        return Ending{"failed", err, kind::kPreRunFailed};
      }
    }
    return std::nullopt;
  }

  // numa_node: numactl binds each instance's CPUs and memory to the node, or a warning says
  // why not (a single-node machine, numactl missing) and the app runs unbound.
  std::vector<std::string> numa_binding_prefix() {
    if (!spec_.numa_node) return {};
    const auto numactl = platform::find_executable("numactl");
    auto b = platform::numa_binding(*spec_.numa_node, platform::numa_nodes(),
                                    numactl ? numactl->string() : std::string());
    if (b.unavailable.empty()) return std::move(b.prefix);
    rec_.warnings.push_back(
        fmt::format("numa_node {}: unavailable: {}", *spec_.numa_node, b.unavailable));
    return {};
  }

  // The period's RSS and CPU traces as CSV files too (the old harness wrote an RSS CSV).
  void write_trace_csvs(const results::PeriodResult& period) {
    if (period.app.traces.empty()) return;
    const std::string stem = file_safe(tag_ + period.point.key() + "-");
    for (const auto& [kind, name, text] :
         {std::tuple{"rss-csv", "rss.csv", monitor::rss_csv(period.app.traces)},
          std::tuple{"cpu-csv", "cpu.csv", monitor::cpu_csv(period.app.traces)}}) {
      platform::write_file_atomic(abs_dir_ / (stem + name), text);
      rec_.artifacts.push_back({kind, (rel_dir_ / (stem + name)).string(),
                                fmt::format("{} trace for {} (CSV)", name, period.point.key())});
    }
  }

  // 3. Launch the instances and start monitoring at once (start-up is part of the trace).
  std::optional<Ending> launch() {
    phase("starting");
    monitor::MonitorOptions mo;
    mo.interval = spec_.interval;
    mo.cpus = spec_.app.cpus.empty() ? platform::available_cpus() : spec_.app.cpus;
    mon_ = seams_.make_monitor(mo, clock_);
    // What already runs under benchgate (nothing, usually; a hook's daemon) is not the app's:
    // after the app is stopped, any other descendant is something the app left behind.
    before_launch_ = seams_.descendants();
    const auto numa_prefix = numa_binding_prefix();
    t_launch_ = clock_.now();
    for (int i = 0; i < spec_.app.instances; ++i) {
      platform::SpawnOptions o;
      o.argv = profiling_->launch_argv(instance_argv(spec_.app, i), i);
      o.argv.insert(o.argv.begin(), numa_prefix.begin(), numa_prefix.end());
      o.cwd = spec_.app.cwd;
      o.env = spec_.app.env;
      o.cpus = spec_.app.cpus;
      o.clock = &clock_;
      const auto log_name = fmt::format("app-{}.log", i);
      o.stdout_path = abs_dir_ / log_name;
      // A kill -9 of benchgate takes the app's top process with it. execute_run runs on the
      // main thread (spawn checks), so the signal does not fire when some other thread ends.
      o.die_with_parent = true;
      results::InstanceInfo info;
      info.index = i;
      info.command = o.argv;
      info.cpus = format_cpu_list(spec_.app.cpus);
      info.log = (rel_dir_ / log_name).string();
      try {
        procs_.push_back(seams_.launch(o));
      } catch (const RunError& e) {
        return Ending{"failed", e.what(), kind::kStartFailed};
      }
      info.pid = procs_.back()->pid();
      app_started_ = true;
      mon_->add_root(info.pid, i);
      rec_.instances.push_back(std::move(info));
      rec_.artifacts.push_back(
          {"app-log", rec_.instances.back().log, fmt::format("instance {} stdout/stderr", i)});
    }
    mon_->start();
    return std::nullopt;
  }

  // The run's ending when an instance died before `what` ("load point c=64") was driven.
  std::optional<Ending> died_before(const std::string& what) {
    auto crash = crashed_instance();
    if (!crash) return std::nullopt;
    return Ending{"failed", fmt::format("the app died before {}: {}", what, *crash),
                  kind::kCrashed};
  }

  // The first instance that has exited, described with its log's tail.
  std::optional<std::string> crashed_instance() {
    for (std::size_t i = 0; i < procs_.size(); ++i) {
      if (auto st = procs_[i]->poll()) {
        return fmt::format("instance {} (pid {}) {}\n{}", i, procs_[i]->pid(), st->describe(),
                           log_tail(abs_dir_ / fmt::format("app-{}.log", i)));
      }
    }
    return std::nullopt;
  }

  // 4. Readiness: poll quickly at first (start-up time resolution), then every 20 ms.
  std::optional<Ending> wait_until_ready() {
    phase("waiting for readiness");
    Nanos poll_every = std::chrono::milliseconds(1);
    std::string last_error;
    const Url ready_url = spec_.app.ready_url.empty() ? url_ : parse_url(spec_.app.ready_url);
    for (;;) {
      if (ctx_.cancel.cancelled()) {
        return interrupted("interrupted while waiting for the app to become ready");
      }
      if (auto crash = crashed_instance()) {
        return Ending{"failed", fmt::format("the app exited before it became ready: {}", *crash),
                      kind::kExitedAtStart};
      }
      const auto elapsed = clock_.now() - t_launch_;
      if (elapsed > spec_.ready_timeout) {
        return Ending{"failed",
                      fmt::format("the app never became ready: no HTTP answer at {} within {} "
                                  "(last error: {})\n{}",
                                  ready_url.str(), format_duration(spec_.ready_timeout), last_error,
                                  log_tail(abs_dir_ / "app-0.log")),
                      kind::kNotReady};
      }
      auto pr = seams_.probe(
          ready_url, std::min<Nanos>(std::chrono::seconds(1), spec_.ready_timeout - elapsed),
          spec_.driver_options.tls_verify, clock_);
      if (pr.answered) {
        rec_.startup.time_to_ready_s = to_seconds(clock_.now() - t_launch_);
        if (pr.status >= 400) {
          rec_.warnings.push_back(
              fmt::format("the readiness URL {} answered HTTP {}", ready_url.str(), pr.status));
        }
        return std::nullopt;
      }
      last_error = pr.error;
      clock_.wait_for(poll_every, &ctx_.cancel);
      poll_every = std::min<Nanos>(poll_every * 2, std::chrono::milliseconds(20));
    }
  }

  // 5. Idle footprint before the first load period.
  void measure_idle() {
    phase("idle");
    auto s0 = mon_->sample_now();
    const auto t0 = clock_.now();
    clock_.wait_for(ctx_.idle_window, &ctx_.cancel);
    auto s1 = mon_->sample_now();
    const double dt = to_seconds(clock_.now() - t0);
    rec_.startup.idle_rss = s1.rss_total;
    rec_.startup.idle_cpu_percent = dt > 0 ? (s1.cpu_total_s - s0.cpu_total_s) / dt * 100.0 : 0;
    rec_.startup.measured = true;
    rec_.metrics["startup_time"] = rec_.startup.time_to_ready_s;
    if (s1.rss_total > 0) rec_.metrics["idle_rss"] = static_cast<double>(s1.rss_total);
  }

  // 6. Load periods. An invalid one is recorded and the remaining ones still run.
  std::optional<Ending> drive_load_points() {
    for (const auto& point : spec_.points) {
      if (ctx_.cancel.cancelled()) break;
      if (auto e = died_before("load point " + point.key())) return e;
      if (auto e = drive_point(point)) return e;
    }
    return std::nullopt;
  }

  drivers::DriveRequest request_for(const results::LoadPoint& point) const {
    drivers::DriveRequest req;
    req.url = spec_.url;
    req.point = point;
    req.duration = spec_.duration;
    req.warmup = warmup_ ? *warmup_ : spec_.warmup;
    req.interval = spec_.interval;
    req.options = spec_.driver_options;
    req.out_dir = ctx_.out_dir;
    req.artifact_prefix = (rel_dir_ / file_safe(tag_ + point.key() + "-")).string();
    return req;
  }

  // One load period: the driver runs warm-up then the measured part, during which the monitor
  // (and an attached profiler) record; then what the period's status is.
  std::optional<Ending> drive_point(const results::LoadPoint& point) {
    if (ctx_.observer) ctx_.observer->on_period_start(spec_, point);
    const auto req = request_for(point);
    results::PeriodResult period;
    period.point = point;
    bool began = false, ended = false;
    std::vector<int> roots;
    for (const auto& p : procs_)
      roots.push_back(p->pid());
    drivers::DriveHooks hooks;
    hooks.on_measure_start = [&] {
      mon_->begin_period();
      began = true;
      profiling_->period_start(roots, point.key());
    };
    hooks.on_measure_end = [&] {
      if (began && !ended) {
        period.app = mon_->end_period();
        ended = true;
        profiling_->period_signal_stop();
      }
    };
    hooks.on_interval = [&](double rps) {
      if (ctx_.observer) ctx_.observer->on_interval(rps);
    };
    const auto t_period = clock_.now();
    try {
      period.driver = driver_->run(req, hooks, ctx_.cancel, clock_);
    } catch (const RunError& e) {
      period.status = "failed";
      period.reason = e.what();
    } catch (const ParseError& e) {
      period.status = "failed";
      period.reason = fmt::format("cannot read the {} output: {}", spec_.driver, e.what());
    }
    if (began && !ended) period.app = mon_->end_period();
    measured_ += std::min<Nanos>(clock_.now() - t_period, req.warmup + spec_.duration);
    if (began) {
      // Stopped at the measured period's end; written out and post-processed now, before
      // the next load point (the app idles meanwhile).
      if (profiling_->active()) phase("profile");
      period.profile = profiling_->period_finish();
      flush_profiler_warnings();
    }
    return judge_period(std::move(period));
  }

  // A driven period's status (interrupted, crashed, invalid), recorded; the run's ending when
  // the period ends it.
  std::optional<Ending> judge_period(results::PeriodResult period) {
    const char* period_kind = kind::kDriverFailed;
    if (period.status == "ok") {
      if (ctx_.cancel.cancelled()) {
        period.status = "interrupted";
        period.reason = "interrupted during the load period";
      } else if (auto crash = crashed_instance()) {
        period.status = "failed";
        period.reason =
            fmt::format("the app crashed during load point {}: {}", period.point.key(), *crash);
        period_kind = kind::kCrashed;
      } else if (!period.driver.invalid_reasons.empty()) {
        // Invalid (errors above max_error_rate, driver saturated, rate missed, ...): the
        // period is left out of the statistics and the run failed. The remaining load points
        // still run, for the record.
        period.status = "invalid";
        period.reason = join(period.driver.invalid_reasons, "; ");
        invalid_.push_back(
            fmt::format("load point {} invalid: {}", period.point.key(), period.reason));
      }
    }
    results::derive_metrics(period);
    write_trace_csvs(period);
    if (!period.driver.raw_output.empty()) {
      rec_.artifacts.push_back({"driver-output", period.driver.raw_output,
                                fmt::format("{} output for {}", spec_.driver, period.point.key())});
    }
    const std::string status = period.status;
    const std::string reason = period.reason;
    rec_.periods.push_back(std::move(period));
    if (status == "failed") return Ending{"failed", reason, period_kind};
    if (status == "interrupted") return interrupted(reason);
    return std::nullopt;
  }

  // 7. Stops the app's instances, then whatever they left behind, and records how they ended.
  void shutdown() {
    phase("stopping");
    std::vector<std::string> unexpected;
    for (std::size_t i = 0; i < procs_.size(); ++i) {
      auto& p = *procs_[i];
      const bool already = p.status().has_value() || p.poll().has_value();
      // On interrupt everything must be gone within 2 s: short grace, then SIGKILL.
      auto st =
          p.terminate(ctx_.cancel.cancelled()
                          ? std::chrono::milliseconds(800)
                          : profiling_->stop_grace(static_cast<int>(i), std::chrono::seconds(5)));
      const bool expected = profiling_->wrapped(static_cast<int>(i)) ? profiling_->expected_exit(st)
                                                                     : expected_termination(st);
      if (already || !expected)
        unexpected.push_back(fmt::format("instance {} {}", i, st.describe()));
    }
    // Whatever escaped the process groups (setsid, double fork) was re-parented to benchgate,
    // the subreaper: stop it now, so nothing of this run is left when the next one starts.
    platform::SweepOptions sweep;
    sweep.keep = before_launch_;
    for (const auto& p : procs_)
      sweep.quiet_groups.push_back(p->pid());
    sweep.grace = ctx_.cancel.cancelled() ? std::chrono::milliseconds(200) : ctx_.survivor_grace;
    const auto survivors = seams_.stop_descendants(sweep);
    for (const auto& s : survivors)
      warn("the app left a process running after it was stopped: " + s.describe());
    mon_->stop();
    rec_.traces = mon_->run_traces();
    rec_.termination.expected = unexpected.empty();
    rec_.termination.description =
        unexpected.empty() ? "terminated by SIGTERM as expected" : join(unexpected, "; ");
    if (!survivors.empty()) {
      rec_.termination.description +=
          fmt::format("; it left {} process{} running, stopped by benchgate (see warnings)",
                      survivors.size(), survivors.size() == 1 ? "" : "es");
    }
  }

  // 8. The scenario's post-processing step (its failure is a warning).
  void post_run() {
    if (spec_.scenario_post_run.empty() || ctx_.cancel.cancelled()) return;
    phase("post-run");
    rec_.artifacts.push_back(
        {"post-run-log", (rel_dir_ / "post-run.log").string(), "post-run script output"});
    if (auto err = run_hook(spec_.scenario_post_run, abs_dir_ / "post-run.log"); !err.empty()) {
      rec_.warnings.push_back(err);
    }
  }

  // 9. How a run that drove every load point ended.
  Ending verdict() const {
    if (ctx_.cancel.cancelled()) return interrupted("interrupted");
    if (!invalid_.empty()) {
      std::string reason = join(invalid_, "; ");
      if (!rec_.termination.expected)
        reason += "; unexpected termination: " + rec_.termination.description;
      return {"failed", reason, kind::kInvalid};
    }
    if (!rec_.termination.expected) {
      return {"failed", "unexpected termination: " + rec_.termination.description,
              kind::kUnexpectedExit};
    }
    return {"ok", "", ""};
  }

  const RunSpec& spec_;
  RunContext& ctx_;
  const RunSeams& seams_;
  Clock& clock_;
  Nanos t_begin_{0};
  results::RunRecord rec_;
  fs::path rel_dir_;
  fs::path abs_dir_;
  Url url_;
  // Destroyed in reverse: the app's processes first (terminated), then the monitor, the
  // driver and the profiler.
  std::optional<RunProfiling> profiling_;
  std::unique_ptr<drivers::Driver> driver_;
  bool app_started_ = false;
  Nanos measured_{0};
  std::unique_ptr<AppMonitor> mon_;
  std::vector<platform::ProcessKey> before_launch_;
  Nanos t_launch_{0};
  std::vector<std::unique_ptr<Process>> procs_;
  std::vector<std::string> invalid_;
  // Bursts (AppSession): whether the app was launched, the warm-up of the next period and the
  // prefix of its artifact names.
  bool launched_ = false;
  std::optional<Nanos> warmup_;
  std::string tag_;
};

AppSession::AppSession(const RunSpec& spec, RunContext& ctx)
    : impl_(std::make_unique<Execution>(spec, ctx)) {}
AppSession::~AppSession() = default;
std::optional<Ending> AppSession::open() {
  return impl_->open();
}
Burst AppSession::burst(const results::LoadPoint& point, Nanos warmup, const std::string& tag) {
  return impl_->burst(point, warmup, tag);
}
results::RunRecord AppSession::close(std::optional<Ending> ending) {
  return impl_->close(std::move(ending));
}

results::RunRecord execute_run(const RunSpec& spec, RunContext& ctx) {
  if (is_counting_run(spec)) return execute_counting_run(spec, ctx);
  return Execution(spec, ctx).run();
}

}  // namespace benchgate::runner
