#include "platform/process_tree.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/parse.h"

namespace benchgate::platform {

std::optional<std::vector<int>> children_of(const ProcReader& proc, int pid) {
  std::vector<int> out;
  for (int tid : proc.list_tids(pid)) {
    auto kids = proc.read_children(pid, tid);
    if (!kids) {
      // A thread that exited between listing and reading is fine; a live thread without a
      // children file means the kernel does not provide them.
      if (proc.read_task_stat(pid, tid)) return std::nullopt;
      continue;
    }
    out.insert(out.end(), kids->begin(), kids->end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::pair<int, int>> scan_parents(const ProcReader& proc) {
  std::vector<std::pair<int, int>> out;
  for (int pid : proc.list_pids()) {
    try {
      if (auto st = proc.read_stat(pid)) out.emplace_back(pid, st->ppid);
    } catch (const ParseError&) {
      // A half-written or foreign entry: not a process we can place in the tree.
    }
  }
  return out;
}

std::vector<int> descendants_from_parents(const std::vector<std::pair<int, int>>& parents,
                                          int root) {
  std::multimap<int, int> by_parent;
  for (const auto& [pid, ppid] : parents)
    by_parent.emplace(ppid, pid);
  std::set<int> seen{root};
  std::vector<int> queue{root};
  std::vector<int> out;
  while (!queue.empty()) {
    const int p = queue.back();
    queue.pop_back();
    auto [lo, hi] = by_parent.equal_range(p);
    for (auto it = lo; it != hi; ++it) {
      if (seen.insert(it->second).second) {
        out.push_back(it->second);
        queue.push_back(it->second);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> descendants(const ProcReader& proc, int root) {
  std::set<int> seen{root};
  std::vector<int> queue{root};
  std::vector<int> out;
  while (!queue.empty()) {
    const int p = queue.back();
    queue.pop_back();
    auto kids = children_of(proc, p);
    if (!kids) return descendants_from_parents(scan_parents(proc), root);
    for (int k : *kids) {
      if (seen.insert(k).second) {
        out.push_back(k);
        queue.push_back(k);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace benchgate::platform
