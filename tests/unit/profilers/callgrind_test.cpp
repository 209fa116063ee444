// Callgrind totals from recorded callgrind 3.19 output of the example server (the counted
// lifetime of an instruction-mode run: 1,100 requests) and one --workers 2 worker.

#include "profilers/callgrind.h"

#include <gtest/gtest.h>

#include "core/parse.h"
#include "test_support.h"

namespace benchgate::profilers {
namespace {

std::string data(const std::string& name) {
  return benchgate::testing::read_text(benchgate::testing::data_path("callgrind/" + name));
}

TEST(CallgrindTotals, ReadsTheSummaryLine) {
  const auto t = parse_callgrind_totals(data("callgrind.out.single"));
  EXPECT_EQ(t.pid, 14962);
  EXPECT_EQ(t.version, "callgrind-3.19.0");
  EXPECT_EQ(t.cmd, "/work/main/build/examples/hello-server --port 18999 --work-iters 1000");
  EXPECT_EQ(t.instructions(), 14229004u);  // summary:, not totals: (14228997)
  EXPECT_EQ(t.get("Dr"), 1261551u);
  EXPECT_EQ(t.get("DLmw"), 1814u);
  EXPECT_TRUE(t.has_cache_events());
  // Ir + 10·(I1mr + D1mr + D1mw) + 100·(ILmr + DLmr + DLmw), by hand from the summary line
  // "14229004 1261551 533926 2454 11514 2588 2378 7120 1814":
  // 14229004 + 10·(2454 + 11514 + 2588) + 100·(2378 + 7120 + 1814) = 14229004 + 165560 + 1131200.
  EXPECT_EQ(t.est_cycles(), 15525764u);
}

TEST(CallgrindTotals, FallsBackToTotalsAndShortLines) {
  const std::string text =
      "# callgrind format\nversion: 1\npid: 7\nevents: Ir Dr Dw\n\nfn=(1) main\n0 5 1\n"
      "totals: 42 3\n";
  const auto t = parse_callgrind_totals(text);
  EXPECT_EQ(t.pid, 7);
  EXPECT_EQ(t.instructions(), 42u);
  EXPECT_EQ(t.get("Dw"), 0u);  // trailing zero counts may be left out
  EXPECT_FALSE(t.has_cache_events());
  EXPECT_EQ(t.est_cycles(), 42u);
}

TEST(CallgrindTotals, RejectsWhatIsNotCallgrindOutput) {
  EXPECT_THROW(parse_callgrind_totals(""), ParseError);
  EXPECT_THROW(parse_callgrind_totals("hello\nworld\n"), ParseError);
  EXPECT_THROW(parse_callgrind_totals("# callgrind format\nversion: 1\nsummary: 1 2\n"),
               ParseError);  // no events line
  EXPECT_THROW(parse_callgrind_totals("# callgrind format\nevents: Ir\n"), ParseError);
  EXPECT_THROW(parse_callgrind_totals("# callgrind format\nevents: Ir\nsummary: 1 2\n"),
               ParseError);  // more counts than events
  EXPECT_THROW(parse_callgrind_totals("# callgrind format\nevents: Ir\nsummary: -1\n"), ParseError);
  EXPECT_THROW(
      parse_callgrind_totals("# callgrind format\nevents: Ir\nsummary: 99999999999999999999999\n"),
      ParseError);  // overflow
}

}  // namespace
}  // namespace benchgate::profilers
