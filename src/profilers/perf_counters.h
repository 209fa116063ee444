#pragma once
// Hardware instruction counters through `perf stat` (measure = "counters", runner/counters.cpp):
// the parser of `perf stat -x, -o FILE` output and the availability check.
//
// perf stat's CSV lines (perf-stat(1), "CSV FORMAT"):
//   <value>,<unit>,<event>,<run time>,<running %>[,<metric value>,<metric unit>]
// where <value> is a count, or "<not supported>" (no such counter here: a VM without a
// virtual PMU) or "<not counted>" (the counter never ran, e.g. the workload ended before it
// was enabled). Comment lines ("# started on ...") and blank lines are skipped. perf exits 0
// in both cases, so "perf stat succeeded" means: every requested event has a count.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchgate::profilers {

struct PerfStatValue {
  std::string event;  ///< as perf prints it, e.g. "instructions:u"
  /// The count (rounded; software events such as task-clock are fractional), nullopt when not
  /// counted or not supported.
  std::optional<double> value;
  std::string unit;        ///< "msec" for task-clock, "" for counts
  std::string status;      ///< "counted", "not supported" or "not counted"
  double running_pct = 0;  ///< share of the time the counter ran (multiplexing below 100)
};

/// Parses `perf stat -x,` output. Throws ParseError naming the line for a line that is not a
/// CSV count line (fewer than 3 fields, a value that is neither a number nor <not ...>).
std::vector<PerfStatValue> parse_perf_stat_csv(std::string_view text);

/// The events measure = "counters" records (user space only, so counting needs no kernel
/// profiling right: perf_event_paranoid ≤ 2 is enough for one's own processes).
inline constexpr std::string_view kCounterEvents = "instructions:u,cycles:u";

/// Whether hardware counters work here, and why not.
struct CountersAvailability {
  bool available = false;
  std::string reason;  ///< why not ("" when available)
};

/// What the probe `perf stat -x, -o OUT -e instructions:u,cycles:u -- true` left behind.
struct CountersProbe {
  bool perf_found = true;
  int exit_code = 0;            ///< perf's exit code (-1: killed or not run)
  std::string csv;              ///< the -o file's text
  std::string stderr_text;      ///< perf's error output
  std::optional<int> paranoid;  ///< /proc/sys/kernel/perf_event_paranoid, when readable
  bool privileged = false;      ///< root (CAP_PERFMON/CAP_SYS_ADMIN): paranoid does not apply
};

/// Decides availability from a probe (pure): available when every event of kCounterEvents has
/// a count; otherwise the reason names perf's own words (<not supported>, <not counted>, the
/// paranoid level, perf missing).
CountersAvailability counters_availability(const CountersProbe& probe);

/// Runs the probe here (perf stat on `true`, a second at most) and decides.
CountersAvailability detect_counters();

/// The sums of each event of a perf stat output (instructions:u → instructions, cycles:u →
/// cycles); throws ParseError when an event of kCounterEvents has no count (with perf's reason).
struct PerfCounts {
  std::uint64_t instructions = 0;
  std::uint64_t cycles = 0;
};
PerfCounts perf_counts(std::string_view csv);

}  // namespace benchgate::profilers
