// `benchgate compare` app arguments: "CMD[,label=NAME][,instances=N][,pwd=DIR][,cpus=LIST]
// [,role=baseline|candidate]", with CMD split like a shell would.
#include <string>

#include "config/compare_app.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string spec(benchgate::fuzz::as_text(data, size));
  benchgate::config::AppSpec app;
  if (benchgate::fuzz::accepts([&] { app = benchgate::config::parse_compare_app(spec, 0); })) {
    (void)benchgate::fuzz::accepts([&] { (void)benchgate::config::launch_argv(app); });
  }
  return 0;
}
