#include "profilers/commands.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/parse.h"

namespace benchgate::profilers {
namespace {

std::string pid_list(const std::vector<int>& pids) {
  std::vector<std::string> parts;
  for (int p : pids) {
    if (p <= 0) throw UsageError(fmt::format("profiler: invalid pid {}", p));
    parts.push_back(std::to_string(p));
  }
  return join(parts, ",");
}

/// "sched:sched_switch" is a tracepoint; "cycles:ppp" and "cpu-clock:u" are events with
/// modifiers (a suffix made only of modifier letters).
bool is_tracepoint(const std::string& event) {
  auto colon = event.find(':');
  if (colon == std::string::npos) return false;
  auto suffix = std::string_view(event).substr(colon + 1);
  return suffix.empty() || suffix.find_first_not_of("ukhIGHpPSDWeb") != std::string_view::npos;
}

}  // namespace

std::vector<std::string> build_perf_record_command(const PerfRecordSpec& s) {
  const int targets = (!s.pids.empty()) + (s.system_wide ? 1 : 0) + (!s.command.empty());
  if (targets != 1) {
    throw UsageError(
        "perf record: give exactly one target: pids to attach to, system-wide, or a command");
  }
  if (s.output.empty()) throw UsageError("perf record: no output file");
  if (s.events.empty()) throw UsageError("perf record: no event");
  std::vector<std::string> a = {s.perf.empty() ? "perf" : s.perf, "record"};
  bool sampling = false;
  for (const auto& e : s.events) {
    a.push_back("-e");
    a.push_back(e);
    sampling |= !is_tracepoint(e);
  }
  if (sampling && s.frequency > 0) {
    a.push_back("-F");
    a.push_back(std::to_string(s.frequency));
  } else if (!sampling) {
    a.push_back("-c");  // every tracepoint hit
    a.push_back("1");
  }
  if (s.call_graph) {
    if (s.call_graph_mode.empty()) {
      a.push_back("-g");
    } else {
      a.push_back("--call-graph");
      a.push_back(s.call_graph_mode);
    }
  }
  if (s.system_wide) {
    a.push_back("-a");
    if (!s.cpus.empty()) {
      a.push_back("-C");
      a.push_back(format_cpu_list(s.cpus));
    }
  }
  if (!s.pids.empty()) {
    a.push_back("-p");
    a.push_back(pid_list(s.pids));
  }
  a.push_back("-o");
  a.push_back(s.output.string());
  if (!s.command.empty()) {
    a.push_back("--");
    a.insert(a.end(), s.command.begin(), s.command.end());
  }
  return a;
}

PerfRecordSpec perf_idle_record_spec(PerfRecordSpec spec) {
  spec.events = {"sched:sched_switch", "sched:sched_stat_sleep", "sched:sched_process_exit"};
  spec.call_graph = true;
  return spec;
}

std::vector<std::string> build_perf_inject_sched_command(const std::string& perf,
                                                         const std::filesystem::path& raw,
                                                         const std::filesystem::path& out) {
  return {perf.empty() ? "perf" : perf, "inject", "-s", "-i", raw.string(), "-o", out.string()};
}

std::vector<std::string> build_perf_report_command(const std::string& perf,
                                                   const std::filesystem::path& input,
                                                   PerfReportStyle style, bool demangle) {
  std::vector<std::string> a = {perf.empty() ? "perf" : perf, "report", "-i", input.string(),
                                "--stdio"};
  switch (style) {
    case PerfReportStyle::kFlat:
      a.insert(a.end(), {"--no-children", "--sort", "comm,dso,symbol", "-g", "none"});
      break;
    case PerfReportStyle::kChildren:
      a.insert(a.end(), {"--children", "--percent-limit", "0.5"});
      break;
    case PerfReportStyle::kDso:
      a.insert(a.end(), {"--no-children", "--sort", "dso", "-g", "none"});
      break;
  }
  if (!demangle) a.push_back("--no-demangle");
  return a;
}

std::vector<std::string> build_perf_script_command(const std::string& perf,
                                                   const std::filesystem::path& input,
                                                   bool demangle) {
  std::vector<std::string> a = {perf.empty() ? "perf" : perf, "script", "-i", input.string()};
  if (!demangle) a.push_back("--no-demangle");
  return a;
}

std::vector<std::string> build_massif_command(const MassifSpec& s) {
  if (s.command.empty()) throw UsageError("massif: no command to run under valgrind");
  if (s.output.empty()) throw UsageError("massif: no output file");
  if (s.time_unit != "i" && s.time_unit != "ms" && s.time_unit != "B") {
    throw UsageError(fmt::format("massif: time unit must be i, ms or B, got '{}'", s.time_unit));
  }
  std::vector<std::string> a = {s.valgrind.empty() ? "valgrind" : s.valgrind, "--tool=massif"};
  if (s.trace_children) a.push_back("--trace-children=yes");
  a.insert(a.end(),
           {fmt::format("--massif-out-file={}", s.output.string()),
            fmt::format("--time-unit={}", s.time_unit),
            fmt::format("--detailed-freq={}", s.detailed_freq),
            fmt::format("--max-snapshots={}", s.max_snapshots), fmt::format("--depth={}", s.depth),
            fmt::format("--threshold={}", s.threshold)});
  if (s.stacks) a.push_back("--stacks=yes");
  if (s.pages_as_heap) a.push_back("--pages-as-heap=yes");
  a.push_back("--");
  a.insert(a.end(), s.command.begin(), s.command.end());
  return a;
}

std::vector<std::string> build_ms_print_command(const std::string& ms_print,
                                                const std::filesystem::path& massif_out,
                                                double threshold) {
  return {ms_print.empty() ? "ms_print" : ms_print, fmt::format("--threshold={}", threshold),
          massif_out.string()};
}

std::vector<std::string> build_operf_command(const OperfSpec& s) {
  const int targets = (s.pid > 0) + (s.system_wide ? 1 : 0) + (!s.command.empty());
  if (targets != 1) {
    throw UsageError("operf: give exactly one target: a pid, system-wide, or a command");
  }
  if (s.session_dir.empty()) throw UsageError("operf: no session folder");
  std::vector<std::string> a = {s.operf.empty() ? "operf" : s.operf,
                                fmt::format("--session-dir={}", s.session_dir.string())};
  if (s.callgraph) a.push_back("--callgraph");
  if (!s.events.empty()) a.push_back(fmt::format("--events={}", join(s.events, ",")));
  if (s.system_wide) a.push_back("--system-wide");
  if (s.pid > 0) a.push_back(fmt::format("--pid={}", s.pid));
  a.insert(a.end(), s.command.begin(), s.command.end());
  return a;
}

std::vector<std::string> build_opreport_command(const std::string& opreport,
                                                const std::filesystem::path& session_dir,
                                                OpreportStyle style, const std::string& demangle,
                                                const std::filesystem::path& xml_output) {
  std::vector<std::string> a = {opreport.empty() ? "opreport" : opreport,
                                fmt::format("--session-dir={}", session_dir.string())};
  switch (style) {
    case OpreportStyle::kSymbols:
      a.insert(a.end(), {"--symbols", fmt::format("--demangle={}", demangle), "--threshold=0.1"});
      break;
    case OpreportStyle::kCallgraph:
      a.insert(a.end(), {"--callgraph", fmt::format("--demangle={}", demangle), "--threshold=1"});
      break;
    case OpreportStyle::kXml:
      if (xml_output.empty()) throw UsageError("opreport --xml: no output file");
      a.insert(a.end(), {"--xml", fmt::format("--demangle={}", demangle),
                         fmt::format("--output-file={}", xml_output.string())});
      break;
  }
  return a;
}

}  // namespace benchgate::profilers
