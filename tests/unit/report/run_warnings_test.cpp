// Runs' warnings in the reports: each names its run, is escaped for its target, and the list
// is cut at max_list in Markdown; nothing at all when no run warned.

#include "report/run_warnings.h"

#include <gtest/gtest.h>

#include <sstream>

#include "fixtures.h"
#include "report/markdown.h"

namespace benchgate::report {
namespace {

ReportModel with_warnings(const std::vector<std::pair<std::size_t, std::string>>& warnings) {
  auto m = testing::sample_model(false);
  for (const auto& [run, w] : warnings)
    m.results.runs.at(run).warnings.push_back(w);
  return m;
}

std::string line_for(const results::RunRecord& r, const std::string& w) {
  return r.app + " · " + r.scenario + " · iteration " + std::to_string(r.iteration) + ": " + w;
}

TEST(RunWarnings, NoneMeansNoSection) {
  const auto m = testing::sample_model(false);
  for (const auto& r : m.results.runs)
    ASSERT_TRUE(r.warnings.empty()) << "the fixture has no run warnings";
  EXPECT_TRUE(run_warnings(m).empty());
  std::ostringstream out;
  write_run_warnings(m, out);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(markdown_run_warnings(m, 20), "");
  EXPECT_EQ(render_markdown(m).find("Run warnings"), std::string::npos);
}

TEST(RunWarnings, EachNamesItsRunInExecutionOrder) {
  const std::string survivor =
      "the app left a process running after it was stopped: pid 42 (sleep 300) ignored SIGTERM "
      "and was killed with SIGKILL";
  const auto m = with_warnings({{2, "second"}, {0, survivor}, {2, "third"}});
  const auto& runs = m.results.runs;
  EXPECT_EQ(run_warnings(m),
            (std::vector<std::string>{line_for(runs[0], survivor), line_for(runs[2], "second"),
                                      line_for(runs[2], "third")}));
  std::ostringstream out;
  write_run_warnings(m, out);
  EXPECT_EQ(out.str(), "Run warnings\n  " + line_for(runs[0], survivor) + "\n  " +
                           line_for(runs[2], "second") + "\n  " + line_for(runs[2], "third") +
                           "\n");
  const auto md = render_markdown(m);
  EXPECT_NE(md.find("#### ⚠️ Run warnings\n\n- "), std::string::npos) << md;
  EXPECT_NE(md.find("pid 42 \\(sleep 300\\) ignored SIGTERM"), std::string::npos) << md;
}

TEST(RunWarnings, EscapedAndCut) {
  const auto m = with_warnings({{0, "a | b <script> `x`\x1b[31m"}, {1, "two"}, {1, "three"}});
  std::ostringstream out;
  write_run_warnings(m, out);
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos) << "terminal-safe";
  const auto md = markdown_run_warnings(m, 2);
  EXPECT_NE(md.find("a \\| b &lt;script&gt; &#96;x&#96;"), std::string::npos) << md;
  EXPECT_EQ(md.find("three"), std::string::npos) << md;
  EXPECT_NE(md.find("- … and 1 more (see results.json)\n"), std::string::npos) << md;
}

}  // namespace
}  // namespace benchgate::report
