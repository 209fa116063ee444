// perf report (--stdio) and perf script output, folded stacks, and the opreport documents
// made from perf samples (which must read back through the oprofile parser).
#include "fuzz_common.h"
#include "profilers/oprofile.h"
#include "profilers/perf_opreport.h"
#include "profilers/perf_parse.h"

using namespace benchgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  profilers::PerfReport report;
  if (fuzz::accepts([&] { report = profilers::parse_perf_report(text); })) {
    for (std::size_t s = 0; s < report.sections.size(); ++s) {
      (void)fuzz::accepts([&] { (void)profilers::summarize_perf_report(report, {}, s); });
    }
  }
  std::vector<profilers::PerfSample> samples;
  if (fuzz::accepts([&] { samples = profilers::parse_perf_script(text); })) {
    profilers::FoldOptions fold;
    fold.include_pid = true;
    fold.weight_by_period = true;
    profilers::FoldedStacks stacks;
    if (fuzz::accepts([&] { stacks = profilers::fold_perf_samples(samples, fold); })) {
      // The folded text benchgate writes must read back.
      fuzz::require(
          fuzz::accepts([&] { (void)profilers::parse_folded(profilers::format_folded(stacks)); }),
          "format_folded output does not parse");
      (void)fuzz::accepts([&] { (void)profilers::summarize_folded(stacks); });
    }
    (void)fuzz::accepts([&] { (void)profilers::summarize_perf_samples(samples); });
    profilers::OpreportDocuments docs;
    if (fuzz::accepts([&] { docs = profilers::opreport_from_perf(samples); }) && docs.samples > 0) {
      fuzz::require(fuzz::accepts([&] { (void)profilers::parse_opreport_xml(docs.xml); }),
                    "opreport_from_perf XML does not parse");
      fuzz::require(fuzz::accepts([&] { (void)profilers::parse_opreport_text(docs.text); }),
                    "opreport_from_perf text does not parse");
    }
  }
  (void)fuzz::accepts([&] { (void)profilers::summarize_folded(profilers::parse_folded(text)); });
  return 0;
}
