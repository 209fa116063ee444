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

namespace benchgate::profilers {
namespace {

namespace fs = std::filesystem;

bool contains(std::string_view s, std::string_view w) {
  return s.find(w) != std::string_view::npos;
}

std::string tail(std::string_view s, std::size_t max = 2000) {
  s = trim(s);
  return std::string(s.size() > max ? s.substr(s.size() - max) : s);
}

std::optional<int> read_int_file(const fs::path& p) {
  try {
    return static_cast<int>(parse_int(trim(platform::read_file(p))));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

int effective_uid(const ProfilerContext& ctx) {
  return ctx.euid >= 0 ? ctx.euid : static_cast<int>(::geteuid());
}

std::string program(const ProfilerContext& ctx, const char* fallback) {
  return ctx.tool_path.empty() ? fallback : ctx.tool_path;
}

/// The tool beside `primary` (ms_print next to valgrind, opreport next to operf).
std::string sibling(const ProfilerContext& ctx, const char* name) {
  if (ctx.tool_path.empty() || ctx.tool_path.find('/') == std::string::npos) return name;
  return (fs::path(ctx.tool_path).parent_path() / name).string();
}

std::optional<std::string> missing_tool(const std::string& tool, std::string_view how) {
  if (platform::find_executable(tool)) return std::nullopt;
  return fmt::format("'{}' was not found{}; {}", tool,
                     tool.find('/') == std::string::npos ? " on PATH" : "", how);
}

results::ProfileSummary failed(const std::string& profiler, std::string reason) {
  results::ProfileSummary s;
  s.profiler = profiler;
  s.status = "failed";
  s.reason = std::move(reason);
  return s;
}

void add_artifact(results::ProfileSummary& s, const ProfilerContext& ctx, std::string kind,
                  std::string_view file, std::string description) {
  if (fs::exists(ctx.path(file))) {
    s.artifacts.push_back({std::move(kind), ctx.artifact(file), std::move(description)});
  }
}

/// Runs a report tool; "" on success, otherwise why it failed.
std::string run_tool(const ToolRunner& run, const std::vector<std::string>& argv,
                     const fs::path& out) {
  fs::create_directories(out.parent_path());
  try {
    auto r = run(argv, out);
    if (r.status.success()) return {};
    auto why = diagnose_profiler_stderr(r.stderr_text);
    return fmt::format(
        "'{}' {}{}", shell_join(argv), r.status.describe(),
        why.empty() ? (r.stderr_text.empty() ? "" : ": " + tail(r.stderr_text, 300)) : ": " + why);
  } catch (const std::exception& e) {
    return fmt::format("'{}' could not run: {}", shell_join(argv), e.what());
  }
}

/// The external demangler (if any) over summary names.
void demangle_summary(results::ProfileSummary& s, const ProfilerContext& ctx) {
  if (!ctx.demangler) return;
  std::vector<std::string> names;
  for (const auto& e : s.top_symbols)
    names.push_back(e.name);
  auto out = demangle_all(names, DemangleStyle::kPerf, ctx.demangler);
  for (std::size_t i = 0; i < out.size(); ++i)
    s.top_symbols[i].name = out[i];
}

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

// ---- oprofile --------------------------------------------------------------------------------

class OprofileProfiler final : public Profiler {
 public:
  explicit OprofileProfiler(bool system) : system_(system) {}
  std::string name() const override { return system_ ? "oprofile-sys" : "oprofile"; }
  Attachment attachment() const override {
    return system_ ? Attachment::kSystemWide : Attachment::kWrap;
  }
  std::optional<std::string> unavailable_reason(const ProfilerContext& ctx) const override {
    if (with_perf(ctx)) {
      // operf is missing: perf records, benchgate writes opreport's outputs.
      if (auto m =
              missing_tool(program(ctx, "perf"),
                           "neither operf (OProfile) nor perf was found; install linux-perf")) {
        return m;
      }
      if (auto p = perf_permission_problem(attachment(), false, ctx)) {
        return fmt::format("{} (recording with perf: operf is not installed): {}", name(), *p);
      }
      return std::nullopt;
    }
    if (auto m = missing_tool(
            program(ctx, "operf"),
            "OProfile is not packaged in Debian 12: build it from https://oprofile.sourceforge.io "
            "or use --profiler perf")) {
      return m;
    }
    if (system_ && effective_uid(ctx) != 0) {
      return std::string("oprofile-sys profiles the whole system, which operf allows only to root");
    }
    return std::nullopt;
  }
  std::vector<std::string> wrap(const std::vector<std::string>& app,
                                const ProfilerContext& ctx) const override {
    if (system_) return Profiler::wrap(app, ctx);
    if (with_perf(ctx)) {
      PerfRecordSpec p;
      p.perf = "perf";
      p.output = ctx.path(kPerfData);
      p.command = app;  // perf follows the app's children (inherit)
      fs::create_directories(p.output.parent_path());
      return build_perf_record_command(p);
    }
    OperfSpec s;
    s.operf = program(ctx, "operf");
    s.session_dir = ctx.path("oprofile_data");
    s.command = app;
    fs::create_directories(s.session_dir.parent_path());
    return build_operf_command(s);
  }
  std::vector<std::string> attach(const std::vector<int>& pids,
                                  const ProfilerContext& ctx) const override {
    if (!system_) return Profiler::attach(pids, ctx);
    if (with_perf(ctx)) {
      PerfRecordSpec p;
      p.perf = "perf";
      p.output = ctx.path(kPerfData);
      p.system_wide = true;
      p.cpus = ctx.cpus;
      fs::create_directories(p.output.parent_path());
      return build_perf_record_command(p);
    }
    OperfSpec s;
    s.operf = program(ctx, "operf");
    s.session_dir = ctx.path("oprofile_data");
    s.system_wide = true;
    fs::create_directories(s.session_dir.parent_path());
    return build_operf_command(s);
  }
  results::ProfileSummary post_process(const ProfilerContext& ctx, const ToolRunner& run,
                                       std::string_view rec_stderr) const override {
    if (with_perf(ctx)) return post_process_perf(ctx, run, rec_stderr);
    const auto session = ctx.path("oprofile_data");
    if (!fs::exists(session)) {
      auto why = diagnose_profiler_stderr(rec_stderr);
      return failed(name(), fmt::format("operf wrote no session{}", why.empty() ? "" : ": " + why));
    }
    const std::string opreport = sibling(ctx, "opreport");
    const std::string demangle = ctx.demangler ? "none" : "smart";
    run_tool(run, build_opreport_command(opreport, session, OpreportStyle::kSymbols, demangle),
             ctx.path("opreport.txt"));
    run_tool(run, build_opreport_command(opreport, session, OpreportStyle::kCallgraph, demangle),
             ctx.path("opreport-callgraph.txt"));
    auto xml_err = run_tool(run,
                            build_opreport_command(opreport, session, OpreportStyle::kXml, demangle,
                                                   ctx.path("opreport.xml")),
                            ctx.path("opreport-xml.log"));
    results::ProfileSummary s;
    try {
      if (xml_err.empty() && fs::exists(ctx.path("opreport.xml"))) {
        s = summarize_oprofile(parse_opreport_xml(platform::read_file(ctx.path("opreport.xml"))),
                               ctx.top);
      } else {
        s = summarize_oprofile(parse_opreport_text(platform::read_file(ctx.path("opreport.txt"))),
                               ctx.top);
      }
    } catch (const std::exception& e) {
      return failed(name(), fmt::format("cannot read the opreport output: {}{}", e.what(),
                                        xml_err.empty() ? "" : " (" + xml_err + ")"));
    }
    s.profiler = name();
    if (ctx.demangler || demangle == "none") {
      std::vector<std::string> names;
      for (const auto& e : s.top_symbols)
        names.push_back(e.name);
      auto d = demangle_all(names, DemangleStyle::kFull, ctx.demangler);
      for (std::size_t i = 0; i < d.size(); ++i)
        s.top_symbols[i].name = d[i];
    }
    add_artifact(s, ctx, "opreport", "opreport.txt", "opreport: symbol summary");
    add_artifact(s, ctx, "opreport-callgraph", "opreport-callgraph.txt", "opreport: call graph");
    add_artifact(s, ctx, "opreport-xml", "opreport.xml", "opreport --xml");
    return s;
  }

 private:
  static constexpr std::string_view kPerfData = "oprofile-perf.data";

  /// operf is not installed (and no explicit tool path names it): record with perf.
  static bool with_perf(const ProfilerContext& ctx) {
    return ctx.tool_path.empty() && !platform::find_executable("operf");
  }

  results::ProfileSummary post_process_perf(const ProfilerContext& ctx, const ToolRunner& run,
                                            std::string_view rec_stderr) const {
    const auto data = ctx.path(kPerfData);
    if (!fs::exists(data) || fs::file_size(data) == 0) {
      auto why = diagnose_profiler_stderr(rec_stderr);
      return failed(name(), fmt::format("perf record (standing in for operf) wrote no data{}",
                                        why.empty() ? "" : ": " + why));
    }
    const auto script = ctx.path("oprofile-perf-script.txt");
    if (auto err = run_tool(run, build_perf_script_command("perf", data), script); !err.empty()) {
      return failed(name(), err);
    }
    OpreportDocuments docs;
    try {
      OpreportFromPerfOptions o;
      o.event = "cpu-clock";
      o.period = 999;  // perf record -F 999: samples per second, not a count; shown as setup
      docs = opreport_from_perf(parse_perf_script(platform::read_file(script)), o);
      fs::remove(script);
      platform::write_file_atomic(ctx.path("opreport.xml"), docs.xml);
      platform::write_file_atomic(ctx.path("opreport.txt"), docs.text);
    } catch (const std::exception& e) {
      return failed(name(),
                    fmt::format("cannot turn perf's samples into opreport output: {}", e.what()));
    }
    if (docs.samples == 0) return failed(name(), "perf recorded no cpu-clock samples of the app");
    results::ProfileSummary s;
    try {
      s = summarize_oprofile(parse_opreport_xml(docs.xml), ctx.top);
    } catch (const std::exception& e) {
      return failed(name(), fmt::format("cannot read the opreport XML written: {}", e.what()));
    }
    s.profiler = name();
    s.extra["recorded_with"] = "perf record -e cpu-clock (operf is not installed)";
    s.extra["perf_samples"] = docs.samples;
    demangle_summary(s, ctx);
    add_artifact(s, ctx, "perf-data", kPerfData, "perf record output (perf report -i ...)");
    add_artifact(s, ctx, "opreport", "opreport.txt",
                 "opreport -l style symbol summary (from perf)");
    add_artifact(s, ctx, "opreport-xml", "opreport.xml", "opreport -X style XML (from perf)");
    return s;
  }

  bool system_;
};

}  // namespace

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
  if (name == "perf") return std::make_unique<PerfProfiler>(name, PerfKind::kFlat);
  if (name == "perf-cg") return std::make_unique<PerfProfiler>(name, PerfKind::kCallGraph);
  if (name == "perf-idle") return std::make_unique<PerfProfiler>(name, PerfKind::kIdle);
  if (name == "flame") return std::make_unique<PerfProfiler>(name, PerfKind::kFlame);
  if (name == "flame-all") return std::make_unique<PerfProfiler>(name, PerfKind::kFlameAll);
  if (name == "massif") return std::make_unique<MassifProfiler>();
  if (name == "oprofile") return std::make_unique<OprofileProfiler>(false);
  if (name == "oprofile-sys") return std::make_unique<OprofileProfiler>(true);
  throw UsageError(
      fmt::format("unknown profiler '{}' (valid: {})", name, join(profiler_names(), ", ")));
}

std::optional<std::string> perf_permission_problem(Attachment target, bool tracepoints,
                                                   const ProfilerContext& ctx) {
  if (tracepoints) {
    bool found = false;
    for (const char* dir : {"kernel/tracing", "kernel/debug/tracing"}) {
      found |= fs::exists(ctx.sys_root / dir / "events/sched/sched_switch");
    }
    if (!found) {
      return fmt::format(
          "the scheduler tracepoints are not available: tracefs is not mounted (no "
          "{}/kernel/tracing/events/sched; try 'mount -t tracefs nodev /sys/kernel/tracing')",
          ctx.sys_root.string());
    }
  }
  if (effective_uid(ctx) == 0) return std::nullopt;
  const auto paranoid = read_int_file(ctx.proc_root / "sys/kernel/perf_event_paranoid");
  if (!paranoid) {
    return fmt::format("this kernel does not offer perf events ({} is missing)",
                       (ctx.proc_root / "sys/kernel/perf_event_paranoid").string());
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
