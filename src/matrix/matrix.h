#pragma once
// The run matrix: a resolved suite expanded into the ordered list of runs. A run is one start
// of one app for one scenario in one iteration; all load points of the scenario (clients ×
// rates) are driven against that one start.
//
// Order (docs/suite-reference.md, "Run order"):
//   for each iteration i = 1..N              (iteration-major: drift spreads over all apps)
//     for each scenario, in file order       (scenarios with fewer iterations drop out)
//       every app once, in file order, except that the baseline and candidate run back to
//       back, at the position of whichever of the two comes first in the file, in a seeded
//       random order (A B or B A).
//
// pairing = "bursts" (runner/bursts.h) plans the same runs, one per app and burst pair, but
// the pairs of one start of the apps (a session: `starts` of them, the pairs split evenly) are
// contiguous, at the position of the session's first iteration, and alternate ABBA (the first
// pair's order a seeded coin flip): a linear drift then cancels within every two pairs.
// In a scenario's URL the app's own `port` replaces the scenario's, and "{port}" in its command
// becomes the port it serves on.
//
// The A/B order is randomised *balanced*: over a scenario's N pairs, ⌊N/2⌋ are
// baseline-first and ⌊N/2⌋ candidate-first (the odd one a coin flip), shuffled. An order
// effect (the second run of a pair profiting from a warm page cache, or suffering from heat)
// then cancels in the paired estimate instead of biasing it when a small N happens to draw
// mostly one order.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/suite.h"
#include "results/model.h"

namespace benchgate::matrix {

/// splitmix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): a fully specified 64-bit generator, so a seed gives the same order with
/// every compiler and standard library (std:: distributions are implementation-defined).
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  /// state += 0x9e3779b97f4a7c15; z = state; z = (z ^ z>>30) * 0xbf58476d1ce4e5b9;
  /// z = (z ^ z>>27) * 0x94d049bb133111eb; return z ^ z>>31.
  std::uint64_t next();
  /// Uniform in [0, n), n > 0, by rejection of the lowest 2^64 mod n outputs (no modulo bias).
  std::uint64_t below(std::uint64_t n);

 private:
  std::uint64_t state_;
};

/// FNV-1a, 64 bits: a stable hash of a text (the same on every machine and build), for the
/// per-scenario A/B orders and the suite hash of a sharded run (runner/shard.h).
std::uint64_t fnv1a(std::string_view s);

/// A fresh seed from std::random_device mixed with the monotonic clock.
std::uint64_t random_seed();

struct Run {
  std::string id;             ///< "i03-pr-plaintext": iteration, app label, scenario name; unique
  int sequence = 0;           ///< 0-based position in execution order
  int iteration = 1;          ///< 1-based
  int iterations = 1;         ///< how many iterations this scenario has in the plan
  std::size_t app_index = 0;  ///< into SuiteConfig::apps
  std::size_t scenario_index = 0;  ///< into SuiteConfig::scenarios
  /// The app, resolved: cpus = defaults.app_cpus when it has none; ready_url a full URL
  /// (a path is joined with this run's URL) or empty (the run's URL).
  config::AppSpec app;
  std::string scenario;  ///< name
  std::string url;
  std::vector<results::LoadPoint> points;  ///< for each client count, each rate (or closed loop)
  Nanos duration = std::chrono::seconds(10);
  Nanos warmup = std::chrono::seconds(2);
  Nanos interval = std::chrono::seconds(1);
  Nanos ready_timeout = std::chrono::seconds(30);
  std::string driver;
  /// Resolved: cpus, threads and client_host fall back to the suite defaults.
  results::DriverOptions driver_options;
  std::string scenario_pre_run;
  std::string scenario_post_run;
  std::string profiler;          ///< "" = none
  std::optional<int> numa_node;  ///< bind the app to this NUMA node (defaults.numa_node)
  /// Both runs of an A/B pair: "baseline-first" or "candidate-first"; "" for other apps.
  std::string pair_order;
  /// pairing = "bursts" (driver_options.pairing): the start of the apps this run's burst
  /// belongs to, 0-based. The runs of one start are contiguous in the plan.
  int session = 0;
  /// The warm-up before each load point: `warmup`, or for a bursts run `burst_warmup` (an
  /// app's first burst of a start has the full warm-up on top). For time estimates.
  Nanos warmup_per_point() const;
};

struct Plan {
  std::uint64_t seed = 0;              ///< the seed used (generated when the suite had none)
  std::vector<Run> runs;               ///< in execution order
  std::vector<std::string> scenarios;  ///< scenario names left after the filter, file order
  /// Run ids in execution order (results.json "order.sequence").
  std::vector<std::string> sequence() const;
  /// Warm-up and measured time of every load point plus the sleeps between runs: a lower
  /// bound of the wall time (start-up, readiness and shutdown come on top).
  Nanos load_time(Nanos sleep_between_runs) const;
};

struct ExpandOptions {
  /// Plan only iterations first_iteration .. first_iteration + iterations - 1 (every scenario
  /// gets the same count), numbering runs from first_sequence: the confirmation extension
  /// adds pairs to a finished plan this way, with orders of their own.
  int first_iteration = 1;
  std::optional<int> iterations;
  int first_sequence = 0;
};

/// Expands the suite: filter (suite.filter), order, seed (suite.defaults.seed, else
/// random_seed()). Throws UsageError when the filter matches no scenario.
Plan expand(const config::SuiteConfig& suite, const ExpandOptions& options = {});

/// Scenario filter: comma-separated fnmatch(3) globs ("plain*,json"); a name is selected when
/// it matches any positive glob (or there are none) and no glob prefixed with '!'.
/// An empty filter selects everything.
bool filter_matches(std::string_view filter, std::string_view name);

/// The run id for an iteration, app label and scenario ("i03-pr-plaintext"); characters
/// outside [A-Za-z0-9._+-] become '_'. width = digits of the iteration number (at least 2).
std::string run_id(int iteration, int width, std::string_view app, std::string_view scenario);

}  // namespace benchgate::matrix
