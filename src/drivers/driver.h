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
#include "results/model.h"

namespace benchgate::drivers {

/// Options shared by every driver; each driver uses what applies to it and ignores the rest.
struct DriverOptions {
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int pipeline = 1;        ///< requests in flight per connection (HTTP pipelining depth)
  bool keepalive = true;   ///< false: "Connection: close", a new connection per request
  Nanos timeout = std::chrono::seconds(2);  ///< per-request timeout
  int threads = 0;                           ///< 0: one per driver CPU (or a sensible default)
  std::vector<int> cpus;                     ///< driver CPU affinity; empty = not pinned
  std::string script;                        ///< wrk: Lua script passed with -s
  std::vector<std::string> script_args;      ///< wrk: arguments after "--"
  std::string requests_file;                 ///< builtin: list of requests (weighted/round-robin)
  bool tls_verify = false;                   ///< https: verify the server certificate
  double max_error_rate = 0.01;  ///< failed-request share above which a load point is invalid
  std::string tool_path;                     ///< explicit path of an external tool (wrk2, jmeter)
  std::string client_host;                   ///< run the driver over ssh on this host
  std::vector<std::string> ssh_options;      ///< extra ssh options (tests: -p, -i, ...)
  std::map<std::string, std::string> extra;  ///< driver-specific (jmeter: plan, props files)
};

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
