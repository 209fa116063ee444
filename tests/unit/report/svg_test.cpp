#include "report/svg.h"

#include <gtest/gtest.h>

#include <cmath>
#include <pugixml.hpp>
#include <sstream>

namespace benchgate::report::svg {
namespace {

TEST(Svg, NiceTicks) {
  EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  const auto t = nice_ticks(51234, 62987, 5);
  ASSERT_FALSE(t.empty());
  EXPECT_GE(t.front(), 51234);
  EXPECT_LE(t.back(), 62987);
  EXPECT_EQ(nice_ticks(5, 5), std::vector<double>{5});
  EXPECT_TRUE(nice_ticks(NAN, 1).empty());
  EXPECT_EQ(nice_ticks(-7.5, 7.5, 6), (std::vector<double>{-6, -4, -2, 0, 2, 4, 6}));
}

TEST(Svg, LogTicks) {
  EXPECT_EQ(log_ticks(0.1, 10), (std::vector<double>{0.1, 0.2, 0.5, 1, 2, 5, 10}));
  EXPECT_EQ(log_ticks(1, 1e5), (std::vector<double>{1, 10, 100, 1000, 10000, 100000}));
  EXPECT_TRUE(log_ticks(0, 10).empty());
}

TEST(Svg, Compact) {
  EXPECT_EQ(compact(0), "0");
  EXPECT_EQ(compact(2.5), "2.5");
  EXPECT_EQ(compact(150), "150");
  EXPECT_EQ(compact(12000), "12k");
  EXPECT_EQ(compact(1500000), "1.5M");
  EXPECT_EQ(compact(0.00123), "0.00123");
}

pugi::xml_document parse(const std::string& s) {
  pugi::xml_document d;
  EXPECT_TRUE(d.load_string(s.c_str())) << s;
  return d;
}

TEST(Svg, LineChartDrawsSeriesAxesAndLegend) {
  LineChart c;
  c.id = "t";
  c.title = "Throughput <&>";
  c.x.label = "s";
  c.y.label = "req/s";
  c.series.push_back(
      {"main", "#123456", "main #1", {{1, 10}, {2, 12}, {3, NAN}, {4, 11}, {5, 13}}});
  c.series.push_back({"pr", "#654321", "pr #1", {{1, 9}, {2, 9.5}}});
  const auto s = line_chart(c);
  auto d = parse(s);
  auto svg = d.child("svg");
  EXPECT_EQ(svg.attribute("data-points").as_int(), 6);
  EXPECT_STREQ(svg.child("title").text().get(), "Throughput <&>");
  // The NaN splits main's line in two polylines.
  EXPECT_EQ(d.select_nodes("//g[@data-group='main']/polyline").size(), 2u);
  EXPECT_EQ(d.select_nodes("//g[@class='legend-item']").size(), 2u);
  EXPECT_GE(d.select_nodes("//g[@class='axis']/text").size(), 6u);  // tick labels
}

TEST(Svg, BandsRingsAndOwnMarkerTitles) {
  LineChart c;
  c.id = "b";
  Series s{"main", "#123456", "main", {{1, 10}, {2, 20}, {4, 30}}};
  s.band = {{8, 12}, {15, 25}, {29, 31}};
  s.markers = true;
  s.point_titles = {"one", "two", "four"};
  s.rings = {2, 7};  // 7 is past the end: ignored
  c.series.push_back(s);
  const auto out = line_chart(c);
  auto d = parse(out);
  auto band = d.select_node("//polygon[@class='range']").node();
  ASSERT_TRUE(band);
  // The high edge left to right, then the low edge back: six corners.
  std::istringstream corners(band.attribute("points").value());
  int n = 0;
  for (std::string corner; corners >> corner;)
    ++n;
  EXPECT_EQ(n, 6);
  EXPECT_EQ(d.select_nodes("//circle[@class='pt']").size(), 3u);
  EXPECT_STREQ(d.select_node("//circle[@class='pt']/title").node().text().get(), "one");
  EXPECT_EQ(d.select_nodes("//circle[@class='ring']").size(), 1u);
  EXPECT_EQ(d.child("svg").attribute("data-points").as_int(), 3);
  // Pixel coordinates carry no ".0".
  EXPECT_EQ(out.find(".0,"), std::string::npos);
  EXPECT_EQ(out.find(".0\""), std::string::npos);
}

TEST(Svg, ChartWithoutDataSaysSo) {
  LineChart c;
  c.id = "e";
  c.series.push_back({"main", "#000", "", {{1, NAN}}});
  auto d = parse(line_chart(c));
  EXPECT_EQ(d.child("svg").attribute("data-points").as_int(), 0);
  EXPECT_STREQ(d.select_node("//text[@class='nodata']").node().text().get(), "no data");
}

TEST(Svg, LogAxisSkipsNonPositiveValues) {
  LineChart c;
  c.id = "l";
  c.y.log = true;
  c.series.push_back({"a", "#000", "", {{1, 0}, {2, 1}, {3, 100}}});
  auto d = parse(line_chart(c));
  EXPECT_EQ(d.child("svg").attribute("data-points").as_int(), 2);
}

TEST(Svg, LongSeriesAreDecimated) {
  LineChart c;
  c.id = "d";
  Series s{"a", "#000", ""};
  for (int i = 0; i < 100000; ++i)
    s.points.push_back({double(i), std::sin(i / 100.0)});
  c.series.push_back(s);
  const auto out = line_chart(c);
  EXPECT_LT(out.size(), 60000u);
}

TEST(Svg, ForestPlotRowsBandsAndClamping) {
  ForestPlot f;
  f.id = "f";
  f.rows.push_back({"throughput ↑", "regressed · pr", -6, -8, -4, 3, -1, "#c00", "tip", "-6 %"});
  f.rows.push_back({"latency ↓", "warn", 900, 850, 950, 10, 1, "#b80", "", "+900 %"});  // clamped
  Interval none;
  none.label = "errors";
  none.has_estimate = false;
  f.rows.push_back(none);
  auto d = parse(forest_plot(f));
  EXPECT_EQ(d.child("svg").attribute("data-points").as_int(), 2);
  EXPECT_EQ(d.select_nodes("//circle[contains(@class,'est pt')]").size(), 2u);
  EXPECT_EQ(d.select_nodes("//rect[@class='band']").size(), 3u);  // 2 rows + the key
  EXPECT_TRUE(d.select_node("//text[@class='nodata']"));
  // The 900 % estimate is drawn at the edge of the axis, inside the plot.
  double max_cx = 0;
  for (auto n : d.select_nodes("//circle[contains(@class,'est pt')]")) {
    max_cx = std::max(max_cx, n.node().attribute("cx").as_double());
  }
  EXPECT_LE(max_cx, f.width - 200 - 12 + 0.5);
}

}  // namespace
}  // namespace benchgate::report::svg
