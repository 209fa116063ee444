// Mutation sweep over the recorded profiler outputs: truncated or corrupted text must give a
// result or a ParseError, never another exception or a crash (run under ASan/UBSan in CI).

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "core/parse.h"
#include "profilers/callgrind.h"
#include "profilers/flamegraph.h"
#include "profilers/massif.h"
#include "profilers/oprofile.h"
#include "profilers/perf_parse.h"
#include "test_support.h"

namespace benchgate::profilers {
namespace {

std::vector<std::string> mutants(const std::string& text, unsigned seed, std::size_t limit) {
  const std::string base = text.substr(0, limit);
  std::vector<std::string> out;
  for (int i = 1; i <= 40; ++i)
    out.push_back(base.substr(0, base.size() * i / 41));
  std::mt19937 rng(seed);
  const std::string specials = " \n\t%-x0.9:;,()#=[]<>&\"n|";
  for (int i = 0; i < 200 && !base.empty(); ++i) {
    std::string m = base;
    for (int e = 0, n = 1 + static_cast<int>(rng() % 3); e < n && !m.empty(); ++e) {
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
    }
    out.push_back(std::move(m));
  }
  return out;
}

void sweep(const std::string& file, const std::function<void(const std::string&)>& parse,
           std::size_t limit = 30000) {
  const auto text = testing::read_text(testing::data_path(file));
  for (const auto& m : mutants(text, 11, limit)) {
    try {
      parse(m);
    } catch (const ParseError&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << file << ": " << typeid(e).name() << ": " << e.what() << "\n--- input ---\n"
                    << m.substr(0, 2000);
      return;
    }
  }
}

TEST(ProfilerParseRobustness, Perf) {
  sweep("perf/cpp_report_no_children.txt",
        [](const std::string& t) { summarize_perf_report(parse_perf_report(t)); });
  sweep("perf/cpp_report_default.txt",
        [](const std::string& t) { summarize_perf_report(parse_perf_report(t)); });
  sweep("perf/nginx_script.txt", [](const std::string& t) {
    auto f = fold_perf_script(t);
    render_flamegraph(f);
    summarize_folded(f);
    summarize_perf_samples(parse_perf_script(t));
  });
  sweep("perf/cpp_script_no_demangle.txt", [](const std::string& t) { fold_perf_script(t); });
}

TEST(ProfilerParseRobustness, Massif) {
  sweep("massif/massif.out.heapwork.df10",
        [](const std::string& t) { summarize_massif(parse_massif_out(t)); });
  sweep("massif/ms_print.heapwork.df10.txt",
        [](const std::string& t) { summarize_massif(parse_ms_print(t)); });
}

TEST(ProfilerParseRobustness, Oprofile) {
  sweep("oprofile/opreport_symbols_percival_cppprocessing.txt",
        [](const std::string& t) { summarize_oprofile(parse_opreport_text(t)); });
  sweep(
      "oprofile/opreport_X_details_gdb_linuxtools.xml",
      [](const std::string& t) { summarize_oprofile(parse_opreport_xml(t)); }, 200000);
}

TEST(ProfilerParseRobustness, CallgrindTotals) {
  for (const char* f : {"callgrind/callgrind.out.single", "callgrind/callgrind.out.worker"}) {
    sweep(f, [](const std::string& t) { parse_callgrind_totals(t).est_cycles(); });
  }
}

}  // namespace
}  // namespace benchgate::profilers
