#pragma once
// Where the kernel's views of the machine are mounted: /proc and /sys, or copies of them in a
// test. This is the one way every reader of /proc or /sys (process readers, the sampler, the
// testbed, the survivor sweep, profiler permission checks, NUMA) is pointed at a test root.

#include <string>

namespace benchgate::platform {

struct SysRoots {
  std::string proc = "/proc";
  std::string sys = "/sys";
};

}  // namespace benchgate::platform
