#include <fmt/format.h>

#include "core/error.h"
#include "core/parse.h"
#include "drivers/driver.h"

namespace benchgate::drivers {

std::unique_ptr<Driver> make_sleep_driver();

std::vector<std::string> driver_names() { return {"sleep"}; }

std::unique_ptr<Driver> make_driver(const std::string& name) {
  if (name == "sleep") return make_sleep_driver();
  throw UsageError(fmt::format("--driver: unknown driver '{}' (expected one of: {})", name,
                               join(driver_names(), ", ")));
}

}  // namespace benchgate::drivers
