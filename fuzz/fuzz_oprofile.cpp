// oprofile's opreport output: -l text and -X XML.
#include "fuzz_common.h"
#include "profilers/oprofile.h"

using namespace benchgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  profilers::OprofileReport report;
  if (fuzz::accepts([&] { report = profilers::parse_opreport_text(text); })) {
    (void)fuzz::accepts([&] { (void)profilers::summarize_oprofile(report); });
  }
  if (fuzz::accepts([&] { report = profilers::parse_opreport_xml(text); })) {
    (void)fuzz::accepts([&] { (void)profilers::summarize_oprofile(report); });
  }
  return 0;
}
