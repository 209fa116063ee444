// `benchgate run --shard I/N` and `benchgate merge` end to end with the example server on
// loopback: three shards merged have the unsharded run's structure (cells, tests, Holm family,
// every report); a missing, duplicated or foreign shard is exit 2 with the reason; `--shard
// auto` reads GitLab's CI_NODE_INDEX/CI_NODE_TOTAL and the GitHub matrix pair. Short load
// periods (300 ms, no warm-up, 2 pairs).

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "platform/fs.h"
#include "results/json.h"
#include "test_support.h"

namespace benchgate {
namespace {

namespace fs = std::filesystem;
using testing::benchgate_binary;
using testing::CommandResult;
using testing::hello_server_binary;
using testing::run_command;

constexpr auto kTimeout = std::chrono::seconds(120);

class ShardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = std::make_unique<platform::TempDir>("bg-shard");
    port_ = testing::free_port();
  }
  void TearDown() override {
    EXPECT_FALSE(testing::port_open(port_)) << "a server still listens on " << port_;
  }

  std::string app(const std::string& label, const std::string& role,
                  const std::string& work) const {
    return fmt::format(
        "\n[[app]]\nlabel = \"{}\"\nrole = \"{}\"\ncommand = [\"{}\", \"--port\", \"{}\", "
        "\"--work-iters\", \"{}\"]\n",
        label, role, hello_server_binary().string(), port_, work);
  }
  std::string scenario(const std::string& name, const std::string& path,
                       const std::string& clients) const {
    return fmt::format(
        "\n[[scenario]]\nname = \"{}\"\nurl = \"http://127.0.0.1:{}{}\"\nclients = {}\n", name,
        port_, path, clients);
  }
  /// Three scenarios, an A/B pair, 2 iterations: 12 runs of 300 ms load periods.
  fs::path write_suite(const std::string& file, const std::string& json_clients = "[2]",
                       int iterations = 2) const {
    const auto text = fmt::format(
                          "name = \"sharded\"\n[defaults]\nduration = \"300ms\"\nwarmup = \"0s\"\n"
                          "interval = \"100ms\"\niterations = {}\nseed = 7\n",
                          iterations) +
                      app("base", "baseline", "2000") + app("cand", "candidate", "2200") +
                      scenario("plaintext", "/plaintext", "[2, 4]") +
                      scenario("json", "/json", json_clients) +
                      scenario("query", "/plaintext?q=1", "[2]");
    const auto p = tmp_->path() / file;
    std::ofstream(p) << text;
    return p;
  }

  CommandResult benchgate(std::vector<std::string> args, std::vector<std::string> env = {}) const {
    args.insert(args.begin(), benchgate_binary().string());
    return run_command(args, tmp_->path() / "cmd", kTimeout, env);
  }
  fs::path dir(const std::string& name) const { return tmp_->path() / name; }
  std::string results_of(const std::string& name) const {
    return (dir(name) / "results.json").string();
  }

  std::unique_ptr<platform::TempDir> tmp_;
  int port_ = 0;
};

std::vector<std::string> run_ids(const results::ResultsFile& r) {
  std::vector<std::string> ids;
  for (const auto& run : r.runs)
    ids.push_back(run.id);
  return ids;
}

TEST_F(ShardTest, ThreeShardsMergedHaveTheUnshardedRunsStructureAndBadSetsExitTwo) {
  const auto suite = write_suite("suite.toml").string();
  // The plan of shard 2: which cells go where.
  auto plan = benchgate({"run", "-c", suite, "--shard", "2/3", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("3 shards (unit: a scenario"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("shard 2/3 (this one): 4 runs"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("plaintext c=2, plaintext c=4"), std::string::npos) << plan.out;

  auto whole = benchgate({"run", "-c", suite, "--out", dir("whole").string(), "--no-color"});
  // 2 pairs can never reach α: undecided (exit 3), never pass.
  EXPECT_EQ(whole.exit_code, 3) << whole.out << whole.err;
  for (int s = 1; s <= 3; ++s) {
    auto r = benchgate({"run", "-c", suite, "--shard", fmt::format("{}/3", s), "--out",
                        dir(fmt::format("shard-{}", s)).string(), "--no-color"});
    EXPECT_EQ(r.exit_code, 0) << "a shard is not gated: " << r.out << r.err;
    EXPECT_NE(r.out.find("not gated here; `benchgate merge` gates"), std::string::npos) << r.out;
    const auto rf = results::read_results(results_of(fmt::format("shard-{}", s)));
    EXPECT_EQ(rf.status, "complete");
    EXPECT_EQ(rf.shard.at("index"), s);
    EXPECT_EQ(rf.shard.at("total"), 3);
    EXPECT_EQ(rf.runs.size(), 4u);  // one scenario each: 2 apps × 2 iterations
    EXPECT_TRUE(rf.gate.is_null());
  }
  auto merged = benchgate({"merge", results_of("shard-3"), results_of("shard-1"),
                           results_of("shard-2"), "--out", dir("merged").string(), "--no-color"});
  EXPECT_EQ(merged.exit_code, whole.exit_code) << merged.out << merged.err;
  for (const char* f : {"results.json", "junit.xml", "summary.md", "report.html", "metrics.txt"}) {
    ASSERT_TRUE(fs::exists(dir("merged") / f)) << f;
    EXPECT_GT(fs::file_size(dir("merged") / f), 100u) << f;
  }
  auto v = benchgate({"validate", results_of("merged")});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("valid results (12 runs)"), std::string::npos) << v.out;

  const auto a = results::read_results(results_of("whole"));
  const auto m = results::read_results(results_of("merged"));
  EXPECT_EQ(run_ids(m), run_ids(a));
  EXPECT_EQ(m.order.sequence, a.order.sequence);
  EXPECT_EQ(m.order.seed, a.order.seed);
  EXPECT_EQ(m.outcome.at("status"), a.outcome.at("status"));
  ASSERT_TRUE(m.gate.is_object());
  // The same gated tests (app × cell × metric), Holm over all of them in one family. How many
  // are informative (not every difference zero) and pass Tarone's rule depends on the values
  // measured, which are two measurements here: compared by the unit tests on equal data.
  std::set<std::string> cells_a, cells_m;
  for (const auto& x : a.gate.at("verdicts")) {
    cells_a.insert(x.at("app").get<std::string>() + "/" + x.at("cell").get<std::string>() + "/" +
                   x.at("metric").get<std::string>() + (x.at("gated").get<bool>() ? "" : "/info"));
  }
  for (const auto& x : m.gate.at("verdicts")) {
    cells_m.insert(x.at("app").get<std::string>() + "/" + x.at("cell").get<std::string>() + "/" +
                   x.at("metric").get<std::string>() + (x.at("gated").get<bool>() ? "" : "/info"));
  }
  EXPECT_EQ(cells_m, cells_a);
  EXPECT_GT(cells_m.size(), 20u);
  EXPECT_LE(m.gate.at("holm_family").get<int>(), m.gate.at("tests").get<int>());
  EXPECT_EQ(m.gate.at("mode"), "ab");
  EXPECT_EQ(m.shard.at("shards").size(), 3u);
  // The reports point at the shards' artifacts.
  for (const auto& run : m.runs) {
    for (const auto& art : run.artifacts)
      EXPECT_TRUE(fs::exists(dir("merged") / art.path)) << art.path;
  }

  // A missing shard.
  auto missing = benchgate(
      {"merge", results_of("shard-1"), results_of("shard-3"), "--out", dir("m2").string()});
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("missing shard: no results given for shard 2/3"), std::string::npos)
      << missing.err;
  // A duplicated shard.
  fs::create_directories(dir("copy"));
  fs::copy_file(results_of("shard-2"), results_of("copy"));
  auto dup = benchgate({"merge", results_of("shard-1"), results_of("shard-2"), results_of("copy"),
                        results_of("shard-3"), "--out", dir("m3").string()});
  EXPECT_EQ(dup.exit_code, 2) << dup.out << dup.err;
  EXPECT_NE(dup.err.find(results_of("copy") + ": duplicate shard: shard 2/3 is also " +
                         results_of("shard-2")),
            std::string::npos)
      << dup.err;
  // An unsharded run's results.
  auto plain = benchgate({"merge", results_of("whole"), "--out", dir("m4").string()});
  EXPECT_EQ(plain.exit_code, 2) << plain.err;
  EXPECT_NE(plain.err.find("not a shard's results"), std::string::npos) << plain.err;
  EXPECT_FALSE(fs::exists(dir("m2") / "results.json"));
}

TEST_F(ShardTest, AutoReadsTheCiVariablesAndAForeignShardExitsTwo) {
  // GitLab `parallel: 3`: CI_NODE_INDEX is 1-based. A suite with another json load point.
  const auto other = write_suite("other.toml", "[4]").string();
  auto gl = benchgate({"run", "-c", other, "--shard", "auto", "--out", dir("o-1").string()},
                      {"CI_NODE_INDEX=1", "CI_NODE_TOTAL=3"});
  ASSERT_EQ(gl.exit_code, 0) << gl.out << gl.err;
  const auto o1 = results::read_results(results_of("o-1"));
  EXPECT_EQ(o1.shard.at("index"), 1);
  EXPECT_EQ(o1.shard.at("total"), 3);
  EXPECT_NE(o1.shard.at("source").get<std::string>().find("CI_NODE_INDEX/CI_NODE_TOTAL"),
            std::string::npos);
  // A GitHub matrix job sets the documented pair; BENCHGATE_SHARD=auto is the flag's variable.
  const auto suite = write_suite("suite.toml").string();
  for (int s = 2; s <= 3; ++s) {
    auto gh = benchgate({"run", "-c", suite, "--out", dir(fmt::format("s-{}", s)).string()},
                        {"BENCHGATE_SHARD=auto", fmt::format("BENCHGATE_SHARD_INDEX={}", s),
                         "BENCHGATE_SHARD_TOTAL=3", "CI_NODE_INDEX=", "CI_NODE_TOTAL="});
    ASSERT_EQ(gh.exit_code, 0) << gh.out << gh.err;
    EXPECT_EQ(results::read_results(results_of(fmt::format("s-{}", s))).shard.at("index"), s);
  }
  auto foreign = benchgate({"merge", results_of("o-1"), results_of("s-2"), results_of("s-3"),
                            "--out", dir("m").string()});
  EXPECT_EQ(foreign.exit_code, 2) << foreign.out << foreign.err;
  EXPECT_NE(foreign.err.find(results_of("s-2") + ": foreign shard: another suite"),
            std::string::npos)
      << foreign.err;
  // Bad values: exit 2 naming the source.
  auto bad = benchgate({"run", "-c", suite, "--shard", "4/3", "--dry-run"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--shard 4/3: shard 4 of 3 does not exist"), std::string::npos) << bad.err;
  auto none = benchgate(
      {"run", "-c", suite, "--shard", "auto", "--dry-run"},
      {"CI_NODE_INDEX=", "CI_NODE_TOTAL=", "BENCHGATE_SHARD_INDEX=", "BENCHGATE_SHARD_TOTAL="});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("--shard auto: no shard in the environment"), std::string::npos)
      << none.err;
  auto many = benchgate({"run", "-c", suite, "--shard", "1/4", "--dry-run"});
  EXPECT_EQ(many.exit_code, 2);
  EXPECT_NE(many.err.find("4 shards, but the suite plans 3 scenarios"), std::string::npos)
      << many.err;
}

// A shard stopped by SIGINT keeps what it ran (status "interrupted"); the merge then gates the
// rest and says "partial" (exit 4) naming the shard, never a greener outcome.
TEST_F(ShardTest, AnInterruptedShardMakesTheMergePartialNamingIt) {
  const auto suite = write_suite("suite.toml", "[2]", 3).string();
  for (int s : {1, 3}) {
    auto r = benchgate({"run", "-c", suite, "--shard", fmt::format("{}/3", s), "--out",
                        dir(fmt::format("shard-{}", s)).string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  const pid_t pid = testing::spawn_command({benchgate_binary().string(), "run", "-c", suite,
                                            "--shard", "2/3", "--out", dir("shard-2").string()},
                                           dir("shard-2.out"), dir("shard-2.err"));
  // Interrupt after the first run was checkpointed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  bool exited = false;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (!results::read_results(results_of("shard-2")).runs.empty()) break;
    } catch (const std::exception&) {
    }
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(exited) << "shard 2 finished before it could be interrupted";
  ::kill(pid, SIGINT);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const auto shard2 = results::read_results(results_of("shard-2"));
  EXPECT_EQ(shard2.status, "interrupted");
  ASSERT_LT(shard2.runs.size(), 6u);

  auto merged = benchgate({"merge", results_of("shard-1"), results_of("shard-2"),
                           results_of("shard-3"), "--out", dir("merged").string(), "--no-color"});
  EXPECT_EQ(merged.exit_code, 4) << merged.out << merged.err;
  EXPECT_NE(merged.out.find("partial"), std::string::npos) << merged.out;
  EXPECT_NE(merged.out.find("shard 2/3 (" + results_of("shard-2") + ") did not complete"),
            std::string::npos)
      << merged.out;
  const auto m = results::read_results(results_of("merged"));
  EXPECT_EQ(m.outcome.at("status"), "partial");
  EXPECT_EQ(m.runs.size(), 12u + shard2.runs.size());
  EXPECT_EQ(m.shard.at("shards")[1].at("status"), "interrupted");
  // Every report says so too.
  for (const char* f : {"summary.md", "junit.xml", "report.html", "metrics.txt"}) {
    EXPECT_NE(testing::read_text(dir("merged") / f).find("partial"), std::string::npos) << f;
  }
}

}  // namespace
}  // namespace benchgate
