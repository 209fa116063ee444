#include "profilers/profiler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <pugixml.hpp>

#include "core/error.h"
#include "platform/fs.h"
#include "test_support.h"

namespace benchgate::profilers {
namespace {

namespace fs = std::filesystem;
using Argv = std::vector<std::string>;

std::string fixture(const std::string& rel) {
  return testing::read_text(testing::data_path(rel));
}

bool has(const Argv& a, const std::string& w) {
  return std::find(a.begin(), a.end(), w) != a.end();
}

/// A fake tool runner: answers perf report / perf script / ms_print / opreport with the
/// recorded fixtures and remembers the commands.
struct FakeTools {
  std::vector<Argv> calls;
  int fail_exit = 0;  ///< non-zero: every tool fails with this status
  ToolRunner runner() {
    return [this](const Argv& argv, const fs::path& out) {
      calls.push_back(argv);
      ToolRun r;
      r.status.exited = true;
      r.status.code = fail_exit;
      if (fail_exit) {
        r.stderr_text = "Error: failed to open perf.data: Permission denied";
        return r;
      }
      std::string text;
      const std::string tool = fs::path(argv[0]).filename().string();
      if (tool == "perf" && argv[1] == "report") {
        text = fixture(has(argv, "--children") ? "perf/cpp_report_default.txt"
                                               : "perf/cpp_report_flat_max_stack1.txt");
      } else if (tool == "perf" && argv[1] == "script") {
        text = fixture("perf/cpp_script.txt");
      } else if (tool == "perf" && argv[1] == "inject") {
        platform::write_file_atomic(argv[6], "injected");
      } else if (tool == "ms_print") {
        text = fixture("massif/ms_print.heapwork.df10.txt");
      } else if (tool == "opreport") {
        if (has(argv, "--xml")) {
          for (const auto& a : argv) {
            if (a.rfind("--output-file=", 0) == 0) {
              platform::write_file_atomic(
                  a.substr(14), fixture("oprofile/opreport_X_details_gdb_linuxtools.xml"));
            }
          }
        } else {
          text = fixture("oprofile/opreport_symbols_percival_cppprocessing.txt");
        }
      }
      platform::write_file_atomic(out, text);
      return r;
    };
  }
};

struct Env {
  platform::TempDir dir{"bg-prof"};
  ProfilerContext ctx;
  Env() {
    ctx.out_dir = dir.path();
    ctx.artifact_prefix = "artifacts/run-001/c16-";
    ctx.title = "hello c=16 #1";
    ctx.euid = 0;
  }
  void touch(const std::string& name, const std::string& content = "data") {
    platform::write_file_atomic(ctx.path(name), content);
  }
};

TEST(Profiler, NamesAndAttachments) {
  EXPECT_EQ(profiler_names().size(), 8u);
  for (const auto& n : profiler_names())
    EXPECT_EQ(make_profiler(n)->name(), n);
  EXPECT_EQ(make_profiler("perf")->attachment(), Attachment::kAttach);
  EXPECT_EQ(make_profiler("perf-cg")->attachment(), Attachment::kAttach);
  EXPECT_EQ(make_profiler("perf-idle")->attachment(), Attachment::kAttach);
  EXPECT_EQ(make_profiler("flame")->attachment(), Attachment::kAttach);
  EXPECT_EQ(make_profiler("flame-all")->attachment(), Attachment::kSystemWide);
  EXPECT_EQ(make_profiler("massif")->attachment(), Attachment::kWrap);
  EXPECT_EQ(make_profiler("oprofile")->attachment(), Attachment::kWrap);
  EXPECT_EQ(make_profiler("oprofile-sys")->attachment(), Attachment::kSystemWide);
  try {
    make_profiler("perff");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("perf-cg"), std::string::npos);
  }
}

TEST(Profiler, Commands) {
  Env env;
  const auto dir = env.ctx.path("");
  auto perf = make_profiler("perf")->attach({10, 11}, env.ctx);
  EXPECT_EQ(perf, (Argv{"perf", "record", "-e", "cpu-clock", "-F", "999", "-p", "10,11", "-o",
                        (dir.string() + "perf.data")}));
  auto flame = make_profiler("flame")->attach({10}, env.ctx);
  EXPECT_TRUE(has(flame, "-g"));
  env.ctx.cpus = {1, 2};
  auto all = make_profiler("flame-all")->attach({}, env.ctx);
  EXPECT_TRUE(has(all, "-a"));
  EXPECT_TRUE(has(all, "1-2"));
  auto idle = make_profiler("perf-idle")->attach({10}, env.ctx);
  EXPECT_TRUE(has(idle, "sched:sched_switch"));
  EXPECT_TRUE(has(idle, dir.string() + "perf.data.raw"));
  EXPECT_THROW(make_profiler("perf")->attach({}, env.ctx), UsageError);
  EXPECT_THROW(make_profiler("perf")->wrap({"./app"}, env.ctx), UsageError);

  env.ctx.tool_path = "/opt/valgrind/bin/valgrind";
  auto massif = make_profiler("massif")->wrap({"./app", "-p", "1"}, env.ctx);
  EXPECT_EQ(massif.front(), "/opt/valgrind/bin/valgrind");
  EXPECT_TRUE(has(massif, "--massif-out-file=" + dir.string() + "massif.out.%p"));
  EXPECT_TRUE(has(massif, "--trace-children=yes"));
  EXPECT_EQ(massif.back(), "1");
  EXPECT_THROW(make_profiler("massif")->attach({1}, env.ctx), UsageError);
  env.ctx.tool_path = "operf";  // named explicitly: operf, whether installed or not
  auto op = make_profiler("oprofile")->wrap({"./app"}, env.ctx);
  EXPECT_EQ(op, (Argv{"operf", "--session-dir=" + dir.string() + "oprofile_data", "--callgraph",
                      "./app"}));
  auto opsys = make_profiler("oprofile-sys")->attach({}, env.ctx);
  EXPECT_TRUE(has(opsys, "--system-wide"));
  env.ctx.tool_path.clear();
  if (!platform::find_executable("operf")) {
    // operf missing: perf records in its place (software cpu-clock event).
    op = make_profiler("oprofile")->wrap({"./app"}, env.ctx);
    EXPECT_EQ(op, (Argv{"perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-o",
                        dir.string() + "oprofile-perf.data", "--", "./app"}));
    opsys = make_profiler("oprofile-sys")->attach({}, env.ctx);
    EXPECT_TRUE(has(opsys, "-a"));
  }
  EXPECT_TRUE(fs::is_directory(dir.parent_path()));  // the artifact folder exists
}

TEST(Profiler, ExpectedExitOfWrappers) {
  auto p = make_profiler("massif");
  platform::ExitStatus st;
  st.exited = false;
  st.signal = SIGTERM;
  EXPECT_TRUE(p->expected_exit(st));
  st.signal = SIGSEGV;
  EXPECT_FALSE(p->expected_exit(st));
  st.exited = true;
  st.code = 143;
  EXPECT_TRUE(p->expected_exit(st));
  st.code = 0;
  EXPECT_TRUE(p->expected_exit(st));
  st.code = 1;
  EXPECT_FALSE(p->expected_exit(st));
  EXPECT_EQ(p->stop_signal(), SIGINT);
}

TEST(Profiler, PermissionChecks) {
  platform::TempDir root("bg-proc");
  ProfilerContext ctx;
  ctx.roots.proc = (root.path() / "proc").string();
  ctx.roots.sys = (root.path() / "sys").string();
  ctx.euid = 1000;
  auto paranoid = [&](int v) {
    platform::write_file_atomic(fs::path(ctx.roots.proc) / "sys/kernel/perf_event_paranoid",
                                std::to_string(v) + "\n");
  };
  auto problem = [&](Attachment a, bool tp) { return perf_permission_problem(a, tp, ctx); };
  // No perf events at all.
  ASSERT_TRUE(problem(Attachment::kAttach, false));
  EXPECT_NE(problem(Attachment::kAttach, false)->find("does not offer perf events"),
            std::string::npos);
  paranoid(3);  // Debian's default
  ASSERT_TRUE(problem(Attachment::kAttach, false));
  EXPECT_NE(problem(Attachment::kAttach, false)->find("perf_event_paranoid is 3"),
            std::string::npos);
  paranoid(2);
  EXPECT_FALSE(problem(Attachment::kAttach, false));
  ASSERT_TRUE(problem(Attachment::kSystemWide, false));
  EXPECT_NE(problem(Attachment::kSystemWide, false)->find("system-wide"), std::string::npos);
  paranoid(0);
  EXPECT_FALSE(problem(Attachment::kSystemWide, false));
  // Tracepoints: tracefs first, then privileges.
  ASSERT_TRUE(problem(Attachment::kAttach, true));
  EXPECT_NE(problem(Attachment::kAttach, true)->find("tracefs is not mounted"), std::string::npos);
  platform::write_file_atomic(
      fs::path(ctx.roots.sys) / "kernel/tracing/events/sched/sched_switch/id", "1");
  ASSERT_TRUE(problem(Attachment::kAttach, true));
  EXPECT_NE(problem(Attachment::kAttach, true)->find("needs root"), std::string::npos);
  paranoid(-1);
  EXPECT_FALSE(problem(Attachment::kAttach, true));
  ctx.euid = 0;
  paranoid(3);
  EXPECT_FALSE(problem(Attachment::kSystemWide, true));  // root

  // The profiler's own check adds its name.
  ctx.euid = 1000;
  ctx.tool_path = "/bin/true";  // stands in for perf
  auto why = make_profiler("perf-idle")->unavailable_reason(ctx);
  ASSERT_TRUE(why);
  EXPECT_EQ(why->rfind("perf-idle: ", 0), 0u) << *why;
  ctx.tool_path = "/nonexistent/perf";
  why = make_profiler("perf")->unavailable_reason(ctx);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("linux-perf"), std::string::npos) << *why;
  ctx.tool_path = "/nonexistent/operf";
  why = make_profiler("oprofile")->unavailable_reason(ctx);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("not packaged in Debian 12"), std::string::npos) << *why;
}

TEST(Profiler, DiagnosesStderr) {
  EXPECT_NE(
      diagnose_profiler_stderr(
          "Error:\nAccess to performance monitoring and observability operations is limited.\n")
          .find("permission denied"),
      std::string::npos);
  EXPECT_NE(diagnose_profiler_stderr("Error: No such process\n").find("gone"), std::string::npos);
  EXPECT_NE(diagnose_profiler_stderr("event syntax error: 'sched:nope'\n").find("not available"),
            std::string::npos);
  EXPECT_EQ(diagnose_profiler_stderr("[ perf record: Woken up 1 times ]\n"), "");
}

TEST(Profiler, PerfFlatPostProcess) {
  Env env;
  env.touch("perf.data");
  FakeTools tools;
  auto s = make_profiler("perf")->post_process(env.ctx, tools.runner(), "");
  EXPECT_EQ(s.status, "ok") << s.reason;
  EXPECT_EQ(s.profiler, "perf");
  ASSERT_FALSE(s.top_symbols.empty());
  EXPECT_EQ(s.top_symbols[0].name, "__memcmp_evex_movbe");
  EXPECT_DOUBLE_EQ(s.top_symbols[0].share, 0.4411);
  ASSERT_EQ(tools.calls.size(), 1u);
  EXPECT_TRUE(has(tools.calls[0], "--no-children"));
  ASSERT_EQ(s.artifacts.size(), 2u);
  EXPECT_EQ(s.artifacts[0].kind, "perf-data");
  EXPECT_EQ(s.artifacts[0].path, "artifacts/run-001/c16-perf.data");
  EXPECT_EQ(s.artifacts[1].kind, "perf-report");
  EXPECT_EQ(s.artifacts[1].path, "artifacts/run-001/c16-perf-report.txt");

  tools.calls.clear();
  auto cg = make_profiler("perf-cg")->post_process(env.ctx, tools.runner(), "");
  EXPECT_EQ(cg.status, "ok");
  EXPECT_EQ(tools.calls.size(), 2u);
  EXPECT_EQ(cg.artifacts.size(), 3u);
}

TEST(Profiler, FlamePostProcessWritesTheSvg) {
  Env env;
  env.touch("perf.data");
  FakeTools tools;
  auto s = make_profiler("flame")->post_process(env.ctx, tools.runner(), "");
  ASSERT_EQ(s.status, "ok") << s.reason;
  EXPECT_EQ(s.top_symbols[0].name, "__memcmp_evex_movbe");
  EXPECT_DOUBLE_EQ(s.top_symbols[0].share, 173.0 / 399);
  EXPECT_EQ(s.extra.at("folded_total"), 399);
  const auto svg = platform::read_file(env.ctx.path("flamegraph.svg"));
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(svg.c_str()));
  EXPECT_NE(svg.find("bench::Workload::sort_strings"), std::string::npos);
  EXPECT_NE(svg.find("CPU flame graph — hello c=16 #1"), std::string::npos);
  EXPECT_FALSE(fs::exists(env.ctx.path("perf-script.txt")));  // removed after folding
  EXPECT_TRUE(fs::exists(env.ctx.path("stacks.folded")));
  std::vector<std::string> kinds;
  for (const auto& a : s.artifacts)
    kinds.push_back(a.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"perf-data", "folded-stacks", "flamegraph"}));
}

TEST(Profiler, ExternalDemanglerAppliesToFlameGraphs) {
  Env env;
  env.touch("perf.data");
  FakeTools tools;
  Demangler upper = [](const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& n : names)
      out.push_back(n == "main" ? "MAIN" : n);
    return out;
  };
  env.ctx.demangler = &upper;
  auto s = make_profiler("flame")->post_process(env.ctx, tools.runner(), "");
  ASSERT_EQ(s.status, "ok");
  const auto folded = platform::read_file(env.ctx.path("stacks.folded"));
  EXPECT_NE(folded.find(";MAIN;"), std::string::npos);
  EXPECT_EQ(folded.find(";main;"), std::string::npos);
}

TEST(Profiler, PerfFailuresAreReportedNotThrown) {
  Env env;
  FakeTools tools;
  auto s = make_profiler("perf")->post_process(
      env.ctx, tools.runner(),
      "Error:\nNo permission to enable cpu-clock event.\n\nYou may not have permission to "
      "collect stats.\n");
  EXPECT_EQ(s.status, "failed");
  EXPECT_NE(s.reason.find("perf record wrote no data"), std::string::npos) << s.reason;
  EXPECT_NE(s.reason.find("permission denied"), std::string::npos) << s.reason;
  EXPECT_TRUE(tools.calls.empty());

  env.touch("perf.data");
  tools.fail_exit = 1;
  s = make_profiler("perf")->post_process(env.ctx, tools.runner(), "");
  EXPECT_EQ(s.status, "failed");
  EXPECT_NE(s.reason.find("perf report"), std::string::npos) << s.reason;
  EXPECT_NE(s.reason.find("exited with status 1"), std::string::npos) << s.reason;

  env.touch("perf.data.raw");
  s = make_profiler("perf-idle")->post_process(env.ctx, tools.runner(), "");
  EXPECT_EQ(s.status, "failed");
  EXPECT_NE(s.reason.find("perf inject"), std::string::npos) << s.reason;
}

TEST(Profiler, MassifPostProcess) {
  Env env;
  FakeTools tools;
  auto missing = make_profiler("massif")->post_process(env.ctx, tools.runner(), "");
  EXPECT_EQ(missing.status, "failed");
  EXPECT_NE(missing.reason.find("no massif output"), std::string::npos) << missing.reason;
  env.touch("massif.out.4242", fixture("massif/massif.out.heapwork.df10"));
  auto s = make_profiler("massif")->post_process(env.ctx, tools.runner(), "==4242== Massif\n");
  ASSERT_EQ(s.status, "ok") << s.reason;
  EXPECT_EQ(s.profiler, "massif");
  EXPECT_EQ(s.top_symbols[0].name, "app::Cache::grow(unsigned long)");
  EXPECT_EQ(s.extra.at("peak_heap_B"), 3384600);
  ASSERT_EQ(s.artifacts.size(), 2u);
  EXPECT_EQ(s.artifacts[1].kind, "massif-report");
  EXPECT_EQ(tools.calls.at(0).at(0), "ms_print");
}

// One massif.out.<pid> per process (--trace-children=yes): each is reported; a process that
// valgrind ran (its ==PID== banner) but that wrote nothing makes the profile failed.
TEST(Profiler, MassifPostProcessEveryProcess) {
  Env env;
  FakeTools tools;
  env.touch("massif.out.101", fixture("massif/massif.out.heapwork.df1"));
  env.touch("massif.out.102", fixture("massif/massif.out.heapwork.df10"));
  env.touch("massif.out.tmp", "not a pid");
  const std::string log = "==101== Massif, a heap profiler\n==102== Massif, a heap profiler\n";
  auto s = make_profiler("massif")->post_process(env.ctx, tools.runner(), log);
  ASSERT_EQ(s.status, "ok") << s.reason;
  EXPECT_EQ(tools.calls.size(), 2u);  // ms_print per process
  ASSERT_EQ(s.artifacts.size(), 4u);
  int outs = 0;
  for (const auto& a : s.artifacts)
    outs += a.kind == "massif-out";
  EXPECT_EQ(outs, 2);
  ASSERT_EQ(s.extra.at("pids").size(), 2u);
  EXPECT_TRUE(s.extra.contains("summary_of_pid"));

  // pid 103 ran but left nothing (killed): failed, naming it, the others still listed.
  const std::string log3 = log + "==103== Massif, a heap profiler\n";
  auto f = make_profiler("massif")->post_process(env.ctx, tools.runner(), log3);
  EXPECT_EQ(f.status, "failed");
  EXPECT_NE(f.reason.find("pid 103 wrote no massif output"), std::string::npos) << f.reason;
  EXPECT_NE(f.reason.find("101, 102, 103"), std::string::npos) << f.reason;
  EXPECT_EQ(f.artifacts.size(), 4u);

  // Nothing at all: failed, with the pids valgrind ran.
  Env empty;
  auto none = make_profiler("massif")->post_process(empty.ctx, tools.runner(), log);
  EXPECT_EQ(none.status, "failed");
  EXPECT_NE(none.reason.find("valgrind ran pid 101, 102"), std::string::npos) << none.reason;
}

TEST(Profiler, OprofilePostProcessPrefersXml) {
  Env env;
  FakeTools tools;
  fs::create_directories(env.ctx.path("oprofile_data"));
  env.ctx.tool_path = "operf";  // operf's session, not the perf stand-in
  auto s = make_profiler("oprofile")->post_process(env.ctx, tools.runner(), "");
  ASSERT_EQ(s.status, "ok") << s.reason;
  EXPECT_EQ(s.profiler, "oprofile");
  EXPECT_EQ(s.top_symbols[0].name, "d_demangle");  // from the XML
  EXPECT_EQ(tools.calls.size(), 3u);
  EXPECT_EQ(s.artifacts.size(), 3u);
}

TEST(Profiler, DiffFlameGraphFromFiles) {
  platform::TempDir dir("bg-diff");
  // Baseline: two runs of 1,000 requests each; candidate: one run of 2,000 requests with f
  // taking half as long again per request (300 vs 200 samples), g unchanged (200 vs 200).
  platform::write_file_atomic(dir.path() / "a1.folded", "main;f 100\nmain;g 100\n");
  platform::write_file_atomic(dir.path() / "a2.folded", "main;f 100\nmain;g 100\n");
  platform::write_file_atomic(dir.path() / "b.folded", "main;f 300\nmain;g 200\n");
  DiffSide before{{dir.path() / "a1.folded", dir.path() / "a2.folded"}, 2000};
  DiffSide after{{dir.path() / "b.folded"}, 2000};
  write_diff_flamegraph(before, after, dir.path() / "d.svg", "hello c=64: baseline vs candidate");
  const auto svg = platform::read_file(dir.path() / "d.svg");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(svg.c_str()));
  EXPECT_NE(svg.find("baseline vs candidate — self samples per 1,000 requests"), std::string::npos);
  EXPECT_NE(svg.find("width: candidate (500 samples over 2000 requests); baseline: 400 samples "
                     "over 2000 requests in 2 runs"),
            std::string::npos);
  EXPECT_NE(svg.find("f (self per 1,000 requests: before 100.0, after 150.0, +50.0 %; beyond "
                     "noise"),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("g (self per 1,000 requests: before 100.0, after 100.0, +0.0 %; within "
                     "noise"),
            std::string::npos);
  EXPECT_NE(svg.find("rgb(255,0,0)"), std::string::npos);  // f grew beyond noise
  // Without request counts the shares are compared: f 50 % -> 60 %.
  write_diff_flamegraph({{dir.path() / "a1.folded"}, 0}, {{dir.path() / "b.folded"}, 0},
                        dir.path() / "s.svg", "");
  EXPECT_NE(platform::read_file(dir.path() / "s.svg").find("self samples per 1,000 samples"),
            std::string::npos);
}

}  // namespace
}  // namespace benchgate::profilers
