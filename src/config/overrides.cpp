// BENCHGATE_* environment variables and CLI flags over the suite file: one table of settings,
// one parser per setting, shared by both layers so they accept exactly the same values.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

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

const std::vector<OverrideSetting>& override_settings() {
  static const std::vector<OverrideSetting> settings = {
      {"iterations", "BENCHGATE_ITERATIONS", "positive integer; replaces per-scenario values"},
      {"duration", "BENCHGATE_DURATION", "duration (10s, 1m30s); replaces per-scenario values"},
      {"warmup", "BENCHGATE_WARMUP", "duration (2s, 0); replaces per-scenario values"},
      {"interval", "BENCHGATE_INTERVAL", "duration: sampling and trace interval"},
      {"driver", "BENCHGATE_DRIVER", "driver name; replaces per-scenario drivers"},
      {"measure", "BENCHGATE_MEASURE",
       "wall or instructions (callgrind counts per request); replaces per-scenario values"},
      {"counted_requests", "BENCHGATE_COUNTED_REQUESTS",
       "instructions: requests counted per sample; replaces per-scenario values"},
      {"warmup_requests", "BENCHGATE_WARMUP_REQUESTS",
       "instructions: requests before the counted ones; replaces per-scenario values"},
      {"clients", "BENCHGATE_CLIENTS", "client counts (16,64) for every scenario"},
      {"rates", "BENCHGATE_RATES", "request rates (1000,5000) for every scenario, or none"},
      {"app_cpus", "BENCHGATE_APP_CPUS", "CPU list (0,2-3) or none; replaces per-app cpus"},
      {"driver_cpus", "BENCHGATE_DRIVER_CPUS", "CPU list or none; replaces per-scenario values"},
      {"driver_threads", "BENCHGATE_DRIVER_THREADS", "integer, 0 = automatic"},
      {"sleep", "BENCHGATE_SLEEP", "duration: pause between runs"},
      {"ready_timeout", "BENCHGATE_READY_TIMEOUT", "duration: how long to wait for readiness"},
      {"seed", "BENCHGATE_SEED", "order seed (0 to 2^64-1), or random"},
      {"out", "BENCHGATE_OUT", "output folder (relative to the working directory)"},
      {"profiler", "BENCHGATE_PROFILER", "profiler name, or none"},
      {"client_host", "BENCHGATE_CLIENT_HOST", "run the load driver on this host over ssh"},
      {"filter", "BENCHGATE_FILTER", "scenario globs, comma-separated (plain*,json)"},
      {"alpha", "BENCHGATE_ALPHA", "gate family-wise significance level (0.05)"},
      {"min_runs", "BENCHGATE_MIN_RUNS", "gate: pairs (or runs per side) wanted"},
      {"warn_only", "BENCHGATE_WARN_ONLY", "gate: report regressions but exit 0 (true/false)"},
  };
  return settings;
}

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
    if (v != "wall" && v != "instructions") bad(origin, v, "wall or instructions");
    for (auto& sc : s.scenarios)
      sc.driver_options.measure = v;
  } else if (name == "counted_requests" || name == "warmup_requests") {
    const bool counted = name == "counted_requests";
    const int n =
        positive_int(origin, v, counted ? 1 : 0, 10'000'000,
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
  } else {
    std::vector<std::string_view> names;
    for (const auto& o : override_settings())
      names.push_back(o.name);
    // An unknown name can only come from --set (the other layers iterate the table).
    throw UsageError(fmt::format("{}: unknown setting '{}'{}", origin, printable(name),
                                 suggestion_suffix(name, names)));
  }
}

void apply_env_overrides(SuiteConfig& suite, const EnvLookup& getenv) {
  for (const auto& o : override_settings()) {
    const auto value = getenv(std::string(o.env));
    if (!value || trim(*value).empty()) continue;
    apply_override(suite, o.name, *value, o.env);
  }
  // Settings interact (a driver without rates, say): re-check the whole, naming the cause.
  try {
    validate_suite(suite);
  } catch (const ConfigError& e) {
    throw UsageError(fmt::format("after BENCHGATE_* environment overrides: {}", e.what()));
  }
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

}  // namespace benchgate::config
