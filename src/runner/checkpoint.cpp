#include "runner/checkpoint.h"

#include <fmt/format.h>

#include "core/build_info.h"
#include "platform/sysinfo.h"
#include "results/json.h"

namespace benchgate::runner {

results::ResultsFile new_results(const std::string& command, const std::string& name) {
  results::ResultsFile r;
  r.tool_version = std::string(build::kVersion) + " (" + build::kGitDescribe + ")";
  r.command = command;
  r.name = name;
  r.started_at = platform::iso8601_now();
  r.machine = platform::machine_context();
  r.testbed = platform::testbed(r.machine);
  r.provenance = platform::provenance();
  r.status = "running";  // until the last write (results.h: the life cycle)
  return r;
}

void settle_status(results::ResultsFile& results, bool cancelled, const std::string& finished_at) {
  results.finished_at = finished_at;
  if (cancelled) {
    results.status = "interrupted";
  } else if (static_cast<int>(results.runs.size()) < results.planned_runs) {
    results.status = "failed";
    results.failure =
        fmt::format("only {} of {} planned runs ran", results.runs.size(), results.planned_runs);
  } else {
    results.status = "complete";
  }
}

void Checkpoint::write() const {
  results::write_results(results_, path_);
}

void Checkpoint::fail(const std::string& reason, const std::string& finished_at) noexcept {
  try {
    results_.status = "failed";
    results_.failure = reason;
    results_.finished_at = finished_at;
    results::write_results(results_, path_);
  } catch (const std::exception&) {
    // The disk refused the last checkpoint too: the file on disk still says "running".
  }
}

}  // namespace benchgate::runner
