#include "runner/runner.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <deque>
#include <fstream>
#include <optional>
#include <tuple>

#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "drivers/driver.h"
#include "monitor/monitor.h"
#include "platform/fs.h"
#include "platform/numa.h"
#include "platform/sockets.h"
#include "platform/subprocess.h"
#include "platform/survivors.h"
#include "platform/sysinfo.h"
#include "profilers/profiler.h"
#include "runner/probe.h"
#include "runner/profiling.h"

namespace benchgate::runner {

namespace fs = std::filesystem;

namespace {

double unix_now(Clock& clock) {
  return std::chrono::duration<double>(clock.wall().time_since_epoch()).count();
}

std::string fs_safe(std::string s) {
  for (auto& c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
  }
  return s;
}

// "{instance}" in the command becomes the instance number (0-based), e.g. for per-instance
// ports or log names.
std::vector<std::string> instance_argv(const config::AppSpec& app, int index) {
  std::vector<std::string> argv = config::launch_argv(app);
  for (auto& a : argv)
    a = replace_all(a, "{instance}", std::to_string(index));
  return argv;
}

// Runs a user's shell hook (pre/post-run script) to completion; returns "" or the reason.
std::string run_hook(const std::string& command, const fs::path& log, const fs::path& cwd,
                     const CancelToken& cancel) {
  platform::SpawnOptions o;
  o.argv = {"/bin/sh", "-c", command};
  o.stdout_path = log;
  o.append = true;
  o.cwd = cwd;
  auto p = platform::Subprocess::spawn(o);
  auto st = p.wait_for(std::chrono::minutes(10), &cancel);
  if (!st) {
    p.terminate();
    return cancel.cancelled() ? "interrupted during the script '" + command + "'"
                              : "script '" + command + "' did not finish within 10 minutes";
  }
  if (!st->success()) {
    return fmt::format("script '{}' failed ({})\n{}", command, st->describe(), log_tail(log));
  }
  return "";
}

bool expected_termination(const platform::ExitStatus& s) {
  if (!s.exited) return s.signal == SIGTERM || s.signal == SIGINT;
  return s.code == 0 || s.code == 128 + SIGTERM || s.code == 128 + SIGINT;
}

}  // namespace

std::string log_tail(const fs::path& path, int lines) {
  std::string text;
  try {
    text = platform::read_file(path);
  } catch (...) {
    return "";
  }
  if (text.size() > 64 * 1024) text = text.substr(text.size() - 64 * 1024);
  std::deque<std::string> tail;
  for (auto& line : split(text, '\n')) {
    tail.push_back(std::move(line));
    if (static_cast<int>(tail.size()) > lines + 1) tail.pop_front();
  }
  while (!tail.empty() && trim(tail.back()).empty())
    tail.pop_back();
  std::string out;
  for (const auto& l : tail)
    out += "  | " + l + "\n";
  return out.empty() ? "" : fmt::format("last lines of {}:\n{}", path.string(), out);
}

bool is_start_failure(std::string_view failure_kind) {
  return failure_kind == kind::kNotReady || failure_kind == kind::kExitedAtStart ||
         failure_kind == kind::kStartFailed;
}

std::string describe_start_failure(std::string_view failure_kind, const RunSpec& spec) {
  if (failure_kind == kind::kNotReady) {
    return fmt::format("never became ready within {:g} s", to_seconds(spec.ready_timeout));
  }
  if (failure_kind == kind::kExitedAtStart) return "exited before it became ready";
  if (failure_kind == kind::kStartFailed) return "could not be started";
  return std::string(failure_kind);
}

void FailFast::record(const RunSpec& spec, const results::RunRecord& rec) {
  auto& a = apps_[spec.app.label];
  ++a.runs;
  const std::string k = rec.status == "failed" && is_start_failure(rec.failure_kind)
                            ? rec.failure_kind
                            : std::string();
  if (a.runs == 1) {
    a.first_kind = k;
  } else if (a.runs == 2 && !k.empty() && k == a.first_kind) {
    a.skip = Skip{
        fmt::format("failed the same way in runs 1 and 2: {}", describe_start_failure(k, spec)), k};
  }
}

std::optional<FailFast::Skip> FailFast::skip(const RunSpec& spec) const {
  auto it = apps_.find(spec.app.label);
  return it == apps_.end() ? std::nullopt : it->second.skip;
}

namespace {

// A run's record as it starts: who, what, where and when (execute_run and skipped_run).
results::RunRecord record_for(const RunSpec& spec, Clock& clock) {
  results::RunRecord rec;
  rec.id = spec.id;
  rec.sequence = spec.sequence;
  rec.iteration = spec.iteration;
  rec.app = spec.app.label;
  rec.role = spec.app.role;
  rec.scenario = spec.scenario;
  rec.url = spec.url;
  rec.started_at = unix_now(clock);
  return rec;
}

}  // namespace

results::RunRecord skipped_run(const RunSpec& spec, const std::string& reason,
                               const std::string& failure_kind, Clock& clock) {
  results::RunRecord rec = record_for(spec, clock);
  rec.status = "skipped";
  rec.failure = reason;
  rec.failure_kind = failure_kind;
  rec.termination.description = "not started";
  return rec;
}

void check_run_spec(const RunSpec& spec) {
  if (spec.app.command.empty()) throw UsageError("no app command given (--app)");
  with_context("--url", [&] { return parse_url(spec.url); });
  if (spec.points.empty()) throw UsageError("no load points (--clients)");
  if (spec.app.instances < 1) throw UsageError("--instances: expected a positive integer");
  platform::check_cpus_available(spec.app.cpus, "--cpus");
  platform::check_cpus_available(spec.driver_options.cpus, "--driver-cpus");
  auto driver = drivers::make_driver(spec.driver);
  drivers::DriveRequest probe_req;
  probe_req.url = spec.url;
  probe_req.options = spec.driver_options;
  probe_req.duration = spec.duration;
  probe_req.warmup = spec.warmup;
  for (const auto& p : spec.points) {
    probe_req.point = p;
    driver->validate(probe_req);
  }
  driver->check_available(spec.driver_options);
  // Only the name: a profiler that cannot run here does not stop the run (see RunProfiling).
  if (!spec.profiler.empty() && spec.profiler != "none") {
    profilers::make_profiler(spec.profiler);  // UsageError naming the valid ones
  }
  if (!spec.app.shell && !platform::find_executable(spec.app.command[0])) {
    throw RunError(fmt::format("cannot start '{}': {}", spec.app.command[0],
                               spec.app.command[0].find('/') == std::string::npos
                                   ? "not found on PATH"
                                   : "no such executable file"));
  }
}

results::RunRecord execute_run(const RunSpec& spec, RunContext& ctx) {
  Clock& clock = ctx.clock;
  const auto t_begin = clock.now();
  results::RunRecord rec = record_for(spec, clock);
  if (ctx.observer) ctx.observer->on_run_start(spec);

  const fs::path rel_dir = fs::path("artifacts") / fs_safe(spec.id);
  const fs::path abs_dir = ctx.out_dir / rel_dir;
  std::error_code ec;
  fs::create_directories(abs_dir, ec);
  if (ec) throw InternalError(fmt::format("cannot create {}: {}", abs_dir.string(), ec.message()));

  // The profiler (if any): unavailable ones are reported and the run goes on without them.
  RunProfiling profiling(spec, ctx.out_dir, rel_dir, ctx.cancel);
  auto flush_warnings = [&] {
    for (auto& w : profiling.take_warnings()) {
      if (ctx.observer) ctx.observer->on_warning(spec, w);
      rec.warnings.push_back(std::move(w));
    }
  };
  flush_warnings();
  bool app_started = false;

  Nanos measured{0};
  auto finish = [&](std::string status, std::string reason,
                    std::string failure_kind) -> results::RunRecord {
    if (rec.status == "ok") {
      rec.status = std::move(status);
      rec.failure = std::move(reason);
      if (rec.status != "ok") rec.failure_kind = std::move(failure_kind);
    }
    if (profiling.configured()) {
      if (profiling.active() && ctx.observer) ctx.observer->on_phase(spec, "profile");
      rec.profile = profiling.run_profile(rec.periods, app_started);
      flush_warnings();
    }
    rec.elapsed_s = to_seconds(clock.now() - t_begin);
    rec.overhead_s = std::max(0.0, rec.elapsed_s - to_seconds(measured));
    if (ctx.observer) ctx.observer->on_run_end(spec, rec);
    return rec;
  };
  auto phase = [&](const char* name) {
    if (ctx.observer) ctx.observer->on_phase(spec, name);
  };

  const Url url = parse_url(spec.url);
  auto driver = drivers::make_driver(spec.driver);

  // 1. Pre-flight: never benchmark somebody else's server.
  if (ctx.preflight) {
    phase("pre-flight");
    auto pr = probe_url(url, std::chrono::milliseconds(500), spec.driver_options.tls_verify);
    // The previous run's app (or something it left) may still be closing its listening
    // socket: wait a bounded time for the port to close before calling it taken.
    const auto until = clock.now() + ctx.port_wait;
    while (pr.connected && clock.now() < until && !ctx.cancel.cancelled()) {
      clock.wait_for(std::chrono::milliseconds(50), &ctx.cancel);
      pr = probe_url(url, std::chrono::milliseconds(500), spec.driver_options.tls_verify);
    }
    if (pr.connected) {
      std::string holders;
      try {
        holders = platform::describe_holders(
            platform::find_port_holders(platform::ProcReader(), url.port));
      } catch (const std::exception&) {
        // Naming the holder is a courtesy: the port is still in use either way.
      }
      return finish(
          "failed",
          fmt::format("something already answers at {} before the app was started "
                      "(port {} in use{}{}); refusing to benchmark it",
                      spec.url, url.port,
                      ctx.port_wait > Nanos::zero()
                          ? fmt::format(", still after {}", format_duration(ctx.port_wait))
                          : "",
                      holders.empty() ? "" : ", held by " + holders),
          kind::kPortInUse);
    }
  }

  // 2. Pre-run hooks (scenario, then app): cleanup, DB reset, ...
  const fs::path hook_log = abs_dir / "pre-run.log";
  for (const auto* hook : {&spec.scenario_pre_run, &spec.app.pre_run}) {
    if (hook->empty()) continue;
    phase("pre-run");
    rec.artifacts.push_back(
        {"pre-run-log", (rel_dir / "pre-run.log").string(), "pre-run script output"});
    if (auto err = run_hook(*hook, hook_log, spec.app.cwd, ctx.cancel); !err.empty()) {
      return finish(ctx.cancel.cancelled() ? "interrupted" : "failed", err,
                    ctx.cancel.cancelled() ? kind::kInterrupted : kind::kPreRunFailed);
    }
  }

  // 3. Launch the instances and start monitoring at once (start-up is part of the trace).
  phase("starting");
  monitor::MonitorOptions mo;
  mo.interval = spec.interval;
  mo.cpus = spec.app.cpus.empty() ? platform::available_cpus() : spec.app.cpus;
  monitor::Monitor mon(mo, clock);
  std::vector<platform::Subprocess> procs;
  // What already runs under benchgate (nothing, usually; a hook's daemon) is not the app's:
  // after the app is stopped, any other descendant is something the app left behind.
  const auto before_launch =
      platform::descendant_keys(platform::ProcReader(), static_cast<int>(::getpid()));
  const auto t_launch = clock.now();
  // numa_node: numactl binds each instance's CPUs and memory to the node, or a warning says
  // why not (a single-node machine, numactl missing) and the app runs unbound.
  std::vector<std::string> numa_prefix;
  if (spec.numa_node) {
    const auto numactl = platform::find_executable("numactl");
    auto b = platform::numa_binding(*spec.numa_node, platform::numa_nodes(),
                                    numactl ? numactl->string() : std::string());
    if (b.unavailable.empty()) {
      numa_prefix = std::move(b.prefix);
    } else {
      rec.warnings.push_back(
          fmt::format("numa_node {}: unavailable: {}", *spec.numa_node, b.unavailable));
    }
  }
  for (int i = 0; i < spec.app.instances; ++i) {
    platform::SpawnOptions o;
    o.argv = profiling.launch_argv(instance_argv(spec.app, i), i);
    if (!numa_prefix.empty()) o.argv.insert(o.argv.begin(), numa_prefix.begin(), numa_prefix.end());
    o.cwd = spec.app.cwd;
    o.env = spec.app.env;
    o.cpus = spec.app.cpus;
    const auto log_name = fmt::format("app-{}.log", i);
    o.stdout_path = abs_dir / log_name;
    // A kill -9 of benchgate takes the app's top process with it. execute_run runs on the
    // main thread (spawn checks), so the signal does not fire when some other thread ends.
    o.die_with_parent = true;
    results::InstanceInfo info;
    info.index = i;
    info.command = o.argv;
    info.cpus = format_cpu_list(spec.app.cpus);
    info.log = (rel_dir / log_name).string();
    try {
      procs.push_back(platform::Subprocess::spawn(o));
    } catch (const RunError& e) {
      return finish("failed", e.what(), kind::kStartFailed);
    }
    info.pid = procs.back().pid();
    app_started = true;
    mon.add_root(info.pid, i);
    rec.instances.push_back(std::move(info));
    rec.artifacts.push_back(
        {"app-log", rec.instances.back().log, fmt::format("instance {} stdout/stderr", i)});
  }
  mon.start();

  auto crashed_instance = [&]() -> std::optional<std::string> {
    for (std::size_t i = 0; i < procs.size(); ++i) {
      if (auto st = procs[i].poll()) {
        return fmt::format("instance {} (pid {}) {}\n{}", i, procs[i].pid(), st->describe(),
                           log_tail(abs_dir / fmt::format("app-{}.log", i)));
      }
    }
    return std::nullopt;
  };
  auto shutdown = [&]() {
    phase("stopping");
    std::vector<std::string> unexpected;
    for (std::size_t i = 0; i < procs.size(); ++i) {
      const bool already = procs[i].status().has_value() || procs[i].poll().has_value();
      // On interrupt everything must be gone within 2 s: short grace, then SIGKILL.
      auto st = procs[i].terminate(
          ctx.cancel.cancelled()
              ? std::chrono::milliseconds(800)
              : profiling.stop_grace(static_cast<int>(i), std::chrono::seconds(5)));
      const bool expected = profiling.wrapped(static_cast<int>(i)) ? profiling.expected_exit(st)
                                                                   : expected_termination(st);
      if (already || !expected) {
        unexpected.push_back(fmt::format("instance {} {}", i, st.describe()));
      }
    }
    // Whatever escaped the process groups (setsid, double fork) was re-parented to benchgate,
    // the subreaper: stop it now, so nothing of this run is left when the next one starts.
    platform::SweepOptions sweep;
    sweep.keep = before_launch;
    for (const auto& p : procs)
      sweep.quiet_groups.push_back(p.pid());
    sweep.grace = ctx.cancel.cancelled() ? std::chrono::milliseconds(200) : ctx.survivor_grace;
    const auto survivors = platform::stop_descendants(sweep);
    for (const auto& s : survivors) {
      auto w = "the app left a process running after it was stopped: " + s.describe();
      if (ctx.observer) ctx.observer->on_warning(spec, w);
      rec.warnings.push_back(std::move(w));
    }
    mon.stop();
    rec.traces = mon.run_traces();
    rec.termination.expected = unexpected.empty();
    rec.termination.description =
        unexpected.empty() ? "terminated by SIGTERM as expected" : join(unexpected, "; ");
    if (!survivors.empty()) {
      rec.termination.description +=
          fmt::format("; it left {} process{} running, stopped by benchgate (see warnings)",
                      survivors.size(), survivors.size() == 1 ? "" : "es");
    }
  };

  // 4. Readiness: poll quickly at first (start-up time resolution), then every 20 ms.
  phase("waiting for readiness");
  bool ready = false;
  Nanos poll_every = std::chrono::milliseconds(1);
  int last_status = 0;
  std::string last_error;
  const Url ready_url = spec.app.ready_url.empty() ? url : parse_url(spec.app.ready_url);
  while (!ready) {
    if (ctx.cancel.cancelled()) {
      shutdown();
      return finish("interrupted", "interrupted while waiting for the app to become ready",
                    kind::kInterrupted);
    }
    if (auto crash = crashed_instance()) {
      shutdown();
      return finish("failed", fmt::format("the app exited before it became ready: {}", *crash),
                    kind::kExitedAtStart);
    }
    const auto elapsed = clock.now() - t_launch;
    if (elapsed > spec.ready_timeout) {
      shutdown();
      return finish("failed",
                    fmt::format("the app never became ready: no HTTP answer at {} within {} "
                                "(last error: {})\n{}",
                                ready_url.str(), format_duration(spec.ready_timeout), last_error,
                                log_tail(abs_dir / "app-0.log")),
                    kind::kNotReady);
    }
    auto pr =
        probe_url(ready_url, std::min<Nanos>(std::chrono::seconds(1), spec.ready_timeout - elapsed),
                  spec.driver_options.tls_verify);
    if (pr.answered) {
      ready = true;
      last_status = pr.status;
    } else {
      last_error = pr.error;
      clock.wait_for(poll_every, &ctx.cancel);
      poll_every = std::min<Nanos>(poll_every * 2, std::chrono::milliseconds(20));
    }
  }
  rec.startup.time_to_ready_s = to_seconds(clock.now() - t_launch);
  if (last_status >= 400) {
    rec.warnings.push_back(
        fmt::format("the readiness URL {} answered HTTP {}", ready_url.str(), last_status));
  }

  // 5. Idle footprint before the first load period.
  phase("idle");
  {
    auto s0 = mon.sample_now();
    const auto t0 = clock.now();
    clock.wait_for(ctx.idle_window, &ctx.cancel);
    auto s1 = mon.sample_now();
    const double dt = to_seconds(clock.now() - t0);
    rec.startup.idle_rss = s1.rss_total;
    rec.startup.idle_cpu_percent = dt > 0 ? (s1.cpu_total_s - s0.cpu_total_s) / dt * 100.0 : 0;
    rec.startup.measured = true;
    rec.metrics["startup_time"] = rec.startup.time_to_ready_s;
    if (s1.rss_total > 0) rec.metrics["idle_rss"] = static_cast<double>(s1.rss_total);
  }

  // 6. Load periods.
  std::vector<std::string> invalid;  // "load point c=2 invalid: <reasons>"
  for (const auto& point : spec.points) {
    if (ctx.cancel.cancelled()) break;
    if (auto crash = crashed_instance()) {
      shutdown();
      return finish("failed",
                    fmt::format("the app died before load point {}: {}", point.key(), *crash),
                    kind::kCrashed);
    }
    if (ctx.observer) ctx.observer->on_period_start(spec, point);
    drivers::DriveRequest req;
    req.url = spec.url;
    req.point = point;
    req.duration = spec.duration;
    req.warmup = spec.warmup;
    req.interval = spec.interval;
    req.options = spec.driver_options;
    req.out_dir = ctx.out_dir;
    req.artifact_prefix = (rel_dir / fs_safe(point.key() + "-")).string();

    results::PeriodResult period;
    period.point = point;
    const char* period_kind = kind::kDriverFailed;
    bool began = false, ended = false;
    drivers::DriveHooks hooks;
    std::vector<int> roots;
    for (const auto& p : procs)
      roots.push_back(p.pid());
    hooks.on_measure_start = [&] {
      mon.begin_period();
      began = true;
      profiling.period_start(roots, point.key());
    };
    hooks.on_measure_end = [&] {
      if (began && !ended) {
        period.app = mon.end_period();
        ended = true;
        profiling.period_signal_stop();
      }
    };
    hooks.on_interval = [&](double rps) {
      if (ctx.observer) ctx.observer->on_interval(rps);
    };
    const auto t_period = clock.now();
    try {
      period.driver = driver->run(req, hooks, ctx.cancel, clock);
    } catch (const RunError& e) {
      period.status = "failed";
      period.reason = e.what();
    } catch (const ParseError& e) {
      period.status = "failed";
      period.reason = fmt::format("cannot read the {} output: {}", spec.driver, e.what());
    }
    if (began && !ended) period.app = mon.end_period();
    measured += std::min<Nanos>(clock.now() - t_period, spec.warmup + spec.duration);
    if (began) {
      // Stopped at the measured period's end; written out and post-processed now, before
      // the next load point (the app idles meanwhile).
      if (profiling.active()) phase("profile");
      period.profile = profiling.period_finish();
      flush_warnings();
    }

    if (period.status == "ok") {
      if (ctx.cancel.cancelled()) {
        period.status = "interrupted";
        period.reason = "interrupted during the load period";
      } else if (auto crash = crashed_instance()) {
        period.status = "failed";
        period.reason =
            fmt::format("the app crashed during load point {}: {}", point.key(), *crash);
        period_kind = kind::kCrashed;
      } else if (!period.driver.invalid_reasons.empty()) {
        // Invalid (errors above max_error_rate, driver saturated, rate missed, ...): the
        // period is left out of the statistics and the run failed. The remaining load points
        // still run, for the record.
        period.status = "invalid";
        period.reason = join(period.driver.invalid_reasons, "; ");
        invalid.push_back(fmt::format("load point {} invalid: {}", point.key(), period.reason));
      }
    }
    results::derive_metrics(period);
    // The period's RSS and CPU traces as CSV files too (the old harness wrote an RSS CSV).
    if (!period.app.traces.empty()) {
      const std::string stem = fs_safe(point.key() + "-");
      for (const auto& [kind, name, text] :
           {std::tuple{"rss-csv", "rss.csv", monitor::rss_csv(period.app.traces)},
            std::tuple{"cpu-csv", "cpu.csv", monitor::cpu_csv(period.app.traces)}}) {
        platform::write_file_atomic(abs_dir / (stem + name), text);
        rec.artifacts.push_back({kind, (rel_dir / (stem + name)).string(),
                                 fmt::format("{} trace for {} (CSV)", name, point.key())});
      }
    }
    if (!period.driver.raw_output.empty()) {
      rec.artifacts.push_back({"driver-output", period.driver.raw_output,
                               fmt::format("{} output for {}", spec.driver, point.key())});
    }
    if (ctx.observer) ctx.observer->on_period_end(spec, period);
    const std::string status = period.status;
    const std::string reason = period.reason;
    rec.periods.push_back(std::move(period));
    if (status == "failed") {
      shutdown();
      return finish("failed", reason, period_kind);
    }
    if (status == "interrupted") {
      shutdown();
      return finish("interrupted", reason, kind::kInterrupted);
    }
  }

  // 7. Shutdown and how the app ended; then the scenario's post-processing step.
  shutdown();
  if (!spec.scenario_post_run.empty() && !ctx.cancel.cancelled()) {
    phase("post-run");
    rec.artifacts.push_back(
        {"post-run-log", (rel_dir / "post-run.log").string(), "post-run script output"});
    if (auto err =
            run_hook(spec.scenario_post_run, abs_dir / "post-run.log", spec.app.cwd, ctx.cancel);
        !err.empty()) {
      rec.warnings.push_back(err);
    }
  }
  if (ctx.cancel.cancelled()) return finish("interrupted", "interrupted", kind::kInterrupted);
  if (!invalid.empty()) {
    std::string reason = join(invalid, "; ");
    if (!rec.termination.expected)
      reason += "; unexpected termination: " + rec.termination.description;
    return finish("failed", reason, kind::kInvalid);
  }
  if (!rec.termination.expected) {
    return finish("failed", "unexpected termination: " + rec.termination.description,
                  kind::kUnexpectedExit);
  }
  return finish("ok", "", "");
}

}  // namespace benchgate::runner
