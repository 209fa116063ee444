#include "platform/survivors.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "core/parse.h"
#include "platform/process_tree.h"

namespace benchgate::platform {

std::vector<ProcessKey> descendant_keys(const ProcReader& proc, int root) {
  std::vector<ProcessKey> out;
  for (int pid : descendants(proc, root)) {
    try {
      if (auto st = proc.read_stat(pid)) out.push_back({pid, st->starttime});
    } catch (const ParseError&) {
    }
  }
  return out;
}

std::string Survivor::describe() const {
  const std::string who = argv.empty() ? fmt::format("pid {}", pid)
                                       : fmt::format("pid {} ({})", pid, format_command(argv, 160));
  if (!gone) return who + " could not be stopped (still there after SIGKILL)";
  return killed ? who + " ignored SIGTERM and was killed with SIGKILL"
                : who + " was stopped with SIGTERM";
}

std::vector<Survivor> stop_descendants(const SweepOptions& o) {
  const ProcReader proc(o.roots.proc);
  const int self = static_cast<int>(::getpid());
  const std::set<ProcessKey> keep(o.keep.begin(), o.keep.end());
  const std::set<int> quiet(o.quiet_groups.begin(), o.quiet_groups.end());

  struct Tracked {
    ProcessKey key;
    std::chrono::steady_clock::time_point term_sent;
    bool killed = false;
    int report = -1;  ///< index in `out`, -1 for quiet ones
  };
  std::map<ProcessKey, Tracked> tracked;
  std::vector<Survivor> out;
  const auto start = std::chrono::steady_clock::now();
  const auto give_up = start + o.grace + o.deadline;

  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    std::set<ProcessKey> live;
    for (int pid : descendants(proc, self)) {
      std::optional<ProcStat> st;
      try {
        st = proc.read_stat(pid);
      } catch (const ParseError&) {
        continue;
      }
      if (!st) continue;
      const ProcessKey key{pid, st->starttime};
      if (keep.count(key)) continue;
      if (st->state == 'Z' || st->state == 'X') {
        // Exited; ours to reap when it is our child (re-parented orphans are).
        if (st->ppid == self) ::waitpid(pid, nullptr, WNOHANG);
        continue;
      }
      live.insert(key);
      auto it = tracked.find(key);
      if (it == tracked.end()) {
        Tracked t{key, now, false, -1};
        if (!quiet.count(st->pgrp)) {
          Survivor s;
          s.pid = pid;
          try {
            if (auto argv = proc.read_cmdline(pid)) s.argv = std::move(*argv);
          } catch (...) {
          }
          t.report = static_cast<int>(out.size());
          out.push_back(std::move(s));
        }
        // A stopped process only acts on SIGTERM once continued; SIGCONT first, as in
        // Subprocess::terminate (a late SIGCONT discards a pending ptrace-attach SIGSTOP).
        ::kill(pid, SIGCONT);
        ::kill(pid, SIGTERM);
        tracked.emplace(key, t);
      } else if (!it->second.killed && now - it->second.term_sent >= o.grace) {
        ::kill(pid, SIGKILL);
        it->second.killed = true;
        if (it->second.report >= 0) out[static_cast<std::size_t>(it->second.report)].killed = true;
      }
    }
    for (auto& [key, t] : tracked) {
      if (t.report >= 0 && !live.count(key)) out[static_cast<std::size_t>(t.report)].gone = true;
    }
    if (live.empty() || now >= give_up) break;
    // Polling the process table: there is no fd to wait on for processes that are not our
    // children (a pidfd per survivor would not show the ones that appear meanwhile).
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return out;
}

}  // namespace benchgate::platform
