#include "profilers/oprofile.h"

#include <gtest/gtest.h>

#include "core/parse.h"
#include "test_support.h"

namespace benchgate::profilers {
namespace {

std::string fixture(const std::string& name) {
  return testing::read_text(testing::data_path("oprofile/" + name));
}

TEST(Oprofile, TextSymbolSummary) {
  auto r = parse_opreport_text(fixture("opreport_symbols_percival_cppprocessing.txt"));
  EXPECT_EQ(r.cpu, "Intel Haswell microarchitecture");
  EXPECT_DOUBLE_EQ(r.mhz, 3.201e6);  // printed with an exponent
  EXPECT_EQ(r.event, "CPU_CLK_UNHALTED");
  EXPECT_EQ(r.event_description, "Clock cycles when not halted");
  EXPECT_EQ(r.count, 100000);
  ASSERT_EQ(r.symbols.size(), 42u);
  EXPECT_EQ(r.total_samples, 21346);
  const auto& s0 = r.symbols[0];
  EXPECT_EQ(s0.samples, 21014);
  EXPECT_DOUBLE_EQ(s0.percent, 98.4447);
  EXPECT_EQ(s0.image, "cppProcessing2.0");
  EXPECT_EQ(s0.symbol, "percival_ADC_decode(percival_frame<short> const&, percival_frame<float>&)");
  EXPECT_FALSE(s0.no_symbols);
  EXPECT_EQ(r.symbols[1].image, "no-vmlinux");
  EXPECT_EQ(r.symbols[1].symbol, "/no-vmlinux");
  EXPECT_TRUE(r.symbols[1].no_symbols);
  EXPECT_EQ(r.symbols[15].symbol, "check_match.12439");
  EXPECT_EQ(r.symbols.back().symbol, "/usr/lib64/libstdc++.so.6.0.13");
  EXPECT_TRUE(r.symbols.back().no_symbols);

  auto s = summarize_oprofile(r, 5);
  EXPECT_EQ(s.profiler, "oprofile");
  ASSERT_EQ(s.top_symbols.size(), 5u);
  EXPECT_EQ(s.top_symbols[0].name, s0.symbol);
  EXPECT_DOUBLE_EQ(s.top_symbols[0].share, 21014.0 / 21346);
  EXPECT_EQ(s.top_symbols[0].dso, "cppProcessing2.0");
  EXPECT_EQ(s.top_symbols[1].name, "[no-vmlinux]");
  EXPECT_DOUBLE_EQ(s.top_symbols[1].share, 264.0 / 21346);
  ASSERT_EQ(s.by_dso.size(), 5u);
  EXPECT_EQ(s.by_dso[0].name, "cppProcessing2.0");
  EXPECT_EQ(s.by_dso[1].name, "no-vmlinux");
  EXPECT_EQ(s.by_dso[2].name, "libhdf5.so.9.0.0");
  EXPECT_DOUBLE_EQ(s.by_dso[2].share, 32.0 / 21346);
  EXPECT_EQ(s.by_dso[3].name, "ld-2.12.so");
  EXPECT_DOUBLE_EQ(s.by_dso[3].share, 26.0 / 21346);
  EXPECT_EQ(s.extra.at("total_samples"), 21346);
}

TEST(Oprofile, XmlDetailsOldLayout) {
  auto r = parse_opreport_xml(fixture("opreport_X_details_gdb_linuxtools.xml"));
  EXPECT_EQ(r.cpu, "core_2");
  EXPECT_DOUBLE_EQ(r.mhz, 1995.0);
  EXPECT_EQ(r.event, "CPU_CLK_UNHALTED");
  EXPECT_EQ(r.count, 100000);
  EXPECT_EQ(r.total_samples, 176);  // "<count>\n176</count>"
  ASSERT_EQ(r.symbols.size(), 66u);
  EXPECT_EQ(r.symbols[0].symbol, "d_demangle");
  EXPECT_EQ(r.symbols[0].samples, 26);
  EXPECT_EQ(r.symbols[0].image, "/home/rgrunber/runtime-EclipseApplication/archer/gdb/gdb");
  EXPECT_NEAR(r.symbols[0].percent, 100.0 * 26 / 176, 1e-12);
  EXPECT_EQ(r.symbols[1].symbol, "gnu_special");
  std::int64_t sum = 0;
  for (const auto& s : r.symbols)
    sum += s.samples;
  EXPECT_EQ(sum, 176);  // the <detailtable> counts are not added in
  auto s = summarize_oprofile(r);
  EXPECT_EQ(s.by_dso.size(), 1u);
  EXPECT_EQ(s.by_dso[0].name, "gdb");
  EXPECT_DOUBLE_EQ(s.by_dso[0].share, 1.0);
  EXPECT_DOUBLE_EQ(s.top_symbols[0].share, 26.0 / 176);
}

TEST(Oprofile, XmlNewLayoutWithProcessesAndModules) {
  const std::string xml = R"XML(<?xml version="1.0" ?>
<profile title="opreport --xml" schemaversion="3.1" cputype="x86-64/family17h" processor="" mhz="2400">
<setup><eventsetup id="0" eventname="CYCLES_NOT_IN_HALT" unitmask="0" setupcount="500000"/></setup>
<options session="" debuginfo="true"/>
<classes><class name="c0" cpu_num="0" event="0" mask="0"/><class name="c1" cpu_num="1" event="0" mask="0"/></classes>
<process name="/usr/bin/app" pid="42"><count class="c0">100</count><count class="c1">7</count>
 <thread tid="42"><count class="c0">100</count>
  <module name="/usr/bin/app"><count class="c0">70</count>
   <symbol idref="0"><count class="c0">60</count><count class="c1">5</count></symbol>
   <symbol idref="1"><count class="c0">10</count></symbol>
  </module>
  <module name="/lib/x86_64-linux-gnu/libc.so.6"><count class="c0">30</count>
   <symbol idref="2"><count class="c0">30</count></symbol>
  </module>
 </thread>
</process>
<symboltable>
 <symboldata id="0" name="handle(Request&amp;)" startingaddr="1000" file="app.cpp" line="12"/>
 <symboldata id="1" name="main" startingaddr="2000"/>
 <symboldata id="2" name="memcpy" startingaddr="3000"/>
</symboltable>
</profile>)XML";
  auto r = parse_opreport_xml(xml);
  EXPECT_EQ(r.cpu, "x86-64/family17h");
  EXPECT_EQ(r.event, "CYCLES_NOT_IN_HALT");
  EXPECT_EQ(r.total_samples, 100);
  ASSERT_EQ(r.symbols.size(), 3u);
  EXPECT_EQ(r.symbols[0].symbol, "handle(Request&)");
  EXPECT_EQ(r.symbols[0].samples, 60);                               // class c0 only
  EXPECT_EQ(r.symbols[1].image, "/lib/x86_64-linux-gnu/libc.so.6");  // sorted by samples
  EXPECT_EQ(r.symbols[2].symbol, "main");
  auto s = summarize_oprofile(r);
  EXPECT_EQ(s.by_dso[0].name, "app");
  EXPECT_DOUBLE_EQ(s.by_dso[0].share, 0.7);
  EXPECT_EQ(s.by_dso[1].name, "libc.so.6");
}

TEST(Oprofile, Rejects) {
  EXPECT_THROW(parse_opreport_text(""), ParseError);
  EXPECT_THROW(parse_opreport_text("operf: command not found\n"), ParseError);
  EXPECT_THROW(parse_opreport_text("samples  %  image name  symbol name\nabc 1.0 x y\n"),
               ParseError);
  EXPECT_THROW(parse_opreport_xml("<profile><binary"), ParseError);
  EXPECT_THROW(parse_opreport_xml("<other/>"), ParseError);
  EXPECT_THROW(parse_opreport_xml("<profile><binary name=\"a\"><symbol idref=\"9\"><count>1</count>"
                                  "</symbol></binary></profile>"),
               ParseError);
  OprofileReport empty;
  EXPECT_EQ(summarize_oprofile(empty).status, "failed");
}

}  // namespace
}  // namespace benchgate::profilers
