// `benchgate drive --client-host`: the load driver runs over ssh. The test starts its own sshd
// on a free loopback port (generated host and client keys, its own authorized_keys, runs as
// root) and drives the example server with the real wrk through it. wrk is started through a
// small wrapper (--tool-path) that records sshd's SSH_CONNECTION variable before it execs wrk,
// which shows that wrk ran in the ssh session and not locally.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
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
using testing::free_port;
using testing::hello_server_binary;
using testing::processes_with;
using testing::read_text;
using testing::run_command;

constexpr const char* kSshd = "/usr/sbin/sshd";

class RemoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kSshd)) GTEST_SKIP() << "no /usr/sbin/sshd (apt-get install openssh-server)";
    if (!platform::find_executable("ssh") || !platform::find_executable("ssh-keygen")) {
      GTEST_SKIP() << "no ssh or ssh-keygen (apt-get install openssh-client)";
    }
    if (::geteuid() != 0) GTEST_SKIP() << "sshd must run as root to accept a login";
    if (!platform::find_executable("wrk")) GTEST_SKIP() << "wrk is not installed (ci/setup.sh)";
    tmp_ = std::make_unique<platform::TempDir>("bg-remote");
    dir_ = tmp_->path();
    app_port_ = free_port();
    url_ = "http://127.0.0.1:" + std::to_string(app_port_) + "/plaintext";
    start_sshd();
  }

  void TearDown() override {
    if (sshd_) {
      // By its pid (Subprocess keeps it): SIGTERM, then SIGKILL after the grace period.
      sshd_->terminate(std::chrono::seconds(2));
      EXPECT_FALSE(testing::process_alive(sshd_->pid()));
    }
  }

  void keygen(const fs::path& key) {
    auto r = run_command(
        {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "benchgate-test", "-f", key.string()},
        dir_ / "keygen");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  void start_sshd() {
    keygen(dir_ / "hostkey");
    keygen(dir_ / "clientkey");
    fs::copy_file(dir_ / "clientkey.pub", dir_ / "authorized_keys");
    // sshd refuses to start without its privilege separation directory.
    std::error_code ec;
    fs::create_directories("/run/sshd", ec);
    ssh_port_ = free_port();
    std::ofstream(dir_ / "sshd_config")
        << "Port " << ssh_port_ << "\n"
        << "ListenAddress 127.0.0.1\n"
        << "HostKey " << (dir_ / "hostkey").string() << "\n"
        << "AuthorizedKeysFile " << (dir_ / "authorized_keys").string() << "\n"
        << "PidFile " << (dir_ / "sshd.pid").string() << "\n"
        << "StrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\n"
        << "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        << "LogLevel VERBOSE\n";
    auto check = run_command({kSshd, "-t", "-f", (dir_ / "sshd_config").string()}, dir_ / "check");
    ASSERT_EQ(check.exit_code, 0) << "sshd -t: " << check.err;
    platform::SpawnOptions so;
    so.argv = {kSshd, "-D",
               "-f",  (dir_ / "sshd_config").string(),
               "-p",  std::to_string(ssh_port_),
               "-E",  (dir_ / "sshd.log").string()};
    sshd_.emplace(platform::Subprocess::spawn(so));
    ASSERT_TRUE(testing::wait_port(ssh_port_)) << read_text(dir_ / "sshd.log");
  }

  std::string ssh_options() const {
    return "-p " + std::to_string(ssh_port_) + " -i " + (dir_ / "clientkey").string() +
           " -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null";
  }

  std::vector<std::string> drive_args(std::vector<std::string> extra) {
    std::vector<std::string> a = {
        benchgate_binary().string(),
        "drive",
        "--name",
        "remote",
        "--app",
        hello_server_binary().string() + " --port " + std::to_string(app_port_),
        "--url",
        url_,
        "--out",
        (dir_ / "out").string(),
        "--duration",
        "1s",
        "--warmup",
        "0s",
        "--interval",
        "100ms",
        "--client-host",
        "127.0.0.1",
        "--ssh-options",
        ssh_options()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  /// `args` run locally: without `--client-host HOST --ssh-options OPTIONS`.
  static std::vector<std::string> without_client_host(std::vector<std::string> args) {
    const auto host = std::find(args.begin(), args.end(), "--client-host");
    EXPECT_NE(host, args.end());
    if (host != args.end()) args.erase(host, host + 4);
    return args;
  }

  /// Runs `drive` with its output in dir_/<out> instead of dir_/out; its first period.
  results::PeriodResult period_of(std::vector<std::string> args, const std::string& out) {
    for (auto& a : args) {
      if (a == (dir_ / "out").string()) a = (dir_ / out).string();
    }
    auto r = run_command(args, dir_, std::chrono::seconds(90));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err << read_text(dir_ / "sshd.log");
    auto rf = results::read_results(dir_ / out / "results.json");
    return rf.runs.at(0).periods.at(0);
  }

  std::unique_ptr<platform::TempDir> tmp_;
  fs::path dir_;
  int app_port_ = 0, ssh_port_ = 0;
  std::string url_;
  std::optional<platform::Subprocess> sshd_;
};

TEST_F(RemoteTest, WrkRunsOverSsh) {
  const auto wrapper = dir_ / "wrk-over-ssh";
  std::ofstream(wrapper) << "#!/bin/sh\n"
                         << "echo \"$SSH_CONNECTION\" >> " << (dir_ / "ssh_connection.log").string()
                         << "\nexec wrk \"$@\"\n";
  ::chmod(wrapper.c_str(), 0755);
  auto r = run_command(drive_args({"--driver", "wrk", "--clients", "4", "--tool-path",
                                   wrapper.string(), "--warmup", "1s"}),
                       dir_, std::chrono::seconds(90));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << "\nsshd log:\n" << read_text(dir_ / "sshd.log");
  auto rf = results::read_results(dir_ / "out" / "results.json");
  const auto& p = rf.runs.at(0).periods.at(0);
  EXPECT_EQ(p.status, "ok") << p.reason;
  EXPECT_GT(p.driver.requests, 100);
  EXPECT_GT(p.driver.throughput, 100);
  EXPECT_EQ(p.driver.driver_cpu_s, 0) << "a remote driver's CPU time is not known here";
  ASSERT_FALSE(p.driver.command.empty());
  EXPECT_EQ(p.driver.command.front(), "ssh");
  const auto host = std::find(p.driver.command.begin(), p.driver.command.end(), "127.0.0.1");
  ASSERT_NE(host, p.driver.command.end());
  // The host comes after "--": nothing in client_host can be read by ssh as an option.
  EXPECT_EQ(*std::prev(host), "--");
  // Both wrk runs (warm-up and measured) came in over our sshd.
  const auto conn = read_text(dir_ / "ssh_connection.log");
  const std::string server_end = " 127.0.0.1 " + std::to_string(ssh_port_) + "\n";
  std::size_t runs = 0;
  for (auto pos = conn.find(server_end); pos != std::string::npos;
       pos = conn.find(server_end, pos + 1)) {
    ++runs;
  }
  EXPECT_EQ(runs, 2u) << conn;
  const auto log = read_text(dir_ / "sshd.log");
  EXPECT_NE(log.find("Accepted publickey for"), std::string::npos) << log;
  EXPECT_EQ(rf.suite.value("client_host", ""), "127.0.0.1");
  std::cout << "[ info ] wrk over ssh: " << p.driver.requests << " requests, "
            << p.driver.throughput << " req/s\n";
}

// The app's CPU and RSS window over ssh is the remote tool's own lifetime (the remote shell
// prints a marker right before wrk and right after it), not ssh's connection set-up and
// tear-down: the window is as long as wrk's own measured duration, so the app's CPU % is its
// CPU time over the load period within 5 %. Before, the window also held ssh's set-up and
// tear-down (1.43 s for 1.10 s of load) and CPU % was understated by 16-23 %. A local run of
// the same wrk is printed beside it: with closed-loop wrk the two loads are only the same on
// a quiet machine (on a busy 2-core one the ssh-driven wrk got a third of the throughput), so
// the local CPU % is information, not the assertion; a constant-rate remote driver (wrk2)
// would make it one.
TEST_F(RemoteTest, AppCpuWindowIsTheRemoteToolsOwn) {
  const std::vector<std::string> load = {
      "--driver",
      "wrk",
      "--clients",
      "8",
      "--duration",
      "2s",
      "--app",
      hello_server_binary().string() + " --port " + std::to_string(app_port_) + " --work-us 30"};
  const auto remote_args = drive_args(load);
  const auto local_args = without_client_host(remote_args);
  const auto local = period_of(local_args, "local");
  const auto remote = period_of(remote_args, "remote");
  ASSERT_EQ(local.status, "ok") << local.reason;
  ASSERT_EQ(remote.status, "ok") << remote.reason;
  EXPECT_EQ(remote.driver.command.front(), "ssh");
  // The window is wrk's own run, not ssh's: about as long as wrk's measured 2 s.
  EXPECT_NEAR(remote.app.duration_s, remote.driver.duration_s, 0.15)
      << "app window " << remote.app.duration_s << " s, wrk measured " << remote.driver.duration_s;
  ASSERT_GT(remote.driver.duration_s, 0);
  const double over_load = remote.app.cpu_total_s() / remote.driver.duration_s * 100;
  EXPECT_NEAR(remote.app.cpu_percent, over_load, 0.05 * over_load)
      << "reported " << remote.app.cpu_percent << " %, CPU time over wrk's period " << over_load;
  std::cout << "[ info ] app CPU: local " << local.app.cpu_percent << " % over "
            << local.app.duration_s << " s, over ssh " << remote.app.cpu_percent << " % over "
            << remote.app.duration_s << " s (wrk measured " << remote.driver.duration_s
            << " s); throughput local " << local.driver.throughput << " req/s, over ssh "
            << remote.driver.throughput << " req/s\n";
}

// The same load locally and over ssh gives the same app CPU %. wrk has no rate limit, so the
// load is set by think time: a Lua delay() of 4 ms before each request on each of 4
// connections (≈ 1,000 req/s at most, well below what the app can serve) and 200 µs of work
// per request. On a busy machine the timers slip and the rate varies from run to run, so each
// side's CPU % is compared per request/s (CPU % ÷ throughput: the CPU time per request when
// the window is the tool's own, smaller when the window is too long, as it was when it
// included ssh's set-up and tear-down: 16–23 % understated). Three local/remote pairs, the
// median ratio; bench/remote-window.sh repeats this for the figure in the README.
TEST_F(RemoteTest, SameLoadGivesTheSameAppCpuLocallyAndOverSsh) {
  const auto script = dir_ / "think.lua";
  std::ofstream(script) << "function delay()\n  return 4\nend\n";
  const std::vector<std::string> load = {
      "--driver",
      "wrk",
      "--clients",
      "4",
      "--driver-threads",
      "1",
      "--duration",
      "2s",
      "--wrk-script",
      script.string(),
      "--app",
      hello_server_binary().string() + " --port " + std::to_string(app_port_) + " --work-us 200"};
  const auto remote_args = drive_args(load);
  const auto local_args = without_client_host(remote_args);
  std::vector<double> ratios;
  for (int i = 0; i < 3; ++i) {
    const auto local = period_of(local_args, "local" + std::to_string(i));
    const auto remote = period_of(remote_args, "remote" + std::to_string(i));
    ASSERT_EQ(local.status, "ok") << local.reason;
    ASSERT_EQ(remote.status, "ok") << remote.reason;
    ASSERT_GT(local.driver.throughput, 0);
    ASSERT_GT(remote.driver.throughput, 0);
    const double l = local.app.cpu_percent / local.driver.throughput;
    const double r = remote.app.cpu_percent / remote.driver.throughput;
    ratios.push_back(r / l);
    std::cout << "[ info ] pair " << i + 1 << ": local " << local.driver.throughput
              << " req/s, app CPU " << local.app.cpu_percent << " %; over ssh "
              << remote.driver.throughput << " req/s, app CPU " << remote.app.cpu_percent
              << " %; CPU % per req/s over ssh / local = " << r / l << std::endl;
  }
  std::sort(ratios.begin(), ratios.end());
  std::cout << "[ info ] median ratio " << ratios[1] << std::endl;
  EXPECT_NEAR(ratios[1], 1.0, 0.10) << "the remote window is not the tool's own";
}

TEST_F(RemoteTest, SshFailureIsARunErrorWithSshsMessage) {
  // The right sshd, but a key it does not know: ssh exits 255 (BatchMode: no password prompt).
  keygen(dir_ / "otherkey");
  // A later --ssh-options replaces the earlier one.
  auto args =
      drive_args({"--driver", "wrk", "--clients", "2", "--ssh-options",
                  "-p " + std::to_string(ssh_port_) + " -i " + (dir_ / "otherkey").string() +
                      " -F /dev/null -o IdentitiesOnly=yes -o StrictHostKeyChecking=no "
                      "-o UserKnownHostsFile=/dev/null"});
  auto r = run_command(args, dir_, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("ssh to 127.0.0.1 failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  std::cout << "[ info ] " << r.err;
}

TEST_F(RemoteTest, InterruptHangsUpTheRemoteTool) {
  // wrk over ssh for 20 s, SIGINT after 2 s: benchgate stops ssh; with -tt sshd hangs up the
  // session, so the remote wrk must not run on to the end of its 20 s.
  auto args = drive_args({"--driver", "wrk", "--clients", "2", "--duration", "20s"});
  const pid_t pid = testing::spawn_command(args, "/dev/null", dir_ / "stderr");
  std::vector<pid_t> running;
  for (int i = 0; i < 100 && running.empty(); ++i) {  // up to 5 s for ssh to start wrk
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (pid_t p : processes_with(url_)) {
      if (read_text("/proc/" + std::to_string(p) + "/comm") == "wrk\n") running.push_back(p);
    }
  }
  ASSERT_FALSE(running.empty()) << "the remote wrk never started: " << read_text(dir_ / "stderr");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << read_text(dir_ / "stderr");
  bool gone = false;
  for (int i = 0; i < 60 && !gone; ++i) {  // up to 3 s for sshd to hang up
    gone = std::none_of(running.begin(), running.end(),
                        [](pid_t p) { return testing::process_alive(p); });
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(gone) << "the remote wrk ran on after the interrupt";
  for (pid_t p : running) {
    if (testing::process_alive(p)) ::kill(p, SIGKILL);  // our own leftover, by pid
  }
}

}  // namespace
}  // namespace benchgate
