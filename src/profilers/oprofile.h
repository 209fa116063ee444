#pragma once
// OProfile reports: `opreport -l` (symbol summary, text) and `opreport --xml` / `-X` (XML,
// schema 3.x: the older <binary>/<symbol>/<symboltable> layout as well as the newer one with
// <classes>, <process>, <thread> and <module>).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "results/model.h"

namespace benchgate::profilers {

struct OprofileSymbol {
  std::int64_t samples = 0;
  double percent = 0;       ///< as printed (text) or computed (XML), 0..100
  std::string image;        ///< "cppProcessing2.0", "/usr/lib64/libc-2.12.so"
  std::string app;          ///< "app name" column when shown
  std::string symbol;       ///< demangled as opreport printed it; the image path when it had none
  bool no_symbols = false;  ///< the image had no symbol information
};

struct OprofileReport {
  std::string cpu;  ///< "Intel Haswell microarchitecture"
  double mhz = 0;
  std::string event;  ///< "CPU_CLK_UNHALTED", or "timer"
  std::string event_description;
  std::int64_t count = 0;  ///< sampling period ("count 100000")
  std::int64_t total_samples = 0;
  std::vector<OprofileSymbol> symbols;  ///< in report order
};

/// `opreport -l` text (one event). Throws ParseError when the text is not such a report.
OprofileReport parse_opreport_text(std::string_view text);
/// `opreport --xml` / `opreport -X`. Throws ParseError for malformed XML or another document.
OprofileReport parse_opreport_xml(std::string_view xml);

/// Top symbols by share (dso: the image's file name), share by image. extra: cpu, mhz, event,
/// count, total_samples.
results::ProfileSummary summarize_oprofile(const OprofileReport& report, std::size_t top = 25);

}  // namespace benchgate::profilers
