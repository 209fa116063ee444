// Mutation sweep over the recorded profiler outputs: truncated or corrupted text must give a
// result or a ParseError, never another exception or a crash (run under ASan/UBSan in CI).

#include <gtest/gtest.h>

#include <functional>

#include "core/parse.h"
#include "mutation.h"
#include "profilers/flamegraph.h"
#include "profilers/massif.h"
#include "profilers/oprofile.h"
#include "profilers/perf_parse.h"
#include "test_support.h"

namespace benchgate::profilers {
namespace {

void sweep(const std::string& file, const std::function<void(const std::string&)>& parse,
           std::size_t limit = 30000) {
  testing::MutationOptions o;
  o.seed = 11;
  o.limit = limit;
  o.alphabet = " \n\t%-x0.9:;,()#=[]<>&\"n|";
  const auto counts = testing::sweep<ParseError>(
      file, testing::mutants(testing::read_text(testing::data_path(file)), o), parse);
  EXPECT_EQ(counts.accepted + counts.rejected, 240) << file;
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

}  // namespace
}  // namespace benchgate::profilers
