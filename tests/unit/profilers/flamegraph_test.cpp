#include "profilers/flamegraph.h"

#include <gtest/gtest.h>

#include <cmath>
#include <pugixml.hpp>
#include <set>

#include "test_support.h"

namespace benchgate::profilers {
namespace {

struct Frame {
  std::string title;
  double x = 0, width = 0;
  std::string fill;
  long depth = 0;
  double s = 0, c = 0;
};

/// Parses the SVG (must be well-formed XML) and returns its frames.
std::vector<Frame> frames_of(const std::string& svg, pugi::xml_document& doc) {
  auto res = doc.load_string(svg.c_str());
  EXPECT_TRUE(res) << res.description() << " at offset " << res.offset;
  std::vector<Frame> out;
  auto root = doc.child("svg");
  EXPECT_TRUE(root);
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://www.w3.org/2000/svg");
  auto frames = root.find_child_by_attribute("g", "id", "frames");
  EXPECT_TRUE(frames);
  for (auto g : frames.children("g")) {
    Frame f;
    f.title = g.child("title").text().get();
    auto r = g.child("rect");
    f.x = r.attribute("x").as_double();
    f.width = r.attribute("width").as_double();
    f.fill = r.attribute("fill").value();
    f.depth = r.attribute("data-d").as_int();
    f.s = r.attribute("data-s").as_double();
    f.c = r.attribute("data-c").as_double();
    out.push_back(f);
  }
  return out;
}

const Frame* find(const std::vector<Frame>& frames, const std::string& prefix) {
  for (const auto& f : frames) {
    if (f.title.rfind(prefix, 0) == 0) return &f;
  }
  return nullptr;
}

TEST(FlameGraph, RendersThePerfScriptAsWellFormedSvg) {
  const auto folded =
      fold_perf_script(testing::read_text(testing::data_path("perf/cpp_script.txt")));
  FlameGraphOptions o;
  o.title = "cppwork <cpu-clock> & \"friends\"";
  o.subtitle = "399 samples";
  const auto svg = render_flamegraph(folded, o);
  pugi::xml_document doc;
  auto frames = frames_of(svg, doc);
  ASSERT_FALSE(frames.empty());
  // Interactive, self-contained.
  auto root = doc.child("svg");
  EXPECT_STREQ(root.attribute("onload").value(), "init(evt)");
  EXPECT_TRUE(root.child("script"));
  EXPECT_NE(std::string(root.child("script").text().get()).find("function zoom"),
            std::string::npos);
  EXPECT_NE(std::string(root.child("script").text().get()).find("function search"),
            std::string::npos);
  EXPECT_EQ(svg.find("href"), std::string::npos);  // no external resources
  EXPECT_EQ(std::string(root.find_child_by_attribute("text", "id", "title").text().get()), o.title);

  // The root frame spans everything.
  const auto* all = find(frames, "all (");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->title, "all (399 samples, 100.00%)");
  EXPECT_DOUBLE_EQ(all->x, 10);
  EXPECT_DOUBLE_EQ(all->width, 1180);
  EXPECT_EQ(all->depth, 0);
  // The program's own functions, demangled, with their totals.
  const auto* main = find(frames, "main (");
  ASSERT_TRUE(main);
  const auto* lookup = find(frames,
                            "bench::detail::Index<std::__cxx11::basic_string<char, "
                            "std::char_traits<char>, std::allocator<char> > >::lookup_all (");
  ASSERT_TRUE(lookup);
  EXPECT_NE(lookup->title.find("samples"), std::string::npos);
  const auto* memcmp = find(frames, "__memcmp_evex_movbe (");
  ASSERT_TRUE(memcmp);
  EXPECT_TRUE(find(frames, "bench::detail::Matrix<double, 64ul>::multiply ("));
  EXPECT_TRUE(find(frames, "bench::Workload::sort_strings ("));
  // Child frames lie inside their parents.
  EXPECT_GE(lookup->x, main->x);
  EXPECT_LE(lookup->x + lookup->width, main->x + main->width + 1e-6);
  EXPECT_GT(lookup->depth, main->depth);
  // Widths are proportional to counts.
  for (const auto& f : frames) {
    EXPECT_NEAR(f.width, f.c * 1180.0 / 399, 0.01) << f.title;
    EXPECT_NEAR(f.x, 10 + f.s * 1180.0 / 399, 0.01) << f.title;
  }
  // Kernel frames are annotated and coloured apart (orange: blue channel 0).
  const auto* kernel = find(frames, "pvm_irq_enable_[k] (");
  ASSERT_TRUE(kernel);
  EXPECT_EQ(kernel->fill, frame_colour("pvm_irq_enable_[k]"));
  EXPECT_EQ(kernel->fill.substr(kernel->fill.size() - 3), ",0)");
}

TEST(FlameGraph, DeterministicAndEscaped) {
  FoldedStacks f{{"a<b>;c&d;\"e\"", 5}, {"a<b>;x'y", 3}, {std::string("bad\x01;\xff\xfe", 7), 1}};
  const auto a = render_flamegraph(f);
  EXPECT_EQ(a, render_flamegraph(f));
  pugi::xml_document doc;
  auto frames = frames_of(a, doc);
  EXPECT_TRUE(find(frames, "a<b> (8 samples"));
  EXPECT_TRUE(find(frames, "c&d (5 samples"));
  EXPECT_TRUE(find(frames, "\"e\" (5"));
  EXPECT_TRUE(find(frames, "x'y (3"));
  EXPECT_TRUE(find(frames, "bad? (1"));
  EXPECT_TRUE(find(frames, "\xEF\xBF\xBD\xEF\xBF\xBD (1"));  // invalid UTF-8 replaced
  EXPECT_EQ(frame_colour("foo"), frame_colour("foo"));
  EXPECT_NE(frame_colour("foo"), frame_colour("bar"));
  EXPECT_EQ(xml_escape("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
  EXPECT_EQ(xml_escape("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(FlameGraph, EmptyAndNarrowFrames) {
  pugi::xml_document doc;
  EXPECT_TRUE(frames_of(render_flamegraph({}), doc).empty());
  EXPECT_NE(render_flamegraph({}).find("(no samples)"), std::string::npos);
  // 1 sample in 100000 is 0.0118 px wide: left out, as are its children.
  FoldedStacks f{{"big", 99999}, {"tiny;child", 1}};
  auto frames = frames_of(render_flamegraph(f), doc);
  EXPECT_TRUE(find(frames, "big ("));
  EXPECT_FALSE(find(frames, "tiny ("));
  EXPECT_FALSE(find(frames, "child ("));
  FlameGraphOptions inv;
  inv.inverted = true;
  auto iframes = frames_of(render_flamegraph(f, inv), doc);
  EXPECT_LT(find(iframes, "all (")->x + 0, find(iframes, "big (")->x + 1);
}

TEST(DiffFlameGraph, ColoursGrowthRedAndShrinkBlue) {
  FoldedStacks before{{"main;parse", 50}, {"main;render", 50}};
  FoldedStacks after{{"main;parse", 150}, {"main;render", 50}};  // twice as many samples
  const auto svg = render_diff_flamegraph(before, after);
  pugi::xml_document doc;
  auto frames = frames_of(svg, doc);
  // Normalised: before scaled to 200 samples -> parse 100 before vs 150 after (grew),
  // render 100 before vs 50 after (shrank).
  const auto* parse = find(frames, "parse (");
  const auto* render = find(frames, "render (");
  const auto* main = find(frames, "main (");
  ASSERT_TRUE(parse && render && main);
  EXPECT_EQ(parse->fill, "rgb(255,0,0)");     // the largest growth: full red
  EXPECT_EQ(render->fill, "rgb(0,0,255)");    // the largest shrink: full blue
  EXPECT_EQ(main->fill, "rgb(255,255,255)");  // no self samples either way
  EXPECT_NE(parse->title.find("after 150 samples, 75.00%"), std::string::npos) << parse->title;
  EXPECT_NE(parse->title.find("before 100, 50.00%"), std::string::npos) << parse->title;
  EXPECT_NE(parse->title.find("self +25.00 points"), std::string::npos) << parse->title;
  EXPECT_DOUBLE_EQ(parse->width, 1180.0 * 150 / 200);

  DiffFlameGraphOptions raw;
  raw.normalize = false;
  auto rf = frames_of(render_diff_flamegraph(before, after, raw), doc);
  EXPECT_EQ(find(rf, "parse (")->fill, "rgb(255,0,0)");
  EXPECT_EQ(find(rf, "render (")->fill, "rgb(255,255,255)");  // 50 -> 50

  // A path that disappeared shows only in the negated view.
  FoldedStacks gone{{"main;old", 10}, {"main;parse", 10}};
  FoldedStacks now{{"main;parse", 20}};
  EXPECT_FALSE(find(frames_of(render_diff_flamegraph(gone, now), doc), "old ("));
  DiffFlameGraphOptions neg;
  neg.negate = true;
  const auto negated = frames_of(render_diff_flamegraph(gone, now, neg), doc);
  const auto* old = find(negated, "old (");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->fill, "rgb(0,0,255)");
}

}  // namespace
}  // namespace benchgate::profilers
