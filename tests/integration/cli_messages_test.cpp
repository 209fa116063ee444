// The command line through the real binary: suggestions for mistyped flags and commands,
// warnings for unknown BENCHGATE_* variables, exit codes and examples in --help, a failed
// run's full reason (the app log's last lines, never cut mid-reason), and the GitHub Actions
// integration of `report` and `diff` (step summary, step outputs, annotations), as `run` has.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "platform/fs.h"
#include "test_support.h"

namespace benchgate {
namespace {

namespace fs = std::filesystem;
using testing::benchgate_binary;
using testing::CommandResult;
using testing::data_path;
using testing::read_text;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class CliMessagesTest : public ::testing::Test {
 protected:
  void SetUp() override { tmp_ = std::make_unique<platform::TempDir>("bg-cli"); }

  CommandResult bg(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), benchgate_binary().string());
    return testing::run_command(args, tmp_->path() / "cmd", std::chrono::seconds(60), env);
  }
  fs::path dir() const { return tmp_->path(); }

  std::unique_ptr<platform::TempDir> tmp_;
};

TEST_F(CliMessagesTest, MistypedFlagGetsTheClosestFlag) {
  auto r = bg({"run", "--iteratons", "3"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err,
                       "benchgate run: unknown option --iteratons (did you mean "
                       "--iterations?)"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "Run 'benchgate run --help' for the options.")) << r.err;
  // `benchgate` alone is `benchgate run`: same suggestion.
  r = bg({"--duraton=5s"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown option --duraton (did you mean --duration?)")) << r.err;
  r = bg({"diff", "--formt=md", "a.json", "b.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "benchgate diff: unknown option --formt (did you mean --format?)"))
      << r.err;
  // Nothing close: no suggestion, still the command and the flag.
  r = bg({"report", "--zzzzzzzz", "x.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "benchgate report: unknown option --zzzzzzzz\n")) << r.err;
}

TEST_F(CliMessagesTest, MistypedCommandGetsTheClosestCommand) {
  auto r = bg({"rnu"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown command 'rnu' (did you mean 'run'?)")) << r.err;
  r = bg({"dif", "a.json", "b.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown command 'dif' (did you mean 'diff'?)")) << r.err;
  r = bg({"benchgate.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "to run a suite file: benchgate run -c benchgate.toml")) << r.err;
  r = bg({"baseline", "updat", "--from", "a.json", "--to", "b.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err,
                       "benchgate baseline: unknown command 'updat' (did you mean "
                       "'update'?)"))
      << r.err;
}

TEST_F(CliMessagesTest, UnknownBenchgateVariableIsNamedWithASuggestion) {
  const auto suite = (fs::path(BENCHGATE_SOURCE_DIR) / "examples" / "benchgate.toml").string();
  auto r = bg({"validate", suite}, {"BENCHGATE_ITERATONS=3"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err,
                       "benchgate: warning: unknown environment variable BENCHGATE_ITERATONS "
                       "(did you mean BENCHGATE_ITERATIONS?); it is ignored"))
      << r.err;
  // Known variables (options', overrides', the GitLab token) say nothing.
  r = bg({"validate", suite},
         {"BENCHGATE_ITERATIONS=3", "BENCHGATE_BASELINE=x.json", "BENCHGATE_GITLAB_TOKEN=t"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
}

TEST_F(CliMessagesTest, HelpListsExitCodesAndThreeExamples) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--help"}, std::vector<std::string>{"run", "--help"}}) {
    const auto r = bg(args);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(contains(r.out, "Exit codes")) << r.out;
    for (const char* code : {"  0 ", "  1 ", "  2 ", "  3 ", "  4 ", "  5 ", "  130 "}) {
      EXPECT_TRUE(contains(r.out, code)) << code;
    }
    const auto ex = r.out.find("Examples:");
    ASSERT_NE(ex, std::string::npos) << r.out;
    int examples = 0;
    for (auto p = r.out.find("\n  benchgate ", ex); p != std::string::npos;
         p = r.out.find("\n  benchgate ", p + 1)) {
      ++examples;
    }
    EXPECT_EQ(examples, 3) << r.out.substr(ex);
  }
}

// The app prints a long line, then the line that says what went wrong, and exits: `run` shows
// that last line in full (in the per-run line on stderr and in the failed-runs list on
// stdout), as `drive` does, instead of cutting the reason at 200 characters.
TEST_F(CliMessagesTest, FailedRunShowsTheWholeLogTail) {
  const int port = testing::free_port();
  const std::string fatal =
      "FATAL: listen 127.0.0.1:" + std::to_string(port) + ": the config file names no route";
  const std::string script = "printf '%0250d\\n' 7; echo '" + fatal + "'; exit 3";
  platform::write_file_atomic(
      dir() / "suite.toml",
      "name = \"t\"\n[defaults]\nduration = \"300ms\"\nwarmup = \"0s\"\niterations = 1\n"
      "ready_timeout = \"5s\"\n\n[[app]]\nlabel = \"broken\"\ncommand = [\"sh\", \"-c\", \"" +
          script + "\"]\n\n[[scenario]]\nname = \"s\"\nurl = \"http://127.0.0.1:" +
          std::to_string(port) + "/\"\nclients = [1]\n");
  const auto r = bg({"run", "-c", (dir() / "suite.toml").string(), "--out",
                     (dir() / "out").string(), "--no-color"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, fatal)) << r.err;
  EXPECT_TRUE(contains(r.out, fatal)) << r.out;
  EXPECT_FALSE(contains(r.err + r.out, " chars]")) << r.err << r.out;
}

/// tests/data/report/results.json with its hand-made verdicts (gate.json) as the gate.
fs::path gated_results(const fs::path& dir) {
  auto j = nlohmann::json::parse(read_text(data_path("report/results.json")));
  j["gate"] = nlohmann::json::parse(read_text(data_path("report/gate.json")));
  const auto p = dir / "results.json";
  platform::write_file_atomic(p, j.dump(1));
  return p;
}

std::string line_of(const std::string& text, const std::string& key) {
  const std::string t = "\n" + text;
  const auto p = t.find("\n" + key + "=");
  if (p == std::string::npos) return "";
  return t.substr(p + 1, t.find('\n', p + 1) - p - 1);
}

TEST_F(CliMessagesTest, ReportDoesTheGithubIntegrationOfRun) {
  const auto results = gated_results(dir());
  const auto gh = dir() / "github_output";
  const auto step = dir() / "step_summary";
  const auto r = bg({"report", results.string(), "--out", (dir() / "out").string(), "--no-color"},
                    {"GITHUB_OUTPUT=" + gh.string(), "GITHUB_STEP_SUMMARY=" + step.string(),
                     "GITHUB_ACTIONS=true"});
  // Two failed runs: run failed (4), although two regressions were found.
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  const auto out = read_text(gh);
  EXPECT_EQ(line_of(out, "status"), "status=run_failed") << out;
  EXPECT_EQ(line_of(out, "exit-code"), "exit-code=4");
  EXPECT_EQ(line_of(out, "regressions"), "regressions=2");
  EXPECT_EQ(line_of(out, "failed-runs"), "failed-runs=2");
  for (const char* key :
       {"warnings", "inconclusive", "not-comparable", "improvements", "informational", "outcome",
        "junit", "summary", "html", "metrics", "report-dir", "results"}) {
    EXPECT_FALSE(line_of(out, key).empty()) << key << "\n" << out;
  }
  EXPECT_EQ(line_of(out, "junit"), "junit=" + (dir() / "out" / "junit.xml").string());
  EXPECT_TRUE(read_text(step).starts_with("<!-- benchgate:report v1 ")) << read_text(step);
  // The step summary is summary.md (plus a final newline when it has none).
  auto md = read_text(dir() / "out" / "summary.md");
  if (!md.ends_with('\n')) md += '\n';
  EXPECT_EQ(read_text(step), md);
  EXPECT_TRUE(contains(r.out, "::error title=benchgate regression")) << r.out;
  EXPECT_TRUE(contains(r.out, "::error title=benchgate run failed")) << r.out;
}

TEST_F(CliMessagesTest, DiffDoesTheGithubIntegrationOfRun) {
  const auto recorded = data_path("gbench/recorded");
  const auto gh = dir() / "github_output";
  const auto step = dir() / "step_summary";
  const auto r = bg({"diff", (recorded / "baseline.json").string(),
                     (recorded / "candidate.json").string(), "--format", "json"},
                    {"GITHUB_OUTPUT=" + gh.string(), "GITHUB_STEP_SUMMARY=" + step.string(),
                     "GITHUB_ACTIONS=true"});
  // BM_AlwaysFails errored (4) outranks the StringJoin regressions (1).
  EXPECT_EQ(r.exit_code, 4) << r.err;
  // stdout stays the JSON rendering; the annotations go to stderr.
  EXPECT_TRUE(nlohmann::json::accept(r.out)) << r.out.substr(0, 500);
  // Workflow-command properties escape ':' as %3A.
  EXPECT_TRUE(contains(r.err, "::error title=benchgate regression%3A BM_StringJoin/64 real_time::"))
      << r.err;
  const auto out = read_text(gh);
  EXPECT_EQ(line_of(out, "status"), "status=run_failed") << out;
  EXPECT_EQ(line_of(out, "exit-code"), "exit-code=4");
  EXPECT_NE(line_of(out, "regressions"), "regressions=0") << out;
  EXPECT_FALSE(line_of(out, "not-comparable").empty()) << out;
  // The step summary is the Markdown rendering, whatever --format printed.
  EXPECT_TRUE(contains(read_text(step), "benchgate")) << read_text(step);
  EXPECT_TRUE(contains(read_text(step), "BM\\_StringJoin")) << read_text(step);
  EXPECT_FALSE(contains(read_text(step), "\"verdicts\"")) << "not the JSON rendering";
}

}  // namespace
}  // namespace benchgate
