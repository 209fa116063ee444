#pragma once
// Command builders for the profiling tools: perf (record, inject, report, script), valgrind
// massif and ms_print, operf and opreport. Pure: argv vectors, no shell.

#include <filesystem>
#include <string>
#include <vector>

namespace benchgate::profilers {

struct PerfRecordSpec {
  std::string perf = "perf";
  std::filesystem::path output;  ///< -o perf.data (required)
  /// -e events. cpu-clock (a software timer) works everywhere, also on VMs without a PMU.
  std::vector<std::string> events = {"cpu-clock"};
  int frequency = 999;     ///< -F (sampling events only); 999 avoids lock-step with 1000 Hz timers
  bool call_graph = true;  ///< -g
  std::string call_graph_mode;       ///< --call-graph MODE ("dwarf", "lbr"); "" = frame pointers
  std::vector<int> pids;             ///< -p attach (comma list)
  bool system_wide = false;          ///< -a
  std::vector<int> cpus;             ///< -C, with -a
  std::vector<std::string> command;  ///< wrap: "-- command args"
};

/// `perf record -e E [-F N] [-g] [-a [-C cpus]] [-p pids] -o FILE [-- command]`. Throws
/// UsageError unless exactly one of pids, system_wide or command is given.
std::vector<std::string> build_perf_record_command(const PerfRecordSpec& spec);

/// perf-idle: scheduler events with call chains (why the app sleeps or is switched out):
/// `-e sched:sched_switch -e sched:sched_stat_sleep -e sched:sched_process_exit -g -c 1`. The
/// sleep events carry the time slept; they need kernel.sched_schedstats=1.
PerfRecordSpec perf_idle_record_spec(PerfRecordSpec spec);

/// `perf inject -s -i RAW -o OUT`: merges sched_stat_sleep times into the sched_switch
/// samples so the report weighs call sites by time off CPU.
std::vector<std::string> build_perf_inject_sched_command(const std::string& perf,
                                                         const std::filesystem::path& raw,
                                                         const std::filesystem::path& out);

enum class PerfReportStyle {
  kFlat,      ///< --no-children (self time per symbol)
  kChildren,  ///< --children with the caller-based call graph
  kDso,       ///< --sort dso
};

/// `perf report -i FILE --stdio [style flags] [--no-demangle]`, with --percent-limit for the
/// call-graph styles so the text stays readable.
std::vector<std::string> build_perf_report_command(const std::string& perf,
                                                   const std::filesystem::path& input,
                                                   PerfReportStyle style, bool demangle = true);

/// `perf script -i FILE [--no-demangle]` (the default fields stackcollapse needs).
std::vector<std::string> build_perf_script_command(const std::string& perf,
                                                   const std::filesystem::path& input,
                                                   bool demangle = true);

struct MassifSpec {
  std::string valgrind = "valgrind";
  /// --massif-out-file (required). With trace_children, end it in "%p" (valgrind puts the
  /// pid there): every process writes its own file instead of overwriting one.
  std::filesystem::path output;
  bool trace_children = true;        ///< --trace-children=yes: follow exec and fork
  std::string time_unit = "ms";      ///< i | ms | B; ms suits servers that sleep between requests
  int detailed_freq = 10;            ///< --detailed-freq
  int max_snapshots = 100;           ///< --max-snapshots
  int depth = 30;                    ///< --depth (call stack frames kept)
  double threshold = 1.0;            ///< --threshold (percent)
  bool stacks = false;               ///< --stacks=yes (slow)
  bool pages_as_heap = false;        ///< --pages-as-heap=yes (mmap'd memory too)
  std::vector<std::string> command;  ///< the app (required)
};

/// `valgrind --tool=massif [--trace-children=yes] --massif-out-file=F --time-unit=ms ... --
/// command`.
std::vector<std::string> build_massif_command(const MassifSpec& spec);
/// `ms_print [--threshold=T] FILE`.
std::vector<std::string> build_ms_print_command(const std::string& ms_print,
                                                const std::filesystem::path& massif_out,
                                                double threshold = 1.0);

struct OperfSpec {
  std::string operf = "operf";
  std::filesystem::path session_dir;  ///< --session-dir (required)
  std::vector<std::string> events;    ///< --events=EV:COUNT,...; empty: the CPU's default
  bool callgraph = true;              ///< --callgraph
  bool system_wide = false;           ///< --system-wide
  int pid = 0;                        ///< --pid (operf attaches to one process)
  std::vector<std::string> command;   ///< wrap: the app (followed into its children)
};

/// `operf --session-dir=DIR [--callgraph] [--events=..] (--system-wide | --pid N | command)`.
std::vector<std::string> build_operf_command(const OperfSpec& spec);

enum class OpreportStyle {
  kSymbols,    ///< --symbols (-l), the flat symbol summary
  kCallgraph,  ///< --callgraph
  kXml,        ///< --xml
};

/// `opreport --session-dir=DIR ...`; demangle: "smart" (opreport's) or "none" (benchgate
/// demangles, e.g. with an external demangler). kXml writes to xml_output (--output-file).
std::vector<std::string> build_opreport_command(const std::string& opreport,
                                                const std::filesystem::path& session_dir,
                                                OpreportStyle style,
                                                const std::string& demangle = "smart",
                                                const std::filesystem::path& xml_output = {});

}  // namespace benchgate::profilers
