#pragma once
// Parser for wrk2's output: wrk's report plus the HdrHistogram blocks ("Latency Distribution
// (HdrHistogram - Recorded Latency)" and, with -U, "... - Uncorrected Latency ..."), each with
// 8 summary percentiles, a "Detailed Percentile spectrum" (values in ms) and a
// #[Mean/StdDeviation/Max/Total count/Buckets] footer; "Thread calibration:" lines.

#include <cstdint>
#include <string_view>
#include <vector>

#include "results/model.h"

namespace benchgate::drivers {

/// One row of a Detailed Percentile spectrum.
struct HdrSpectrumRow {
  double value_s = 0;     ///< latency at this percentile, seconds
  double percentile = 0;  ///< 0..1
  std::int64_t total_count = 0;
  friend bool operator==(const HdrSpectrumRow&, const HdrSpectrumRow&) = default;
};

/// One HdrHistogram block as wrk2 printed it.
struct HdrBlock {
  results::LatencyStats stats;  ///< count/mean/stdev/max from the footer, min = first row,
                                ///< percentiles "50" … "99.999", "100" in seconds
  std::vector<HdrSpectrumRow> spectrum;
  int buckets = 0, sub_buckets = 0;
};

/// Parses wrk2 output (stdout and stderr together). Throws ParseError as parse_wrk_output does
/// (connection refused etc. get specific messages).
///
/// latency comes from the Recorded (corrected, from the intended send time) histogram:
/// count/mean/stdev/max from its footer, min from the spectrum's first row, percentiles "50",
/// "75", "90", "99", "99.9", "99.99", "99.999", "100". With -U, latency_uncorrected holds the
/// service-time histogram the same way. With 0 recorded samples (a -nan mean) latency is empty.
/// extra: everything parse_wrk_output puts there, plus spectrum / spectrum_uncorrected
/// ([value_s, percentile, total_count] rows), hdr {buckets, sub_buckets}, calibration
/// ([{mean_latency_s, sampling_interval_s}] per thread) and calibrated (false when the run
/// was too short for wrk2 to calibrate: its histograms then include the warm-up).
///
/// Note that wrk2's "N requests in T" covers the whole run (calibration included) while its
/// histograms cover only the time after calibration.
results::DriverResult parse_wrk2_output(std::string_view text);

/// Parses one "Latency Distribution (HdrHistogram ...)" block starting at lines[i] (the title
/// line); on return i is the index of the last line of the block.
HdrBlock parse_hdr_block(const std::vector<std::string_view>& lines, std::size_t& i);

}  // namespace benchgate::drivers
