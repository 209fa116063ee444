// The /proc parsers and reader, on real snapshots (tests/data/proc, copied byte for byte from a
// loaded machine; the expected numbers are the ones tests/data/proc/README.md states or that
// can be read off the raw files by eye).

#include "platform/proc.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "core/parse.h"
#include "platform/fs.h"

namespace benchgate::platform {
namespace {

const std::string kSnap1 = std::string(BENCHGATE_TEST_DATA_DIR) + "/proc/snap1";
const std::string kSnap2 = std::string(BENCHGATE_TEST_DATA_DIR) + "/proc/snap2";

std::string slurp(const std::string& path) {
  return read_file(path);
}

TEST(ParseProcStat, CommWithSpacesAndParens) {
  auto s = parse_proc_stat(slurp(kSnap1 + "/32667/task/32673/stat"));
  EXPECT_EQ(s.pid, 32673);
  EXPECT_EQ(s.comm, "sleep) 2");
  EXPECT_EQ(s.state, 'S');
  EXPECT_EQ(s.ppid, 1);
  EXPECT_EQ(s.pgrp, 32662);
  EXPECT_EQ(s.session, 22520);

  auto busy = parse_proc_stat(slurp(kSnap1 + "/32667/task/32671/stat"));
  EXPECT_EQ(busy.comm, "busy (2)");
  EXPECT_EQ(busy.state, 'R');
  EXPECT_EQ(busy.utime, 134u);
  EXPECT_EQ(busy.num_threads, 5);

  auto main = parse_proc_stat(slurp(kSnap1 + "/32667/stat"));
  EXPECT_EQ(main.comm, "mt (demo)");
  EXPECT_EQ(main.ppid, 1);  // re-parented: its starting subshell exited
  EXPECT_EQ(main.num_threads, 5);
  EXPECT_EQ(main.rss_pages, 702);
  EXPECT_EQ(main.starttime, 180918u);
}

TEST(ParseProcStat, NginxWorkerFields) {
  auto s1 = parse_proc_stat(slurp(kSnap1 + "/24142/stat"));
  auto s2 = parse_proc_stat(slurp(kSnap2 + "/24142/stat"));
  EXPECT_EQ(s1.comm, "nginx");
  EXPECT_EQ(s1.ppid, 24141);
  EXPECT_EQ(s1.pgrp, 24141);
  EXPECT_EQ(s1.utime, 879u);
  EXPECT_EQ(s2.utime, 892u);
  EXPECT_EQ(s1.stime, 2353u);
  EXPECT_EQ(s2.stime, 2388u);
  EXPECT_EQ(s1.num_threads, 1);
  EXPECT_EQ(s1.starttime, 118800u);
  EXPECT_EQ(s1.rss_pages, 1250);
  EXPECT_EQ(s1.processor, 1);
  EXPECT_EQ(s2.processor, 1);
}

TEST(ParseProcStat, ProcessAndThreadFilesMayDisagree) {
  // Read a few µs apart: the process file says R, the thread file S (README).
  EXPECT_EQ(parse_proc_stat(slurp(kSnap2 + "/24142/stat")).state, 'R');
  EXPECT_EQ(parse_proc_stat(slurp(kSnap2 + "/24142/task/24142/stat")).state, 'S');
}

TEST(ParseProcStat, SpinningThreadsAdvance) {
  auto delta = [](int tid) {
    const auto path = "/32667/task/" + std::to_string(tid) + "/stat";
    return parse_proc_stat(slurp(kSnap2 + path)).utime -
           parse_proc_stat(slurp(kSnap1 + path)).utime;
  };
  EXPECT_EQ(delta(32670), 53u);
  EXPECT_EQ(delta(32671), 49u);
  EXPECT_EQ(delta(32672), 0u);
  EXPECT_EQ(delta(32673), 0u);
}

TEST(ParseProcStat, RejectsGarbage) {
  for (const char* bad : {"", "garbage", "12 (x", "12 x) S 1", "abc (x) S 1 1 1 0 -1 0 0 0 0 0",
                          "12 (x) S 1 2 3", "12 (x) SS 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 9 1 2",
                          "12 (x) S 1 1 1 0 -1 0 0 0 0 0 five 6 0 0 20 0 1 0 9 1 2"}) {
    EXPECT_THROW(parse_proc_stat(std::string(bad) + "\n"), ParseError) << bad;
  }
}

TEST(ParseProcStat, MinimalLineWithoutProcessor) {
  auto s = parse_proc_stat("7 (a) b) R 1 7 7 0 -1 0 0 0 0 0 11 22 0 0 20 0 3 0 99 4096 5\n");
  EXPECT_EQ(s.comm, "a) b");
  EXPECT_EQ(s.utime, 11u);
  EXPECT_EQ(s.stime, 22u);
  EXPECT_EQ(s.num_threads, 3);
  EXPECT_EQ(s.starttime, 99u);
  EXPECT_EQ(s.rss_pages, 5);
  EXPECT_EQ(s.processor, -1);
}

TEST(ParseProcStatus, Fields) {
  auto s = parse_proc_status(slurp(kSnap1 + "/32667/status"));
  EXPECT_EQ(s.name, "mt (demo)");
  EXPECT_EQ(s.state, 'S');
  EXPECT_EQ(s.ppid, 1);
  EXPECT_EQ(s.threads, 5);
  EXPECT_EQ(s.vm_rss, 2916 * 1024);
  EXPECT_EQ(s.vm_hwm, 2916 * 1024);
  EXPECT_EQ(s.cpus_allowed_list, "0-1");

  auto w = parse_proc_status(slurp(kSnap2 + "/24142/status"));
  EXPECT_EQ(w.state, 'S');
  EXPECT_EQ(w.vm_rss, 5148 * 1024);
  EXPECT_EQ(w.vm_hwm, 5148 * 1024);
  EXPECT_EQ(w.threads, 1);
}

TEST(ParseProcStatus, KernelThreadHasNoVm) {
  auto s = parse_proc_status("Name:\tkworker/0:1\nState:\tI (idle)\nThreads:\t1\n");
  EXPECT_EQ(s.state, 'I');
  EXPECT_EQ(s.vm_rss, 0);
  EXPECT_EQ(s.vm_hwm, 0);
}

TEST(ParseProcStatus, RejectsGarbage) {
  EXPECT_THROW(parse_proc_status(""), ParseError);
  EXPECT_THROW(parse_proc_status("hello world\n"), ParseError);
  EXPECT_THROW(parse_proc_status("Name:\tx\nState:\tS\nVmRSS:\t  12x kB\n"), ParseError);
  EXPECT_THROW(parse_proc_status("Name:\tx\nThreads:\tmany\nState:\tS\n"), ParseError);
}

TEST(ParseProcStatm, Pages) {
  auto m = parse_proc_statm(slurp(kSnap1 + "/32667/statm"));
  EXPECT_EQ(m.size, 9610);
  EXPECT_EQ(m.resident, 729);
  EXPECT_EQ(m.shared, 671);
  EXPECT_EQ(m.text, 1);
  EXPECT_EQ(m.lib, 0);
  EXPECT_EQ(m.data, 8290);
  EXPECT_EQ(m.dirty, 0);
  EXPECT_THROW(parse_proc_statm("1 2 3\n"), ParseError);
  EXPECT_THROW(parse_proc_statm("1 2 3 4 5 6 7 8\n"), ParseError);
}

TEST(ParseChildren, TrailingSpaceAndEmpty) {
  EXPECT_EQ(parse_children(slurp(kSnap1 + "/24141/task/24141/children")),
            (std::vector<int>{24142}));
  EXPECT_EQ(parse_children(slurp(kSnap1 + "/32667/task/32667/children")),
            (std::vector<int>{32669}));
  EXPECT_TRUE(parse_children(slurp(kSnap1 + "/32667/task/32670/children")).empty());
  EXPECT_EQ(parse_children("5 6 7 "), (std::vector<int>{5, 6, 7}));
  EXPECT_THROW(parse_children("5 x "), ParseError);
  EXPECT_THROW(parse_children("0 "), ParseError);
}

TEST(ParseSystemStat, CpuLinesAndDeltas) {
  auto a = parse_system_stat(slurp(kSnap1 + "/stat"));
  auto b = parse_system_stat(slurp(kSnap2 + "/stat"));
  EXPECT_EQ(a.total.cpu, -1);
  EXPECT_EQ(a.total.user, 67112u);
  EXPECT_EQ(a.total.system, 49703u);
  EXPECT_EQ(a.total.idle, 233220u);
  EXPECT_EQ(b.total.idle, 233221u);
  EXPECT_EQ(a.total.iowait, 970u);
  EXPECT_EQ(a.total.softirq, 10368u);
  ASSERT_EQ(a.cpus.size(), 2u);
  EXPECT_EQ(a.cpus[1].cpu, 1);
  EXPECT_EQ(a.cpus[1].user, 37428u);
  EXPECT_EQ(a.procs_running, 4);
  EXPECT_EQ(a.procs_blocked, 0);
  EXPECT_EQ(a.ctxt, 6835384u);

  // Both CPUs saturated for 1 s at 100 Hz: ~200 ticks on the cpu line, 1 of them idle.
  EXPECT_EQ(b.total.total() - a.total.total(),
            201u);  // user +150, system +35, softirq +15, idle +1
  EXPECT_EQ(b.total.idle_all() - a.total.idle_all(), 1u);
  // Per CPU: cpu0 user +87 system +10 softirq +4; cpu1 user +64 system +25 idle +1 softirq +11.
  EXPECT_EQ(b.find(0)->total() - a.find(0)->total(), 101u);
  EXPECT_EQ(b.find(0)->user - a.find(0)->user, 87u);
  EXPECT_EQ(b.find(1)->total() - a.find(1)->total(), 101u);
  EXPECT_EQ(b.find(1)->idle - a.find(1)->idle, 1u);
  EXPECT_EQ(a.find(2), nullptr);
}

TEST(ParseSystemStat, SparseCpusAndGarbage) {
  auto s = parse_system_stat("cpu 1 2 3 4\ncpu0 1 1 1 1\ncpu3 0 1 2 3 4 5 6 7 8 9\n");
  ASSERT_NE(s.find(3), nullptr);
  EXPECT_EQ(s.find(3)->steal, 7u);
  EXPECT_EQ(s.find(3)->total(), 0u + 1 + 2 + 3 + 4 + 5 + 6 + 7);  // guest is inside user
  EXPECT_EQ(s.find(1), nullptr);
  EXPECT_THROW(parse_system_stat(""), ParseError);
  EXPECT_THROW(parse_system_stat("cpu0 1 2 3 4\n"), ParseError);  // no aggregate line
  EXPECT_THROW(parse_system_stat("cpu 1 2\n"), ParseError);
  EXPECT_THROW(parse_system_stat("cpu 1 2 x 4\n"), ParseError);
}

TEST(ParseLoadAvg, Fields) {
  auto l = parse_loadavg(slurp(kSnap1 + "/loadavg"));
  EXPECT_DOUBLE_EQ(l.load1, 0.74);
  EXPECT_DOUBLE_EQ(l.load5, 0.93);
  EXPECT_DOUBLE_EQ(l.load15, 0.88);
  EXPECT_EQ(l.running, 5);
  EXPECT_EQ(l.total, 98);
  EXPECT_EQ(l.last_pid, 32690);
  EXPECT_DOUBLE_EQ(parse_loadavg(slurp(kSnap2 + "/loadavg")).load1, 0.92);
  EXPECT_THROW(parse_loadavg("0.1 0.2 0.3\n"), ParseError);
  EXPECT_THROW(parse_loadavg("0.1 0.2 0.3 5 9\n"), ParseError);
  EXPECT_THROW(parse_loadavg("a 0.2 0.3 1/2 9\n"), ParseError);
}

// A file read while it is being rewritten (fake trees) or cut short must give a value or a
// ParseError, never a crash or a silently wrong struct: every prefix of every recorded file.
TEST(Parsers, EveryPrefixParsesOrThrows) {
  auto each_prefix = [](const std::string& text, auto&& parse) {
    for (std::size_t n = 0; n <= text.size(); ++n) {
      try {
        parse(std::string_view(text).substr(0, n));
      } catch (const ParseError&) {
      }
    }
  };
  each_prefix(slurp(kSnap1 + "/32667/task/32673/stat"), [](auto t) { parse_proc_stat(t); });
  each_prefix(slurp(kSnap1 + "/32667/status"), [](auto t) { parse_proc_status(t); });
  each_prefix(slurp(kSnap1 + "/32667/statm"), [](auto t) { parse_proc_statm(t); });
  each_prefix(slurp(kSnap1 + "/stat"), [](auto t) { parse_system_stat(t); });
  each_prefix(slurp(kSnap1 + "/loadavg"), [](auto t) { parse_loadavg(t); });
  each_prefix(std::string("24142 24143 "), [](auto t) { parse_children(t); });

  // Cut inside a number: rejected, not read as a smaller number.
  const std::string line = slurp(kSnap1 + "/24142/stat");
  EXPECT_THROW(parse_proc_stat(std::string_view(line).substr(0, line.find(" 1250 ") + 3)),
               ParseError);
  const std::string statm = slurp(kSnap1 + "/32667/statm");  // "9610 729 671 1 0 8290 0\n"
  EXPECT_THROW(parse_proc_statm(std::string_view(statm).substr(0, 21)), ParseError);
  EXPECT_THROW(parse_proc_status("Name:\tx\nState:\tS\nVmRSS:\t  29"), ParseError);
  EXPECT_THROW(parse_system_stat("cpu 1 2 3 4 5\ncpu0 1 2 3 4 5"), ParseError);
}

TEST(CpuPercent, BetweenSnapshots) {
  // Snapshots 1.0 s apart (uptime 1811.53 -> 1812.53), CLK_TCK 100.
  ProcReader p1(kSnap1), p2(kSnap2);
  auto pct = [&](int pid) {
    auto a = *p1.read_stat(pid);
    auto b = *p2.read_stat(pid);
    const double ticks = static_cast<double>((b.utime + b.stime) - (a.utime + a.stime));
    return cpu_percent(ticks / 100.0, 1.0);
  };
  EXPECT_NEAR(pct(24142), 48.0, 1e-9);   // utime +13, stime +35
  EXPECT_NEAR(pct(32667), 103.0, 1e-9);  // two spinning threads: +53 and +49, +1 rounding
  EXPECT_NEAR(pct(24141), 0.0, 1e-9);
  EXPECT_EQ(cpu_percent(1, 0), 0.0);
}

TEST(ProcReader, ListsPidsAndThreads) {
  ProcReader p(kSnap1 + "/");  // trailing slash is tolerated
  EXPECT_EQ(p.list_pids(), (std::vector<int>{24141, 24142, 32667, 32669}));
  EXPECT_EQ(p.list_tids(32667), (std::vector<int>{32667, 32670, 32671, 32672, 32673}));
  EXPECT_TRUE(p.list_tids(4242).empty());
  EXPECT_EQ(p.path(5, "stat"), kSnap1 + "/5/stat");
  EXPECT_EQ(p.task_path(5, 6, "children"), kSnap1 + "/5/task/6/children");
}

TEST(ProcReader, ReadsFiles) {
  ProcReader p(kSnap1);
  EXPECT_EQ(p.read_stat(24142)->utime, 879u);
  EXPECT_EQ(p.read_task_stat(32667, 32670)->comm, "busy-1");
  EXPECT_EQ(p.read_status(32667)->threads, 5);
  EXPECT_EQ(p.read_statm(32667)->resident, 729);
  EXPECT_EQ(*p.read_children(24141, 24141), (std::vector<int>{24142}));
  EXPECT_EQ(p.read_system_stat().total.user, 67112u);
  EXPECT_EQ(p.read_loadavg().total, 98);
  EXPECT_FALSE(p.read_stat(4242).has_value());
  EXPECT_FALSE(p.read_children(4242, 4242).has_value());
  EXPECT_THROW(ProcReader("/nonexistent-root").read_system_stat(), std::system_error);
}

TEST(ProcReader, LiveProcSelf) {
  ProcReader p;
  auto st = p.read_stat(::getpid());
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->pid, ::getpid());
  EXPECT_EQ(st->ppid, ::getppid());
  EXPECT_EQ(st->state, 'R');  // we are running while we read it
  auto status = p.read_status(::getpid());
  ASSERT_TRUE(status.has_value());
  EXPECT_GT(status->vm_rss, 0);
  EXPECT_GE(status->vm_hwm, status->vm_rss);
  EXPECT_FALSE(p.read_system_stat().cpus.empty());
  EXPECT_EQ(ProcReader::clock_ticks(), ::sysconf(_SC_CLK_TCK));
  EXPECT_EQ(ProcReader::page_size(), ::sysconf(_SC_PAGESIZE));
}

TEST(ProcFile, RereadsInPlaceWithPread) {
  TempDir dir("proc-test");
  const std::string path = (dir.path() / "f").string();
  { std::ofstream(path) << "first"; }
  ProcFile f(path);
  ASSERT_TRUE(f.is_open());
  EXPECT_EQ(f.read().value(), "first");
  EXPECT_EQ(f.read().value(), "first");  // offset 0 every time
  { std::ofstream(path, std::ios::trunc) << "second, longer"; }
  EXPECT_EQ(f.read().value(), "second, longer");
  const std::string big(10000, 'x');  // larger than the initial buffer
  { std::ofstream(path, std::ios::trunc) << big; }
  EXPECT_EQ(f.read().value(), big);

  ProcFile moved(std::move(f));
  EXPECT_FALSE(f.is_open());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(moved.read().value(), big);
}

TEST(ProcFile, MissingFile) {
  ProcFile f("/nonexistent/x/stat");
  EXPECT_FALSE(f.is_open());
  EXPECT_TRUE(f.gone());
  EXPECT_FALSE(f.read().has_value());
}

TEST(ProcFile, DetectsProcessGone) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  ProcFile f("/proc/" + std::to_string(pid) + "/stat");
  ASSERT_TRUE(f.is_open());
  auto text = f.read();
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(parse_proc_stat(*text).pid, pid);
  ::kill(pid, SIGKILL);
  ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);  // reaped: the fd now refers to nothing
  EXPECT_FALSE(f.read().has_value());
  EXPECT_TRUE(f.gone());
}

}  // namespace
}  // namespace benchgate::platform
