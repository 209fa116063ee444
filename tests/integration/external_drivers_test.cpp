// `benchgate drive --driver wrk2|jmeter` end to end against the example server.
//
// wrk2 is not packaged for Debian, and Debian 12's jmeter 2.13 cannot load any test plan
// (tests/data/jmeter/README.md), so neither tool runs here. Each test writes a small fake
// executable first on PATH: it checks the argv benchgate gives it (exactly, or the parts that
// matter) and prints a recorded real output from tests/data (JMeter: also copies the recorded
// JTL and log to the -l and -j paths). What is tested is benchgate's side: the command line,
// reading the outputs, the result, the exit codes and messages.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "platform/fs.h"
#include "results/json.h"
#include "test_support.h"

namespace benchgate {
namespace {

namespace fs = std::filesystem;
using testing::benchgate_binary;
using testing::data_path;
using testing::free_port;
using testing::hello_server_binary;
using testing::run_command;

class ExternalDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = std::make_unique<platform::TempDir>("bg-extdrv");
    port_ = free_port();
    url_ = "http://127.0.0.1:" + std::to_string(port_) + "/plaintext";
    fs::create_directories(bin());
  }

  fs::path bin() const { return tmp_->path() / "bin"; }
  fs::path out() const { return tmp_->path() / "out"; }

  /// PATH with the fake tools first.
  std::vector<std::string> env() const {
    const char* path = std::getenv("PATH");
    return {"PATH=" + bin().string() + ":" + (path ? path : "/usr/bin:/bin")};
  }

  void write_script(const std::string& name, const std::string& body) {
    const auto p = bin() / name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    ::chmod(p.c_str(), 0755);
  }

  std::vector<std::string> drive_args(std::vector<std::string> extra) {
    std::vector<std::string> a = {
        benchgate_binary().string(),
        "drive",
        "--name",
        "t",
        "--app",
        hello_server_binary().string() + " --port " + std::to_string(port_),
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

  std::unique_ptr<platform::TempDir> tmp_;
  int port_ = 0;
  std::string url_;
};

// A fake wrk2: exits 9 unless its arguments are exactly `expected`; logs them; prints `fixture`.
std::string fake_wrk2(const std::string& expected, const fs::path& fixture) {
  return "echo \"$*\" >> \"$(dirname \"$0\")/wrk2.argv\"\n"
         "if [ \"$*\" != '" +
         expected +
         "' ]; then\n"
         "  echo \"fake wrk2: unexpected arguments: $*\" >&2; exit 9\n"
         "fi\n"
         "cat '" +
         fixture.string() + "'\n";
}

TEST_F(ExternalDriverTest, Wrk2RunsAtTheRateWithCalibrationAdded) {
  // 1 s measured + calibration 10 s + 5 ms x 4 connections = 11.02 s, rounded up: -d12s.
  const std::string expected = "-t2 -c4 -d12s -R 2000 --timeout 2s --latency " + url_;
  write_script("wrk2", fake_wrk2(expected, data_path("wrk2/R2000_t2_c16_d15s.txt")));
  auto r = run_command(drive_args({"--driver", "wrk2", "--clients", "4", "--rates", "2000",
                                   "--driver-threads", "2"}),
                       tmp_->path(), std::chrono::seconds(60), env());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(testing::read_text(bin() / "wrk2.argv"), expected + "\n") << "one run, no warm-up run";
  auto rf = results::read_results(out() / "results.json");  // schema-validated
  const auto& p = rf.runs.at(0).periods.at(0);
  EXPECT_EQ(p.status, "ok") << p.reason;
  EXPECT_EQ(p.point.rate, 2000);
  EXPECT_EQ(p.driver.driver, "wrk2");
  EXPECT_EQ(p.driver.requests, 29962);  // the recorded run
  EXPECT_EQ(p.driver.target_rate, 2000);
  EXPECT_NEAR(p.driver.duration_s, 15.0 - 10.02, 1e-9);  // the part after calibration
  EXPECT_NEAR(p.driver.latency.percentiles.at("99"), 2.36e-3, 1e-9);
  EXPECT_EQ(p.driver.command.at(0), "wrk2");
  EXPECT_TRUE(fs::exists(out() / p.driver.raw_output));
}

TEST_F(ExternalDriverTest, Wrk2LongWarmupAddsASeparateRunAndToolPathIsUsed) {
  const std::string expected_main = "-t1 -c1 -d12s -R 2000 --timeout 2s --latency " + url_;
  // Warm-up 12 s = calibration 10.005 s + a 1.995 s (-d2s) run without calibration.
  const std::string expected_warm = "-t1 -c1 -d2s -R 2000 --timeout 2s --latency " + url_;
  write_script("my-wrk2",
               "case \"$*\" in *-d2s*) echo \"$*\" >> \"$(dirname \"$0\")/warm.argv\"; cat '" +
                   data_path("wrk2/R2000_uncorrected_U_d5s.txt").string() + "'; exit 0;; esac\n" +
                   fake_wrk2(expected_main, data_path("wrk2/R2000_t2_c16_d15s.txt")));
  auto args =
      drive_args({"--driver", "wrk2", "--clients", "1", "--rates", "2000", "--driver-threads", "1",
                  "--tool-path", (bin() / "my-wrk2").string(), "--warmup", "12s"});
  // Only the warm-up run would take 12 s with a real wrk2; the fake answers at once.
  auto r = run_command(args, tmp_->path(), std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(testing::read_text(bin() / "warm.argv"), expected_warm + "\n");
  auto rf = results::read_results(out() / "results.json");
  EXPECT_EQ(rf.runs.at(0).periods.at(0).driver.command.at(0), (bin() / "my-wrk2").string());
}

TEST_F(ExternalDriverTest, Wrk2OverloadIsInvalidNotOk) {
  write_script("wrk2", "cat '" + data_path("wrk2/R500000_overload_d5s.txt").string() + "'\n");
  auto r = run_command(drive_args({"--driver", "wrk2", "--clients", "4", "--rates", "500000"}),
                       tmp_->path(), std::chrono::seconds(60), env());
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;  // a period that is not ok fails the run
  auto j = results::read_json_file(out() / "results.json");
  const auto& p = j["runs"][0]["periods"][0];
  EXPECT_EQ(p["status"], "invalid") << p.dump(1);
  EXPECT_NE(p["reason"].get<std::string>().find("below the 500000 requests/s target"),
            std::string::npos)
      << p["reason"];
  // The run failed, and everything printed says so.
  EXPECT_EQ(j["runs"][0]["status"], "failed");
  EXPECT_EQ(j["runs"][0]["failure_kind"], "invalid");
  EXPECT_NE(r.out.find("(failed)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("(ok)"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("benchgate: run failed: load point c=4 r=500000 invalid: wrk2 reached"),
            std::string::npos)
      << r.err;
}

TEST_F(ExternalDriverTest, Wrk2WithoutRateExitsTwoNamingRates) {
  write_script("wrk2", "exit 0\n");
  auto r = run_command(drive_args({"--driver", "wrk2", "--clients", "4"}), tmp_->path(),
                       std::chrono::seconds(30), env());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  // drive builds a one-scenario suite and validates it: the error names the rates setting.
  EXPECT_NE(r.err.find("rates: the wrk2 driver needs a list of request rates"), std::string::npos)
      << r.err;
}

TEST_F(ExternalDriverTest, ToolsMissingFromPathExitFourNamingTheTool) {
  for (const std::string tool : {"wrk2", "jmeter"}) {
    std::vector<std::string> extra = {"--driver", tool};
    if (tool == "wrk2") extra.insert(extra.end(), {"--rates", "100"});
    if (tool == "jmeter") {
      extra.insert(extra.end(), {"--jmeter-plan", data_path("jmeter/plan.jmx").string()});
    }
    auto r = run_command(drive_args(extra), tmp_->path(), std::chrono::seconds(30),
                         {"PATH=/nonexistent"});
    EXPECT_EQ(r.exit_code, 4) << tool << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(tool + " not found on PATH"), std::string::npos) << r.err;
  }
  auto r = run_command(
      drive_args({"--driver", "wrk2", "--rates", "100", "--tool-path", "/no/such/wrk2"}),
      tmp_->path(), std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("/no/such/wrk2 not found"), std::string::npos) << r.err;
}

// A fake jmeter: checks the arguments that matter, copies the recorded JTL and log to the -l
// and -j paths it was given, prints the recorded console output.
std::string fake_jmeter(const std::vector<std::string>& required, const fs::path& console,
                        const fs::path& jtl, const fs::path& log) {
  std::string s = "echo \"$*\" >> \"$(dirname \"$0\")/jmeter.argv\"\n";
  for (const auto& w : required) {
    s += "case \" $* \" in *' " + w + " '*) ;; *) echo \"fake jmeter: no '" + w +
         "' in: $*\" >&2; exit 9;; esac\n";
  }
  s += "while [ $# -gt 0 ]; do\n"
       "  case \"$1\" in -l) L=\"$2\"; shift;; -j) J=\"$2\"; shift;; esac; shift\n"
       "done\n";
  if (!jtl.empty()) s += "cp '" + jtl.string() + "' \"$L\"\n";
  s += "cp '" + log.string() + "' \"$J\"\n";
  s += "cat '" + console.string() + "'\n";
  return s;
}

TEST_F(ExternalDriverTest, JmeterRunsThePlanWithPropertiesAndReadsSummaryAndJtl) {
  const auto plan = data_path("jmeter/plan.jmx").string();
  write_script("jmeter",
               fake_jmeter({"-n", "-t " + plan, "-Jsummariser.name=summary", "-JTHREADS=8",
                            "-JDURATION=1", "-JHOST=127.0.0.1", "-JPORT=" + std::to_string(port_),
                            "-JPATH=/plaintext", "-JPROTOCOL=http", "-JTIMEOUT=2000"},
                           data_path("jmeter/timeouts_t8_d20_console.txt"),
                           data_path("jmeter/timeouts_t8_d20_results.jtl"),
                           data_path("jmeter/timeouts_t8_d20_jmeter.log")));
  auto r = run_command(drive_args({"--driver", "jmeter", "--clients", "8", "--jmeter-plan", plan}),
                       tmp_->path(), std::chrono::seconds(60), env());
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  auto j = results::read_json_file(out() / "results.json");
  const auto& p = j["runs"][0]["periods"][0];
  // The recorded run had 39 % read timeouts: the period is invalid, with the numbers read,
  // and the run failed.
  EXPECT_EQ(p["status"], "invalid") << r.err << p.dump(1);
  EXPECT_NE(
      p["reason"].get<std::string>().find("were errors, above max_error_rate 1 %: timeouts ×"),
      std::string::npos)
      << p["reason"];
  EXPECT_EQ(j["runs"][0]["status"], "failed");
  const auto& d = p["driver"];
  EXPECT_EQ(d["driver"], "jmeter");
  // Kept "+" intervals: 72 and 59 (6 s each). Left out: the 1-sample start and 53 in 5.1 s
  // (shorter than 90 % of the 6 s interval: partial), and the last (threads finishing).
  EXPECT_EQ(d["requests"], 72 + 59);
  EXPECT_GT(d["errors"]["timeout"].get<std::int64_t>(), 0) << d.dump(1);  // from the JTL
  EXPECT_GT(d["latency"]["percentiles"]["99"].get<double>(), 0.5);
  EXPECT_TRUE(fs::exists(out() / d["raw_output"].get<std::string>()));
}

TEST_F(ExternalDriverTest, JmeterThatRanNothingExitsFourWithTheReason) {
  // Debian 12's jmeter 2.13: one line on the console, exit status 0, no JTL.
  write_script("jmeter",
               fake_jmeter({"-n"}, data_path("jmeter/debian_unpatched_xstream_failure_console.txt"),
                           {}, data_path("jmeter/debian_unpatched_xstream_failure_jmeter.log")));
  auto r = run_command(
      drive_args({"--driver", "jmeter", "--jmeter-plan", data_path("jmeter/plan.jmx").string()}),
      tmp_->path(), std::chrono::seconds(60), env());
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("ForbiddenClassException"), std::string::npos) << r.err;
}

TEST_F(ExternalDriverTest, JmeterWithoutPlanOrWithRateExitsTwo) {
  write_script("jmeter", "exit 0\n");
  auto r = run_command(drive_args({"--driver", "jmeter"}), tmp_->path(), std::chrono::seconds(30),
                       env());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("jmeter: no test plan"), std::string::npos) << r.err;
  r = run_command(drive_args({"--driver", "jmeter", "--rates", "100", "--jmeter-plan",
                              data_path("jmeter/plan.jmx").string()}),
                  tmp_->path(), std::chrono::seconds(30), env());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("rates: the jmeter driver runs closed loop only"), std::string::npos)
      << r.err;
}

TEST_F(ExternalDriverTest, BuiltinDriverCannotRunOnAClientHost) {
  auto r = run_command(drive_args({"--driver", "builtin", "--client-host", "loadhost"}),
                       tmp_->path(), std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--client-host: the builtin driver runs inside benchgate"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace benchgate
