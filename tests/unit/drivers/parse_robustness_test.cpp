// Mutation sweep over the recorded outputs: truncated or corrupted tool output must give a
// result or a ParseError, never another exception or a crash (run under ASan/UBSan in CI).

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "core/parse.h"
#include "drivers/jmeter_parse.h"
#include "drivers/wrk2_parse.h"
#include "drivers/wrk_parse.h"
#include "test_support.h"

namespace benchgate::drivers {
namespace {

std::vector<std::string> mutants(const std::string& text, unsigned seed) {
  std::vector<std::string> out;
  for (int i = 1; i <= 40; ++i)
    out.push_back(text.substr(0, text.size() * i / 41));
  std::mt19937 rng(seed);
  const std::string specials = " \n\r\t%-x0.9:;,()#=[]*+/ek-nan";
  for (int i = 0; i < 300 && !text.empty(); ++i) {
    std::string m = text;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const auto pos = rng() % m.size();
      switch (rng() % 3) {
        case 0:
          m[pos] = specials[rng() % specials.size()];
          break;
        case 1:
          m.erase(pos, 1 + rng() % 8);
          break;
        default:
          m.insert(pos, std::string(1, specials[rng() % specials.size()]));
          break;
      }
      if (m.empty()) break;
    }
    out.push_back(std::move(m));
  }
  return out;
}

void sweep(const std::string& file, const std::function<void(const std::string&)>& parse) {
  const auto text = testing::read_text(testing::data_path(file));
  int ok = 0, rejected = 0;
  for (const auto& m : mutants(text, 7)) {
    try {
      parse(m);
      ++ok;
    } catch (const ParseError&) {
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << file << ": " << typeid(e).name() << ": " << e.what() << "\n--- input ---\n"
                    << m.substr(0, 2000);
      return;
    }
  }
  EXPECT_GT(ok + rejected, 300) << file;
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
