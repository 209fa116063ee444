#include "platform/numa.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/parse.h"

namespace benchgate::platform {

NumaNodes numa_nodes(const SysRoots& roots) {
  NumaNodes n;
  const auto path = std::filesystem::path(roots.sys) / "devices/system/node/online";
  std::ifstream in(path);
  if (!in) {
    n.unavailable =
        fmt::format("no {} (a kernel without NUMA support): one memory node", path.string());
    return n;
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    n.online = parse_cpu_list(trim(text.str()));
  } catch (const ParseError&) {
    n.unavailable = fmt::format("cannot read {}: '{}'", path.string(), printable(text.str()));
    return n;
  }
  std::sort(n.online.begin(), n.online.end());
  if (n.online.size() < 2) {
    n.unavailable = fmt::format(
        "this machine has a single NUMA node ({}): nothing to bind",
        n.online.empty() ? std::string("none online") : fmt::format("node {}", n.online.front()));
  }
  return n;
}

NumaBinding numa_binding(int node, const NumaNodes& nodes, const std::string& numactl) {
  NumaBinding b;
  if (!nodes.unavailable.empty()) {
    b.unavailable = nodes.unavailable;
  } else if (std::find(nodes.online.begin(), nodes.online.end(), node) == nodes.online.end()) {
    std::vector<std::string> names;
    for (int n : nodes.online)
      names.push_back(std::to_string(n));
    b.unavailable = fmt::format("node {} is not online here (online: {})", node, join(names, ", "));
  } else if (numactl.empty()) {
    b.unavailable = "numactl is not installed (apt-get install numactl)";
  } else {
    b.prefix = {numactl, fmt::format("--cpunodebind={}", node), fmt::format("--membind={}", node),
                "--"};
  }
  return b;
}

}  // namespace benchgate::platform
