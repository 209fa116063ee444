#pragma once
// The sampling pass behind Monitor, usable on its own (the benchmark measures it): keeps every
// /proc file it needs open and re-reads them with pread, so one pass over N processes costs a
// few µs per process and allocates nothing once the tree is stable.
//
// Each pass re-discovers the tree: from the roots and from every process already known, it
// follows every thread's task/<tid>/children file (or, on kernels without them, a ppid scan of
// the whole table). A process once found stays monitored until it exits, even if it is
// re-parented away (an app that daemonises). Root pids are used once: if a root exits and its
// pid is reused, the new process is not mistaken for the app.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "platform/proc.h"

namespace benchgate::monitor {

/// One monitored process and its latest values.
struct TrackedProcess {
  int pid = 0;
  int ppid = 0;
  int instance = 0;
  std::string comm;
  std::uint64_t starttime = 0;         ///< ticks after boot (tells a reused pid apart)
  bool alive = true;                   ///< false once it exited (last values kept)
  std::uint64_t utime = 0, stime = 0;  ///< ticks, cumulative since the process started
  std::int64_t rss = 0;                ///< bytes (VmRSS); 0 once exited
  std::int64_t hwm = 0;                ///< bytes (VmHWM, the kernel's own peak RSS)
  int threads = 0;
  int threads_running = 0;  ///< threads in state R
  std::uint64_t first_seen_pass = 0;

  struct Files;
  std::unique_ptr<Files> files;  ///< open /proc files (closed once the process is gone)
  TrackedProcess();
  ~TrackedProcess();
  TrackedProcess(TrackedProcess&&) noexcept;
  TrackedProcess& operator=(TrackedProcess&&) noexcept;
};

class Sampler {
 public:
  explicit Sampler(std::string proc_root = "/proc");
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  void add_root(int pid, int instance);

  /// One pass: discovers new processes, reads every live one, and /proc/stat.
  void sample();

  /// Every process seen so far (alive or exited), in discovery order. Stable addresses.
  const std::vector<std::unique_ptr<TrackedProcess>>& processes() const { return procs_; }
  /// /proc/stat at the last pass.
  const platform::SystemStat& system() const { return sys_; }
  /// Number of passes so far.
  std::uint64_t passes() const { return pass_; }
  /// True when the kernel has no task/*/children files and the ppid scan is used.
  bool scanning() const { return scan_mode_; }

  long clock_ticks() const { return ticks_; }

 private:
  struct Root {
    int pid;
    int instance;
    bool used = false;  ///< its process was found (a later reuse of the pid is ignored)
  };
  TrackedProcess* track(int pid, int instance);
  bool read_process(TrackedProcess& p);
  void read_threads(TrackedProcess& p);
  void read_children(TrackedProcess& p);

  platform::ProcReader reader_;
  long ticks_;
  std::vector<Root> roots_;
  std::vector<std::unique_ptr<TrackedProcess>> procs_;
  std::unordered_map<int, TrackedProcess*> live_;  ///< pid -> live process
  platform::ProcFile sys_file_;
  platform::SystemStat sys_;
  std::uint64_t pass_ = 0;
  bool scan_mode_ = false;

  // Reused scratch space (no allocation per pass once warm).
  struct Pending {
    int pid;
    int instance;
  };
  std::vector<Pending> queue_;
  std::vector<int> kids_;
  std::vector<int> tids_;
  std::unordered_map<int, std::uint64_t> visited_;  ///< pid -> pass it was read in
  std::vector<std::pair<int, int>> parents_;        ///< scan mode: (pid, ppid)
  platform::ProcStat stat_;
  platform::ProcStatus status_;
  std::vector<char> dents_;
};

}  // namespace benchgate::monitor
