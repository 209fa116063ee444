#pragma once
// The suite: what to run (apps × scenarios × load points × iterations), resolved from
// benchgate.toml, BENCHGATE_* environment variables and CLI flags (in that order of
// increasing precedence). Plain data; parse_suite_file() validates everything.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "results/driver_options.h"
#include "results/gate_settings.h"

namespace benchgate::config {

struct AppSpec {
  std::string label;
  std::vector<std::string> command;  ///< argv (a string command is split like a shell would)
  /// The command was one string with shell syntax (| ; & $ > < ` ( ) * ? or newline) or
  /// `shell = true`: command then holds exactly one element, run as `/bin/sh -c command[0]`
  /// (launch_argv()).
  bool shell = false;
  int instances = 1;
  std::filesystem::path cwd;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<int> cpus;  ///< empty: defaults.app_cpus
  std::string ready_url;  ///< empty: the scenario URL
  std::string pre_run;    ///< shell command run before every start of this app
  std::string role;       ///< "" | "baseline" | "candidate"
  /// 0: the scenario URL's port. Otherwise this app listens here: every URL of its runs
  /// (scenario, readiness) gets this port, and "{port}" in its command becomes it. Needed by
  /// pairing = "bursts", where both apps are up at once.
  int port = 0;
};

struct ScenarioSpec {
  std::string name;
  std::string url;            ///< full URL (a path in the file is joined with defaults.base_url)
  std::vector<int> clients;   ///< load points: closed loop per client count
  std::vector<double> rates;  ///< open loop: every rate × every client count
  std::optional<Nanos> duration;  ///< overrides defaults
  std::optional<Nanos> warmup;
  std::optional<int> iterations;
  std::string driver;  ///< empty: defaults.driver
  results::DriverOptions driver_options;
  std::string pre_run;   ///< shell command run before each run of this scenario
  std::string post_run;  ///< shell command run after each run of this scenario (app stopped)
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
  Nanos sleep = Nanos::zero();        ///< pause between runs
  std::optional<std::uint64_t> seed;  ///< order seed; random (and recorded) when unset
  std::filesystem::path out = "benchgate-out";
  Nanos ready_timeout = std::chrono::seconds(30);
  std::string base_url;     ///< joined with scenario paths
  std::string profiler;     ///< "" | perf | perf-cg | perf-idle | flame | flame-all | massif | ...
  std::string client_host;  ///< run drivers over ssh on this host
  /// Bind the apps to this NUMA node (CPUs and memory), where the machine has NUMA.
  std::optional<int> numa_node;
};

// Driver options: config fills ScenarioSpec::driver_options from [defaults] and the scenario's
// own keys. JMeter keys land in driver_options.extra: "plan", "user_properties" (-q),
// "system_properties" (-S), all absolute or suite-relative-resolved paths, and one
// "property:<name>" entry per `properties` table entry (-J<name>=<value>). driver_options.cpus /
// threads / client_host stay empty (0) unless the scenario sets them; matrix::expand() fills them
// from defaults.driver_cpus / driver_threads / client_host, so later overrides of those defaults
// still apply.

/// Prefix of DriverOptions::extra keys holding JMeter -J properties ("property:threads").
inline constexpr std::string_view kPropertyPrefix = "property:";

/// `measure`, defined once (the TOML reader, the option table and the runner use these):
/// "wall" (time the load), "instructions" (count under callgrind), "counters" (count with the
/// hardware counters through perf stat, where the machine has them).
inline constexpr std::string_view kMeasureWall = "wall";
inline constexpr std::string_view kMeasureInstructions = "instructions";
inline constexpr std::string_view kMeasureCounters = "counters";
inline constexpr std::string_view kMeasureModes[] = {kMeasureWall, kMeasureInstructions,
                                                     kMeasureCounters};
/// "wall, instructions or counters" (for error messages).
inline constexpr std::string_view kMeasureModesText = "wall, instructions or counters";
inline bool is_measure_mode(std::string_view m) {
  for (auto k : kMeasureModes) {
    if (m == k) return true;
  }
  return false;
}
/// Whether a mode counts per request with the counted-request windows (instructions,
/// counters): exact request counts, the spread rule, no rank test.
inline bool is_counting_mode(std::string_view m) {
  return m == kMeasureInstructions || m == kMeasureCounters;
}
/// `pairing`: "restart" (every run starts its app) or "bursts" (runner/bursts.h).
inline constexpr std::string_view kPairingRestart = "restart";
inline constexpr std::string_view kPairingBursts = "bursts";
inline constexpr std::string_view kPairingText = "\"restart\" or \"bursts\"";
/// Upper bound of `starts` (pairing = "bursts").
inline constexpr int kMaxStarts = 1000;
/// Upper bound of `counted_requests` and `warmup_requests` (instruction mode).
inline constexpr int kMaxMeasureRequests = 10'000'000;

struct SuiteConfig {
  std::string name;              ///< suite id for reports (file stem by default)
  std::filesystem::path source;  ///< the file it came from (empty: CLI only)
  Defaults defaults;
  std::vector<AppSpec> apps;
  std::vector<ScenarioSpec> scenarios;
  results::GateSettings gate;
  std::string filter;    ///< scenario glob(s), comma-separated ("plain*,json"); empty = all
  std::string hostname;  ///< the host name the suite was resolved for
  std::vector<std::string> applied_hosts;  ///< [host."NAME"] tables applied, in order
  /// How this invocation runs, not what the suite measures: set by flags and variables through
  /// the option table, never read from or written to a suite file.
  struct Invocation {
    std::string baseline;  ///< --baseline FILE: gate against a stored baseline
    bool no_color = false;
    bool tune_host = false;
    bool profile_regressions = false;
    std::string shard;         ///< --shard I/N | auto (runner/shard.h); "" : the whole suite
    std::string shard_origin;  ///< the flag or variable it came from, for messages
  } invocation;
};

/// Reads and validates a suite file. Throws ConfigError "file:line: key: what was expected".
/// Unknown keys are errors. Applies the [host."<hostname>"] table for this host.
SuiteConfig parse_suite_file(const std::filesystem::path& path, const std::string& hostname);
SuiteConfig parse_suite_text(const std::string& text, const std::string& origin,
                             const std::string& hostname);

/// Resolved suite as JSON (recorded in results.json "suite"): the structure of the TOML file
/// (schemas/suite.schema.json) with every value resolved, plus "source", "hostname" and
/// "applied_hosts" recording where it came from.
nlohmann::json suite_to_json(const SuiteConfig& suite);
/// The inverse of suite_to_json() (also accepts a suite written as JSON). Same checks and
/// messages as parse_suite_text(), without line numbers.
SuiteConfig suite_from_json(const nlohmann::json& j, const std::string& origin);

/// Cross-field checks (apps, scenarios, labels, roles, driver/rates combinations). Run by the
/// parser; call again after env/CLI overrides. Throws ConfigError.
void validate_suite(const SuiteConfig& suite);

/// The argv to exec for an app: its command, or {"/bin/sh", "-c", command[0]} when shell.
std::vector<std::string> launch_argv(const AppSpec& app);

/// `url` as this app serves it: with the app's `port` when it has one, else unchanged.
/// Throws ParseError for a URL that does not parse.
std::string url_for_app(const AppSpec& app, const std::string& url);

// ---- Options: file < BENCHGATE_* environment < CLI flags --------------------------------------
//
// One table holds every option of `run`, `drive` and `compare`: its flag, its environment
// variable, its suite-file key and the commands that take it (a missing flag, variable or key
// has a written reason). The commands register their flags from it and apply flags and
// variables through apply_override(), so an option reaches every command it applies to.

/// Commands that take an option (bits).
enum CommandBit : unsigned { kRunCommand = 1, kDriveCommand = 2, kCompareCommand = 4 };
inline constexpr unsigned kAllCommands = kRunCommand | kDriveCommand | kCompareCommand;

enum class OptionKind {
  kValue,   ///< --flag VALUE (the last one given counts)
  kList,    ///< --flag VALUE, repeatable; one item per line in the environment variable
  kSwitch,  ///< --flag without a value: sets switch_value
};

struct OptionSpec {
  std::string_view name;       ///< setting name: apply_override(), --set NAME=VALUE
  std::string_view flags;      ///< CLI names, first the main one ("--app-cpus,--cpus"); "" none
  std::string_view env;        ///< "BENCHGATE_APP_CPUS"; "" none
  std::string_view suite_key;  ///< where a suite file sets it ("defaults.app_cpus"); "" none
  std::string_view why_not;    ///< why the flag, variable or suite key is missing
  unsigned commands;           ///< CommandBit set
  OptionKind kind;
  std::string_view switch_value;  ///< kSwitch: the value the flag gives ("true", "false")
  /// Read by the command itself to build what it runs (--app, --url, compare's apps, -c):
  /// apply_override() does not take it.
  bool structural;
  std::string_view help;
};

/// Every option, in documentation order.
const std::vector<OptionSpec>& option_table();
/// The option named `name`, or nullptr.
const OptionSpec* find_option(std::string_view name);
/// "--app-cpus/--cpus": an option's flags as messages name them.
std::string flag_origin(const OptionSpec& o);

/// Applies one option by setting name. `origin` names where it came from (the variable or the
/// flag) and prefixes every error: "BENCHGATE_ITERATIONS: expected a positive integer, got 'x'"
/// (UsageError). An override replaces the value everywhere: iterations, duration, warmup and
/// driver also replace per-scenario values, app_cpus per-app cpus, driver options every
/// scenario's. A kList value holds one item per line.
void apply_override(SuiteConfig& suite, std::string_view name, std::string_view value,
                    std::string_view origin);

/// One value given for an option, and where it came from ("--iterations",
/// "BENCHGATE_ITERATIONS", "--set iterations").
struct GivenOption {
  std::string name;
  std::string value;
  std::string origin;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
/// The values the environment gives for `command`'s options (set and non-empty; empty =
/// unset), in table order.
std::vector<GivenOption> env_options(unsigned command, const EnvLookup& getenv);
/// The last value given for `name`, if any.
std::optional<std::string> given_value(const std::vector<GivenOption>& given,
                                       std::string_view name);
/// Applies the non-structural options in order (later ones win), then re-checks the whole
/// suite; a ConfigError from that check becomes a UsageError "after LAYER: ...".
void apply_options(SuiteConfig& suite, const std::vector<GivenOption>& given,
                   std::string_view layer);
/// Applies every BENCHGATE_* variable of `run` that is set and non-empty.
void apply_env_overrides(SuiteConfig& suite, const EnvLookup& getenv);
/// An EnvLookup over the process environment (std::getenv).
EnvLookup process_env();

}  // namespace benchgate::config
