#pragma once
// The load-driver seam. A driver runs one load period (with its warm-up) against a URL and
// returns typed numbers; external drivers are a command builder plus an output parser.

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cancel.h"
#include "core/clock.h"
#include "results/driver_options.h"
#include "results/model.h"

namespace benchgate::drivers {

/// The plain options struct lives in results (config reads it without the drivers).
using DriverOptions = results::DriverOptions;

/// What to drive in one load period.
struct DriveRequest {
  std::string url;
  results::LoadPoint point;
  Nanos duration = std::chrono::seconds(10);
  Nanos warmup = std::chrono::seconds(2);
  Nanos interval = std::chrono::seconds(1);  ///< throughput trace resolution
  DriverOptions options;
  std::filesystem::path out_dir;  ///< the run's output folder
  std::string artifact_prefix;    ///< e.g. "artifacts/run-003/c64-" (relative to out_dir)
  /// > 0: exactly this many requests, closed loop, every one counted, `duration` the time
  /// limit (the builtin driver's request-count mode; the counting measure modes use it).
  std::int64_t request_count = 0;
};

/// Called by the driver at the edges of the measured window so the monitor measures exactly
/// the period the driver measures (warm-up excluded).
struct DriveHooks {
  std::function<void()> on_measure_start = [] {};
  std::function<void()> on_measure_end = [] {};
  /// Optional: the driver reports the last interval's successful responses/s while measuring
  /// (drives the live progress line). Called from the driver's thread.
  std::function<void(double)> on_interval = [](double) {};
};

class Driver {
 public:
  virtual ~Driver() = default;
  virtual std::string name() const = 0;
  /// True for constant-rate drivers (rates list applies).
  virtual bool open_loop() const { return false; }
  /// Throws RunError with a clear message when the tool is missing or cannot run here.
  virtual void check_available(const DriverOptions& options) const = 0;
  /// Validates the request before anything starts (UsageError for bad combinations).
  virtual void validate(const DriveRequest& request) const { (void)request; }
  /// Runs warm-up then the measured period. Throws RunError when the driver fails; returns
  /// a result (possibly with invalid_reasons) otherwise. Returns early (partial result,
  /// status decided by the caller) when cancel is set.
  virtual results::DriverResult run(const DriveRequest& request, DriveHooks& hooks,
                                    const CancelToken& cancel, Clock& clock) = 0;
};

/// The drivers benchgate knows: builtin, wrk, wrk-pipeline, wrk-nokeepalive, wrk2, jmeter,
/// sleep. Throws UsageError naming the valid ones for an unknown name.
std::unique_ptr<Driver> make_driver(const std::string& name);
std::vector<std::string> driver_names();

}  // namespace benchgate::drivers
