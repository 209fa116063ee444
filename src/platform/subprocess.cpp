#include "platform/subprocess.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "platform/proc.h"
#include "platform/signals.h"

extern char** environ;

namespace benchgate::platform {

namespace {

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

// Restores the calling thread's CPU mask when it goes out of scope.
class AffinityScope {
 public:
  explicit AffinityScope(const std::vector<int>& cpus) {
    if (cpus.empty()) return;
    CPU_ZERO(&old_);
    if (::sched_getaffinity(0, sizeof old_, &old_) != 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : cpus)
      CPU_SET(c, &set);
    if (::sched_setaffinity(0, sizeof set, &set) != 0) {
      throw RunError(
          fmt::format("cannot pin to CPUs {}: {}", format_cpu_list(cpus), std::strerror(errno)));
    }
    active_ = true;
  }
  ~AffinityScope() {
    if (active_) ::sched_setaffinity(0, sizeof old_, &old_);
  }

 private:
  cpu_set_t old_{};
  bool active_ = false;
};

// Everything the child needs between fork and exec, prepared before the fork: the child of
// a multi-threaded process may only make async-signal-safe calls (no allocation).
struct ChildPlan {
  const char* exe = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* stdout_path = nullptr;
  const char* stderr_path = nullptr;
  bool stderr_to_stdout = false;
  int open_flags = 0;
  const char* cwd = nullptr;
  bool new_process_group = true;
  bool pin = false;
  cpu_set_t cpus{};
};

// The step of the child's set-up that failed, for the parent's message.
enum class ChildStep : int { kSetup = 1, kLog, kCwd, kPin, kExec };

struct ChildError {
  ChildStep step = ChildStep::kSetup;
  int err = 0;
};

[[noreturn]] void child_fail(int fd, ChildStep step, int err) {
  // The parent reads the step and errno from the pipe (close-on-exec: EOF means exec worked).
  const ChildError e{step, err};
  ssize_t n;
  do {
    n = ::write(fd, &e, sizeof e);
  } while (n < 0 && errno == EINTR);
  ::_exit(127);
}

void child_setup_and_exec(const ChildPlan& p, pid_t parent, int err_fd) {
  // Die with benchgate. Set first, then check the parent is still ours: had it died before
  // the prctl, the signal would never come (we would already be re-parented).
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    child_fail(err_fd, ChildStep::kSetup, errno);
  if (::getppid() != parent) ::_exit(127);
  if (p.new_process_group && ::setpgid(0, 0) != 0) child_fail(err_fd, ChildStep::kSetup, errno);
  // Default dispositions and an empty mask (as POSIX_SPAWN_SETSIGDEF / SETSIGMASK).
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  }
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  auto redirect = [&](const char* path, int target) {
    const int fd = ::open(path, p.open_flags, 0644);
    if (fd < 0) child_fail(err_fd, ChildStep::kLog, errno);
    if (fd != target) {
      if (::dup2(fd, target) < 0) child_fail(err_fd, ChildStep::kLog, errno);
      ::close(fd);
    }
  };
  {
    const int fd = ::open("/dev/null", O_RDONLY);
    if (fd < 0 || ::dup2(fd, 0) < 0) child_fail(err_fd, ChildStep::kSetup, errno);
    if (fd != 0) ::close(fd);
  }
  if (p.stdout_path) redirect(p.stdout_path, 1);
  if (p.stderr_to_stdout && ::dup2(1, 2) < 0) child_fail(err_fd, ChildStep::kLog, errno);
  if (p.stderr_path) redirect(p.stderr_path, 2);
  if (p.cwd && ::chdir(p.cwd) != 0) child_fail(err_fd, ChildStep::kCwd, errno);
  if (p.pin && ::sched_setaffinity(0, sizeof p.cpus, &p.cpus) != 0) {
    child_fail(err_fd, ChildStep::kPin, errno);
  }
  ::execve(p.exe, p.argv, p.envp);
  child_fail(err_fd, ChildStep::kExec, errno);
}

// fork + exec with the plan: sets pid and returns err 0, or the failed step and its errno
// (the child reaped, pid -1).
ChildError fork_exec(const ChildPlan& plan, pid_t& pid) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {ChildStep::kSetup, errno};
  const pid_t parent = ::getpid();
  pid = ::fork();
  if (pid < 0) {
    const ChildError e{ChildStep::kSetup, errno};
    ::close(fds[0]);
    ::close(fds[1]);
    return e;
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_setup_and_exec(plan, parent, fds[1]);
  }
  ::close(fds[1]);
  ChildError e;
  ssize_t n;
  do {
    n = ::read(fds[0], &e, sizeof e);
  } while (n < 0 && errno == EINTR);
  ::close(fds[0]);
  if (n == static_cast<ssize_t>(sizeof e)) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid = -1;
    if (e.err == 0) e.err = EINVAL;
    return e;
  }
  return {};
}

}  // namespace

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", sig);
}

ExitStatus ExitStatus::from_wait_status(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
    s.core_dumped = WCOREDUMP(status);
  }
  return s;
}

std::string ExitStatus::describe() const {
  if (exited) return fmt::format("exited with status {}", code);
  return fmt::format("{} by {}{}", signal == SIGTERM || signal == SIGINT ? "terminated" : "killed",
                     signal_name(signal), core_dumped ? " (core dumped)" : "");
}

// Over 100 lines on purpose: resolving the executable (with a useful error for each way it can
// be missing), then the one recipe of the child (log files, working folder, process group,
// environment, CPU pinning, parent-death signal) given to posix_spawn or to fork_exec; the
// recipe's parts depend on each other (the order of file actions matters) and read as one list.
Subprocess Subprocess::spawn(const SpawnOptions& o) {
  if (o.argv.empty() || o.argv[0].empty()) throw RunError("cannot start a process: empty command");
  const std::string& exe = o.argv[0];
  if (!o.cwd.empty() && !std::filesystem::is_directory(o.cwd)) {
    throw RunError(
        fmt::format("cannot start '{}': working folder {} does not exist", exe, o.cwd.string()));
  }
  // A relative path with a '/' ("./server") names a file in the child's working folder, which
  // is not ours when cwd is set: resolve it there (absolute, as the child chdirs first).
  const bool relative_path = exe.find('/') != std::string::npos && exe.front() != '/';
  const std::filesystem::path where = relative_path && !o.cwd.empty()
                                          ? std::filesystem::absolute(o.cwd / exe)
                                          : std::filesystem::path(exe);
  auto resolved = find_executable(where.string());  // a bare name is searched on PATH
  if (!resolved) {
    std::string why = "not found on PATH";
    if (exe.find('/') != std::string::npos) {
      std::error_code ec;
      why = std::filesystem::is_regular_file(where, ec)
                ? "not executable (permission denied)"
                : fmt::format("no such executable file{}",
                              relative_path && !o.cwd.empty() ? " in " + o.cwd.string() : "");
    }
    throw RunError(fmt::format("cannot start '{}': {}", exe, why));
  }

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  struct Cleanup {
    posix_spawn_file_actions_t* fa;
    posix_spawnattr_t* attr;
    ~Cleanup() {
      posix_spawn_file_actions_destroy(fa);
      posix_spawnattr_destroy(attr);
    }
  } cleanup{&fa, &attr};

  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  const int flags = O_WRONLY | O_CREAT | (o.append ? O_APPEND : O_TRUNC);
  auto check_writable = [&](const std::filesystem::path& p) {
    std::error_code ec;
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND, 0644);
    if (fd < 0) {
      throw RunError(fmt::format("cannot open log file {}: {}", p.string(), std::strerror(errno)));
    }
    ::close(fd);
  };
  if (!o.stdout_path.empty()) {
    check_writable(o.stdout_path);
    posix_spawn_file_actions_addopen(&fa, 1, o.stdout_path.c_str(), flags, 0644);
    if (o.stderr_path.empty() || o.stderr_path == o.stdout_path) {
      posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
  }
  if (!o.stderr_path.empty() && o.stderr_path != o.stdout_path) {
    check_writable(o.stderr_path);
    posix_spawn_file_actions_addopen(&fa, 2, o.stderr_path.c_str(), flags, 0644);
  }
  if (!o.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, o.cwd.c_str());

  short aflags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (o.new_process_group) {
    aflags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr, 0);
  }
  posix_spawnattr_setflags(&attr, aflags);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);

  // Environment: inherited, with overrides.
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos)
      env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : o.env)
    env[k] = v;
  std::vector<std::string> env_strings;
  env_strings.reserve(env.size());
  for (const auto& [k, v] : env)
    env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);

  std::vector<std::string> args(o.argv);
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  int rc;
  if (o.die_with_parent) {
    // posix_spawn cannot set a parent-death signal: fork, set it up in the child, exec.
    if (::gettid() != ::getpid()) {
      throw InternalError(fmt::format(
          "'{}' must be started from the main thread: its parent-death signal would fire when "
          "the starting thread exits",
          exe));
    }
    ChildPlan plan;
    plan.exe = resolved->c_str();
    plan.argv = argv.data();
    plan.envp = envp.data();
    plan.stdout_path = o.stdout_path.empty() ? nullptr : o.stdout_path.c_str();
    plan.stderr_path =
        !o.stderr_path.empty() && o.stderr_path != o.stdout_path ? o.stderr_path.c_str() : nullptr;
    plan.stderr_to_stdout = !o.stdout_path.empty() && plan.stderr_path == nullptr;
    plan.open_flags = flags;
    plan.cwd = o.cwd.empty() ? nullptr : o.cwd.c_str();
    plan.new_process_group = o.new_process_group;
    if (!o.cpus.empty()) {
      CPU_ZERO(&plan.cpus);
      for (int c : o.cpus)
        CPU_SET(c, &plan.cpus);
      plan.pin = true;
    }
    const ChildError e = fork_exec(plan, pid);
    switch (e.err == 0 ? ChildStep::kSetup : e.step) {
      case ChildStep::kLog:
        throw RunError(fmt::format("cannot open log file {}: {}", o.stdout_path.string(),
                                   std::strerror(e.err)));
      case ChildStep::kCwd:
        throw RunError(fmt::format("cannot start '{}': cannot enter working folder {}: {}", exe,
                                   o.cwd.string(), std::strerror(e.err)));
      case ChildStep::kPin:
        throw RunError(fmt::format("cannot pin to CPUs {}: {}", format_cpu_list(o.cpus),
                                   std::strerror(e.err)));
      default:
        break;
    }
    rc = e.err;
  } else {
    // Children inherit the spawning thread's CPU mask: pin this thread around the spawn, so
    // the app is pinned from its first instruction (no race with early forks).
    AffinityScope pin(o.cpus);
    rc = ::posix_spawn(&pid, resolved->c_str(), &fa, &attr, argv.data(), envp.data());
  }
  if (rc != 0) {
    throw RunError(fmt::format("cannot start '{}': {}", exe, std::strerror(rc)));
  }
  Subprocess p;
  p.pid_ = pid;
  p.pgid_ = o.new_process_group ? pid : -1;
  p.pidfd_ = open_pidfd(pid);
  p.clock_ = o.clock;
  if (p.pgid_ > 0) register_process_group(p.pgid_);
  return p;
}

Subprocess::Subprocess(Subprocess&& other) noexcept {
  *this = std::move(other);
}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    if (valid()) terminate(std::chrono::milliseconds(500));
    release();
    pid_ = std::exchange(other.pid_, -1);
    pgid_ = std::exchange(other.pgid_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
    clock_ = std::exchange(other.clock_, nullptr);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

Subprocess::~Subprocess() {
  if (valid()) {
    try {
      terminate(std::chrono::seconds(1));
    } catch (...) {
    }
  }
  release();
}

void Subprocess::release() noexcept {
  if (pidfd_ >= 0) ::close(pidfd_);
  pidfd_ = -1;
  if (pgid_ > 0) unregister_process_group(pgid_);
  pgid_ = -1;
  pid_ = -1;
}

std::optional<ExitStatus> Subprocess::poll() {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  int st = 0;
  struct rusage ru {};
  pid_t r;
  do {
    r = ::wait4(pid_, &st, WNOHANG, &ru);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    status_ = ExitStatus::from_wait_status(st);
    status_->user_cpu_s = static_cast<double>(ru.ru_utime.tv_sec) + ru.ru_utime.tv_usec / 1e6;
    status_->sys_cpu_s = static_cast<double>(ru.ru_stime.tv_sec) + ru.ru_stime.tv_usec / 1e6;
  } else if (r < 0 && errno == ECHILD) {
    // Reaped elsewhere (e.g. kill_remaining_children); the status is lost.
    status_ = ExitStatus{};
    status_->signal = SIGKILL;
  }
  return status_;
}

std::optional<ExitStatus> Subprocess::wait_for(Nanos timeout, const CancelToken* cancel) {
  Clock& clock = clock_ ? *clock_ : system_clock();
  const auto deadline = clock.now() + timeout;
  for (;;) {
    if (auto s = poll()) return s;
    if (cancel && cancel->cancelled()) return std::nullopt;
    const auto left = deadline - clock.now();
    if (left <= Nanos::zero()) return std::nullopt;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 1;
    if (pidfd_ >= 0) {
      // On the real clock the pidfd poll is the wait. Another clock (FakeClock) owns the
      // deadline: look without blocking, then let the clock wait (a FakeClock jumps to it).
      const bool real = &clock == &system_clock();
      pollfd fds[2] = {{pidfd_, POLLIN, 0}, {cancel ? cancel->wait_fd() : -1, POLLIN, 0}};
      if (::poll(fds, cancel ? 2 : 1, real ? static_cast<int>(ms) : 0) == 0) {
        clock.wait_until(deadline, cancel);
      }
    } else {
      // No pidfd (old kernel): look again every 10 ms.
      clock.wait_until(std::min(deadline, clock.now() + std::chrono::milliseconds(10)), cancel);
    }
  }
}

ExitStatus Subprocess::wait() {
  for (;;) {
    if (auto s = wait_for(std::chrono::hours(24))) return *s;
  }
}

void Subprocess::signal_group(int sig) const {
  if (pgid_ > 0) {
    ::kill(-pgid_, sig);
  } else if (pid_ > 0 && !status_) {
    ::kill(pid_, sig);
  }
}

ExitStatus Subprocess::terminate(Nanos grace) {
  if (pid_ <= 0) return status_.value_or(ExitStatus{});
  if (!poll()) {
    // A stopped process (SIGSTOP, a debugger detached) only sees SIGTERM once continued.
    // SIGCONT first: sent after SIGTERM, it could reach a process already exiting and discard
    // the SIGSTOP of a ptrace attach made meanwhile (LeakSanitizer's exit check attaches to
    // the app's own threads), and the app then waited for that stop until SIGKILL.
    signal_group(SIGCONT);
    signal_group(SIGTERM);
    if (!wait_for(grace)) {
      signal_group(SIGKILL);
      wait_for(std::chrono::seconds(5));
    }
  }
  // The leader is gone; make sure no other member of its group survives it.
  if (pgid_ > 0) ::kill(-pgid_, SIGKILL);
  return status_.value_or(ExitStatus{});
}

bool become_subreaper() {
  return ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
}

int kill_remaining_children(const SysRoots& roots) {
  const ProcReader proc(roots.proc);
  const pid_t self = ::getpid();
  int killed = 0;
  for (int pid : proc.list_pids()) {
    std::optional<ProcStat> st;
    try {
      st = proc.read_stat(pid);
    } catch (const std::exception&) {
      continue;  // unreadable or malformed: not something we can tell is ours
    }
    if (!st || st->ppid != self) continue;
    if (st->state != 'Z') {
      ::kill(pid, SIGKILL);
      ++killed;
    }
    ::waitpid(pid, nullptr, 0);
  }
  return killed;
}

}  // namespace benchgate::platform
