#include "report/html.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <pugixml.hpp>
#include <regex>
#include <sstream>

#include "core/histogram.h"
#include "fixtures.h"
#include "platform/fs.h"

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
  // Per load cell: throughput, CPU, RSS, RSS per process, latency, one forest plot (at
  // c=64 the errors row alone has no estimate: listed, not plotted); whole-run RSS and CPU.
  EXPECT_EQ(charts, 2 * 5 + 2 + 2);
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
  // 11 percentiles from 50 to 99.999 (200k values reach 99.999) per good or failed run.
  EXPECT_GE(lat.attribute("data-points").as_int(), 11 * 9);
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
}

}  // namespace
}  // namespace benchgate::report
