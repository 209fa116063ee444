#pragma once
// NUMA: which memory nodes this machine has (/sys/devices/system/node/online) and how an app
// is bound to one (numactl --cpunodebind=N --membind=N), or why it cannot be: a single-node
// machine has nothing to bind, a kernel without NUMA has no node folder, a missing numactl is
// named with how to install it. The old harness's per-host settings file could set a NUMA
// node; benchgate takes it as `numa_node` (suite [host."NAME"] / [defaults], --numa-node,
// BENCHGATE_NUMA_NODE).

#include <filesystem>
#include <string>
#include <vector>

#include "platform/roots.h"

namespace benchgate::platform {

struct NumaNodes {
  std::vector<int> online;  ///< node numbers, ascending
  /// Why nothing can be bound here ("" when the machine has two or more nodes).
  std::string unavailable;
};

/// Reads `sys_root`/devices/system/node/online (a CPU-list-style range: "0", "0-3", "0,2").
NumaNodes numa_nodes(const SysRoots& roots = {});

struct NumaBinding {
  std::vector<std::string> prefix;  ///< argv to put before the app's: numactl ... --
  std::string unavailable;          ///< why the app runs unbound ("" when prefix is set)
};

/// How to bind an app to `node`: `numactl` is the path of numactl ("" when not installed).
NumaBinding numa_binding(int node, const NumaNodes& nodes, const std::string& numactl);

}  // namespace benchgate::platform
