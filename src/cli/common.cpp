#include "cli/common.h"

#include <unistd.h>

#include "core/build_info.h"
#include "gate/outcome.h"
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
  r.status = "running";  // until the last write (results.h: the life cycle)
  return r;
}

ExitCode runs_exit_code(const results::ResultsFile& r) {
  return gate::decide_outcome(&r, nullptr, false).exit_code;
}

bool stdout_is_tty() {
  return ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace benchgate::cli
