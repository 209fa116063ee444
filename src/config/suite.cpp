// benchgate.toml -> SuiteConfig: the whole file, JSON <-> TOML, the public API and the
// cross-field checks. The walker and the section readers are in suite_values.cpp,
// suite_sections.cpp and suite_gate.cpp (declared in suite_parse.h).

#include "config/suite.h"

#include <fmt/format.h>
#include <fnmatch.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "config/names.h"
#include "config/suite_parse.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "platform/fs.h"
#include "results/metrics.h"

namespace benchgate::config {

namespace fs = std::filesystem;
using namespace detail;  // NOLINT(google-build-using-namespace): the walker is this file's own

namespace {

// ---- The whole file ---------------------------------------------------------------------------

const toml::table* child_table(const Ctx& c, const toml::table& root, std::string_view key) {
  const auto* n = root.get(key);
  if (!n) return nullptr;
  return &as_table(c, *n, std::string(key));
}

const toml::array* array_of_tables(const Ctx& c, const toml::table& root, std::string_view key) {
  const auto* n = root.get(key);
  if (!n) return nullptr;
  const auto* a = n->as_array();
  if (!a || !a->is_array_of_tables()) {
    fail(c, line_of(n), std::string(key),
         fmt::format("expected an array of tables: write each as [[{}]]", key));
  }
  return a;
}

SuiteConfig parse_root(const toml::table& root, const Ctx& c, const std::string& default_name,
                       const std::string& hostname) {
  const Table top(c, root, "", kRootKeys);
  SuiteConfig suite;
  suite.name = default_name;
  suite.hostname = hostname;
  top.with("name",
           [&](const toml::node& n, const std::string& p) { suite.name = read_nonempty(c, n, p); });

  auto pd = read_defaults(c, child_table(c, root, "defaults"));
  suite.defaults = pd.d;
  apply_hosts(c, root.get("host"), hostname, suite);

  if (const auto* apps = array_of_tables(c, root, "app")) {
    std::map<std::string, int> labels;
    std::map<std::string, std::string> roles;  // role -> label
    for (std::size_t i = 0; i < apps->size(); ++i) {
      const auto path = fmt::format("app[{}]", i);
      const Table t(c, *apps->get(i)->as_table(), path, kAppKeys);
      auto app = read_app(t, suite.defaults);
      const int line = t.get("label") ? line_of(t.get("label")) : t.line();
      if (auto [it, fresh] = labels.emplace(app.label, line); !fresh) {
        fail(c, line, t.path("label"),
             fmt::format("duplicate label '{}' (also on line {}); labels must be unique{}",
                         app.label, it->second,
                         t.get("label") ? "" : " (this one comes from the command: set label)"));
      }
      if (!app.role.empty()) {
        if (auto [it, fresh] = roles.emplace(app.role, app.label); !fresh) {
          fail(c, line_of(t.get("role")), t.path("role"),
               fmt::format("app '{}' already has role \"{}\"; at most one app may", it->second,
                           app.role));
        }
      }
      suite.apps.push_back(std::move(app));
    }
    if (roles.size() == 1) {
      const auto& [role, label] = *roles.begin();
      fail(c, 0, "app",
           fmt::format("app '{}' has role \"{}\" but no app has role \"{}\"; an A/B gate needs "
                       "both",
                       label, role, role == "baseline" ? "candidate" : "baseline"));
    }
  }
  if (suite.apps.empty()) {
    fail(c, 0, "app",
         "no [[app]] table; expected at least one app with a command such as "
         "[\"./build/examples/hello-server\", \"--port\", \"8080\"]");
  }

  if (const auto* scenarios = array_of_tables(c, root, "scenario")) {
    std::map<std::string, int> names;
    for (std::size_t i = 0; i < scenarios->size(); ++i) {
      const auto path = fmt::format("scenario[{}]", i);
      const Table t(c, *scenarios->get(i)->as_table(), path, kScenarioKeys);
      auto s = read_scenario(t, pd);
      const int line = line_of(t.get("name"));
      if (auto [it, fresh] = names.emplace(s.name, line); !fresh) {
        fail(c, line, t.path("name"),
             fmt::format("duplicate scenario name '{}' (also on line {})", s.name, it->second));
      }
      suite.scenarios.push_back(std::move(s));
    }
  }
  if (suite.scenarios.empty()) {
    fail(c, 0, "scenario",
         "no [[scenario]] table; expected at least one scenario with a url and clients");
  }
  suite.gate = read_gate(c, root.get("gate"), suite.scenarios);
  validate_suite(suite);
  return suite;
}

std::string stem_of(const std::string& origin) {
  auto stem = fs::path(origin).stem().string();
  return stem.empty() ? "suite" : stem;
}

// ---- JSON <-> TOML ----------------------------------------------------------------------------

toml::table json_to_table(const nlohmann::json& j, const std::string& origin,
                          const std::string& path);

toml::array json_to_array(const nlohmann::json& j, const std::string& origin,
                          const std::string& path) {
  toml::array a;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& v = j[i];
    const auto p = fmt::format("{}[{}]", path, i);
    if (v.is_object()) {
      a.push_back(json_to_table(v, origin, p));
    } else if (v.is_array()) {
      a.push_back(json_to_array(v, origin, p));
    } else if (v.is_string()) {
      a.push_back(v.get<std::string>());
    } else if (v.is_boolean()) {
      a.push_back(v.get<bool>());
    } else if (v.is_number_unsigned() &&
               v.get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max()) {
      a.push_back(std::to_string(v.get<std::uint64_t>()));
    } else if (v.is_number_integer()) {
      a.push_back(v.get<std::int64_t>());
    } else if (v.is_number_float()) {
      a.push_back(v.get<double>());
    } else {
      throw ConfigError(fmt::format("{}: {}: null is not a value a suite can hold", origin, p));
    }
  }
  return a;
}

toml::table json_to_table(const nlohmann::json& j, const std::string& origin,
                          const std::string& path) {
  if (!j.is_object()) {
    throw ConfigError(fmt::format("{}: {}: expected an object", origin, path.empty() ? "/" : path));
  }
  toml::table t;
  for (const auto& [k, v] : j.items()) {
    const auto p = sub(path, k);
    if (v.is_null()) continue;
    if (v.is_object()) {
      t.insert_or_assign(k, json_to_table(v, origin, p));
    } else if (v.is_array()) {
      t.insert_or_assign(k, json_to_array(v, origin, p));
    } else if (v.is_string()) {
      t.insert_or_assign(k, v.get<std::string>());
    } else if (v.is_boolean()) {
      t.insert_or_assign(k, v.get<bool>());
    } else if (v.is_number_unsigned() &&
               v.get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max()) {
      t.insert_or_assign(k, std::to_string(v.get<std::uint64_t>()));
    } else if (v.is_number_integer()) {
      t.insert_or_assign(k, v.get<std::int64_t>());
    } else {
      t.insert_or_assign(k, v.get<double>());
    }
  }
  return t;
}

nlohmann::json threshold_to_json(const results::MetricThreshold& th, std::string_view metric) {
  nlohmann::json j = nlohmann::json::object();
  const auto info = results::find_metric(metric);
  nlohmann::json effects = nlohmann::json::array();
  // 12 significant digits: "7%" rather than the 7.000000000000001 that 0.07 * 100 gives.
  if (th.min_effect_rel) effects.push_back(fmt::format("{:.12g}%", *th.min_effect_rel * 100));
  if (th.min_effect_abs) {
    const double v = *th.min_effect_abs;
    const std::string_view unit = info ? info->unit : "";
    if (unit == "s") {
      effects.push_back(format_duration(from_seconds(v)));
    } else if (unit == "bytes") {
      effects.push_back(fmt::format("{}B", static_cast<std::int64_t>(std::llround(v))));
    } else if (unit == "req/s") {
      effects.push_back(fmt::format("{:.12g}/s", v));
    } else {
      effects.push_back(v);
    }
  }
  if (effects.size() == 1) j["min_effect"] = effects[0];
  if (effects.size() == 2) j["min_effect"] = effects;
  if (th.alpha) j["alpha"] = *th.alpha;
  if (th.better) j["better"] = *th.better == results::Better::kHigher ? "higher" : "lower";
  j["enabled"] = th.enabled;
  return j;
}

nlohmann::json driver_options_to_json(const results::DriverOptions& o) {
  nlohmann::json j;
  j["method"] = o.method;
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [k, v] : o.headers)
    headers.push_back(k + ": " + v);
  j["headers"] = headers;
  if (!o.body.empty()) j["body"] = o.body;
  j["pipeline"] = o.pipeline;
  j["keepalive"] = o.keepalive;
  j["timeout"] = format_duration(o.timeout);
  if (!o.cpus.empty()) j["driver_cpus"] = format_cpu_list(o.cpus);
  if (o.threads > 0) j["driver_threads"] = o.threads;
  if (!o.script.empty()) j["script"] = o.script;
  if (!o.script_args.empty()) j["script_args"] = o.script_args;
  if (!o.requests_file.empty()) j["requests_file"] = o.requests_file;
  j["tls_verify"] = o.tls_verify;
  j["max_error_rate"] = o.max_error_rate;
  if (!o.tool_path.empty()) j["tool_path"] = o.tool_path;
  if (!o.client_host.empty()) j["client_host"] = o.client_host;
  if (!o.ssh_options.empty()) j["ssh_options"] = o.ssh_options;
  if (is_counting_mode(o.measure)) {
    j["measure"] = o.measure;
    j["counted_requests"] = o.counted_requests;
    j["warmup_requests"] = o.warmup_requests;
  }
  if (o.pairing == kPairingBursts) {
    j["pairing"] = o.pairing;
    j["starts"] = o.starts;
    j["burst_warmup"] = format_duration(o.burst_warmup);
  }
  nlohmann::json extra = nlohmann::json::object();
  nlohmann::json properties = nlohmann::json::object();
  for (const auto& [k, v] : o.extra) {
    if (std::find(kPathExtras.begin(), kPathExtras.end(), k) != kPathExtras.end()) {
      j[k] = v;
    } else if (k.rfind(kPropertyPrefix, 0) == 0) {
      properties[k.substr(kPropertyPrefix.size())] = v;
    } else {
      extra[k] = v;
    }
  }
  if (!properties.empty()) j["properties"] = properties;
  if (!extra.empty()) j["extra"] = extra;
  return j;
}

}  // namespace

// ---- Public API -------------------------------------------------------------------------------

SuiteConfig parse_suite_text(const std::string& text, const std::string& origin,
                             const std::string& hostname) {
  Ctx c{origin, fs::path(origin).parent_path()};
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", origin, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }
  auto suite = parse_root(root, c, stem_of(origin), hostname);
  suite.source = origin;
  return suite;
}

SuiteConfig parse_suite_file(const fs::path& path, const std::string& hostname) {
  // Regular files of at most 512 MiB: "is a directory", "not a regular file", "cannot read".
  std::string text;
  try {
    text = platform::read_input_file(path);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{} (expected a suite file)", e.what()));
  }
  Ctx c{path.string(), fs::absolute(path).parent_path()};
  toml::table root;
  try {
    root = toml::parse(text, path.string());
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", path.string(), e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }
  auto suite = parse_root(root, c, stem_of(path.string()), hostname);
  suite.source = path;
  return suite;
}

SuiteConfig suite_from_json(const nlohmann::json& j, const std::string& origin) {
  nlohmann::json body = j;
  std::string hostname;
  std::vector<std::string> applied;
  fs::path source;
  if (body.is_object()) {
    // Provenance written by suite_to_json(); not part of the file format.
    if (auto it = body.find("hostname"); it != body.end() && it->is_string()) hostname = *it;
    if (auto it = body.find("applied_hosts"); it != body.end() && it->is_array()) {
      for (const auto& h : *it) {
        if (h.is_string()) applied.push_back(h);
      }
    }
    if (auto it = body.find("source"); it != body.end() && it->is_string()) {
      source = it->get<std::string>();
    }
    body.erase("hostname");
    body.erase("applied_hosts");
    body.erase("source");
  }
  const auto root = json_to_table(body, origin, "");
  Ctx c{origin, {}};
  // Host tables were applied when the suite was resolved; do not apply them twice.
  auto suite = parse_root(root, c, source.empty() ? "suite" : stem_of(source.string()), "");
  suite.hostname = hostname;
  suite.applied_hosts = applied;
  suite.source = source;
  return suite;
}

nlohmann::json suite_to_json(const SuiteConfig& s) {
  nlohmann::json j;
  j["name"] = s.name;
  j["source"] = s.source.string();
  j["hostname"] = s.hostname;
  j["applied_hosts"] = s.applied_hosts;

  const auto& d = s.defaults;
  nlohmann::json dj;
  dj["driver"] = d.driver;
  dj["duration"] = format_duration(d.duration);
  dj["warmup"] = format_duration(d.warmup);
  dj["iterations"] = d.iterations;
  dj["interval"] = format_duration(d.interval);
  dj["app_cpus"] = format_cpu_list(d.app_cpus);
  dj["driver_cpus"] = format_cpu_list(d.driver_cpus);
  dj["driver_threads"] = d.driver_threads;
  dj["sleep"] = format_duration(d.sleep);
  if (d.seed) {
    if (*d.seed > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      dj["seed"] = std::to_string(*d.seed);
    } else {
      dj["seed"] = *d.seed;
    }
  }
  dj["out"] = d.out.string();
  dj["ready_timeout"] = format_duration(d.ready_timeout);
  if (!d.base_url.empty()) dj["base_url"] = d.base_url;
  if (!d.profiler.empty()) dj["profiler"] = d.profiler;
  if (!d.client_host.empty()) dj["client_host"] = d.client_host;
  if (d.numa_node) dj["numa_node"] = *d.numa_node;
  j["defaults"] = dj;

  j["app"] = nlohmann::json::array();
  for (const auto& a : s.apps) {
    nlohmann::json aj;
    aj["label"] = a.label;
    if (a.shell) {
      aj["command"] = a.command.empty() ? "" : a.command.front();
    } else {
      aj["command"] = a.command;
    }
    aj["shell"] = a.shell;
    aj["instances"] = a.instances;
    if (!a.cwd.empty()) aj["cwd"] = a.cwd.string();
    if (!a.env.empty()) {
      nlohmann::json env = nlohmann::json::object();
      for (const auto& [k, v] : a.env)
        env[k] = v;
      aj["env"] = env;
    }
    if (!a.cpus.empty()) aj["cpus"] = format_cpu_list(a.cpus);
    if (!a.ready_url.empty()) aj["ready_url"] = a.ready_url;
    if (!a.pre_run.empty()) aj["pre_run"] = a.pre_run;
    if (a.port > 0) aj["port"] = a.port;
    if (!a.role.empty()) aj["role"] = a.role;
    j["app"].push_back(aj);
  }

  j["scenario"] = nlohmann::json::array();
  for (const auto& sc : s.scenarios) {
    nlohmann::json sj = driver_options_to_json(sc.driver_options);
    sj["name"] = sc.name;
    sj["url"] = sc.url;
    sj["clients"] = sc.clients;
    if (!sc.rates.empty()) sj["rates"] = sc.rates;
    if (sc.duration) sj["duration"] = format_duration(*sc.duration);
    if (sc.warmup) sj["warmup"] = format_duration(*sc.warmup);
    if (sc.iterations) sj["iterations"] = *sc.iterations;
    if (!sc.driver.empty()) sj["driver"] = sc.driver;
    if (!sc.pre_run.empty()) sj["pre_run"] = sc.pre_run;
    if (!sc.post_run.empty()) sj["post_run"] = sc.post_run;
    j["scenario"].push_back(sj);
  }

  const auto& g = s.gate;
  nlohmann::json gj;
  gj["alpha"] = g.alpha;
  gj["min_runs"] = g.min_runs;
  gj["warn_only"] = g.warn_only;
  gj["testbed_mismatch"] = g.testbed_mismatch;
  gj["confirm"] = g.confirm;
  for (const auto& [m, th] : g.metrics)
    gj[m] = threshold_to_json(th, m);
  if (!g.per_scenario.empty()) {
    nlohmann::json ps = nlohmann::json::object();
    for (const auto& [scen, metrics] : g.per_scenario) {
      nlohmann::json mj = nlohmann::json::object();
      for (const auto& [m, th] : metrics)
        mj[m] = threshold_to_json(th, m);
      ps[scen] = mj;
    }
    gj["scenario"] = ps;
  }
  j["gate"] = gj;
  return j;
}

std::vector<std::string> launch_argv(const AppSpec& app) {
  if (app.shell) return {"/bin/sh", "-c", join(app.command, " ")};
  return app.command;
}

// Over 100 lines on purpose: the list of the suite's cross-key rules, one check and one
// message each, in the order of the reference (defaults, apps, scenarios, gate).
std::string url_for_app(const AppSpec& app, const std::string& url) {
  if (app.port <= 0) return url;
  auto u = parse_url(url);
  u.port = app.port;
  return u.str();
}

namespace {

// pairing = "bursts" keeps the baseline and the candidate up at once (runner/bursts.h): only
// those two apps, on different ports, measured by the clock, without a profiler.
void validate_bursts(const SuiteConfig& s, const ScenarioSpec& sc, const std::string& key,
                     const std::function<void(const std::string&, const std::string&)>& bad) {
  const AppSpec *base = nullptr, *cand = nullptr;
  for (const auto& a : s.apps) {
    if (a.role == "baseline") base = &a;
    if (a.role == "candidate") cand = &a;
  }
  if (!base || !cand) {
    bad(key + ".pairing",
        "\"bursts\" alternates load between the baseline and the candidate: give one app role "
        "\"baseline\" and one role \"candidate\", or use pairing = \"restart\"");
    return;
  }
  for (const auto& a : s.apps) {
    if (a.role.empty()) {
      bad(key + ".pairing",
          fmt::format("\"bursts\" runs only the baseline and the candidate, and app '{}' has no "
                      "role; run it in a suite of its own, or use pairing = \"restart\"",
                      a.label));
    }
  }
  if (is_counting_mode(sc.driver_options.measure)) {
    bad(key + ".pairing",
        fmt::format("\"bursts\" is for wall-clock metrics; measure = \"{}\" counts per request "
                    "in lifetimes of its own (use pairing = \"restart\")",
                    sc.driver_options.measure));
  }
  if (!s.defaults.profiler.empty()) {
    bad(key + ".pairing",
        fmt::format("profiler '{}' records each run of one app; with \"bursts\" both apps are up "
                    "at once (use pairing = \"restart\" to profile)",
                    s.defaults.profiler));
  }
  const int base_port = parse_url(url_for_app(*base, sc.url)).port;
  const int cand_port = parse_url(url_for_app(*cand, sc.url)).port;
  if (base_port == cand_port) {
    bad(key + ".pairing",
        fmt::format("\"bursts\" keeps both apps up at once, and both would listen on port {}: "
                    "give one of them a `port` of its own in its [[app]] table (\"{{port}}\" in "
                    "its command becomes that port)",
                    base_port));
  }
}

}  // namespace

void validate_suite(const SuiteConfig& s) {
  const std::string origin = s.source.empty() ? std::string("suite") : s.source.string();
  auto bad = [&](const std::string& key, const std::string& msg) {
    throw ConfigError(fmt::format("{}: {}: {}", origin, key, msg));
  };
  const auto& d = s.defaults;
  if (d.iterations < 1) bad("defaults.iterations", "expected a positive integer");
  if (d.duration <= Nanos::zero()) bad("defaults.duration", "expected a positive duration");
  if (d.warmup < Nanos::zero()) bad("defaults.warmup", "expected a duration of 0 or more");
  if (d.interval <= Nanos::zero()) bad("defaults.interval", "expected a positive duration");
  if (d.sleep < Nanos::zero()) bad("defaults.sleep", "expected a duration of 0 or more");
  if (d.ready_timeout <= Nanos::zero())
    bad("defaults.ready_timeout", "expected a positive duration");
  if (d.driver_threads < 0) bad("defaults.driver_threads", "expected 0 (automatic) or more");
  const auto& drivers = known_drivers();
  if (std::find(drivers.begin(), drivers.end(), d.driver) == drivers.end()) {
    bad("defaults.driver", fmt::format("unknown driver '{}'{}", printable(d.driver),
                                       suggestion_suffix(d.driver, drivers)));
  }
  const auto& profilers = known_profilers();
  if (!d.profiler.empty() &&
      std::find(profilers.begin(), profilers.end(), d.profiler) == profilers.end()) {
    bad("defaults.profiler", fmt::format("unknown profiler '{}'{}", printable(d.profiler),
                                         suggestion_suffix(d.profiler, profilers)));
  }

  if (!d.client_host.empty() && !is_valid_client_host(d.client_host)) {
    bad("defaults.client_host", fmt::format("'{}' is not a valid host; expected {}",
                                            printable(d.client_host), kClientHostRule));
  }
  for (const auto& sc : s.scenarios) {
    const auto& h = sc.driver_options.client_host;
    if (!h.empty() && !is_valid_client_host(h)) {
      bad("scenario " + sc.name + ": client_host",
          fmt::format("'{}' is not a valid host; expected {}", printable(h), kClientHostRule));
    }
  }

  if (s.apps.empty()) bad("app", "expected at least one app");
  std::set<std::string> labels;
  int baselines = 0, candidates = 0;
  for (std::size_t i = 0; i < s.apps.size(); ++i) {
    const auto& a = s.apps[i];
    const auto key = fmt::format("app[{}]", i);
    if (!is_valid_name(a.label)) {
      bad(key + ".label",
          fmt::format("'{}' is not a valid label; expected {}", printable(a.label), kNameRule));
    }
    if (!labels.insert(a.label).second) {
      bad(key + ".label", fmt::format("duplicate label '{}'; labels must be unique", a.label));
    }
    if (a.command.empty() || a.command.front().empty()) bad(key + ".command", "expected a command");
    if (a.shell && a.command.size() != 1) {
      bad(key + ".command", "a shell command must be one string");
    }
    if (a.instances < 1) bad(key + ".instances", "expected a positive integer");
    if (a.role == "baseline") {
      ++baselines;
    } else if (a.role == "candidate") {
      ++candidates;
    } else if (!a.role.empty()) {
      bad(key + ".role", "expected \"baseline\" or \"candidate\"");
    }
  }
  if (baselines > 1 || candidates > 1) {
    bad("app", "at most one app may have role \"baseline\" and one role \"candidate\"");
  }
  if (baselines != candidates) {
    bad("app", "an A/B gate needs one app with role \"baseline\" and one with role \"candidate\"");
  }

  if (s.scenarios.empty()) bad("scenario", "expected at least one scenario");
  std::set<std::string> names;
  for (std::size_t i = 0; i < s.scenarios.size(); ++i) {
    const auto& sc = s.scenarios[i];
    const auto key = fmt::format("scenario[{}]", i);
    if (!is_valid_name(sc.name)) {
      bad(key + ".name", fmt::format("'{}' is not a valid scenario name; expected {}",
                                     printable(sc.name), kNameRule));
    }
    if (!names.insert(sc.name).second) {
      bad(key + ".name", fmt::format("duplicate scenario name '{}'", sc.name));
    }
    try {
      parse_url(sc.url);
    } catch (const ParseError& e) {
      bad(key + ".url", e.what());
    }
    if (sc.clients.empty()) bad(key + ".clients", "expected a list of positive integers");
    for (int cl : sc.clients) {
      if (cl < 1) bad(key + ".clients", "expected a list of positive integers");
    }
    for (double r : sc.rates) {
      if (!(r > 0) || !std::isfinite(r)) bad(key + ".rates", "expected positive request rates");
    }
    if (sc.iterations && *sc.iterations < 1)
      bad(key + ".iterations", "expected a positive integer");
    if (sc.duration && *sc.duration <= Nanos::zero())
      bad(key + ".duration", "expected a positive duration");
    if (sc.warmup && *sc.warmup < Nanos::zero())
      bad(key + ".warmup", "expected a duration of 0 or more");
    const std::string driver = sc.driver.empty() ? d.driver : sc.driver;
    if (std::find(drivers.begin(), drivers.end(), driver) == drivers.end()) {
      bad(key + ".driver", fmt::format("unknown driver '{}'{}", printable(driver),
                                       suggestion_suffix(driver, drivers)));
    }
    if (!sc.rates.empty() && !is_open_loop_driver(driver)) {
      bad(key + ".rates",
          fmt::format("the {} driver runs closed loop only; rates need the builtin or wrk2 "
                      "driver",
                      driver));
    }
    if (sc.rates.empty() && requires_rates(driver)) {
      bad(key + ".rates", fmt::format("the {} driver needs a list of request rates", driver));
    }
    if (sc.driver_options.pairing != kPairingRestart &&
        sc.driver_options.pairing != kPairingBursts) {
      bad(key + ".pairing",
          fmt::format("expected {}, got '{}'", kPairingText, printable(sc.driver_options.pairing)));
    }
    if (sc.driver_options.pairing == kPairingBursts) validate_bursts(s, sc, key, bad);
  }

  const auto& g = s.gate;
  if (!(g.alpha > 0 && g.alpha <= 0.5)) bad("gate.alpha", "expected a level above 0, at most 0.5");
  if (g.min_runs < 1) bad("gate.min_runs", "expected a positive integer");
  if (g.confirm < 0) bad("gate.confirm", "expected 0 or more");
  if (g.testbed_mismatch != "error" && g.testbed_mismatch != "warn") {
    bad("gate.testbed_mismatch", "expected \"error\" or \"warn\"");
  }
  for (const auto& [key, m] : g.per_scenario) {
    (void)m;
    const auto scen = key.substr(0, key.find(' '));
    if (!names.count(scen)) bad("gate.scenario." + quote_key(key), "no scenario of that name");
  }
}

}  // namespace benchgate::config