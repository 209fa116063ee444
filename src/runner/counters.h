#pragma once
// measure = "counters": instructions and cycles per request from the CPU's own counters
// (perf stat -e instructions:u,cycles:u), at native speed, where the machine exposes them.
//
// Method: the same differencing of two lifetimes as instruction mode (runner/instructions.h),
// with perf stat in place of valgrind:
//   perf stat -x, -o <tmp>/perf-stat.csv -e instructions:u,cycles:u -- <app argv>
// perf's counters are inherited by every process the app forks (workers, a wrapper's exec),
// whatever user they switch to, and summed. A lifetime ends with SIGINT to the group: perf
// stat ignores SIGINT, waits for the app and writes its counts (SIGTERM would kill perf
// before it writes). Windowing instead (perf stat --control, enabling the counters around the
// counted requests) would leave start-up out but needs a control fifo handshake per
// lifetime and still counts whatever else the app does meanwhile; the difference of two
// lifetimes needs nothing from perf but its totals, and at native speed N can be large
// enough (10⁴–10⁵ requests in a second or two) that the start-up's own variation vanishes
// in the quotient.
//
// Availability: before the first lifetime, perf stat is run on `true`
// (profilers::detect_counters). On a machine without counters (a VM without a virtual PMU:
// "<not supported>"), where the counter never ran ("<not counted>"), without perf, or where
// perf_event_paranoid forbids it, the run fails with kind "unavailable" and perf's reason:
// never a silent pass, never a number from another method.
//
// Not portable: hardware counts depend on the CPU (glibc picks string functions by CPU
// features; cycles depend on the microarchitecture), so counters mode keeps the machine's
// testbed fingerprint. cycles_per_request is informational (not in the metric registry: it is
// not near-deterministic like the instruction count).

#include "runner/instructions.h"

namespace benchgate::runner {

/// perf stat's counting method (availability detected once per process, on first use).
CountingMethod perf_counters_method();

/// The perf stat command line that wraps the app (before the app's argv).
std::vector<std::string> perf_stat_argv(const std::filesystem::path& out_dir);

}  // namespace benchgate::runner
