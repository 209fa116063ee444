#include "runner/instructions.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>

#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "drivers/builtin_driver.h"
#include "loadgen/engine.h"
#include "platform/fs.h"
#include "platform/subprocess.h"
#include "platform/survivors.h"
#include "platform/sysinfo.h"
#include "runner/probe.h"

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
  std::vector<profilers::CallgrindTotals> procs;
  loadgen::EngineResult load;
  double ready_s = 0;
  std::uint64_t ir = 0, cycles = 0;
  std::vector<std::string> warnings;
};

Lifetime run_lifetime(const RunSpec& spec, RunContext& ctx, const fs::path& dir,
                      const fs::path& log, const results::LoadPoint& point, std::int64_t requests) {
  Lifetime lt;
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  // callgrind writes into a fresh folder under the system temp folder, world-writable and
  // sticky like /tmp: workers that switch user (nginx as root: nobody) must be able to reach
  // and write it, which the output folder (e.g. under /root) may not allow. The files are
  // copied into the run's artifacts afterwards.
  platform::TempDir tmp("benchgate-callgrind");
  fs::permissions(tmp.path(), fs::perms::all | fs::perms::sticky_bit, ec);
  if (ec) {
    throw InternalError(fmt::format("cannot prepare {}: {}", tmp.path().string(), ec.message()));
  }

  platform::SpawnOptions o;
  o.argv = callgrind_argv(tmp.path());
  for (auto a : config::launch_argv(spec.app))
    o.argv.push_back(replace_all(a, "{instance}", "0"));
  o.cwd = spec.app.cwd;
  o.env = spec.app.env;
  o.cpus = spec.app.cpus;
  o.stdout_path = log;
  o.die_with_parent = true;
  const auto before =
      platform::descendant_keys(platform::ProcReader(), static_cast<int>(::getpid()));
  std::optional<platform::Subprocess> proc;
  try {
    proc.emplace(platform::Subprocess::spawn(o));
  } catch (const RunError& e) {
    lt.failure = e.what();
    lt.failure_kind = kind::kStartFailed;
    return lt;
  }

  auto stop = [&] {
    const auto st = proc->terminate(ctx.cancel.cancelled() ? std::chrono::milliseconds(800)
                                                           : std::chrono::seconds(30));
    platform::SweepOptions sweep;
    sweep.keep = before;
    sweep.quiet_groups.push_back(proc->pid());
    sweep.grace = ctx.survivor_grace;
    for (const auto& s : platform::stop_descendants(sweep))
      lt.warnings.push_back("the app left a process running after it was stopped: " + s.describe());
    return st;
  };

  // Readiness (under valgrind start-up takes ~50x longer than natively).
  Clock& clock = ctx.clock;
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
          "the app never became ready under callgrind: no HTTP answer at {} within {} (last "
          "error: {})\n{}",
          ready_url.str(), format_duration(spec.ready_timeout), last_error, log_tail(log));
      lt.failure_kind = kind::kNotReady;
      return lt;
    }
    // A long probe timeout: a probe given up while the app was still starting could leave a
    // request behind in its listen queue, served later in one lifetime and not the other.
    auto pr = probe_url(ready_url, std::min<Nanos>(std::chrono::seconds(30), spec.ready_timeout),
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
    try {
      loadgen::EngineConfig cfg = drivers::builtin_engine_config(req);
      cfg.request_count = requests;
      loadgen::Engine engine(cfg);
      lt.load = engine.run(ctx.cancel, clock);
    } catch (const std::exception& e) {
      stop();
      lt.failure = fmt::format("the built-in driver failed: {}", e.what());
      lt.failure_kind = kind::kDriverFailed;
      return lt;
    }
  } else {
    lt.load.count_reached = true;
  }
  const auto st = stop();
  if (ctx.cancel.cancelled()) {
    lt.failure = "interrupted";
    lt.failure_kind = kind::kInterrupted;
    return lt;
  }
  const bool expected =
      st.exited ? (st.code == 0 || st.code == 128 + SIGTERM) : st.signal == SIGTERM;
  if (!expected) {
    lt.failure = fmt::format("the app did not stop as expected on SIGTERM: {}\n{}", st.describe(),
                             log_tail(log));
    lt.failure_kind = kind::kUnexpectedExit;
    return lt;
  }
  for (const auto& entry : fs::directory_iterator(tmp.path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("callgrind.out.", 0) != 0) continue;
    std::error_code copy_ec;
    fs::copy_file(entry.path(), dir / name, fs::copy_options::overwrite_existing, copy_ec);
    try {
      auto t = profilers::parse_callgrind_totals(platform::read_file(entry.path()));
      lt.ir += t.instructions();
      lt.cycles += t.est_cycles();
      lt.procs.push_back(std::move(t));
    } catch (const std::exception& e) {
      lt.failure = fmt::format("cannot read {}: {}", entry.path().string(), e.what());
      lt.failure_kind = kind::kDriverFailed;
      return lt;
    }
  }
  if (lt.procs.empty()) {
    lt.failure = fmt::format("callgrind wrote no output into {}\n{}", dir.string(), log_tail(log));
    lt.failure_kind = kind::kDriverFailed;
  }
  return lt;
}

// Why a lifetime's load does not hold exactly `expected` successful requests ("" if it does).
std::string exactness_problem(const loadgen::EngineResult& r, std::int64_t expected) {
  if (expected == 0) return "";
  std::vector<std::string> why;
  if (!r.count_reached) why.push_back(r.first_error.empty() ? "not finished" : r.first_error);
  if (r.success != expected) {
    why.push_back(fmt::format("{} of {} requests answered 2xx/3xx", r.success, expected));
  }
  if (r.responses != r.success) {
    why.push_back(fmt::format("{} non-2xx/3xx responses", r.responses - r.success));
  }
  if (r.errors.total() > 0) {
    why.push_back(
        fmt::format("{} socket errors or timeouts (first: {})", r.errors.total(), r.first_error));
  }
  return join(why, "; ");
}

}  // namespace

bool is_instruction_run(const RunSpec& spec) {
  return spec.driver_options.measure == "instructions";
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

results::RunRecord execute_instruction_run(const RunSpec& spec, RunContext& ctx) {
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

  const fs::path rel_dir = fs::path("artifacts") / file_safe(spec.id);
  const fs::path abs_dir = ctx.out_dir / rel_dir;
  std::error_code ec;
  fs::create_directories(abs_dir, ec);
  if (ec) throw InternalError(fmt::format("cannot create {}: {}", abs_dir.string(), ec.message()));

  if (!platform::find_executable("valgrind")) {
    return finish("failed",
                  "measure = \"instructions\" needs valgrind (callgrind), which is not installed "
                  "(Debian: apt-get install valgrind)",
                  kind::kStartFailed);
  }
  if (spec.app.instances != 1) {
    return finish("failed",
                  fmt::format("measure = \"instructions\" runs one instance of the app (instances "
                              "= {}): instruction counts do not depend on parallelism",
                              spec.app.instances),
                  kind::kStartFailed);
  }
  if (spec.driver != "builtin") {
    return finish("failed",
                  fmt::format("measure = \"instructions\" needs the builtin driver (exact request "
                              "counts), not {}",
                              spec.driver),
                  kind::kDriverFailed);
  }
  if (!spec.scenario_pre_run.empty() || !spec.app.pre_run.empty() ||
      !spec.scenario_post_run.empty() || (!spec.profiler.empty() && spec.profiler != "none")) {
    warn(
        "instruction mode runs no pre-run/post-run scripts and no profiler (callgrind is the "
        "profiler)");
  }
  if (ctx.preflight) {
    phase("pre-flight");
    const auto pr = probe_url(parse_url(spec.url), std::chrono::milliseconds(500),
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
  for (const auto& point : spec.points) {
    if (ctx.cancel.cancelled()) break;
    if (ctx.observer) ctx.observer->on_period_start(spec, point);
    const std::string key = file_safe(point.key());
    results::PeriodResult period;
    period.point = point;
    phase("callgrind: warm-up only");
    const Lifetime a = run_lifetime(spec, ctx, abs_dir / ("callgrind-" + key + "-a"),
                                    abs_dir / ("app-" + key + "-a.log"), point, warm);
    Lifetime b;
    if (a.failure.empty()) {
      phase(fmt::format("callgrind: warm-up + {} counted requests", counted));
      b = run_lifetime(spec, ctx, abs_dir / ("callgrind-" + key + "-b"),
                       abs_dir / ("app-" + key + "-b.log"), point, warm + counted);
    }
    for (const auto& w : a.warnings)
      warn(w);
    for (const auto& w : b.warnings)
      warn(w);
    for (const char* side : {"a", "b"}) {
      rec.artifacts.push_back(
          {"app-log", (rel_dir / ("app-" + key + "-" + side + ".log")).string(),
           fmt::format("app (valgrind) output, lifetime {} of {}", side, point.key())});
      rec.artifacts.push_back(
          {"callgrind", (rel_dir / ("callgrind-" + key + "-" + side)).string(),
           fmt::format("callgrind.out.<pid> files, lifetime {} of {}", side, point.key())});
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
    loadgen::EngineConfig shown;
    shown.connections = point.clients;
    shown.pipeline = spec.driver_options.pipeline;
    shown.keepalive = spec.driver_options.keepalive;
    period.driver =
        drivers::builtin_driver_result(b.load, shown, spec.driver_options.max_error_rate);
    period.driver.driver = "builtin";
    period.driver.invalid_reasons.clear();
    period.driver.throughput = 0;  // under callgrind: not a throughput
    std::vector<std::string> problems;
    if (auto p = exactness_problem(a.load, warm); !p.empty()) {
      problems.push_back("warm-up lifetime: " + p);
    }
    if (auto p = exactness_problem(b.load, warm + counted); !p.empty()) {
      problems.push_back("counted lifetime: " + p);
    }
    if (b.ir <= a.ir) {
      problems.push_back(fmt::format(
          "the counted lifetime executed no more instructions ({}) than the warm-up one ({})", b.ir,
          a.ir));
    }
    nlohmann::json procs = nlohmann::json::array();
    for (const auto& p : match_processes(a.procs, b.procs)) {
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
    period.driver.extra["instructions"] = {
        {"method", "difference of two lifetimes under callgrind"},
        {"warmup_requests", warm},
        {"counted_requests", counted},
        {"instructions_warmup", a.ir},
        {"instructions_counted", b.ir},
        {"est_cycles_warmup", a.cycles},
        {"est_cycles_counted", b.cycles},
        {"valgrind", a.procs.empty() ? "" : a.procs.front().version},
        {"processes", procs}};
    if (!problems.empty()) {
      period.status = "invalid";
      period.reason = join(problems, "; ");
    } else {
      const double n = static_cast<double>(counted);
      const double ipr = (static_cast<double>(b.ir) - static_cast<double>(a.ir)) / n;
      period.metrics[std::string(results::metric::kInstructionsPerRequest)] = ipr;
      period.metrics[std::string(results::metric::kEstCyclesPerRequest)] =
          (static_cast<double>(b.cycles) - static_cast<double>(a.cycles)) / n;
      if (!rec.metrics.count(std::string(results::metric::kStartupInstructions))) {
        rec.metrics[std::string(results::metric::kStartupInstructions)] =
            static_cast<double>(a.ir) - static_cast<double>(warm) * ipr;
        rec.startup.time_to_ready_s = a.ready_s;
      }
    }
    rec.periods.push_back(std::move(period));
  }
  rec.termination.description = "terminated by SIGTERM as expected (every lifetime)";
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
