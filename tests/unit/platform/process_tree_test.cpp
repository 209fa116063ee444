#include "platform/process_tree.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "platform/fs.h"
#include "platform/subprocess.h"

namespace benchgate::platform {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

const std::string kSnap1 = std::string(BENCHGATE_TEST_DATA_DIR) + "/proc/snap1";

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::trunc) << text;
}

// A fake /proc entry: pid with the given threads; children[i] lists what thread i forked.
void add_process(const fs::path& root, int pid, int ppid, const std::vector<int>& tids,
                 const std::vector<std::string>& children, bool with_children_files = true) {
  const auto stat = [&](int id) {
    return fmt::format("{} (p{}) S {} {} {} 0 -1 0 0 0 0 0 1 1 0 0 20 0 {} 0 100 1000 10\n", id,
                       pid, ppid, pid, pid, tids.size());
  };
  write(root / std::to_string(pid) / "stat", stat(pid));
  for (std::size_t i = 0; i < tids.size(); ++i) {
    const auto task = root / std::to_string(pid) / "task" / std::to_string(tids[i]);
    write(task / "stat", stat(tids[i]));
    if (with_children_files) write(task / "children", i < children.size() ? children[i] : "");
  }
}

TEST(ProcessTree, Snapshots) {
  ProcReader p(kSnap1);
  EXPECT_EQ(descendants(p, 24141), (std::vector<int>{24142}));
  EXPECT_EQ(descendants(p, 32667), (std::vector<int>{32669}));
  EXPECT_TRUE(descendants(p, 24142).empty());
  EXPECT_TRUE(descendants(p, 4242).empty());  // gone
  EXPECT_EQ(*children_of(p, 24141), (std::vector<int>{24142}));
  EXPECT_TRUE(children_of(p, 4242)->empty());
}

TEST(ProcessTree, ScanParentsOfSnapshot) {
  ProcReader p(kSnap1);
  EXPECT_EQ(scan_parents(p), (std::vector<std::pair<int, int>>{
                                 {24141, 1}, {24142, 24141}, {32667, 1}, {32669, 32667}}));
}

TEST(ProcessTree, ChildrenOfEveryThreadAndGrandchildren) {
  TempDir dir("proctree");
  // 100 has threads 100 and 102; thread 102 forked 101; 101 forked 103 and 104; 104 forked 105.
  add_process(dir.path(), 100, 1, {100, 102}, {"", "101 "});
  add_process(dir.path(), 101, 100, {101}, {"103 104 "});
  add_process(dir.path(), 103, 101, {103}, {});
  add_process(dir.path(), 104, 101, {104}, {"105 "});
  add_process(dir.path(), 105, 104, {105}, {});
  add_process(dir.path(), 200, 1, {200}, {});  // unrelated
  ProcReader p(dir.path().string());
  EXPECT_EQ(descendants(p, 100), (std::vector<int>{101, 103, 104, 105}));
  EXPECT_EQ(descendants(p, 104), (std::vector<int>{105}));
  EXPECT_TRUE(descendants(p, 200).empty());
}

TEST(ProcessTree, FallsBackToPpidScanWithoutChildrenFiles) {
  TempDir dir("proctree");
  add_process(dir.path(), 100, 1, {100, 102}, {}, false);
  add_process(dir.path(), 101, 100, {101}, {}, false);
  add_process(dir.path(), 103, 101, {103}, {}, false);
  add_process(dir.path(), 200, 1, {200}, {}, false);
  ProcReader p(dir.path().string());
  EXPECT_FALSE(children_of(p, 100).has_value());
  EXPECT_EQ(descendants(p, 100), (std::vector<int>{101, 103}));

  // The snapshot without its children files gives the same tree as with them.
  TempDir copy("proctree");
  fs::copy(kSnap1, copy.path(), fs::copy_options::recursive);
  for (const auto& e : fs::recursive_directory_iterator(copy.path())) {
    if (e.path().filename() == "children") fs::remove(e.path());
  }
  ProcReader q(copy.path().string());
  EXPECT_EQ(descendants(q, 24141), (std::vector<int>{24142}));
  EXPECT_EQ(descendants(q, 32667), (std::vector<int>{32669}));
}

TEST(ProcessTree, FromParentsIgnoresCycles) {
  const std::vector<std::pair<int, int>> parents = {{2, 1}, {3, 2}, {1, 3}, {4, 3}, {9, 8}};
  EXPECT_EQ(descendants_from_parents(parents, 1), (std::vector<int>{2, 3, 4}));
  EXPECT_TRUE(descendants_from_parents(parents, 4).empty());
}

TEST(ProcessTree, LiveChildren) {
  auto sh = Subprocess::spawn({.argv = {"/bin/sh", "-c", "sleep 30 & sleep 30 & wait"}});
  ProcReader p;
  // Found as soon as forked; wait until both have exec'd sleep (comm "sh" before).
  auto ready = [&](const std::vector<int>& pids) {
    if (pids.size() != 2) return false;
    for (int pid : pids) {
      auto st = p.read_stat(pid);
      if (!st || st->comm != "sleep") return false;
    }
    return true;
  };
  std::vector<int> found;
  for (int i = 0; i < 400; ++i) {
    found = descendants(p, sh.pid());
    if (ready(found)) break;
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_TRUE(ready(found)) << found.size();
  for (int pid : found)
    EXPECT_EQ(p.read_stat(pid)->ppid, sh.pid());
  sh.terminate(milliseconds(500));
  for (int pid : found) {
    // Killed with the group (SIGKILL lands asynchronously); then reaped by init, or a zombie.
    auto dead = [&] {
      auto st = p.read_stat(pid);
      return !st || st->state == 'Z';
    };
    for (int i = 0; i < 200 && !dead(); ++i)
      std::this_thread::sleep_for(milliseconds(5));
    auto st = p.read_stat(pid);
    EXPECT_TRUE(!st || st->state == 'Z') << pid;
  }
}

}  // namespace
}  // namespace benchgate::platform
