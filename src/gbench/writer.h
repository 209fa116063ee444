#pragma once
// Google Benchmark JSON written for benchgate results (docs/gbench-json.md), and read back.
//
// Mapping (benchgate results → Google Benchmark JSON): one family per app × cell ×
// metric named "<app>/<scenario, spaces as _>/c:<clients>[/r:<rate>]/<metric>", one iteration
// row per benchgate iteration (repetition_index in iteration order, iterations = 1) plus
// mean/median/stddev/cv aggregates (Google Benchmark's formulas: stddev with n − 1, cv =
// stddev/mean, both 0 for one repetition). Values:
//   - time metrics (unit "s": latencies, CPU per request, start-up time): real_time = cpu_time
//     = the value, in ns/us/ms/s picked by the median's magnitude;
//   - rates ("req/s"): items_per_second = the value; real_time = cpu_time = 1/value (time per
//     request) so that "lower time is better" still holds for tools that read only times;
//   - everything else (bytes, %, counts): a counter named after the metric holds the value and
//     real_time = cpu_time = the value with time_unit "ns" (label "<metric> [<unit>], not a
//     time"), so trend tools that chart real_time chart the metric.
// The context carries "benchgate": {"mapping_version": 1, "families": {name: {app, role, cell,
// metric, unit, field, iterations, run_ids}}}, from which samples_from_gbench() recovers every
// sample bit-identically (time values are written so that convert_time() reads them back
// exactly: a time written in us is the decimal digits of the value in seconds with the

#include <filesystem>
#include <string>
#include <vector>

#include "gbench/reader.h"
#include "results/model.h"

namespace benchgate::gbench {

/// Google Benchmark JSON text for benchgate results (mapping above).
std::string gbench_text(const results::ResultsFile& results);
/// Writes gbench_text() atomically.
void write_gbench(const results::ResultsFile& results, const std::filesystem::path& path);

/// Samples recovered from a file gbench_text() wrote (empty for other files).
std::vector<results::Sample> samples_from_gbench(const GbenchFile& file);

}  // namespace benchgate::gbench
