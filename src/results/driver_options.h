#pragma once
// Options shared by every driver, as a plain struct: config reads them from benchgate.toml,
// matrix copies them into each run, drivers (drivers::DriverOptions) use them. Here so that
// config needs neither the drivers nor the load generator.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace benchgate::results {

/// Options shared by every driver; each driver uses what applies to it and ignores the rest.
struct DriverOptions {
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int pipeline = 1;       ///< requests in flight per connection (HTTP pipelining depth)
  bool keepalive = true;  ///< false: "Connection: close", a new connection per request
  Nanos timeout = std::chrono::seconds(2);  ///< per-request timeout
  int threads = 0;                          ///< 0: one per driver CPU (or a sensible default)
  std::vector<int> cpus;                    ///< driver CPU affinity; empty = not pinned
  std::string script;                       ///< wrk: Lua script passed with -s
  std::vector<std::string> script_args;     ///< wrk: arguments after "--"
  std::string requests_file;                ///< builtin: list of requests (weighted/round-robin)
  bool tls_verify = false;                  ///< https: verify the server certificate
  double max_error_rate = 0.01;  ///< failed-request share above which a load point is invalid
  std::string tool_path;         ///< explicit path of an external tool (wrk2, jmeter)
  std::string client_host;       ///< run the driver over ssh on this host
  std::vector<std::string> ssh_options;      ///< extra ssh options (tests: -p, -i, ...)
  std::map<std::string, std::string> extra;  ///< driver-specific (jmeter: plan, props files)
  /// How a load point is measured: "wall" (time the load, sample /proc) or "instructions"
  /// (count what the app executes per request under callgrind; runner/instructions.h).
  std::string measure = "wall";
  std::int64_t counted_requests = 2000;  ///< instructions: requests counted per sample
  std::int64_t warmup_requests = 200;    ///< instructions: requests before the counted ones
  /// How the A/B pairs of wall-clock runs are made: "restart" (each run starts its app) or
  /// "bursts" (both apps stay up; short alternating load bursts in ABBA order;
  /// runner/bursts.h).
  std::string pairing = "restart";
  /// bursts: how many times each app is started (the pairs split evenly; at most one start per
  /// pair). 8 by default: the start-up metrics then have 8 pairs, enough to reach α, and the
  /// burst pairs sample the variation between starts instead of resting on one.
  int starts = 8;
  /// bursts: the warm-up before every burst but an app's first (which has the full warm-up).
  Nanos burst_warmup = std::chrono::milliseconds(200);
};

}  // namespace benchgate::results
