#include "profilers/commands.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace benchgate::profilers {
namespace {

using Argv = std::vector<std::string>;

TEST(PerfRecordCommand, AttachToPids) {
  PerfRecordSpec s;
  s.output = "out/perf.data";
  s.pids = {24141, 24142};
  EXPECT_EQ(build_perf_record_command(s), (Argv{"perf", "record", "-e", "cpu-clock", "-F", "999",
                                                "-g", "-p", "24141,24142", "-o", "out/perf.data"}));
  s.call_graph = false;
  s.frequency = 99;
  EXPECT_EQ(build_perf_record_command(s), (Argv{"perf", "record", "-e", "cpu-clock", "-F", "99",
                                                "-p", "24141,24142", "-o", "out/perf.data"}));
  s.call_graph = true;
  s.call_graph_mode = "dwarf";
  s.events = {"cycles:ppp"};  // a modifier, not a tracepoint
  EXPECT_EQ(build_perf_record_command(s),
            (Argv{"perf", "record", "-e", "cycles:ppp", "-F", "99", "--call-graph", "dwarf", "-p",
                  "24141,24142", "-o", "out/perf.data"}));
}

TEST(PerfRecordCommand, WrapAndSystemWide) {
  PerfRecordSpec s;
  s.output = "perf.data";
  s.command = {"./app", "--port", "8080"};
  s.perf = "/usr/bin/perf";
  EXPECT_EQ(build_perf_record_command(s),
            (Argv{"/usr/bin/perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-o",
                  "perf.data", "--", "./app", "--port", "8080"}));
  PerfRecordSpec a;
  a.output = "perf.data";
  a.system_wide = true;
  a.cpus = {0, 2, 3};
  EXPECT_EQ(build_perf_record_command(a), (Argv{"perf", "record", "-e", "cpu-clock", "-F", "999",
                                                "-g", "-a", "-C", "0,2-3", "-o", "perf.data"}));
}

TEST(PerfRecordCommand, IdleUsesSchedulerTracepoints) {
  PerfRecordSpec s;
  s.output = "perf.data.raw";
  s.pids = {7};
  s.call_graph = false;
  EXPECT_EQ(
      build_perf_record_command(perf_idle_record_spec(s)),
      (Argv{"perf", "record", "-e", "sched:sched_switch", "-e", "sched:sched_stat_sleep", "-e",
            "sched:sched_process_exit", "-c", "1", "-g", "-p", "7", "-o", "perf.data.raw"}));
  EXPECT_EQ(build_perf_inject_sched_command("perf", "raw", "out"),
            (Argv{"perf", "inject", "-s", "-i", "raw", "-o", "out"}));
}

TEST(PerfRecordCommand, RejectsBadTargets) {
  PerfRecordSpec s;
  s.output = "p";
  EXPECT_THROW(build_perf_record_command(s), UsageError);  // no target
  s.pids = {1};
  s.system_wide = true;
  EXPECT_THROW(build_perf_record_command(s), UsageError);  // two targets
  s.system_wide = false;
  s.pids = {0};
  EXPECT_THROW(build_perf_record_command(s), UsageError);
  s.pids = {1};
  s.output.clear();
  EXPECT_THROW(build_perf_record_command(s), UsageError);
}

TEST(PerfReportCommand, Styles) {
  EXPECT_EQ(build_perf_report_command("perf", "d", PerfReportStyle::kFlat),
            (Argv{"perf", "report", "-i", "d", "--stdio", "--no-children", "--sort",
                  "comm,dso,symbol", "-g", "none"}));
  EXPECT_EQ(build_perf_report_command("perf", "d", PerfReportStyle::kChildren, false),
            (Argv{"perf", "report", "-i", "d", "--stdio", "--children", "--percent-limit", "0.5",
                  "--no-demangle"}));
  EXPECT_EQ(build_perf_report_command("perf", "d", PerfReportStyle::kDso),
            (Argv{"perf", "report", "-i", "d", "--stdio", "--no-children", "--sort", "dso", "-g",
                  "none"}));
  EXPECT_EQ(build_perf_script_command("perf", "d"), (Argv{"perf", "script", "-i", "d"}));
  EXPECT_EQ(build_perf_script_command("perf", "d", false),
            (Argv{"perf", "script", "-i", "d", "--no-demangle"}));
}

TEST(MassifCommand, WrapsTheApp) {
  MassifSpec s;
  s.output = "runs/x/massif.out.%p";
  s.command = {"./hello-server", "--port", "8080"};
  // Children are followed (a wrapper script's exec, a master's forked workers), each process
  // writing its own massif.out.<pid>.
  EXPECT_EQ(build_massif_command(s),
            (Argv{"valgrind", "--tool=massif", "--trace-children=yes",
                  "--massif-out-file=runs/x/massif.out.%p", "--time-unit=ms", "--detailed-freq=10",
                  "--max-snapshots=100", "--depth=30", "--threshold=1", "--", "./hello-server",
                  "--port", "8080"}));
  s.stacks = true;
  s.pages_as_heap = true;
  s.threshold = 0.5;
  auto a = build_massif_command(s);
  EXPECT_NE(std::find(a.begin(), a.end(), "--stacks=yes"), a.end());
  EXPECT_NE(std::find(a.begin(), a.end(), "--pages-as-heap=yes"), a.end());
  EXPECT_NE(std::find(a.begin(), a.end(), "--threshold=0.5"), a.end());
  s.trace_children = false;
  a = build_massif_command(s);
  EXPECT_EQ(std::find(a.begin(), a.end(), "--trace-children=yes"), a.end());
  s.time_unit = "s";
  EXPECT_THROW(build_massif_command(s), UsageError);
  s.time_unit = "B";
  s.command.clear();
  EXPECT_THROW(build_massif_command(s), UsageError);
  EXPECT_EQ(build_ms_print_command("ms_print", "m.out"),
            (Argv{"ms_print", "--threshold=1", "m.out"}));
}

TEST(OprofileCommands, OperfAndOpreport) {
  OperfSpec s;
  s.session_dir = "o/oprofile_data";
  s.command = {"./app", "-x"};
  EXPECT_EQ(build_operf_command(s),
            (Argv{"operf", "--session-dir=o/oprofile_data", "--callgraph", "./app", "-x"}));
  OperfSpec sys;
  sys.session_dir = "d";
  sys.system_wide = true;
  sys.callgraph = false;
  sys.events = {"CPU_CLK_UNHALTED:100000"};
  EXPECT_EQ(build_operf_command(sys), (Argv{"operf", "--session-dir=d",
                                            "--events=CPU_CLK_UNHALTED:100000", "--system-wide"}));
  OperfSpec pid;
  pid.session_dir = "d";
  pid.pid = 42;
  EXPECT_EQ(build_operf_command(pid),
            (Argv{"operf", "--session-dir=d", "--callgraph", "--pid=42"}));
  pid.system_wide = true;
  EXPECT_THROW(build_operf_command(pid), UsageError);

  EXPECT_EQ(
      build_opreport_command("opreport", "d", OpreportStyle::kSymbols),
      (Argv{"opreport", "--session-dir=d", "--symbols", "--demangle=smart", "--threshold=0.1"}));
  EXPECT_EQ(
      build_opreport_command("opreport", "d", OpreportStyle::kCallgraph, "none"),
      (Argv{"opreport", "--session-dir=d", "--callgraph", "--demangle=none", "--threshold=1"}));
  EXPECT_EQ(
      build_opreport_command("opreport", "d", OpreportStyle::kXml, "smart", "r.xml"),
      (Argv{"opreport", "--session-dir=d", "--xml", "--demangle=smart", "--output-file=r.xml"}));
  EXPECT_THROW(build_opreport_command("opreport", "d", OpreportStyle::kXml), UsageError);
}

}  // namespace
}  // namespace benchgate::profilers
