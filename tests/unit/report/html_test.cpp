#include "report/html.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <pugixml.hpp>
#include <regex>
#include <sstream>

#include "core/histogram.h"
#include "fixtures.h"
#include "platform/fs.h"
#include "report/html_assets.h"
#include "results/json.h"

namespace benchgate::report {
namespace {

using namespace testing;

std::string html(const ReportModel& m) {
  std::ostringstream out;
  write_html(m, out);
  return out.str();
}

/// The page as XML (it is XHTML-compatible); fails the test when not well-formed.
pugi::xml_document parse(const std::string& text) {
  pugi::xml_document doc;
  const auto r = doc.load_string(text.c_str(), pugi::parse_default | pugi::parse_doctype);
  EXPECT_TRUE(r) << r.description() << " at offset " << r.offset << ": "
                 << text.substr(
                        static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, r.offset - 80)), 160);
  return doc;
}

TEST(Html, WellFormedXhtml) {
  for (const auto& m : {sample_model(), sample_model(false), hostile_model()}) {
    const auto text = html(m);
    auto doc = parse(text);
    EXPECT_TRUE(doc.child("html").child("head"));
    EXPECT_TRUE(doc.child("html").child("body"));
  }
}

TEST(Html, StrictParserAgrees) {
  ASSERT_TRUE(platform::find_executable("xmllint").has_value());
  platform::TempDir dir("html-test");
  for (const auto& [name, m] :
       {std::pair{"sample", sample_model()}, {"hostile", hostile_model()}}) {
    const auto file = dir.path() / (std::string(name) + ".html");
    platform::write_file_atomic(file, html(m));
    std::string out;
    EXPECT_EQ(run_command("xmllint --noout '" + file.string() + "'", &out), 0) << out;
  }
}

TEST(Html, SelfContained) {
  const auto text = html(sample_model());
  // No external resources of any kind; the CSP forbids them anyway.
  EXPECT_EQ(text.find("<link"), std::string::npos);
  EXPECT_EQ(text.find(" src="), std::string::npos);
  EXPECT_EQ(text.find("@import"), std::string::npos);
  EXPECT_EQ(text.find("url(http"), std::string::npos);
  EXPECT_NE(text.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  // The only absolute link is the CI run's (an <a>, never loaded).
  std::regex abs(R"(href="(https?:[^"]*)\")");
  for (std::sregex_iterator it(text.begin(), text.end(), abs), end; it != end; ++it) {
    EXPECT_EQ((*it)[1].str(), "https://github.com/acme/hello/actions/runs/123456789");
  }
}

TEST(Html, EveryChartHasDataPointsAndAnAccessibleTitle) {
  const auto text = html(sample_model());
  auto doc = parse(text);
  int charts = 0;
  for (auto n : doc.select_nodes("//*[local-name()='svg']")) {
    auto svg = n.node();
    ++charts;
    const std::string id = svg.attribute("id").value();
    EXPECT_GT(svg.attribute("data-points").as_int(), 0) << id;
    EXPECT_STREQ(svg.attribute("role").value(), "img") << id;
    EXPECT_TRUE(svg.child("title")) << id;
    EXPECT_TRUE(svg.child("desc")) << id;
    // The points are really drawn: polylines or circles.
    const bool drawn = svg.select_node(".//*[local-name()='polyline' or local-name()='circle']");
    EXPECT_TRUE(drawn) << id;
  }
  // Load scaling: throughput and p99 against the clients. The regressed cell (c=64) under
  // Regressions: its forest plot, throughput and latency; in its own section CPU, RSS and RSS
  // per process. The other cell: throughput, CPU, RSS, RSS per process, latency and its forest
  // plot. Whole-run RSS and CPU.
  EXPECT_EQ(charts, 2 + 3 + 3 + 6 + 2);
}

// The order a reader wants: the headline, how each scenario scales, what regressed (with its
// charts), every verdict, then the details per cell.
TEST(Html, HeadlineThenScalingThenRegressionsThenTheTable) {
  const auto text = html(sample_model());
  auto doc = parse(text);
  std::vector<std::string> ids;
  for (auto n : doc.select_nodes("//main/section"))
    ids.push_back(n.node().attribute("id").value());
  ASSERT_GE(ids.size(), 4u);
  EXPECT_EQ(ids[0], "scaling");
  EXPECT_EQ(ids[1], "regressions");
  EXPECT_EQ(ids[2], "verdicts");
  EXPECT_EQ(ids[3].rfind("cell-", 0), 0u) << ids[3];
  EXPECT_LT(text.find("class=\"status"), text.find("id=\"scaling\""));  // the headline first
  // The regressed cell's block: its regressed rows and its charts, linked from its section.
  auto block = doc.select_node("//section[@id='regressions']/div[@class='regression']").node();
  ASSERT_TRUE(block);
  const std::string block_id = block.attribute("id").value();
  EXPECT_GE(block.select_nodes(".//tbody/tr").size(), 1u);
  for (auto row : block.select_nodes(".//tbody/tr")) {
    EXPECT_STREQ(row.node().attribute("class").value(), "v-regressed");
  }
  EXPECT_TRUE(block.select_node(".//*[local-name()='svg' and contains(@class,'forest')]"));
  EXPECT_TRUE(block.select_node(".//*[local-name()='svg' and contains(@id,'-tput')]"));
  EXPECT_NE(text.find("<a href=\"#" + block_id + "\">under Regressions</a>"), std::string::npos);
  // The full table still has every verdict.
  EXPECT_EQ(doc.select_nodes("//section[@id='verdicts']//tbody/tr").size(), 15u);
}

TEST(Html, ScalingChartPlotsEachAppAgainstTheLoad) {
  auto doc = parse(html(sample_model()));
  auto tput = doc.select_node("//*[@id='scaling-0-tput']").node();
  auto p99 = doc.select_node("//*[@id='scaling-0-p99']").node();
  ASSERT_TRUE(tput);
  ASSERT_TRUE(p99);
  // Two apps × two load points (c=16, c=64).
  EXPECT_EQ(tput.attribute("data-points").as_int(), 4);
  EXPECT_EQ(p99.attribute("data-points").as_int(), 4);
  EXPECT_EQ(tput.select_nodes(".//*[local-name()='circle' and @class='pt']").size(), 4u);
  EXPECT_EQ(tput.select_nodes(".//*[local-name()='polygon' and @class='range']").size(), 2u);
  // x ticks at the client counts; the regressed point ringed, its tooltip says so.
  bool has16 = false, has64 = false;
  for (auto t : tput.select_nodes(".//*[local-name()='text']")) {
    has16 = has16 || std::string(t.node().text().get()) == "16";
    has64 = has64 || std::string(t.node().text().get()) == "64";
  }
  EXPECT_TRUE(has16 && has64);
  EXPECT_GE(tput.select_nodes(".//*[local-name()='circle' and @class='ring']").size(), 1u);
  bool said = false;
  for (auto t : tput.select_nodes(".//*[local-name()='title']")) {
    const std::string s = t.node().text().get();
    said =
        said || (s.find("pr · plaintext c=64") != std::string::npos &&
                 s.find("req/s") != std::string::npos && s.find("regressed") != std::string::npos);
  }
  EXPECT_TRUE(said);
}

TEST(Html, OneLoadPointHasNoScalingChart) {
  auto r = load_results();
  for (auto& run : r.runs)
    run.periods.resize(1);
  auto doc = parse(html(build_model(r, std::nullopt)));
  EXPECT_FALSE(doc.select_node("//section[@id='scaling']"));
}

TEST(Html, HistoryChartWhenTheBaselineCarriesHistory) {
  const auto m = history_model();
  ASSERT_TRUE(m.gate);
  ASSERT_EQ(m.gate->history.size(), 13u);  // twelve past baselines and the baseline itself
  const auto text = html(m);
  auto doc = parse(text);
  std::vector<std::string> ids;
  for (auto n : doc.select_nodes("//main/section"))
    ids.push_back(n.node().attribute("id").value());
  const auto at = [&](const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) - ids.begin();
  };
  EXPECT_LT(at("verdicts"), at("history"));
  EXPECT_LT(at("history"), static_cast<long>(ids.size()));
  auto tput = doc.select_node("//*[@id='history-0-tput']").node();
  ASSERT_TRUE(tput);
  // Per load point (c=16, c=64): 13 stored baselines and this run.
  EXPECT_EQ(tput.attribute("data-points").as_int(), 2 * 14);
  EXPECT_NE(text.find("this run</text>"), std::string::npos);
  EXPECT_NE(text.find("5be1c0de5be1"), std::string::npos);  // the baseline's commit, in a tooltip
  // Without history: no section.
  auto plain = m;
  plain.gate->history.clear();
  EXPECT_FALSE(parse(html(plain)).select_node("//section[@id='history']"));
}

// Table cells never break inside a word (a narrow column once showed "plainte xt c=64").
TEST(Html, NamesDoNotBreakInsideWords) {
  const std::string css(html_assets::kCss);
  EXPECT_EQ(css.find("word-break: break-word"), std::string::npos);
  EXPECT_NE(css.find("td.name { white-space: nowrap; }"), std::string::npos);
}

TEST(Html, SectionsAndTables) {
  const auto text = html(sample_model());
  auto doc = parse(text);
  for (const char* id :
       {"verdicts", "cell-1", "cell-2", "scenario-0", "problems", "notes", "environment"}) {
    EXPECT_TRUE(doc.select_node((std::string("//section[@id='") + id + "']").c_str())) << id;
  }
  EXPECT_EQ(doc.select_nodes("//section[@id='verdicts']//tbody/tr").size(), 15u);
  EXPECT_NE(text.find("exiting with status 139"), std::string::npos);  // failed run's log tail
  EXPECT_NE(text.find("<a href=\"artifacts/run-006-pr/app.log\">"), std::string::npos);
  EXPECT_NE(text.find("<a href=\"artifacts/run-002-pr/flame.svg\">"), std::string::npos);
  EXPECT_NE(text.find("log latency axis"), std::string::npos);  // wide range → log y
  EXPECT_NE(text.find(">99.999</text>"), std::string::npos);    // nines x axis labels
}

TEST(Html, UngatedShowsResultsInsteadOfVerdicts) {
  const auto text = html(sample_model(false));
  auto doc = parse(text);
  EXPECT_TRUE(doc.select_node("//section[@id='results']"));
  EXPECT_FALSE(doc.select_node("//section[@id='verdicts']"));
  EXPECT_EQ(text.find("forest"), std::string::npos);
}

TEST(Html, HostileLabelsAreEscaped) {
  const auto text = html(hostile_model());
  parse(text);
  EXPECT_EQ(text.find("<script>alert"), std::string::npos);
  EXPECT_EQ(text.find("<b>"), std::string::npos);
  EXPECT_EQ(text.find("href=\"javascript"), std::string::npos);
  EXPECT_EQ(text.find("\"><script>x"), std::string::npos);
  EXPECT_EQ(text.find('\x01'), std::string::npos);
  EXPECT_NE(text.find("&lt;script&gt;alert("), std::string::npos);
  EXPECT_LT(text.find("very-long-metric-name"), std::string::npos);
  EXPECT_EQ(text.find(long_name()), std::string::npos);  // shortened
}

TEST(Html, LatencyCurvesFromTheHistogramWhenPresent) {
  auto r = load_results();
  LatencyHistogram h;
  for (int i = 1; i <= 200000; ++i)
    h.record(200'000 + (i % 1000) * 1000);  // 0.2–1.2 ms
  for (auto& run : r.runs) {
    for (auto& p : run.periods)
      p.driver.latency.histogram = h.encode();
  }
  const auto text = html(build_model(r, std::nullopt));
  auto doc = parse(text);
  auto lat = doc.select_node("//*[@id='cell-2-lat']").node();
  ASSERT_TRUE(lat);
  // 11 percentiles from 50 to 99.999 (200k values reach 99.999) per app (the median of its
  // good runs) and per run that was not good.
  EXPECT_GE(lat.attribute("data-points").as_int(), 11 * 2);
  EXPECT_NE(text.find(">99.999</text>"), std::string::npos);
}

TEST(Html, EmptyResultsStillMakeAPage) {
  results::ResultsFile r;
  auto doc = parse(html(build_model(r, std::nullopt)));
  EXPECT_TRUE(doc.child("html"));
}

// Writes the sample report for tests/browser/render_report.sh (BENCHGATE_REPORT_SAMPLE_DIR)
// or into a temporary folder, and checks the file.
TEST(Html, WritesTheBrowserSample) {
  std::optional<platform::TempDir> tmp;
  std::filesystem::path dir;
  if (const char* d = std::getenv("BENCHGATE_REPORT_SAMPLE_DIR"); d && *d) {
    dir = d;
  } else {
    tmp.emplace("html-sample");
    dir = tmp->path();
  }
  const auto file = dir / "report.html";
  platform::write_file_atomic(file, html(sample_model()));
  EXPECT_GT(std::filesystem::file_size(file), 20000u);
  platform::write_file_atomic(dir / "report-history.html", html(history_model()));
}

// The 48-cell case (6 scenarios × 8 load points, 2 apps × 10 iterations, every trace): the page
// stays under 1 MB (4.3 MB before: every chart of every cell drew every run, and every cell
// drew six charts). Also written for tests/browser/render_report.sh.
TEST(Html, FortyEightCellReportStaysUnderOneMegabyte) {
  const auto m = large_model();
  ASSERT_EQ(std::count_if(m.cells.begin(), m.cells.end(), [](const Cell& c) { return !c.per_run; }),
            48);
  const auto text = html(m);
  std::cout << "48-cell report.html: " << text.size() << " bytes\n";
  EXPECT_LE(text.size(), 1'000'000u);
  auto doc = parse(text);
  // Every chart still has its data; the regressed cells are shown under Regressions.
  for (auto n : doc.select_nodes("//*[local-name()='svg']")) {
    EXPECT_GT(n.node().attribute("data-points").as_int(), 0) << n.node().attribute("id").value();
  }
  EXPECT_EQ(doc.select_nodes("//section[@id='scaling']//*[local-name()='svg']").size(), 6u * 2);
  // 48 cells × ~12 metrics and ten pairs: Holm leaves nothing decidable (all inconclusive),
  // except the first scenario's cells, where a run crashed (error). Those draw their charts;
  // the others say why they have none.
  int with_charts = 0, without = 0;
  for (auto n : doc.select_nodes("//section[@class='cell']")) {
    if (n.node().select_node(".//*[local-name()='svg']")) {
      ++with_charts;
    } else {
      ++without;
      EXPECT_NE(
          std::string(n.node().select_node(".//p[@class='muted'][last()]").node().text().get())
              .find("No chart for this cell"),
          std::string::npos);
    }
  }
  EXPECT_GT(with_charts, 0);
  EXPECT_EQ(with_charts + without, 48);
  if (const char* d = std::getenv("BENCHGATE_REPORT_SAMPLE_DIR"); d && *d) {
    const std::filesystem::path dir(d);
    platform::write_file_atomic(dir / "report-48.html", text);
    // The same results for `benchgate report` (e.g. an older binary's page, to compare sizes).
    platform::write_file_atomic(dir / "results-48.json", nlohmann::json(m.results).dump(1));
  }
}

}  // namespace
}  // namespace benchgate::report
