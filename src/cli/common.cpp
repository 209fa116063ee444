#include "cli/common.h"

#include <unistd.h>

#include "core/build_info.h"
#include "platform/sysinfo.h"

namespace benchgate::cli {

results::ResultsFile new_results(const std::string& command, const std::string& name) {
  results::ResultsFile r;
  r.tool_version = std::string(build::kVersion) + " (" + build::kGitDescribe + ")";
  r.command = command;
  r.name = name;
  r.started_at = platform::iso8601_now();
  r.machine = platform::machine_context();
  r.testbed = platform::testbed(r.machine);
  r.provenance = platform::provenance();
  return r;
}

ExitCode runs_exit_code(const results::ResultsFile& r) {
  if (r.status == "interrupted") return ExitCode::kInterrupted;
  for (const auto& run : r.runs) {
    if (run.status == "failed" || run.status == "skipped") return ExitCode::kRunFailed;
    for (const auto& p : run.periods) {
      if (p.status != "ok") return ExitCode::kRunFailed;
    }
  }
  return ExitCode::kOk;
}

bool stdout_is_tty() { return ::isatty(STDOUT_FILENO) == 1; }

}  // namespace benchgate::cli
