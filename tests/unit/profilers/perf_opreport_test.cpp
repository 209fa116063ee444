// The oprofile profiler without operf: perf's samples written as `opreport -X` XML and
// `opreport -l` text. The XML has opreport's structure (profile / setup / binary / symbol /
// symboltable) and its counts add up to exactly the samples perf recorded.

#include "profilers/perf_opreport.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <string>

#include "profilers/oprofile.h"
#include "test_support.h"

namespace benchgate::profilers {
namespace {

std::vector<PerfSample> fixture_samples() {
  return parse_perf_script(testing::read_text(testing::data_path("perf/cpp_script.txt")));
}

TEST(OpreportFromPerf, XmlHasOpreportsStructureAndPerfsCounts) {
  const auto samples = fixture_samples();
  ASSERT_EQ(samples.size(), 399u);  // one "cpu-clock:ppp" header per sample in the fixture
  OpreportFromPerfOptions o;
  o.event = "cpu-clock";
  o.period = 999;
  o.cpu = "QEMU Virtual CPU";
  o.mhz = 2400;
  const auto d = opreport_from_perf(samples, o);
  EXPECT_EQ(d.samples, 399);

  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(d.xml.c_str())) << d.xml.substr(0, 500);
  const auto profile = doc.child("profile");
  ASSERT_TRUE(profile);
  EXPECT_STREQ(profile.attribute("schemaversion").value(), "3.0");
  EXPECT_STREQ(profile.attribute("processor").value(), "QEMU Virtual CPU");
  const auto ev = profile.child("setup").child("eventsetup");
  ASSERT_TRUE(ev);
  EXPECT_STREQ(ev.attribute("eventname").value(), "cpu-clock");
  EXPECT_EQ(ev.attribute("setupcount").as_llong(), 999);

  // Every symbol idref resolves in the symboltable; binary counts are their symbols' sums;
  // everything sums to perf's sample count.
  std::set<std::string> ids;
  for (auto sd : profile.child("symboltable").children("symboldata")) {
    EXPECT_TRUE(ids.insert(sd.attribute("id").value()).second) << "duplicate id";
    EXPECT_FALSE(std::string(sd.attribute("name").value()).empty());
    EXPECT_FALSE(std::string(sd.attribute("startingaddr").value()).empty());
  }
  std::int64_t total = 0, previous = INT64_MAX;
  int binaries = 0;
  std::set<std::string> names;
  for (auto b : profile.children("binary")) {
    ++binaries;
    EXPECT_TRUE(names.insert(b.attribute("name").value()).second);
    const auto bcount = b.child("count").text().as_llong();
    EXPECT_LE(bcount, previous) << "binaries by count, largest first";
    previous = bcount;
    std::int64_t sum = 0;
    for (auto sym : b.children("symbol")) {
      EXPECT_TRUE(ids.count(sym.attribute("idref").value())) << sym.attribute("idref").value();
      sum += sym.child("count").text().as_llong();
    }
    EXPECT_EQ(sum, bcount) << b.attribute("name").value();
    total += bcount;
  }
  EXPECT_EQ(total, 399);
  EXPECT_EQ(binaries, d.images);
  EXPECT_EQ(static_cast<std::int64_t>(ids.size()), d.symbols);
  EXPECT_TRUE(names.count("[kernel.kallsyms]"));

  // benchgate's own opreport readers take both documents, with the same numbers.
  const auto x = parse_opreport_xml(d.xml);
  EXPECT_EQ(x.total_samples, 399);
  EXPECT_EQ(x.event, "cpu-clock");
  const auto t = parse_opreport_text(d.text);
  std::int64_t text_total = 0;
  for (const auto& s : t.symbols)
    text_total += s.samples;
  EXPECT_EQ(text_total, 399);
  EXPECT_EQ(t.event, "cpu-clock");
  EXPECT_EQ(t.count, 999);
  ASSERT_FALSE(t.symbols.empty());
  ASSERT_FALSE(x.symbols.empty());
  EXPECT_EQ(t.symbols.size(), x.symbols.size());
}

TEST(OpreportFromPerf, OtherEventsAndEmptyInput) {
  auto samples = fixture_samples();
  // Only the asked event counts.
  const auto none = opreport_from_perf(samples, {.event = "sched:sched_switch"});
  EXPECT_EQ(none.samples, 0);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(none.xml.c_str()));
  EXPECT_TRUE(doc.child("profile").child("symboltable"));
  EXPECT_FALSE(doc.child("profile").child("binary"));
  // No event given: the first one seen.
  EXPECT_EQ(opreport_from_perf(samples).samples, 399);
  // A sample without a call chain counts as [unknown].
  PerfSample bare;
  bare.event = "cpu-clock:ppp";
  const auto one = opreport_from_perf({bare});
  EXPECT_EQ(one.samples, 1);
  EXPECT_NE(one.xml.find("<binary name=\"[unknown]\">"), std::string::npos) << one.xml;
  // Names are escaped.
  PerfSample odd = bare;
  odd.frames.push_back({0x1010, "operator<<(std::ostream&, \"x\")", 0x10, "/bin/a&b"});
  const auto esc = opreport_from_perf({odd});
  ASSERT_TRUE(doc.load_string(esc.xml.c_str())) << esc.xml;
  EXPECT_STREQ(doc.child("profile").child("binary").attribute("name").value(), "/bin/a&b");
  EXPECT_STREQ(
      doc.child("profile").child("symboltable").child("symboldata").attribute("name").value(),
      "operator<<(std::ostream&, \"x\")");
}

}  // namespace
}  // namespace benchgate::profilers
