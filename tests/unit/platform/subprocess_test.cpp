// Subprocess against the real OS: /bin/sh children, process groups, logs, affinity, RAII.

#include "platform/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "platform/proc.h"
#include "platform/process_tree.h"
#include "platform/signals.h"
#include "platform/sysinfo.h"
#include "test_support.h"

namespace benchgate::platform {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

Subprocess sh(const std::string& script, SpawnOptions o = {}) {
  o.argv = {"/bin/sh", "-c", script};
  return Subprocess::spawn(o);
}

// Running (or runnable/sleeping): exists and is not a zombie waiting for someone to reap it.
bool alive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  auto st = ProcReader().read_stat(pid);
  return st && st->state != 'Z' && st->state != 'X';
}

// SIGKILL is delivered asynchronously: give the kernel a moment to finish the job.
bool gone_within(pid_t pid, milliseconds limit = milliseconds(2000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (alive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

// Waits until `pid` has exactly `n` descendants that have exec'd `comm`.
std::vector<int> wait_descendants(pid_t pid, std::size_t n, const std::string& comm = "sleep") {
  ProcReader proc;
  for (int i = 0; i < 1000; ++i) {
    std::vector<int> found;
    for (int d : descendants(proc, pid)) {
      auto st = proc.read_stat(d);
      if (st && st->comm == comm) found.push_back(d);
    }
    if (found.size() >= n) return found;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return {};
}

std::string log_of(const fs::path& p) {
  return read_file(p);
}

TEST(Subprocess, OwnProcessGroup) {
  auto p = sh("sleep 30");
  ASSERT_TRUE(p.valid());
  EXPECT_EQ(p.pgid(), p.pid());
  EXPECT_EQ(::getpgid(p.pid()), p.pid());
  EXPECT_NE(::getpgid(p.pid()), ::getpgrp());
  EXPECT_FALSE(p.poll().has_value());

  SpawnOptions same;
  same.new_process_group = false;
  auto q = sh("sleep 30", same);
  EXPECT_EQ(::getpgid(q.pid()), ::getpgrp());
  EXPECT_EQ(q.pgid(), -1);
}

TEST(Subprocess, EnvironmentOverridesAndInherits) {
  TempDir dir("subprocess-test");
  ::setenv("BENCHGATE_TEST_INHERITED", "from-parent", 1);
  ::setenv("BENCHGATE_TEST_OVERRIDDEN", "old", 1);
  SpawnOptions o;
  o.stdout_path = dir.path() / "out.log";
  o.env = {{"BENCHGATE_TEST_OVERRIDDEN", "new"}, {"BENCHGATE_TEST_ADDED", "a b=c"}};
  auto p =
      sh("echo \"$BENCHGATE_TEST_INHERITED|$BENCHGATE_TEST_OVERRIDDEN|$BENCHGATE_TEST_ADDED\"", o);
  EXPECT_TRUE(p.wait().success());
  EXPECT_EQ(log_of(o.stdout_path), "from-parent|new|a b=c\n");
  ::unsetenv("BENCHGATE_TEST_INHERITED");
  ::unsetenv("BENCHGATE_TEST_OVERRIDDEN");
}

TEST(Subprocess, WorkingFolder) {
  TempDir dir("subprocess-test");
  SpawnOptions o;
  o.cwd = dir.path();
  o.stdout_path = dir.path() / "pwd.log";
  auto p = sh("pwd -P", o);
  EXPECT_TRUE(p.wait().success());
  EXPECT_EQ(log_of(o.stdout_path), fs::canonical(dir.path()).string() + "\n");
}

TEST(Subprocess, RelativeExecutableResolvedInWorkingFolder) {
  // `--cwd DIR --app ./server`: "./server" is relative to DIR, not to benchgate's folder.
  TempDir dir("subprocess-test");
  const auto script = dir.path() / "run.sh";
  { std::ofstream(script) << "#!/bin/sh\necho ran in $(pwd -P)\n"; }
  fs::permissions(script, fs::perms::owner_all);
  SpawnOptions o;
  o.argv = {"./run.sh"};
  o.cwd = dir.path();
  o.stdout_path = dir.path() / "run.log";
  auto p = Subprocess::spawn(o);
  EXPECT_TRUE(p.wait().success());
  EXPECT_EQ(log_of(o.stdout_path), "ran in " + fs::canonical(dir.path()).string() + "\n");
}

TEST(Subprocess, StdoutAndStderrToLogs) {
  TempDir dir("subprocess-test");
  SpawnOptions o;
  o.stdout_path = dir.path() / "logs/both.log";  // parent folder created
  auto p = sh("echo out; echo err >&2", o);
  EXPECT_TRUE(p.wait().success());
  EXPECT_EQ(log_of(o.stdout_path), "out\nerr\n");

  // Truncated by default, appended on request.
  auto q = sh("echo again", o);
  q.wait();
  EXPECT_EQ(log_of(o.stdout_path), "again\n");
  o.append = true;
  auto r = sh("echo more", o);
  r.wait();
  EXPECT_EQ(log_of(o.stdout_path), "again\nmore\n");

  SpawnOptions split;
  split.stdout_path = dir.path() / "out.log";
  split.stderr_path = dir.path() / "err.log";
  auto s = sh("echo out; echo err >&2", split);
  s.wait();
  EXPECT_EQ(log_of(split.stdout_path), "out\n");
  EXPECT_EQ(log_of(split.stderr_path), "err\n");
}

TEST(Subprocess, UnopenableLogIsARunError) {
  SpawnOptions o;
  o.stdout_path = "/proc/version/cannot/log";
  EXPECT_THROW(sh("true", o), RunError);
}

TEST(Subprocess, CpuAffinityAppliedToChildOnly) {
  const auto avail = available_cpus();
  ASSERT_FALSE(avail.empty());
  TempDir dir("subprocess-test");
  SpawnOptions o;
  o.cpus = {avail.back()};
  o.stdout_path = dir.path() / "cpus.log";
  auto p = sh("grep Cpus_allowed_list /proc/self/status", o);
  EXPECT_TRUE(p.wait().success());
  EXPECT_EQ(log_of(o.stdout_path), "Cpus_allowed_list:\t" + std::to_string(avail.back()) + "\n");
  EXPECT_EQ(available_cpus(), avail);  // the spawning thread's mask is restored

  o.cpus = {4095};
  EXPECT_THROW(sh("true", o), RunError);
  EXPECT_EQ(available_cpus(), avail);
}

TEST(Subprocess, MissingExecutableNamesIt) {
  SpawnOptions o;
  o.argv = {"benchgate-no-such-program", "--flag"};
  try {
    Subprocess::spawn(o);
    FAIL() << "expected RunError";
  } catch (const RunError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot start 'benchgate-no-such-program': not found on PATH");
  }
  o.argv = {"/nonexistent/server"};
  try {
    Subprocess::spawn(o);
    FAIL() << "expected RunError";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("'/nonexistent/server'"), std::string::npos) << e.what();
  }
  TempDir dir("subprocess-test");
  const auto plain = dir.path() / "not-executable";
  { std::ofstream(plain) << "#!/bin/sh\n"; }
  fs::permissions(plain, fs::perms::owner_read | fs::perms::owner_write);
  o.argv = {plain.string()};
  try {
    Subprocess::spawn(o);
    FAIL() << "expected RunError";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("not executable"), std::string::npos) << e.what();
  }
  o.argv = {"/bin/true"};
  o.cwd = dir.path() / "missing";
  EXPECT_THROW(Subprocess::spawn(o), RunError);
  EXPECT_THROW(Subprocess::spawn(SpawnOptions{}), RunError);
}

TEST(ExitStatus, Describe) {
  EXPECT_EQ(sh("exit 3").wait().describe(), "exited with status 3");
  EXPECT_TRUE(sh("exit 0").wait().success());
  EXPECT_FALSE(sh("exit 3").wait().success());
  EXPECT_EQ(sh("kill -TERM $$; sleep 5").wait().describe(), "terminated by SIGTERM");
  EXPECT_EQ(sh("ulimit -c 0; kill -SEGV $$; sleep 5").wait().describe(), "killed by SIGSEGV");
  EXPECT_EQ(sh("kill -KILL $$").wait().describe(), "killed by SIGKILL");

  // Synthetic wait statuses (Linux encoding): exit code in bits 8-15; signal in bits 0-6;
  // core flag 0x80.
  EXPECT_EQ(ExitStatus::from_wait_status(0x0300).describe(), "exited with status 3");
  EXPECT_EQ(ExitStatus::from_wait_status(SIGSEGV | 0x80).describe(),
            "killed by SIGSEGV (core dumped)");
  EXPECT_EQ(ExitStatus::from_wait_status(SIGINT).describe(), "terminated by SIGINT");
  EXPECT_EQ(signal_name(SIGHUP), "SIGHUP");
}

TEST(Subprocess, CpuTimeFromWait4) {
  // A shell loop that burns a few hundred ms of CPU.
  auto p = sh("i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done");
  const auto t0 = std::chrono::steady_clock::now();
  auto st = p.wait();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(st.success());
  EXPECT_GT(st.user_cpu_s + st.sys_cpu_s, 0.05);
  EXPECT_LE(st.user_cpu_s + st.sys_cpu_s, wall + 0.02);
}

TEST(Subprocess, WaitForMeasuresItsTimeoutOnTheInjectedClock) {
  // A FakeClock given at spawn owns wait_for's and terminate's deadlines: an hour passes on it
  // at once, while the process (really running) is looked at without blocking.
  FakeClock clock;
  SpawnOptions o;
  o.clock = &clock;
  auto p = sh("sleep 30", o);
  const Nanos t0 = clock.now();
  EXPECT_FALSE(p.wait_for(std::chrono::hours(1)).has_value());
  EXPECT_GE(clock.now() - t0, std::chrono::hours(1));
  EXPECT_GE(clock.waits(), 1);
  EXPECT_FALSE(p.poll().has_value());  // still running: the hour was the clock's
  p.signal_group(SIGKILL);
  for (int i = 0; i < 5000 && !p.poll(); ++i)  // a readiness poll for the kernel's reaping
    std::this_thread::sleep_for(milliseconds(1));
  ASSERT_TRUE(p.status().has_value());
  EXPECT_EQ(p.status()->describe(), "killed by SIGKILL");
}

TEST(Subprocess, PollAndWaitFor) {
  auto p = sh("sleep 0.2; exit 4");
  EXPECT_FALSE(p.poll().has_value());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(p.wait_for(milliseconds(20)).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(20));
  auto st = p.wait_for(seconds(5));
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->code, 4);
  EXPECT_EQ(p.status()->code, 4);
  EXPECT_EQ(p.poll()->code, 4);  // stays known

  CancelToken cancel;
  auto q = sh("sleep 30");
  cancel.cancel();
  const auto t1 = std::chrono::steady_clock::now();
  EXPECT_FALSE(q.wait_for(seconds(10), &cancel).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - t1, seconds(1));
}

TEST(Subprocess, TerminateEscalatesWhenTermIsIgnored) {
  // The shell and its sleeps ignore SIGTERM (SIG_IGN is inherited across exec).
  auto p = sh("trap '' TERM; sleep 30 & sleep 30 & wait; sleep 30");
  const auto kids = wait_descendants(p.pid(), 2);
  ASSERT_EQ(kids.size(), 2u);
  const auto t0 = std::chrono::steady_clock::now();
  auto st = p.terminate(milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(st.describe(), "killed by SIGKILL");
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, milliseconds(300 + 700));
  EXPECT_FALSE(alive(p.pid()));
  for (int k : kids)
    EXPECT_TRUE(gone_within(k)) << "grandchild " << k << " survived";
  EXPECT_EQ(p.terminate().describe(), "killed by SIGKILL");  // idempotent
}

TEST(Subprocess, TerminateIsQuickWhenTermIsHonoured) {
  auto p = sh("sleep 30");
  wait_descendants(p.pid(), 0);
  const auto t0 = std::chrono::steady_clock::now();
  auto st = p.terminate(seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(1));
  EXPECT_EQ(st.describe(), "terminated by SIGTERM");
}

TEST(Subprocess, TerminateWakesAStoppedProcess) {
  auto p = sh("kill -STOP $$; sleep 30");
  ProcReader proc;
  for (int i = 0; i < 500; ++i) {
    auto s = proc.read_stat(p.pid());
    if (s && s->state == 'T') break;
    std::this_thread::sleep_for(milliseconds(2));
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto st = p.terminate(seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(1));  // did not wait the full grace
  EXPECT_EQ(st.describe(), "terminated by SIGTERM");
}

TEST(Subprocess, DestructorLeavesNothingBehind) {
  std::vector<int> pids;
  {
    auto p = sh("trap '' TERM; sleep 30 & sleep 30 & wait");
    pids = wait_descendants(p.pid(), 2);
    ASSERT_EQ(pids.size(), 2u);
    pids.push_back(p.pid());
  }
  // The leader is reaped by the destructor: its pid no longer exists at all.
  EXPECT_EQ(::kill(pids.back(), 0), -1);
  EXPECT_EQ(errno, ESRCH);
  for (int pid : pids)
    EXPECT_TRUE(gone_within(pid)) << pid;
}

TEST(Subprocess, MoveTransfersOwnership) {
  auto a = sh("sleep 30");
  const pid_t pid = a.pid();
  Subprocess b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.pid(), pid);
  EXPECT_TRUE(alive(pid));
  b = sh("sleep 30");  // the old process is terminated by the assignment
  EXPECT_FALSE(alive(pid));
}

TEST(Subprocess, RegisteredGroupsAreKilled) {
  auto p = sh("sleep 30 & wait");
  const auto kids = wait_descendants(p.pid(), 1);
  ASSERT_EQ(kids.size(), 1u);
  kill_registered_groups();
  EXPECT_EQ(p.wait().describe(), "killed by SIGKILL");
  EXPECT_TRUE(gone_within(kids[0]));
}

TEST(Subreaper, KillsDoubleForkedDaemon) {
  // The app double-forks and setsid()s a daemon, then exits: the daemon leaves the app's
  // process group, so terminate() cannot reach it; as subreaper we inherit it and kill it.
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  const int status = testing::in_child([&]() -> int {
    ::close(pipefd[0]);
    if (!become_subreaper()) return 10;
    auto app = sh("(setsid sleep 30 &); exit 0");
    if (!app.wait().success()) return 11;
    // Find the orphan: re-parented to us, in a session of its own.
    ProcReader proc;
    int daemon = 0;
    for (int i = 0; i < 1000 && daemon == 0; ++i) {
      for (int pid : proc.list_pids()) {
        auto st = proc.read_stat(pid);
        if (st && st->ppid == ::getpid() && st->comm == "sleep") daemon = pid;
      }
      if (daemon == 0) std::this_thread::sleep_for(milliseconds(2));
    }
    if (daemon == 0) return 12;
    if (proc.read_stat(daemon)->session != daemon) return 13;  // setsid worked
    app.terminate();
    if (!alive(daemon)) return 14;  // escaped the group kill, as expected
    if (::write(pipefd[1], &daemon, sizeof daemon) != sizeof daemon) return 15;
    if (kill_remaining_children() < 1) return 16;
    if (::kill(daemon, 0) == 0 || errno != ESRCH) return 17;  // killed and reaped
    return 0;
  });
  ::close(pipefd[1]);
  int daemon = 0;
  const bool got = ::read(pipefd[0], &daemon, sizeof daemon) == sizeof daemon;
  ::close(pipefd[0]);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "step that failed (see test)";
  ASSERT_TRUE(got);
  EXPECT_TRUE(gone_within(daemon));
}

TEST(SignalGuard, FirstSignalSetsTheToken) {
  struct sigaction before {};
  ::sigaction(SIGINT, nullptr, &before);
  {
    CancelToken token;
    SignalGuard guard(token);
    EXPECT_FALSE(token.cancelled());
    ::raise(SIGINT);
    EXPECT_TRUE(token.cancelled());
    EXPECT_EQ(token.signal_number(), SIGINT);
    EXPECT_TRUE(token.wait(0));
  }
  struct sigaction after {};
  ::sigaction(SIGINT, nullptr, &after);
  EXPECT_EQ(after.sa_handler, before.sa_handler);  // restored

  CancelToken token2;
  SignalGuard guard2(token2);  // a new guard starts counting again
  ::raise(SIGTERM);
  EXPECT_TRUE(token2.cancelled());
  EXPECT_EQ(token2.signal_number(), SIGTERM);
}

TEST(SignalGuard, SecondSignalKillsGroupsAndExits130) {
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  const int status = testing::in_child([&]() -> int {
    ::close(pipefd[0]);
    CancelToken token;
    SignalGuard guard(token);
    auto app = sh("sleep 30 & sleep 30 & wait");
    auto kids = wait_descendants(app.pid(), 2);
    if (kids.size() != 2) return 20;
    int pids[3] = {app.pid(), kids[0], kids[1]};
    if (::write(pipefd[1], pids, sizeof pids) != sizeof pids) return 21;
    ::raise(SIGINT);
    if (!token.cancelled()) return 22;
    ::raise(SIGTERM);  // second signal: never returns
    return 23;
  });
  ::close(pipefd[1]);
  int pids[3] = {};
  const bool got = ::read(pipefd[0], pids, sizeof pids) == sizeof pids;
  ::close(pipefd[0]);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 130);
  ASSERT_TRUE(got);
  for (int pid : pids)
    EXPECT_TRUE(gone_within(pid)) << pid;
}

}  // namespace
}  // namespace benchgate::platform
