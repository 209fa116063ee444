// `benchgate drive` end to end: real processes on loopback (the example server, nginx, wrk).

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/parse.h"
#include "platform/fs.h"
#include "platform/numa.h"
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
using testing::run_command;

class DriveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = std::make_unique<platform::TempDir>("bg-drive");
    port_ = free_port();
    url_ = "http://127.0.0.1:" + std::to_string(port_) + "/plaintext";
  }

  std::vector<std::string> drive_args(const std::string& app, std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {benchgate_binary().string(),
                                  "drive",
                                  "--name",
                                  "t",
                                  "--app",
                                  app,
                                  "--url",
                                  url_,
                                  "--out",
                                  out().string(),
                                  "--duration",
                                  "1s",
                                  "--warmup",
                                  "0s",
                                  "--interval",
                                  "100ms"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  std::string hello(const std::string& extra = "") {
    return hello_server_binary().string() + " --port " + std::to_string(port_) + " " + extra;
  }

  fs::path out() const { return tmp_->path() / "out"; }

  nlohmann::json results() { return results::read_json_file(out() / "results.json"); }

  std::unique_ptr<platform::TempDir> tmp_;
  int port_ = 0;
  std::string url_;
};

TEST_F(DriveTest, ExampleServerWithWrk) {
  auto r = run_command(drive_args(hello(), {"--driver", "wrk", "--clients", "4,8", "--cpus", "0"}),
                       tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto rf = results::read_results(out() / "results.json");  // schema-validated
  ASSERT_EQ(rf.runs.size(), 1u);
  const auto& run = rf.runs[0];
  EXPECT_EQ(run.status, "ok");
  EXPECT_TRUE(run.termination.expected) << run.termination.description;
  ASSERT_EQ(run.periods.size(), 2u);
  for (const auto& p : run.periods) {
    EXPECT_EQ(p.status, "ok") << p.reason;
    EXPECT_GT(p.driver.throughput, 100);
    EXPECT_GT(p.app.cpu_total_s(), 0.05);  // the server worked during the period
    EXPECT_GT(p.app.rss_peak, 100 * 1024);
    EXPECT_GT(p.metrics.at("cpu_per_request"), 0);
    EXPECT_GT(p.metrics.at("latency_p99"), 0);
    EXPECT_FALSE(p.app.traces.empty());
  }
  EXPECT_GT(run.startup.time_to_ready_s, 0);
  EXPECT_LT(run.startup.time_to_ready_s, 5);
  EXPECT_GT(run.metrics.at("idle_rss"), 0);
  EXPECT_TRUE(fs::exists(out() / "artifacts" / "run" / "app-0.log"));
  EXPECT_TRUE(fs::exists(out() / run.periods[0].driver.raw_output));
  EXPECT_NE(r.out.find("c=4"), std::string::npos) << r.out;
  EXPECT_FALSE(testing::port_open(port_)) << "the server must be stopped";
}

TEST_F(DriveTest, NginxWithWrk) {
  if (!platform::find_executable("nginx") && !fs::exists("/usr/sbin/nginx")) {
    GTEST_SKIP() << "nginx is not installed (ci/setup.sh installs it)";
  }
  const auto dir = tmp_->path() / "nginx";
  fs::create_directories(dir / "logs");
  std::ofstream(dir / "nginx.conf") << "worker_processes 1;\ndaemon off;\n"
                                    << "pid " << (dir / "nginx.pid").string() << ";\n"
                                    << "error_log " << (dir / "logs/error.log").string() << ";\n"
                                    << "events { worker_connections 1024; }\n"
                                    << "http { access_log off;\n"
                                    << "  server { listen 127.0.0.1:" << port_ << ";\n"
                                    << "    location /plaintext { default_type text/plain; "
                                       "return 200 'Hello, World!'; } } }\n";
  const std::string app =
      "/usr/sbin/nginx -c " + (dir / "nginx.conf").string() + " -p " + dir.string();
  auto r = run_command(drive_args(app, {"--driver", "wrk", "--clients", "8"}), tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto rf = results::read_results(out() / "results.json");
  const auto& p = rf.runs[0].periods.at(0);
  EXPECT_EQ(p.status, "ok");
  EXPECT_GT(p.driver.throughput, 1000);
  EXPECT_EQ(p.driver.non_2xx_3xx, 0);
  ASSERT_EQ(p.app.per_process.size(), 2u);  // master + worker
  double worker_cpu = 0;
  for (const auto& proc : p.app.per_process) {
    if (proc.pid != rf.runs[0].instances[0].pid) worker_cpu = proc.cpu_user_s + proc.cpu_sys_s;
  }
  EXPECT_GT(worker_cpu, 0.05) << "the worker serves the load";
  EXPECT_TRUE(rf.runs[0].termination.expected) << rf.runs[0].termination.description;
}

TEST_F(DriveTest, ForkingServerWorkersAreFoundAndMeasured) {
  auto r = run_command(drive_args(hello("--workers 2"), {"--driver", "wrk", "--clients", "8"}),
                       tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto rf = results::read_results(out() / "results.json");
  const auto& p = rf.runs[0].periods.at(0);
  ASSERT_GE(p.app.per_process.size(), 3u);  // master + 2 workers
  int busy_workers = 0;
  for (const auto& proc : p.app.per_process) {
    if (proc.ppid == rf.runs[0].instances[0].pid && proc.cpu_user_s + proc.cpu_sys_s > 0.01) {
      ++busy_workers;
    }
  }
  EXPECT_GE(busy_workers, 1);
  EXPECT_GE(p.app.processes, 3);
}

// A load point the driver marks invalid (here every response is a 404 above the default
// max_error_rate of 1 %) fails its run: the header, the recorded run status, the
// "run failed" line and the exit code agree.
TEST_F(DriveTest, InvalidLoadPointFailsTheRun) {
  url_ = "http://127.0.0.1:" + std::to_string(port_) + "/nonexistent";
  auto r = run_command(drive_args(hello(), {"--clients", "2,4"}), tmp_->path());
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.out.find("t — " + url_ + " (failed)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("(ok)"), std::string::npos) << r.out;
  const auto line = r.err.find("benchgate: run failed: load point c=2 invalid: ");
  ASSERT_NE(line, std::string::npos) << r.err;
  const auto failed_line = r.err.substr(line, r.err.find('\n', line) - line);
  EXPECT_NE(failed_line.find("(100 %) were errors, above max_error_rate 1 %: 404 ×"),
            std::string::npos)
      << failed_line;
  EXPECT_NE(failed_line.find("load point c=4 invalid: "), std::string::npos) << failed_line;

  auto rf = results::read_results(out() / "results.json");  // schema-validated
  ASSERT_EQ(rf.runs.size(), 1u);
  const auto& run = rf.runs[0];
  EXPECT_EQ(run.status, "failed");
  EXPECT_EQ(run.failure_kind, "invalid");
  EXPECT_EQ(run.failure, failed_line.substr(std::string("benchgate: run failed: ").size()));
  ASSERT_EQ(run.periods.size(), 2u) << "the other load points still run";
  for (const auto& p : run.periods) {
    EXPECT_EQ(p.status, "invalid");
    ASSERT_TRUE(p.driver.status_codes.count("404")) << p.reason;
    const auto n = p.driver.status_codes.at("404");
    EXPECT_GT(n, 0);
    EXPECT_EQ(p.driver.non_2xx_3xx, n);
    EXPECT_EQ(p.driver.requests, n);
    EXPECT_NE(p.reason.find("404 ×"), std::string::npos) << p.reason;
  }
  EXPECT_FALSE(testing::port_open(port_)) << "the server must be stopped";
}

TEST_F(DriveTest, CrashMidRunIsReported) {
  auto r = run_command(
      drive_args(hello("--crash-after 2000"), {"--driver", "wrk", "--clients", "4"}), tmp_->path());
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  auto j = results();
  EXPECT_EQ(j["runs"][0]["status"], "failed");
  const std::string failure = j["runs"][0]["failure"];
  EXPECT_NE(failure.find("SIGABRT"), std::string::npos) << failure;
}

TEST_F(DriveTest, NeverReady) {
  auto r = run_command(drive_args("/bin/sh -c 'echo starting up; sleep 30'",
                                  {"--driver", "sleep", "--ready-timeout", "500ms"}),
                       tmp_->path());
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("never became ready"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("starting up"), std::string::npos) << "log tail expected: " << r.err;
}

TEST_F(DriveTest, PortAlreadyInUse) {
  platform::SpawnOptions o;
  o.argv = {hello_server_binary().string(), "--port", std::to_string(port_)};
  auto other = platform::Subprocess::spawn(o);
  ASSERT_TRUE(testing::wait_port(port_));
  auto r = run_command(drive_args(hello(), {"--driver", "sleep"}), tmp_->path());
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("already answers at " + url_), std::string::npos) << r.err;
}

TEST_F(DriveTest, DriverMissingFromPath) {
  auto r = run_command(drive_args(hello(), {"--driver", "wrk"}), tmp_->path(),
                       std::chrono::seconds(30), {"PATH=/nonexistent"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("wrk not found on PATH"), std::string::npos) << r.err;
}

// wrk's -d takes whole seconds: 100ms is refused before anything starts (it was -d1s).
TEST_F(DriveTest, WrkSubSecondDurationExitsTwo) {
  auto a = drive_args(hello(), {"--driver", "wrk", "--clients", "2"});
  ASSERT_EQ(a[10], "--duration");
  a[11] = "100ms";
  auto r = run_command(a, tmp_->path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--duration: wrk takes whole seconds: duration 100ms; use ≥ 1s or the "
                       "builtin driver"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out() / "results.json"));
}

// A server that closes every connection after its response (Python's http.server speaks
// HTTP/1.0), with keep-alive asked for: every request reconnects, so keep-alive is reported
// as it happened (no reuse), connect time is recorded, and the mean latency (timed from the
// start of connecting) obeys Little's law. Before, latency was timed from the send (3.7 ms
// where Little's law gave ~79 ms) and keep-alive said true.
TEST_F(DriveTest, ConnectionPerRequestServerLatencyIncludesTheConnect) {
  if (std::system("python3 -c 'import http.server' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 with http.server is not installed";
  }
  const auto root = tmp_->path() / "www";
  fs::create_directories(root);
  std::ofstream(root / "hello.txt") << "hello\n";
  auto args = drive_args("python3 -m http.server " + std::to_string(port_) + " --bind 127.0.0.1",
                         {"--clients", "4", "--cwd", root.string()});
  args[7] = "http://127.0.0.1:" + std::to_string(port_) + "/hello.txt";
  auto r = run_command(args, tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto rf = results::read_results(out() / "results.json");
  ASSERT_EQ(rf.runs.size(), 1u);
  ASSERT_EQ(rf.runs[0].periods.size(), 1u);
  const auto& d = rf.runs[0].periods[0].driver;
  ASSERT_GT(d.throughput, 50);
  EXPECT_EQ(d.extra.value("keepalive_reused", 1.0), 0.0) << d.extra.dump();
  EXPECT_EQ(d.extra.value("keepalive", true), false) << d.extra.dump();
  EXPECT_GE(d.extra.value("connections_opened", 0.0), 0.9 * d.throughput) << d.extra.dump();
  ASSERT_TRUE(d.extra.contains("connect_time"));
  EXPECT_GT(d.extra["connect_time"].value("mean_s", 0.0), 0);
  const double little = 4 / d.throughput;
  EXPECT_GT(d.latency.mean, 0.8 * little) << "mean " << d.latency.mean << " s vs " << little;
  EXPECT_LT(d.latency.mean, 1.2 * little) << "mean " << d.latency.mean << " s vs " << little;
}

// numa_node on this machine, and the RSS and per-CPU user/sys traces as CSV artifacts. A
// single-node machine (this one) runs the app unbound and says why in the run's warnings; a
// multi-node machine with numactl runs it under numactl.
TEST_F(DriveTest, NumaNodeAndTraceCsvFiles) {
  auto r = run_command(drive_args(hello(), {"--clients", "2", "--numa-node", "0", "--cpus", "0"}),
                       tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto rf = results::read_results(out() / "results.json");
  const auto& run = rf.runs.at(0);
  const auto nodes = platform::numa_nodes();
  if (!nodes.unavailable.empty()) {
    EXPECT_NE(std::find(run.warnings.begin(), run.warnings.end(),
                        "numa_node 0: unavailable: " + nodes.unavailable),
              run.warnings.end())
        << r.err;
    EXPECT_EQ(run.instances.at(0).command.front(), hello_server_binary().string());
  } else if (platform::find_executable("numactl")) {
    EXPECT_NE(run.instances.at(0).command.front().find("numactl"), std::string::npos);
  }
  EXPECT_EQ(rf.suite.value("numa_node", -1), 0) << rf.suite.dump();
  std::map<std::string, std::string> csv;
  for (const auto& a : run.artifacts) {
    if (a.kind == "rss-csv" || a.kind == "cpu-csv")
      csv[a.kind] = testing::read_text(out() / a.path);
  }
  ASSERT_EQ(csv.size(), 2u);
  const auto rss = split(csv["rss-csv"], '\n', true);
  ASSERT_GE(rss.size(), 5u) << csv["rss-csv"];  // header + 1 s at 100 ms
  EXPECT_EQ(rss[0].rfind("t_s,rss_total,rss:", 0), 0u) << rss[0];
  // Every row: as many fields as the header, a positive summed RSS.
  for (std::size_t i = 1; i < rss.size(); ++i) {
    const auto f = split(rss[i], ',');
    EXPECT_EQ(f.size(), split(rss[0], ',').size()) << rss[i];
    EXPECT_GT(std::stod(f.at(1)), 1e5) << rss[i];
  }
  const auto cpu = split(csv["cpu-csv"], '\n', true);
  EXPECT_EQ(cpu.at(0),
            "t_s,cpu_percent,cpu_user_percent,cpu_sys_percent,cpu0_user,cpu0_sys,cpu0_busy");
  EXPECT_EQ(cpu.size(), rss.size());
}

// `report` on a drive result prints what drive printed (one run over its load points), not a
// compare table, and says where the reports went.
TEST_F(DriveTest, ReportOnADriveResultIsADriveReport) {
  auto r = run_command(drive_args(hello(), {"--clients", "2,4"}), tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto rep = run_command(
      {benchgate_binary().string(), "report", (out() / "results.json").string(), "--no-color"},
      tmp_->path());
  EXPECT_EQ(rep.exit_code, 0) << rep.err;
  const auto summary = r.out.substr(0, r.out.rfind("results: "));
  ASSERT_FALSE(summary.empty()) << r.out;
  EXPECT_EQ(rep.out, summary + "reports: " + out().string() + "\n");
  EXPECT_TRUE(fs::exists(out() / "summary.md"));
}

// A new connection per request (Connection: close): the built-in driver times each request
// from the start of connecting, so mean latency obeys Little's law (clients = throughput ×
// latency in a closed loop), and keep-alive is reported as it happened: never.
TEST_F(DriveTest, ConnectionPerRequestLatencyIncludesTheConnect) {
  auto r = run_command(drive_args(hello(), {"--clients", "16", "--no-keepalive"}), tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto rf = results::read_results(out() / "results.json");
  ASSERT_EQ(rf.runs.size(), 1u);
  ASSERT_EQ(rf.runs[0].periods.size(), 1u);
  const auto& d = rf.runs[0].periods[0].driver;
  ASSERT_GT(d.throughput, 100);
  EXPECT_EQ(d.extra.value("keepalive", true), false);
  EXPECT_EQ(d.extra.value("keepalive_reused", 1.0), 0.0);
  EXPECT_GT(d.extra.value("connections_opened", 0), 100);
  ASSERT_TRUE(d.extra.contains("connect_time"));
  const double connect_mean = d.extra["connect_time"].value("mean_s", 0.0);
  EXPECT_GT(connect_mean, 0);
  EXPECT_GE(d.latency.mean, connect_mean);
  // Little's law: 16 clients always busy (connecting or waiting) -> 16 / X seconds each.
  const double little = 16 / d.throughput;
  EXPECT_GT(d.latency.mean, 0.8 * little) << "mean " << d.latency.mean << " s vs " << little;
  EXPECT_LT(d.latency.mean, 1.2 * little) << "mean " << d.latency.mean << " s vs " << little;
}

TEST_F(DriveTest, BadInputExitsTwoNamingTheOption) {
  struct Case {
    std::vector<std::string> extra;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"--driver", "wrkk"}, "unknown driver 'wrkk'"},
      {{"--cpus", "0-"}, "--cpus: expected a CPU list"},
      {{"--cpus", "4000"}, "--cpus: CPU 4000 is not available"},
      {{"--duration", "ten"}, "--duration: expected a positive duration"},
      {{"--clients", "0"}, "--clients: expected a comma-separated list of positive integers"},
  };
  for (const auto& c : cases) {
    auto r = run_command(drive_args(hello(), c.extra), tmp_->path());
    EXPECT_EQ(r.exit_code, 2) << c.expect << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
  }
  auto bad_url = drive_args(hello());
  bad_url[7] = "127.0.0.1:8080/x";
  auto r = run_command(bad_url, tmp_->path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--url: expected an http:// or https:// URL"), std::string::npos) << r.err;
  auto missing =
      run_command(drive_args("/no/such/app --port 1", {"--driver", "sleep"}), tmp_->path());
  EXPECT_EQ(missing.exit_code, 4) << missing.err;
  EXPECT_NE(missing.err.find("cannot start '/no/such/app'"), std::string::npos) << missing.err;
  auto no_app = run_command({benchgate_binary().string(), "drive", "--name", "x", "--url", url_},
                            tmp_->path());
  EXPECT_EQ(no_app.exit_code, 2);
  EXPECT_NE(no_app.err.find("--app"), std::string::npos) << no_app.err;
}

// SIGINT at several moments: while waiting for readiness, during the warm-up, during the
// measured period. Each time: exit 130 within the deadline, results.json with status
// "interrupted", and no process left behind.
TEST_F(DriveTest, InterruptLeavesNothingRunning) {
  struct Moment {
    std::string app_extra;
    std::vector<std::string> args;
    int delay_ms;
  };
  const std::vector<Moment> moments = {
      {"--startup-delay-ms 3000", {"--driver", "sleep"}, 300},
      {"", {"--driver", "wrk", "--warmup", "3s", "--duration", "3s"}, 700},
      {"--workers 2", {"--driver", "wrk", "--duration", "5s"}, 1500},
  };
  for (const auto& m : moments) {
    SetUp();
    auto args = drive_args(hello(m.app_extra), m.args);
    const pid_t pid = testing::spawn_command(args, "/dev/null", tmp_->path() / "stderr");
    std::this_thread::sleep_for(std::chrono::milliseconds(m.delay_ms));
    auto before = testing::descendants(pid);
    ASSERT_EQ(::kill(pid, SIGINT), 0);
    const auto t0 = std::chrono::steady_clock::now();
    int status = 0;
    ::waitpid(pid, &status, 0);
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_LT(took, std::chrono::seconds(2)) << m.app_extra;
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130) << testing::read_text(tmp_->path() / "stderr");
    auto j = results();
    EXPECT_EQ(j["status"], "interrupted");
    EXPECT_FALSE(before.empty()) << "the app should have been running";
    for (pid_t p : before)
      EXPECT_FALSE(testing::process_alive(p)) << "left running: " << p;
    EXPECT_FALSE(testing::port_open(port_));
  }
}

}  // namespace
}  // namespace benchgate
