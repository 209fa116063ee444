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
  EXPECT_TRUE(find(frames, "bad (1"));  // XML 1.0 forbids the control character: removed
  EXPECT_TRUE(find(frames, "\xEF\xBF\xBD\xEF\xBF\xBD (1"));  // invalid UTF-8 replaced
  EXPECT_EQ(frame_colour("foo"), frame_colour("foo"));
  EXPECT_NE(frame_colour("foo"), frame_colour("bar"));
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

constexpr const char* kNeutral = "rgb(220,220,220)";

bool is_red(const std::string& fill) {
  return fill.rfind("rgb(255,", 0) == 0 && fill != "rgb(255,255,255)";
}
bool is_blue(const std::string& fill) {
  return fill.size() > 4 && fill.substr(fill.size() - 5) == ",255)" && fill.rfind("rgb(255,", 0);
}

TEST(DiffFlameGraph, CompareFrameIsTheExactPoissonRatesTest) {
  // Values from tests/data/stats/binomial.json (scipy): 1,100 vs 1,000 samples over equal
  // exposures, p = 0.0307; 11,000 vs 10,000, p = 5.39e-12.
  const auto c = compare_frame(1100, 50000, 1000, 50000);
  EXPECT_DOUBLE_EQ(c.after, 22.0);  // per 1,000 requests
  EXPECT_DOUBLE_EQ(c.before, 20.0);
  EXPECT_NEAR(c.p_value, 0.030720707864242486, 1e-10);
  EXPECT_NEAR(compare_frame(11000, 1000, 10000, 1000).p_value, 5.385393269677369e-12, 1e-20);
}

// A function with +10 % samples per request, the rest of the profile unchanged.
TEST(DiffFlameGraph, TenPercentMorePerRequestIsRedWhenCountsAreLarge) {
  FoldedStacks before{{"main;handle;spin", 10000}, {"main;handle;write_[k]", 10000}};
  FoldedStacks after{{"main;handle;spin", 11000}, {"main;handle;write_[k]", 10000}};
  DiffFlameGraphOptions o;
  o.requests_before = o.requests_after = 100000;
  pugi::xml_document doc;
  const auto frames = frames_of(render_diff_flamegraph(before, after, o), doc);
  const auto* spin = find(frames, "spin (");
  const auto* write = find(frames, "write_[k] (");
  const auto* handle = find(frames, "handle (");
  ASSERT_TRUE(spin && write && handle);
  EXPECT_EQ(spin->fill, "rgb(255,0,0)") << spin->title;  // the largest change beyond noise
  EXPECT_EQ(write->fill, kNeutral) << write->title;
  EXPECT_EQ(handle->fill, kNeutral) << "no self samples: nothing to colour";
  EXPECT_NE(spin->title.find("self per 1,000 requests: before 100.0, after 110.0, +10.0 %; "
                             "beyond noise"),
            std::string::npos)
      << spin->title;
  EXPECT_NE(write->title.find("within noise, p = 1 Holm-adjusted"), std::string::npos)
      << write->title;
}

TEST(DiffFlameGraph, TinyFramesDoNotHideAHotFramesChange) {
  // Measured on a quiet machine: spin +9.3 % per request, 3,222 vs 3,304 samples for the same
  // requests served (raw p ≈ 4e-4) among ~300 frames of 1–3 samples each. Holm over all 300
  // gave p_adj ≈ 0.11 (grey); the tiny frames can never reach α/m, so Tarone's rule drops
  // them and spin is red.
  FoldedStacks before{{"main;spin", 3222}};
  FoldedStacks after{{"main;spin", 3522}};  // +9.3 % per request with equal exposure
  for (int i = 0; i < 300; ++i) {
    before["main;kernel;f" + std::to_string(i)] = 1 + i % 3;
    after["main;kernel;f" + std::to_string(i)] = 1 + (i + 1) % 3;
  }
  DiffFlameGraphOptions o;
  o.requests_before = o.requests_after = 200000;
  const auto svg = render_diff_flamegraph(before, after, o);
  pugi::xml_document doc;
  const auto frames = frames_of(svg, doc);
  const auto* spin = find(frames, "spin (");
  ASSERT_TRUE(spin);
  EXPECT_NE(spin->fill, kNeutral) << spin->title;
  EXPECT_NE(spin->title.find("beyond noise"), std::string::npos) << spin->title;
  EXPECT_NE(svg.find("with enough samples to reach it (Tarone&#39;s rule); 1 beyond noise"),
            std::string::npos);
}

TEST(DiffFlameGraph, TenPercentMorePerRequestIsNeutralWithinNoise) {
  // The same +10 % on 100 samples: p = 0.53 (binomial.json), far inside the noise.
  FoldedStacks before{{"main;spin", 100}, {"main;other", 100}};
  FoldedStacks after{{"main;spin", 110}, {"main;other", 100}};
  DiffFlameGraphOptions o;
  o.requests_before = o.requests_after = 1000;
  const auto svg = render_diff_flamegraph(before, after, o);
  pugi::xml_document doc;
  const auto frames = frames_of(svg, doc);
  const auto* spin = find(frames, "spin (");
  ASSERT_TRUE(spin);
  EXPECT_EQ(spin->fill, kNeutral) << spin->title;
  EXPECT_NE(spin->title.find("+10.0 %; within noise"), std::string::npos) << spin->title;
  for (const auto& f : frames)
    EXPECT_EQ(f.fill, kNeutral) << f.title;
  // The legend states the rule and the noise level.
  EXPECT_NE(svg.find("grey: within sampling noise (exact Poisson test per frame, Holm α = 0.05 "
                     "over the 2 of 2 frames with enough samples to reach it (Tarone&#39;s "
                     "rule); 0 beyond noise)"),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("noise level: the hottest frame"), std::string::npos);
}

TEST(DiffFlameGraph, NormalisesByRequestsNotShares) {
  // A CPU-saturated server: both profiles have 10,000 samples. The candidate's spin costs 10 %
  // more per request, so it serves fewer requests (93,458 vs 100,000) and spin's share moves
  // only from 70 % to 72 %; the rest costs the same per request but its share drops.
  FoldedStacks before{{"main;spin", 7000}, {"main;rest", 3000}};
  FoldedStacks after{{"main;spin", 7196}, {"main;rest", 2804}};
  DiffFlameGraphOptions per_request;
  per_request.requests_before = 100000;
  per_request.requests_after = 93458;
  pugi::xml_document doc;
  auto frames = frames_of(render_diff_flamegraph(before, after, per_request), doc);
  ASSERT_TRUE(find(frames, "spin (") && find(frames, "rest ("));
  EXPECT_TRUE(is_red(find(frames, "spin (")->fill)) << find(frames, "spin (")->title;
  EXPECT_EQ(find(frames, "rest (")->fill, kNeutral) << find(frames, "rest (")->title;
  EXPECT_NE(find(frames, "spin (")->title.find("before 70.00, after 77.00, +10.0 %"),
            std::string::npos)
      << find(frames, "spin (")->title;
  EXPECT_NE(find(frames, "rest (")->title.find("before 30.00, after 30.00, +0.0 %"),
            std::string::npos)
      << find(frames, "rest (")->title;
  // Widths stay the candidate's samples.
  EXPECT_NEAR(find(frames, "spin (")->width, 1180.0 * 7196 / 10000, 0.005);

  // Shares (no request counts) say the unchanged rest "shrank": the misleading picture.
  frames = frames_of(render_diff_flamegraph(before, after), doc);
  EXPECT_TRUE(is_blue(find(frames, "rest (")->fill)) << find(frames, "rest (")->title;
  EXPECT_NE(find(frames, "rest (")->title.find("self per 1,000 samples"), std::string::npos);

  // Raw counts (normalize = false, no requests): the counts themselves are compared.
  DiffFlameGraphOptions raw;
  raw.normalize = false;
  const auto svg = render_diff_flamegraph(before, after, raw);
  frames = frames_of(svg, doc);
  EXPECT_NE(find(frames, "spin (")
                ->title.find("self samples: before 7000.0, after 7196.0, +2.8 %; within noise"),
            std::string::npos)
      << find(frames, "spin (")->title;
  EXPECT_NE(svg.find("red: more self samples than before"), std::string::npos);
}

TEST(DiffFlameGraph, NegatedViewShowsWhatDisappeared) {
  FoldedStacks gone{{"main;old", 1000}, {"main;parse", 1000}};
  FoldedStacks now{{"main;parse", 2000}};
  DiffFlameGraphOptions o;
  o.requests_before = o.requests_after = 1000;
  pugi::xml_document doc;
  EXPECT_FALSE(find(frames_of(render_diff_flamegraph(gone, now, o), doc), "old ("));
  o.negate = true;
  const auto negated = frames_of(render_diff_flamegraph(gone, now, o), doc);
  const auto* old = find(negated, "old (");
  ASSERT_TRUE(old);
  EXPECT_TRUE(is_blue(old->fill)) << old->fill;
  // Negated widths: the baseline's samples scaled to the candidate's requests.
  EXPECT_DOUBLE_EQ(old->width, 1180.0 * 1000 / 2000);
}

}  // namespace
}  // namespace benchgate::profilers
