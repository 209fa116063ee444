// `benchgate run` (suite files) and `benchgate compare` end to end: the run matrix, the A/B
// gate, every report, `benchgate report` reproducing the console tables, interruption,
// failed-run exclusion and input errors. Real processes on loopback (the example server),
// short load periods (300 ms, no warm-up) so each test takes a few seconds.

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli/suite_command.h"
#include "config/compare_app.h"
#include "core/error.h"
#include "core/parse.h"
#include "drivers/error_share.h"
#include "platform/fs.h"
#include "processes.h"
#include "results/json.h"
#include "test_support.h"

namespace benchgate {
namespace {

namespace fs = std::filesystem;
using testing::benchgate_binary;
using testing::CommandResult;
using testing::free_port;
using testing::hello_server_binary;
using testing::processes_with_args;
using testing::read_text;
using testing::run_command;

constexpr auto kTimeout = std::chrono::seconds(90);

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    out.push_back(l);
  return out;
}

std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

/// The console results table: the line of `app` in `cell` ("plaintext c=2"), split in words.
std::vector<std::string> table_row(const std::string& out, const std::string& cell,
                                   const std::string& app) {
  bool in_cell = false;
  for (const auto& line : lines_of(out)) {
    auto w = words_of(line);
    if (w.empty()) continue;
    const bool starts_cell = line.rfind(cell + " ", 0) == 0;
    if (starts_cell) {
      in_cell = true;
      w.erase(w.begin(), w.begin() + static_cast<long>(words_of(cell).size()));
    } else if (line[0] != ' ') {
      in_cell = false;
    }
    if (in_cell && !w.empty() && w[0] == app) return w;
  }
  return {};
}

class SuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = std::make_unique<platform::TempDir>("bg-suite");
    port_ = free_port();
  }

  void TearDown() override {
    kill_spawned();
    EXPECT_FALSE(testing::port_open(port_)) << "a server still listens on " << port_;
    const auto left = processes_with_args("--port", std::to_string(port_));
    EXPECT_TRUE(left.empty()) << left.size() << " server(s) left running";
    for (pid_t p : left)
      ::kill(p, SIGKILL);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/plaintext"; }
  fs::path out() const { return tmp_->path() / "out"; }
  fs::path suite_path() const { return tmp_->path() / "suite.toml"; }

  /// hello-server's argv as a TOML array.
  std::string hello_toml(const std::string& work_iters) const {
    return fmt_array({hello_server_binary().string(), "--port", std::to_string(port_),
                      "--work-iters", work_iters});
  }

  static std::string fmt_array(const std::vector<std::string>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
      s += (i ? ", \"" : "\"") + v[i] + "\"";
    return s + "]";
  }

  /// [defaults] for short runs: 300 ms per load point, no warm-up, fixed seed.
  std::string defaults(int iterations) const {
    return "name = \"t\"\n"
           "[defaults]\n"
           "driver = \"builtin\"\n"
           "duration = \"300ms\"\n"
           "warmup = \"0s\"\n"
           "interval = \"100ms\"\n"
           "iterations = " +
           std::to_string(iterations) +
           "\n"
           "seed = 7\n";
  }

  std::string scenario(const std::string& clients = "[2, 4]") const {
    return "\n[[scenario]]\nname = \"plaintext\"\nurl = \"" + url() + "\"\nclients = " + clients +
           "\n";
  }

  /// Baseline (2000 iterations of busy-work per request) and candidate (2200), one scenario.
  std::string ab_suite(int iterations, const std::string& candidate_command = "") const {
    return defaults(iterations) + "\n[[app]]\nlabel = \"base\"\ncommand = " + hello_toml("2000") +
           "\nrole = \"baseline\"\n" + "\n[[app]]\nlabel = \"cand\"\ncommand = " +
           (candidate_command.empty() ? hello_toml("2200") : candidate_command) +
           "\nrole = \"candidate\"\n" + scenario();
  }

  void write_suite(const std::string& text) const { std::ofstream(suite_path()) << text; }

  CommandResult benchgate(std::vector<std::string> args) const {
    args.insert(args.begin(), benchgate_binary().string());
    return run_command(args, tmp_->path() / "cmd", kTimeout);
  }

  CommandResult run_suite(std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {"run",   "-c",           suite_path().string(),
                                  "--out", out().string(), "--no-color"};
    a.insert(a.end(), extra.begin(), extra.end());
    return benchgate(a);
  }

  fs::path err_file() const { return tmp_->path() / "stderr"; }

  /// Starts `benchgate run` on the suite in the background (own process group, stdout and
  /// stderr to files); the fixture SIGKILLs its group and reaps it if the test leaves early.
  pid_t spawn_run() {
    std::vector<std::string> args = {benchgate_binary().string(),
                                     "run",
                                     "-c",
                                     suite_path().string(),
                                     "--out",
                                     out().string(),
                                     "--no-color"};
    const auto out_file = tmp_->path() / "stdout";
    const auto err = err_file();
    const pid_t pid = testing::spawn_command(args, out_file, err);
    spawned_ = pid;
    return pid;
  }

  /// Waits up to `limit` for the spawned process to exit: its wait status, or nullopt.
  std::optional<int> reap(pid_t pid, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    int status = 0;
    do {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        spawned_ = 0;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } while (std::chrono::steady_clock::now() < end);
    return std::nullopt;
  }

  /// Runs recorded in the checkpointed results.json (0 when there is none yet).
  std::size_t checkpointed_runs() const {
    try {
      return results::read_results(out() / "results.json").runs.size();
    } catch (const std::exception&) {
      return 0;
    }
  }

  /// Polls until results.json was checkpointed after a run (the first checkpoint, written
  /// before any run, has none) and the next run's app is up: the descendants of `pid` then;
  /// empty after 30 s or when benchgate exited.
  std::vector<pid_t> wait_for_checkpoint_and_app(pid_t pid) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (checkpointed_runs() > 0) {
        auto d = testing::descendants(pid);
        if (!d.empty()) return d;
      }
      if (reap(pid, std::chrono::milliseconds(10))) return {};
    }
    return {};
  }

  void kill_spawned() {
    if (spawned_ > 0) {
      ::kill(-spawned_, SIGKILL);
      reap(spawned_, std::chrono::seconds(5));
    }
  }

  std::unique_ptr<platform::TempDir> tmp_;
  int port_ = 0;
  pid_t spawned_ = 0;
};

// 1 + 2. The A/B matrix: 2 apps × 1 scenario × 3 iterations = 6 runs (one app start each),
// each driving both load points (c=2, c=4): 12 load periods. Then `benchgate report`
// re-renders the same console tables from results.json.
TEST_F(SuiteTest, AbMatrixWritesEveryReportAndReportReproducesTheTables) {
  write_suite(ab_suite(3));
  auto r = run_suite();
  // Three pairs can never be significant: the smallest exact one-sided signed-rank p is
  // 2^-3 = 0.125 > α = 0.05 (before Holm), so no verdict can be "regressed" (exit 1) — and
  // none can be decided either: every gated verdict is "inconclusive", which is "nothing
  // comparable", exit 3 (gate::GateResult::exit_code, docs/ci.md). Never 0 with 3 pairs.
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("can never reach"), std::string::npos) << "up-front warning: " << r.err;

  // Reports.
  for (const char* f : {"results.json", "junit.xml", "summary.md", "report.html", "metrics.txt"}) {
    ASSERT_TRUE(fs::exists(out() / f)) << f;
    EXPECT_GT(fs::file_size(out() / f), 100u) << f;
  }
  auto v = benchgate({"validate", (out() / "results.json").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("valid results (6 runs)"), std::string::npos) << v.out;

  // The matrix.
  const auto rf = results::read_results(out() / "results.json");
  EXPECT_EQ(rf.status, "complete");
  EXPECT_EQ(rf.command, "run");
  EXPECT_EQ(rf.order.seed, 7u);
  ASSERT_EQ(rf.runs.size(), 6u);
  ASSERT_EQ(rf.order.sequence.size(), 6u);
  std::map<std::string, std::set<int>> iterations;
  int periods = 0;
  for (std::size_t i = 0; i < rf.runs.size(); ++i) {
    const auto& run = rf.runs[i];
    EXPECT_EQ(run.id, rf.order.sequence[i]);
    EXPECT_EQ(run.sequence, static_cast<int>(i));
    EXPECT_EQ(run.status, "ok") << run.failure;
    EXPECT_EQ(run.scenario, "plaintext");
    EXPECT_EQ(run.role, run.app == "base" ? "baseline" : "candidate");
    // Iteration-major: runs 2k and 2k+1 are the pair of iteration k+1.
    EXPECT_EQ(run.iteration, static_cast<int>(i / 2) + 1);
    iterations[run.app].insert(run.iteration);
    ASSERT_EQ(run.periods.size(), 2u);
    EXPECT_EQ(run.periods[0].point.clients, 2);
    EXPECT_EQ(run.periods[1].point.clients, 4);
    for (const auto& p : run.periods) {
      ++periods;
      EXPECT_EQ(p.status, "ok") << p.reason;
      EXPECT_GT(p.driver.throughput, 10);
    }
    if (i % 2 == 1) {
      EXPECT_NE(run.app, rf.runs[i - 1].app) << "a pair runs both apps";
    }
  }
  EXPECT_EQ(periods, 12);
  EXPECT_EQ(iterations["base"], (std::set<int>{1, 2, 3}));
  EXPECT_EQ(iterations["cand"], (std::set<int>{1, 2, 3}));
  ASSERT_TRUE(rf.gate.is_object());
  ASSERT_FALSE(rf.gate["verdicts"].empty());
  for (const auto& verdict : rf.gate["verdicts"]) {
    if (verdict.value("gated", true)) {
      EXPECT_EQ(verdict["verdict"], "inconclusive") << verdict.dump();
    }
  }

  // The console tables: on stdout, with the progress lines on stderr.
  for (const char* cell : {"plaintext c=2", "plaintext c=4"}) {
    for (const char* app : {"base", "cand"}) {
      auto row = table_row(r.out, cell, app);
      ASSERT_FALSE(row.empty()) << cell << " " << app << "\n" << r.out;
      EXPECT_EQ(row.back(), "3/3") << r.out;
    }
  }
  EXPECT_NE(r.err.find("[1/6] iteration 1/3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[6/6] iteration 3/3"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("[1/6]"), std::string::npos) << "progress must not go to stdout";
  EXPECT_NE(r.out.find("inconclusive"), std::string::npos) << r.out;

  // `run` prints the tables and then where the reports are; `report` prints the same.
  const std::string trailer = "\nreports: " + out().string() + "\n";
  const auto at = r.out.rfind(trailer);
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string run_tables = r.out.substr(0, at);

  std::map<std::string, std::string> before;
  for (const char* f : {"junit.xml", "summary.md", "report.html", "metrics.txt"}) {
    before[f] = read_text(out() / f);
  }
  auto rep = benchgate({"report", (out() / "results.json").string(), "--no-color"});
  EXPECT_EQ(rep.exit_code, r.exit_code) << rep.err;
  EXPECT_EQ(rep.out, run_tables + trailer);
  EXPECT_EQ(rep.err, "");
  // ... and rewrites the same report files.
  for (const auto& [f, text] : before)
    EXPECT_EQ(read_text(out() / f), text) << f;

  // `report` exits like `run` did, --warn-only included (recorded in the resolved suite): a
  // copy of the results with one verdict turned into a regression.
  auto j = results::read_json_file(out() / "results.json");
  for (auto& verdict : j["gate"]["verdicts"]) {
    if (verdict.value("gated", false)) {
      verdict["verdict"] = "regressed";
      break;
    }
  }
  const auto edited = tmp_->path() / "edited" / "results.json";
  fs::create_directories(edited.parent_path());
  std::ofstream(edited) << j.dump(2);
  EXPECT_EQ(benchgate({"report", edited.string(), "--no-color"}).exit_code, 1);
  j["suite"]["gate"]["warn_only"] = true;
  std::ofstream(edited) << j.dump(2);
  EXPECT_EQ(benchgate({"report", edited.string(), "--no-color"}).exit_code, 0);
}

// 3. SIGINT after the first run finished (results.json is checkpointed after every run):
// exit 130 within 2 s, nothing left running, results.json valid with status "interrupted"
// and the runs done so far.
TEST_F(SuiteTest, InterruptKeepsTheRunsSoFar) {
  write_suite(ab_suite(20));
  const pid_t pid = spawn_run();
  const auto before = wait_for_checkpoint_and_app(pid);
  ASSERT_FALSE(before.empty()) << read_text(err_file());
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  const auto t0 = std::chrono::steady_clock::now();
  auto status = reap(pid, std::chrono::seconds(10));
  ASSERT_TRUE(status) << "benchgate did not exit within 10 s of SIGINT";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 130) << read_text(err_file());
  for (pid_t p : before)
    EXPECT_FALSE(testing::process_alive(p)) << "left running: " << p;

  auto v = benchgate({"validate", (out() / "results.json").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  const auto rf = results::read_results(out() / "results.json");
  EXPECT_EQ(rf.status, "interrupted");
  ASSERT_GE(rf.runs.size(), 1u);
  EXPECT_LT(rf.runs.size(), 40u);
  EXPECT_EQ(rf.runs.front().status, "ok") << rf.runs.front().failure;
  for (std::size_t i = 0; i + 1 < rf.runs.size(); ++i)
    EXPECT_EQ(rf.runs[i].status, "ok");
  EXPECT_TRUE(rf.runs.back().status == "ok" || rf.runs.back().status == "interrupted")
      << rf.runs.back().status;
  EXPECT_TRUE(rf.gate.is_null()) << "an interrupted run is not gated";
  EXPECT_TRUE(fs::exists(out() / "summary.md")) << "reports are written whatever the exit code";
  // Interrupted results are partial: `report` refuses them unless told, then says so.
  auto rep = benchgate({"report", (out() / "results.json").string(), "--no-color"});
  EXPECT_EQ(rep.exit_code, 2) << rep.err;
  EXPECT_NE(rep.err.find("--allow-partial"), std::string::npos) << rep.err;
  rep = benchgate({"report", (out() / "results.json").string(), "--no-color", "--allow-partial"});
  EXPECT_EQ(rep.exit_code, 130) << rep.err;
  EXPECT_NE(rep.out.find("outcome: ⏹️ interrupted"), std::string::npos) << rep.out;
}

// A second SIGINT does not wait for the graceful shutdown: every app process group is
// SIGKILLed and benchgate exits 130 at once.
TEST_F(SuiteTest, SecondInterruptKillsEverythingAtOnce) {
  write_suite(ab_suite(20));
  const pid_t pid = spawn_run();
  const auto before = wait_for_checkpoint_and_app(pid);
  ASSERT_FALSE(before.empty()) << read_text(err_file());
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  const auto t0 = std::chrono::steady_clock::now();
  auto status = reap(pid, std::chrono::seconds(10));
  ASSERT_TRUE(status) << "benchgate did not exit within 10 s of two SIGINTs";
  // Under TSan benchgate's own exit took 1.01 s of a busy 2-core machine (3 s there).
  EXPECT_LT(std::chrono::steady_clock::now() - t0,
            std::chrono::seconds(1) * testing::kSanitizerSlowdown);
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 130) << read_text(err_file());
  for (pid_t p : before)
    EXPECT_FALSE(testing::process_alive(p)) << "left running: " << p;
}

// 4. A run whose app crashes is recorded as failed and left out of the medians: the
// candidate's second start (iteration 2) aborts after 50 responses. Exit 4 (a run failed).
TEST_F(SuiteTest, FailedRunIsExcludedFromTheMedians) {
  const auto script = tmp_->path() / "cand.sh";
  const auto hello = hello_server_binary().string();
  const auto port = std::to_string(port_);
  std::ofstream(script) << "n=$(cat \"$0.count\" 2>/dev/null || echo 0)\n"
                        << "n=$((n + 1))\n"
                        << "echo $n > \"$0.count\"\n"
                        << "if [ \"$n\" -eq 2 ]; then\n"
                        << "  exec " << hello << " --port " << port
                        << " --work-iters 2200 --crash-after 50\n"
                        << "fi\n"
                        << "exec " << hello << " --port " << port << " --work-iters 2200\n";
  write_suite(ab_suite(3, fmt_array({"/bin/sh", script.string()})));
  auto r = run_suite();
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;

  const auto rf = results::read_results(out() / "results.json");
  ASSERT_EQ(rf.runs.size(), 6u);
  int failed = 0;
  for (const auto& run : rf.runs) {
    if (run.app == "cand" && run.iteration == 2) {
      EXPECT_EQ(run.status, "failed");
      EXPECT_NE(run.failure.find("SIGABRT"), std::string::npos) << run.failure;
      ++failed;
    } else {
      EXPECT_EQ(run.status, "ok") << run.id << ": " << run.failure;
    }
  }
  EXPECT_EQ(failed, 1);
  for (const char* cell : {"plaintext c=2", "plaintext c=4"}) {
    EXPECT_EQ(table_row(r.out, cell, "base").back(), "3/3") << r.out;
    EXPECT_EQ(table_row(r.out, cell, "cand").back(), "2/3") << r.out;
  }
  EXPECT_NE(r.out.find("1 failed run"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("FAILED"), std::string::npos) << r.err;
  auto v = benchgate({"validate", (out() / "results.json").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  auto rep = benchgate({"report", (out() / "results.json").string(), "--no-color"});
  EXPECT_EQ(rep.exit_code, 4);
}

// Every request answered 404 (/nonexistent): each load point is invalid (errors above the
// default max_error_rate of 1 %), so every run failed — exit 4 whatever the iteration count.
// Before, the periods counted as good (0 req/s "10/10 good"): 10 iterations exited 0 (the
// A/B gate saw two identical zero throughputs) and 3 iterations exited 3 (too few pairs).
TEST_F(SuiteTest, AllErrorsFailEveryRunAtAnyIterationCount) {
  const std::string missing = "http://127.0.0.1:" + std::to_string(port_) + "/nonexistent";
  for (int iterations : {3, 10}) {
    SCOPED_TRACE(iterations);
    fs::remove_all(out());
    write_suite(
        replace_all(defaults(iterations), "300ms", "200ms") +
        "\n[[app]]\nlabel = \"base\"\ncommand = " + hello_toml("100") + "\nrole = \"baseline\"\n" +
        "\n[[app]]\nlabel = \"cand\"\ncommand = " + hello_toml("100") + "\nrole = \"candidate\"\n" +
        "\n[[scenario]]\nname = \"missing\"\nurl = \"" + missing + "\"\nclients = [2]\n");
    auto r = run_suite();
    EXPECT_EQ(r.exit_code, 4) << r.out << r.err;

    const auto rf = results::read_results(out() / "results.json");
    ASSERT_EQ(rf.runs.size(), 2u * static_cast<std::size_t>(iterations));
    for (const auto& run : rf.runs) {
      EXPECT_EQ(run.status, "failed") << run.id;
      EXPECT_EQ(run.failure_kind, "invalid") << run.id;
      ASSERT_EQ(run.periods.size(), 1u);
      const auto& p = run.periods[0];
      EXPECT_EQ(p.status, "invalid");
      ASSERT_TRUE(p.driver.status_codes.count("404")) << run.id;
      const auto n = p.driver.status_codes.at("404");
      EXPECT_GT(n, 0);
      EXPECT_EQ(p.driver.requests, n);
      // The reason names the share, the limit and the codes with their counts.
      const auto count = drivers::group_thousands(n);
      const std::string expect = "load point c=2 invalid: " + count + " of " + count +
                                 " responses (100 %) were errors, above max_error_rate 1 %: "
                                 "404 ×" +
                                 count;
      EXPECT_EQ(run.failure.substr(0, expect.size()), expect) << run.failure;
      // ... and is printed: the run line (stderr) and the problem list (stdout).
      EXPECT_NE(r.err.find(expect), std::string::npos) << expect << "\n" << r.err;
      EXPECT_NE(r.out.find(expect), std::string::npos) << expect << "\n" << r.out;
    }
    for (const char* app : {"base", "cand"}) {
      auto row = table_row(r.out, "missing c=2", app);
      ASSERT_FALSE(row.empty()) << r.out;
      EXPECT_EQ(row.back(), "0/" + std::to_string(iterations)) << r.out;
    }
    EXPECT_NE(r.out.find(std::to_string(2 * iterations) + " failed runs"), std::string::npos)
        << r.out;
    auto rep = benchgate({"report", (out() / "results.json").string(), "--no-color"});
    EXPECT_EQ(rep.exit_code, 4) << rep.err;
  }
}

// An app that never becomes ready (it listens on another port) fails its first two runs the
// same way; its remaining runs are skipped at once — recorded with the reason, counted as
// failed (exit 4) — while the other app runs every iteration. Only two ready timeouts are
// paid, not five.
TEST_F(SuiteTest, AppFailingTheSameWayTwiceIsSkippedAndTheOthersGoOn) {
  const int other_port = free_port();
  const std::string lost = fmt_array({hello_server_binary().string(), "--port",
                                      std::to_string(other_port), "--work-iters", "100"});
  write_suite(replace_all(defaults(5), "300ms", "200ms") + "ready_timeout = \"2s\"\n" +
              "\n[[app]]\nlabel = \"good\"\ncommand = " + hello_toml("100") + "\n" +
              "\n[[app]]\nlabel = \"lost\"\ncommand = " + lost + "\n" + scenario("[2]"));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_suite();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;

  auto v = benchgate({"validate", (out() / "results.json").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  const auto rf = results::read_results(out() / "results.json");
  ASSERT_EQ(rf.runs.size(), 10u);
  const std::string reason = "failed the same way in runs 1 and 2: never became ready within 2 s";
  double good_s = 0, lost_s = 0;
  for (const auto& run : rf.runs) {
    if (run.app == "good") {
      EXPECT_EQ(run.status, "ok") << run.id << ": " << run.failure;
      good_s += run.elapsed_s;
      continue;
    }
    lost_s += run.elapsed_s;
    if (run.iteration <= 2) {
      EXPECT_EQ(run.status, "failed") << run.id;
      EXPECT_EQ(run.failure_kind, "not_ready") << run.id;
      EXPECT_NE(run.failure.find("never became ready"), std::string::npos) << run.failure;
    } else {
      EXPECT_EQ(run.status, "skipped") << run.id;
      EXPECT_EQ(run.failure, reason);
      EXPECT_EQ(run.failure_kind, "not_ready");
      EXPECT_TRUE(run.periods.empty());
      EXPECT_TRUE(run.instances.empty()) << "a skipped run starts nothing";
      EXPECT_NE(r.err.find("iteration " + std::to_string(run.iteration) +
                           "/5 lost plaintext: skipped: " + reason),
                std::string::npos)
          << r.err;
    }
  }
  // Two ready timeouts were paid, not five: the lost app cost about 4 s in all, and the
  // whole suite well under the 10 s that five timeouts alone would take, plus the good runs
  // (the rest is benchgate's own start-up and reports).
  EXPECT_GE(lost_s, 4.0);
  EXPECT_LT(lost_s, 6.0);
  EXPECT_LT(wall, good_s + 7.5) << "good runs " << good_s << " s, lost runs " << lost_s << " s";
  EXPECT_EQ(table_row(r.out, "plaintext c=2", "good").back(), "5/5") << r.out;
  EXPECT_EQ(table_row(r.out, "plaintext c=2", "lost").back(), "0/5") << r.out;
  EXPECT_NE(r.out.find("SKIPPED  lost  plaintext  iteration 3: " + reason), std::string::npos)
      << r.out;
  EXPECT_FALSE(testing::port_open(other_port));
  auto rep = benchgate({"report", (out() / "results.json").string(), "--no-color"});
  EXPECT_EQ(rep.exit_code, 4) << rep.err;
}

// 6. Bad suite files: exit 2, naming the file and the line.
TEST_F(SuiteTest, BadSuiteFileExitsTwoNamingFileAndLine) {
  const std::string file = suite_path().string();
  struct Case {
    std::string text;
    std::string expect;  // after "<file>:"
  };
  const std::string app = "\n[[app]]\nlabel = \"a\"\ncommand = " + hello_toml("1") + "\n";
  // defaults() is 8 lines; `app` starts with a blank line, then [[app]] on the next.
  const std::vector<Case> cases = {
      {defaults(1) + "[[app]\n", "9:7: Error while parsing table header"},  // malformed TOML
      {defaults(1) + "duraton = \"1s\"\n" + app + scenario(),
       "9: defaults.duraton: unknown key (did you mean 'duration'?)"},
      {defaults(1) + "\n[[app]]\nlabel = \"a\"\n" + scenario(), "10: app[0].command: missing"},
      {defaults(1) + app + scenario("[0]"), "17: scenario[0].clients: expected a list of positive"},
  };
  for (const auto& c : cases) {
    write_suite(c.text);
    auto r = run_suite();
    EXPECT_EQ(r.exit_code, 2) << c.text << r.err;
    EXPECT_NE(r.err.find(file + ":" + c.expect), std::string::npos) << c.expect << "\n" << r.err;
    EXPECT_FALSE(fs::exists(out() / "results.json"));
  }
  auto missing = benchgate({"run", "-c", (tmp_->path() / "nope.toml").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("-c/--config: suite file " + (tmp_->path() / "nope.toml").string() +
                             " not found"),
            std::string::npos)
      << missing.err;
}

// 5. `benchgate compare APP... --url URL`: the argument syntax, parsed directly.
TEST(CompareArgs, ValidAppArguments) {
  auto a = config::parse_compare_app("./server --port 8080", 0);
  EXPECT_EQ(a.command, (std::vector<std::string>{"./server", "--port", "8080"}));
  EXPECT_EQ(a.label, "server");
  EXPECT_EQ(a.instances, 1);
  EXPECT_EQ(a.role, "");

  a = config::parse_compare_app(
      "./server --msg 'a, b' --x=1,label=new,instances=2,cpus=0,role=candidate", 1);
  EXPECT_EQ(a.command, (std::vector<std::string>{"./server", "--msg", "a, b", "--x=1"}));
  EXPECT_EQ(a.label, "new");
  EXPECT_EQ(a.instances, 2);
  EXPECT_EQ(a.cpus, (std::vector<int>{0}));
  EXPECT_EQ(a.role, "candidate");

  // A comma not followed by name=value stays in the command; pwd and cwd are synonyms.
  a = config::parse_compare_app("sh -c 'echo a,b',pwd=/tmp,role=baseline", 0);
  EXPECT_EQ(a.command, (std::vector<std::string>{"sh", "-c", "echo a,b"}));
  EXPECT_EQ(a.cwd, "/tmp");
  EXPECT_EQ(a.role, "baseline");
  EXPECT_EQ(config::parse_compare_app("x,cwd=/srv", 0).cwd, "/srv");

  // A CPU list keeps its commas; a comma inside a word before the attributes is the command's.
  a = config::parse_compare_app("./server --mode=a,b,cpus=0,1,label=s", 0);
  EXPECT_EQ(a.command, (std::vector<std::string>{"./server", "--mode=a,b"}));
  EXPECT_EQ(a.cpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(a.label, "s");
  a = config::parse_compare_app("./server \\,label=x,role=baseline", 0);
  EXPECT_EQ(a.command, (std::vector<std::string>{"./server", ",label=x"}));
  // An app's own port (pairing = "bursts" keeps both apps up at once).
  a = config::parse_compare_app("./server --port {port},port=8081,role=candidate", 0);
  EXPECT_EQ(a.port, 8081);
  EXPECT_EQ(a.command.back(), "{port}");
}

TEST(CompareArgs, InvalidAppArgumentsNameTheArgument) {
  struct Case {
    std::string spec;
    std::size_t index;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"./server,colour=red", 0, "app 1 './server,colour=red': unknown attribute 'colour'"},
      {",label=x", 1, "app 2: empty command"},
      {"   ", 0, "app 1: empty command"},
      {"./server,label=", 0, "app 1: empty label"},
      {"./server,instances=0", 0, "app 1 instances: expected 1 to 1024"},
      {"./server,instances=two", 2, "app 3 instances:"},
      {"./server,cpus=0-", 0, "app 1 cpus: expected a CPU list"},
      {"./server,role=boss", 0, "app 1 role: expected baseline or candidate, got 'boss'"},
      {"./server,port=0", 0, "app 1 port: expected 1 to 65535"},
      {"./server,port=http", 0, "app 1 port:"},
      {"./server 'unterminated", 0, "app 1: unterminated single quote"},
      {"./server,label=a,b", 0, "app 1 './server,label=a,b': unexpected ',b' after the attributes"},
      {"./server,pwd=/a,cwd=/b", 0, "app 1 './server,pwd=/a,cwd=/b': attribute 'cwd' given twice"},
      {"./server -o a,b=c", 0, "unknown attribute 'b'"},
  };
  for (const auto& c : cases) {
    try {
      config::parse_compare_app(c.spec, c.index);
      ADD_FAILURE() << "accepted: " << c.spec;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos)
          << c.spec << ": " << e.what();
    }
  }
}

class CompareTest : public SuiteTest {
 protected:
  std::string hello(const std::string& work_iters) const {
    return hello_server_binary().string() + " --port " + std::to_string(port_) + " --work-iters " +
           work_iters;
  }
  std::vector<std::string> compare_args(std::vector<std::string> apps,
                                        std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {"compare"};
    a.insert(a.end(), apps.begin(), apps.end());
    const std::vector<std::string> common = {
        "--url",      url(),   "--clients", "2,4",          "--iterations", "2",
        "--duration", "300ms", "--warmup",  "0s",           "--interval",   "100ms",
        "--seed",     "3",     "--out",     out().string(), "--no-color"};
    a.insert(a.end(), common.begin(), common.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

// Every invalid form through the real binary: exit 2, the message names the argument, and
// nothing runs.
TEST_F(CompareTest, InvalidArgumentsExitTwo) {
  const std::string ok = hello("2000");
  struct Case {
    std::vector<std::string> apps;
    std::vector<std::string> extra;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{ok + ",colour=red"}, {}, "app 1 '" + ok + ",colour=red': unknown attribute 'colour'"},
      {{ok, ",label=b"}, {}, "app 2: empty command"},
      {{ok + ",label="}, {}, "app 1: empty label"},
      {{ok + ",instances=0"}, {}, "app 1 instances: expected 1 to 1024"},
      {{ok + ",cpus=0-"}, {}, "app 1 cpus: expected a CPU list"},
      {{ok + ",role=boss"}, {}, "app 1 role: expected baseline or candidate"},
      {{ok + ",role=baseline"}, {}, "app 1 role: an A/B gate needs"},
      {{ok, ok + ",role=candidate", ok + ",role=candidate"},
       {},
       "app 3 role: app 2 already has role candidate"},
      {{ok + ",label=x", ok + ",label=x"}, {}, "app 2 label: 'x' is already the label of app 1"},
      {{ok + ",label=a,b"},
       {},
       "app 1 '" + ok + ",label=a,b': unexpected ',b' after the attributes"},
      {{ok + ",label=a,label=b"}, {}, "attribute 'label' given twice"},
      {{ok}, {"--clients", "0"}, "--clients: expected a comma-separated list of positive integers"},
      {{ok}, {"--iterations", "0"}, "--iterations: expected a positive integer"},
      {{ok}, {"--duration", "ten"}, "--duration: expected a positive duration"},
      {{ok}, {"--warmup", "soon"}, "--warmup: expected a duration"},
      {{ok}, {"--cpus", "0-"}, "--cpus: expected a CPU list"},
      {{ok}, {"--seed", "-1"}, "--seed: expected an integer from 0 to 18446744073709551615"},
      {{ok}, {"--url", "127.0.0.1/x"}, "--url: expected an http:// or https:// URL"},
      {{ok}, {"--driver", "wrkk"}, "unknown driver 'wrkk'"},
  };
  for (const auto& c : cases) {
    auto r = benchgate(compare_args(c.apps, c.extra));
    EXPECT_EQ(r.exit_code, 2) << c.expect << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.expect << "\n" << r.err;
    EXPECT_FALSE(fs::exists(out() / "results.json")) << c.expect;
  }
  auto no_url = benchgate({"compare", ok});
  EXPECT_EQ(no_url.exit_code, 2);
  EXPECT_NE(no_url.err.find("--url"), std::string::npos) << no_url.err;
  auto no_apps = benchgate({"compare", "--url", url()});
  EXPECT_EQ(no_apps.exit_code, 2);
  EXPECT_NE(no_apps.err.find("apps"), std::string::npos) << no_apps.err;
}

// A real compare: two labelled commands, two client counts, 2 iterations → the results
// table, no gate (no roles), exit 0.
TEST_F(CompareTest, TwoAppsTable) {
  auto r = benchgate(compare_args({hello("2000") + ",label=a", hello("2200") + ",label=b"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto rf = results::read_results(out() / "results.json");
  EXPECT_EQ(rf.command, "compare");
  // The host is recorded as `run` records it (it was "").
  EXPECT_FALSE(rf.suite.value("hostname", "").empty()) << rf.suite.dump();
  ASSERT_EQ(rf.runs.size(), 4u);
  for (const auto& run : rf.runs) {
    EXPECT_EQ(run.status, "ok") << run.failure;
    EXPECT_EQ(run.scenario, "plaintext");
    EXPECT_EQ(run.periods.size(), 2u);
  }
  EXPECT_TRUE(rf.gate.is_null());
  for (const char* cell : {"plaintext c=2", "plaintext c=4"}) {
    for (const char* app : {"a", "b"}) {
      auto row = table_row(r.out, cell, app);
      ASSERT_FALSE(row.empty()) << cell << " " << app << "\n" << r.out;
      EXPECT_EQ(row.back(), "2/2") << r.out;
    }
  }
  EXPECT_NE(r.out.find("Median (min–max) over the good iterations."), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Not gated"), std::string::npos) << "no roles: no verdict table";
  EXPECT_NE(r.err.find("[4/4] iteration 2/2"), std::string::npos) << r.err;
  auto rep = benchgate({"report", (out() / "results.json").string(), "--no-color"});
  EXPECT_EQ(rep.exit_code, 0);
  EXPECT_EQ(rep.out, r.out) << "report prints what compare printed, the reports: line included";
}

// compare is configured like the old compare.sh: through BENCHGATE_* variables (the option
// table `run` reads too), with flags winning over variables. Before, compare ignored the
// environment and BENCHGATE_ITERATIONS=1 ran 5 iterations of 30 s at 128 clients.
TEST_F(CompareTest, ConfiguredByEnvironmentFlagsWin) {
  std::vector<std::string> a = {benchgate_binary().string(),
                                "compare",
                                hello("2000"),
                                "--url",
                                url(),
                                "--clients",
                                "3",
                                "--out",
                                out().string(),
                                "--no-color"};
  auto r = run_command(
      a, tmp_->path() / "cmd", kTimeout,
      {"BENCHGATE_ITERATIONS=1", "BENCHGATE_DURATION=300ms", "BENCHGATE_WARMUP=0s",
       "BENCHGATE_INTERVAL=100ms", "BENCHGATE_SEED=3", "BENCHGATE_CLIENTS=2",
       "BENCHGATE_TIMEOUT=1500ms", "BENCHGATE_HEADERS=X-Bench: env", "BENCHGATE_NAME=envcmp"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto rf = results::read_results(out() / "results.json");
  EXPECT_EQ(rf.command, "compare");
  ASSERT_EQ(rf.runs.size(), 1u) << "BENCHGATE_ITERATIONS=1";
  const auto& run = rf.runs[0];
  EXPECT_EQ(run.status, "ok") << run.failure;
  ASSERT_EQ(run.periods.size(), 1u);
  EXPECT_EQ(run.periods[0].point.clients, 3) << "--clients 3 beats BENCHGATE_CLIENTS=2";
  EXPECT_NEAR(run.periods[0].driver.duration_s, 0.3, 0.1) << "BENCHGATE_DURATION=300ms";
  const auto& sc = rf.suite.at("scenario").at(0);
  EXPECT_EQ(sc.value("timeout", ""), "1500ms") << sc.dump();
  EXPECT_NE(sc.at("headers").dump().find("X-Bench: env"), std::string::npos) << sc.dump();
  EXPECT_EQ(rf.suite.value("name", ""), "envcmp");
  // A bad variable is exit 2 naming it, as for run.
  auto bad = run_command(a, tmp_->path() / "cmd", kTimeout, {"BENCHGATE_ITERATIONS=0"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("BENCHGATE_ITERATIONS: expected a positive integer"), std::string::npos)
      << bad.err;
}

// --name, and output folders that never collide: compares/DATE-TIME-NAME is claimed with mkdir,
// so a compare started in a second whose folder exists takes DATE-TIME-NAME-2, and two compares
// started together write two folders.
TEST_F(CompareTest, NamedFoldersNeverCollide) {
  const fs::path dir = tmp_->path() / "cwd";
  fs::create_directories(dir / "compares");
  // Every folder name the next seconds could give is taken already.
  const auto now = std::time(nullptr);
  for (std::time_t t = now - 2; t < now + 30; ++t) {
    fs::create_directory(dir / "compares" / fmt::format("{:%Y%m%d-%H%M%S}-x", fmt::localtime(t)));
  }
  const int port2 = free_port();
  auto cmd = [&](int port) {
    return fmt::format(
        "'{}' compare '{} --port {} --work-iters 2000' --url http://127.0.0.1:{}/plaintext "
        "--name x --clients 2 --iterations 1 --duration 300ms --warmup 0s --interval 100ms "
        "--no-color",
        benchgate_binary().string(), hello_server_binary().string(), port, port);
  };
  auto r =
      run_command({"/bin/sh", "-c",
                   fmt::format("cd '{}' && {{ {} & p1=$!; {} & p2=$!; wait $p1 && wait $p2; }}",
                               dir.string(), cmd(port_), cmd(port2))},
                  tmp_->path() / "cmd", kTimeout);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> written;
  for (const auto& e : fs::directory_iterator(dir / "compares")) {
    if (fs::exists(e.path() / "results.json")) written.push_back(e.path().filename().string());
  }
  ASSERT_EQ(written.size(), 2u) << r.out << r.err;
  for (const auto& name : written) {
    EXPECT_NE(name.find("-x-"), std::string::npos) << name << ": the -x folder was taken";
    const auto rf = results::read_results(dir / "compares" / name / "results.json");
    EXPECT_EQ(rf.suite.value("name", ""), "x");
    EXPECT_EQ(rf.runs.size(), 1u);
  }
  EXPECT_NE(written[0], written[1]);
}

/// Words that claim success; none may appear in the outputs of an outcome that is not a pass.
void expect_no_pass(const std::string& what, const std::string& text) {
  EXPECT_EQ(text.find("✅"), std::string::npos) << what << ":\n" << text.substr(0, 2000);
  EXPECT_EQ(text.find("status=pass"), std::string::npos) << what;
  EXPECT_EQ(text.find("no regressions"), std::string::npos) << what;
  EXPECT_EQ(text.find("class=\"status pass\""), std::string::npos) << what;
  EXPECT_EQ(text.find("benchgate.status\" value=\"pass\""), std::string::npos) << what;
}

// Verdict semantics (1): 3 pairs, the candidate does 10× the busy-work per request (it loses
// most of its throughput). No test can reach α with 3 pairs: the outcome is "undecided"
// (exit 3) with that reason, and no output — console, summary.md, report.html, junit.xml,
// metrics.txt, GITHUB_OUTPUT — says pass or shows ✅.
TEST_F(SuiteTest, UndecidedGateNeverSaysPass) {
  write_suite(ab_suite(3, hello_toml("20000")));
  const auto gh = tmp_->path() / "github_output";
  const auto step = tmp_->path() / "step_summary";
  std::vector<std::string> a = {benchgate_binary().string(),
                                "run",
                                "-c",
                                suite_path().string(),
                                "--out",
                                out().string(),
                                "--no-color"};
  auto r = run_command(a, tmp_->path() / "cmd", kTimeout,
                       {"GITHUB_OUTPUT=" + gh.string(), "GITHUB_STEP_SUMMARY=" + step.string()});
  ASSERT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("outcome: ❔ undecided: too few runs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(exit 3)"), std::string::npos) << r.out;
  expect_no_pass("stdout", r.out);
  for (const char* f : {"summary.md", "report.html", "junit.xml", "metrics.txt"}) {
    expect_no_pass(f, read_text(out() / f));
  }
  expect_no_pass("GITHUB_OUTPUT", read_text(gh));
  expect_no_pass("GITHUB_STEP_SUMMARY", read_text(step));
  EXPECT_NE(read_text(gh).find("status=undecided\n"), std::string::npos) << read_text(gh);
  EXPECT_NE(read_text(gh).find("exit-code=3\n"), std::string::npos) << read_text(gh);
  EXPECT_NE(read_text(out() / "summary.md").find("### ❔ benchgate: t — undecided: too few runs"),
            std::string::npos)
      << read_text(out() / "summary.md");
  EXPECT_NE(read_text(out() / "report.html").find("class=\"status undecided\""), std::string::npos);
  const auto junit = read_text(out() / "junit.xml");
  EXPECT_NE(junit.find("type=\"benchgate.Undecided\""), std::string::npos) << junit;
  EXPECT_NE(read_text(out() / "metrics.txt").find("benchgate_outcome{outcome=\"undecided\"} 1"),
            std::string::npos);
  // The throughput estimates are far beyond the 3 % limit (10× the work), yet every throughput
  // test is inconclusive for the pair count alone. Short periods on a shared 2-core machine can
  // blunt one cell's estimate (the load generator shares the CPU), so at least one cell must
  // show the big loss, and every cell must be undecided for too few runs.
  const auto rf = results::read_results(out() / "results.json");
  EXPECT_EQ(rf.outcome.value("status", ""), "undecided") << rf.outcome.dump();
  EXPECT_EQ(rf.outcome.value("exit_code", -1), 3);
  int big = 0;
  int cells = 0;
  for (const auto& v : rf.gate["verdicts"]) {
    if (v["metric"] != "throughput") continue;
    ++cells;
    EXPECT_EQ(v["verdict"], "inconclusive") << v.dump();
    EXPECT_EQ(v["cause"], "too_few_runs") << v.dump();
    if (v["estimate"].is_number() && v["estimate"].get<double>() < -0.1) ++big;
  }
  EXPECT_EQ(cells, 2) << rf.gate.dump(1);
  EXPECT_GE(big, 1) << rf.gate.dump(1);
}

// Verdict semantics (3): `kill -9` of benchgate mid-run leaves results.json "running" with
// the runs so far and the plan's size; validate says so; baseline update, report and diff
// refuse it (exit 2) unless --allow-partial, and then every report says partial.
TEST_F(SuiteTest, KilledRunLeavesRunningResultsThatNothingTakesAsComplete) {
  write_suite(ab_suite(20));
  const pid_t pid = spawn_run();
  const auto apps = wait_for_checkpoint_and_app(pid);
  ASSERT_FALSE(apps.empty()) << read_text(err_file());
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(reap(pid, std::chrono::seconds(5)));
  // What a kill -9 leaves behind is the parent-death signal's business (tested apart); make
  // sure this test leaves nothing either way.
  for (pid_t p : apps)
    ::kill(p, SIGKILL);

  const auto file = (out() / "results.json").string();
  const auto rf = results::read_results(file);
  EXPECT_EQ(rf.status, "running");
  EXPECT_EQ(rf.planned_runs, 40);
  EXPECT_GE(rf.runs.size(), 1u);
  EXPECT_LT(rf.runs.size(), 40u);
  EXPECT_TRUE(rf.finished_at.empty());
  EXPECT_TRUE(rf.outcome.is_null()) << "no outcome was decided: " << rf.outcome.dump();

  auto v = benchgate({"validate", file});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("status running — not complete"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("of 40 planned runs"), std::string::npos) << v.out;

  const auto base = (tmp_->path() / "baselines" / "main.json").string();
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"baseline", "update", "--from", file, "--to", base},
                                             {"report", file, "--no-color"},
                                             {"diff", file, file}}) {
    auto r = benchgate(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("not complete"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--allow-partial"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(base)) << "no baseline from partial results";

  auto rep = benchgate({"report", file, "--no-color", "--allow-partial"});
  EXPECT_EQ(rep.exit_code, 4) << rep.out << rep.err;
  EXPECT_NE(rep.out.find("outcome: ⚠️ partial"), std::string::npos) << rep.out;
  EXPECT_NE(read_text(out() / "summary.md").find("partial"), std::string::npos);
  expect_no_pass("summary.md", read_text(out() / "summary.md"));
  auto d = benchgate({"diff", file, file, "--allow-partial"});
  EXPECT_EQ(d.exit_code, 4) << d.out << d.err;
  EXPECT_NE(d.out.find("partial"), std::string::npos) << d.out;
  auto b = benchgate({"baseline", "update", "--from", file, "--to", base, "--allow-partial"});
  EXPECT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_TRUE(fs::exists(base));
}

// A --baseline file that does not exist yet (a project's first run) is no error: the suite
// runs and reports, and the outcome is "undecided: no baseline yet" (exit 3). Once
// `baseline update` wrote it, the same command gates against it.
TEST_F(SuiteTest, MissingBaselineIsUndecidedThenGates) {
  write_suite(defaults(2) + "\n[[app]]\nlabel = \"main\"\ncommand = " + hello_toml("500") + "\n" +
              scenario("[2]"));
  const auto base = (tmp_->path() / "baselines" / "main.json").string();
  auto r = run_suite({"--baseline", base});
  ASSERT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("outcome: ❔ undecided: no baseline yet: " + base + " does not exist"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("no baseline yet"), std::string::npos) << r.err;
  expect_no_pass("summary.md", read_text(out() / "summary.md"));
  const auto rf = results::read_results(out() / "results.json");
  EXPECT_EQ(rf.status, "complete");
  EXPECT_EQ(rf.gate["no_baseline"], true);
  auto u =
      benchgate({"baseline", "update", "--from", (out() / "results.json").string(), "--to", base});
  ASSERT_EQ(u.exit_code, 0) << u.out << u.err;
  r = run_suite({"--baseline", base});
  // Two runs per side cannot decide anything either, but now for that reason.
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("undecided: too few runs"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace benchgate
