#include "profilers/profiler.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "profilers/commands.h"
#include "profilers/flamegraph.h"
#include "profilers/massif.h"
#include "profilers/oprofile.h"
#include "profilers/perf_opreport.h"
#include "profilers/perf_parse.h"
#include "profilers/profiler_support.h"

namespace benchgate::profilers {

namespace fs = std::filesystem;
using namespace detail;

// ---- shared ----------------------------------------------------------------------------------

std::vector<std::string> Profiler::wrap(const std::vector<std::string>&,
                                        const ProfilerContext&) const {
  throw UsageError(fmt::format("profiler {} attaches to the app; it does not wrap it", name()));
}

std::vector<std::string> Profiler::attach(const std::vector<int>&, const ProfilerContext&) const {
  throw UsageError(fmt::format("profiler {} wraps the app's command; it does not attach", name()));
}

bool Profiler::expected_exit(const platform::ExitStatus& st) const {
  if (!st.exited) return st.signal == SIGTERM || st.signal == SIGINT;
  return st.code == 0 || st.code == 128 + SIGTERM || st.code == 128 + SIGINT;
}

std::vector<std::string> profiler_names() {
  return {"perf",      "perf-cg", "perf-idle", "flame",
          "flame-all", "massif",  "oprofile",  "oprofile-sys"};
}

std::unique_ptr<Profiler> make_profiler(const std::string& name) {
  if (auto perf = detail::make_perf_profiler(name)) return perf;
  if (name == "massif") return detail::make_massif_profiler();
  if (name == "oprofile") return detail::make_oprofile_profiler(false);
  if (name == "oprofile-sys") return detail::make_oprofile_profiler(true);
  throw UsageError(
      fmt::format("unknown profiler '{}' (valid: {})", name, join(profiler_names(), ", ")));
}

std::optional<std::string> perf_permission_problem(Attachment target, bool tracepoints,
                                                   const ProfilerContext& ctx) {
  if (tracepoints) {
    bool found = false;
    for (const char* dir : {"kernel/tracing", "kernel/debug/tracing"}) {
      found |= fs::exists(std::filesystem::path(ctx.roots.sys) / dir / "events/sched/sched_switch");
    }
    if (!found) {
      return fmt::format(
          "the scheduler tracepoints are not available: tracefs is not mounted (no "
          "{}/kernel/tracing/events/sched; try 'mount -t tracefs nodev /sys/kernel/tracing')",
          ctx.roots.sys);
    }
  }
  if (effective_uid(ctx) == 0) return std::nullopt;
  const auto paranoid =
      read_int_file(std::filesystem::path(ctx.roots.proc) / "sys/kernel/perf_event_paranoid");
  if (!paranoid) {
    return fmt::format(
        "this kernel does not offer perf events ({} is missing)",
        (std::filesystem::path(ctx.roots.proc) / "sys/kernel/perf_event_paranoid").string());
  }
  const int p = *paranoid;
  if (tracepoints && p > -1) {
    return fmt::format(
        "recording scheduler tracepoints needs root (or kernel.perf_event_paranoid=-1; it is {})",
        p);
  }
  if (target == Attachment::kSystemWide && p > 0) {
    return fmt::format(
        "system-wide profiling needs root or CAP_PERFMON (or kernel.perf_event_paranoid<=0; it "
        "is {})",
        p);
  }
  if (p > 2) {
    return fmt::format(
        "kernel.perf_event_paranoid is {}: unprivileged perf is disabled; run as root, grant "
        "CAP_PERFMON, or 'sysctl kernel.perf_event_paranoid=2' (1 to see kernel frames)",
        p);
  }
  return std::nullopt;
}

std::string diagnose_profiler_stderr(std::string_view text) {
  for (auto line : split_view(text, '\n')) {
    auto t = trim(line);
    if (t.empty()) continue;
    if (contains(t, "Permission denied") || contains(t, "perf_event_paranoid") ||
        contains(t, "No permission") || contains(t, "Access to performance monitoring") ||
        contains(t, "Operation not permitted")) {
      return fmt::format("permission denied ({})", t);
    }
    if (contains(t, "No such process")) {
      return fmt::format("the app's process was gone before the profiler attached ({})", t);
    }
    if (contains(t, "not supported") || contains(t, "event syntax error") ||
        contains(t, "unknown tracepoint")) {
      return fmt::format("event not available here ({})", t);
    }
    if (contains(t, "failed to start tool") || contains(t, "command not found") ||
        contains(t, "No such file or directory")) {
      return fmt::format("cannot start ({})", t);
    }
  }
  return {};
}

ToolRunner subprocess_tool_runner(Nanos timeout, const CancelToken* cancel) {
  return [timeout, cancel](const std::vector<std::string>& argv, const fs::path& stdout_path) {
    platform::TempDir dir("benchgate-tool");
    platform::SpawnOptions o;
    o.argv = argv;
    o.stdout_path = stdout_path;
    o.stderr_path = dir.path() / "stderr.txt";
    auto proc = platform::Subprocess::spawn(o);
    ToolRun r;
    auto st = proc.wait_for(timeout, cancel);
    if (!st) {
      r.status = proc.terminate();
      r.stderr_text = cancel && cancel->cancelled()
                          ? "interrupted"
                          : fmt::format("timed out after {}", format_duration(timeout));
      return r;
    }
    r.status = *st;
    try {
      r.stderr_text = tail(platform::read_file(o.stderr_path), 4000);
    } catch (const std::exception&) {
    }
    return r;
  };
}

void write_diff_flamegraph(const DiffSide& before, const DiffSide& after, const fs::path& svg,
                           const std::string& title) {
  auto load = [](const DiffSide& side) {
    FoldedStacks sum;
    for (const auto& f : side.folded) {
      for (const auto& [stack, n] : parse_folded(platform::read_file(f)))
        sum[stack] += n;
    }
    return sum;
  };
  const auto b = load(before);
  const auto a = load(after);
  DiffFlameGraphOptions o;
  o.requests_before = before.requests;
  o.requests_after = after.requests;
  const bool per_request = before.requests > 0 && after.requests > 0;
  const std::string what =
      per_request ? "self samples per 1,000 requests" : "self samples per 1,000 samples";
  o.graph.title = (title.empty() ? "Differential flame graph" : title) + " — " + what;
  auto side_text = [&](const DiffSide& side, const FoldedStacks& f) {
    std::string t = fmt::format("{} samples", total_count(f));
    if (side.requests > 0) t += fmt::format(" over {:.0f} requests", side.requests);
    if (side.folded.size() > 1) t += fmt::format(" in {} runs", side.folded.size());
    return t;
  };
  o.graph.subtitle =
      fmt::format("width: candidate ({}); baseline: {}", side_text(after, a), side_text(before, b));
  platform::write_file_atomic(svg, render_diff_flamegraph(b, a, o));
}

}  // namespace benchgate::profilers
