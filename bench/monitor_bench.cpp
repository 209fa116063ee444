// The resource monitor's own cost, with 8 real processes (a shell and 7 sleeping children,
// like a master and its workers). Target: <= 0.2 % of one core at 10 Hz.
//
//   build-*/bench/bench_monitor            (or: --benchmark_filter=Thread for the direct one)
//
// BM_SamplerPass / BM_MonitorSample: CPU time of one sampling pass (Sampler alone; Monitor
// with traces), reported as cpu_us_per_sample and pct_core_at_10Hz, plus allocations per pass.
// BM_MonitorThread: the monitor's background thread at 100 ms for 5 s; its own CPU time read
// from /proc/self/task/<tid>/schedstat (ns) after the run.

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>

#include "core/cancel.h"
#include "monitor/monitor.h"
#include "monitor/sampler.h"
#include "platform/fs.h"
#include "platform/proc.h"
#include "platform/process_tree.h"
#include "platform/subprocess.h"

// Counts heap allocations (to show the sampling pass does not allocate once warm). GCC 12
// warns about free() in a replaced operator delete once inlined; the pairing is correct.
namespace {
std::atomic<std::int64_t> g_allocs{0};
}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

namespace {

using namespace benchgate;

constexpr int kProcesses = 8;

// One shell with 7 sleeping children: 8 processes, found through the children files.
struct App {
  platform::Subprocess shell;
  App() {
    platform::SpawnOptions o;
    std::string script;
    for (int i = 1; i < kProcesses; ++i)
      script += "sleep 600 & ";
    script += "wait";
    o.argv = {"/bin/sh", "-c", script};
    shell = platform::Subprocess::spawn(o);
    platform::ProcReader proc;
    for (int i = 0; i < 2000; ++i) {
      int sleeping = 0;
      for (int pid : platform::descendants(proc, shell.pid())) {
        auto st = proc.read_stat(pid);
        if (st && st->comm == "sleep") ++sleeping;
      }
      if (sleeping == kProcesses - 1) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::fprintf(stderr, "the 8 test processes did not start\n");
    std::exit(1);
  }
};

App& app() {
  static App a;
  return a;
}

double thread_cpu_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void report(benchmark::State& state, double cpu_s, std::int64_t allocs) {
  const double per = cpu_s / static_cast<double>(state.iterations());
  state.counters["cpu_us_per_sample"] = per * 1e6;
  state.counters["pct_core_at_10Hz"] = per * 10 * 100;
  state.counters["allocs_per_sample"] =
      static_cast<double>(allocs) / static_cast<double>(state.iterations());
}

void BM_SamplerPass(benchmark::State& state) {
  monitor::Sampler sampler;
  sampler.add_root(app().shell.pid(), 0);
  sampler.sample();  // warm: files opened, tree known
  if (sampler.processes().size() != kProcesses) state.SkipWithError("expected 8 processes");
  const auto a0 = g_allocs.load();
  const double c0 = thread_cpu_s();
  for (auto _ : state)
    sampler.sample();
  report(state, thread_cpu_s() - c0, g_allocs.load() - a0);
}
BENCHMARK(BM_SamplerPass);

void BM_MonitorSample(benchmark::State& state) {
  monitor::MonitorOptions o;
  o.cpus = {0};
  monitor::Monitor mon(o, system_clock());
  mon.add_root(app().shell.pid(), 0);
  mon.sample_now();
  const auto a0 = g_allocs.load();
  const double c0 = thread_cpu_s();
  for (auto _ : state)
    benchmark::DoNotOptimize(mon.sample_now());
  report(state, thread_cpu_s() - c0, g_allocs.load() - a0);
}
BENCHMARK(BM_MonitorSample);

void BM_ParseStat(benchmark::State& state) {
  const std::string text =
      "32673 (sleep) 2) S 1 32662 22520 0 -1 4194368 1 0 0 0 0 0 0 0 20 0 5 0 180920 39362560 "
      "702 18446744073709551615 94107338850304 94107338853661 140737215502272 0 0 0 0 6 0 1 0 "
      "0 -1 0 0 0 0 0 0 94107338861936 94107338862800 94108083187712 140737215510975 "
      "140737215510989 140737215510989 140737215512556 0\n";
  platform::ProcStat s;
  for (auto _ : state) {
    platform::parse_proc_stat(text, s);
    benchmark::DoNotOptimize(s.utime);
  }
}
BENCHMARK(BM_ParseStat);

void BM_ParseStatus(benchmark::State& state) {
  const std::string text = platform::read_file("/proc/self/status");
  platform::ProcStatus s;
  for (auto _ : state) {
    platform::parse_proc_status(text, s);
    benchmark::DoNotOptimize(s.vm_rss);
  }
}
BENCHMARK(BM_ParseStatus);

std::vector<int> tids() {
  return platform::ProcReader("/proc").list_tids(::getpid());
}

// ns of CPU the thread has run, from schedstat (precise); ticks from stat as a fallback.
double task_cpu_s(int tid) {
  const auto base = fmt::format("/proc/self/task/{}/", tid);
  try {
    const auto text = platform::read_file(base + "schedstat");
    return static_cast<double>(std::stoll(text)) / 1e9;
  } catch (const std::exception&) {
  }
  const auto st = platform::parse_proc_stat(platform::read_file(base + "stat"));
  return static_cast<double>(st.utime + st.stime) /
         static_cast<double>(platform::ProcReader::clock_ticks());
}

void BM_MonitorThread(benchmark::State& state) {
  const auto interval = std::chrono::milliseconds(state.range(0));
  const auto run_for = std::chrono::seconds(5);
  for (auto _ : state) {
    monitor::MonitorOptions o;
    o.interval = interval;
    o.cpus = {0};
    monitor::Monitor mon(o, system_clock());
    mon.add_root(app().shell.pid(), 0);
    const auto before = tids();
    mon.start();
    int tid = 0;
    for (int i = 0; i < 1000 && tid == 0; ++i) {
      for (int t : tids()) {
        if (std::find(before.begin(), before.end(), t) == before.end()) tid = t;
      }
      if (tid == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(run_for);
    const double cpu = tid ? task_cpu_s(tid) : -1;
    const auto samples = mon.run_traces().t.size();
    mon.stop();
    if (mon.known_pids().size() != kProcesses) state.SkipWithError("expected 8 processes");
    const double secs = std::chrono::duration<double>(run_for).count();
    state.counters["samples"] = static_cast<double>(samples);
    state.counters["thread_cpu_ms"] = cpu * 1e3;
    state.counters["cpu_us_per_sample"] = cpu / static_cast<double>(samples) * 1e6;
    state.counters["pct_core"] = cpu / secs * 100;
    state.counters["pct_core_at_10Hz"] = cpu / static_cast<double>(samples) * 10 * 100;
  }
}
BENCHMARK(BM_MonitorThread)
    ->Arg(100)
    ->Arg(10)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

// Baseline for BM_MonitorThread: a thread that only wakes up on the same schedule (what any
// periodic sampler pays to be scheduled, before reading anything).
void BM_WakeupOnly(benchmark::State& state) {
  const auto interval = std::chrono::milliseconds(state.range(0));
  for (auto _ : state) {
    CancelToken stop;
    std::atomic<double> cpu{0};
    std::atomic<int> wakeups{0};
    std::thread t([&] {
      auto next = system_clock().now();
      const double c0 = thread_cpu_s();
      for (;;) {
        next += interval;
        if (!system_clock().wait_until(next, &stop)) break;
        ++wakeups;
      }
      cpu = thread_cpu_s() - c0;
    });
    std::this_thread::sleep_for(std::chrono::seconds(5));
    stop.cancel();
    t.join();
    state.counters["wakeups"] = wakeups.load();
    state.counters["cpu_us_per_wakeup"] = cpu.load() / wakeups.load() * 1e6;
    state.counters["pct_core"] = cpu.load() / 5 * 100;
  }
}
BENCHMARK(BM_WakeupOnly)->Arg(100)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
