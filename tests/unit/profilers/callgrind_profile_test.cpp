// The function-level callgrind parser, checked against callgrind_annotate's own per-function
// totals of the same recorded file (tests/data/callgrind/hello/README.md), and what instruction
// mode builds on it: per-request differences, the table, the folded stacks.

#include "profilers/callgrind_profile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <sstream>

#include "core/error.h"
#include "core/parse.h"
#include "test_support.h"

namespace benchgate::profilers {
namespace {

using ::testing::HasSubstr;

std::string data(const std::string& name) {
  return benchgate::testing::read_text(benchgate::testing::data_path("callgrind/" + name));
}

// callgrind_annotate's "Ir file:function [object]" rows, summed per function name.
std::map<std::string, double> annotate_by_name(const std::string& text) {
  std::map<std::string, double> out;
  static const std::regex row(R"(^\s*([0-9,]+) \(\s*[0-9.]+%\)\s+(.*)$)");
  std::istringstream in(text);
  std::string line;
  bool table = false;
  while (std::getline(in, line)) {
    if (line.find("file:function") != std::string::npos) table = true;
    std::smatch m;
    if (!table || !std::regex_match(line, m, row)) continue;
    std::string ir = m[1];
    ir.erase(std::remove(ir.begin(), ir.end(), ','), ir.end());
    std::string what = m[2];
    // "[/path/of/object]" at the end, when annotate names it (not "[clone .part.0]").
    if (what.ends_with(" [???]")) {
      what.resize(what.size() - 6);
    } else if (const auto b = what.rfind(" [/"); b != std::string::npos && what.ends_with("]")) {
      what = what.substr(0, b);
    }
    const auto colon = what.find(':');
    out[what.substr(colon + 1)] += std::stod(ir);
  }
  return out;
}

TEST(CallgrindProfile, SelfCostPerFunctionMatchesCallgrindAnnotate) {
  const auto p = parse_callgrind_profile(data("hello/main-b.callgrind"));
  ASSERT_EQ(p.events.size(), 9u);
  EXPECT_EQ(p.events[0], "Ir");
  EXPECT_EQ(p.totals.pid, 14719);
  std::map<std::string, double> mine;
  for (const auto& [fn, v] : p.graph("Ir").self)
    mine[fn.name] += v;
  const auto theirs = annotate_by_name(data("hello/main-b.annotate.txt"));
  ASSERT_GT(theirs.size(), 300u);
  EXPECT_EQ(mine.size(), theirs.size());
  for (const auto& [name, ir] : theirs) {
    auto it = mine.find(name);
    ASSERT_NE(it, mine.end()) << name;
    EXPECT_EQ(it->second, ir) << name;
  }
  // The cost lines add up to the file's own "totals: 2411354" line; the "summary: 2411361"
  // header (callgrind_annotate's PROGRAM TOTALS) holds 7 instructions more that no cost line
  // carries (the same 7 in tests/data/callgrind/callgrind.out.single).
  EXPECT_EQ(p.graph("Ir").total_self(), 2411354.0);
  EXPECT_EQ(p.totals.instructions(), 2411361u);
  // Objects tell same-named functions apart; the label carries the object's file name.
  const CallgrindFn spin{"(anonymous namespace)::spin(unsigned long, unsigned long)",
                         "/work/main/build/examples/hello-server"};
  EXPECT_EQ(p.graph("Ir").self.at(spin), 448448.0);
  EXPECT_EQ(spin.label(),
            "(anonymous namespace)::spin(unsigned long, unsigned long) [hello-server]");
}

constexpr const char* kSmall = R"(# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 7
cmd: ./app
positions: line
events: Ir Dr
summary: 1060 20

ob=(1) /bin/app
fl=(1) app.c
fn=(1) main
3 10 1
+2 5
cfn=(2) work
calls=4 10
* 1000 16
fn=(2)
10 40 3
-1 4
ob=(2) /lib/libc.so.6
fl=(2) ???
fn=(3) 0x0000000000001050
0 1
totals: 1060 20
)";

TEST(CallgrindProfile, CompressedNamesRelativePositionsAndCalls) {
  const auto p = parse_callgrind_profile(kSmall);
  const auto& g = p.graph("Ir");
  const CallgrindFn main{"main", "/bin/app"}, work{"work", "/bin/app"};
  EXPECT_EQ(g.self.at(main), 15.0);  // the call line's 1000 is the call's, not main's
  EXPECT_EQ(g.self.at(work), 44.0);  // "fn=(2)" refers to the name defined by cfn=(2)
  EXPECT_EQ(g.self.at(CallgrindFn{"0x0000000000001050", "/lib/libc.so.6"}), 1.0);
  EXPECT_EQ(g.calls.at({main, work}), 1000.0);
  EXPECT_EQ(p.graph("Dr").self.at(work), 3.0);  // "-1 4": Dr left out = 0
  EXPECT_TRUE(p.graph("nope").self.empty());
}

TEST(CallgrindProfile, ErrorsNameTheLine) {
  auto error_of = [](const std::string& body) {
    try {
      parse_callgrind_profile("# callgrind format\nevents: Ir\nsummary: 1\n" + body);
    } catch (const ParseError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_THAT(error_of("fn=(1) f\n1 2 3\n"), HasSubstr("line 5: 2 counts for 1 events"));
  EXPECT_THAT(error_of("1 2\n"), HasSubstr("line 4: cost line before any fn="));
  EXPECT_THAT(error_of("fn=(9)\n"), HasSubstr("(9) used before it was defined"));
  EXPECT_THAT(error_of("fn=f\nzz=1\n"), HasSubstr("unknown specification 'zz='"));
  EXPECT_THAT(error_of("fn=f\ncalls=1 2\n"), HasSubstr("calls= without a cfn="));
  EXPECT_THAT(error_of("fn=f\ncfn=g\ncalls=1 2\n"), HasSubstr("calls= line without its cost"));
  EXPECT_THAT(error_of("fn=f\n1x 2\n"), HasSubstr("expected a position"));
  EXPECT_THAT(error_of("fn=f\n1 -2\n"), HasSubstr("expected a count"));
  EXPECT_THAT(error_of("fn=(x) f\n"), HasSubstr("bad name id"));
  EXPECT_THROW(parse_callgrind_profile("hello\n"), ParseError);  // not callgrind at all
}

// Per request: (B − A) / N of the recorded lifetimes; the candidate's 10 % more busy-work
// shows up in spin() and nowhere else of note.
CostGraph per_request(const std::string& side) {
  CostGraph g = parse_callgrind_profile(data("hello/" + side + "-b.callgrind")).graph("Ir");
  g.add(parse_callgrind_profile(data("hello/" + side + "-a.callgrind")).graph("Ir"), -1);
  CostGraph out;
  out.add(g, 1.0 / 50);
  out.clamp_negative();
  return out;
}

TEST(CallgrindProfile, FunctionDeltasFindTheBusyWork) {
  const auto base = per_request("main"), cur = per_request("pr");
  const auto rows = function_deltas(base, cur);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].fn.name, "(anonymous namespace)::spin(unsigned long, unsigned long)");
  // --work-iters 1000 → 1100: the loop's instructions per request grow by exactly 10 %.
  EXPECT_NEAR(rows[0].delta_pct, 10.0, 0.05);
  EXPECT_GT(rows[0].base, 7000);
  for (std::size_t i = 1; i < rows.size(); ++i)
    EXPECT_LE(std::abs(rows[i].delta), std::abs(rows[i - 1].delta));
  // Totals: the per-request difference of the whole program (from the summary lines).
  double tb = 0;
  for (const auto& r : rows)
    tb += r.base;
  const double expected =
      (2411361.0 - parse_callgrind_totals(data("hello/main-a.callgrind")).instructions()) / 50;
  EXPECT_NEAR(tb, expected, 1.0);  // clamping of functions that ran less in B moves it < 1
  const auto md = format_function_deltas_markdown(rows, 3, "Ir");
  EXPECT_THAT(md, HasSubstr("| function | base Ir/req | current Ir/req | Δ Ir/req | Δ % |"));
  EXPECT_THAT(md, HasSubstr("spin\\(unsigned long, unsigned long\\) \\[hello-server\\]"));
  EXPECT_THAT(md, HasSubstr("more functions"));
  EXPECT_THAT(md, HasSubstr("| **total** |"));
  const auto tsv = format_function_deltas_tsv(rows, "Ir");
  EXPECT_EQ(std::count(tsv.begin(), tsv.end(), '\n'), static_cast<long>(rows.size()) + 1);
}

TEST(CallgrindProfile, FoldedStacksFollowTheCallGraph) {
  const auto p = parse_callgrind_profile(kSmall);
  const auto folded = fold_cost_graph(p.graph("Ir"));
  // main's call of work (1000 inclusive) is split over work's own 44 and ... nothing else:
  // work's inclusive is 44, so the 1000 of the call scale its self by 1000/44.
  EXPECT_EQ(folded.at("main [app]"), 15);
  EXPECT_EQ(folded.at("main [app];work [app]"), 1000);
  EXPECT_EQ(folded.at("0x0000000000001050 [libc.so.6]"), 1);
  // The recorded server: the stacks add up to the self total within rounding.
  const auto base = per_request("main");
  const auto f = fold_cost_graph(base, 50);
  double sum = 0;
  for (const auto& [stack, n] : f)
    sum += static_cast<double>(n);
  EXPECT_GT(sum, 0.9 * base.total_self() * 50);
  // The server's loop runs in a std::thread: spin() sits under the thread's _M_run() and
  // Loop::run() (the recorded file's call edges), with ~8,000 Ir per request of the 10,400.
  std::int64_t spin_under_loop = 0;
  for (const auto& [stack, n] : f) {
    if (stack.find("::_M_run() [hello-server];(anonymous namespace)::Loop::run() [hello-server]") !=
            std::string::npos &&
        stack.ends_with("spin(unsigned long, unsigned long) [hello-server]")) {
      spin_under_loop += n;
    }
  }
  // (Clamping the per-request difference per edge leaves a little as separate roots.)
  EXPECT_NEAR(static_cast<double>(spin_under_loop) / 50, 8008, 8) << format_folded(f);
}

}  // namespace
}  // namespace benchgate::profilers
