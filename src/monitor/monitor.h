#pragma once
// The background resource monitor: one thread samples every process of the app (each
// instance and all its descendants, re-discovered as workers appear), keeping /proc files
// open and reading them with pread. Load periods are marked with begin_period()/end_period(),
// which take a snapshot at that instant, so CPU time is the time consumed in the period only.

#include <memory>
#include <string>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "results/model.h"

namespace benchgate::monitor {

struct MonitorOptions {
  Nanos interval = std::chrono::seconds(1);  ///< 10 ms .. ; sampling period
  std::vector<int> cpus;                     ///< CPUs whose utilisation is recorded (app CPUs)
  std::string proc_root = "/proc";           ///< injectable for tests
  bool per_process_traces = true;            ///< "rss:<pid>" / "cpu:<pid>" series
};

/// RSS/CPU of the whole app tree at one instant.
struct Snapshot {
  std::int64_t rss_total = 0;  ///< bytes
  double cpu_total_s = 0;      ///< user+sys, all processes, since they started
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

}  // namespace benchgate::monitor
