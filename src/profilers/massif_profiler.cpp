// The massif profiler: valgrind --tool=massif wraps the app (every process it forks or
// execs), then the massif.out.<pid> files are summarised.

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
namespace {

namespace fs = std::filesystem;
using namespace detail;

// ---- massif ----------------------------------------------------------------------------------

class MassifProfiler final : public Profiler {
 public:
  std::string name() const override { return "massif"; }
  Attachment attachment() const override { return Attachment::kWrap; }
  std::optional<std::string> unavailable_reason(const ProfilerContext& ctx) const override {
    return missing_tool(program(ctx, "valgrind"),
                        "install valgrind (Debian: apt-get install valgrind)");
  }
  std::vector<std::string> wrap(const std::vector<std::string>& app,
                                const ProfilerContext& ctx) const override {
    MassifSpec s;
    s.valgrind = program(ctx, "valgrind");
    // One file per process: valgrind follows a wrapper script's exec and a master's forked
    // workers (--trace-children=yes) and puts each one's pid in place of %p.
    s.output = ctx.path(std::string(kOutPrefix) + "%p");
    s.trace_children = true;
    s.command = app;
    fs::create_directories(s.output.parent_path());
    return build_massif_command(s);
  }
  results::ProfileSummary post_process(const ProfilerContext& ctx, const ToolRunner& run,
                                       std::string_view rec_stderr) const override {
    // The per-process outputs, by pid.
    const auto dir = ctx.path(kOutPrefix).parent_path();
    const std::string prefix = ctx.path(kOutPrefix).filename().string();
    std::map<int, fs::path> outputs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (auto pid = output_file_pid(e.path().filename().string(), prefix)) {
        outputs[*pid] = e.path();
      }
    }
    const auto seen = valgrind_pids(rec_stderr);
    auto pid_text = [](const auto& pids) {
      std::vector<std::string> t;
      for (int p : pids)
        t.push_back(std::to_string(p));
      return join(t, ", ");
    };
    if (outputs.empty()) {
      auto why = diagnose_profiler_stderr(rec_stderr);
      return failed("massif", fmt::format("valgrind wrote no massif output{}{}",
                                          seen.empty() ? " (valgrind printed no process id)"
                                                       : fmt::format(" (valgrind ran pid {})",
                                                                     pid_text(seen)),
                                          why.empty() ? "" : ": " + why));
    }
    // Each process: parsed, ms_print'ed. The summary is the one with the largest peak heap.
    struct One {
      int pid;
      results::ProfileSummary summary;
      double peak = 0;
    };
    std::vector<One> parsed;
    std::vector<std::string> problems;
    nlohmann::json processes = nlohmann::json::array();
    for (const auto& [pid, path] : outputs) {
      One o{pid, {}, 0};
      try {
        o.summary = summarize_massif(parse_massif_out(platform::read_file(path)), ctx.top);
        o.peak = o.summary.extra.value("peak_heap_B", 0.0);
      } catch (const std::exception& e) {
        problems.push_back(fmt::format("cannot read {}: {}", path.string(), e.what()));
        continue;
      }
      const auto report = fmt::format("ms_print.{}.txt", pid);
      if (auto err = run_tool(run, build_ms_print_command(sibling(ctx, "ms_print"), path),
                              ctx.path(report));
          !err.empty()) {
        o.summary.extra["ms_print_error"] = err;
      }
      processes.push_back({{"pid", pid},
                           {"command", o.summary.extra.value("command", "")},
                           {"peak_heap_B", o.peak},
                           {"artifact", ctx.artifact(path.filename().string())}});
      parsed.push_back(std::move(o));
    }
    if (parsed.empty()) return failed("massif", join(problems, "; "));
    std::stable_sort(parsed.begin(), parsed.end(),
                     [](const One& a, const One& b) { return a.peak > b.peak; });
    results::ProfileSummary s = parsed.front().summary;
    s.status = "ok";
    s.extra["summary_of_pid"] = parsed.front().pid;
    s.extra["pids"] = processes;
    if (ctx.demangler) {
      std::vector<std::string> names;
      for (const auto& e : s.top_symbols)
        names.push_back(e.name);
      auto d = demangle_all(names, DemangleStyle::kFull, ctx.demangler);
      for (std::size_t i = 0; i < d.size(); ++i)
        s.top_symbols[i].name = d[i];
    }
    // Artifacts of every process, the summarised one first.
    for (const auto& o : parsed) {
      add_artifact(s, ctx, "massif-out", fmt::format("{}{}", kOutPrefix, o.pid),
                   fmt::format("valgrind massif output of pid {}", o.pid));
      add_artifact(s, ctx, "massif-report", fmt::format("ms_print.{}.txt", o.pid),
                   fmt::format("ms_print of pid {}: heap over time and trees", o.pid));
    }
    // A process valgrind ran that left no output (killed before it could write, or its
    // output unreadable) makes the profile incomplete.
    std::vector<int> missing;
    for (int pid : seen) {
      if (!outputs.count(pid)) missing.push_back(pid);
    }
    if (!missing.empty() || !problems.empty()) {
      s.status = "failed";
      std::vector<std::string> why;
      if (!missing.empty()) {
        why.push_back(fmt::format(
            "valgrind ran pid {} but pid {} wrote no massif output (killed before it exited?)",
            pid_text(seen), pid_text(missing)));
      }
      why.insert(why.end(), problems.begin(), problems.end());
      s.reason = join(why, "; ");
    }
    return s;
  }

 private:
  static constexpr std::string_view kOutPrefix = "massif.out.";
};

}  // namespace

std::unique_ptr<Profiler> detail::make_massif_profiler() {
  return std::make_unique<MassifProfiler>();
}

}  // namespace benchgate::profilers
