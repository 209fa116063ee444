#pragma once
// The example server (examples/hello-server) on a free loopback port, for tests that need a
// real HTTP server: started in its own process group, its output in a temporary folder,
// stopped (SIGTERM, then SIGKILL) when the object goes away. Needs benchgate_platform.

#include <stdexcept>
#include <string>
#include <vector>

#include "platform/fs.h"
#include "platform/subprocess.h"
#include "test_support.h"

namespace benchgate::testing {

struct HelloServer {
  platform::TempDir dir{"hello-server"};
  int port = free_port();
  platform::Subprocess proc;

  /// hello-server --port P [--threads N] EXTRA...; throws when it does not listen within 10 s.
  explicit HelloServer(const std::vector<std::string>& extra = {}, int threads = 1) {
    platform::SpawnOptions o;
    o.argv = {hello_server_binary().string(), "--port", std::to_string(port)};
    if (threads > 0) {
      o.argv.push_back("--threads");
      o.argv.push_back(std::to_string(threads));
    }
    o.argv.insert(o.argv.end(), extra.begin(), extra.end());
    o.stdout_path = dir.path() / "server.log";
    proc = platform::Subprocess::spawn(o);
    if (!wait_port(port)) {
      throw std::runtime_error("hello-server did not start: " + read_text(o.stdout_path));
    }
  }
  std::string url(const std::string& path = "/plaintext") const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
};

}  // namespace benchgate::testing
