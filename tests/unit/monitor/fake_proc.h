#pragma once
// A fake /proc tree in a temporary folder for monitor tests. Files are rewritten in place
// (truncate + write, same inode), so the monitor's open fds see the new content on their next
// pread, as with the real /proc. A reaped process is an empty stat file (the sampler's "gone").

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "platform/fs.h"

namespace benchgate::monitor::testing {

struct FakeThread {
  int tid = 0;
  char state = 'S';
  std::vector<int> children;
};

struct FakeProcess {
  int pid = 0;
  int ppid = 1;
  std::string comm = "app";
  char state = 'S';
  std::uint64_t utime = 0, stime = 0;  // ticks
  std::int64_t rss_kb = 0;
  std::int64_t hwm_kb = -1;  // -1: same as rss_kb
  std::uint64_t starttime = 1000;
  std::vector<int> children;        // of the main thread (single-threaded processes)
  std::vector<FakeThread> threads;  // empty: one thread, tid == pid, state == state
};

struct FakeCpu {
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                steal = 0;
};

class FakeProc {
 public:
  FakeProc() { set_system({FakeCpu{}, FakeCpu{}}, 1); }
  std::string root() const { return dir_.path().string(); }
  std::filesystem::path path() const { return dir_.path(); }

  void set(const FakeProcess& p) {
    const auto base = dir_.path() / std::to_string(p.pid);
    std::vector<FakeThread> threads = p.threads;
    if (threads.empty()) threads.push_back({p.pid, p.state, p.children});
    const bool zombie = p.state == 'Z';
    write(base / "stat", stat_line(p.pid, p, p.state, threads.size()));
    std::string status = fmt::format("Name:\t{}\nUmask:\t0022\nState:\t{} (x)\nPPid:\t{}\n", p.comm,
                                     p.state, p.ppid);
    if (!zombie) {
      status += fmt::format("VmHWM:\t{:8} kB\nVmRSS:\t{:8} kB\n",
                            p.hwm_kb < 0 ? p.rss_kb : p.hwm_kb, p.rss_kb);
    }
    status += fmt::format("Threads:\t{}\n", threads.size());
    write(base / "status", status);
    for (const auto& t : threads) {
      const auto task = base / "task" / std::to_string(t.tid);
      write(task / "stat", stat_line(t.tid, p, t.state, threads.size()));
      std::string kids;
      for (int k : t.children)
        kids += fmt::format("{} ", k);
      write(task / "children", kids);
    }
  }

  /// The thread's folder disappears (it exited).
  void remove_thread(int pid, int tid) {
    std::filesystem::remove_all(dir_.path() / std::to_string(pid) / "task" / std::to_string(tid));
  }

  /// Reaped: stat reads empty from now on, for open fds too.
  void reap(int pid) {
    const auto base = dir_.path() / std::to_string(pid);
    write(base / "stat", "");
    write(base / "status", "");
  }

  void set_system(const std::vector<FakeCpu>& cpus, int procs_running) {
    FakeCpu total;
    for (const auto& c : cpus) {
      total.user += c.user;
      total.nice += c.nice;
      total.system += c.system;
      total.idle += c.idle;
      total.iowait += c.iowait;
      total.irq += c.irq;
      total.softirq += c.softirq;
      total.steal += c.steal;
    }
    auto line = [](const std::string& name, const FakeCpu& c) {
      return fmt::format("{} {} {} {} {} {} {} {} {} 0 0\n", name, c.user, c.nice, c.system, c.idle,
                         c.iowait, c.irq, c.softirq, c.steal);
    };
    std::string text = line("cpu ", total);
    for (std::size_t i = 0; i < cpus.size(); ++i)
      text += line(fmt::format("cpu{}", i), cpus[i]);
    text += fmt::format(
        "intr 1 0 0\nctxt 100\nbtime 1700000000\nprocesses 500\n"
        "procs_running {}\nprocs_blocked 0\n",
        procs_running);
    write(dir_.path() / "stat", text);
    write(dir_.path() / "loadavg", fmt::format("0.10 0.20 0.30 {}/100 999\n", procs_running));
  }

  static void write(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::trunc) << text;
  }

 private:
  static std::string stat_line(int id, const FakeProcess& p, char state, std::size_t threads) {
    // proc(5) fields 1..39; rss (24) in 4 KiB pages; processor (39) = 0.
    return fmt::format(
        "{} ({}) {} {} {} {} 0 -1 4194304 0 0 0 0 {} {} 0 0 20 0 {} 0 {} 100000 {} "
        "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
        id, p.comm, state, p.ppid, p.pid, p.pid, p.utime, p.stime, threads, p.starttime,
        p.rss_kb / 4);
  }

  platform::TempDir dir_{"fakeproc"};
};

}  // namespace benchgate::monitor::testing
