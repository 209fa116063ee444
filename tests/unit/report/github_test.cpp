#include "report/github.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "core/error.h"
#include "fixtures.h"
#include "platform/fs.h"

namespace benchgate::report {
namespace {

using namespace testing;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Github, OutputsUseKeyValueAndHeredocWhenNeeded) {
  const auto m = sample_model();
  const auto text = github_outputs(m, {{"junit", "out/junit.xml"}, {"odd", "a\nb benchgate_EOF"}});
  EXPECT_NE(text.find("status=run_failed\n"), std::string::npos);
  EXPECT_NE(text.find("exit-code=4\n"), std::string::npos);
  EXPECT_NE(text.find("regressions=2\n"), std::string::npos);
  EXPECT_NE(text.find("improvements=3\n"), std::string::npos);
  // The crashed run and the run with an invalid load point.
  EXPECT_NE(text.find("failed-runs=2\n"), std::string::npos);
  EXPECT_NE(text.find("junit=out/junit.xml\n"), std::string::npos);
  // A value with a newline (and containing the first delimiter) gets a delimiter it lacks.
  EXPECT_NE(text.find("odd<<benchgate_EOF_2\na\nb benchgate_EOF\nbenchgate_EOF_2\n"),
            std::string::npos);
}

TEST(Github, AnnotationsWorstFirstEscaped) {
  auto m = hostile_model();
  std::ostringstream out;
  const int n = write_github_annotations(m, out);
  const auto text = out.str();
  EXPECT_EQ(n, 5);  // 3 regressions + 2 failed runs (a crash, an invalid load point)
  std::istringstream in(text);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    ASSERT_EQ(line.rfind("::error title=", 0), 0u) << line;
    const auto sep = line.find("::", 14);
    ASSERT_NE(sep, std::string::npos);
    const auto title = line.substr(14, sep - 14);
    EXPECT_EQ(title.find(':'), std::string::npos) << title;  // properties escape : and ,
    EXPECT_EQ(title.find(','), std::string::npos) << title;
    EXPECT_EQ(line.find('\r'), std::string::npos);
  }
  EXPECT_EQ(lines, 5);  // the failure reason's newline is %0A, not a line break
  EXPECT_NE(text.find("segfault%0Ain"), std::string::npos);
  // Worst first: the +50 % regression (10 kB metric) before the others.
  EXPECT_NE(text.find("very-long-metric-name"), std::string::npos);
  EXPECT_LT(text.find("very-long-metric-name"), text.find("throughput"));
}

TEST(Github, AtMostTenAnnotations) {
  auto m = sample_model();
  auto r = m.results;
  auto g = *m.gate;
  const auto proto = g.verdicts.front();
  for (int i = 0; i < 25; ++i) {
    auto v = proto;
    v.verdict = gate::Verdict::kRegressed;
    v.cell = "c" + std::to_string(i);
    v.estimate = -0.01 * (i + 4);  // c24 worst
    g.verdicts.push_back(v);
  }
  const auto big = build_model(r, g);
  std::ostringstream out;
  EXPECT_EQ(write_github_annotations(big, out), 10);
  const auto text = out.str();
  EXPECT_EQ(text.find("::error title=benchgate regression%3A pr c24 throughput::"), 0u);
  EXPECT_NE(text.find("more regression(s) or failed run(s) not annotated"), std::string::npos);
}

TEST(Github, IntegrateDoesWhatTheEnvironmentAsks) {
  const auto m = sample_model();
  std::map<std::string, std::string> files;
  auto append = [&](const std::filesystem::path& p, const std::string& t) { files[p] += t; };
  std::ostringstream out;
  auto r = github_integrate(m, "# summary", {{"junit", "j.xml"}}, env_of({}), out, append);
  EXPECT_FALSE(r.step_summary || r.outputs);
  EXPECT_EQ(r.annotations, 0);
  EXPECT_TRUE(files.empty());
  EXPECT_EQ(out.str(), "");

  r = github_integrate(
      m, "# summary", {{"junit", "j.xml"}},
      env_of({{"GITHUB_STEP_SUMMARY", "/s"}, {"GITHUB_OUTPUT", "/o"}, {"GITHUB_ACTIONS", "true"}}),
      out, append);
  EXPECT_TRUE(r.step_summary && r.outputs);
  EXPECT_EQ(r.annotations, 4);  // 2 regressions + 2 failed runs
  EXPECT_EQ(files["/s"], "# summary\n");
  EXPECT_NE(files["/o"].find("junit=j.xml\n"), std::string::npos);
  EXPECT_NE(out.str().find("::error title="), std::string::npos);
}

TEST(Github, AppendToFileAppendsAndReportsFailure) {
  platform::TempDir dir("gh-test");
  const auto f = dir.path() / "summary.md";
  append_to_file(f, "a\n");
  append_to_file(f, "b\n");
  EXPECT_EQ(platform::read_file(f), "a\nb\n");
  EXPECT_THROW(append_to_file(dir.path() / "missing" / "x", "a"), InternalError);
}

}  // namespace
}  // namespace benchgate::report
