// Mutation sweep over the recorded outputs: truncated or corrupted tool output must give a
// result or a ParseError, never another exception or a crash (run under ASan/UBSan in CI).

#include <gtest/gtest.h>

#include <functional>

#include "core/parse.h"
#include "drivers/jmeter_parse.h"
#include "drivers/wrk2_parse.h"
#include "drivers/wrk_parse.h"
#include "mutation.h"
#include "test_support.h"

namespace benchgate::drivers {
namespace {

void sweep(const std::string& file, const std::function<void(const std::string&)>& parse) {
  testing::MutationOptions o;
  o.edited = 300;
  o.alphabet = " \n\r\t%-x0.9:;,()#=[]*+/ek-nan";
  const auto counts = testing::sweep<ParseError>(
      file, testing::mutants(testing::read_text(testing::data_path(file)), o), parse);
  EXPECT_EQ(counts.accepted + counts.rejected, 340) << file;
}

TEST(ParseRobustness, Wrk) {
  for (const char* f : {"wrk/plaintext_t2_c16_d3s.txt", "wrk/timeouts_slow_upstream.txt",
                        "wrk/slow_server_seconds.txt", "wrk/read_errors_reset.txt"}) {
    sweep(f, [](const std::string& t) { parse_wrk_output(t); });
  }
}

TEST(ParseRobustness, Wrk2) {
  for (const char* f : {"wrk2/R2000_t2_c16_d15s.txt", "wrk2/R2000_uncorrected_U_d5s.txt",
                        "wrk2/R2000_read_errors_d5s.txt"}) {
    sweep(f, [](const std::string& t) { parse_wrk2_output(t); });
  }
}

TEST(ParseRobustness, Jmeter) {
  sweep("jmeter/plaintext_t8_d20_console.txt", [](const std::string& t) {
    auto s = parse_jmeter_summary(t, {.warmup_s = 2});
    jmeter_result(s, nullptr);
    s.window_ms();
  });
  sweep("jmeter/timeouts_t8_d20_results.jtl", [](const std::string& t) { parse_jtl_csv(t); });
}

}  // namespace
}  // namespace benchgate::drivers
