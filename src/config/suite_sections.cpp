// [defaults], [host."NAME"], [[app]] and [[scenario]] tables.

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "config/suite_parse.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "results/metrics.h"

namespace benchgate::config::detail {

namespace fs = std::filesystem;

// ---- Sections ---------------------------------------------------------------------------------

namespace {

// measure (config/suite.h: the modes), and the request counts of the counting modes.
void read_measure_options(const Table& t, results::DriverOptions& o) {
  const auto& c = t.ctx;
  t.with("measure", [&](const toml::node& n, const std::string& p) {
    o.measure = read_string(c, n, p);
    if (!is_measure_mode(o.measure)) {
      expected(c, n, p, kMeasureModesText);
    }
  });
  t.with("counted_requests", [&](const toml::node& n, const std::string& p) {
    o.counted_requests = read_int(c, n, p, 1, kMaxMeasureRequests, "an integer from 1 to 10000000");
  });
  t.with("warmup_requests", [&](const toml::node& n, const std::string& p) {
    o.warmup_requests = read_int(c, n, p, 0, kMaxMeasureRequests, "an integer from 0 to 10000000");
  });
  t.with("pairing", [&](const toml::node& n, const std::string& p) {
    o.pairing = read_string(c, n, p);
    if (o.pairing != kPairingRestart && o.pairing != kPairingBursts)
      expected(c, n, p, kPairingText);
  });
  t.with("starts", [&](const toml::node& n, const std::string& p) {
    o.starts = static_cast<int>(read_int(c, n, p, 1, kMaxStarts, "an integer from 1 to 1000"));
  });
  t.with("burst_warmup", [&](const toml::node& n, const std::string& p) {
    o.burst_warmup = read_duration(c, n, p, false);
  });
}

}  // namespace

void read_driver_options(const Table& t, results::DriverOptions& o) {
  const auto& c = t.ctx;
  t.with("method", [&](const toml::node& n, const std::string& p) {
    o.method = read_string(c, n, p);
    if (!is_token(o.method)) expected(c, n, p, "an HTTP method such as \"GET\" or \"POST\"");
  });
  t.with("headers", [&](const toml::node& n, const std::string& p) {
    merge_headers(o.headers, read_headers(c, n, p));
  });
  t.with("body", [&](const toml::node& n, const std::string& p) { o.body = read_string(c, n, p); });
  t.with("pipeline", [&](const toml::node& n, const std::string& p) {
    o.pipeline = static_cast<int>(read_int(c, n, p, 1, 1024, "an integer from 1 to 1024"));
  });
  t.with("keepalive",
         [&](const toml::node& n, const std::string& p) { o.keepalive = read_bool(c, n, p); });
  t.with("timeout", [&](const toml::node& n, const std::string& p) {
    o.timeout = read_duration(c, n, p, true);
  });
  t.with("script",
         [&](const toml::node& n, const std::string& p) { o.script = read_path(c, n, p); });
  t.with("script_args", [&](const toml::node& n, const std::string& p) {
    o.script_args = read_string_list(c, n, p, true);
  });
  t.with("requests_file",
         [&](const toml::node& n, const std::string& p) { o.requests_file = read_path(c, n, p); });
  t.with("tls_verify",
         [&](const toml::node& n, const std::string& p) { o.tls_verify = read_bool(c, n, p); });
  t.with("max_error_rate", [&](const toml::node& n, const std::string& p) {
    constexpr std::string_view what = "a fraction from 0 to 1 or a percentage such as \"1%\"";
    double v = -1;
    if (const auto* s = n.as_string()) {
      try {
        v = parse_percent(s->get());
      } catch (const ParseError&) {
        expected(c, n, p, what);
      }
      if (trim(s->get()).empty() || trim(s->get()).back() != '%') expected(c, n, p, what);
    } else {
      v = read_number(c, n, p, what);
    }
    if (v < 0 || v > 1) expected(c, n, p, what);
    o.max_error_rate = v;
  });
  t.with("tool_path", [&](const toml::node& n, const std::string& p) {
    // A bare name is looked up on PATH; anything with a slash is a path.
    auto s = read_nonempty(c, n, p);
    o.tool_path = s.find('/') == std::string::npos ? s : resolve_path(c, s).string();
  });
  t.with("ssh_options", [&](const toml::node& n, const std::string& p) {
    o.ssh_options = read_string_list(c, n, p, true);
  });
  read_measure_options(t, o);
  t.with("extra", [&](const toml::node& n, const std::string& p) {
    for (auto&& [k, v] : as_table(c, n, p)) {
      auto key = std::string(k.str());
      auto value = read_scalar_text(c, v, sub(p, key));
      const bool is_path =
          std::find(kPathExtras.begin(), kPathExtras.end(), key) != kPathExtras.end();
      o.extra[key] = is_path ? resolve_path(c, value).string() : value;
    }
  });
  for (auto key : kPathExtras) {
    t.with(key, [&](const toml::node& n, const std::string& p) {
      o.extra[std::string(key)] = read_path(c, n, p);
    });
  }
  t.with("properties", [&](const toml::node& n, const std::string& p) {
    for (auto&& [k, v] : as_table(c, n, p)) {
      o.extra[std::string(kPropertyPrefix) + std::string(k.str())] =
          read_scalar_text(c, v, sub(p, k.str()));
    }
  });
}

std::string read_client_host(const Ctx& c, const toml::node& n, const std::string& p) {
  auto s = read_string(c, n, p);
  if (!s.empty() && !is_valid_client_host(s)) {
    fail(c, line_of(&n), p,
         fmt::format("'{}' is not a valid host; expected {}", printable(s), kClientHostRule));
  }
  return s;
}

std::string read_driver_name(const Ctx& c, const toml::node& n, const std::string& p) {
  auto s = read_string(c, n, p);
  const auto& names = known_drivers();
  if (std::find(names.begin(), names.end(), s) == names.end()) {
    fail(c, line_of(&n), p,
         fmt::format("unknown driver '{}'{}", printable(s), suggestion_suffix(s, names)));
  }
  return s;
}

std::uint64_t read_seed(const Ctx& c, const toml::node& n, const std::string& p) {
  constexpr std::string_view what = "a non-negative integer (up to 2^64-1 as a string)";
  if (const auto* i = n.as_integer()) {
    if (i->get() < 0) expected(c, n, p, what);
    return static_cast<std::uint64_t>(i->get());
  }
  if (const auto* s = n.as_string()) {
    const auto t = trim(s->get());
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (!t.empty() && ec == std::errc() && ptr == t.data() + t.size()) return v;
  }
  expected(c, n, p, what);
}

ParsedDefaults read_defaults(const Ctx& c, const toml::table* tbl) {
  ParsedDefaults pd;
  if (!tbl) return pd;
  const Table t(c, *tbl, "defaults", kDefaultsKeys);
  auto& d = pd.d;
  t.with("driver",
         [&](const toml::node& n, const std::string& p) { d.driver = read_driver_name(c, n, p); });
  t.with("duration", [&](const toml::node& n, const std::string& p) {
    d.duration = read_duration(c, n, p, true);
  });
  t.with("warmup", [&](const toml::node& n, const std::string& p) {
    d.warmup = read_duration(c, n, p, false);
  });
  t.with("iterations", [&](const toml::node& n, const std::string& p) {
    d.iterations = static_cast<int>(read_int(c, n, p, 1, kMaxIterations, "a positive integer"));
  });
  t.with("interval", [&](const toml::node& n, const std::string& p) {
    d.interval = read_duration(c, n, p, true);
  });
  t.with("app_cpus",
         [&](const toml::node& n, const std::string& p) { d.app_cpus = read_cpu_list(c, n, p); });
  t.with("driver_cpus", [&](const toml::node& n, const std::string& p) {
    d.driver_cpus = read_cpu_list(c, n, p);
  });
  t.with("driver_threads", [&](const toml::node& n, const std::string& p) {
    d.driver_threads =
        static_cast<int>(read_int(c, n, p, 0, 1024, "an integer from 0 (automatic) to 1024"));
  });
  t.with("sleep", [&](const toml::node& n, const std::string& p) {
    d.sleep = read_duration(c, n, p, false);
  });
  t.with("seed", [&](const toml::node& n, const std::string& p) { d.seed = read_seed(c, n, p); });
  t.with("out", [&](const toml::node& n, const std::string& p) { d.out = read_path(c, n, p); });
  t.with("ready_timeout", [&](const toml::node& n, const std::string& p) {
    d.ready_timeout = read_duration(c, n, p, true);
  });
  t.with("base_url", [&](const toml::node& n, const std::string& p) {
    auto s = read_nonempty(c, n, p, "an http:// or https:// URL");
    try {
      d.base_url = parse_url(s).str();
    } catch (const ParseError& e) {
      fail(c, line_of(&n), p, e.what());
    }
  });
  t.with("profiler", [&](const toml::node& n, const std::string& p) {
    auto s = read_string(c, n, p);
    if (s == "none") s.clear();
    const auto& names = known_profilers();
    if (!s.empty() && std::find(names.begin(), names.end(), s) == names.end()) {
      fail(c, line_of(&n), p,
           fmt::format("unknown profiler '{}'{}", printable(s), suggestion_suffix(s, names)));
    }
    d.profiler = s;
  });
  t.with("client_host", [&](const toml::node& n, const std::string& p) {
    d.client_host = read_client_host(c, n, p);
  });
  t.with("numa_node", [&](const toml::node& n, const std::string& p) {
    d.numa_node = static_cast<int>(read_int(c, n, p, 0, 1023, "a NUMA node number from 0 to 1023"));
  });
  t.with("clients",
         [&](const toml::node& n, const std::string& p) { pd.clients = read_clients(c, n, p); });
  t.with("rates",
         [&](const toml::node& n, const std::string& p) { pd.rates = read_rates(c, n, p); });
  read_driver_options(t, pd.options);
  return pd;
}

// [host."NAME"]: per-machine CPU layout, applied over [defaults].
void apply_hosts(const Ctx& c, const toml::node* node, const std::string& hostname,
                 SuiteConfig& suite) {
  if (!node) return;
  const auto& hosts = as_table(c, *node, "host");
  struct Match {
    int order;  // globs in file order first, then exact names (which win)
    int line;
    std::string name;
    const toml::table* tbl;
  };
  std::vector<Match> matches;
  const std::string short_name = hostname.substr(0, hostname.find('.'));
  for (auto&& [k, v] : hosts) {
    const std::string name(k.str());
    const std::string path = sub("host", name);
    const Table t(c, as_table(c, v, path), path, kHostKeys);
    // Validate every table, whether it applies here or not, so errors show up on any machine.
    t.with("app_cpus", [&](const toml::node& n, const std::string& p) { read_cpu_list(c, n, p); });
    t.with("driver_cpus",
           [&](const toml::node& n, const std::string& p) { read_cpu_list(c, n, p); });
    t.with("driver_threads", [&](const toml::node& n, const std::string& p) {
      read_int(c, n, p, 0, 1024, "an integer from 0 (automatic) to 1024");
    });
    t.with("numa_node", [&](const toml::node& n, const std::string& p) {
      read_int(c, n, p, 0, 1023, "a NUMA node number from 0 to 1023");
    });
    if (hostname.empty()) continue;
    const bool exact = name == hostname || name == short_name;
    const bool glob = name.find_first_of("*?[") != std::string::npos &&
                      (fnmatch(name.c_str(), hostname.c_str(), 0) == 0 ||
                       fnmatch(name.c_str(), short_name.c_str(), 0) == 0);
    if (exact || glob) {
      matches.push_back(
          {exact ? 1 : 0, static_cast<int>(k.source().begin.line), name, v.as_table()});
    }
  }
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return std::tie(a.order, a.line, a.name) < std::tie(b.order, b.line, b.name);
  });
  for (const auto& m : matches) {
    const std::string path = sub("host", m.name);
    const Table t(c, *m.tbl, path, kHostKeys);
    t.with("app_cpus", [&](const toml::node& n, const std::string& p) {
      suite.defaults.app_cpus = read_cpu_list(c, n, p);
    });
    t.with("driver_cpus", [&](const toml::node& n, const std::string& p) {
      suite.defaults.driver_cpus = read_cpu_list(c, n, p);
    });
    t.with("driver_threads", [&](const toml::node& n, const std::string& p) {
      suite.defaults.driver_threads = static_cast<int>(read_int(c, n, p, 0, 1024, ""));
    });
    t.with("numa_node", [&](const toml::node& n, const std::string& p) {
      suite.defaults.numa_node = static_cast<int>(read_int(c, n, p, 0, 1023, ""));
    });
    suite.applied_hosts.push_back(m.name);
  }
}

std::string default_label(const std::vector<std::string>& command, bool shell) {
  std::string first = command.empty() ? "" : command.front();
  if (shell) {
    // The program name of "FOO=1 ./server --x | tee log": first word without '='.
    for (const auto& w : split_whitespace(first)) {
      if (w.find('=') == std::string::npos) {
        first = w;
        break;
      }
    }
  }
  std::string base = fs::path(first).filename().string();
  for (auto& ch : base) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-')) {
      ch = '_';
    }
  }
  while (!base.empty() && (base.front() == '.' || base.front() == '-'))
    base.erase(0, 1);
  return base.substr(0, 64);
}

AppSpec read_app(const Table& t, const Defaults& d) {
  const auto& c = t.ctx;
  AppSpec a;
  std::optional<bool> shell;
  t.with("shell", [&](const toml::node& n, const std::string& p) { shell = read_bool(c, n, p); });
  const auto* cmd = t.get("command");
  if (!cmd) {
    fail(c, t.line(), t.path("command"),
         "missing; expected the app's command as an argv array such as "
         "[\"./server\", \"--port\", \"8080\"] or a string");
  }
  const auto cmd_path = t.path("command");
  if (const auto* s = cmd->as_string()) {
    const std::string text(trim(s->get()));
    if (text.empty()) expected(c, *cmd, cmd_path, "a non-empty command");
    a.shell = shell.value_or(needs_shell(text));
    if (a.shell) {
      a.command = {text};
    } else {
      try {
        a.command = shell_split(text);
      } catch (const ParseError& e) {
        fail(c, line_of(cmd), cmd_path, e.what());
      }
    }
  } else if (cmd->is_array()) {
    if (shell.value_or(false)) {
      fail(c, line_of(cmd), cmd_path, "shell = true needs the command as one string");
    }
    a.command = read_string_list(c, *cmd, cmd_path, false);
  } else {
    expected(c, *cmd, cmd_path, "an argv array of strings or a command string");
  }
  if (a.command.empty() || a.command.front().empty()) {
    expected(c, *cmd, cmd_path, "a non-empty command");
  }

  if (const auto* n = t.get("label")) {
    a.label = read_string(c, *n, t.path("label"));
    if (!is_valid_name(a.label)) {
      fail(c, line_of(n), t.path("label"),
           fmt::format("'{}' is not a valid label; expected {}", printable(a.label), kNameRule));
    }
  } else {
    a.label = default_label(a.command, a.shell);
    if (!is_valid_name(a.label)) {
      fail(c, t.line(), t.path("label"), "missing; expected a label such as \"main\"");
    }
  }
  t.with("instances", [&](const toml::node& n, const std::string& p) {
    a.instances = static_cast<int>(read_int(c, n, p, 1, 1024, "an integer from 1 to 1024"));
  });
  t.with("cwd", [&](const toml::node& n, const std::string& p) { a.cwd = read_path(c, n, p); });
  t.with("env", [&](const toml::node& n, const std::string& p) {
    for (auto&& [k, v] : as_table(c, n, p)) {
      const std::string name(k.str());
      const bool ok = !name.empty() &&
                      (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
                      std::all_of(name.begin(), name.end(), [](char ch) {
                        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
                      });
      if (!ok) {
        fail(c, static_cast<int>(k.source().begin.line), sub(p, name),
             "not a valid environment variable name (letters, digits and '_')");
      }
      a.env.emplace_back(name, read_scalar_text(c, v, sub(p, name)));
    }
  });
  t.with("cpus",
         [&](const toml::node& n, const std::string& p) { a.cpus = read_cpu_list(c, n, p); });
  t.with("ready_url", [&](const toml::node& n, const std::string& p) {
    auto s = std::string(trim(read_nonempty(c, n, p, "a URL or a path such as \"/health\"")));
    // A path without base_url is joined with each scenario's URL when the run is planned.
    a.ready_url = s.front() == '/' && d.base_url.empty() ? s : read_url(c, n, p, d.base_url);
  });
  t.with("pre_run",
         [&](const toml::node& n, const std::string& p) { a.pre_run = read_string(c, n, p); });
  t.with("port", [&](const toml::node& n, const std::string& p) {
    a.port = static_cast<int>(read_int(c, n, p, 1, 65535, "a TCP port from 1 to 65535"));
  });
  t.with("role", [&](const toml::node& n, const std::string& p) {
    a.role = read_string(c, n, p);
    if (a.role != "" && a.role != "baseline" && a.role != "candidate") {
      expected(c, n, p, "\"baseline\" or \"candidate\"");
    }
  });
  return a;
}

ScenarioSpec read_scenario(const Table& t, const ParsedDefaults& pd) {
  const auto& c = t.ctx;
  ScenarioSpec s;
  if (const auto* n = t.get("name")) {
    s.name = read_string(c, *n, t.path("name"));
    if (!is_valid_name(s.name)) {
      fail(c, line_of(n), t.path("name"),
           fmt::format("'{}' is not a valid scenario name; expected {}", printable(s.name),
                       kNameRule));
    }
  } else {
    fail(c, t.line(), t.path("name"), "missing; expected a name such as \"plaintext\"");
  }
  if (const auto* n = t.get("url")) {
    s.url = read_url(c, *n, t.path("url"), pd.d.base_url);
  } else if (!pd.d.base_url.empty()) {
    s.url = pd.d.base_url;
  } else {
    fail(c, t.line(), t.path("url"),
         "missing; expected a full URL such as \"http://127.0.0.1:8080/plaintext\" (or a path "
         "with base_url in [defaults])");
  }
  s.clients = pd.clients;
  s.rates = pd.rates;
  t.with("clients",
         [&](const toml::node& n, const std::string& p) { s.clients = read_clients(c, n, p); });
  t.with("rates",
         [&](const toml::node& n, const std::string& p) { s.rates = read_rates(c, n, p); });
  if (const auto* n = t.get("driver")) s.driver = read_driver_name(c, *n, t.path("driver"));
  // The sleep driver drives nothing (idle footprint): one load point is enough.
  if (s.clients.empty() && (s.driver.empty() ? pd.d.driver : s.driver) == "sleep") {
    s.clients = {1};
  }
  if (s.clients.empty()) {
    fail(c, t.line(), t.path("clients"),
         "missing; expected a list of positive integers such as [16, 64] (here or in "
         "[defaults])");
  }
  t.with("duration", [&](const toml::node& n, const std::string& p) {
    s.duration = read_duration(c, n, p, true);
  });
  t.with("warmup", [&](const toml::node& n, const std::string& p) {
    s.warmup = read_duration(c, n, p, false);
  });
  t.with("iterations", [&](const toml::node& n, const std::string& p) {
    s.iterations = static_cast<int>(read_int(c, n, p, 1, kMaxIterations, "a positive integer"));
  });
  t.with("driver",
         [&](const toml::node& n, const std::string& p) { s.driver = read_driver_name(c, n, p); });
  s.driver_options = pd.options;
  t.with("driver_cpus", [&](const toml::node& n, const std::string& p) {
    s.driver_options.cpus = read_cpu_list(c, n, p);
  });
  t.with("driver_threads", [&](const toml::node& n, const std::string& p) {
    s.driver_options.threads =
        static_cast<int>(read_int(c, n, p, 0, 1024, "an integer from 0 (automatic) to 1024"));
  });
  t.with("client_host", [&](const toml::node& n, const std::string& p) {
    s.driver_options.client_host = read_client_host(c, n, p);
  });
  t.with("pre_run",
         [&](const toml::node& n, const std::string& p) { s.pre_run = read_string(c, n, p); });
  t.with("post_run",
         [&](const toml::node& n, const std::string& p) { s.post_run = read_string(c, n, p); });
  read_driver_options(t, s.driver_options);

  const std::string driver = s.driver.empty() ? pd.d.driver : s.driver;
  const auto* rates_node = t.get("rates");
  const int line =
      rates_node ? line_of(rates_node) : (t.get("driver") ? line_of(t.get("driver")) : t.line());
  if (!s.rates.empty() && !is_open_loop_driver(driver)) {
    fail(c, line, t.path("rates"),
         fmt::format("the {} driver runs closed loop only; rates need the builtin or wrk2 "
                     "driver",
                     driver));
  }
  if (s.rates.empty() && requires_rates(driver)) {
    fail(c, line, t.path("rates"),
         fmt::format("missing; the {} driver runs at constant rates: give a list of request "
                     "rates such as [1000, 5000]",
                     driver));
  }
  return s;
}

}  // namespace benchgate::config::detail
