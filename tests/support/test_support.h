#pragma once
// Helpers for tests: fixture paths, free loopback ports, running binaries and reading what
// they printed, and RAII cleanup of the processes a test starts.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace benchgate::testing {

/// True in an AddressSanitizer or ThreadSanitizer build (gcc's macros, clang's __has_feature).
/// Its binaries run several times slower, so a wall-time bound that only tells "at once" from
/// "after a grace period or a hang" is scaled by kSanitizerSlowdown.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizerBuild = true;
#else
inline constexpr bool kSanitizerBuild = false;
#endif
#else
inline constexpr bool kSanitizerBuild = false;
#endif
inline constexpr int kSanitizerSlowdown = kSanitizerBuild ? 3 : 1;

inline std::filesystem::path data_path(const std::string& rel) {
  return std::filesystem::path(BENCHGATE_TEST_DATA_DIR) / rel;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::filesystem::path binary_dir() {
  return BENCHGATE_BINARY_DIR;
}
inline std::filesystem::path benchgate_binary() {
  return binary_dir() / "benchgate";
}
inline std::filesystem::path hello_server_binary() {
  return binary_dir() / "examples" / "hello-server";
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close),
/// never one this process was given before: two bind(0) calls in a row can get the same port
/// from the kernel, and a test taking two ports (the app's and sshd's, two apps) then started
/// both servers on one (RemoteTest.WrkRunsOverSsh: "port in use ... held by sshd").
inline int free_port() {
  static std::mutex mutex;
  static std::set<int> given;
  for (;;) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    const int port = ntohs(a.sin_port);
    std::lock_guard<std::mutex> lock(mutex);
    if (given.insert(port).second) return port;
  }
}

/// True when something accepts TCP connections on 127.0.0.1:port.
inline bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

/// Polls until the port accepts connections (true) or the timeout passes (false).
inline bool wait_port(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (port_open(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

/// Result of running a command to completion.
struct CommandResult {
  int exit_code = -1;  ///< 128+signal when killed by a signal
  std::string out;     ///< stdout
  std::string err;     ///< stderr
};

/// Starts argv (searched on PATH) in its own process group with stdout and stderr redirected to
/// these files (empty: inherited) and `env` ("NAME=value") added; returns its pid. The one
/// fork/exec of the tests: the caller waits for it (waitpid) and may signal its group.
inline pid_t spawn_command(const std::vector<std::string>& argv,
                           const std::filesystem::path& stdout_path,
                           const std::filesystem::path& stderr_path,
                           const std::vector<std::string>& env = {}) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    if (!stdout_path.empty() && !std::freopen(stdout_path.c_str(), "w", stdout)) ::_exit(126);
    if (!stderr_path.empty() && !std::freopen(stderr_path.c_str(), "w", stderr)) ::_exit(126);
    for (const auto& kv : env)
      ::putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  if (pid > 0) ::setpgid(pid, pid);  // also from here: the group exists before we signal it
  return pid;
}

/// Runs `body` in a forked child (so process-wide state such as the subreaper flag or signal
/// handlers does not leak into the other tests) and returns its wait status: the child exits
/// with body's return value (98 if it threw).
template <class F>
int in_child(F body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int rc = 99;
    try {
      rc = body();
    } catch (...) {
      rc = 98;
    }
    ::_exit(rc);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

/// Runs argv with stdout/stderr captured to files in `dir`; waits up to `timeout` then SIGKILLs.
inline CommandResult run_command(const std::vector<std::string>& argv,
                                 const std::filesystem::path& dir,
                                 std::chrono::seconds timeout = std::chrono::seconds(120),
                                 const std::vector<std::string>& env = {}) {
  std::filesystem::create_directories(dir);
  const auto out_path = dir / "cmd.stdout";
  const auto err_path = dir / "cmd.stderr";
  const pid_t pid = spawn_command(argv, out_path, err_path, env);
  CommandResult r;
  int status = 0;
  auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > end) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_text(out_path);
  r.err = read_text(err_path);
  return r;
}

}  // namespace benchgate::testing
