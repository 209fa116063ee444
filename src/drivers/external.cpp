#include "drivers/external.h"

#include <fmt/format.h>

#include <optional>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"

namespace benchgate::drivers {

std::vector<std::string> tool_argv(const std::vector<std::string>& argv, const DriverOptions& o) {
  if (o.client_host.empty()) return argv;
  // -tt: a pseudo-terminal on the remote side, so that when benchgate stops ssh (interrupt,
  // time limit) sshd hangs up the session and the remote tool gets SIGHUP instead of running
  // on to the end of its duration.
  std::vector<std::string> ssh = {"ssh", "-tt", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5"};
  ssh.insert(ssh.end(), o.ssh_options.begin(), o.ssh_options.end());
  // "--" before the host: a host beginning with '-' (-oProxyCommand=...) can never be read as
  // an option (config validation refuses one too). After "--" ssh parses no more options, so
  // the remote command follows the host directly.
  ssh.push_back("--");
  ssh.push_back(o.client_host);
  ssh.push_back(shell_join(argv));
  return ssh;
}

ToolRun run_tool(const std::vector<std::string>& argv, const DriverOptions& o,
                 const std::filesystem::path& output_path, Nanos limit, const CancelToken& cancel,
                 const ToolMark& mark) {
  platform::SpawnOptions so;
  so.argv = tool_argv(argv, o);
  so.stdout_path = output_path;
  if (o.client_host.empty()) so.cpus = o.cpus;  // no affinity on a remote host
  auto proc = platform::Subprocess::spawn(so);
  ToolRun run;
  std::optional<platform::ExitStatus> st;
  if (mark.fn && mark.after < limit) {
    st = proc.wait_for(mark.after, &cancel);
    if (!cancel.cancelled()) {
      mark.fn();
      if (!st) st = proc.wait_for(limit - mark.after, &cancel);
    }
  } else {
    st = proc.wait_for(limit, &cancel);
    if (st && mark.fn) mark.fn();
  }
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
  if (!o.client_host.empty()) run.output = replace_all(run.output, "\r\n", "\n");  // the pty's
  return run;
}

std::optional<std::string> ssh_failure(const ToolRun& run, const DriverOptions& o) {
  if (o.client_host.empty() || !run.status.exited || run.status.code != 255) return std::nullopt;
  std::vector<std::string> lines;
  for (auto line : split(run.output, '\n')) {
    auto t = trim(line);
    if (t.empty() || t.rfind("Warning: Permanently added", 0) == 0) continue;
    lines.emplace_back(t);
  }
  std::string text = join(lines, " | ");
  if (text.size() > 500) text = text.substr(0, 500) + "...";
  return fmt::format("ssh to {} failed ({}): {}", o.client_host, run.status.describe(),
                     text.empty() ? "no message" : text);
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
