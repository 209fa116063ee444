#pragma once
// Parsers for a non-GUI JMeter run: the summariser lines it prints on the console (and in its
// -j log), and the JTL results file in CSV form, with or without a header line.
//
// Summariser lines ("summary +" for one interval, "summary =" for the running total):
//   summary +  45824 in     6s = 8181.4/s Avg:     0 Min:     0 Max:    66 Err:     0 (0.00%)
//   Active: 8 Started: 8 Finished: 0
// JMeter rounds the interval length to whole seconds when the fraction is small ("in 6s" for
// 5.6 s), so an interval's length is recovered from count / rate, which is exact to 0.1/s.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "results/model.h"

namespace benchgate::drivers {

/// One summariser line.
struct JmeterInterval {
  bool total = false;  ///< "=" (running total) rather than "+" (one interval)
  std::int64_t samples = 0;
  double elapsed_s = 0;                       ///< best estimate (see above)
  double printed_s = 0;                       ///< the "in 6s" figure as printed
  double rate = 0;                            ///< samples/s as printed; 0 when printed as "******"
  double avg_ms = 0, min_ms = 0, max_ms = 0;  ///< JMeter prints whole milliseconds
  std::int64_t errors = 0;
  double error_pct = 0;
  int active = -1, started = -1, finished = -1;  ///< "+" lines only
  std::size_t line = 0;                          ///< 1-based line number in the text
};

struct JmeterSummaryOptions {
  std::string name = "summary";  ///< summariser.name
  /// Warm-up at the start of the run: "+" intervals that start before it are skipped.
  double warmup_s = 0;
  /// summariser.interval; 0: inferred (the longest "+" interval). An interval shorter than
  /// 90 % of it at either end of the run is partial and dropped.
  double interval_s = 0;
};

/// The measured part of a run, from the kept "+" intervals.
struct JmeterSummary {
  std::vector<JmeterInterval> lines;    ///< every summariser line, in order
  std::optional<JmeterInterval> total;  ///< the last "=" line (the whole run)
  std::vector<std::size_t> kept;        ///< indices into lines of the measured "+" lines
  std::int64_t samples = 0, errors = 0;
  double duration_s = 0;
  double skipped_before_s = 0;  ///< length of the intervals dropped before the first kept one
  double avg_ms = 0;            ///< sample-weighted
  double min_ms = 0, max_ms = 0;
  std::int64_t test_start_ms = 0;  ///< "Starting the test @ ... (epoch ms)"; 0 when absent
  std::vector<std::string> warnings;
  /// [from, to) in epoch ms of the measured intervals, when the test start is known: the
  /// window to pass to parse_jtl_csv so percentiles cover the same samples.
  std::optional<std::pair<std::int64_t, std::int64_t>> window_ms() const;
};

/// Parses the console output (or the -j log, whose lines carry a log prefix). Throws
/// ParseError when there is no "summary =" line: JMeter ran nothing. The message explains the
/// likely cause: Debian 12's JMeter 2.13 cannot load any plan (its XStream forbids the plan
/// classes: "ForbiddenClassException") yet exits 0; a plan that failed to load; or
/// summariser.name not set. When no "+" interval is left after dropping warm-up and partial
/// ones, the whole-run total is used and a warning says so.
JmeterSummary parse_jmeter_summary(std::string_view text, const JmeterSummaryOptions& options = {});

/// Explains why a JMeter run produced nothing, from its console and log text (either may be
/// empty). Used by parse_jmeter_summary; exposed for the driver, which also checks the JTL.
std::string jmeter_failure_reason(std::string_view console, std::string_view log);

struct JtlOptions {
  /// Only samples whose timeStamp is in [from_ms, to_ms) count.
  std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();
  std::int64_t to_ms = std::numeric_limits<std::int64_t>::max();
  /// Column names for a file without a header line; empty: JMeter's defaults, chosen by the
  /// number of columns (12: JMeter 2.13; 16: 3.x; 17: 5.x).
  std::vector<std::string> columns;
};

struct JtlStats {
  std::int64_t rows = 0;     ///< data rows read (before the time window)
  std::int64_t samples = 0;  ///< rows in the window
  std::int64_t failures = 0;
  bool had_header = false;
  results::LatencyStats latency;             ///< every sample's elapsed (as JMeter's reports)
  results::LatencyStats latency_successful;  ///< successful samples only
  std::map<std::string, std::int64_t> response_codes;  ///< "200" -> n, "Non HTTP ..." -> n
  std::int64_t non_2xx_3xx = 0;                        ///< numeric response codes outside 200-399
  results::SocketErrors errors;                        ///< non-HTTP failures by exception class
  double bytes = 0;
  std::int64_t first_ms = 0, last_end_ms = 0;  ///< earliest start, latest start+elapsed
};

/// Parses a JTL in CSV form. Percentiles ("50", "75", "90", "95", "99", "99.9") are exact
/// nearest-rank values of the elapsed column (ms -> s). Throws ParseError naming the line for a
/// malformed row, or when a header-less file has a column count it cannot map.
JtlStats parse_jtl_csv(std::string_view text, const JtlOptions& options = {});

/// Fills a DriverResult: requests, errors, duration and throughput = successful samples/s from
/// the summary's measured intervals; latency, status codes and the split of failures into
/// non-2xx/3xx and socket errors from the JTL (when given; otherwise latency has only the mean
/// /min/max of the summary lines and every failure counts as non_2xx_3xx, flagged in extra).
results::DriverResult jmeter_result(const JmeterSummary& summary, const JtlStats* jtl);

}  // namespace benchgate::drivers
