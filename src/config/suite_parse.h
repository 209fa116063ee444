#pragma once
// Internal to config: the TOML walker the suite parser is built from (suite_values.cpp), the
// section readers (suite_sections.cpp, suite_gate.cpp) and the key sets of each table. One
// walker serves both the TOML file (with source lines in every message) and a suite given as
// JSON (converted to a table first).

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/names.h"
#include "config/suite.h"
#include "core/clock.h"

namespace benchgate::config::detail {

// ---- Where things are -----------------------------------------------------------------------

struct Ctx {
  std::string origin;              ///< shown in messages: the file as the user named it
  std::filesystem::path base_dir;  ///< relative paths in the file resolve against this
};

int line_of(const toml::node* n);
std::string quote_key(std::string_view k);
/// path + "." + key, quoting a key that is not bare.
std::string sub(const std::string& path, std::string_view key);
/// Throws ConfigError "origin:line: path: msg".
[[noreturn]] void fail(const Ctx& c, int line, const std::string& path, std::string_view msg);
/// A node's value for messages: "\"text\"", 12, an array, a table.
std::string describe(const toml::node& n);
/// fail() with "expected WHAT, got VALUE".
[[noreturn]] void expected(const Ctx& c, const toml::node& n, const std::string& path,
                           std::string_view what);

// ---- Tables with a fixed key set --------------------------------------------------------------

class Table {
 public:
  Table(const Ctx& c, const toml::table& t, std::string path,
        const std::vector<std::string_view>& allowed)
      : ctx(c), t_(t), path_(std::move(path)) {
    // Report the first unknown key in file order, so fixing errors top to bottom works.
    const toml::key* worst = nullptr;
    for (auto&& [k, v] : t_) {
      (void)v;
      if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) continue;
      if (!worst || k.source().begin.line < worst->source().begin.line) worst = &k;
    }
    if (worst) {
      fail(ctx, static_cast<int>(worst->source().begin.line), sub(path_, worst->str()),
           "unknown key" + suggestion_suffix(worst->str(), allowed));
    }
  }

  const toml::node* get(std::string_view key) const { return t_.get(key); }
  std::string path(std::string_view key) const { return sub(path_, key); }
  const std::string& path() const { return path_; }
  int line() const { return line_of(&t_); }
  const toml::table& raw() const { return t_; }

  /// Calls f(node, path) when the key is present.
  template <class F>
  void with(std::string_view key, F&& f) const {
    if (const auto* n = t_.get(key)) f(*n, path(key));
  }

  const Ctx& ctx;

 private:
  const toml::table& t_;
  std::string path_;
};

const toml::table& as_table(const Ctx& c, const toml::node& n, const std::string& path);

// ---- Values -----------------------------------------------------------------------------------

std::string read_string(const Ctx& c, const toml::node& n, const std::string& path,
                        std::string_view what = "a string");
std::string read_nonempty(const Ctx& c, const toml::node& n, const std::string& path,
                          std::string_view what = "a non-empty string");
bool read_bool(const Ctx& c, const toml::node& n, const std::string& path);
std::int64_t read_int(const Ctx& c, const toml::node& n, const std::string& path, std::int64_t lo,
                      std::int64_t hi, std::string_view what);
double read_number(const Ctx& c, const toml::node& n, const std::string& path,
                   std::string_view what);
Nanos read_duration(const Ctx& c, const toml::node& n, const std::string& path, bool positive);
std::vector<int> read_cpu_list(const Ctx& c, const toml::node& n, const std::string& path);
std::vector<int> read_clients(const Ctx& c, const toml::node& n, const std::string& path);
std::vector<double> read_rates(const Ctx& c, const toml::node& n, const std::string& path);
std::vector<std::string> read_string_list(const Ctx& c, const toml::node& n,
                                          const std::string& path, bool split_string);
std::filesystem::path resolve_path(const Ctx& c, const std::string& p);
std::string read_path(const Ctx& c, const toml::node& n, const std::string& path);
std::string read_scalar_text(const Ctx& c, const toml::node& n, const std::string& path);
bool is_token(std::string_view s);
bool has_ctl(std::string_view s);
std::vector<std::pair<std::string, std::string>> read_headers(const Ctx& c, const toml::node& n,
                                                              const std::string& path);
void merge_headers(std::vector<std::pair<std::string, std::string>>& into,
                   const std::vector<std::pair<std::string, std::string>>& from);
std::string read_url(const Ctx& c, const toml::node& n, const std::string& path,
                     const std::string& base_url);

// ---- Commands ---------------------------------------------------------------------------------

/// Shell syntax that shell_split() cannot honour: pipes, lists, redirections, expansions,
/// globs, sub-shells, or a leading VAR=value assignment.
bool needs_shell(std::string_view cmd);

// ---- Sections ---------------------------------------------------------------------------------

inline const std::vector<std::string_view> kRootKeys = {"name",     "defaults", "app",
                                                        "scenario", "gate",     "host"};

/// Driver option keys valid in [defaults] and in every [[scenario]].
inline const std::vector<std::string_view> kDriverOptionKeys = {"method",
                                                                "headers",
                                                                "body",
                                                                "pipeline",
                                                                "keepalive",
                                                                "timeout",
                                                                "script",
                                                                "script_args",
                                                                "requests_file",
                                                                "tls_verify",
                                                                "max_error_rate",
                                                                "tool_path",
                                                                "ssh_options",
                                                                "plan",
                                                                "user_properties",
                                                                "system_properties",
                                                                "properties",
                                                                "extra",
                                                                "measure",
                                                                "counted_requests",
                                                                "warmup_requests",
                                                                "pairing",
                                                                "starts",
                                                                "burst_warmup"};

inline std::vector<std::string_view> with_driver_options(std::vector<std::string_view> keys) {
  keys.insert(keys.end(), kDriverOptionKeys.begin(), kDriverOptionKeys.end());
  return keys;
}

inline const std::vector<std::string_view> kDefaultsKeys =
    with_driver_options({"driver", "duration", "warmup", "iterations", "interval", "app_cpus",
                         "driver_cpus", "driver_threads", "sleep", "seed", "out", "ready_timeout",
                         "base_url", "profiler", "client_host", "clients", "rates", "numa_node"});
inline const std::vector<std::string_view> kAppKeys = {"label",   "command", "shell", "instances",
                                                       "cwd",     "env",     "cpus",  "ready_url",
                                                       "pre_run", "port",    "role"};
inline const std::vector<std::string_view> kScenarioKeys = with_driver_options(
    {"name", "url", "clients", "rates", "duration", "warmup", "iterations", "driver", "driver_cpus",
     "driver_threads", "client_host", "pre_run", "post_run"});
inline const std::vector<std::string_view> kHostKeys = {"app_cpus", "driver_cpus", "driver_threads",
                                                        "numa_node"};
inline const std::vector<std::string_view> kGateKeys = {
    "alpha", "min_runs", "warn_only", "testbed_mismatch", "confirm", "scenario"};
inline const std::vector<std::string_view> kThresholdKeys = {"min_effect", "alpha", "better",
                                                             "enabled"};
/// Keys of DriverOptions::extra that are paths (resolved against the suite folder).
inline const std::vector<std::string_view> kPathExtras = {"plan", "user_properties",
                                                          "system_properties"};

inline constexpr std::int64_t kMaxIterations = 100'000;

struct ParsedDefaults {
  Defaults d;
  results::DriverOptions options;
  std::vector<int> clients;
  std::vector<double> rates;
};

void read_driver_options(const Table& t, results::DriverOptions& o);
ParsedDefaults read_defaults(const Ctx& c, const toml::table* tbl);
/// [host."NAME"]: per-machine CPU layout, applied over [defaults].
void apply_hosts(const Ctx& c, const toml::node* node, const std::string& hostname,
                 SuiteConfig& suite);
AppSpec read_app(const Table& t, const Defaults& d);
ScenarioSpec read_scenario(const Table& t, const ParsedDefaults& pd);

// ---- [gate] -----------------------------------------------------------------------------------

results::GateSettings read_gate(const Ctx& c, const toml::node* node,
                                const std::vector<ScenarioSpec>& scenarios);

}  // namespace benchgate::config::detail
