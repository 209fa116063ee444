#pragma once
// `benchgate drive`: one app, one run over a list of load points (the old drive.sh).

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace benchgate::cli {

struct DriveOptions {
  std::string name;
  std::string app;
  std::string url;
  std::string cpus;
  int instances = 1;
  std::string cwd;
  std::vector<std::string> env;  ///< KEY=VALUE
  std::string clients = "16";
  std::string rates;
  std::string duration = "10s";
  std::string warmup = "2s";
  std::string interval = "1s";
  std::string driver = "builtin";
  std::string wrk_script;
  std::vector<std::string> wrk_script_args;
  std::string driver_cpus;
  int driver_threads = 0;
  int pipeline = 0;  ///< 0: driver default
  bool no_keepalive = false;
  std::string timeout = "2s";
  std::vector<std::string> headers;  ///< "Name: value"
  std::string method = "GET";
  std::string body;
  bool tls_verify = false;
  std::string ready_timeout = "30s";
  std::string out;
  std::string profiler;
  std::string client_host;
  std::string ssh_options;  ///< split like a shell
  std::string tool_path;
  std::string jmeter_plan;
  bool shell = false;
  bool tune_host = false;
};

/// Registers the subcommand and its options; `opts` must outlive `app`.
CLI::App* add_drive_command(CLI::App& app, DriveOptions& opts);
/// Runs it; returns the exit code.
int run_drive(const DriveOptions& opts);

}  // namespace benchgate::cli
