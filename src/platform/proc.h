#pragma once
// /proc: pure parsers (string_view in, struct out, ParseError on garbage) and a reader with an
// injectable root, so tests run on recorded snapshots. ProcFile keeps a file open and re-reads
// it with pread(0): the monitor samples without reopening, and an open /proc/<pid>/… fd keeps
// referring to that process even if its pid is reused (reads fail with ESRCH once it is gone).

#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchgate::platform {

/// /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat (proc(5)). Times in clock ticks.
struct ProcStat {
  int pid = 0;
  std::string comm;  ///< without the parentheses; may contain spaces and ')'
  char state = '?';  ///< R S D Z T t X I …
  int ppid = 0;
  int pgrp = 0;
  int session = 0;
  std::uint64_t utime = 0;  ///< ticks (ProcReader::clock_ticks() per second)
  std::uint64_t stime = 0;
  int num_threads = 0;
  std::uint64_t starttime = 0;  ///< ticks after boot
  std::int64_t rss_pages = 0;
  int processor = -1;  ///< CPU last run on
};

/// The fields of /proc/<pid>/status the monitor uses; sizes converted to bytes. Kernel threads
/// and zombies have no Vm* lines: those stay 0.
struct ProcStatus {
  std::string name;
  char state = '?';
  int ppid = 0;
  int threads = 0;
  std::int64_t vm_rss = 0;        ///< bytes
  std::int64_t vm_hwm = 0;        ///< bytes (peak RSS)
  std::string cpus_allowed_list;  ///< e.g. "0-1"
};

/// /proc/<pid>/statm, in pages.
struct ProcStatm {
  std::int64_t size = 0, resident = 0, shared = 0, text = 0, lib = 0, data = 0, dirty = 0;
};

/// One "cpu" or "cpuN" line of /proc/stat, in ticks. guest/guest_nice are already included in
/// user/nice by the kernel, so total() leaves them out.
struct CpuTimes {
  int cpu = -1;  ///< -1 for the aggregate line
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                steal = 0, guest = 0, guest_nice = 0;
  std::uint64_t total() const {
    return user + nice + system + idle + iowait + irq + softirq + steal;
  }
  std::uint64_t idle_all() const { return idle + iowait; }
};

/// /proc/stat.
struct SystemStat {
  CpuTimes total;              ///< the aggregate "cpu" line
  std::vector<CpuTimes> cpus;  ///< "cpuN" lines in file order (offline CPUs are absent)
  int procs_running = 0;
  int procs_blocked = 0;
  std::uint64_t ctxt = 0;
  std::uint64_t btime = 0;
  /// The line of CPU `cpu`, or nullptr when it is not listed.
  const CpuTimes* find(int cpu) const;
};

/// /proc/loadavg: "0.74 0.93 0.88 5/98 32690".
struct LoadAvg {
  double load1 = 0, load5 = 0, load15 = 0;
  int running = 0;  ///< runnable scheduling entities now (includes the reader)
  int total = 0;
  int last_pid = 0;
};

// The line-oriented files must end with the kernel's final newline: a read cut short is a
// ParseError, never a silently shorter number.
ProcStat parse_proc_stat(std::string_view text);
/// Same, into an existing object (reuses comm's storage: no allocation on the sampling path).
void parse_proc_stat(std::string_view text, ProcStat& out);
ProcStatus parse_proc_status(std::string_view text);
void parse_proc_status(std::string_view text, ProcStatus& out);
ProcStatm parse_proc_statm(std::string_view text);
/// task/<tid>/children: "24142 " (space-separated pids, trailing space, no newline; often
/// empty). Appends to `out`.
void parse_children(std::string_view text, std::vector<int>& out);
std::vector<int> parse_children(std::string_view text);
SystemStat parse_system_stat(std::string_view text);
void parse_system_stat(std::string_view text, SystemStat& out);
LoadAvg parse_loadavg(std::string_view text);
/// /proc/<pid>/cmdline: NUL-separated arguments (a final NUL or NUL padding, as nginx leaves
/// after rewriting its title, adds no empty arguments). Empty for kernel threads and zombies.
std::vector<std::string> parse_cmdline(std::string_view text);
/// An argv for a message: arguments joined by spaces, those with spaces or quotes in single
/// quotes, control characters as '?', at most `max` characters ("…" when cut).
std::string format_command(const std::vector<std::string>& argv, std::size_t max = 200);

/// CPU share of `seconds` of CPU time over `wall_s` seconds, 100 = one core.
inline double cpu_percent(double cpu_s, double wall_s) {
  return wall_s > 0 ? cpu_s / wall_s * 100.0 : 0.0;
}

/// A /proc file held open and re-read from offset 0 with pread. Move-only RAII.
class ProcFile {
 public:
  ProcFile() = default;
  /// Opens `path`; is_open() is false when it cannot be opened (e.g. the process is gone).
  explicit ProcFile(const std::string& path);
  ~ProcFile();
  ProcFile(ProcFile&& other) noexcept;
  ProcFile& operator=(ProcFile&& other) noexcept;
  ProcFile(const ProcFile&) = delete;
  ProcFile& operator=(const ProcFile&) = delete;

  bool is_open() const { return fd_ >= 0; }
  /// Reads the whole file again (one pread while it fits the buffer; a short read is taken as
  /// the end). nullopt when the read fails (ESRCH: the process has exited and been reaped).
  /// The view is into an internal buffer, valid until the next read().
  std::optional<std::string_view> read();
  /// errno of the last failed open or read (0 if none).
  int error() const { return error_; }
  /// True once a read failed because the process no longer exists.
  bool gone() const { return error_ == ESRCH || error_ == ENOENT; }
  void close() noexcept;

 private:
  int fd_ = -1;
  int error_ = 0;
  std::string buf_;
};

/// Reads /proc (or a copy of it) under an injectable root.
class ProcReader {
 public:
  explicit ProcReader(std::string root = "/proc");
  const std::string& root() const { return root_; }

  /// "<root>/<pid>/<file>" (file may be empty for the folder itself).
  std::string path(int pid, std::string_view file = {}) const;
  /// "<root>/<pid>/task/<tid>/<file>".
  std::string task_path(int pid, int tid, std::string_view file) const;

  /// Numeric entries of the root (processes), ascending.
  std::vector<int> list_pids() const;
  /// Threads of a process (task/ entries), ascending; empty when the process is gone.
  std::vector<int> list_tids(int pid) const;

  /// Whole-file reads: nullopt when the process (or file) does not exist. ParseError on a
  /// malformed file.
  std::optional<ProcStat> read_stat(int pid) const;
  std::optional<ProcStat> read_task_stat(int pid, int tid) const;
  std::optional<ProcStatus> read_status(int pid) const;
  std::optional<ProcStatm> read_statm(int pid) const;
  /// Children of one thread; nullopt when the children file does not exist (kernels without
  /// CONFIG_PROC_CHILDREN) or the thread is gone.
  std::optional<std::vector<int>> read_children(int pid, int tid) const;
  /// The arguments of a process (parse_cmdline); nullopt when it is gone.
  std::optional<std::vector<std::string>> read_cmdline(int pid) const;
  /// /proc/stat and /proc/loadavg. Throw std::system_error when missing, ParseError when bad.
  SystemStat read_system_stat() const;
  LoadAvg read_loadavg() const;

  /// sysconf(_SC_CLK_TCK) (100 on Linux) and sysconf(_SC_PAGESIZE).
  static long clock_ticks();
  static long page_size();

 private:
  std::optional<std::string> read_optional(const std::string& path) const;
  std::string root_;
};

}  // namespace benchgate::platform
