#pragma once
// Command builders for the external load drivers (wrk, wrk2, JMeter). Pure: they return argv
// vectors (no shell) and, where a tool needs a generated Lua script, its text and the path the
// caller must write it to; write_generated_script() does that write.
//
// Rounding follows the tools: wrk and wrk2 read -d, --timeout and -R as whole numbers (seconds,
// requests/s), so durations are rounded up to whole seconds (at least 1) and the rate to the
// nearest integer (at least 1).

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace benchgate::drivers {

/// A command line plus, when the tool needs one, a Lua script benchgate generated.
struct ToolCommand {
  std::vector<std::string> argv;
  std::filesystem::path script_path;  ///< where script_text must be written; empty: none
  std::string script_text;
};

/// Writes cmd.script_text to cmd.script_path (atomically) when there is one.
void write_generated_script(const ToolCommand& cmd);

struct WrkCommandSpec {
  std::string program = "wrk";  ///< "wrk", or an explicit path
  std::string url;
  int connections = 1;
  int threads = 0;      ///< 0: min(connections, driver_cpus); always clamped to connections
  int driver_cpus = 0;  ///< CPUs the driver may use (its affinity list size); 0: assume 2
  Nanos duration = std::chrono::seconds(10);
  Nanos timeout = std::chrono::seconds(2);  ///< per request; wrk takes whole seconds
  bool latency = true;                      ///< --latency (the 50/75/90/99 table)
  bool keepalive = true;  ///< false: -H 'Connection: close' (a new connection per request)
  int pipeline = 1;       ///< > 1: HTTP pipelining through a generated Lua script
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string script;                    ///< user Lua script (-s); exclusive with generated ones
  std::vector<std::string> script_args;  ///< passed after "--"
  /// Where a generated script goes (needed for pipelining or a method/body other than GET).
  std::filesystem::path generated_script_path;
};

/// Default pipelining depth of the wrk-pipeline driver (as the old harness used).
inline constexpr int kDefaultPipelineDepth = 16;

/// Builds `wrk -tT -cC -dDs --timeout Ns [--latency] [-H ...] [-s script] URL [-- args]`.
/// Throws UsageError for combinations wrk cannot do: a user script together with pipelining or
/// a non-GET method/body (wrk takes one script: do it in yours), pipelining without keep-alive,
/// fewer than one connection, a missing generated_script_path when one is needed.
ToolCommand build_wrk_command(const WrkCommandSpec& spec);

/// The Lua script for pipelining (depth from the first script argument, default 16, exactly
/// the fixtures' pipeline.lua) and/or a method and body other than GET.
std::string wrk_generated_script(const std::string& method, const std::string& body, bool pipeline);

/// wrk threads: `requested` if > 0, else min(connections, driver_cpus or 2), never more than
/// connections and at least 1.
int wrk_threads(int requested, int connections, int driver_cpus);

/// Rounds up to whole seconds, at least 1 (wrk's -d and --timeout are integers).
long long whole_seconds_ceil(Nanos d);

/// wrk's -d takes whole seconds: throws UsageError naming `option` ("--duration",
/// "--warmup") and the value unless d is a whole number of seconds ≥ 1s ("wrk takes whole
/// seconds: duration 100ms; use ≥ 1s or the builtin driver"). `tool`: "wrk", "wrk-pipeline"...
void check_wrk_whole_seconds(std::string_view tool, std::string_view option, Nanos d);

struct Wrk2CommandSpec {
  WrkCommandSpec wrk;        ///< program defaults to "wrk2" by build_wrk2_command when left "wrk"
  double rate = 0;           ///< -R: total requests/s across all connections (required, > 0)
  bool uncorrected = false;  ///< -U: also print the uncorrected (service time) histogram
  /// wrk2 calibrates for ~10 s before it measures; the caller passes the time to add to the
  /// measured duration (the old harness added 10 s).
  Nanos calibration = std::chrono::seconds(10);
};

/// `wrk2 -tT -cC -d(D+calibration)s -R rate [-U] --timeout Ns --latency ... URL`.
ToolCommand build_wrk2_command(const Wrk2CommandSpec& spec);

struct JmeterCommandSpec {
  std::string program = "jmeter";
  std::filesystem::path plan;                 ///< -t plan.jmx (required)
  std::filesystem::path results;              ///< -l results.jtl (required)
  std::filesystem::path log;                  ///< -j jmeter.log (required)
  int threads = 1;                            ///< -JTHREADS
  Nanos duration = std::chrono::seconds(20);  ///< -JDURATION, whole seconds (warm-up included)
  Nanos summariser_interval = std::chrono::seconds(6);  ///< -Jsummariser.interval (≥ 1 s)
  std::string url;           ///< when set: -JHOST -JPORT -JPATH -JPROTOCOL for plans that use __P()
  Nanos timeout = Nanos{0};  ///< > 0: -JTIMEOUT in ms
  std::filesystem::path user_properties;                        ///< -q FILE
  std::filesystem::path system_properties;                      ///< -S FILE
  std::vector<std::pair<std::string, std::string>> properties;  ///< more -Jname=value
  bool jtl_header = true;  ///< ask for a CSV header line (the parser handles both)
};

/// `jmeter -n -t plan.jmx -l results.jtl -j jmeter.log -Jsummariser.name=summary
///  -Jsummariser.interval=N -Jjmeter.save.saveservice.output_format=csv
///  [-Jjmeter.save.saveservice.print_field_names=true] -JTHREADS=.. -JDURATION=..
///  [-JHOST=.. -JPORT=.. -JPATH=.. -JPROTOCOL=..] [-JTIMEOUT=..] [-q F] [-S F] [-Jk=v ...]`.
/// summariser.name must be set or JMeter prints no summary lines at all.
ToolCommand build_jmeter_command(const JmeterCommandSpec& spec);

/// The summariser name build_jmeter_command sets (parse_jmeter_summary looks for it).
inline constexpr const char* kJmeterSummariserName = "summary";

}  // namespace benchgate::drivers
