// Nothing an app starts survives its run, and nothing survives benchgate: through the real
// binary, an app whose child setsids away and ignores SIGTERM (stopped, named in the run's
// warnings and the reports, the next runs unaffected), a port held by a process that is not
// the app's (the run fails naming it), and `kill -9` of benchgate (the app dies with it).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "platform/fs.h"
#include "platform/subprocess.h"
#include "processes.h"
#include "results/json.h"
#include "test_support.h"

namespace benchgate {
namespace {

namespace fs = std::filesystem;
using testing::benchgate_binary;
using testing::CommandResult;
using testing::hello_server_binary;
using testing::processes_with_arg;
using testing::read_text;
using testing::run_command;

/// Polls until no live process has `arg` among its arguments; false after `limit`.
bool none_with_arg_within(const std::string& arg, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (processes_with_arg(arg).empty()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

class SurvivorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = std::make_unique<platform::TempDir>("bg-survivors");
    port_ = testing::free_port();
    marker_ = "300." + std::to_string(port_);  // the daemon's unique argument: sleep 300.<port>
  }

  void TearDown() override {
    if (spawned_ > 0) {
      ::kill(-spawned_, SIGKILL);
      ::waitpid(spawned_, nullptr, 0);
    }
    for (const auto& arg : {marker_, std::to_string(port_)}) {
      const auto left = processes_with_arg(arg);
      EXPECT_TRUE(left.empty()) << left.size() << " process(es) with argument " << arg << " left";
      for (pid_t p : left)
        ::kill(p, SIGKILL);
    }
  }

  fs::path out() const { return tmp_->path() / "out"; }
  fs::path suite_path() const { return tmp_->path() / "suite.toml"; }
  std::string port() const { return std::to_string(port_); }

  /// One app (`command`, a TOML array), one load point of 2 clients, 300 ms periods.
  void write_suite(const std::string& command, int iterations) const {
    std::ofstream(suite_path())
        << "name = \"t\"\n[defaults]\ndriver = \"builtin\"\nduration = \"300ms\"\n"
        << "warmup = \"0s\"\ninterval = \"100ms\"\niterations = " << iterations << "\nseed = 7\n"
        << "\n[[app]]\nlabel = \"app\"\ncommand = " << command << "\n"
        << "\n[[scenario]]\nname = \"plaintext\"\nurl = \"http://127.0.0.1:" << port_
        << "/plaintext\"\nclients = [2]\n";
  }

  std::string hello_command() const {
    return "[\"" + hello_server_binary().string() + "\", \"--port\", \"" + port() + "\"]";
  }

  std::vector<std::string> run_args() const {
    return {benchgate_binary().string(),
            "run",
            "-c",
            suite_path().string(),
            "--out",
            out().string(),
            "--no-color"};
  }

  std::unique_ptr<platform::TempDir> tmp_;
  int port_ = 0;
  std::string marker_;
  pid_t spawned_ = 0;
};

// (4) of "Verdicts people can trust": the app's first start also setsids away a child that
// ignores SIGTERM. It is killed after run 1 and named there; runs 2-4 measure normally.
TEST_F(SurvivorsTest, DaemonThatIgnoresSigtermIsKilledAndNamedAfterItsRun) {
  const auto script = tmp_->path() / "app.sh";
  std::ofstream(script) << "n=$(cat \"$0.count\" 2>/dev/null || echo 0)\n"
                        << "n=$((n + 1))\n"
                        << "echo $n > \"$0.count\"\n"
                        << "if [ \"$n\" -eq 1 ]; then\n"
                        << "  setsid sh -c 'trap \"\" TERM; exec sleep " << marker_
                        << "' </dev/null >/dev/null 2>&1 &\n"
                        << "fi\n"
                        << "exec " << hello_server_binary().string() << " --port " << port()
                        << "\n";
  write_suite("[\"/bin/sh\", \"" + script.string() + "\"]", 4);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_command(run_args(), tmp_->path(), std::chrono::seconds(90));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));
  EXPECT_NE(r.exit_code, 4) << r.out << r.err;

  const auto rf = results::read_results(out() / "results.json");
  ASSERT_EQ(rf.runs.size(), 4u);
  const std::regex named("pid ([0-9]+) \\(sleep " +
                         std::regex_replace(marker_, std::regex("\\."), "\\.") +
                         "\\) ignored SIGTERM and was killed with SIGKILL");
  std::smatch m;
  std::string warning;
  for (const auto& w : rf.runs[0].warnings) {
    if (std::regex_search(w, m, named)) warning = w;
  }
  ASSERT_FALSE(warning.empty()) << "run 1 warnings do not name the daemon: "
                                << ::testing::PrintToString(rf.runs[0].warnings);
  EXPECT_EQ(warning.rfind("the app left a process running after it was stopped: ", 0), 0u)
      << warning;
  EXPECT_EQ(rf.runs[0].termination.description,
            "terminated by SIGTERM as expected; it left 1 process running, stopped by benchgate "
            "(see warnings)");
  EXPECT_EQ(rf.runs[1].termination.description, "terminated by SIGTERM as expected");
  for (const auto& run : rf.runs) {
    EXPECT_EQ(run.status, "ok") << run.id << ": " << run.failure;
    ASSERT_EQ(run.periods.size(), 1u);
    EXPECT_EQ(run.periods[0].status, "ok") << run.periods[0].reason;
    EXPECT_GT(run.periods[0].driver.throughput, 0);
  }
  for (std::size_t i = 1; i < rf.runs.size(); ++i)
    EXPECT_TRUE(rf.runs[i].warnings.empty()) << ::testing::PrintToString(rf.runs[i].warnings);
  // Named in the reports too: the console's run warnings and the Markdown summary.
  EXPECT_NE(r.out.find("Run warnings"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("app · plaintext · iteration 1: " + warning), std::string::npos) << r.out;
  const auto md = read_text(out() / "summary.md");
  EXPECT_NE(md.find("Run warnings"), std::string::npos) << md;
  EXPECT_NE(md.find("sleep " + marker_ + "\\) ignored SIGTERM"), std::string::npos) << md;
  // Killed and reaped before run 2 started, so certainly gone now.
  EXPECT_TRUE(processes_with_arg(marker_).empty());
  EXPECT_FALSE(testing::process_alive(std::stoi(m[1].str())));
  auto v = run_command({benchgate_binary().string(), "validate", (out() / "results.json").string()},
                       tmp_->path(), std::chrono::seconds(30));
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

// The port is held by a process benchgate did not start: the run does not start blindly;
// after a bounded wait it fails naming the port and the holder (pid, command).
TEST_F(SurvivorsTest, PortHeldByAnotherProcessFailsTheRunNamingTheHolder) {
  platform::SpawnOptions o;
  o.argv = {hello_server_binary().string(), "--port", port(), "--threads", "1"};
  o.stdout_path = tmp_->path() / "other.log";
  auto other = platform::Subprocess::spawn(o);
  ASSERT_TRUE(testing::wait_port(port_));
  write_suite(hello_command(), 1);
  auto r = run_command(run_args(), tmp_->path(), std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  const auto rf = results::read_results(out() / "results.json");
  ASSERT_EQ(rf.runs.size(), 1u);
  EXPECT_EQ(rf.runs[0].status, "failed");
  const auto& why = rf.runs[0].failure;
  EXPECT_NE(why.find("(port " + port() + " in use, still after 3s, held by pid " +
                     std::to_string(other.pid()) + " (" + hello_server_binary().string() +
                     " --port " + port() + " --threads 1))"),
            std::string::npos)
      << why;
  EXPECT_TRUE(other.valid() && !other.poll()) << "benchgate must not touch a foreign process";
  other.terminate();
}

// (5): `kill -9` of benchgate during a run. The app's top process has a parent-death signal:
// it dies with benchgate although nothing in benchgate runs after SIGKILL.
TEST_F(SurvivorsTest, KillNineOfBenchgateTakesTheAppWithIt) {
  write_suite(hello_command(), 50);
  const auto args = run_args();
  const auto err_file = tmp_->path() / "stderr";
  const pid_t pid = testing::spawn_command(args, tmp_->path() / "stdout", err_file);
  spawned_ = pid;
  // Wait until the app serves (a run is under way).
  pid_t app = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (app == 0 && std::chrono::steady_clock::now() < deadline) {
    for (pid_t d : testing::descendants(pid)) {
      const auto cmd = read_text("/proc/" + std::to_string(d) + "/cmdline");
      if (cmd.find(hello_server_binary().string()) == 0 && testing::port_open(port_)) app = d;
    }
    if (app == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_NE(app, 0) << "the app never came up: " << read_text(err_file);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);  // benchgate only, not its process group
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  spawned_ = 0;
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(none_with_arg_within(port(), std::chrono::seconds(5)))
      << "the app (pid " << app << ") outlived benchgate";
  EXPECT_FALSE(testing::process_alive(app));
}

}  // namespace
}  // namespace benchgate
