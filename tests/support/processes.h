#pragma once
// Finding the processes a test started (or left behind), through the project's own /proc
// reader: tests parse /proc one way, the way the code under test does. Header-only; for test
// targets that link benchgate_platform (unit tests of platform and up, the integration tests).

#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "platform/proc.h"
#include "platform/process_tree.h"

namespace benchgate::testing {

/// True while `pid` exists and is neither a zombie nor dead.
inline bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  const auto st = platform::ProcReader().read_stat(pid);
  return st && st->state != 'Z' && st->state != 'X';
}

/// Live processes (zombies left out) whose argument vector satisfies `pred`, ascending by pid;
/// this test process is never one of them.
template <class Pred>
std::vector<pid_t> live_processes_where(Pred pred) {
  const platform::ProcReader proc;
  std::vector<pid_t> out;
  for (int pid : proc.list_pids()) {
    if (pid == ::getpid()) continue;
    const auto argv = proc.read_cmdline(pid);
    if (argv && pred(*argv) && process_alive(pid)) out.push_back(pid);
  }
  return out;
}

/// Live processes that have `arg` as one whole argument.
inline std::vector<pid_t> processes_with_arg(const std::string& arg) {
  return live_processes_where([&](const std::vector<std::string>& argv) {
    for (const auto& a : argv)
      if (a == arg) return true;
    return false;
  });
}

/// Live processes with the two arguments `a` `b` next to each other (e.g. "--port", "8080").
inline std::vector<pid_t> processes_with_args(const std::string& a, const std::string& b) {
  return live_processes_where([&](const std::vector<std::string>& argv) {
    for (std::size_t i = 0; i + 1 < argv.size(); ++i)
      if (argv[i] == a && argv[i + 1] == b) return true;
    return false;
  });
}

/// Live processes whose command line (arguments joined by spaces) contains `needle`.
inline std::vector<pid_t> processes_with(const std::string& needle) {
  return live_processes_where([&](const std::vector<std::string>& argv) {
    std::string cmd;
    for (const auto& a : argv)
      cmd += (cmd.empty() ? "" : " ") + a;
    return cmd.find(needle) != std::string::npos;
  });
}

/// Live direct children of `parent`, ascending.
inline std::vector<pid_t> live_children(pid_t parent) {
  const platform::ProcReader proc;
  std::vector<int> kids;
  if (auto c = platform::children_of(proc, parent)) {
    kids = std::move(*c);
  } else {  // no children files in this kernel: the ppid links
    for (auto [pid, ppid] : platform::scan_parents(proc))
      if (ppid == parent) kids.push_back(pid);
  }
  std::vector<pid_t> out;
  for (int pid : kids)
    if (process_alive(pid)) out.push_back(pid);
  return out;
}

/// Every descendant of `root` (not `root` itself), ascending.
inline std::vector<pid_t> descendants(pid_t root) {
  return platform::descendants(platform::ProcReader(), root);
}

}  // namespace benchgate::testing
