// The monitor against a real spinning process over a real half second: CPU and duration
// agree with the kernel's CPU clock. Wall-clock bounds, so it runs here, under the load-test
// lock, not among the unit tests (tests/unit/monitor/monitor_test.cpp).

#include <gtest/gtest.h>
#include <time.h>

#include <cstdio>
#include <thread>

#include "monitor/monitor.h"
#include "platform/subprocess.h"
#include "platform/sysinfo.h"

namespace benchgate::monitor {
namespace {

using std::chrono::milliseconds;

double process_cpu_seconds(pid_t pid) {
  // An interface independent of /proc/<pid>/stat: the process's POSIX CPU-time clock.
  clockid_t id;
  if (::clock_getcpuclockid(pid, &id) != 0) return -1;
  timespec ts{};
  if (::clock_gettime(id, &ts) != 0) return -1;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

TEST(MonitorReal, SpinningChildPinnedToOneCpu) {
  const auto cpus = platform::available_cpus();
  ASSERT_FALSE(cpus.empty());
  platform::SpawnOptions so;
  so.argv = {"/bin/sh", "-c", "while :; do :; done"};
  so.cpus = {cpus.back()};
  auto child = platform::Subprocess::spawn(so);

  MonitorOptions o;
  o.interval = milliseconds(10);
  o.cpus = {cpus.back()};
  Monitor mon(o, system_clock());
  mon.add_root(child.pid(), 0);
  mon.start();
  // Going: the monitor has sampled the child at least once (a readiness poll, not a guess).
  for (int i = 0; i < 1000 && mon.run_traces().t.empty(); ++i)
    std::this_thread::sleep_for(milliseconds(1));
  ASSERT_FALSE(mon.run_traces().t.empty());
  const double cpu0 = process_cpu_seconds(child.pid());
  mon.begin_period();
  std::this_thread::sleep_for(milliseconds(500));
  auto u = mon.end_period();
  const double cpu1 = process_cpu_seconds(child.pid());
  mon.stop();
  child.terminate(milliseconds(200));

  ASSERT_EQ(u.per_process.size(), 1u);
  EXPECT_NEAR(u.duration_s, 0.5, 0.1);
  // /proc ticks are 10 ms: agree with the CPU clock to about two ticks. A spinning child on
  // an idle CPU gets ~100 %; on a loaded shared machine it gets its share, which the CPU clock
  // measures independently, so the check holds either way.
  const double clock_pct = (cpu1 - cpu0) / u.duration_s * 100;
  EXPECT_NEAR(u.cpu_total_s(), cpu1 - cpu0, 0.025);
  EXPECT_NEAR(u.cpu_percent, clock_pct, 5.0);
  EXPECT_GT(u.cpu_percent, 5.0);
  EXPECT_LT(u.cpu_percent, 106.0);
  // Its CPU was at least as busy as the child kept it.
  EXPECT_GT(u.per_cpu.at(0).busy_pct, u.cpu_percent - 5.0);
  EXPECT_GE(u.traces.t.size(), 20u);  // ~50 samples at 10 ms
  EXPECT_EQ(u.traces.t.front(), 0.0);
  EXPECT_GT(u.per_process[0].rss_peak, 0);
  std::printf("spinning child: %.1f %% CPU over %.3f s (CPU clock: %.1f %%), %zu samples\n",
              u.cpu_percent, u.duration_s, clock_pct, u.traces.t.size());
}

}  // namespace
}  // namespace benchgate::monitor
