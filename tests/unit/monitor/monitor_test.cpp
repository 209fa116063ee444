// The monitor on fake /proc trees stepped with a FakeClock (exact numbers we wrote), on the
// recorded snapshots, and once on a real spinning process.

#include "monitor/monitor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "core/error.h"
#include "core/parse.h"
#include "fake_proc.h"
#include "platform/fs.h"
#include "platform/subprocess.h"
#include "platform/sysinfo.h"

namespace benchgate::monitor {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeCpu;
using testing::FakeProc;
using testing::FakeProcess;
using testing::FakeThread;

constexpr std::int64_t KiB = 1024;

MonitorOptions options_for(const FakeProc& fake, std::vector<int> cpus = {0, 1}) {
  MonitorOptions o;
  o.roots.proc = fake.root();
  o.cpus = std::move(cpus);
  o.interval = seconds(1);
  return o;
}

const results::ProcessUsage* find(const results::ResourceUsage& u, int pid) {
  for (const auto& p : u.per_process) {
    if (p.pid == pid) return &p;
  }
  return nullptr;
}

// CLK_TCK is 100 on Linux; the expected seconds below are ticks / 100.
class MonitorFake : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::sysconf(_SC_CLK_TCK), 100);
    ASSERT_EQ(::sysconf(_SC_PAGESIZE), 4096);  // RSS values below are whole 4 KiB pages
  }
  FakeProc fake;
  FakeClock clock;
};

TEST_F(MonitorFake, PeriodCpuAndRssAreExact) {
  FakeProcess a{
      .pid = 100, .comm = "master", .utime = 100, .stime = 50, .rss_kb = 1000, .children = {101}};
  FakeProcess b{.pid = 101, .ppid = 100, .comm = "worker", .utime = 10, .rss_kb = 500};
  fake.set(a);
  fake.set(b);
  Monitor mon(options_for(fake), clock);
  mon.add_root(100, 0);

  // Consumed before the period: must not count.
  mon.begin_period();
  clock.advance(seconds(1));
  a.utime = 150, a.stime = 70, a.rss_kb = 1200;
  b.utime = 30, b.stime = 5, b.rss_kb = 600;
  fake.set(a);
  fake.set(b);
  mon.sample_now();
  clock.advance(seconds(1));
  a.utime = 200, a.stime = 80, a.rss_kb = 1000;
  b.utime = 40, b.rss_kb = 900;  // the sum peaks here: 1900 kB
  fake.set(a);
  fake.set(b);
  mon.sample_now();
  clock.advance(seconds(1));
  a.utime = 210, a.rss_kb = 800;
  b.rss_kb = 700;
  fake.set(a);
  fake.set(b);
  auto u = mon.end_period();

  EXPECT_DOUBLE_EQ(u.duration_s, 3.0);
  ASSERT_EQ(u.per_process.size(), 2u);
  const auto* pa = find(u, 100);
  const auto* pb = find(u, 101);
  ASSERT_TRUE(pa && pb);
  EXPECT_DOUBLE_EQ(pa->cpu_user_s, 1.10);  // 210 - 100 ticks
  EXPECT_DOUBLE_EQ(pa->cpu_sys_s, 0.30);   // 80 - 50
  EXPECT_DOUBLE_EQ(pb->cpu_user_s, 0.30);  // 40 - 10
  EXPECT_DOUBLE_EQ(pb->cpu_sys_s, 0.05);
  EXPECT_DOUBLE_EQ(u.cpu_user_s, 1.40);
  EXPECT_DOUBLE_EQ(u.cpu_sys_s, 0.35);
  EXPECT_NEAR(u.cpu_percent, 1.75 / 3.0 * 100.0, 1e-9);

  EXPECT_EQ(pa->rss_start, 1000 * KiB);
  EXPECT_EQ(pa->rss_peak, 1200 * KiB);
  EXPECT_EQ(pa->rss_end, 800 * KiB);
  EXPECT_EQ(pb->rss_start, 500 * KiB);
  EXPECT_EQ(pb->rss_peak, 900 * KiB);
  EXPECT_EQ(pb->rss_end, 700 * KiB);
  EXPECT_EQ(pa->comm, "master");
  EXPECT_EQ(pb->ppid, 100);
  EXPECT_FALSE(pa->exited);
  // Summed: the peak is of the per-sample sum (1900 kB), not the sum of peaks (2100 kB).
  EXPECT_EQ(u.rss_start, 1500 * KiB);
  EXPECT_EQ(u.rss_peak, 1900 * KiB);
  EXPECT_EQ(u.rss_end, 1500 * KiB);
  EXPECT_EQ(u.processes, 2);
  EXPECT_EQ(u.threads_max, 2);

  const auto& tr = u.traces;
  EXPECT_DOUBLE_EQ(tr.interval_s, 1.0);
  EXPECT_EQ(tr.t, (std::vector<double>{0, 1, 2, 3}));
  EXPECT_EQ(tr.series.at("rss_total"),
            (std::vector<double>{1500 * KiB, 1800 * KiB, 1900 * KiB, 1500 * KiB}));
  const auto& cpu = tr.series.at("cpu_percent");
  ASSERT_EQ(cpu.size(), 4u);
  EXPECT_NEAR(cpu[1], 95.0, 1e-9);  // 50+20 user + 20+5 sys ticks in 1 s
  EXPECT_NEAR(cpu[2], 70.0, 1e-9);
  EXPECT_NEAR(cpu[3], 10.0, 1e-9);
  EXPECT_NEAR(tr.series.at("cpu_user_percent")[1], 70.0, 1e-9);
  EXPECT_NEAR(tr.series.at("cpu_sys_percent")[1], 25.0, 1e-9);
  EXPECT_EQ(tr.series.at("processes"), (std::vector<double>{2, 2, 2, 2}));
  EXPECT_EQ(tr.series.at("threads"), (std::vector<double>{2, 2, 2, 2}));
  EXPECT_EQ(tr.series.at("rss:100"),
            (std::vector<double>{1000 * KiB, 1200 * KiB, 1000 * KiB, 800 * KiB}));
  EXPECT_NEAR(tr.series.at("cpu:101")[1], 25.0, 1e-9);
  for (const auto& [name, values] : tr.series)
    EXPECT_EQ(values.size(), tr.t.size()) << name;
}

TEST_F(MonitorFake, CpuBeforeThePeriodIsExcluded) {
  FakeProcess a{.pid = 100, .utime = 100, .stime = 100, .rss_kb = 100};
  fake.set(a);
  Monitor mon(options_for(fake), clock);
  mon.add_root(100, 0);
  mon.sample_now();
  clock.advance(seconds(5));
  a.utime = 600;  // start-up work
  fake.set(a);
  mon.begin_period();
  clock.advance(seconds(2));
  a.utime = 700;
  fake.set(a);
  auto u = mon.end_period();
  EXPECT_DOUBLE_EQ(u.cpu_user_s, 1.0);
  EXPECT_DOUBLE_EQ(u.cpu_sys_s, 0.0);
  EXPECT_DOUBLE_EQ(u.cpu_percent, 50.0);
  // The period's traces start at the period; the run's at the first sample.
  EXPECT_EQ(u.traces.t, (std::vector<double>{0, 2}));
  EXPECT_EQ(mon.run_traces().t, (std::vector<double>{0, 5, 7}));
}

TEST_F(MonitorFake, ProcessesStartingAndExitingMidPeriod) {
  FakeProcess root{.pid = 100, .utime = 100, .rss_kb = 1000, .children = {101}};
  FakeProcess old{.pid = 101, .ppid = 100, .utime = 50, .rss_kb = 400};
  fake.set(root);
  fake.set(old);
  Monitor mon(options_for(fake), clock);
  mon.add_root(100, 3);
  mon.begin_period();

  clock.advance(seconds(1));
  FakeProcess young{.pid = 102, .ppid = 100, .utime = 20, .stime = 5, .rss_kb = 300};
  root.children = {101, 102};
  old.utime = 60;
  fake.set(root);
  fake.set(old);
  fake.set(young);
  EXPECT_EQ(mon.known_pids(), (std::vector<int>{100, 101}));
  mon.sample_now();
  EXPECT_EQ(mon.known_pids(), (std::vector<int>{100, 101, 102}));

  clock.advance(seconds(1));
  fake.reap(101);  // exited and reaped
  root.children = {102};
  root.utime = 110;
  young.state = 'Z';  // exited, not yet reaped: its final times are readable
  young.utime = 30;
  fake.set(root);
  fake.set(young);
  mon.sample_now();
  EXPECT_EQ(mon.known_pids(), (std::vector<int>{100}));

  clock.advance(seconds(1));
  fake.reap(102);
  root.children = {};
  root.utime = 120;
  fake.set(root);
  auto u = mon.end_period();

  ASSERT_EQ(u.per_process.size(), 3u);
  EXPECT_DOUBLE_EQ(find(u, 100)->cpu_user_s, 0.20);
  // Exited: counted up to its last sample (60 - 50 ticks).
  EXPECT_DOUBLE_EQ(find(u, 101)->cpu_user_s, 0.10);
  EXPECT_TRUE(find(u, 101)->exited);
  EXPECT_EQ(find(u, 101)->rss_end, 0);
  EXPECT_EQ(find(u, 101)->rss_peak, 400 * KiB);
  // Started within the period: counted from 0, up to its zombie's final times.
  EXPECT_DOUBLE_EQ(find(u, 102)->cpu_user_s, 0.30);
  EXPECT_DOUBLE_EQ(find(u, 102)->cpu_sys_s, 0.05);
  EXPECT_TRUE(find(u, 102)->exited);
  EXPECT_EQ(find(u, 102)->rss_start, 0);
  EXPECT_EQ(find(u, 102)->rss_peak, 300 * KiB);
  EXPECT_EQ(find(u, 102)->instance, 3);  // inherits the root's instance
  EXPECT_DOUBLE_EQ(u.cpu_total_s(), 0.20 + 0.10 + 0.35);
  EXPECT_EQ(u.processes, 3);
  EXPECT_EQ(u.rss_start, 1400 * KiB);
  EXPECT_EQ(u.rss_peak, 1700 * KiB);
  EXPECT_EQ(u.rss_end, 1000 * KiB);
  EXPECT_EQ(u.traces.series.at("processes"), (std::vector<double>{2, 3, 1, 1}));
}

TEST_F(MonitorFake, ThreadsStatesAndReparentedProcesses) {
  FakeProcess app{
      .pid = 100, .rss_kb = 100, .threads = {{100, 'S', {}}, {103, 'R', {}}, {104, 'R', {105}}}};
  FakeProcess helper{.pid = 105, .ppid = 104, .state = 'R', .rss_kb = 10};
  fake.set(app);
  fake.set(helper);
  Monitor mon(options_for(fake), clock);
  mon.add_root(100, 0);
  mon.begin_period();
  EXPECT_EQ(mon.known_pids(), (std::vector<int>{100, 105}));  // forked by a non-main thread

  clock.advance(seconds(1));
  // Thread 104 exits: 105 is re-parented away from the app but stays monitored.
  fake.remove_thread(100, 104);
  app.threads = {{100, 'R', {}}, {103, 'S', {}}};
  helper.ppid = 1;
  fake.set(app);
  fake.set(helper);
  auto u = mon.end_period();
  EXPECT_EQ(mon.known_pids(), (std::vector<int>{100, 105}));
  EXPECT_EQ(u.traces.series.at("threads"), (std::vector<double>{4, 3}));
  EXPECT_EQ(u.traces.series.at("threads_running"), (std::vector<double>{3, 2}));
  EXPECT_EQ(u.threads_max, 4);
  EXPECT_EQ(find(u, 100)->threads_max, 3);
  EXPECT_EQ(find(u, 105)->ppid, 1);
}

TEST_F(MonitorFake, PerCpuUtilisationAndRunnable) {
  fake.set({.pid = 100, .rss_kb = 100});
  fake.set_system({{.user = 10, .idle = 1000}, {.user = 100, .system = 50, .idle = 800}}, 5);
  Monitor mon(options_for(fake, {1}), clock);
  mon.add_root(100, 0);
  mon.begin_period();
  clock.advance(seconds(1));
  // cpu1: +60 user, +20 system, +20 idle (100 ticks); cpu0 is not the app's.
  fake.set_system({{.user = 110, .idle = 1000}, {.user = 160, .system = 70, .idle = 820}}, 3);
  auto u = mon.end_period();
  ASSERT_EQ(u.per_cpu.size(), 1u);
  EXPECT_EQ(u.per_cpu[0].cpu, 1);
  EXPECT_NEAR(u.per_cpu[0].user_pct, 60.0, 1e-9);
  EXPECT_NEAR(u.per_cpu[0].sys_pct, 20.0, 1e-9);
  EXPECT_NEAR(u.per_cpu[0].idle_pct, 20.0, 1e-9);
  EXPECT_NEAR(u.per_cpu[0].busy_pct, 80.0, 1e-9);
  EXPECT_EQ(u.traces.series.count("cpu0_busy"), 0u);
  EXPECT_NEAR(u.traces.series.at("cpu1_busy").at(1), 80.0, 1e-9);
  // Per-CPU user and sys traces too, not only busy.
  EXPECT_NEAR(u.traces.series.at("cpu1_user").at(1), 60.0, 1e-9);
  EXPECT_NEAR(u.traces.series.at("cpu1_sys").at(1), 20.0, 1e-9);
  // procs_running minus the sampler itself.
  EXPECT_EQ(u.traces.series.at("system_runnable"), (std::vector<double>{4, 2}));
  // The same traces as the CPU CSV file: a header, then one row per sample.
  const auto csv = cpu_csv(u.traces);
  const auto lines = split(csv, '\n', true);
  ASSERT_EQ(lines.size(), 3u) << csv;
  EXPECT_EQ(lines[0],
            "t_s,cpu_percent,cpu_user_percent,cpu_sys_percent,cpu1_user,cpu1_sys,cpu1_busy");
  EXPECT_EQ(split(lines[2], ',').size(), 7u) << lines[2];
  EXPECT_EQ(split(lines[2], ',')[4], "60") << lines[2];
  EXPECT_EQ(split(lines[2], ',')[5], "20") << lines[2];
  EXPECT_EQ(split(lines[2], ',')[6], "80") << lines[2];
}

// The RSS trace as the old harness's CSV: time, the summed RSS, one column per process.
TEST(TraceCsv, RssColumnsPerProcessInPidOrder) {
  results::Traces t;
  t.t = {0, 0.5, 1.0};
  t.series["rss_total"] = {3072, 4096, 123456789012};
  t.series["rss:105"] = {1024, 2048, 2048};
  t.series["rss:100"] = {2048, 2048, 3072};
  EXPECT_EQ(rss_csv(t),
            "t_s,rss_total,rss:100,rss:105\n"
            "0.000,3072,2048,1024\n"
            "0.500,4096,2048,2048\n"
            "1.000,123456789012,3072,2048\n");
  EXPECT_EQ(rss_csv(results::Traces{}), "");
}

TEST_F(MonitorFake, AllCpusWhenNoneConfigured) {
  fake.set({.pid = 100});
  fake.set_system({{.idle = 100}, {.idle = 100}, {.idle = 100}}, 1);
  Monitor mon(options_for(fake, {}), clock);
  mon.add_root(100, 0);
  mon.begin_period();
  clock.advance(seconds(1));
  fake.set_system({{.user = 50, .idle = 150}, {.idle = 200}, {.system = 100, .idle = 100}}, 1);
  auto u = mon.end_period();
  ASSERT_EQ(u.per_cpu.size(), 3u);
  EXPECT_NEAR(u.per_cpu[0].busy_pct, 50.0, 1e-9);
  EXPECT_NEAR(u.per_cpu[1].busy_pct, 0.0, 1e-9);
  EXPECT_NEAR(u.per_cpu[2].sys_pct, 100.0, 1e-9);
}

TEST_F(MonitorFake, RootPidReuseIsIgnored) {
  fake.set({.pid = 100, .utime = 10, .rss_kb = 100});
  Monitor mon(options_for(fake), clock);
  mon.add_root(100, 0);
  EXPECT_EQ(mon.sample_now().processes, 1);
  fake.reap(100);
  EXPECT_EQ(mon.sample_now().processes, 0);
  // A different process gets pid 100 later: not the app.
  fake.set({.pid = 100, .utime = 5000, .rss_kb = 99999, .starttime = 9999});
  auto s = mon.sample_now();
  EXPECT_EQ(s.processes, 0);
  EXPECT_EQ(s.rss_total, 0);
  EXPECT_DOUBLE_EQ(s.cpu_total_s, 0.10);  // the exited app's last value, not the newcomer's
  EXPECT_TRUE(mon.known_pids().empty());
}

TEST_F(MonitorFake, MissingRootAndLateRoot) {
  Monitor mon(options_for(fake), clock);
  mon.add_root(4242, 0);
  auto s = mon.sample_now();
  EXPECT_EQ(s.processes, 0);
  fake.set({.pid = 4242, .utime = 7, .stime = 3, .rss_kb = 64});  // appears later
  s = mon.sample_now();
  EXPECT_EQ(s.processes, 1);
  EXPECT_EQ(s.rss_total, 64 * KiB);
  EXPECT_DOUBLE_EQ(s.cpu_total_s, 0.10);
  EXPECT_EQ(s.threads, 1);
}

TEST_F(MonitorFake, HwmFromStatusAndRssFallback) {
  // The kernel saw a higher peak (VmHWM) than any of our samples caught.
  fake.set({.pid = 100, .rss_kb = 100, .hwm_kb = 5000});
  fake.set({.pid = 101, .rss_kb = 300});
  fs::remove(fake.path() / "101" / "statm");  // RSS then comes from status's VmRSS
  Monitor mon(options_for(fake), clock);
  mon.add_root(100, 0);
  mon.add_root(101, 1);
  mon.begin_period();
  clock.advance(seconds(1));
  auto u = mon.end_period();
  EXPECT_EQ(find(u, 100)->rss_hwm, 5000 * KiB);
  EXPECT_EQ(find(u, 100)->rss_peak, 100 * KiB);
  EXPECT_EQ(find(u, 101)->rss_end, 300 * KiB);
  EXPECT_EQ(find(u, 101)->rss_hwm, 300 * KiB);
  EXPECT_EQ(u.rss_end, 400 * KiB);
}

TEST_F(MonitorFake, EndWithoutBeginIsABug) {
  Monitor mon(options_for(fake), clock);
  EXPECT_THROW(mon.end_period(), InternalError);
  mon.begin_period();
  EXPECT_NO_THROW(mon.end_period());
  EXPECT_THROW(mon.end_period(), InternalError);
}

TEST_F(MonitorFake, ChildrenFilesAbsentFallsBackToPpidScan) {
  fake.set({.pid = 100, .rss_kb = 12});
  fake.set({.pid = 101, .ppid = 100, .rss_kb = 20});
  fake.set({.pid = 102, .ppid = 101, .rss_kb = 32});
  fake.set({.pid = 200, .rss_kb = 40});
  for (int pid : {100, 101, 102, 200}) {
    fs::remove(fake.path() / std::to_string(pid) / "task" / std::to_string(pid) / "children");
  }
  Monitor mon(options_for(fake), clock);
  mon.add_root(100, 0);
  auto s = mon.sample_now();
  EXPECT_EQ(mon.known_pids(), (std::vector<int>{100, 101, 102}));
  EXPECT_EQ(s.rss_total, 64 * KiB);
}

TEST_F(MonitorFake, IntervalClampedAndPerProcessTracesOptional) {
  fake.set({.pid = 100, .rss_kb = 10});
  auto o = options_for(fake);
  o.interval = milliseconds(1);
  o.per_process_traces = false;
  Monitor mon(o, clock);
  mon.add_root(100, 0);
  mon.sample_now();
  auto tr = mon.run_traces();
  EXPECT_DOUBLE_EQ(tr.interval_s, 0.010);
  EXPECT_EQ(tr.series.count("rss:100"), 0u);
  EXPECT_EQ(tr.series.count("rss_total"), 1u);
}

TEST_F(MonitorFake, BackgroundThreadWaitsOnTheClock) {
  fake.set({.pid = 100, .rss_kb = 10});
  auto o = options_for(fake);
  o.interval = milliseconds(250);
  Monitor mon(o, clock);
  mon.add_root(100, 0);
  mon.start();
  mon.start();  // idempotent
  for (int i = 0; i < 2000 && mon.run_traces().t.size() < 8; ++i) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  mon.stop();
  mon.stop();  // idempotent
  auto tr = mon.run_traces();
  ASSERT_GE(tr.t.size(), 8u);
  // Each pass waited one interval on the FakeClock (no real time, no drift).
  for (std::size_t i = 0; i < tr.t.size(); ++i) {
    EXPECT_NEAR(tr.t[i], 0.25 * static_cast<double>(i), 1e-12) << i;
  }
  EXPECT_GE(clock.waits(), static_cast<std::int64_t>(tr.t.size()) - 1);
  // Stopped means stopped.
  const auto rows = tr.t.size();
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(mon.run_traces().t.size(), rows);
  mon.start();  // restartable
  for (int i = 0; i < 2000 && mon.run_traces().t.size() <= rows; ++i) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  mon.stop();
  EXPECT_GT(mon.run_traces().t.size(), rows);
}

// The recorded snapshots (tests/data/proc) played through the monitor: snap1 then, 1.0 s
// later, snap2 written over it in place. Expected values from the README and the raw files.
TEST(MonitorSnapshots, NginxAndThreadedDemo) {
  ASSERT_EQ(::sysconf(_SC_CLK_TCK), 100);
  const fs::path data = fs::path(BENCHGATE_TEST_DATA_DIR) / "proc";
  platform::TempDir dir("monitor-snap");
  const fs::path root = dir.path() / "proc";
  fs::copy(data / "snap1", root, fs::copy_options::recursive);
  FakeClock clock;
  MonitorOptions o;
  o.roots.proc = root.string();
  o.cpus = {0, 1};
  Monitor mon(o, clock);
  mon.add_root(24141, 0);  // nginx master -> worker 24142
  mon.add_root(32667, 1);  // "mt (demo)" -> forked child 32669
  mon.begin_period();
  EXPECT_EQ(mon.known_pids(), (std::vector<int>{24141, 24142, 32667, 32669}));

  clock.advance(seconds(1));
  for (const auto& e : fs::recursive_directory_iterator(data / "snap2")) {
    if (!e.is_regular_file()) continue;
    FakeProc::write(root / fs::relative(e.path(), data / "snap2"), platform::read_file(e.path()));
  }
  auto u = mon.end_period();

  ASSERT_EQ(u.per_process.size(), 4u);
  EXPECT_DOUBLE_EQ(find(u, 24142)->cpu_user_s, 0.13);  // utime 879 -> 892
  EXPECT_DOUBLE_EQ(find(u, 24142)->cpu_sys_s, 0.35);   // stime 2353 -> 2388
  EXPECT_DOUBLE_EQ(find(u, 32667)->cpu_user_s, 1.03);  // 292 -> 395: two spinning threads
  EXPECT_DOUBLE_EQ(find(u, 24141)->cpu_user_s, 0.0);
  EXPECT_DOUBLE_EQ(find(u, 32669)->cpu_user_s, 0.0);
  EXPECT_EQ(find(u, 32667)->comm, "mt (demo)");
  EXPECT_EQ(find(u, 32669)->instance, 1);
  EXPECT_EQ(find(u, 24142)->instance, 0);
  EXPECT_NEAR(u.cpu_percent, 151.0, 1e-9);
  // VmRSS 1612 + 5148 + 2916 + 676 kB, unchanged between the snapshots.
  EXPECT_EQ(u.rss_start, 10352 * KiB);
  EXPECT_EQ(u.rss_end, 10352 * KiB);
  EXPECT_EQ(find(u, 32667)->rss_hwm, 2916 * KiB);
  EXPECT_EQ(find(u, 32667)->threads_max, 5);
  EXPECT_EQ(u.threads_max, 8);
  // snap2: worker R (process line); busy-1 and busy (2) R; everything else S.
  EXPECT_EQ(u.traces.series.at("threads_running").back(), 3);
  EXPECT_EQ(u.traces.series.at("system_runnable").back(), 3);  // procs_running 4, minus us

  // /proc/stat: cpu0 user +87 system +10 softirq +4 (101 ticks); cpu1 user +64 system +25
  // idle +1 softirq +11 (101 ticks).
  ASSERT_EQ(u.per_cpu.size(), 2u);
  EXPECT_NEAR(u.per_cpu[0].user_pct, 8700.0 / 101, 1e-9);
  EXPECT_NEAR(u.per_cpu[0].sys_pct, 1400.0 / 101, 1e-9);
  EXPECT_NEAR(u.per_cpu[0].busy_pct, 100.0, 1e-9);
  EXPECT_NEAR(u.per_cpu[1].user_pct, 6400.0 / 101, 1e-9);
  EXPECT_NEAR(u.per_cpu[1].sys_pct, 3600.0 / 101, 1e-9);
  EXPECT_NEAR(u.per_cpu[1].idle_pct, 100.0 / 101, 1e-9);
  EXPECT_NEAR(u.traces.series.at("cpu1_busy").back(), 10000.0 / 101, 1e-9);
}

// --- Real processes -------------------------------------------------------------------------

TEST(MonitorReal, FindsForkedWorkers) {
  platform::SpawnOptions so;
  so.argv = {"/bin/sh", "-c", "sleep 30 & sleep 30 & wait"};
  auto app = platform::Subprocess::spawn(so);
  MonitorOptions o;
  Monitor mon(o, system_clock());
  mon.add_root(app.pid(), 0);
  Snapshot s;
  for (int i = 0; i < 500 && s.processes < 3; ++i) {
    s = mon.sample_now();
    if (s.processes < 3) std::this_thread::sleep_for(milliseconds(2));
  }
  EXPECT_EQ(s.processes, 3);
  EXPECT_GT(s.rss_total, 0);
  EXPECT_EQ(s.threads, 3);
  app.terminate(milliseconds(200));
  for (int i = 0; i < 500 && s.processes > 0; ++i) {
    s = mon.sample_now();
    if (s.processes > 0) std::this_thread::sleep_for(milliseconds(2));
  }
  EXPECT_EQ(s.processes, 0);
  EXPECT_TRUE(mon.known_pids().empty());
}

}  // namespace
}  // namespace benchgate::monitor
