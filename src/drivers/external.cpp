#include "drivers/external.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
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
  // The remote shell prints a marker right before the tool and right after it (keeping its
  // exit status): run_tool() brackets the monitor's window with them (ToolWindow).
  ssh.push_back(fmt::format("echo {}; {}; s=$?; echo {}; exit $s", kRemoteStartMarker,
                            shell_join(argv), kRemoteEndMarker));
  return ssh;
}

namespace {

/// The exit status, or (timed out, cancelled) the tool stopped and which of the two it was.
void settle(ToolRun& run, platform::Subprocess& proc, const std::optional<platform::ExitStatus>& st,
            const CancelToken& cancel) {
  if (!st) {
    run.cancelled = cancel.cancelled();
    run.timed_out = !run.cancelled;
    run.status = proc.terminate(std::chrono::milliseconds(500));
  } else {
    run.status = *st;
  }
}

/// The local run: the window is the process's lifetime.
ToolRun run_local(platform::Subprocess& proc, Nanos limit, const CancelToken& cancel,
                  const ToolMark& mark) {
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
  settle(run, proc, st, cancel);
  return run;
}

/// The run over ssh: the window opens at the remote start marker and closes at the end marker
/// (or when ssh exits without one), watched in the output file every few milliseconds.
ToolRun run_remote(platform::Subprocess& proc, const std::filesystem::path& output_path,
                   Nanos limit, const CancelToken& cancel, const ToolMark& mark,
                   const ToolWindow& window) {
  constexpr auto kPoll = std::chrono::milliseconds(5);
  auto& clock = system_clock();
  const auto deadline = clock.now() + limit;
  std::string seen;  // the output so far
  std::uintmax_t offset = 0;
  bool started = false, marked = false, ended = false;
  Nanos t_start{0};
  auto read_more = [&] {
    std::ifstream in(output_path, std::ios::binary);
    if (!in) return;
    in.seekg(static_cast<std::streamoff>(offset));
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    offset += chunk.size();
    seen += chunk;
  };
  ToolRun run;
  std::optional<platform::ExitStatus> st;
  for (;;) {
    st = proc.wait_for(kPoll, &cancel);
    read_more();
    if (!started && seen.find(kRemoteStartMarker) != std::string::npos) {
      started = true;
      t_start = clock.now();
      if (window.on_start) window.on_start();
    }
    if (started && !marked && mark.fn && clock.now() - t_start >= mark.after) {
      marked = true;
      mark.fn();
    }
    if (started && !ended && seen.find(kRemoteEndMarker) != std::string::npos) {
      ended = true;
      // A mark not reached yet (the tool ended first) opens the window now, as locally.
      if (mark.fn && !marked) {
        marked = true;
        mark.fn();
      }
      if (window.on_end) window.on_end();
    }
    if (st || cancel.cancelled() || clock.now() >= deadline) break;
  }
  settle(run, proc, st, cancel);
  if (started && !ended) {
    if (mark.fn && !marked && !run.cancelled) mark.fn();
    if (window.on_end) window.on_end();
  }
  return run;
}

/// The output without the remote markers' lines.
std::string without_markers(const std::string& text) {
  std::string out;
  for (const auto& line : split(text, '\n')) {
    if (line.find(kRemoteStartMarker) != std::string::npos ||
        line.find(kRemoteEndMarker) != std::string::npos) {
      continue;
    }
    out += line;
    out += '\n';
  }
  if (!text.empty() && text.back() != '\n' && !out.empty()) out.pop_back();
  return out;
}

}  // namespace

ToolRun run_tool(const std::vector<std::string>& argv, const DriverOptions& o,
                 const std::filesystem::path& output_path, Nanos limit, const CancelToken& cancel,
                 const ToolMark& mark, const ToolWindow& window) {
  platform::SpawnOptions so;
  so.argv = tool_argv(argv, o);
  so.stdout_path = output_path;
  if (o.client_host.empty()) so.cpus = o.cpus;  // no affinity on a remote host
  const bool remote = !o.client_host.empty();
  if (!remote && window.on_start) window.on_start();
  auto proc = platform::Subprocess::spawn(so);
  ToolRun run = remote ? run_remote(proc, output_path, limit, cancel, mark, window)
                       : run_local(proc, limit, cancel, mark);
  if (!remote && window.on_end) window.on_end();
  try {
    run.output = platform::read_file(output_path);
  } catch (...) {
  }
  if (remote) run.output = without_markers(replace_all(run.output, "\r\n", "\n"));  // the pty's
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
      throw RunError(
          "ssh not found on PATH: it is needed for --client-host (apt-get install openssh-client)");
    }
    return;  // the tool's presence on the remote host shows when it runs
  }
  if (!platform::find_executable(program)) {
    throw RunError(fmt::format("{} not found{}: {}", program,
                               program.find('/') == std::string::npos ? " on PATH" : "", hint));
  }
}

std::string tool_program(const DriverOptions& o, std::string_view name) {
  return o.tool_path.empty() ? std::string(name) : o.tool_path;
}

Nanos tool_time_limit(Nanos window, const DriverOptions& o) {
  return window + o.timeout + std::chrono::seconds(15);
}

void record_tool_run(results::DriverResult& r, const std::vector<std::string>& argv,
                     const DriverOptions& o, const std::string& output_artifact,
                     const ToolRun& run) {
  r.command = tool_argv(argv, o);
  r.raw_output = output_artifact;
  if (o.client_host.empty()) r.driver_cpu_s = run.status.user_cpu_s + run.status.sys_cpu_s;
}

}  // namespace benchgate::drivers
