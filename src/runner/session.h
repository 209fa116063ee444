#pragma once
// One app's lifetime driven from outside, burst by burst: what pairing = "bursts"
// (runner/bursts.h) needs from execute_run's steps (runner/execution.cpp). open() runs the
// steps up to the idle footprint (pre-flight, pre-run hooks, launch, readiness), burst() drives
// one load point and hands its period over, close() stops the app and returns the lifetime's
// record (start-up, instances, termination, warnings; its periods were handed over).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "results/model.h"
#include "runner/runner.h"

namespace benchgate::runner {

/// How a run (or a lifetime) ended: status (ok | failed | interrupted), reason, failure kind.
struct Ending {
  std::string status;
  std::string reason;
  std::string kind;
};

/// One burst of load: its period (status ok, invalid, failed or interrupted) and the artifacts
/// it wrote; `ending` is set when the lifetime cannot go on (the app crashed, the driver
/// failed, interrupted).
struct Burst {
  results::PeriodResult period;
  std::vector<results::Artifact> artifacts;
  std::optional<Ending> ending;
};

class Execution;

class AppSession {
 public:
  /// `spec`: the app's first run of the session (its artifacts folder holds the lifetime's
  /// logs); it must outlive the session. `ctx` is used as execute_run uses it.
  AppSession(const RunSpec& spec, RunContext& ctx);
  ~AppSession();
  AppSession(const AppSession&) = delete;
  AppSession& operator=(const AppSession&) = delete;

  /// Pre-flight, pre-run hooks, launch, readiness, idle footprint; nullopt when the app is up.
  std::optional<Ending> open();
  /// One load period at `point` with `warmup` before its measured part; `tag` ("b03-")
  /// prefixes its artifact names.
  Burst burst(const results::LoadPoint& point, Nanos warmup, const std::string& tag);
  /// Stops the app (if it was launched) and what it left behind; the lifetime's record, ended
  /// by `ending` or, without one, by how the app stopped.
  results::RunRecord close(std::optional<Ending> ending);

 private:
  std::unique_ptr<Execution> impl_;
};

}  // namespace benchgate::runner
