#pragma once
// The result model: everything a run measured. results.json is this model serialised
// (json.h); every report and every verdict can be re-made from it.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "platform/testbed.h"

namespace benchgate::results {

inline constexpr int kSchemaVersion = 1;

/// One load level within a scenario: closed loop (rate 0) with C connections, or open loop at
/// a constant rate R with C connections.
struct LoadPoint {
  int clients = 0;
  double rate = 0;  ///< requests/s; 0 = closed loop
  /// "c=64" or "c=16 r=1000".
  std::string key() const;
  friend bool operator==(const LoadPoint&, const LoadPoint&) = default;
};

/// Latency summary of one load period, in seconds.
struct LatencyStats {
  std::int64_t count = 0;
  double min = 0, mean = 0, stdev = 0, max = 0;
  /// Keys "50", "75", "90", "99", "99.9", "99.99", "99.999" (whatever the driver reports).
  std::map<std::string, double> percentiles;
  /// LatencyHistogram::encode(), when the driver has the full histogram (builtin); else empty.
  std::string histogram;
  bool empty() const { return count == 0 && percentiles.empty(); }
};

struct SocketErrors {
  std::int64_t connect = 0, read = 0, write = 0, timeout = 0, parse = 0;
  std::int64_t total() const { return connect + read + write + timeout + parse; }
};

/// What the load driver measured in one load period.
struct DriverResult {
  std::string driver;
  std::vector<std::string> command;  ///< external drivers: the argv run
  double duration_s = 0;             ///< measured period length as the driver reports it
  std::int64_t requests = 0;         ///< completed responses (any status)
  std::int64_t non_2xx_3xx = 0;
  std::map<std::string, std::int64_t> status_codes;  ///< "200" -> n (when known)
  SocketErrors errors;
  std::int64_t reconnects = 0;
  double bytes_read = 0;
  double bytes_written = 0;
  double throughput = 0;   ///< successful responses / s
  double target_rate = 0;  ///< open loop: requested rate; 0 closed loop
  LatencyStats latency;    ///< open loop: corrected (from intended send time)
  std::optional<LatencyStats> latency_uncorrected;  ///< open loop: service time only
  double trace_interval_s = 0;
  std::vector<double> throughput_trace;      ///< successful responses / s per interval
  double driver_cpu_s = 0;                   ///< driver process/thread CPU time in the period
  std::vector<std::string> invalid_reasons;  ///< self-honesty checks that failed
  std::string raw_output;                    ///< artifact path (relative to the output folder)
  nlohmann::json extra = nlohmann::json::object();  ///< driver-specific details
};

struct ProcessUsage {
  int pid = 0;
  int ppid = 0;
  int instance = 0;  ///< which app instance's tree it belongs to
  std::string comm;
  double cpu_user_s = 0, cpu_sys_s = 0;
  std::int64_t rss_start = 0, rss_end = 0, rss_peak = 0, rss_hwm = 0;  ///< bytes
  int threads_max = 0;
  bool exited = false;  ///< disappeared during the period
};

struct CpuUtilisation {
  int cpu = -1;
  double user_pct = 0, sys_pct = 0, idle_pct = 0, busy_pct = 0;
};

/// Time series sampled by the monitor during one period (or the whole run).
struct Traces {
  double interval_s = 0;
  std::vector<double> t;  ///< seconds since the period started
  /// Named series, each the length of t: "rss_total", "cpu_percent", "cpu_user_percent",
  /// "cpu_sys_percent", "threads", "threads_running", "processes", "system_runnable",
  /// "rss:<pid>", "cpu:<pid>", "cpu<N>_busy".
  std::map<std::string, std::vector<double>> series;
  bool empty() const { return t.empty(); }
};

/// App resources over one load period, from /proc.
struct ResourceUsage {
  double duration_s = 0;
  double cpu_user_s = 0, cpu_sys_s = 0;
  double cpu_percent = 0;  ///< (user+sys)/duration·100, 100 = one core busy
  std::int64_t rss_start = 0, rss_end = 0, rss_peak = 0;  ///< summed over processes, bytes
  int processes = 0;
  int threads_max = 0;
  std::vector<ProcessUsage> per_process;
  std::vector<CpuUtilisation> per_cpu;  ///< the app's CPU list, averaged over the period
  Traces traces;
  double cpu_total_s() const { return cpu_user_s + cpu_sys_s; }
};

struct Artifact {
  std::string kind;  ///< "app-log", "driver-output", "perf-report", "flamegraph", ...
  std::string path;  ///< relative to the output folder
  std::string description;
};

/// A profiler's summary: top symbols and shares by shared object.
struct ProfileSummary {
  std::string profiler;
  /// ok | failed (the profiler ran, or tried to, and broke) | unavailable (it cannot run
  /// here: tool missing, permission denied). Never affects the run's status.
  std::string status = "ok";
  std::string reason;  ///< why not ok
  struct Entry {
    std::string name;
    double share = 0;  ///< fraction of samples (0..1) or of bytes for heap profiles
    std::string dso;
  };
  std::vector<Entry> top_symbols;
  std::vector<Entry> by_dso;
  nlohmann::json extra = nlohmann::json::object();  ///< e.g. massif peak heap
  std::vector<Artifact> artifacts;
};

/// One load period: a load point driven against one started app.
struct PeriodResult {
  LoadPoint point;
  std::string status = "ok";  ///< ok | invalid | failed | interrupted
  std::string reason;         ///< why not ok
  DriverResult driver;
  ResourceUsage app;
  /// Derived gate-able metrics (results/metrics.h names).
  std::map<std::string, double> metrics;
  std::optional<ProfileSummary> profile;
};

struct Startup {
  double time_to_ready_s = 0;
  std::int64_t idle_rss = 0;
  double idle_cpu_percent = 0;
  bool measured = false;
};

struct Termination {
  bool expected = true;
  std::string description;  ///< "terminated by SIGTERM", "exited with status 3", ...
};

struct InstanceInfo {
  int index = 0;
  int pid = 0;
  std::vector<std::string> command;
  std::string cpus;
  std::string log;  ///< artifact path
};

/// One start of one app for one scenario in one iteration, with all its load periods.
struct RunRecord {
  std::string id;
  int sequence = 0;   ///< position in execution order (0-based)
  int iteration = 0;  ///< 1-based
  std::string app;    ///< label
  std::string role;   ///< baseline | candidate | "" (plain compare)
  std::string scenario;
  std::string url;
  /// ok | failed | skipped (not started: the app failed the same way at start in its first
  /// two runs; counts as failed) | interrupted
  std::string status = "ok";
  std::string failure;  ///< reason when not ok
  /// What kind of failure, when not ok (see runner/runner.h): not_ready, exited_at_start,
  /// start_failed, port_in_use, pre_run_failed, crashed, driver_failed, invalid,
  /// unexpected_exit, interrupted. A skipped run has the kind its first two runs failed with.
  std::string failure_kind;
  double started_at = 0;  ///< unix seconds
  double elapsed_s = 0;   ///< wall time of the whole run, harness included
  double overhead_s = 0;  ///< elapsed minus warm-up and load periods
  Startup startup;
  Termination termination;
  std::vector<InstanceInfo> instances;
  std::vector<PeriodResult> periods;
  std::map<std::string, double> metrics;  ///< per-run metrics: startup_time, idle_rss
  std::vector<Artifact> artifacts;
  std::optional<ProfileSummary> profile;
  Traces traces;                      ///< the whole run (start-up to shutdown)
  std::vector<std::string> warnings;  ///< e.g. "readiness URL answered HTTP 404"
};

/// Declared in platform (platform::testbed() fills it); part of the model as results::Testbed.
using Testbed = platform::Testbed;

struct RunOrder {
  std::uint64_t seed = 0;
  std::vector<std::string> sequence;  ///< run ids in execution order
};

struct ResultsFile {
  int schema_version = kSchemaVersion;
  std::string tool_version;
  std::string command;  ///< drive | run | compare
  /// Life cycle: "running" while benchgate checkpoints (a file left so was killed, or its final
  /// write failed); "complete" once every planned run finished and the final write succeeded;
  /// "interrupted" after SIGINT/SIGTERM; "failed" when benchgate stopped on an error (failure
  /// says which). Only complete results can become a baseline or be reported without
  /// --allow-partial.
  std::string status = "complete";
  std::string failure;   ///< status "failed": what stopped benchgate
  int planned_runs = 0;  ///< runs the plan had (0: not recorded)
  std::string name;
  std::string started_at;                           ///< ISO-8601
  std::string finished_at;                          ///< ISO-8601
  nlohmann::json suite = nlohmann::json::object();  ///< resolved configuration
  RunOrder order;
  nlohmann::json machine = nlohmann::json::object();  ///< Google Benchmark-style context+
  Testbed testbed;
  nlohmann::json provenance = nlohmann::json::object();  ///< allow-listed CI vars, git
  std::vector<RunRecord> runs;
  nlohmann::json gate;  ///< verdicts (gate/ writes it), null when not gated
  /// The outcome of the invocation as decided at the last write (gate/outcome.h):
  /// {"status": token, "exit_code": n, "reason": text}; null while running.
  nlohmann::json outcome;
  std::vector<std::string> warnings;
  /// `run --shard I/N`: {"index", "total", "source", "suite_hash", "partition"}; `merge`:
  /// {"merged": true, "total", "suite_hash", "partition", "shards": [each shard's file, status,
  /// host and testbed]} (runner/shard.h). Null otherwise.
  nlohmann::json shard;
};

/// One number for the gate: app × cell × metric × iteration.
struct Sample {
  std::string app;
  std::string role;
  std::string cell;  ///< "<scenario> c=64" for load periods, "<scenario>" for per-run metrics
  std::string metric;
  int iteration = 0;
  double value = 0;
  std::string run_id;
};

/// "" for complete results; otherwise what is incomplete about them, e.g. "status \"running\":
/// benchgate did not finish (3 of 6 planned runs recorded)".
std::string incomplete_reason(const ResultsFile& r);

/// ConfigError (exit 2) "<origin>: results are not complete (…); …--allow-partial…" unless
/// the results are complete or allow_partial is set.
void require_complete(const ResultsFile& r, const std::string& origin, bool allow_partial);

/// Cell key of a load period of a scenario.
std::string cell_key(const std::string& scenario, const LoadPoint& point);

/// Every gate-able value from ok runs and ok periods (failed/invalid ones are excluded).
std::vector<Sample> collect_samples(const ResultsFile& results);

/// Fills period.metrics from its driver and app measurements (throughput, latency
/// percentiles, CPU per request, CPU %, peak RSS, RSS growth, errors).
void derive_metrics(PeriodResult& period);

}  // namespace benchgate::results
