#pragma once
// Processes an app leaves behind. benchgate is a child subreaper (become_subreaper), so a
// process that double-forks or setsids away from the app is re-parented to benchgate when its
// parent exits: it stays a descendant and can be found. The runner snapshots benchgate's
// descendants before it launches the app, and after stopping the app's process groups stops
// every descendant that is not in the snapshot (SIGTERM, a short grace, SIGKILL), reaps it and
// names it in the run's warnings.

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "platform/proc.h"
#include "platform/roots.h"

namespace benchgate::platform {

/// A process, told apart from a later one that reuses its pid by its start time.
struct ProcessKey {
  int pid = 0;
  std::uint64_t starttime = 0;  ///< ticks after boot, from stat
  auto operator<=>(const ProcessKey&) const = default;
};

/// Every descendant of `root` (zombies included) with its start time, ascending by pid.
std::vector<ProcessKey> descendant_keys(const ProcReader& proc, int root);

/// A process that outlived the app it belonged to.
struct Survivor {
  int pid = 0;
  std::vector<std::string> argv;  ///< its command line when found (empty when unreadable)
  bool killed = false;            ///< it ignored SIGTERM for the grace period: SIGKILLed
  bool gone = false;              ///< it was seen to exit (false: still there at the deadline)
  /// "pid 123 (sleep 300) ignored SIGTERM and was killed with SIGKILL".
  std::string describe() const;
};

struct SweepOptions {
  /// Descendants that are not the run's (benchgate's helpers, started before the app).
  std::vector<ProcessKey> keep;
  /// Process groups that were already SIGKILLed (the app's own): their members are stopped
  /// and reaped like the others but not reported, their end being the normal stop.
  std::vector<int> quiet_groups;
  Nanos grace = std::chrono::seconds(1);     ///< after SIGTERM, before SIGKILL
  Nanos deadline = std::chrono::seconds(5);  ///< give up after grace + this (unkillable: D state)
  SysRoots roots;                            ///< a test points the sweep at a copy of /proc
};

/// Stops every descendant of this process that is not in `keep`: SIGTERM (and SIGCONT), then
/// SIGKILL for those still alive after `grace`, re-scanning until none is left (a killed
/// survivor's own children are re-parented to us and found on the next scan). Reaps those that
/// are (or become) our children, zombies included. Returns the live processes it found, in
/// the order found, quiet groups left out. Async-signal-unsafe; call from one thread.
std::vector<Survivor> stop_descendants(const SweepOptions& options);

}  // namespace benchgate::platform
