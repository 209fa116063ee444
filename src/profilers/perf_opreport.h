#pragma once
// The `oprofile` profiler where OProfile's operf is missing (it is not packaged in Debian 12):
// record with `perf record` (the software cpu-clock event works on VMs without hardware
// counters) and write what opreport would have: an `opreport -X`-shaped XML document
// (profile / setup / binary / symbol / symboltable, schema 3.0) and an `opreport -l`-style
// text, both read back by parse_opreport_xml / parse_opreport_text.

#include <cstdint>
#include <string>
#include <vector>

#include "profilers/perf_parse.h"

namespace benchgate::profilers {

struct OpreportFromPerfOptions {
  std::string event;        ///< the perf event to count ("cpu-clock"); empty: the first seen
  std::int64_t period = 0;  ///< sampling period shown as the setup count (0: unknown)
  std::string cpu;          ///< "processor" / "CPU:" line
  double mhz = 0;
};

struct OpreportDocuments {
  std::string xml;           ///< opreport -X shaped
  std::string text;          ///< opreport -l shaped
  std::int64_t samples = 0;  ///< samples of the event counted (= the XML's counts summed)
  std::int64_t images = 0, symbols = 0;
};

/// Self samples per (image, symbol) of the event, from `perf script` samples (the leaf frame;
/// a sample without frames counts as "[unknown]" in "[unknown]"), images and symbols by count,
/// largest first.
OpreportDocuments opreport_from_perf(const std::vector<PerfSample>& samples,
                                     const OpreportFromPerfOptions& options = {});

}  // namespace benchgate::profilers
