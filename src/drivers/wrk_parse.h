#pragma once
// Parser for wrk's (4.x) text output: the "Thread Stats" table, the --latency distribution,
// the "N requests in T, B read" line, socket errors, non-2xx/3xx count and the rates.
//
// wrk prints numbers scaled with units: times in us/ms/s (and m/h past a minute), bytes with
// 1024-based K/M/G/T/P followed by "B", counts with 1000-based k/M/G/T/P. Values are padded
// so their units line up ("1.14s "), and an empty statistic prints "-nan". The helpers below
// read all of that; the parser returns latencies in seconds and sizes in bytes.

#include <string_view>
#include <vector>

#include "results/model.h"

namespace benchgate::drivers {

/// Parses wrk's output (stdout and stderr together). Throws ParseError when the text is not
/// a wrk report; known failures (connection refused, unresolvable host, bad URL, Lua script
/// error, usage text) get a message that says what happened and quotes wrk's line.
///
/// Fills requests, duration_s, bytes_read, non_2xx_3xx, errors, latency (mean, stdev, max and
/// percentiles "50" "75" "90" "99" in seconds, when --latency was used) and throughput =
/// (requests - non_2xx_3xx) / duration_s. When wrk recorded no latency sample (its "+/- Stdev"
/// column reads -nan) latency is left empty rather than filled with zeros. extra holds:
/// requests_per_s and transfer_per_s (bytes/s) as wrk printed them, req_per_thread {mean,
/// stdev, max, within_stdev_pct}, latency_within_stdev_pct, threads, connections, url,
/// configured_duration_s, and other_output (lines wrk did not write itself, e.g. from a
/// script's print()).
results::DriverResult parse_wrk_output(std::string_view text);

/// "621.86us", "1.05ms", "1.14s", "1.50m", "2.00h" -> seconds. "-nan", "-nanus" -> NaN.
/// Throws ParseError on anything else.
double parse_wrk_time(std::string_view token);
/// "19.13MB", "0.00B", "5.14KB" (K = 1024) -> bytes; the trailing "B" is optional.
double parse_wrk_bytes(std::string_view token);
/// "20.84k", "595.03", "1.04M" (k = 1000) -> value. "-nan" -> NaN.
double parse_wrk_count(std::string_view token);

namespace detail {

/// One row of wrk's "Thread Stats" table.
struct WrkStatsRow {
  double mean = 0, stdev = 0, max = 0;
  double within_stdev_pct = 0;  ///< NaN when wrk had no samples
  bool present = false;
};

/// What wrk and wrk2 print alike. wrk2's parser strips its own blocks (calibration lines,
/// HdrHistogram distributions) first and hands the remaining lines here.
struct WrkCommon {
  results::DriverResult result;
  WrkStatsRow latency_row;
  WrkStatsRow req_row;
};

/// `tool` names the program in error messages ("wrk", "wrk2").
WrkCommon parse_wrk_common(const std::vector<std::string_view>& lines, std::string_view tool);

/// Splits text into lines, dropping '\r' and a final empty line.
std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace detail
}  // namespace benchgate::drivers
