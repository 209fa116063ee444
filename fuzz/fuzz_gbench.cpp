// Google Benchmark JSON reader (diff's input): the lenient document parser, rows, grouping,
// exact time conversion and the samples the gate compares.
#include <string>

#include "fuzz_common.h"
#include "gate/diff.h"
#include "gbench/reader.h"
#include "gbench/writer.h"
#include "report/diff.h"

using namespace benchgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::as_text(data, size));
  gbench::JsonDocument doc;
  if (!fuzz::accepts([&] { doc = gbench::parse_document(text, "fuzz.json"); })) return 0;
  if (!doc.has_benchmarks) return 0;
  const gbench::GbenchFile& file = doc.gbench;
  (void)fuzz::accepts([&] {
    for (const auto& row : file.rows) {
      (void)gbench::time_in(file, row, true, gbench::TimeUnit::kNs);
      (void)gbench::time_in(file, row, false, gbench::TimeUnit::kS);
    }
  });
  (void)fuzz::accepts([&] { (void)gbench::group_benchmarks(file); });
  (void)fuzz::accepts([&] { (void)gbench::samples_from_gbench(file); });
  (void)fuzz::accepts([&] { (void)gbench::parse_gbench(text, "fuzz.json"); });
  // diff FILE FILE in every format (the JSON writer must cope with any name).
  gate::GateResult result;
  if (!fuzz::accepts([&] { result = gate::diff_gbench(file, file, results::GateSettings{}); })) {
    return 0;
  }
  for (auto format :
       {report::DiffFormat::kText, report::DiffFormat::kJson, report::DiffFormat::kMarkdown}) {
    fuzz::require(fuzz::accepts([&] { (void)report::render_diff(result, format); }),
                  "render_diff rejected a diff");
  }
  return 0;
}
