#pragma once
// Process-tree discovery under an injectable /proc root: every descendant of a root pid
// (a cluster master's workers, their helpers, …). Children are read from each thread's
// task/<tid>/children file (a child's parent is the thread that forked it, so every thread
// counts); where those files do not exist (kernels without CONFIG_PROC_CHILDREN) the whole
// table is scanned for ppid links instead.

#include <optional>
#include <utility>
#include <vector>

#include "platform/proc.h"

namespace benchgate::platform {

/// Direct children of `pid`: the union of its threads' children files, ascending. Empty when
/// the process is gone; nullopt when the kernel has no children files.
std::optional<std::vector<int>> children_of(const ProcReader& proc, int pid);

/// (pid, ppid) of every process under the root, from <root>/<pid>/stat, ascending by pid.
std::vector<std::pair<int, int>> scan_parents(const ProcReader& proc);

/// Every descendant of `root` (not `root` itself), ascending. Empty when `root` is gone or has
/// no children. Processes that were re-parented away (daemonised) are not descendants.
std::vector<int> descendants(const ProcReader& proc, int root);

/// Descendants from a precomputed (pid, ppid) table (the fallback path; also pure and testable).
std::vector<int> descendants_from_parents(const std::vector<std::pair<int, int>>& parents,
                                          int root);

}  // namespace benchgate::platform
