// Processes an app leaves behind (stop_descendants) and the parent-death signal
// (SpawnOptions::die_with_parent), with real processes. Each test that needs process-wide
// state (the subreaper flag) or must die runs in a forked child.

#include "platform/survivors.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "core/error.h"
#include "platform/fs.h"
#include "platform/subprocess.h"
#include "test_support.h"

namespace benchgate::platform {
namespace {

using std::chrono::milliseconds;

bool alive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  auto st = ProcReader().read_stat(pid);
  return st && st->state != 'Z' && st->state != 'X';
}

bool gone_within(pid_t pid, milliseconds limit = milliseconds(3000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (alive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

// Polls until this process has a descendant that runs `sleep` with argument `arg` (not the
// `setsid` or `sh` that is about to exec it).
int wait_for_descendant(const std::string& arg) {
  ProcReader proc;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& k : descendant_keys(proc, ::getpid())) {
      auto argv = proc.read_cmdline(k.pid);
      if (argv && !argv->empty() && argv->front() == "sleep" &&
          std::find(argv->begin(), argv->end(), arg) != argv->end())
        return k.pid;
    }
    std::this_thread::sleep_for(milliseconds(2));
  }
  return 0;
}

TEST(StopDescendants, StopsAndNamesWhatEscapedTheAppsGroup) {
  const int status = testing::in_child([]() -> int {
    if (!become_subreaper()) return 10;
    SpawnOptions helper;
    helper.argv = {"sleep", "30.1"};
    auto kept = Subprocess::spawn(helper);  // started before the app: not the app's
    const auto keep = descendant_keys(ProcReader(), ::getpid());
    // The app setsids away two daemons, one ignoring SIGTERM, and exits.
    SpawnOptions app;
    app.argv = {"/bin/sh", "-c",
                "(setsid sh -c 'trap \"\" TERM; exec sleep 30.2' &); (setsid sleep 30.3 &); "
                "exit 0"};
    auto a = Subprocess::spawn(app);
    if (!a.wait().success()) return 11;
    const int stubborn = wait_for_descendant("30.2");
    const int polite = wait_for_descendant("30.3");
    if (stubborn == 0 || polite == 0) return 12;
    SweepOptions o;
    o.keep = keep;
    o.grace = milliseconds(300);
    const auto t0 = std::chrono::steady_clock::now();
    auto found = stop_descendants(o);
    if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(3)) return 13;
    if (found.size() != 2) return 14;
    std::sort(found.begin(), found.end(),
              [](const auto& x, const auto& y) { return x.argv < y.argv; });
    // "sh -c ..." was exec'd into sleep: both are sleeps now.
    if (found[0].pid != stubborn || found[0].argv != std::vector<std::string>{"sleep", "30.2"})
      return 15;
    if (!found[0].killed || !found[0].gone) return 16;
    if (found[0].describe() != "pid " + std::to_string(stubborn) +
                                   " (sleep 30.2) ignored SIGTERM and was killed with SIGKILL")
      return 17;
    if (found[1].pid != polite || found[1].killed || !found[1].gone) return 18;
    if (found[1].describe() !=
        "pid " + std::to_string(polite) + " (sleep 30.3) was stopped with SIGTERM")
      return 19;
    // Reaped: not even zombies are left; the helper is untouched.
    if (::kill(stubborn, 0) == 0 || ::kill(polite, 0) == 0) return 20;
    if (!alive(kept.pid())) return 21;
    // Nothing left: a second sweep finds nothing.
    if (!stop_descendants(o).empty()) return 22;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "step that failed (see test)";
}

TEST(StopDescendants, QuietGroupsAreStoppedButNotNamed) {
  const int status = testing::in_child([]() -> int {
    if (!become_subreaper()) return 10;
    SpawnOptions app;
    app.argv = {"/bin/sh", "-c", "trap '' TERM; sleep 30.4 & wait"};
    auto a = Subprocess::spawn(app);
    const int child = wait_for_descendant("30.4");
    if (child == 0) return 11;
    SweepOptions o;
    o.quiet_groups = {a.pgid()};
    o.grace = milliseconds(100);
    if (!stop_descendants(o).empty()) return 12;
    if (alive(child) || alive(a.pid())) return 13;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "step that failed (see test)";
}

TEST(DieWithParent, ChildDiesWhenItsParentIsKilled) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const int status = testing::in_child([&]() -> int {
    ::close(fds[0]);
    SpawnOptions o;
    o.argv = {"sleep", "30.5"};
    o.die_with_parent = true;
    auto p = Subprocess::spawn(o);
    const int pid = p.pid();
    if (::write(fds[1], &pid, sizeof pid) != sizeof pid) return 10;
    ::raise(SIGKILL);  // as `kill -9 benchgate`: no destructor, no handler runs
    return 11;
  });
  ::close(fds[1]);
  int pid = 0;
  const bool got = ::read(fds[0], &pid, sizeof pid) == sizeof pid;
  ::close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_TRUE(got);
  EXPECT_TRUE(gone_within(pid)) << "pid " << pid << " outlived its parent";
}

TEST(DieWithParent, SameSetUpAsPosixSpawn) {
  TempDir tmp("bg-pdeath");
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c",
            "echo out; echo err >&2; pwd; grep Cpus_allowed_list /proc/self/status; "
            "ps -o pgid= -p $$; cat"};  // cat: stdin is /dev/null, so it ends at once
  o.cwd = tmp.path();
  o.cpus = {0};
  o.stdout_path = tmp.path() / "log";
  o.die_with_parent = true;
  auto p = Subprocess::spawn(o);
  ASSERT_TRUE(p.wait_for(std::chrono::seconds(10)).has_value());
  EXPECT_TRUE(p.status()->success()) << p.status()->describe();
  const auto log = read_file(tmp.path() / "log");
  EXPECT_NE(log.find("out\nerr\n" + tmp.path().string() + "\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Cpus_allowed_list:\t0\n"), std::string::npos) << log;
  EXPECT_NE(log.find(std::to_string(p.pid())), std::string::npos) << "own group: " << log;
}

TEST(DieWithParent, ExecFailureIsARunError) {
  TempDir tmp("bg-pdeath");
  const auto bad = tmp.path() / "not-a-program";
  std::ofstream(bad) << "\x7f"
                        "ELF garbage";
  std::filesystem::permissions(bad, std::filesystem::perms::owner_all);
  SpawnOptions o;
  o.argv = {bad.string()};
  o.die_with_parent = true;
  try {
    Subprocess::spawn(o);
    FAIL() << "expected a RunError";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot start '" + bad.string() + "': Exec format error"),
              std::string::npos)
        << e.what();
  }
}

TEST(DieWithParent, SetUpFailuresSayWhichStep) {
  SpawnOptions o;
  o.argv = {"true"};
  o.die_with_parent = true;
  o.cpus = {1023};  // not on this machine: sched_setaffinity fails in the child
  for (bool fork_path : {true, false}) {
    o.die_with_parent = fork_path;
    try {
      Subprocess::spawn(o);
      ADD_FAILURE() << "expected a RunError";
    } catch (const RunError& e) {
      EXPECT_EQ(std::string(e.what()), "cannot pin to CPUs 1023: Invalid argument")
          << (fork_path ? "fork + exec" : "posix_spawn");
    }
  }
}

TEST(DieWithParent, RefusedOffTheMainThread) {
  SpawnOptions o;
  o.argv = {"true"};
  o.die_with_parent = true;
  bool refused = false;
  std::thread t([&] {
    try {
      Subprocess::spawn(o);
    } catch (const InternalError&) {
      refused = true;
    }
  });
  t.join();
  EXPECT_TRUE(refused);
}

}  // namespace
}  // namespace benchgate::platform
