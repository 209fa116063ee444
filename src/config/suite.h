#pragma once
// The suite: what to run (apps × scenarios × load points × iterations), resolved from
// benchgate.toml, BENCHGATE_* environment variables and CLI flags (in that order of
// increasing precedence). Plain data; parse_suite_file() validates everything.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "drivers/driver.h"
#include "results/gate_settings.h"

namespace benchgate::config {

struct AppSpec {
  std::string label;
  std::vector<std::string> command;  ///< argv (a string command is split like a shell would)
  bool shell = false;                ///< command given as one string with shell syntax: sh -c
  int instances = 1;
  std::filesystem::path cwd;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<int> cpus;        ///< empty: defaults.app_cpus
  std::string ready_url;        ///< empty: the scenario URL
  std::string pre_run;          ///< shell command run before every start of this app
  std::string role;             ///< "" | "baseline" | "candidate"
};

struct ScenarioSpec {
  std::string name;
  std::string url;  ///< full URL (a path in the file is joined with defaults.base_url)
  std::vector<int> clients;  ///< load points: closed loop per client count
  std::vector<double> rates;  ///< open loop: every rate × every client count
  std::optional<Nanos> duration;  ///< overrides defaults
  std::optional<Nanos> warmup;
  std::optional<int> iterations;
  std::string driver;  ///< empty: defaults.driver
  drivers::DriverOptions driver_options;
  std::string pre_run;  ///< shell command run before each run of this scenario
};

struct Defaults {
  std::string driver = "builtin";
  Nanos duration = std::chrono::seconds(10);
  Nanos warmup = std::chrono::seconds(2);
  int iterations = 5;
  Nanos interval = std::chrono::seconds(1);
  std::vector<int> app_cpus;
  std::vector<int> driver_cpus;
  int driver_threads = 0;
  Nanos sleep = Nanos::zero();  ///< pause between runs
  std::optional<std::uint64_t> seed;  ///< order seed; random (and recorded) when unset
  std::filesystem::path out = "benchgate-out";
  Nanos ready_timeout = std::chrono::seconds(30);
  std::string base_url;  ///< joined with scenario paths
  std::string profiler;  ///< "" | perf | perf-cg | perf-idle | flame | flame-all | massif | ...
  std::string client_host;  ///< run drivers over ssh on this host
};

struct SuiteConfig {
  std::string name;  ///< suite id for reports (file stem by default)
  std::filesystem::path source;  ///< the file it came from (empty: CLI only)
  Defaults defaults;
  std::vector<AppSpec> apps;
  std::vector<ScenarioSpec> scenarios;
  results::GateSettings gate;
};

/// Reads and validates a suite file. Throws ConfigError "file:line: key: what was expected".
/// Unknown keys are errors. Applies the [host."<hostname>"] table for this host.
SuiteConfig parse_suite_file(const std::filesystem::path& path, const std::string& hostname);
SuiteConfig parse_suite_text(const std::string& text, const std::string& origin,
                             const std::string& hostname);

/// Resolved suite as JSON (recorded in results.json "suite").
nlohmann::json suite_to_json(const SuiteConfig& suite);

}  // namespace benchgate::config
