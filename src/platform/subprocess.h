#pragma once
// Child processes: posix_spawn with an argv vector (no shell unless the caller builds one),
// its own process group, working folder, environment additions, stdout/stderr to a log file,
// CPU affinity. RAII: the destructor terminates the whole group (SIGTERM, grace, SIGKILL).

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "platform/roots.h"

namespace benchgate::platform {

struct SpawnOptions {
  std::vector<std::string> argv;  ///< argv[0] is searched on PATH unless it contains '/'
  std::filesystem::path cwd;      ///< empty: inherit
  std::vector<std::pair<std::string, std::string>> env;  ///< set on top of the inherited env
  std::filesystem::path stdout_path;  ///< empty: inherit; created/truncated otherwise
  std::filesystem::path stderr_path;  ///< empty: same file as stdout_path (or inherit)
  bool append = false;                ///< append to the log instead of truncating
  std::vector<int> cpus;              ///< CPU affinity; empty: inherit
  bool new_process_group = true;
  /// The child gets SIGKILL when benchgate dies, even by SIGKILL (PR_SET_PDEATHSIG, set
  /// between fork and exec). The kernel sends it when the *thread* that forked the child
  /// exits, so spawn() refuses (InternalError) unless called on the main thread, which lives
  /// as long as the process. Covers this process only, not what it starts.
  bool die_with_parent = false;
  /// The clock wait_for() and terminate() measure their timeouts on (the runner passes its
  /// injected one); nullptr: system_clock().
  Clock* clock = nullptr;
};

struct ExitStatus {
  bool exited = false;  ///< normal exit (code valid)
  int code = 0;
  int signal = 0;  ///< terminating signal when !exited
  /// "exited with status 3", "terminated by SIGTERM", "killed by SIGSEGV (core dumped)".
  std::string describe() const;
  bool success() const { return exited && code == 0; }
  static ExitStatus from_wait_status(int status);
  bool core_dumped = false;
  /// CPU time the process (and its waited-for descendants) used, from wait4's rusage.
  double user_cpu_s = 0;
  double sys_cpu_s = 0;
};

std::string signal_name(int sig);

class Subprocess {
 public:
  /// Starts the process. Throws RunError "cannot start '<argv0>': <reason>" when the
  /// executable is missing or cannot be executed, or a log file cannot be opened.
  static Subprocess spawn(const SpawnOptions& options);

  Subprocess() = default;
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  ~Subprocess();

  pid_t pid() const { return pid_; }
  pid_t pgid() const { return pgid_; }
  bool valid() const { return pid_ > 0; }

  /// Non-blocking: the exit status once the process has exited (reaped), else nullopt.
  std::optional<ExitStatus> poll();
  /// Waits up to `timeout` on the spawn's clock (SpawnOptions::clock; nullopt on timeout or
  /// cancellation). On the real clock the exit is awaited on the pidfd; on another clock
  /// (FakeClock) the process is looked at without blocking and the clock's wait_until ends
  /// the wait, so a FakeClock's deadline passes at once.
  std::optional<ExitStatus> wait_for(Nanos timeout, const CancelToken* cancel = nullptr);
  /// Waits without limit.
  ExitStatus wait();
  /// Sends a signal to the whole process group (or just the process without a group).
  void signal_group(int sig) const;
  /// SIGTERM to the group, up to `grace` for the leader to exit, then SIGKILL to the group.
  /// Returns the leader's exit status. Idempotent.
  ExitStatus terminate(Nanos grace = std::chrono::seconds(2));
  /// The status once known (after poll/wait/terminate reported it).
  const std::optional<ExitStatus>& status() const { return status_; }

 private:
  void release() noexcept;
  pid_t pid_ = -1;
  pid_t pgid_ = -1;
  int pidfd_ = -1;
  Clock* clock_ = nullptr;  ///< nullptr: system_clock()
  std::optional<ExitStatus> status_;
};

/// Makes this process the subreaper of its descendants (PR_SET_CHILD_SUBREAPER), so apps
/// that daemonise (double fork, setsid) are re-parented to benchgate and can be found and
/// killed. Returns false when not supported.
bool become_subreaper();
/// SIGKILLs and reaps every remaining child of this process (orphans re-parented to the
/// subreaper included). Returns how many it killed.
int kill_remaining_children(const SysRoots& roots = {});

}  // namespace benchgate::platform
