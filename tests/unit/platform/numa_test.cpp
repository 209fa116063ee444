// NUMA detection from an injected /sys root, and the binding (or the reason there is none).

#include "platform/numa.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "platform/fs.h"

namespace benchgate::platform {
namespace {

namespace fs = std::filesystem;

class Numa : public ::testing::Test {
 protected:
  void SetUp() override { tmp_ = std::make_unique<TempDir>("bg-numa"); }
  SysRoots sys_with_online(const std::string& text) {
    const auto dir = tmp_->path() / "sys" / "devices/system/node";
    fs::create_directories(dir);
    std::ofstream(dir / "online") << text;
    return {.sys = (tmp_->path() / "sys").string()};
  }
  std::unique_ptr<TempDir> tmp_;
};

TEST_F(Numa, TwoNodesBindWithNumactl) {
  const auto nodes = numa_nodes(sys_with_online("0-1\n"));
  EXPECT_EQ(nodes.online, (std::vector<int>{0, 1}));
  EXPECT_EQ(nodes.unavailable, "");
  const auto b = numa_binding(1, nodes, "/usr/bin/numactl");
  EXPECT_EQ(b.unavailable, "");
  EXPECT_EQ(b.prefix,
            (std::vector<std::string>{"/usr/bin/numactl", "--cpunodebind=1", "--membind=1", "--"}));
}

TEST_F(Numa, SingleNodeIsUnavailableWithItsReason) {
  const auto nodes = numa_nodes(sys_with_online("0\n"));
  EXPECT_EQ(nodes.online, (std::vector<int>{0}));
  EXPECT_EQ(nodes.unavailable, "this machine has a single NUMA node (node 0): nothing to bind");
  const auto b = numa_binding(0, nodes, "/usr/bin/numactl");
  EXPECT_TRUE(b.prefix.empty());
  EXPECT_EQ(b.unavailable, nodes.unavailable);
}

TEST_F(Numa, NoNodeFolderMeansNoNumaSupport) {
  const auto nodes = numa_nodes({.sys = (tmp_->path() / "empty-sys").string()});
  EXPECT_TRUE(nodes.online.empty());
  EXPECT_NE(nodes.unavailable.find("a kernel without NUMA support"), std::string::npos)
      << nodes.unavailable;
}

TEST_F(Numa, UnknownNodeMissingNumactlAndGarbage) {
  const auto nodes = numa_nodes(sys_with_online("0,2"));
  EXPECT_EQ(numa_binding(1, nodes, "/usr/bin/numactl").unavailable,
            "node 1 is not online here (online: 0, 2)");
  EXPECT_EQ(numa_binding(2, nodes, "").unavailable,
            "numactl is not installed (apt-get install numactl)");
  const auto bad = numa_nodes(sys_with_online("zero"));
  EXPECT_NE(bad.unavailable.find("cannot read"), std::string::npos) << bad.unavailable;
}

// This machine, whatever it is: either nodes to bind or a reason, never both or neither.
TEST(NumaHere, EitherNodesOrAReason) {
  const auto nodes = numa_nodes();
  EXPECT_NE(nodes.online.size() >= 2, !nodes.unavailable.empty()) << nodes.unavailable;
}

}  // namespace
}  // namespace benchgate::platform
