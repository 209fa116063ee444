// JMeter's console/log summariser lines and its JTL (CSV) results, as the JMeter driver
// reads them: the same text goes through both parsers, then into a DriverResult.
#include "drivers/jmeter_parse.h"
#include "fuzz_common.h"

using namespace benchgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  drivers::JmeterSummary summary;
  const bool have_summary = fuzz::accepts([&] { summary = drivers::parse_jmeter_summary(text); });
  drivers::JtlStats jtl;
  const bool have_jtl = fuzz::accepts([&] { jtl = drivers::parse_jtl_csv(text); });
  drivers::JtlOptions window;
  window.from_ms = 1000;
  window.to_ms = 2000;
  (void)fuzz::accepts([&] { (void)drivers::parse_jtl_csv(text, window); });
  (void)fuzz::accepts([&] { (void)drivers::jmeter_failure_reason(text, text); });
  if (have_summary) {
    (void)fuzz::accepts([&] { (void)drivers::jmeter_result(summary, have_jtl ? &jtl : nullptr); });
  }
  return 0;
}
