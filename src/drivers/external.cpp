#include "drivers/external.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"

namespace benchgate::drivers {

std::vector<std::string> tool_argv(const std::vector<std::string>& argv, const DriverOptions& o) {
  if (o.client_host.empty()) return argv;
  std::vector<std::string> ssh = {"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5"};
  ssh.insert(ssh.end(), o.ssh_options.begin(), o.ssh_options.end());
  ssh.push_back(o.client_host);
  ssh.push_back("--");
  ssh.push_back(shell_join(argv));
  return ssh;
}

ToolRun run_tool(const std::vector<std::string>& argv, const DriverOptions& o,
                 const std::filesystem::path& output_path, Nanos limit, const CancelToken& cancel) {
  platform::SpawnOptions so;
  so.argv = tool_argv(argv, o);
  so.stdout_path = output_path;
  if (o.client_host.empty()) so.cpus = o.cpus;  // no affinity on a remote host
  auto proc = platform::Subprocess::spawn(so);
  ToolRun run;
  auto st = proc.wait_for(limit, &cancel);
  if (!st) {
    run.cancelled = cancel.cancelled();
    run.timed_out = !run.cancelled;
    run.status = proc.terminate(std::chrono::milliseconds(500));
  } else {
    run.status = *st;
  }
  try {
    run.output = platform::read_file(output_path);
  } catch (...) {
  }
  return run;
}

void require_tool(const std::string& program, const std::string& hint, const DriverOptions& o) {
  if (!o.client_host.empty()) {
    if (!platform::find_executable("ssh")) {
      throw RunError("ssh not found on PATH: it is needed for --client-host (apt-get install openssh-client)");
    }
    return;  // the tool's presence on the remote host shows when it runs
  }
  if (!platform::find_executable(program)) {
    throw RunError(fmt::format("{} not found{}: {}", program,
                               program.find('/') == std::string::npos ? " on PATH" : "", hint));
  }
}

}  // namespace benchgate::drivers
