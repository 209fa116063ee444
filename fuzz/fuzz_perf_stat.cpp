// perf stat -x, output (measure = "counters"): the CSV parser, the counts of a lifetime and the
// availability decision built on a probe's output.
#include "fuzz_common.h"
#include "profilers/perf_counters.h"

using namespace benchgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  (void)fuzz::accepts([&] { (void)profilers::parse_perf_stat_csv(text); });
  (void)fuzz::accepts([&] { (void)profilers::perf_counts(text); });
  profilers::CountersProbe probe;
  probe.csv = std::string(text);
  probe.stderr_text = std::string(text);
  const auto a = profilers::counters_availability(probe);
  fuzz::require(a.available == a.reason.empty(), "a reason exactly when unavailable");
  return 0;
}
