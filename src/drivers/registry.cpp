#include <fmt/format.h>

#include "core/error.h"
#include "core/parse.h"
#include "drivers/driver.h"

namespace benchgate::drivers {

std::unique_ptr<Driver> make_sleep_driver();
std::unique_ptr<Driver> make_builtin_driver();
std::unique_ptr<Driver> make_wrk_driver(const std::string& variant);
std::unique_ptr<Driver> make_wrk2_driver();
std::unique_ptr<Driver> make_jmeter_driver();

std::vector<std::string> driver_names() {
  return {"builtin", "wrk", "wrk-pipeline", "wrk-nokeepalive", "wrk2", "jmeter", "sleep"};
}

std::unique_ptr<Driver> make_driver(const std::string& name) {
  if (name == "builtin") return make_builtin_driver();
  if (name == "sleep") return make_sleep_driver();
  if (name == "wrk" || name == "wrk-pipeline" || name == "wrk-nokeepalive") {
    return make_wrk_driver(name);
  }
  if (name == "wrk2") return make_wrk2_driver();
  if (name == "jmeter") return make_jmeter_driver();
  throw UsageError(fmt::format("--driver: unknown driver '{}' (expected one of: {})", name,
                               join(driver_names(), ", ")));
}

}  // namespace benchgate::drivers
