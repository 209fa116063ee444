// Port holders: /proc/net/tcp and tcp6 parsed from real copies (tests/data/proc/listen, see its
// README section), inodes matched to processes in a /proc tree built in a temporary folder;
// and /proc/<pid>/cmdline, which names the holder.

#include "platform/sockets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/parse.h"
#include "platform/fs.h"

namespace benchgate::platform {
namespace {

namespace fs = std::filesystem;

const std::string kListen = std::string(BENCHGATE_TEST_DATA_DIR) + "/proc/listen";
const std::string kSnap1 = std::string(BENCHGATE_TEST_DATA_DIR) + "/proc/snap1";

TEST(ParseListeningInodes, OnlyListeningSocketsOfThePort) {
  const auto tcp = read_file(kListen + "/net/tcp");
  // 18931 has a listener (30386) and an accepted connection (30391): only the listener.
  EXPECT_EQ(parse_listening_inodes(tcp, 18931), std::vector<std::uint64_t>{30386});
  EXPECT_EQ(parse_listening_inodes(tcp, 2024), std::vector<std::uint64_t>{1079});
  // 40188 is the client end of that connection: not listening.
  EXPECT_TRUE(parse_listening_inodes(tcp, 40188).empty());
  EXPECT_TRUE(parse_listening_inodes(tcp, 18932).empty()) << "18932 is IPv6 only";
  const auto tcp6 = read_file(kListen + "/net/tcp6");
  EXPECT_EQ(parse_listening_inodes(tcp6, 18932), std::vector<std::uint64_t>{30387});
  EXPECT_TRUE(parse_listening_inodes(tcp6, 18931).empty());
}

TEST(ParseListeningInodes, HeaderOnlyAndGarbage) {
  EXPECT_TRUE(parse_listening_inodes("  sl  local_address rem_address   st\n", 80).empty());
  EXPECT_TRUE(parse_listening_inodes("", 80).empty());
  const std::string header = "  sl  local_address rem_address   st tx_queue\n";
  EXPECT_THROW(parse_listening_inodes(header + "   0: 0100007F:0050 00000000:0000 0A\n", 80),
               ParseError);
  EXPECT_THROW(parse_listening_inodes(header + "   0: 0100007F:zz50 00000000:0000 0A 0:0 "
                                               "00:0 0 0 0 123 1\n",
                                      80),
               ParseError);
  EXPECT_THROW(parse_listening_inodes(header + "   0: 0100007F0050 00000000:0000 0A 0:0 "
                                               "00:0 0 0 0 123 1\n",
                                      80),
               ParseError);
}

class PortHolders : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::make_unique<TempDir>("bg-sockets");
    fs::create_directories(root_->path() / "net");
    fs::copy_file(kListen + "/net/tcp", root_->path() / "net/tcp");
    fs::copy_file(kListen + "/net/tcp6", root_->path() / "net/tcp6");
  }
  // A process with fd links to the given targets and a NUL-separated command line.
  void add(int pid, const std::vector<std::string>& fds, const std::string& cmdline) {
    const auto dir = root_->path() / std::to_string(pid);
    fs::create_directories(dir / "fd");
    for (std::size_t i = 0; i < fds.size(); ++i)
      fs::create_symlink(fds[i], dir / "fd" / std::to_string(i));
    std::ofstream(dir / "cmdline", std::ios::binary) << cmdline;
  }
  std::unique_ptr<TempDir> root_;
};

TEST_F(PortHolders, FindsEveryProcessWithTheListeningSocket) {
  add(100, {"/dev/null", "socket:[30391]"}, std::string("client\0", 7));  // the connection
  add(200, {"socket:[30386]", "pipe:[5]"}, std::string("python3\0-m\0http.server\0", 23));
  add(300, {"socket:[30386]"}, std::string("worker\0", 7));  // a forked worker shares it
  add(400, {"socket:[30387]"}, std::string("v6\0", 3));
  add(500, {"socket:[303860]"}, std::string("decoy\0", 6));
  const ProcReader proc(root_->path().string());
  const auto holders = find_port_holders(proc, 18931);
  ASSERT_EQ(holders.size(), 2u);
  EXPECT_EQ(holders[0].pid, 200);
  EXPECT_EQ(holders[0].argv, (std::vector<std::string>{"python3", "-m", "http.server"}));
  EXPECT_EQ(holders[1].pid, 300);
  EXPECT_EQ(describe_holders(holders), "pid 200 (python3 -m http.server), pid 300 (worker)");
  const auto v6 = find_port_holders(proc, 18932);
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].pid, 400);
  EXPECT_TRUE(find_port_holders(proc, 9999).empty());
}

TEST_F(PortHolders, UnreadableOrMissingPartsOnlyNameThePid) {
  add(200, {"socket:[30386]"}, "");               // a zombie or kernel thread: empty cmdline
  fs::create_directories(root_->path() / "300");  // no fd folder (another user's process)
  fs::remove(root_->path() / "net/tcp6");
  const auto holders = find_port_holders(ProcReader(root_->path().string()), 18931);
  ASSERT_EQ(holders.size(), 1u);
  EXPECT_EQ(describe_holders(holders), "pid 200");
  EXPECT_TRUE(find_port_holders(ProcReader((root_->path() / "nothing").string()), 18931).empty());
}

TEST(ParseCmdline, RealFilesAndPadding) {
  EXPECT_EQ(parse_cmdline(read_file(kSnap1 + "/32667/cmdline")),
            (std::vector<std::string>{"./mt (demo)", "8"}));
  // nginx rewrites its title and pads it with NULs: no empty arguments from the padding.
  EXPECT_EQ(parse_cmdline(read_file(kSnap1 + "/24142/cmdline")),
            (std::vector<std::string>{"nginx: worker process"}));
  EXPECT_TRUE(parse_cmdline("").empty());
  EXPECT_EQ(parse_cmdline(std::string("a\0\0b\0", 5)), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(parse_cmdline("no-final-nul"), (std::vector<std::string>{"no-final-nul"}));
}

TEST(FormatCommand, QuotesAndCuts) {
  EXPECT_EQ(format_command({"sleep", "300"}), "sleep 300");
  EXPECT_EQ(format_command({"sh", "-c", "trap '' TERM; exec sleep 1"}),
            "sh -c 'trap '\\'''\\'' TERM; exec sleep 1'");
  EXPECT_EQ(format_command({"a\nb", ""}), "a?b ''");
  EXPECT_EQ(format_command({"abcdef"}, 3), "abc…");
  EXPECT_EQ(format_command({"é", "x"}, 1), "…") << "a UTF-8 sequence is not split";
}

}  // namespace
}  // namespace benchgate::platform
