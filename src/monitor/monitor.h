#pragma once
// The background resource monitor: one thread samples every process of the app (each
// instance and all its descendants, re-discovered as workers appear), keeping /proc files
// open and reading them with pread. Load periods are marked with begin_period()/end_period(),
// which take a snapshot at that instant, so CPU time is the time consumed in the period only.
//
// What the numbers mean:
// - CPU: utime/stime ticks of /proc/<pid>/stat (whole process, all threads), 1/CLK_TCK s.
//   A process that started within the period counts from 0; one that exited counts up to its
//   last sample (at most one interval of its life is not seen).
// - RSS: resident pages of statm (the same counter as status's VmRSS); VmHWM (the kernel's
//   own peak) is read on the synchronous calls. The summed peak is the peak of the per-sample
//   sum, not the sum of per-process peaks.
// - Traces: a rate at t[i] ("cpu_percent", "cpu:<pid>", "cpu<N>_busy", "cpu<N>_user",
//   "cpu<N>_sys") covers (t[i-1], t[i]];
//   the first point of a period covers the interval just before it. "system_runnable" is
//   /proc/stat procs_running minus the sampler itself. Per-process series are kept for the
//   first 64 processes.
// - Per-CPU: user = user+nice, sys = system+irq+softirq, idle = idle+iowait, busy = 100-idle
//   (steal counts as busy: the CPU was not the app's either). No CPU list: every CPU.

#include <memory>
#include <string>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "platform/roots.h"
#include "results/model.h"

namespace benchgate::monitor {

struct MonitorOptions {
  Nanos interval = std::chrono::seconds(1);  ///< sampling period; below 10 ms means 10 ms
  std::vector<int> cpus;                     ///< CPUs whose utilisation is recorded (app CPUs)
  platform::SysRoots roots;                  ///< injectable for tests
  bool per_process_traces = true;            ///< "rss:<pid>" / "cpu:<pid>" series
};

/// RSS/CPU of the whole app tree at one instant.
struct Snapshot {
  std::int64_t rss_total = 0;  ///< bytes
  double cpu_total_s = 0;      ///< user+sys since they started, all processes seen (exited: last)
  int processes = 0;
  int threads = 0;
};

class Monitor {
 public:
  Monitor(MonitorOptions options, Clock& clock);
  ~Monitor();  // stops the thread
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  /// Adds an app instance's root pid (its descendants are found automatically).
  void add_root(int pid, int instance);
  /// Starts the sampling thread (idempotent).
  void start();
  /// Stops the sampling thread (idempotent); also done by the destructor.
  void stop();

  /// Takes one sample synchronously (used by tests with a FakeClock and by the runner for the
  /// idle footprint), returning the app totals.
  Snapshot sample_now();

  /// Marks the start of a load period.
  void begin_period();
  /// Ends the current period: CPU consumed in the period per process and summed, RSS start /
  /// end / peak per process and summed, per-CPU utilisation, traces of the period.
  results::ResourceUsage end_period();

  /// Traces of the whole time the monitor ran (start-up to now).
  results::Traces run_traces() const;

  /// Pids currently known (roots and descendants).
  std::vector<int> known_pids() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A period's traces as CSV files, as the old harness wrote its RSS trace (one row per sample,
/// a header line, "," separated, "." decimals, an empty field where a process had no sample):
/// - rss_csv: t_s, rss_total (bytes, summed over the app's processes), then rss:<pid> per
///   process;
/// - cpu_csv: t_s, the app's cpu_percent, cpu_user_percent, cpu_sys_percent (100 = one core),
///   then cpu<N>_user, cpu<N>_sys, cpu<N>_busy (percent of that CPU) for each recorded CPU.
/// Empty when the traces have no sample.
std::string rss_csv(const results::Traces& traces);
std::string cpu_csv(const results::Traces& traces);

}  // namespace benchgate::monitor
