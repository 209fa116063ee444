#include "platform/sysinfo.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "core/build_info.h"
#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "platform/subprocess.h"

namespace benchgate::platform {
namespace {

namespace fs = std::filesystem;

const std::string kSnap1 = std::string(BENCHGATE_TEST_DATA_DIR) + "/proc/snap1";

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::trunc) << text;
}

// A fake /proc + /sys: the recorded cpuinfo/loadavg of the 2-vCPU EPYC VM, no cpufreq.
class FakeRoots : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy_file(kSnap1 + "/cpuinfo", proc() / "cpuinfo");
    fs::copy_file(kSnap1 + "/loadavg", proc() / "loadavg");
    write(proc() / "sys/kernel/osrelease", "6.1.0-18-amd64\n");
    write(proc() / "sys/kernel/hostname", "bench-host\n");
    fs::create_directories(sys() / "devices/system/cpu/cpu0");
    roots_.proc = proc().string();
    roots_.sys = sys().string();
  }
  fs::path proc() {
    fs::create_directories(dir_.path() / "proc");
    return dir_.path() / "proc";
  }
  fs::path sys() {
    fs::create_directories(dir_.path() / "sys");
    return dir_.path() / "sys";
  }

  TempDir dir_{"sysinfo-test"};
  SysRoots roots_;
};

TEST_F(FakeRoots, MachineContextFromRecordedFiles) {
  auto ctx = machine_context(roots_);
  for (const char* key :
       {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled",
        "caches", "load_avg", "library_build_type", "cpu_model", "kernel", "governor", "compiler",
        "build_flags", "cgroup_cpu_quota", "available_cpus"}) {
    EXPECT_TRUE(ctx.contains(key)) << key;
  }
  EXPECT_EQ(ctx["cpu_model"], "AMD EPYC");
  EXPECT_EQ(ctx["num_cpus"], 2);
  EXPECT_EQ(ctx["mhz_per_cpu"], 2096);    // "cpu MHz : 2096.041"
  EXPECT_EQ(ctx["governor"], "unknown");  // no cpufreq on this VM
  EXPECT_EQ(ctx["cpu_scaling_enabled"], false);
  EXPECT_EQ(ctx["kernel"], "6.1.0-18-amd64");
  EXPECT_EQ(ctx["host_name"], "bench-host");
  EXPECT_EQ(ctx["load_avg"], nlohmann::json({0.74, 0.93, 0.88}));
  EXPECT_TRUE(ctx["caches"].is_array());
  EXPECT_TRUE(ctx["caches"].empty());
  EXPECT_TRUE(ctx["cgroup_cpu_quota"].is_null());
  EXPECT_EQ(ctx["compiler"], build::kCompiler);
  EXPECT_EQ(ctx["library_build_type"],
            std::string(build::kBuildType) == "Debug" ? "debug" : "release");
  EXPECT_EQ(ctx["available_cpus"], format_cpu_list(available_cpus()));
  EXPECT_TRUE(std::regex_match(ctx["date"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d)")));
}

TEST_F(FakeRoots, GovernorFrequencyAndCaches) {
  const auto cpufreq = sys() / "devices/system/cpu/cpu0/cpufreq";
  write(cpufreq / "scaling_governor", "powersave\n");
  write(cpufreq / "cpuinfo_max_freq", "3500000\n");  // kHz
  const auto cache = sys() / "devices/system/cpu/cpu0/cache";
  write(cache / "index0/type", "Data\n");
  write(cache / "index0/level", "1\n");
  write(cache / "index0/size", "32K\n");
  write(cache / "index0/shared_cpu_list", "0\n");
  write(cache / "index1/type", "Unified\n");
  write(cache / "index1/level", "3\n");
  write(cache / "index1/size", "32M\n");
  write(cache / "index1/shared_cpu_list", "0-7,16-23\n");
  auto ctx = machine_context(roots_);
  EXPECT_EQ(ctx["governor"], "powersave");
  EXPECT_EQ(ctx["cpu_scaling_enabled"], true);
  EXPECT_EQ(ctx["mhz_per_cpu"], 3500);
  ASSERT_EQ(ctx["caches"].size(), 2u);
  EXPECT_EQ(ctx["caches"][0],
            nlohmann::json({{"type", "Data"}, {"level", 1}, {"size", 32768}, {"num_sharing", 1}}));
  EXPECT_EQ(ctx["caches"][1]["size"], 32 * 1024 * 1024);
  EXPECT_EQ(ctx["caches"][1]["num_sharing"], 16);

  write(cpufreq / "scaling_governor", "performance\n");
  EXPECT_EQ(machine_context(roots_)["cpu_scaling_enabled"], false);
}

TEST_F(FakeRoots, CgroupV2QuotaTightestAlongThePath) {
  write(proc() / "self/cgroup", "0::/ci.slice/job-42\n");
  write(sys() / "fs/cgroup/ci.slice/job-42/cpu.max", "150000 100000\n");
  write(sys() / "fs/cgroup/ci.slice/cpu.max", "max 100000\n");
  EXPECT_DOUBLE_EQ(machine_context(roots_)["cgroup_cpu_quota"].get<double>(), 1.5);
  write(sys() / "fs/cgroup/ci.slice/cpu.max", "50000 100000\n");  // the parent is tighter
  EXPECT_DOUBLE_EQ(machine_context(roots_)["cgroup_cpu_quota"].get<double>(), 0.5);
  write(sys() / "fs/cgroup/ci.slice/cpu.max", "max 100000\n");
  write(sys() / "fs/cgroup/ci.slice/job-42/cpu.max", "max 100000\n");
  EXPECT_TRUE(machine_context(roots_)["cgroup_cpu_quota"].is_null());
}

TEST_F(FakeRoots, CgroupV1Quota) {
  write(proc() / "self/cgroup", "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n");
  write(sys() / "fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "200000\n");
  write(sys() / "fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
  EXPECT_DOUBLE_EQ(machine_context(roots_)["cgroup_cpu_quota"].get<double>(), 2.0);
  write(sys() / "fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "-1\n");  // unlimited
  EXPECT_TRUE(machine_context(roots_)["cgroup_cpu_quota"].is_null());
}

TEST(Testbed, FieldsAndFingerprint) {
  nlohmann::json ctx = {{"cpu_model", "AMD EPYC"},
                        {"num_cpus", 2},
                        {"kernel", "6.1.0-18-amd64"},
                        {"build_type", "Release"}};
  auto t = testbed(ctx);
  EXPECT_EQ(t.cpu_model, "AMD EPYC");
  EXPECT_EQ(t.num_cpus, 2);
  EXPECT_EQ(t.kernel, "6.1.0-18-amd64");
  EXPECT_EQ(t.kernel_major, "6.1");
  EXPECT_EQ(t.build_type, "Release");
  // FNV-1a 64 of "AMD EPYC\x1f" "2\x1f" "6.1\x1f" "Release", computed independently (Python).
  EXPECT_EQ(t.fingerprint, "c978bdf96f37df41");

  auto patched = ctx;
  patched["kernel"] = "6.1.0-21-amd64";  // same major: still comparable
  EXPECT_EQ(testbed(patched).fingerprint, t.fingerprint);
  auto upgraded = ctx;
  upgraded["kernel"] = "6.18.44-fc-v782";
  EXPECT_EQ(testbed(upgraded).kernel_major, "6.18");
  EXPECT_NE(testbed(upgraded).fingerprint, t.fingerprint);
  auto bigger = ctx;
  bigger["num_cpus"] = 4;
  EXPECT_NE(testbed(bigger).fingerprint, t.fingerprint);
}

TEST(Testbed, OfThisMachineIsStable) {
  auto a = testbed(machine_context());
  auto b = testbed(machine_context());
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.fingerprint.size(), 16u);
  EXPECT_EQ(a.build_type, build::kBuildType);
}

// Sets environment variables for one test and restores them after.
class EnvGuard {
 public:
  void set(const std::string& k, const char* v) {
    const char* old = ::getenv(k.c_str());
    saved_.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
    if (v) {
      ::setenv(k.c_str(), v, 1);
    } else {
      ::unsetenv(k.c_str());
    }
  }
  ~EnvGuard() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        ::unsetenv(it->first.c_str());
      }
    }
    ::tzset();
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(Provenance, OnlyAllowListedVariables) {
  EnvGuard env;
  for (const auto& v : provenance_variables())
    env.set(v, nullptr);
  env.set("GITHUB_SHA", "0123abc");
  env.set("CI_JOB_ID", "77");
  env.set("GIT_COMMIT", "feed");
  env.set("GITHUB_TOKEN", "secret");
  env.set("CI_JOB_TOKEN", "secret");
  env.set("AWS_SECRET_ACCESS_KEY", "secret");
  auto p = provenance();
  EXPECT_EQ(p["GITHUB_SHA"], "0123abc");
  EXPECT_EQ(p["CI_JOB_ID"], "77");
  EXPECT_EQ(p["GIT_COMMIT"], "feed");
  for (const auto& [k, v] : p.items()) {
    EXPECT_NE(v, "secret") << k;
  }
  EXPECT_FALSE(p.contains("GITHUB_TOKEN"));
  EXPECT_EQ(provenance_variables().size(), 30u);  // 14 GitHub + 13 GitLab + 3 Jenkins
}

void git(const fs::path& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {"git",
                                   "-C",
                                   dir.string(),
                                   "-c",
                                   "user.name=t",
                                   "-c",
                                   "user.email=t@example.com",
                                   "-c",
                                   "commit.gpgsign=false"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = Subprocess::spawn({.argv = argv, .stdout_path = dir.parent_path() / "git.log"});
  ASSERT_TRUE(p.wait().success()) << shell_join(argv);
}

TEST(GitState, CommitAndDirty) {
  if (!find_executable("git")) GTEST_SKIP() << "git not installed";
  TempDir tmp("sysinfo-git");
  const auto repo = tmp.path() / "repo";
  fs::create_directories(repo);
  EXPECT_FALSE(git_state(repo).has_value());  // not a checkout (TMPDIR is outside any)

  git(repo, {"init", "-q"});
  EXPECT_FALSE(git_state(repo).has_value());  // no commit yet
  write(repo / "a.txt", "one\n");
  git(repo, {"add", "a.txt"});
  git(repo, {"commit", "-q", "-m", "first"});

  // Independently: resolve HEAD through the files in .git.
  std::string head = read_file(repo / ".git/HEAD");
  ASSERT_EQ(head.rfind("ref: ", 0), 0u);
  const std::string ref(trim(head.substr(5)));
  const std::string expected(trim(read_file(repo / ".git" / ref)));

  auto g = git_state(repo);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->commit, expected);
  EXPECT_EQ(g->commit.size(), 40u);
  EXPECT_FALSE(g->dirty);

  write(repo / "untracked.txt", "x\n");  // untracked files do not make it dirty
  EXPECT_FALSE(git_state(repo)->dirty);
  write(repo / "a.txt", "two\n");
  EXPECT_TRUE(git_state(repo)->dirty);
  EXPECT_EQ(git_state(repo / ".git/..")->commit, expected);
  EXPECT_FALSE(fs::exists(repo / ".git/index.lock"));
}

TEST(Iso8601, OffsetWithColon) {
  EnvGuard env;
  const WallTime t = WallTime{} + std::chrono::seconds(1700000000);
  env.set("TZ", "UTC0");
  ::tzset();
  EXPECT_EQ(iso8601(t), "2023-11-14T22:13:20+00:00");
  env.set("TZ", "IST-5:30");  // POSIX TZ: 5 h 30 min east of UTC
  ::tzset();
  EXPECT_EQ(iso8601(t), "2023-11-15T03:43:20+05:30");
  env.set("TZ", "NST3:30");
  ::tzset();
  EXPECT_EQ(iso8601(t), "2023-11-14T18:43:20-03:30");
}

TEST(AvailableCpus, MatchesCpusAllowedList) {
  // Independent source: the kernel's own rendering of our affinity mask.
  std::string allowed;
  for (auto line : split(read_file("/proc/self/status"), '\n')) {
    if (line.rfind("Cpus_allowed_list:", 0) == 0) allowed = std::string(trim(line.substr(18)));
  }
  ASSERT_FALSE(allowed.empty());
  EXPECT_EQ(available_cpus(), parse_cpu_list(allowed));
}

TEST(AvailableCpus, CheckNamesOptionCpuAndAvailableList) {
  const auto avail = available_cpus();
  ASSERT_FALSE(avail.empty());
  EXPECT_NO_THROW(check_cpus_available(avail, "--cpus"));
  EXPECT_NO_THROW(check_cpus_available({}, "--cpus"));
  try {
    check_cpus_available({avail.front(), 4095}, "--driver-cpus");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "--driver-cpus: CPU 4095 is not available here (available: " +
                                         format_cpu_list(avail) + ")");
  }
}

}  // namespace
}  // namespace benchgate::platform
