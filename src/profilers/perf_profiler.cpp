// The perf profilers (perf, perf-cg, perf-idle, flame, flame-all): perf record around the
// app or its measured periods, then perf report / perf script post-processing.

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

// ---- perf ------------------------------------------------------------------------------------

enum class PerfKind { kFlat, kCallGraph, kIdle, kFlame, kFlameAll };

class PerfProfiler final : public Profiler {
 public:
  PerfProfiler(std::string name, PerfKind kind) : name_(std::move(name)), kind_(kind) {}
  std::string name() const override { return name_; }
  Attachment attachment() const override {
    return kind_ == PerfKind::kFlameAll ? Attachment::kSystemWide : Attachment::kAttach;
  }

  std::optional<std::string> unavailable_reason(const ProfilerContext& ctx) const override {
    if (auto m =
            missing_tool(program(ctx, "perf"), "install it (Debian: apt-get install linux-perf)")) {
      return m;
    }
    if (auto p = perf_permission_problem(attachment(), kind_ == PerfKind::kIdle, ctx)) {
      return fmt::format("{}: {}", name_, *p);
    }
    return std::nullopt;
  }

  std::vector<std::string> attach(const std::vector<int>& pids,
                                  const ProfilerContext& ctx) const override {
    PerfRecordSpec s;
    s.perf = program(ctx, "perf");
    s.call_graph = kind_ != PerfKind::kFlat;
    if (attachment() == Attachment::kSystemWide) {
      s.system_wide = true;
      s.cpus = ctx.cpus;
    } else {
      if (pids.empty()) throw UsageError(fmt::format("{}: no process to attach to", name_));
      s.pids = pids;
    }
    if (kind_ == PerfKind::kIdle) {
      s = perf_idle_record_spec(s);
      s.output = ctx.path("perf.data.raw");
    } else {
      s.output = ctx.path("perf.data");
    }
    fs::create_directories(s.output.parent_path());
    return build_perf_record_command(s);
  }

  results::ProfileSummary post_process(const ProfilerContext& ctx, const ToolRunner& run,
                                       std::string_view rec_stderr) const override {
    const std::string perf = program(ctx, "perf");
    const auto recorded = ctx.path(kind_ == PerfKind::kIdle ? "perf.data.raw" : "perf.data");
    if (!fs::exists(recorded) || fs::file_size(recorded) == 0) {
      auto why = diagnose_profiler_stderr(rec_stderr);
      return failed(
          name_, fmt::format("perf record wrote no data{}",
                             why.empty() ? (rec_stderr.empty() ? "" : ": " + tail(rec_stderr, 300))
                                         : ": " + why));
    }
    if (kind_ == PerfKind::kIdle) {
      if (auto err =
              run_tool(run, build_perf_inject_sched_command(perf, recorded, ctx.path("perf.data")),
                       ctx.path("perf-inject.log"));
          !err.empty()) {
        return failed(name_, err);
      }
    }
    const auto data = ctx.path("perf.data");
    results::ProfileSummary s;
    switch (kind_) {
      case PerfKind::kFlat:
      case PerfKind::kCallGraph: {
        if (kind_ == PerfKind::kCallGraph) {
          // Best effort: the summary comes from the flat report.
          run_tool(run, build_perf_report_command(perf, data, PerfReportStyle::kChildren),
                   ctx.path("perf-report-callgraph.txt"));
        }
        if (auto err = run_tool(run, build_perf_report_command(perf, data, PerfReportStyle::kFlat),
                                ctx.path("perf-report.txt"));
            !err.empty()) {
          return failed(name_, err);
        }
        try {
          s = summarize_perf_report(
              parse_perf_report(platform::read_file(ctx.path("perf-report.txt"))),
              {.top = ctx.top});
        } catch (const std::exception& e) {
          return failed(name_, fmt::format("cannot read perf report: {}", e.what()));
        }
        break;
      }
      case PerfKind::kIdle:
      case PerfKind::kFlame:
      case PerfKind::kFlameAll: {
        if (kind_ == PerfKind::kIdle) {
          run_tool(run, build_perf_report_command(perf, data, PerfReportStyle::kChildren),
                   ctx.path("perf-report-callgraph.txt"));
        }
        if (auto err =
                run_tool(run, build_perf_script_command(perf, data), ctx.path("perf-script.txt"));
            !err.empty()) {
          return failed(name_, err);
        }
        try {
          s = flame(ctx);
        } catch (const std::exception& e) {
          return failed(name_, fmt::format("cannot fold perf script output: {}", e.what()));
        }
        fs::remove(ctx.path("perf-script.txt"));  // large; the folded stacks keep what matters
        break;
      }
    }
    s.profiler = name_;
    demangle_summary(s, ctx);
    // Only what this kind wrote (a folder may hold files of an earlier profile).
    const bool flat = kind_ == PerfKind::kFlat || kind_ == PerfKind::kCallGraph;
    const bool graph = kind_ == PerfKind::kCallGraph || kind_ == PerfKind::kIdle;
    add_artifact(s, ctx, "perf-data", "perf.data", "perf record output (perf report -i ...)");
    if (flat) add_artifact(s, ctx, "perf-report", "perf-report.txt", "perf report: flat profile");
    if (graph) {
      add_artifact(s, ctx, "perf-report", "perf-report-callgraph.txt",
                   "perf report: call graph with children");
    }
    if (!flat) {
      add_artifact(s, ctx, "folded-stacks", "stacks.folded", "collapsed stacks (stack count)");
      add_artifact(s, ctx, "flamegraph", "flamegraph.svg",
                   kind_ == PerfKind::kIdle ? "off-CPU flame graph (time blocked)"
                                            : "CPU flame graph (interactive SVG)");
    }
    return s;
  }

 private:
  results::ProfileSummary flame(const ProfilerContext& ctx) const {
    const auto samples = parse_perf_script(platform::read_file(ctx.path("perf-script.txt")));
    FoldOptions fo;
    if (kind_ == PerfKind::kIdle) {
      fo.event = "sched:sched_switch";
      fo.weight_by_period = true;  // after perf inject -s: the time slept
    }
    auto folded = fold_perf_samples(samples, fo);
    if (ctx.demangler) folded = demangle_folded(folded, *ctx.demangler);
    platform::write_file_atomic(ctx.path("stacks.folded"), format_folded(folded));
    FlameGraphOptions go;
    go.title = kind_ == PerfKind::kIdle ? "Off-CPU time" : "CPU flame graph";
    if (!ctx.title.empty()) go.title += " — " + ctx.title;
    const auto total = total_count(folded);
    if (kind_ == PerfKind::kIdle) {
      go.count_name = "ns";
      go.subtitle = fmt::format("{} blocked (sched_switch weighted by sleep time)",
                                format_latency(static_cast<double>(total) * 1e-9));
    } else {
      std::string event = samples.empty() ? "" : samples.front().event;
      go.subtitle = fmt::format("{} samples of {}{}", total, event,
                                kind_ == PerfKind::kFlameAll ? ", all processes" : "");
    }
    platform::write_file_atomic(ctx.path("flamegraph.svg"), render_flamegraph(folded, go));
    results::ProfileSummary s;
    if (kind_ == PerfKind::kIdle) {
      s = blocked_sites(folded, ctx.top);
    } else {
      s = summarize_perf_samples(samples, {.top = ctx.top}, fo);
    }
    s.extra["folded_total"] = total;
    return s;
  }

  /// Off-CPU: who blocked. The innermost user-space frame of each switched-out stack.
  static results::ProfileSummary blocked_sites(const FoldedStacks& folded, std::size_t top) {
    results::ProfileSummary s;
    std::map<std::string, std::int64_t> sites;
    std::int64_t total = 0;
    for (const auto& [stack, n] : folded) {
      auto frames = split(stack, ';');
      std::string site = frames.empty() ? "[unknown]" : frames.back();
      for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        if (it->size() < 4 || it->substr(it->size() - 4) != "_[k]") {
          site = *it;
          break;
        }
      }
      sites[site] += n;
      total += n;
    }
    if (total == 0) {
      s.status = "failed";
      s.reason = "no scheduler events were recorded for the app";
      return s;
    }
    for (const auto& [k, v] : sites) {
      s.top_symbols.push_back({k, static_cast<double>(v) / static_cast<double>(total), ""});
    }
    std::stable_sort(s.top_symbols.begin(), s.top_symbols.end(),
                     [](const auto& a, const auto& b) { return a.share > b.share; });
    if (s.top_symbols.size() > top) s.top_symbols.resize(top);
    s.extra["blocked_ns"] = total;
    return s;
  }

  std::string name_;
  PerfKind kind_;
};

}  // namespace

std::unique_ptr<Profiler> detail::make_perf_profiler(const std::string& name) {
  if (name == "perf") return std::make_unique<PerfProfiler>(name, PerfKind::kFlat);
  if (name == "perf-cg") return std::make_unique<PerfProfiler>(name, PerfKind::kCallGraph);
  if (name == "perf-idle") return std::make_unique<PerfProfiler>(name, PerfKind::kIdle);
  if (name == "flame") return std::make_unique<PerfProfiler>(name, PerfKind::kFlame);
  if (name == "flame-all") return std::make_unique<PerfProfiler>(name, PerfKind::kFlameAll);
  return nullptr;
}

}  // namespace benchgate::profilers
