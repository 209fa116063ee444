// Google Benchmark JSON reader (diff's input): the lenient document parser, rows, grouping,
// exact time conversion and the samples the gate compares.
#include <string>

#include "fuzz_common.h"
#include "gate/diff.h"
#include "gate/gbench.h"

using namespace benchgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::as_text(data, size));
  gate::JsonDocument doc;
  if (!fuzz::accepts([&] { doc = gate::parse_document(text, "fuzz.json"); })) return 0;
  if (!doc.has_benchmarks) return 0;
  const gate::GbenchFile& file = doc.gbench;
  (void)fuzz::accepts([&] {
    for (const auto& row : file.rows) {
      (void)gate::time_in(file, row, true, gate::TimeUnit::kNs);
      (void)gate::time_in(file, row, false, gate::TimeUnit::kS);
    }
  });
  (void)fuzz::accepts([&] { (void)gate::group_benchmarks(file); });
  (void)fuzz::accepts([&] { (void)gate::samples_from_gbench(file); });
  (void)fuzz::accepts([&] { (void)gate::parse_gbench(text, "fuzz.json"); });
  // diff FILE FILE in every format (the JSON writer must cope with any name).
  gate::GateResult result;
  if (!fuzz::accepts([&] { result = gate::diff_gbench(file, file, results::GateSettings{}); })) {
    return 0;
  }
  for (auto format :
       {gate::DiffFormat::kText, gate::DiffFormat::kJson, gate::DiffFormat::kMarkdown}) {
    fuzz::require(fuzz::accepts([&] { (void)gate::render_diff(result, format); }),
                  "render_diff rejected a diff");
  }
  return 0;
}
