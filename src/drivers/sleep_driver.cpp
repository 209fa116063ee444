// The "sleep" driver drives nothing: the load period is idle time, so the monitor records the
// app's idle footprint (CPU, RSS) over the same windows a real load would use.

#include <fmt/format.h>

#include "drivers/driver.h"

namespace benchgate::drivers {

namespace {

class SleepDriver final : public Driver {
 public:
  std::string name() const override { return "sleep"; }
  void check_available(const DriverOptions&) const override {}
  results::DriverResult run(const DriveRequest& req, DriveHooks& hooks, const CancelToken& cancel,
                            Clock& clock) override {
    results::DriverResult r;
    r.driver = "sleep";
    if (!clock.wait_for(req.warmup, &cancel)) return r;
    const auto t0 = clock.now();
    hooks.on_measure_start();
    clock.wait_for(req.duration, &cancel);
    hooks.on_measure_end();
    r.duration_s = to_seconds(clock.now() - t0);
    return r;
  }
};

}  // namespace

std::unique_ptr<Driver> make_sleep_driver() { return std::make_unique<SleepDriver>(); }

}  // namespace benchgate::drivers
