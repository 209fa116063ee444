#include "profilers/perf_parse.h"

#include <gtest/gtest.h>

#include "core/parse.h"
#include "test_support.h"

namespace benchgate::profilers {
namespace {

std::string fixture(const std::string& name) {
  return testing::read_text(testing::data_path("perf/" + name));
}

const std::string kRbTreeFind =
    "std::_Rb_tree<std::__cxx11::basic_string<char, std::char_traits<char>, "
    "std::allocator<char> >, std::pair<std::__cxx11::basic_string<char, "
    "std::char_traits<char>, std::allocator<char> > const, int>, "
    "std::_Select1st<std::pair<std::__cxx11::basic_string<char, std::char_traits<char>, "
    "std::allocator<char> > const, int> >, std::less<std::__cxx11::basic_string<char, "
    "std::char_traits<char>, std::allocator<char> > >, "
    "std::allocator<std::pair<std::__cxx11::basic_string<char, std::char_traits<char>, "
    "std::allocator<char> > const, int> > >::find";

TEST(PerfReport, FlatNoChildren) {
  auto r = parse_perf_report(fixture("cpp_report_no_children.txt"));
  ASSERT_EQ(r.sections.size(), 1u);
  const auto& s = r.sections[0];
  EXPECT_EQ(s.event, "cpu-clock:ppp");
  EXPECT_EQ(s.samples_text, "2K");
  EXPECT_EQ(s.samples, 2000);
  EXPECT_EQ(s.event_count, 2992992990);
  EXPECT_EQ(s.lost_samples, 0);
  EXPECT_FALSE(s.has_children());
  EXPECT_EQ(s.columns,
            (std::vector<std::string>{"Overhead", "Command", "Shared Object", "Symbol"}));
  ASSERT_EQ(s.entries.size(), 25u);
  EXPECT_DOUBLE_EQ(s.entries[0].self, 0.4411);
  EXPECT_DOUBLE_EQ(s.entries[0].children, -1);
  EXPECT_EQ(s.entries[0].command, "cppwork");
  EXPECT_EQ(s.entries[0].dso, "libc.so.6");
  EXPECT_EQ(s.entries[0].symbol, "__memcmp_evex_movbe");
  EXPECT_EQ(s.entries[0].privilege, '.');
  // A symbol several hundred characters long, read whole.
  EXPECT_EQ(s.entries[1].symbol, kRbTreeFind);
  EXPECT_DOUBLE_EQ(s.entries[1].self, 0.2873);
  EXPECT_EQ(s.entries[2].symbol, "bench::detail::Matrix<double, 64ul>::multiply");
  EXPECT_EQ(s.entries[8].symbol, "memcpy@plt");
  EXPECT_EQ(s.entries[8].dso, "cppwork");
  EXPECT_EQ(s.entries[11].symbol, "pvm_irq_enable");
  EXPECT_EQ(s.entries[11].privilege, 'k');
  EXPECT_EQ(s.entries[11].dso, "[kernel.kallsyms]");
  EXPECT_EQ(s.entries[16].symbol, "clock_gettime@@GLIBC_2.17");
  EXPECT_EQ(s.entries.back().symbol, "operator delete");
  EXPECT_DOUBLE_EQ(s.entries.back().self, 0.0003);
  double sum = 0;
  for (const auto& e : s.entries)
    sum += e.self;
  EXPECT_NEAR(sum, 0.9998, 1e-9);
}

TEST(PerfReport, MaxStack1IsTheSameFlatProfile) {
  auto a = parse_perf_report(fixture("cpp_report_flat_max_stack1.txt")).sections.at(0);
  auto b = parse_perf_report(fixture("cpp_report_no_children.txt")).sections.at(0);
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (std::size_t i = 0; i < a.entries.size(); ++i) {
    EXPECT_EQ(a.entries[i].symbol, b.entries[i].symbol);
    EXPECT_DOUBLE_EQ(a.entries[i].self, b.entries[i].self);
  }
  auto m = parse_perf_report(fixture("cpp_report_flat_max_stack1_no_demangle.txt")).sections.at(0);
  EXPECT_EQ(m.entries[2].symbol, "_ZN5bench6detail6MatrixIdLm64EE8multiplyERKS2_S4_");
}

TEST(PerfReport, WithChildren) {
  auto r = parse_perf_report(fixture("cpp_report_default.txt"));
  const auto& s = r.sections.at(0);
  EXPECT_TRUE(s.has_children());
  ASSERT_EQ(s.entries.size(), 72u);
  EXPECT_DOUBLE_EQ(s.entries[0].children, 0.9676);
  EXPECT_DOUBLE_EQ(s.entries[0].self, 0.0);
  EXPECT_EQ(s.entries[0].symbol, "__libc_start_call_main");
  EXPECT_EQ(s.entries[2].symbol, "bench::Workload::run_for<main::{lambda()#1}>");
  EXPECT_DOUBLE_EQ(s.entries[2].children, 0.8860);
  EXPECT_DOUBLE_EQ(s.entries[2].self, 0.0013);
  EXPECT_EQ(s.entries[11].dso, "[unknown]");
  EXPECT_EQ(s.entries[11].symbol, "0000000000000000");
  EXPECT_EQ(s.entries[11].privilege, 'k');

  auto sum = summarize_perf_report(r);
  EXPECT_EQ(sum.profiler, "perf");
  EXPECT_EQ(sum.status, "ok");
  ASSERT_FALSE(sum.top_symbols.empty());
  EXPECT_EQ(sum.top_symbols[0].name, "__memcmp_evex_movbe");  // by self, not by children
  EXPECT_DOUBLE_EQ(sum.top_symbols[0].share, 0.4411);
  EXPECT_EQ(sum.extra.at("top_children")[0].at("name"), "__libc_start_call_main");
  EXPECT_DOUBLE_EQ(sum.extra.at("top_children")[0].at("share").get<double>(), 0.9676);
}

TEST(PerfReport, NginxTruncatedWithChildren) {
  auto r = parse_perf_report(fixture("nginx_report_default.txt"));
  const auto& s = r.sections.at(0);
  ASSERT_EQ(s.entries.size(), 2u);
  EXPECT_EQ(s.entries[1].symbol, "do_syscall_64");
  EXPECT_DOUBLE_EQ(s.entries[1].children, 0.7121);
  EXPECT_EQ(s.event_count, 2892892890);
}

TEST(PerfReport, SummaryByDsoMatchesSortDso) {
  // The self shares of the flat profile, summed by shared object, equal the --sort dso report's
  // Self column (libc.so.6 11.14 %): two perf views of one perf.data.
  auto flat = summarize_perf_report(parse_perf_report(fixture("nginx_report_flat_max_stack1.txt")),
                                    {.top = 100});
  ASSERT_EQ(flat.by_dso.size(), 4u);
  EXPECT_EQ(flat.by_dso[0].name, "[kernel.kallsyms]");
  EXPECT_NEAR(flat.by_dso[0].share, 0.7108, 1e-9);
  EXPECT_EQ(flat.by_dso[1].name, "nginx");
  EXPECT_NEAR(flat.by_dso[1].share, 0.1683, 1e-9);
  EXPECT_EQ(flat.by_dso[2].name, "libc.so.6");
  EXPECT_NEAR(flat.by_dso[2].share, 0.1114, 1e-9);
  EXPECT_EQ(flat.by_dso[3].name, "[vdso]");
  EXPECT_NEAR(flat.by_dso[3].share, 0.0034, 1e-9);
  EXPECT_EQ(flat.top_symbols[0].name, "pvm_irq_enable");
  EXPECT_DOUBLE_EQ(flat.top_symbols[0].share, 0.2135);
  EXPECT_EQ(flat.top_symbols[0].dso, "[kernel.kallsyms]");
  EXPECT_EQ(flat.top_symbols.size(), 100u);

  auto dso = parse_perf_report(fixture("nginx_report_sort_dso.txt"));
  const auto& s = dso.sections.at(0);
  EXPECT_EQ(s.columns, (std::vector<std::string>{"Children", "Self", "Shared Object"}));
  ASSERT_EQ(s.entries.size(), 1u);  // the file is truncated after the first entry
  EXPECT_EQ(s.entries[0].dso, "libc.so.6");
  EXPECT_DOUBLE_EQ(s.entries[0].self, 0.1114);
  EXPECT_DOUBLE_EQ(s.entries[0].children, 0.8260);
}

TEST(PerfReport, CppSortDso) {
  auto r = parse_perf_report(fixture("cpp_report_sort_dso.txt"));
  auto s = summarize_perf_report(r);
  EXPECT_TRUE(s.top_symbols.empty());
  ASSERT_EQ(s.by_dso.size(), 6u);
  EXPECT_EQ(s.by_dso[0].name, "cppwork");
  EXPECT_DOUBLE_EQ(s.by_dso[0].share, 0.5043);
  EXPECT_EQ(s.by_dso[1].name, "libc.so.6");
  EXPECT_DOUBLE_EQ(s.by_dso[1].share, 0.4763);
  EXPECT_EQ(s.by_dso[2].name, "libstdc++.so.6.0.30");
  EXPECT_EQ(s.by_dso[3].name, "[kernel.kallsyms]");
  // Wider than its column's dots: read to the end of the line.
  EXPECT_EQ(r.sections[0].entries.back().dso, "ld-linux-x86-64.so.2");
}

TEST(PerfReport, MultipleEventSections) {
  const std::string text =
      "# Total Lost Samples: 3\n"
      "#\n"
      "# Samples: 12  of event 'sched:sched_switch'\n"
      "# Event count (approx.): 12\n"
      "#\n"
      "# Overhead  Command  Shared Object      Symbol\n"
      "# ........  .......  .................  ...............\n"
      "#\n"
      "    75.00%  app      [kernel.kallsyms]  [k] __schedule\n"
      "    25.00%  app      [kernel.kallsyms]  [k] schedule_hrtimeout_range\n"
      "\n"
      "# Samples: 4  of event 'sched:sched_stat_sleep'\n"
      "# Event count (approx.): 4000\n"
      "#\n"
      "# Overhead  Command  Shared Object      Symbol\n"
      "# ........  .......  .................  ...............\n"
      "#\n"
      "   100.00%  app      [kernel.kallsyms]  [k] __schedule\n";
  auto r = parse_perf_report(text);
  ASSERT_EQ(r.sections.size(), 2u);
  EXPECT_EQ(r.sections[0].event, "sched:sched_switch");
  EXPECT_EQ(r.sections[0].samples, 12);
  EXPECT_EQ(r.sections[0].lost_samples, 3);
  EXPECT_EQ(r.sections[1].event, "sched:sched_stat_sleep");
  EXPECT_EQ(r.sections[1].event_count, 4000);
  EXPECT_DOUBLE_EQ(r.sections[1].entries[0].self, 1.0);
  auto s = summarize_perf_report(r, {}, 1);
  EXPECT_EQ(s.extra.at("event"), "sched:sched_stat_sleep");
  EXPECT_EQ(summarize_perf_report(r, {}, 7).status, "failed");
}

TEST(PerfReport, RejectsOtherText) {
  EXPECT_THROW(parse_perf_report(""), ParseError);
  try {
    parse_perf_report("Error:\nThe perf.data data has no samples!\n");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("no column header"), std::string::npos) << e.what();
  }
  std::string bad = fixture("cpp_report_no_children.txt");
  bad = replace_all(bad, "    44.11%  cppwork", "    44.x1%  cppwork");
  try {
    parse_perf_report(bad);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("line 12"), std::string::npos) << e.what();
  }
}

TEST(PerfScript, Samples) {
  auto samples = parse_perf_script(fixture("nginx_script.txt"));
  ASSERT_EQ(samples.size(), 198u);
  const auto& s = samples[0];
  EXPECT_EQ(s.comm, "nginx");
  EXPECT_EQ(s.pid, 24142);
  EXPECT_EQ(s.tid, 24142);
  EXPECT_EQ(s.cpu, -1);
  EXPECT_DOUBLE_EQ(s.time, 1593.496419);
  EXPECT_EQ(s.period, 1001001u);
  EXPECT_EQ(s.event, "cpu-clock:ppp");
  ASSERT_EQ(s.frames.size(), 19u);
  EXPECT_EQ(s.frames[0].address, 0xffffffff81eb6448u);
  EXPECT_EQ(s.frames[0].symbol, "__dev_queue_xmit");
  EXPECT_EQ(s.frames[0].offset, 0x3a8u);
  EXPECT_EQ(s.frames[0].dso, "[kernel.kallsyms]");
  EXPECT_EQ(s.frames[15].symbol, "__GI___writev");
  EXPECT_EQ(s.frames[15].address, 0xfde60u);
  EXPECT_EQ(s.frames[15].dso, "/usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(s.frames[18].symbol, "[unknown]");
  EXPECT_EQ(s.frames[18].dso, "[unknown]");
  EXPECT_EQ(s.frames[18].address, 0xd4b4f2030303220u);
}

TEST(PerfScript, HeaderVariants) {
  const std::string text =
      "Web Content 4242/4243 [001] 12.500000: sched:sched_switch: prev_comm=Web Content "
      "prev_pid=4243 ==> next_comm=swapper/1 next_pid=0\n"
      "\tffffffff8225fd19 __schedule+0x19 ([kernel.kallsyms])\n"
      "\t    55c782e0fec0 std::function<void (int)>::operator()+0x10 (/opt/app (x86)/bin/app)\n"
      "\n"
      "app 7 1.000001: cpu-clock:\n"
      "\t 1000 _ZN3foo3barEv (/opt/app/bin/app)\n";
  auto s = parse_perf_script(text);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].comm, "Web Content");
  EXPECT_EQ(s[0].pid, 4242);
  EXPECT_EQ(s[0].tid, 4243);
  EXPECT_EQ(s[0].cpu, 1);
  EXPECT_EQ(s[0].period, 0u);
  EXPECT_EQ(s[0].event, "sched:sched_switch");
  EXPECT_EQ(s[0].details, "prev_comm=Web Content prev_pid=4243 ==> next_comm=swapper/1 next_pid=0");
  EXPECT_EQ(s[0].frames[1].symbol, "std::function<void (int)>::operator()");
  EXPECT_EQ(s[0].frames[1].dso, "/opt/app (x86)/bin/app");
  EXPECT_EQ(s[1].event, "cpu-clock");
  EXPECT_EQ(s[1].frames[0].symbol, "_ZN3foo3barEv");
  EXPECT_EQ(s[1].frames[0].offset, 0u);

  auto folded = fold_perf_script(text, {.event = "cpu-clock"});
  EXPECT_EQ(folded, (FoldedStacks{{"app;foo::bar", 1}}));
  auto sched = fold_perf_script(text, {.include_pid = true});  // first event seen: sched_switch
  EXPECT_EQ(sched, (FoldedStacks{{"Web_Content-4242;std::function<void (int)>::operator();"
                                  "__schedule_[k]",
                                  1}}));
  EXPECT_THROW(parse_perf_script("\tffff foo (bar)\n"), ParseError);
  EXPECT_THROW(parse_perf_script("garbage line without time\n"), ParseError);
  try {
    parse_perf_script("app 7 1.000001: cpu-clock:\n\tzzzz foo (x)\n");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
}

TEST(PerfScript, FoldLikeStackcollapse) {
  auto f = fold_perf_script(fixture("cpp_script.txt"));
  EXPECT_EQ(total_count(f), 399);
  EXPECT_EQ(f.size(), 39u);
  const std::string lookup =
      "cppwork;__libc_start_call_main;main;bench::Workload::run_for<main::{lambda()#1}>;"
      "bench::detail::Index<std::__cxx11::basic_string<char, std::char_traits<char>, "
      "std::allocator<char> > >::lookup_all;";
  EXPECT_EQ(f.at(lookup + "__memcmp_evex_movbe"), 117);
  EXPECT_EQ(f.at(lookup + kRbTreeFind), 115);
  // The mangled script folds to the same stacks (demangled in perf's style).
  EXPECT_EQ(fold_perf_script(fixture("cpp_script_no_demangle.txt")), f);

  auto n = fold_perf_script(fixture("nginx_script.txt"));
  EXPECT_EQ(total_count(n), 198);
  EXPECT_EQ(n.size(), 84u);
  EXPECT_EQ(n.at("nginx;__libc_recv"), 10);
  EXPECT_EQ(n.at("nginx;epoll_wait;entry_SYSCALL_64_after_hwframe_[k];do_syscall_64_[k];"
                 "__raw_callee_save_pvm_irq_enable_[k];pvm_irq_enable_[k]"),
            9);
  // Unknown frames: "[unknown]" when the dso is unknown too.
  bool unknown_root = false;
  for (const auto& [k, v] : n)
    unknown_root |= k.rfind("nginx;[unknown];[unknown];", 0) == 0;
  EXPECT_TRUE(unknown_root);

  FoldOptions plain;
  plain.annotate_kernel = false;
  plain.include_comm = false;
  auto p = fold_perf_script(fixture("nginx_script.txt"), plain);
  EXPECT_EQ(p.at("epoll_wait;entry_SYSCALL_64_after_hwframe;do_syscall_64;"
                 "__raw_callee_save_pvm_irq_enable;pvm_irq_enable"),
            9);
  FoldOptions by_period;
  by_period.weight_by_period = true;
  EXPECT_EQ(total_count(fold_perf_script(fixture("nginx_script.txt"), by_period)), 198LL * 1001001);
  FoldOptions none;
  none.filter = [](const PerfSample& s) { return s.pid == 1; };
  EXPECT_TRUE(fold_perf_script(fixture("nginx_script.txt"), none).empty());
}

TEST(PerfScript, UnknownSymbolInKnownDso) {
  PerfFrame f;
  f.symbol = "[unknown]";
  f.dso = "/usr/lib/x86_64-linux-gnu/libc.so.6";
  EXPECT_EQ(folded_frame_name(f, {}), "[libc.so.6]");
  f.dso = "[vdso]";
  EXPECT_EQ(folded_frame_name(f, {}), "[vdso]");
  f.symbol = "a;b";
  f.dso = "/tmp/perf-123.map";
  EXPECT_EQ(folded_frame_name(f, {}), "a:b_[j]");
}

TEST(Folded, RoundTripAndErrors) {
  FoldedStacks f{{"a;b;c", 3}, {"a;b", 1}, {"x y;z", 2}};
  auto text = format_folded(f);
  EXPECT_EQ(text, "a;b 1\na;b;c 3\nx y;z 2\n");
  EXPECT_EQ(parse_folded(text), f);
  EXPECT_EQ(parse_folded("a;b 1\n\na;b 2\r\n"), (FoldedStacks{{"a;b", 3}}));
  EXPECT_THROW(parse_folded("a;b\n"), ParseError);
  EXPECT_THROW(parse_folded("a;b x\n"), ParseError);
}

TEST(PerfSummary, FromSamplesAndFolded) {
  auto samples = parse_perf_script(fixture("cpp_script.txt"));
  auto s = summarize_perf_samples(samples);
  EXPECT_EQ(s.extra.at("samples"), 399);
  ASSERT_GE(s.top_symbols.size(), 3u);
  EXPECT_EQ(s.top_symbols[0].name, "__memcmp_evex_movbe");
  EXPECT_DOUBLE_EQ(s.top_symbols[0].share, 173.0 / 399);
  EXPECT_EQ(s.top_symbols[0].dso, "libc.so.6");
  EXPECT_EQ(s.top_symbols[1].name, kRbTreeFind);
  EXPECT_DOUBLE_EQ(s.top_symbols[1].share, 115.0 / 399);
  EXPECT_EQ(s.top_symbols[2].name, "bench::detail::Matrix<double, 64ul>::multiply");
  EXPECT_EQ(s.top_symbols[2].dso, "cppwork");

  auto n = summarize_perf_samples(parse_perf_script(fixture("nginx_script.txt")));
  double kernel = 0;
  for (const auto& d : n.by_dso) {
    if (d.name == "[kernel.kallsyms]") kernel = d.share;
  }
  EXPECT_DOUBLE_EQ(kernel, 141.0 / 198);

  auto f = summarize_folded(fold_perf_script(fixture("nginx_script.txt")));
  EXPECT_DOUBLE_EQ(f.by_dso[0].share, 141.0 / 198);
  EXPECT_EQ(f.by_dso[0].name, "[kernel]");
  EXPECT_EQ(summarize_perf_samples({}).status, "failed");
  EXPECT_EQ(summarize_folded({}).status, "failed");
}

}  // namespace
}  // namespace benchgate::profilers
