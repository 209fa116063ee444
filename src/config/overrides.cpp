// The option table (flag <-> BENCHGATE_* variable <-> suite key, and the commands that take each)
// and one parser per setting, shared by every layer and command so they accept the same values.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "config/names.h"
#include "config/suite.h"
#include "core/error.h"
#include "core/parse.h"

namespace benchgate::config {

namespace {

[[noreturn]] void bad(std::string_view origin, std::string_view value, std::string_view what) {
  throw UsageError(fmt::format("{}: expected {}, got '{}'", origin, what, printable(value)));
}

int positive_int(std::string_view origin, std::string_view v, std::int64_t lo, std::int64_t hi,
                 std::string_view what) {
  try {
    const auto n = parse_int(v);
    if (n >= lo && n <= hi) return static_cast<int>(n);
  } catch (const ParseError&) {
  }
  bad(origin, v, what);
}

Nanos duration(std::string_view origin, std::string_view v, bool positive) {
  try {
    const auto d = parse_duration(v);
    if (!positive || d > Nanos::zero()) return d;
  } catch (const ParseError&) {
  }
  bad(origin, v,
      positive ? "a positive duration such as 10s or 500ms" : "a duration such as 2s or 0");
}

std::vector<int> cpus(std::string_view origin, std::string_view v) {
  if (trim(v) == "none") return {};
  try {
    return parse_cpu_list(v);
  } catch (const ParseError&) {
    bad(origin, v, "a CPU list such as 0,2-3 (or none)");
  }
}

bool boolean(std::string_view origin, std::string_view v) {
  const auto t = to_lower(trim(v));
  if (t == "1" || t == "true" || t == "yes" || t == "on") return true;
  if (t == "0" || t == "false" || t == "no" || t == "off") return false;
  bad(origin, v, "true or false (1/0, yes/no)");
}

}  // namespace

namespace {

constexpr unsigned kR = kRunCommand, kD = kDriveCommand, kC = kCompareCommand;
constexpr unsigned kRC = kR | kC, kDC = kD | kC, kAll = kAllCommands;
constexpr auto V = OptionKind::kValue, L = OptionKind::kList, S = OptionKind::kSwitch;

// Reasons shared by several rows.
constexpr std::string_view kPerInvocation =
    "suite key: none; how this invocation runs, not what the suite measures";
constexpr std::string_view kStructural =
    "variable: none; names what this command runs (a suite file says it in its own tables)";

}  // namespace

// Over 100 lines on purpose: this is data, one entry per option (flag, variable, suite key,
// help text), kept in one list so that a new option reaches every command at once.
const std::vector<OptionSpec>& option_table() {
  // name, flags, env, suite key, why something is missing, commands, kind, switch value,
  // structural, help
  static const std::vector<OptionSpec> table = {
      // What runs.
      {"config", "-c,--config", "BENCHGATE_CONFIG", "", "suite key: none; it names the suite file",
       kR, V, "", true, "Suite file (default benchgate.toml)"},
      {"app", "--app", "", "app.command", kStructural, kD, V, "", true,
       "App command line (split like a shell would, no expansion)"},
      {"apps", "apps", "", "app.command", kStructural, kC, L, "", true,
       "APP[,label=NAME][,instances=N][,pwd=DIR][,cpus=LIST][,port=N][,role=baseline|candidate]"},
      {"shell", "--shell", "", "app.shell", kStructural, kD, S, "true", true,
       "Run --app through /bin/sh -c (pipes, variables, ...)"},
      {"url", "--url", "", "scenario.url", kStructural, kDC, V, "", true,
       "URL to drive (http:// or https://)"},
      {"name", "--name", "BENCHGATE_NAME", "name", "", kAll, V, "", false,
       "Run name: drive writes runs/NAME/, compare compares/DATE-NAME/, run names the suite"},
      {"filter", "--filter", "BENCHGATE_FILTER", "",
       "suite key: none; selects scenarios of a file (drive and compare have one scenario)", kR, V,
       "", false, "Only scenarios matching these globs: 'plain*,json'"},
      // The app.
      {"instances", "--instances", "BENCHGATE_INSTANCES", "app.instances", "", kDC, V, "", false,
       "Instances of every app"},
      {"cwd", "--cwd", "BENCHGATE_CWD", "app.cwd", "", kDC, V, "", false,
       "Working folder of every app"},
      {"env", "--env", "BENCHGATE_ENV", "app.env", "", kDC, L, "", false,
       "Extra environment for every app, KEY=VALUE (repeatable; one per line in the variable)"},
      {"pre_run", "--pre-run", "BENCHGATE_PRE_RUN", "app.pre_run", "", kDC, V, "", false,
       "Shell command run before every start of an app (cleanup, DB reset)"},
      {"app_cpus", "--app-cpus,--cpus", "BENCHGATE_APP_CPUS", "defaults.app_cpus", "", kAll, V, "",
       false, "CPU list for the apps (0,2-3) or none; replaces per-app cpus"},
      {"numa_node", "--numa-node", "BENCHGATE_NUMA_NODE", "host.NAME.numa_node", "", kAll, V, "",
       false,
       "Bind the apps to this NUMA node (numactl --cpunodebind --membind), or none; "
       "unavailable on a single-node machine"},
      {"ready_timeout", "--ready-timeout", "BENCHGATE_READY_TIMEOUT", "defaults.ready_timeout", "",
       kAll, V, "", false, "How long to wait for the app to answer"},
      // The load.
      {"clients", "--clients", "BENCHGATE_CLIENTS", "scenario.clients", "", kAll, V, "", false,
       "Connections per load period, a list: 16,64"},
      {"rates", "--rates", "BENCHGATE_RATES", "scenario.rates", "", kAll, V, "", false,
       "Constant request rates (req/s), a list (open loop), or none"},
      {"duration", "--duration", "BENCHGATE_DURATION", "defaults.duration", "", kAll, V, "", false,
       "Measured length of each load period; replaces per-scenario values"},
      {"warmup", "--warmup", "BENCHGATE_WARMUP", "defaults.warmup", "", kAll, V, "", false,
       "Driven but not measured, before each load period"},
      {"iterations", "--iterations", "BENCHGATE_ITERATIONS", "defaults.iterations", "", kRC, V, "",
       false, "Runs per app x scenario; replaces per-scenario values"},
      {"interval", "--interval", "BENCHGATE_INTERVAL", "defaults.interval", "", kAll, V, "", false,
       "Monitor sampling and trace interval (10ms or more)"},
      {"sleep", "--sleep", "BENCHGATE_SLEEP", "defaults.sleep", "", kRC, V, "", false,
       "Pause between runs"},
      {"seed", "--seed", "BENCHGATE_SEED", "defaults.seed", "", kRC, V, "", false,
       "Seed of the run order (0 to 2^64-1, or random; recorded in results.json)"},
      {"driver", "--driver", "BENCHGATE_DRIVER", "defaults.driver", "", kAll, V, "", false,
       "builtin | wrk | wrk-pipeline | wrk-nokeepalive | wrk2 | jmeter | sleep"},
      {"measure", "--measure", "BENCHGATE_MEASURE", "defaults.measure", "", kRC, V, "", false,
       "wall (time the load), instructions (count per request under callgrind) or counters "
       "(hardware counters through perf stat)"},
      {"counted_requests", "--counted-requests", "BENCHGATE_COUNTED_REQUESTS",
       "defaults.counted_requests", "", kRC, V, "", false,
       "instructions/counters: requests counted per sample (replaces per-scenario values)"},
      {"warmup_requests", "--warmup-requests", "BENCHGATE_WARMUP_REQUESTS",
       "defaults.warmup_requests", "", kRC, V, "", false,
       "instructions/counters: requests before the counted ones (replaces per-scenario values)"},
      {"pairing", "--pairing", "BENCHGATE_PAIRING", "defaults.pairing", "", kRC, V, "", false,
       "How A/B pairs are made: restart (each run starts its app) or bursts (both apps up, "
       "alternating load bursts)"},
      {"starts", "--starts", "BENCHGATE_STARTS", "defaults.starts", "", kRC, V, "", false,
       "bursts: times each app is started; the pairs are split evenly over them"},
      {"burst_warmup", "--burst-warmup", "BENCHGATE_BURST_WARMUP", "defaults.burst_warmup", "", kRC,
       V, "", false, "bursts: warm-up before each burst but an app's first"},
      {"driver_cpus", "--driver-cpus", "BENCHGATE_DRIVER_CPUS", "defaults.driver_cpus", "", kAll, V,
       "", false, "CPU list to pin the driver to, or none"},
      {"driver_threads", "--driver-threads", "BENCHGATE_DRIVER_THREADS", "defaults.driver_threads",
       "", kAll, V, "", false, "Driver threads (0: automatic)"},
      {"method", "--method", "BENCHGATE_METHOD", "defaults.method", "", kAll, V, "", false,
       "HTTP method"},
      {"header", "--header,-H", "BENCHGATE_HEADERS", "defaults.headers", "", kAll, L, "", false,
       "Extra request header 'Name: value' (repeatable; one per line in the variable)"},
      {"body", "--body", "BENCHGATE_BODY", "defaults.body", "", kAll, V, "", false, "Request body"},
      {"pipeline", "--pipeline", "BENCHGATE_PIPELINE", "defaults.pipeline", "", kAll, V, "", false,
       "HTTP pipelining depth (1 to 1024)"},
      {"keepalive", "--no-keepalive", "BENCHGATE_KEEPALIVE", "defaults.keepalive", "", kAll, S,
       "false", false, "A new connection per request (Connection: close)"},
      {"timeout", "--timeout", "BENCHGATE_TIMEOUT", "defaults.timeout", "", kAll, V, "", false,
       "Per-request timeout"},
      {"tls_verify", "--tls-verify", "BENCHGATE_TLS_VERIFY", "defaults.tls_verify", "", kAll, S,
       "true", false, "Verify the server's TLS certificate (https)"},
      {"max_error_rate", "--max-error-rate", "BENCHGATE_MAX_ERROR_RATE", "defaults.max_error_rate",
       "", kAll, V, "", false, "Failed-request share above which a load point is invalid (1%)"},
      {"requests_file", "--requests-file", "BENCHGATE_REQUESTS_FILE", "defaults.requests_file", "",
       kAll, V, "", false, "builtin driver: a list of requests to send"},
      {"wrk_script", "--wrk-script", "BENCHGATE_WRK_SCRIPT", "defaults.script", "", kAll, V, "",
       false, "Lua script for wrk (-s)"},
      {"wrk_script_arg", "--wrk-script-arg", "BENCHGATE_WRK_SCRIPT_ARGS", "defaults.script_args",
       "", kAll, L, "", false,
       "Argument after -- for the wrk script (repeatable; one per line in the variable)"},
      {"jmeter_plan", "--jmeter-plan", "BENCHGATE_JMETER_PLAN", "defaults.plan", "", kAll, V, "",
       false, "JMeter test plan (.jmx) for --driver jmeter"},
      {"tool_path", "--tool-path", "BENCHGATE_TOOL_PATH", "defaults.tool_path", "", kAll, V, "",
       false, "Path of the external driver tool (wrk, wrk2, jmeter)"},
      {"client_host", "--client-host", "BENCHGATE_CLIENT_HOST", "defaults.client_host", "", kAll, V,
       "", false, "Run the load driver on this host over ssh"},
      {"ssh_options", "--ssh-options", "BENCHGATE_SSH_OPTIONS", "defaults.ssh_options", "", kAll, V,
       "", false, "Extra ssh options for --client-host, split like a shell: '-p 2222 -i KEY'"},
      // Measurement and output.
      {"profiler", "--profiler,--profile", "BENCHGATE_PROFILER", "defaults.profiler", "", kAll, V,
       "", false,
       "Profile the app: perf, perf-cg, perf-idle, flame, flame-all, massif, oprofile, "
       "oprofile-sys, none. A profiler that cannot run is reported; the run still counts"},
      {"demangler", "", "BENCHGATE_DEMANGLER", "",
       "flag and suite key: none; a property of the machine's toolchain, read by the profilers",
       kAll, V, "", true, "External demangler command line for profiles"},
      {"out", "--out", "BENCHGATE_OUT", "defaults.out", "", kAll, V, "", false,
       "Output folder (drive: runs/NAME, compare: compares/DATE[-NAME], made unique)"},
      {"tune_host", "--tune-host", "BENCHGATE_TUNE_HOST", "", kPerInvocation, kAll, S, "true",
       false,
       "Enable net.ipv4.tcp_tw_reuse, set the CPU governor to performance, turn turbo off "
       "(restored afterwards; what is not available here is reported and skipped)"},
      // The gate.
      {"baseline", "--baseline", "BENCHGATE_BASELINE", "", kPerInvocation, kRC, V, "", false,
       "Gate against this stored baseline (unpaired)"},
      {"alpha", "--alpha", "BENCHGATE_ALPHA", "gate.alpha", "", kRC, V, "", false,
       "Family-wise significance level (default 0.05)"},
      {"min_runs", "--min-runs", "BENCHGATE_MIN_RUNS", "gate.min_runs", "", kRC, V, "", false,
       "Pairs (or runs per side) wanted"},
      {"warn_only", "--warn-only", "BENCHGATE_WARN_ONLY", "gate.warn_only", "", kRC, S, "true",
       false, "Report regressions but exit 0"},
      {"testbed_mismatch", "--testbed-mismatch", "BENCHGATE_TESTBED_MISMATCH",
       "gate.testbed_mismatch", "", kRC, V, "", false,
       "error (default: verdicts not_comparable) | warn (gate anyway)"},
      {"confirm", "--confirm", "BENCHGATE_CONFIRM", "gate.confirm", "", kRC, V, "", false,
       "Extra A/B pairs to run once when a verdict is warn or inconclusive (0: off)"},
      {"profile_regressions", "--profile-regressions", "BENCHGATE_PROFILE_REGRESSIONS", "",
       kPerInvocation, kRC, S, "true", false,
       "A/B gate: re-run each regressed cell under perf and write a differential flame graph "
       "(artifacts/profile-regressions/)"},
      {"shard", "--shard", "BENCHGATE_SHARD", "", kPerInvocation, kR, V, "", false,
       "Run shard I of N (I/N; every app, iteration and load point of a scenario stay on one "
       "shard) or auto (CI_NODE_INDEX/CI_NODE_TOTAL, else "
       "BENCHGATE_SHARD_INDEX/BENCHGATE_SHARD_TOTAL); not gated: `benchgate merge` gates the "
       "shards' union"},
      {"no_color", "--no-color", "NO_COLOR", "", kPerInvocation, kRC, S, "true", false,
       "No ANSI colours even on a terminal (NO_COLOR is the common convention)"},
  };
  return table;
}

const OptionSpec* find_option(std::string_view name) {
  for (const auto& o : option_table()) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

std::string flag_origin(const OptionSpec& o) {
  return o.flags.empty() ? std::string(o.env) : replace_all(std::string(o.flags), ",", "/");
}

static void apply_driver_option(SuiteConfig& s, std::string_view name, std::string_view value,
                                std::string_view origin);

// Over 100 lines on purpose: one branch per option of the table above, each parsing its value
// with the checker that the suite file uses for the same key; the branches are the table's
// second half and read best side by side.
void apply_override(SuiteConfig& s, std::string_view name, std::string_view value,
                    std::string_view origin) {
  auto& d = s.defaults;
  const std::string v(trim(value));
  if (name == "iterations") {
    d.iterations = positive_int(origin, v, 1, 100'000, "a positive integer");
    for (auto& sc : s.scenarios)
      sc.iterations.reset();
  } else if (name == "duration") {
    d.duration = duration(origin, v, true);
    for (auto& sc : s.scenarios)
      sc.duration.reset();
  } else if (name == "warmup") {
    d.warmup = duration(origin, v, false);
    for (auto& sc : s.scenarios)
      sc.warmup.reset();
  } else if (name == "interval") {
    d.interval = duration(origin, v, true);
  } else if (name == "driver") {
    const auto& names = known_drivers();
    if (std::find(names.begin(), names.end(), v) == names.end()) {
      throw UsageError(fmt::format("{}: unknown driver '{}'{}", origin, printable(v),
                                   suggestion_suffix(v, names)));
    }
    d.driver = v;
    for (auto& sc : s.scenarios)
      sc.driver.clear();
  } else if (name == "measure") {
    if (!is_measure_mode(v)) bad(origin, v, kMeasureModesText);
    for (auto& sc : s.scenarios)
      sc.driver_options.measure = v;
  } else if (name == "pairing") {
    if (v != kPairingRestart && v != kPairingBursts) bad(origin, v, kPairingText);
    for (auto& sc : s.scenarios)
      sc.driver_options.pairing = v;
  } else if (name == "starts") {
    const int n = positive_int(origin, v, 1, kMaxStarts, "an integer from 1 to 1000");
    for (auto& sc : s.scenarios)
      sc.driver_options.starts = n;
  } else if (name == "burst_warmup") {
    const auto w = duration(origin, v, false);
    for (auto& sc : s.scenarios)
      sc.driver_options.burst_warmup = w;
  } else if (name == "counted_requests" || name == "warmup_requests") {
    const bool counted = name == "counted_requests";
    const int n =
        positive_int(origin, v, counted ? 1 : 0, kMaxMeasureRequests,
                     counted ? "an integer from 1 to 10000000" : "an integer from 0 to 10000000");
    for (auto& sc : s.scenarios)
      (counted ? sc.driver_options.counted_requests : sc.driver_options.warmup_requests) = n;
  } else if (name == "clients") {
    std::vector<int> clients;
    try {
      clients = parse_positive_int_list(v);
    } catch (const ParseError&) {
      bad(origin, v, "a comma-separated list of positive integers such as 16,64");
    }
    for (auto& sc : s.scenarios)
      sc.clients = clients;
  } else if (name == "rates") {
    std::vector<double> rates;
    if (v != "none") {
      try {
        rates = parse_positive_double_list(v);
      } catch (const ParseError&) {
        bad(origin, v, "a comma-separated list of positive request rates such as 1000,5000");
      }
    }
    for (auto& sc : s.scenarios)
      sc.rates = rates;
  } else if (name == "app_cpus") {
    d.app_cpus = cpus(origin, v);
    for (auto& a : s.apps)
      a.cpus.clear();
  } else if (name == "driver_cpus") {
    d.driver_cpus = cpus(origin, v);
    for (auto& sc : s.scenarios)
      sc.driver_options.cpus.clear();
  } else if (name == "driver_threads") {
    d.driver_threads = positive_int(origin, v, 0, 1024, "an integer from 0 (automatic) to 1024");
    for (auto& sc : s.scenarios)
      sc.driver_options.threads = 0;
  } else if (name == "sleep") {
    d.sleep = duration(origin, v, false);
  } else if (name == "ready_timeout") {
    d.ready_timeout = duration(origin, v, true);
  } else if (name == "seed") {
    if (v == "random") {
      d.seed.reset();
    } else {
      std::uint64_t seed = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seed);
      if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
        bad(origin, v, "an integer from 0 to 18446744073709551615, or random");
      }
      d.seed = seed;
    }
  } else if (name == "out") {
    if (v.empty()) bad(origin, v, "a folder");
    d.out = v;
  } else if (name == "profiler") {
    const auto& names = known_profilers();
    if (v == "none" || v.empty()) {
      d.profiler.clear();
    } else if (std::find(names.begin(), names.end(), v) == names.end()) {
      throw UsageError(fmt::format("{}: unknown profiler '{}'{}", origin, printable(v),
                                   suggestion_suffix(v, names)));
    } else {
      d.profiler = v;
    }
  } else if (name == "numa_node") {
    if (v == "none") {
      d.numa_node.reset();
    } else {
      d.numa_node = positive_int(origin, v, 0, 1023, "a NUMA node number from 0 to 1023, or none");
    }
  } else if (name == "client_host") {
    if (!v.empty() && !is_valid_client_host(v)) bad(origin, v, kClientHostRule);
    d.client_host = v;
    for (auto& sc : s.scenarios)
      sc.driver_options.client_host.clear();
  } else if (name == "filter") {
    s.filter = v;
  } else if (name == "alpha") {
    double a = 0;
    try {
      a = parse_double(v);
    } catch (const ParseError&) {
      a = 0;
    }
    if (!(a > 0 && a <= 0.5)) bad(origin, v, "a significance level above 0 and at most 0.5");
    s.gate.alpha = a;
  } else if (name == "min_runs") {
    s.gate.min_runs = positive_int(origin, v, 1, 100'000, "a positive integer");
  } else if (name == "warn_only") {
    s.gate.warn_only = boolean(origin, v);
  } else if (name == "testbed_mismatch") {
    if (v != "error" && v != "warn") bad(origin, v, "error or warn");
    s.gate.testbed_mismatch = v;
  } else if (name == "confirm") {
    s.gate.confirm =
        positive_int(origin, v, 0, 1000, "a number of extra pairs from 0 (off) to 1000");
  } else if (name == "baseline") {
    s.invocation.baseline = v;
  } else if (name == "shard") {
    if (v.empty()) bad(origin, v, "I/N (shard I of N, such as 2/3) or auto");
    s.invocation.shard = v;  // resolved by runner::parse_shard (auto reads the CI's variables)
    s.invocation.shard_origin = std::string(origin);
  } else if (name == "no_color") {
    // NO_COLOR: any non-empty value means no colour (no-color.org); the flag gives "true".
    s.invocation.no_color = !v.empty() && v != "0" && to_lower(v) != "false";
  } else if (name == "tune_host") {
    s.invocation.tune_host = boolean(origin, v);
  } else if (name == "profile_regressions") {
    s.invocation.profile_regressions = boolean(origin, v);
  } else if (name == "name") {
    if (!is_valid_name(v)) bad(origin, v, kNameRule);
    s.name = v;
  } else if (name == "instances") {
    const int n = positive_int(origin, v, 1, 1024, "an integer from 1 to 1024");
    for (auto& a : s.apps)
      a.instances = n;
  } else if (name == "cwd") {
    for (auto& a : s.apps)
      a.cwd = v;
  } else if (name == "env") {
    for (const auto& kv : split(value, '\n', true)) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) bad(origin, kv, "KEY=VALUE");
      for (auto& a : s.apps)
        a.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
  } else if (name == "pre_run") {
    for (auto& a : s.apps)
      a.pre_run = v;
  } else {
    apply_driver_option(s, name, value, origin);
  }
}

static void apply_driver_option(SuiteConfig& s, std::string_view name, std::string_view value,
                                std::string_view origin) {
  const std::string v(trim(value));
  auto each = [&](auto&& f) {
    for (auto& sc : s.scenarios)
      f(sc.driver_options);
  };
  auto existing_file = [&](const std::string& path) {
    std::error_code ec;
    if (path.empty() || !std::filesystem::is_regular_file(path, ec)) {
      throw UsageError(
          fmt::format("{}: expected an existing file, got '{}'", origin, printable(path)));
    }
    return std::filesystem::absolute(path).lexically_normal().string();
  };
  if (name == "method") {
    const bool token = !v.empty() && std::all_of(v.begin(), v.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) ||
             std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
    });
    if (!token) bad(origin, v, "an HTTP method such as GET or POST");
    each([&](results::DriverOptions& o) { o.method = v; });
  } else if (name == "header") {
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& h : split(value, '\n', true)) {
      const auto colon = h.find(':');
      if (colon == std::string::npos || colon == 0 || trim(h.substr(0, colon)).empty()) {
        bad(origin, h, "a header 'Name: value'");
      }
      headers.emplace_back(std::string(trim(h.substr(0, colon))),
                           std::string(trim(h.substr(colon + 1))));
    }
    // Replaces a header of the same name (case-insensitive), keeps the others.
    each([&](results::DriverOptions& o) {
      for (const auto& h : headers) {
        std::erase_if(o.headers,
                      [&](const auto& e) { return to_lower(e.first) == to_lower(h.first); });
      }
      o.headers.insert(o.headers.end(), headers.begin(), headers.end());
    });
  } else if (name == "body") {
    each([&](results::DriverOptions& o) { o.body = std::string(value); });
  } else if (name == "pipeline") {
    const int n = positive_int(origin, v, 1, 1024, "an integer from 1 to 1024");
    each([&](results::DriverOptions& o) { o.pipeline = n; });
  } else if (name == "keepalive") {
    const bool b = boolean(origin, v);
    each([&](results::DriverOptions& o) { o.keepalive = b; });
  } else if (name == "timeout") {
    const auto t = duration(origin, v, true);
    each([&](results::DriverOptions& o) { o.timeout = t; });
  } else if (name == "tls_verify") {
    const bool b = boolean(origin, v);
    each([&](results::DriverOptions& o) { o.tls_verify = b; });
  } else if (name == "max_error_rate") {
    double r = -1;
    try {
      r = v.ends_with('%') ? parse_percent(v) : parse_double(v);
    } catch (const ParseError&) {
      r = -1;
    }
    if (!(r >= 0 && r <= 1)) bad(origin, v, "a fraction from 0 to 1 or a percentage such as 1%");
    each([&](results::DriverOptions& o) { o.max_error_rate = r; });
  } else if (name == "requests_file") {
    const auto path = existing_file(v);
    each([&](results::DriverOptions& o) { o.requests_file = path; });
  } else if (name == "wrk_script") {
    const auto path = existing_file(v);
    each([&](results::DriverOptions& o) { o.script = path; });
  } else if (name == "wrk_script_arg") {
    const auto args = split(value, '\n', false);
    each([&](results::DriverOptions& o) { o.script_args = args; });
  } else if (name == "jmeter_plan") {
    const auto path = existing_file(v);
    each([&](results::DriverOptions& o) { o.extra["plan"] = path; });
  } else if (name == "tool_path") {
    each([&](results::DriverOptions& o) { o.tool_path = v; });
  } else if (name == "ssh_options") {
    std::vector<std::string> args;
    try {
      args = shell_split(v);
    } catch (const ParseError& e) {
      throw UsageError(fmt::format("{}: {}", origin, e.what()));
    }
    each([&](results::DriverOptions& o) { o.ssh_options = args; });
  } else {
    std::vector<std::string_view> names;
    for (const auto& o : option_table()) {
      if (!o.structural) names.push_back(o.name);
    }
    // An unknown name can only come from --set (the other layers iterate the table). Without
    // a close match, the list of settings would be longer than a screen line: say where it is.
    const auto best = closest_match(name, names);
    throw UsageError(
        fmt::format("{}: unknown setting '{}'{}", origin, printable(name),
                    best.empty() ? "; the settings are the names of the option table in "
                                   "docs/suite-reference.md (--set iterations=3, --set app_cpus=0)"
                                 : fmt::format(" (did you mean '{}'?)", best)));
  }
}

std::vector<GivenOption> env_options(unsigned command, const EnvLookup& getenv) {
  std::vector<GivenOption> out;
  for (const auto& o : option_table()) {
    if (o.env.empty() || !(o.commands & command) || o.name == "demangler") continue;
    const auto value = getenv(std::string(o.env));
    if (!value || trim(*value).empty()) continue;
    out.push_back({std::string(o.name), *value, std::string(o.env)});
  }
  return out;
}

std::optional<std::string> given_value(const std::vector<GivenOption>& given,
                                       std::string_view name) {
  std::optional<std::string> v;
  for (const auto& g : given) {
    if (g.name == name) v = g.value;
  }
  return v;
}

void apply_options(SuiteConfig& suite, const std::vector<GivenOption>& given,
                   std::string_view layer) {
  for (const auto& g : given) {
    const auto* o = find_option(g.name);
    if (o && o->structural) continue;
    apply_override(suite, g.name, g.value, g.origin);
  }
  // Settings interact (a driver without rates, say): re-check the whole, naming the cause.
  try {
    validate_suite(suite);
  } catch (const ConfigError& e) {
    throw UsageError(fmt::format("after {}: {}", layer, e.what()));
  }
}

void apply_env_overrides(SuiteConfig& suite, const EnvLookup& getenv) {
  apply_options(suite, env_options(kRunCommand, getenv), "BENCHGATE_* environment overrides");
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

}  // namespace benchgate::config
