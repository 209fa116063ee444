#include "report/markdown.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "core/text.h"
#include "fixtures.h"

namespace benchgate::report {
namespace {

using namespace testing;

TEST(Markdown, GoldenGated) {
  expect_golden("summary_gated.md", mask(render_markdown(sample_model())));
}
TEST(Markdown, GoldenUngated) {
  expect_golden("summary_ungated.md", mask(render_markdown(sample_model(false))));
}
TEST(Markdown, GoldenHostile) {
  expect_golden("summary_hostile.md", mask(render_markdown(hostile_model())));
}

TEST(Markdown, MarkerLineFirst) {
  const auto md = render_markdown(sample_model());
  EXPECT_EQ(md.substr(0, md.find('\n')), "<!-- benchgate:report v1 id=hello -->");
  EXPECT_EQ(marker_line(kHostileSuite), "<!-- benchgate:report v1 id=hello_-_____-___everyone -->");
  // The id can never close the comment early.
  for (const std::string& s :
       std::vector<std::string>{"-->", "a--b", "--->", std::string(500, '-')}) {
    const auto id = marker_id(s);
    EXPECT_EQ(id.find("--"), std::string::npos) << s;
    EXPECT_EQ(id.find('>'), std::string::npos) << s;
    EXPECT_LE(id.size(), 100u);
  }
}

TEST(Markdown, HeadlineTableAndDetails) {
  const auto md = render_markdown(sample_model());
  EXPECT_NE(md.find("❌ 2 regressed · ⏭️ 1 not comparable · ❔ 1 inconclusive · ⚠️ 2 warn · "
                    "⚡ "
                    "3 "
                    "improved · 🟰 6 unchanged · 💥 2 failed runs"),
            std::string::npos);
  EXPECT_NE(md.find("<details><summary>All 15 results</summary>"), std::string::npos);
  // The attention table lists the regressions first, with direction arrows and limits.
  const auto first_row = md.find("| ❌ regressed | pr | plaintext c=64 | ");
  ASSERT_NE(first_row, std::string::npos);
  EXPECT_LT(first_row, md.find("| ⚠️ warn"));
  EXPECT_NE(md.find("| throughput ↑ |"), std::string::npos);
  EXPECT_NE(md.find("| cpu\\_per\\_request ↓ |"), std::string::npos);
  // Environment with the run link; failed runs with the reason.
  EXPECT_NE(md.find("[CI run](https://github.com/acme/hello/actions/runs/123456789)"),
            std::string::npos);
  EXPECT_NE(md.find("app exited with status 139 \\(SIGSEGV\\)"), std::string::npos);
}

// Every table row of the output has the same number of unescaped pipes as its header.
void expect_tables_intact(const std::string& md) {
  std::istringstream in(md);
  std::string line;
  int columns = -1;
  auto pipes = [](const std::string& l) {
    int n = 0;
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (l[i] == '\\') {
        ++i;
      } else if (l[i] == '|') {
        ++n;
      }
    }
    return n;
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '|') {
      columns = -1;
      continue;
    }
    if (columns < 0) {
      columns = pipes(line);
    } else {
      EXPECT_EQ(pipes(line), columns) << line.substr(0, 300);
    }
  }
}

TEST(Markdown, HostileLabelsCannotInjectMarkup) {
  const auto md = render_markdown(hostile_model());
  EXPECT_EQ(md.find("<script"), std::string::npos);
  EXPECT_EQ(md.find("<b>"), std::string::npos);
  EXPECT_EQ(md.find("](javascript"), std::string::npos);
  EXPECT_EQ(md.find('`'), std::string::npos);
  EXPECT_EQ(md.find("@everyone"), std::string::npos);
  EXPECT_EQ(md.find('\x01'), std::string::npos);
  EXPECT_EQ(md.find('\x1b'), std::string::npos);
  EXPECT_EQ(md.find('\x7f'), std::string::npos);
  EXPECT_EQ(md.find("<!-- -->"), std::string::npos);
  EXPECT_EQ(sanitize_utf8(md), md);
  // Exactly one HTML comment: the marker.
  EXPECT_EQ(md.find("<!--", 1), std::string::npos);
  // The URL with markup in it is percent-encoded, so it cannot end the link.
  const auto link = md.find("[CI run](");
  ASSERT_NE(link, std::string::npos);
  const auto target = md.substr(link + 9, md.find(')', link) - link - 9);
  EXPECT_EQ(target.find_first_of("<>\"( "), std::string::npos) << target;
  EXPECT_EQ(
      target,
      "https://github.com/%22%3E%3Cscript%3Ex%3C/script%3E/acme/hello/actions/runs/123456789");
  expect_tables_intact(md);
  // The 10 kB metric name is shortened with a marker.
  EXPECT_NE(md.find("…\\[+"), std::string::npos);
  EXPECT_LT(md.size(), 40000u);
}

TEST(Markdown, TablesIntactForTheSample) {
  expect_tables_intact(render_markdown(sample_model()));
}

ReportModel big_model(int rows, int regressions) {
  auto m = sample_model();
  const auto proto = m.gate->verdicts;
  m.gate->verdicts.clear();
  for (int i = 0; i < rows; ++i) {
    auto v = proto[static_cast<std::size_t>(i) % proto.size()];
    v.cell = "plaintext c=" + std::to_string(i);
    v.verdict = i < regressions ? gate::Verdict::kRegressed
                                : (i % 3 ? gate::Verdict::kUnchanged : gate::Verdict::kImproved);
    m.gate->verdicts.push_back(v);
  }
  ReportOptions o;
  return build_model(m.results, m.gate, o);
}

TEST(Markdown, StaysUnderTheLimitAndKeepsEveryRegression) {
  const auto m = big_model(5000, 40);
  const auto md = render_markdown(m);
  EXPECT_LE(md.size(), 60000u);
  for (int i = 0; i < 40; ++i) {
    EXPECT_NE(md.find("| ❌ regressed | pr | plaintext c=" + std::to_string(i) + " |"),
              std::string::npos)
        << i;
  }
  EXPECT_NE(md.find("more rows not shown here"), std::string::npos);  // attention table cut
  // The non-unchanged rows fill the comment; the full table is pointed to.
  EXPECT_NE(md.find("All 5000 results are in junit.xml and report.html"), std::string::npos);
  // The details are cut, not the document's end: environment and footer still there.
  EXPECT_NE(md.find("<summary>Environment</summary>"), std::string::npos);
  EXPECT_NE(md.find("full report: report.html"), std::string::npos);
  expect_tables_intact(md);
}

TEST(Markdown, SmallLimitStillKeepsRegressions) {
  const auto m = big_model(500, 12);
  MarkdownOptions o;
  o.max_chars = 12000;
  const auto md = render_markdown(m, o);
  EXPECT_LE(md.size(), 12000u);
  for (int i = 0; i < 12; ++i) {
    EXPECT_NE(md.find("plaintext c=" + std::to_string(i) + " |"), std::string::npos) << i;
  }
}

TEST(Markdown, UngatedResultsTable) {
  const auto md = render_markdown(sample_model(false));
  EXPECT_NE(md.find("### 💥 benchgate: hello — run failed: 2 of 20 runs failed\n"),
            std::string::npos);  // title
  EXPECT_NE(md.find("📊 2 apps × 2 cells · 20 runs · 💥 2 failed runs"), std::string::npos);
  EXPECT_NE(md.find("| app | cell | req/s | p50 ms | p99 ms | max ms | CPU % | CPU µs/req | RSS "
                    "MiB | good |"),
            std::string::npos);
  EXPECT_NE(md.find("| pr | plaintext c=64 |"), std::string::npos);
  EXPECT_NE(md.find("| 9/10 |"), std::string::npos);
  expect_tables_intact(md);
}

TEST(Markdown, UngatedManyCellsStaysUnderTheLimit) {
  auto r = load_results();
  auto run = r.runs[0];
  for (int i = 0; i < 3000; ++i) {
    run.scenario = "scenario-" + std::to_string(i);
    r.runs.push_back(run);
  }
  const auto md = render_markdown(build_model(r, std::nullopt));
  EXPECT_LE(md.size(), 60000u);
  EXPECT_NE(md.find("more rows cut"), std::string::npos);
}

}  // namespace
}  // namespace benchgate::report
