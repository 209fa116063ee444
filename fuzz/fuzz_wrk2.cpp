// wrk2's console output with its HdrHistogram blocks, as the wrk2 driver reads it.
#include "drivers/wrk2_parse.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)benchgate::fuzz::accepts(
      [&] { (void)benchgate::drivers::parse_wrk2_output(benchgate::fuzz::as_text(data, size)); });
  return 0;
}
