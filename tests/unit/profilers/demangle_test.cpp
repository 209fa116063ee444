#include "profilers/demangle.h"

#include <gtest/gtest.h>

#include <regex>

#include "core/error.h"
#include "profilers/perf_parse.h"
#include "test_support.h"

namespace benchgate::profilers {
namespace {

TEST(Demangle, FullAndPerfStyles) {
  const std::string m = "_ZN5bench6detail6MatrixIdLm64EE8multiplyERKS2_S4_";
  EXPECT_EQ(demangle(m),
            "bench::detail::Matrix<double, 64ul>::multiply(bench::detail::Matrix<double, "
            "64ul> const&, bench::detail::Matrix<double, 64ul> const&)");
  EXPECT_EQ(demangle(m, DemangleStyle::kPerf), "bench::detail::Matrix<double, 64ul>::multiply");
  // A template function: the return type goes too.
  EXPECT_EQ(demangle("_ZN5bench8Workload7run_forIZ4mainEUlvE_EEddOT_", DemangleStyle::kPerf),
            "bench::Workload::run_for<main::{lambda()#1}>");
  EXPECT_EQ(demangle("_ZN5bench8Workload7run_forIZ4mainEUlvE_EEddOT_"),
            "double bench::Workload::run_for<main::{lambda()#1}>(double, main::{lambda()#1}&&)");
}

TEST(Demangle, SuffixesAndPlainNames) {
  EXPECT_EQ(demangle("memcpy@plt"), "memcpy@plt");
  EXPECT_EQ(demangle("clock_gettime@@GLIBC_2.17"), "clock_gettime@@GLIBC_2.17");
  EXPECT_EQ(demangle("__memcmp_evex_movbe"), "__memcmp_evex_movbe");
  EXPECT_EQ(demangle("pvm_irq_enable"), "pvm_irq_enable");
  EXPECT_EQ(demangle("[unknown]"), "[unknown]");
  EXPECT_EQ(demangle("set_ptes.isra.0"), "set_ptes.isra.0");
  EXPECT_EQ(
      demangle("_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE4swapERS4_@plt",
               DemangleStyle::kPerf),
      "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::swap@plt");
  EXPECT_EQ(demangle("_ZN3foo3barEv.isra.0", DemangleStyle::kPerf), "foo::bar.isra.0");
  EXPECT_EQ(demangle("_ZN3foo3barEv.cold"), "foo::bar().cold");
  EXPECT_EQ(demangle("_Znot_really_mangled"), "_Znot_really_mangled");
  EXPECT_EQ(demangle("_ZZZ"), "_ZZZ");
  EXPECT_FALSE(looks_mangled("main"));
  EXPECT_FALSE(looks_mangled("_Z"));
  EXPECT_TRUE(looks_mangled("_ZN3foo3barEv"));
}

TEST(Demangle, StripSignatureKeepsOperatorsAndAnonymousNamespaces) {
  EXPECT_EQ(strip_signature("main::{lambda()#1}::operator()() const"),
            "main::{lambda()#1}::operator()");
  EXPECT_EQ(strip_signature("bool operator< <int>(Foo<int> const&, Foo<int> const&)"),
            "operator< <int>");
  EXPECT_EQ(strip_signature("(anonymous namespace)::worker(int)"), "(anonymous namespace)::worker");
  EXPECT_EQ(strip_signature("void* operator new[](unsigned long)"), "operator new[]");
  EXPECT_EQ(strip_signature("Foo::operator<<(int)"), "Foo::operator<<");
  EXPECT_EQ(strip_signature("Foo::operator->() const"), "Foo::operator->");
  EXPECT_EQ(strip_signature("std::__cxx11::list<double, std::allocator<double> >* "
                            "app::build_list<double>(unsigned long)"),
            "app::build_list<double>");
  EXPECT_EQ(strip_signature("vtable for Foo"), "vtable for Foo");
  EXPECT_EQ(strip_signature("plain"), "plain");
}

// Every mangled name of cpp_script_no_demangle.txt, demangled in perf's style, equals the name
// perf printed at the same line of cpp_script.txt (both come from one perf.data).
TEST(Demangle, MatchesPerfOnTheRecordedScripts) {
  const auto plain =
      parse_perf_script(testing::read_text(testing::data_path("perf/cpp_script.txt")));
  const auto mangled =
      parse_perf_script(testing::read_text(testing::data_path("perf/cpp_script_no_demangle.txt")));
  ASSERT_EQ(plain.size(), mangled.size());
  int compared = 0;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    ASSERT_EQ(plain[i].frames.size(), mangled[i].frames.size());
    for (std::size_t f = 0; f < plain[i].frames.size(); ++f) {
      const auto& m = mangled[i].frames[f].symbol;
      EXPECT_EQ(demangle(m, DemangleStyle::kPerf), plain[i].frames[f].symbol) << m;
      compared += looks_mangled(m);
    }
  }
  EXPECT_GT(compared, 500);
}

TEST(Demangle, AllWithAnExternalDemangler) {
  std::vector<std::string> seen;
  Demangler fake = [&](const std::vector<std::string>& names) {
    seen = names;
    std::vector<std::string> out;
    for (const auto& n : names)
      out.push_back(n == "$s4main3FooV" ? "main.Foo" : n);
    return out;
  };
  auto out = demangle_all({"_ZN3foo3barEv", "$s4main3FooV", "plain", "$s4main3FooV"},
                          DemangleStyle::kFull, &fake);
  EXPECT_EQ(out, (std::vector<std::string>{"foo::bar()", "main.Foo", "plain", "main.Foo"}));
  EXPECT_EQ(seen, (std::vector<std::string>{"$s4main3FooV", "plain"}));  // de-duplicated
  EXPECT_EQ(demangle_all({"_ZN3foo3barEv"}, DemangleStyle::kPerf),
            (std::vector<std::string>{"foo::bar"}));
}

TEST(Demangle, ExternalCommand) {
  // `tr` stands in for swift-demangle: a filter, one line out per line in.
  auto upper = external_demangler({"tr", "a-z", "A-Z"});
  EXPECT_EQ(upper({"abc", "x y"}), (std::vector<std::string>{"ABC", "X Y"}));
  EXPECT_TRUE(upper({}).empty());
  auto failing = external_demangler({"sh", "-c", "echo nope >&2; exit 3"});
  EXPECT_THROW(failing({"a"}), RunError);
  auto short_answer = external_demangler({"head", "-n", "1"});
  EXPECT_THROW(short_answer({"a", "b"}), RunError);
  auto missing = external_demangler({"/nonexistent/swift-demangle"});
  EXPECT_THROW(missing({"a"}), Error);
  auto c = cxx_demangler(DemangleStyle::kPerf);
  EXPECT_EQ(c({"_ZN3foo3barEv", "x"}), (std::vector<std::string>{"foo::bar", "x"}));
}

}  // namespace
}  // namespace benchgate::profilers
