#include "runner/instructions.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "config/suite.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "platform/fs.h"
#include "platform/subprocess.h"
#include "platform/survivors.h"
#include "platform/sysinfo.h"
#include "runner/counters.h"
#include "runner/probe.h"
#include "runner/seams.h"

namespace benchgate::runner {

namespace fs = std::filesystem;

namespace {

// A fixed cache geometry, so est_cycles does not depend on the CPU callgrind runs on
// (callgrind otherwise copies the host's caches): 32 KiB 8-way L1s, 8 MiB 16-way LL.
constexpr const char* kI1 = "--I1=32768,8,64";
constexpr const char* kD1 = "--D1=32768,8,64";
constexpr const char* kLL = "--LL=8388608,16,64";

struct Lifetime {
  std::string failure;  ///< "" when it served its requests and stopped as expected
  std::string failure_kind;
  LifetimeCounts counts;
  results::DriverResult load;
  double ready_s = 0;
  std::vector<std::string> warnings;
};

bool expected_stop(const platform::ExitStatus& st, int sig) {
  if (!st.exited) return st.signal == sig || st.signal == SIGTERM;
  return st.code == 0 || st.code == 128 + sig || st.code == 128 + SIGTERM;
}

// One lifetime of the app under the counting tool: launch, readiness, `requests` requests,
// stop, read the counts. Every outside effect through ctx.seams.
// Over 100 lines on purpose: the lifetime's steps are one sequence with one clean-up path
// (every exit stops the app and sweeps what it left), which splitting would duplicate.
Lifetime run_lifetime(const RunSpec& spec, RunContext& ctx, const CountingMethod& method,
                      const fs::path& keep_dir, const fs::path& log,
                      const results::LoadPoint& point, std::int64_t requests) {
  Lifetime lt;
  const RunSeams& seams = ctx.seams;
  Clock& clock = ctx.clock;
  std::error_code ec;
  fs::remove_all(keep_dir, ec);
  fs::create_directories(keep_dir, ec);
  // The tool writes into a fresh folder under the system temp folder, world-writable and
  // sticky like /tmp: workers that switch user (nginx as root: nobody) must be able to reach
  // and write it, which the output folder (e.g. under /root) may not allow. The files are
  // copied into the run's artifacts afterwards.
  platform::TempDir tmp("benchgate-count");
  fs::permissions(tmp.path(), fs::perms::all | fs::perms::sticky_bit, ec);
  if (ec) {
    throw InternalError(fmt::format("cannot prepare {}: {}", tmp.path().string(), ec.message()));
  }

  platform::SpawnOptions o;
  o.argv = method.wrap(tmp.path());
  for (auto a : config::launch_argv(spec.app))
    o.argv.push_back(replace_all(a, "{instance}", "0"));
  o.cwd = spec.app.cwd;
  o.env = spec.app.env;
  o.cpus = spec.app.cpus;
  o.stdout_path = log;
  o.die_with_parent = true;
  o.clock = &clock;
  const auto before = seams.descendants();
  std::unique_ptr<Process> proc;
  try {
    proc = seams.launch(o);
  } catch (const RunError& e) {
    lt.failure = e.what();
    lt.failure_kind = kind::kStartFailed;
    return lt;
  }

  const Nanos grace = ctx.cancel.cancelled() ? Nanos(std::chrono::milliseconds(800))
                                             : Nanos(std::chrono::seconds(30));
  auto stop = [&] {
    platform::ExitStatus st;
    if (auto done = proc->poll()) {
      st = *done;
    } else if (method.stop_signal == SIGTERM) {
      st = proc->terminate(grace);
    } else {
      proc->signal_group(method.stop_signal);
      auto done2 = proc->wait_for(grace, nullptr);
      st = done2 ? *done2 : proc->terminate(std::chrono::seconds(2));
    }
    platform::SweepOptions sweep;
    sweep.keep = before;
    sweep.quiet_groups.push_back(proc->pid());
    sweep.grace = ctx.survivor_grace;
    for (const auto& s : seams.stop_descendants(sweep))
      lt.warnings.push_back("the app left a process running after it was stopped: " + s.describe());
    return st;
  };

  // Readiness (under valgrind start-up takes ~50x longer than natively).
  const auto t0 = clock.now();
  const Url ready_url = parse_url(spec.app.ready_url.empty() ? spec.url : spec.app.ready_url);
  std::string last_error;
  Nanos poll_every = std::chrono::milliseconds(5);
  for (;;) {
    if (ctx.cancel.cancelled()) {
      stop();
      lt.failure = "interrupted while waiting for the app to become ready";
      lt.failure_kind = kind::kInterrupted;
      return lt;
    }
    if (auto st = proc->poll()) {
      lt.failure = fmt::format("the app exited before it became ready: {}\n{}", st->describe(),
                               log_tail(log));
      lt.failure_kind = kind::kExitedAtStart;
      stop();
      return lt;
    }
    const auto elapsed = clock.now() - t0;
    if (elapsed > spec.ready_timeout) {
      stop();
      lt.failure = fmt::format(
          "the app never became ready under {}: no HTTP answer at {} within {} (last error: "
          "{})\n{}",
          method.tool, ready_url.str(), format_duration(spec.ready_timeout), last_error,
          log_tail(log));
      lt.failure_kind = kind::kNotReady;
      return lt;
    }
    // A long probe timeout: a probe given up while the app was still starting could leave a
    // request behind in its listen queue, served later in one lifetime and not the other.
    auto pr = seams.probe(ready_url, std::min<Nanos>(std::chrono::seconds(30), spec.ready_timeout),
                          spec.driver_options.tls_verify, clock);
    if (pr.answered) break;
    last_error = pr.error;
    clock.wait_for(poll_every, &ctx.cancel);
    poll_every = std::min<Nanos>(poll_every * 2, std::chrono::milliseconds(50));
  }
  lt.ready_s = to_seconds(clock.now() - t0);

  if (requests > 0) {
    drivers::DriveRequest req;
    req.url = spec.url;
    req.point = point;
    req.options = spec.driver_options;
    req.options.threads = 1;
    // Under callgrind a request takes ~50x longer; the first ones longer still (translation).
    req.options.timeout = std::max<Nanos>(req.options.timeout, std::chrono::seconds(30));
    req.duration = std::chrono::seconds(60) + std::chrono::milliseconds(50) * requests;
    req.warmup = Nanos::zero();
    req.request_count = requests;
    req.out_dir = ctx.out_dir;
    try {
      auto driver = seams.make_driver("builtin");
      drivers::DriveHooks hooks;
      lt.load = driver->run(req, hooks, ctx.cancel, clock);
    } catch (const std::exception& e) {
      stop();
      lt.failure = fmt::format("the built-in driver failed: {}", e.what());
      lt.failure_kind = kind::kDriverFailed;
      return lt;
    }
  }
  const auto st = stop();
  if (ctx.cancel.cancelled()) {
    lt.failure = "interrupted";
    lt.failure_kind = kind::kInterrupted;
    return lt;
  }
  if (!expected_stop(st, method.stop_signal)) {
    lt.failure = fmt::format("the app did not stop as expected on {}: {}\n{}",
                             method.stop_signal == SIGINT ? "SIGINT" : "SIGTERM", st.describe(),
                             log_tail(log));
    lt.failure_kind = kind::kUnexpectedExit;
    return lt;
  }
  try {
    lt.counts = method.read(tmp.path(), keep_dir);
  } catch (const std::exception& e) {
    lt.failure = fmt::format("{}: {}\n{}", method.tool, e.what(), log_tail(log));
    lt.failure_kind = kind::kDriverFailed;
  }
  return lt;
}

// Why a lifetime's load does not hold exactly `expected` successful requests ("" if it does).
std::string exactness_problem(const results::DriverResult& r, std::int64_t expected) {
  if (expected == 0) return "";
  std::vector<std::string> why;
  const auto first_error = r.extra.value("first_error", std::string());
  if (!r.extra.value("count_reached", false)) {
    why.push_back(first_error.empty() ? "not finished" : first_error);
  }
  const std::int64_t success = r.requests - r.non_2xx_3xx;
  if (success != expected) {
    why.push_back(fmt::format("{} of {} requests answered 2xx/3xx", success, expected));
  }
  if (r.non_2xx_3xx != 0) why.push_back(fmt::format("{} non-2xx/3xx responses", r.non_2xx_3xx));
  if (r.errors.total() > 0) {
    why.push_back(
        fmt::format("{} socket errors or timeouts (first: {})", r.errors.total(), first_error));
  }
  return join(why, "; ");
}

std::vector<profilers::CallgrindTotals> read_callgrind_dir(const fs::path& tmp,
                                                           const fs::path& keep) {
  std::vector<profilers::CallgrindTotals> procs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(tmp, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("callgrind.out.", 0) != 0) continue;
    std::error_code copy_ec;
    fs::copy_file(entry.path(), keep / name, fs::copy_options::overwrite_existing, copy_ec);
    try {
      procs.push_back(profilers::parse_callgrind_totals(platform::read_file(entry.path())));
    } catch (const std::exception& e) {
      throw RunError(fmt::format("cannot read {}: {}", entry.path().string(), e.what()));
    }
  }
  if (procs.empty())
    throw RunError(fmt::format("callgrind wrote no output into {}", keep.string()));
  return procs;
}

}  // namespace

CountingMethod callgrind_method() {
  CountingMethod m;
  m.mode = std::string(config::kMeasureInstructions);
  m.tool = "callgrind";
  m.cycles_metric = std::string(results::metric::kEstCyclesPerRequest);
  m.cycles_key = "est_cycles";
  m.stop_signal = SIGTERM;
  m.unavailable = []() -> std::optional<std::string> {
    if (platform::find_executable("valgrind")) return std::nullopt;
    return std::string(
        "measure = \"instructions\" needs valgrind (callgrind), which is not installed "
        "(Debian: apt-get install valgrind)");
  };
  m.wrap = [](const fs::path& dir) { return callgrind_argv(dir); };
  m.read = [](const fs::path& tmp, const fs::path& keep) {
    LifetimeCounts c;
    c.procs = read_callgrind_dir(tmp, keep);
    for (const auto& t : c.procs) {
      c.instructions += t.instructions();
      c.cycles += t.est_cycles();
    }
    c.version = c.procs.front().version;
    return c;
  };
  return m;
}

bool is_instruction_run(const RunSpec& spec) {
  return spec.driver_options.measure == config::kMeasureInstructions;
}

bool is_counting_run(const RunSpec& spec) {
  return config::is_counting_mode(spec.driver_options.measure);
}

std::string valgrind_version() {
  if (!platform::find_executable("valgrind")) return "valgrind-unknown";
  platform::TempDir tmp("benchgate-valgrind");
  platform::SpawnOptions o;
  o.argv = {"valgrind", "--version"};
  o.stdout_path = tmp.path() / "out";
  try {
    auto p = platform::Subprocess::spawn(o);
    const auto st = p.wait_for(std::chrono::seconds(10));
    if (!st || !st->success()) return "valgrind-unknown";
    const std::string v(trim(platform::read_file(o.stdout_path)));
    return v.rfind("valgrind-", 0) == 0 ? v : "valgrind-unknown";
  } catch (const std::exception&) {
    return "valgrind-unknown";
  }
}

void use_counting_testbed(const matrix::Plan& plan, results::Testbed& testbed) {
  if (plan.runs.empty()) return;
  for (const auto& r : plan.runs) {
    if (!is_instruction_run(r)) return;
  }
  testbed = platform::counting_testbed(testbed, valgrind_version());
}

std::vector<std::string> callgrind_argv(const fs::path& out_dir) {
  return {"valgrind",
          "--tool=callgrind",
          "--trace-children=yes",
          "--cache-sim=yes",
          kI1,
          kD1,
          kLL,
          "--callgrind-out-file=" + (out_dir / "callgrind.out.%p").string()};
}

std::vector<ProcessCount> match_processes(std::vector<profilers::CallgrindTotals> a,
                                          std::vector<profilers::CallgrindTotals> b) {
  auto by_pid = [](const auto& x, const auto& y) { return x.pid < y.pid; };
  std::sort(a.begin(), a.end(), by_pid);
  std::sort(b.begin(), b.end(), by_pid);
  std::vector<ProcessCount> out;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    ProcessCount p;
    if (i < a.size()) {
      p.cmd = a[i].cmd;
      p.pid_a = a[i].pid;
      p.ir_a = a[i].instructions();
      p.cycles_a = a[i].est_cycles();
    }
    if (i < b.size()) {
      p.cmd = b[i].cmd;
      p.pid_b = b[i].pid;
      p.ir_b = b[i].instructions();
      p.cycles_b = b[i].est_cycles();
    }
    out.push_back(std::move(p));
  }
  return out;
}

results::RunRecord execute_counting_run(const RunSpec& spec, RunContext& ctx) {
  return execute_counted_run(spec, ctx,
                             spec.driver_options.measure == config::kMeasureCounters
                                 ? perf_counters_method()
                                 : callgrind_method());
}

// Over 100 lines on purpose: per load point the two lifetimes, their checks (exact request
// counts, no response error, both lifetimes' tool output) and the per-request metrics, as
// one list of the conditions under which a counted window is valid.
results::RunRecord execute_counted_run(const RunSpec& spec, RunContext& ctx,
                                       const CountingMethod& method) {
  Clock& clock = ctx.clock;
  const auto t_begin = clock.now();
  results::RunRecord rec = new_run_record(spec, clock);
  if (ctx.observer) ctx.observer->on_run_start(spec);
  auto finish = [&](std::string status, std::string reason, std::string failure_kind) {
    if (rec.status == "ok" && status != "ok") {
      rec.status = std::move(status);
      rec.failure = std::move(reason);
      rec.failure_kind = std::move(failure_kind);
    }
    rec.elapsed_s = to_seconds(clock.now() - t_begin);
    rec.overhead_s = rec.elapsed_s;
    if (ctx.observer) ctx.observer->on_run_end(spec, rec);
    return rec;
  };
  auto phase = [&](const std::string& name) {
    if (ctx.observer) ctx.observer->on_phase(spec, name);
  };
  auto warn = [&](std::string w) {
    if (ctx.observer) ctx.observer->on_warning(spec, w);
    rec.warnings.push_back(std::move(w));
  };
  const std::string mode_name = fmt::format("measure = \"{}\"", method.mode);

  const fs::path rel_dir = fs::path("artifacts") / file_safe(spec.id);
  const fs::path abs_dir = ctx.out_dir / rel_dir;
  std::error_code ec;
  fs::create_directories(abs_dir, ec);
  if (ec) throw InternalError(fmt::format("cannot create {}: {}", abs_dir.string(), ec.message()));

  if (auto why = method.unavailable()) return finish("failed", *why, kind::kUnavailable);
  if (spec.app.instances != 1) {
    return finish("failed",
                  fmt::format("{} runs one instance of the app (instances = {}): instruction "
                              "counts do not depend on parallelism",
                              mode_name, spec.app.instances),
                  kind::kStartFailed);
  }
  if (spec.driver != "builtin") {
    return finish("failed",
                  fmt::format("{} needs the builtin driver (exact request counts), not {}",
                              mode_name, spec.driver),
                  kind::kDriverFailed);
  }
  if (!spec.scenario_pre_run.empty() || !spec.app.pre_run.empty() ||
      !spec.scenario_post_run.empty() || (!spec.profiler.empty() && spec.profiler != "none")) {
    warn(fmt::format("{} runs no pre-run/post-run scripts and no profiler ({} is the profiler)",
                     mode_name, method.tool));
  }
  if (ctx.preflight) {
    phase("pre-flight");
    const auto pr = ctx.seams.probe(parse_url(spec.url), std::chrono::milliseconds(500),
                                    spec.driver_options.tls_verify, clock);
    if (pr.connected) {
      return finish("failed",
                    fmt::format("something already answers at {} before the app was started; "
                                "refusing to benchmark it",
                                spec.url),
                    kind::kPortInUse);
    }
  }

  const std::int64_t warm = spec.driver_options.warmup_requests;
  const std::int64_t counted = spec.driver_options.counted_requests;
  const std::string dir_prefix = method.mode == config::kMeasureInstructions ? "callgrind" : "perf";
  for (const auto& point : spec.points) {
    if (ctx.cancel.cancelled()) break;
    if (ctx.observer) ctx.observer->on_period_start(spec, point);
    const std::string key = file_safe(point.key());
    results::PeriodResult period;
    period.point = point;
    phase(method.tool + ": warm-up only");
    const Lifetime a = run_lifetime(spec, ctx, method, abs_dir / (dir_prefix + "-" + key + "-a"),
                                    abs_dir / ("app-" + key + "-a.log"), point, warm);
    Lifetime b;
    if (a.failure.empty()) {
      phase(fmt::format("{}: warm-up + {} counted requests", method.tool, counted));
      b = run_lifetime(spec, ctx, method, abs_dir / (dir_prefix + "-" + key + "-b"),
                       abs_dir / ("app-" + key + "-b.log"), point, warm + counted);
    }
    for (const auto& w : a.warnings)
      warn(w);
    for (const auto& w : b.warnings)
      warn(w);
    for (const char* side : {"a", "b"}) {
      rec.artifacts.push_back(
          {"app-log", (rel_dir / ("app-" + key + "-" + side + ".log")).string(),
           fmt::format("app ({}) output, lifetime {} of {}", method.tool, side, point.key())});
      rec.artifacts.push_back(
          {dir_prefix, (rel_dir / (dir_prefix + "-" + key + "-" + side)).string(),
           fmt::format("{} output, lifetime {} of {}", method.tool, side, point.key())});
    }
    const Lifetime& bad = !a.failure.empty() ? a : b;
    if (!bad.failure.empty()) {
      period.status = bad.failure_kind == kind::kInterrupted ? "interrupted" : "failed";
      period.reason = bad.failure;
      rec.periods.push_back(std::move(period));
      const std::string reason = rec.periods.back().reason;
      return finish(bad.failure_kind == kind::kInterrupted ? "interrupted" : "failed",
                    fmt::format("load point {}: {}", point.key(), reason), bad.failure_kind);
    }

    // The counted window: lifetime B's extra requests.
    period.driver = b.load;
    period.driver.driver = "builtin";
    period.driver.invalid_reasons.clear();
    period.driver.throughput = 0;  // under the counting tool: not a throughput
    std::vector<std::string> problems;
    if (auto p = exactness_problem(a.load, warm); !p.empty()) {
      problems.push_back("warm-up lifetime: " + p);
    }
    if (auto p = exactness_problem(b.load, warm + counted); !p.empty()) {
      problems.push_back("counted lifetime: " + p);
    }
    const auto& ca = a.counts;
    const auto& cb = b.counts;
    if (cb.instructions <= ca.instructions) {
      problems.push_back(fmt::format(
          "the counted lifetime executed no more instructions ({}) than the warm-up one ({})",
          cb.instructions, ca.instructions));
    }
    const std::string ck = method.cycles_key;
    nlohmann::json details = {
        {"method", "difference of two lifetimes under " + method.tool},
        {"warmup_requests", warm},
        {"counted_requests", counted},
        {"instructions_warmup", ca.instructions},
        {"instructions_counted", cb.instructions},
        {ck + "_warmup", ca.cycles},
        {ck + "_counted", cb.cycles},
        {method.mode == config::kMeasureInstructions ? "valgrind" : "tool", ca.version}};
    if (!ca.procs.empty() || !cb.procs.empty()) {
      nlohmann::json procs = nlohmann::json::array();
      for (const auto& p : match_processes(ca.procs, cb.procs)) {
        procs.push_back({{"cmd", p.cmd},
                         {"pid_warmup", p.pid_a},
                         {"pid_counted", p.pid_b},
                         {"instructions_warmup", p.ir_a},
                         {"instructions_counted", p.ir_b},
                         {"instructions_per_request",
                          (static_cast<double>(p.ir_b) - static_cast<double>(p.ir_a)) /
                              static_cast<double>(counted)},
                         {"est_cycles_warmup", p.cycles_a},
                         {"est_cycles_counted", p.cycles_b}});
      }
      details["processes"] = procs;
    }
    period.driver.extra["instructions"] = details;
    if (!problems.empty()) {
      period.status = "invalid";
      period.reason = join(problems, "; ");
    } else {
      const double n = static_cast<double>(counted);
      const double ipr =
          (static_cast<double>(cb.instructions) - static_cast<double>(ca.instructions)) / n;
      period.metrics[std::string(results::metric::kInstructionsPerRequest)] = ipr;
      period.metrics[method.cycles_metric] =
          (static_cast<double>(cb.cycles) - static_cast<double>(ca.cycles)) / n;
      if (!rec.metrics.count(std::string(results::metric::kStartupInstructions))) {
        rec.metrics[std::string(results::metric::kStartupInstructions)] =
            static_cast<double>(ca.instructions) - static_cast<double>(warm) * ipr;
        rec.startup.time_to_ready_s = a.ready_s;
      }
    }
    rec.periods.push_back(std::move(period));
  }
  rec.termination.description = fmt::format("stopped by {} as expected (every lifetime)",
                                            method.stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
  if (ctx.cancel.cancelled()) return finish("interrupted", "interrupted", kind::kInterrupted);
  std::vector<std::string> invalid;
  for (const auto& p : rec.periods) {
    if (p.status == "invalid") {
      invalid.push_back(fmt::format("load point {} invalid: {}", p.point.key(), p.reason));
    }
  }
  if (!invalid.empty()) return finish("failed", join(invalid, "; "), kind::kInvalid);
  return finish("ok", "", "");
}

}  // namespace benchgate::runner
