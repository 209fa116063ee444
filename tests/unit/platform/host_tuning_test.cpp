// HostTuning against fake /sys and /proc trees (a temp folder as the root).

#include "platform/host_tuning.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "platform/fs.h"

namespace benchgate::platform {
namespace {

namespace fs = std::filesystem;
using State = HostSetting::State;

class HostTuningTest : public ::testing::Test {
 protected:
  void SetUp() override { tmp_ = std::make_unique<TempDir>("bg-hosttune"); }

  fs::path root() const { return tmp_->path(); }
  SysRoots roots() const { return {(root() / "proc").string(), (root() / "sys").string()}; }
  fs::path cpu() const { return root() / "sys/devices/system/cpu"; }

  void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::trunc) << text;
  }
  std::string read(const fs::path& p) { return read_file(p); }

  /// A machine with cpufreq on two CPUs, intel_pstate and full ASLR.
  void full_machine() {
    for (int n : {0, 1, 10}) {
      const auto d = cpu() / ("cpu" + std::to_string(n)) / "cpufreq";
      write(d / "scaling_governor", "powersave\n");
      write(d / "scaling_available_governors", "performance powersave\n");
    }
    write(cpu() / "intel_pstate/no_turbo", "0\n");
    write(root() / "proc/sys/kernel/randomize_va_space", "2\n");
    write(root() / "proc/sys/net/ipv4/tcp_tw_reuse", "2\n");  // Linux's default: loopback only
  }

  const HostSetting& find(const std::vector<HostSetting>& v, const std::string& name) {
    for (const auto& s : v) {
      if (s.name == name) return s;
    }
    ADD_FAILURE() << "no setting " << name;
    static HostSetting none;
    return none;
  }

  std::unique_ptr<TempDir> tmp_;
};

TEST_F(HostTuningTest, NothingAvailableIsReportedNotAnError) {
  // What this VM looks like: cpu0/cpu1 without cpufreq, an empty cpufreq folder, no proc.
  fs::create_directories(cpu() / "cpu0");
  fs::create_directories(cpu() / "cpu1");
  fs::create_directories(cpu() / "cpufreq");
  HostTuning t(roots());
  const auto& s = t.apply();
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].name, "CPU frequency governor");
  EXPECT_EQ(s[0].state, State::kUnavailable);
  EXPECT_EQ(s[1].name, "turbo");
  EXPECT_EQ(s[1].state, State::kUnavailable);
  EXPECT_EQ(s[2].name, "ASLR");
  EXPECT_EQ(s[2].state, State::kUnavailable);
  EXPECT_EQ(s[3].name, "net.ipv4.tcp_tw_reuse");
  EXPECT_EQ(s[3].state, State::kUnavailable);
  EXPECT_EQ(s[4].name, "net.ipv4.tcp_tw_recycle");
  EXPECT_EQ(s[4].state, State::kUnavailable);
  EXPECT_NE(s[4].note.find("removed from Linux in 4.12"), std::string::npos) << s[4].note;
  const auto lines = HostTuning::describe(s);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_NE(
      lines[0].find("not available here: no " + (cpu() / "cpu*/cpufreq/scaling_governor").string()),
      std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("intel_pstate/no_turbo nor"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("left alone"), std::string::npos) << lines[1];
  EXPECT_TRUE(t.restore().empty());
}

TEST_F(HostTuningTest, InspectChangesNothing) {
  full_machine();
  HostTuning t(roots());
  const auto s = t.inspect();
  EXPECT_EQ(find(s, "cpu0 governor").state, State::kChanged);  // would be set
  EXPECT_EQ(find(s, "cpu0 governor").original, "powersave");
  EXPECT_EQ(read(cpu() / "cpu0/cpufreq/scaling_governor"), "powersave\n");
  EXPECT_EQ(read(cpu() / "intel_pstate/no_turbo"), "0\n");
}

TEST_F(HostTuningTest, SetsGovernorAndTurboThenRestores) {
  full_machine();
  {
    HostTuning t(roots());
    const auto& s = t.apply();
    ASSERT_EQ(s.size(), 7u);  // 3 governors (numeric order), turbo, ASLR, tw_reuse, tw_recycle
    EXPECT_EQ(s[0].name, "cpu0 governor");
    EXPECT_EQ(s[1].name, "cpu1 governor");
    EXPECT_EQ(s[2].name, "cpu10 governor");
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(s[i].state, State::kChanged);
      EXPECT_EQ(s[i].original, "powersave");
    }
    for (const char* c : {"cpu0", "cpu1", "cpu10"}) {
      EXPECT_EQ(read(cpu() / c / "cpufreq/scaling_governor"), "performance\n") << c;
    }
    EXPECT_EQ(s[3].name, "turbo (intel_pstate no_turbo)");
    EXPECT_EQ(s[3].state, State::kChanged);
    EXPECT_EQ(read(cpu() / "intel_pstate/no_turbo"), "1\n");
    EXPECT_EQ(s[4].name, "ASLR");
    EXPECT_EQ(s[4].state, State::kReportOnly);
    EXPECT_EQ(s[4].original, "2");
    EXPECT_EQ(read(root() / "proc/sys/kernel/randomize_va_space"), "2\n");  // never written
    const auto lines = HostTuning::describe(s);
    EXPECT_EQ(lines[0], "cpu0 governor: powersave -> performance (restored at exit)");
    EXPECT_EQ(lines[3], "turbo (intel_pstate no_turbo): 0 -> 1 (restored at exit)");
    EXPECT_EQ(lines[4],
              "ASLR: 2 (on (full: also the heap); left as is (a system-wide security setting))");
    EXPECT_EQ(s[5].name, "net.ipv4.tcp_tw_reuse");
    EXPECT_EQ(s[5].state, State::kChanged);
    EXPECT_EQ(s[5].original, "2");
    EXPECT_EQ(read(root() / "proc/sys/net/ipv4/tcp_tw_reuse"), "1\n");
    EXPECT_EQ(lines[5], "net.ipv4.tcp_tw_reuse: 2 -> 1 (restored at exit)");
    EXPECT_EQ(&t.apply(), &s);  // a second apply does nothing more
  }                             // the destructor restores
  EXPECT_EQ(read(root() / "proc/sys/net/ipv4/tcp_tw_reuse"), "2\n");
  EXPECT_EQ(read(cpu() / "cpu0/cpufreq/scaling_governor"), "powersave\n");
  EXPECT_EQ(read(cpu() / "cpu10/cpufreq/scaling_governor"), "powersave\n");
  EXPECT_EQ(read(cpu() / "intel_pstate/no_turbo"), "0\n");
}

TEST_F(HostTuningTest, RestoreIsIdempotentAndOnlyTouchesWhatChanged) {
  full_machine();
  write(cpu() / "cpu1/cpufreq/scaling_governor", "performance\n");
  HostTuning t(roots());
  const auto& s = t.apply();
  EXPECT_EQ(find(s, "cpu1 governor").state, State::kAlready);
  EXPECT_EQ(HostTuning::describe(s)[1], "cpu1 governor: performance already");
  // Someone else changes cpu1 during the run: restore must not touch it.
  write(cpu() / "cpu1/cpufreq/scaling_governor", "schedutil\n");
  EXPECT_TRUE(t.restore().empty());
  EXPECT_EQ(find(t.settings(), "cpu0 governor").state, State::kRestored);
  EXPECT_EQ(read(cpu() / "cpu0/cpufreq/scaling_governor"), "powersave\n");
  EXPECT_EQ(read(cpu() / "cpu1/cpufreq/scaling_governor"), "schedutil\n");
  write(cpu() / "cpu0/cpufreq/scaling_governor", "ondemand\n");
  EXPECT_TRUE(t.restore().empty());  // a second restore writes nothing
  EXPECT_EQ(read(cpu() / "cpu0/cpufreq/scaling_governor"), "ondemand\n");
}

TEST_F(HostTuningTest, BoostSwitchWhenThereIsNoIntelPstate) {
  write(cpu() / "cpufreq/boost", "1\n");
  HostTuning t(roots());
  const auto& s = t.apply();
  EXPECT_EQ(find(s, "turbo (cpufreq boost)").state, State::kChanged);
  EXPECT_EQ(read(cpu() / "cpufreq/boost"), "0\n");
  t.restore();
  EXPECT_EQ(read(cpu() / "cpufreq/boost"), "1\n");
}

TEST_F(HostTuningTest, PerformanceNotOfferedIsLeftAlone) {
  write(cpu() / "cpu0/cpufreq/scaling_governor", "schedutil\n");
  write(cpu() / "cpu0/cpufreq/scaling_available_governors", "schedutil powersave\n");
  HostTuning t(roots());
  const auto& g = find(t.apply(), "cpu0 governor");
  EXPECT_EQ(g.state, State::kFailed);
  EXPECT_NE(g.note.find("'performance' is not offered (available: schedutil powersave)"),
            std::string::npos)
      << g.note;
  EXPECT_EQ(read(cpu() / "cpu0/cpufreq/scaling_governor"), "schedutil\n");
  EXPECT_NE(HostTuning::describe(t.settings())[0].find("could not set it to performance"),
            std::string::npos);
}

TEST_F(HostTuningTest, WriteErrorIsReportedAndTheRestContinues) {
  full_machine();
  // A file that opens for writing but refuses the write (EIO), like a sysfs file whose
  // driver rejects the value: /proc/version.
  fs::remove(cpu() / "cpu1/cpufreq/scaling_governor");
  fs::create_symlink("/proc/version", cpu() / "cpu1/cpufreq/scaling_governor");
  HostTuning t(roots());
  const auto& s = t.apply();
  const auto& g1 = find(s, "cpu1 governor");
  EXPECT_EQ(g1.state, State::kFailed);
  EXPECT_NE(g1.note.find("cannot write"), std::string::npos) << g1.note;
  EXPECT_EQ(find(s, "cpu0 governor").state, State::kChanged);
  EXPECT_EQ(find(s, "turbo (intel_pstate no_turbo)").state, State::kChanged);
  EXPECT_TRUE(t.restore().empty());
  EXPECT_EQ(read(cpu() / "cpu0/cpufreq/scaling_governor"), "powersave\n");
}

}  // namespace
}  // namespace benchgate::platform
