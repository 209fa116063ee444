// wrk's console output (stdout and stderr together), as the wrk driver reads it.
#include "drivers/wrk_parse.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)benchgate::fuzz::accepts(
      [&] { (void)benchgate::drivers::parse_wrk_output(benchgate::fuzz::as_text(data, size)); });
  return 0;
}
