#include "monitor/sampler.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "core/parse.h"
#include "platform/process_tree.h"

namespace benchgate::monitor {

using platform::ProcFile;

struct TrackedProcess::Files {
  ProcFile stat;
  ProcFile status;
  int task_dir = -1;
  struct Thread {
    int tid = 0;
    ProcFile stat;      // opened only for multi-threaded processes
    ProcFile children;  // task/<tid>/children
    std::uint64_t seen_pass = 0;
  };
  std::vector<Thread> threads;  // ascending tid

  Files() = default;
  Files(const Files&) = delete;
  Files& operator=(const Files&) = delete;
  ~Files() {
    if (task_dir >= 0) ::close(task_dir);
  }
};

TrackedProcess::TrackedProcess() = default;
TrackedProcess::~TrackedProcess() = default;
TrackedProcess::TrackedProcess(TrackedProcess&&) noexcept = default;
TrackedProcess& TrackedProcess::operator=(TrackedProcess&&) noexcept = default;

namespace {

bool is_gone_state(const platform::ProcStat& s) {
  // A zombie (or dead) leader whose other threads are gone: the process has exited. A zombie
  // leader with live threads (the main thread called pthread_exit) is still running.
  return (s.state == 'Z' || s.state == 'X') && s.num_threads <= 1;
}

}  // namespace

Sampler::Sampler(std::string proc_root)
    : reader_(std::move(proc_root)), ticks_(platform::ProcReader::clock_ticks()) {
  dents_.resize(16384);
}

Sampler::~Sampler() = default;

void Sampler::add_root(int pid, int instance) {
  roots_.push_back({pid, instance});
}

TrackedProcess* Sampler::track(int pid, int instance) {
  if (auto it = live_.find(pid); it != live_.end()) return it->second;
  auto files = std::make_unique<TrackedProcess::Files>();
  files->stat = ProcFile(reader_.path(pid, "stat"));
  if (!files->stat.is_open()) return nullptr;
  auto text = files->stat.read();
  if (!text || text->empty()) return nullptr;
  try {
    platform::parse_proc_stat(*text, stat_);
  } catch (const ParseError&) {
    return nullptr;
  }
  files->status = ProcFile(reader_.path(pid, "status"));
  auto p = std::make_unique<TrackedProcess>();
  p->pid = pid;
  p->ppid = stat_.ppid;
  p->instance = instance;
  p->comm = stat_.comm;
  p->starttime = stat_.starttime;
  p->first_seen_pass = pass_;
  p->files = std::move(files);
  TrackedProcess* raw = p.get();
  procs_.push_back(std::move(p));
  live_[pid] = raw;
  return raw;
}

bool Sampler::read_process(TrackedProcess& p) {
  auto exited = [&] {
    p.alive = false;
    p.rss = 0;
    p.threads = 0;
    p.threads_running = 0;
    p.files.reset();  // closes every fd
    live_.erase(p.pid);
    return false;
  };
  // An empty read never happens on a real /proc; a fake tree truncates files to say "gone".
  auto text = p.files->stat.read();
  if (!text || text->empty()) return exited();
  try {
    platform::parse_proc_stat(*text, stat_);
  } catch (const ParseError&) {
    return true;  // keep the previous values for this pass
  }
  // Cumulative counters only grow; keep them monotonic whatever a racy read says.
  p.utime = std::max(p.utime, stat_.utime);
  p.stime = std::max(p.stime, stat_.stime);
  p.ppid = stat_.ppid;
  if (p.comm != stat_.comm) p.comm = stat_.comm;
  if (is_gone_state(stat_)) return exited();

  if (auto st = p.files->status.read(); st && !st->empty()) {
    try {
      platform::parse_proc_status(*st, status_);
      p.rss = status_.vm_rss;
      p.hwm = std::max(p.hwm, status_.vm_hwm);
    } catch (const ParseError&) {
    }
  }
  if (stat_.num_threads <= 1) {
    // Single-threaded: the process line is the thread's; no need to list task/.
    auto& th = p.files->threads;
    if (th.size() != 1 || th[0].tid != p.pid) {
      th.clear();
      th.emplace_back();
      th[0].tid = p.pid;
    }
    th[0].seen_pass = pass_;
    p.threads = 1;
    p.threads_running = stat_.state == 'R' ? 1 : 0;
  } else {
    read_threads(p);
  }
  read_children(p);
  return true;
}

void Sampler::read_threads(TrackedProcess& p) {
  auto& f = *p.files;
  if (f.task_dir < 0) {
    f.task_dir = ::open(reader_.path(p.pid, "task").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (f.task_dir < 0) return;
  }
  ::lseek(f.task_dir, 0, SEEK_SET);
  tids_.clear();
  for (;;) {
    const ssize_t n = ::getdents64(f.task_dir, dents_.data(), dents_.size());
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* d = reinterpret_cast<const dirent64*>(dents_.data() + off);
      off += d->d_reclen;
      const std::string_view name(d->d_name);
      int tid = 0;
      auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), tid);
      if (ec == std::errc() && ptr == name.data() + name.size() && tid > 0) tids_.push_back(tid);
    }
  }
  std::sort(tids_.begin(), tids_.end());
  for (int tid : tids_) {
    auto it = std::lower_bound(f.threads.begin(), f.threads.end(), tid,
                               [](const auto& t, int id) { return t.tid < id; });
    if (it == f.threads.end() || it->tid != tid) {
      it = f.threads.emplace(it);
      it->tid = tid;
    }
    if (!it->stat.is_open()) it->stat = ProcFile(reader_.task_path(p.pid, tid, "stat"));
    it->seen_pass = pass_;
  }
  std::erase_if(f.threads, [&](const auto& t) { return t.seen_pass != pass_; });

  int count = 0, running = 0;
  for (auto& t : f.threads) {
    auto text = t.stat.read();
    if (!text || text->empty()) continue;  // exited since the listing
    try {
      platform::parse_proc_stat(*text, stat_);
    } catch (const ParseError&) {
      continue;
    }
    if (stat_.state == 'Z' || stat_.state == 'X') continue;
    ++count;
    if (stat_.state == 'R') ++running;
  }
  p.threads = count;
  p.threads_running = running;
}

void Sampler::read_children(TrackedProcess& p) {
  if (!scan_mode_) {
    for (auto& t : p.files->threads) {
      if (!t.children.is_open() && t.children.error() == 0) {
        t.children = ProcFile(reader_.task_path(p.pid, t.tid, "children"));
      }
      if (!t.children.is_open()) {
        // No children file although the thread exists: the kernel lacks them.
        if (t.children.error() == ENOENT && (t.tid == p.pid || t.stat.is_open())) {
          scan_mode_ = true;
          parents_ = platform::scan_parents(reader_);
          break;
        }
        continue;
      }
      auto text = t.children.read();
      if (!text) continue;
      kids_.clear();
      try {
        platform::parse_children(*text, kids_);
      } catch (const ParseError&) {
        continue;
      }
      for (int k : kids_)
        queue_.push_back({k, p.instance});
    }
    if (!scan_mode_) return;
  }
  for (const auto& [pid, ppid] : parents_) {
    if (ppid == p.pid) queue_.push_back({pid, p.instance});
  }
}

void Sampler::sample() {
  ++pass_;
  if (scan_mode_) parents_ = platform::scan_parents(reader_);
  queue_.clear();
  for (const auto& r : roots_) {
    if (!r.used) queue_.push_back({r.pid, r.instance});
  }
  for (const auto& [pid, p] : live_)
    queue_.push_back({pid, p->instance});
  // queue_ grows while we walk it: children are appended behind their parents.
  for (std::size_t i = 0; i < queue_.size(); ++i) {
    const Pending item = queue_[i];
    auto& seen = visited_[item.pid];
    if (seen == pass_) continue;
    seen = pass_;
    TrackedProcess* p = track(item.pid, item.instance);
    if (!p) continue;
    for (auto& r : roots_) {
      if (r.pid == item.pid) r.used = true;
    }
    read_process(*p);
  }

  if (!sys_file_.is_open() && sys_file_.error() == 0)
    sys_file_ = ProcFile(reader_.root() + "/stat");
  if (auto text = sys_file_.read()) {
    try {
      platform::parse_system_stat(*text, sys_);
    } catch (const ParseError&) {
    }
  }
}

}  // namespace benchgate::monitor
