// benchgate.toml -> SuiteConfig. One walker over a toml::table serves both the TOML file
// (with source lines in every message) and a suite given as JSON (converted to a table first,
// so both are checked by the same code).

#include "config/suite.h"

#include <fmt/format.h>
#include <fnmatch.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "config/names.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "platform/fs.h"
#include "results/metrics.h"

namespace benchgate::config {

namespace fs = std::filesystem;

namespace {

// ---- Where things are -----------------------------------------------------------------------

struct Ctx {
  std::string origin;  ///< shown in messages: the file as the user named it
  fs::path base_dir;   ///< relative paths in the file resolve against this
};

int line_of(const toml::node* n) {
  return n ? static_cast<int>(n->source().begin.line) : 0;
}

std::string quote_key(std::string_view k) {
  const bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return bare ? std::string(k) : fmt::format("\"{}\"", k);
}

std::string sub(const std::string& path, std::string_view key) {
  return path.empty() ? quote_key(key) : path + "." + quote_key(key);
}

[[noreturn]] void fail(const Ctx& c, int line, const std::string& path, std::string_view msg) {
  const std::string where = line > 0 ? fmt::format("{}:{}", c.origin, line) : c.origin;
  if (path.empty()) throw ConfigError(fmt::format("{}: {}", where, msg));
  throw ConfigError(fmt::format("{}: {}: {}", where, path, msg));
}

std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: {
      std::string s(n.as_string()->get());
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return fmt::format("\"{}\"", s);
    }
    case toml::node_type::integer:
      return std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point:
      return fmt::format("{}", n.as_floating_point()->get());
    case toml::node_type::boolean:
      return n.as_boolean()->get() ? "true" : "false";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

[[noreturn]] void expected(const Ctx& c, const toml::node& n, const std::string& path,
                           std::string_view what) {
  fail(c, line_of(&n), path, fmt::format("expected {}, got {}", what, describe(n)));
}

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

const toml::table& as_table(const Ctx& c, const toml::node& n, const std::string& path) {
  if (const auto* t = n.as_table()) return *t;
  expected(c, n, path, "a table");
}

// ---- Values -----------------------------------------------------------------------------------

std::string read_string(const Ctx& c, const toml::node& n, const std::string& path,
                        std::string_view what = "a string") {
  if (const auto* s = n.as_string()) return std::string(s->get());
  expected(c, n, path, what);
}

std::string read_nonempty(const Ctx& c, const toml::node& n, const std::string& path,
                          std::string_view what = "a non-empty string") {
  auto s = read_string(c, n, path, what);
  if (trim(s).empty()) expected(c, n, path, what);
  return s;
}

bool read_bool(const Ctx& c, const toml::node& n, const std::string& path) {
  if (const auto* b = n.as_boolean()) return b->get();
  expected(c, n, path, "true or false");
}

std::int64_t read_int(const Ctx& c, const toml::node& n, const std::string& path, std::int64_t lo,
                      std::int64_t hi, std::string_view what) {
  if (const auto* i = n.as_integer()) {
    if (i->get() >= lo && i->get() <= hi) return i->get();
  }
  expected(c, n, path, what);
}

double read_number(const Ctx& c, const toml::node& n, const std::string& path,
                   std::string_view what) {
  double v = std::numeric_limits<double>::quiet_NaN();
  if (const auto* i = n.as_integer()) v = static_cast<double>(i->get());
  if (const auto* f = n.as_floating_point()) v = f->get();
  if (!std::isfinite(v)) expected(c, n, path, what);
  return v;
}

/// A duration: "10s", "500ms", "1m30s", or a number of seconds.
Nanos read_duration(const Ctx& c, const toml::node& n, const std::string& path, bool positive) {
  const std::string what = positive ? "a positive duration such as \"10s\", \"500ms\" or 2"
                                    : "a duration such as \"10s\", \"500ms\" or 0";
  Nanos d{};
  if (const auto* s = n.as_string()) {
    try {
      d = parse_duration(s->get());
    } catch (const ParseError&) {
      expected(c, n, path, what);
    }
  } else if (n.is_number()) {
    const double secs = read_number(c, n, path, what);
    if (secs < 0 || secs > 1e9) expected(c, n, path, what);
    d = from_seconds(secs);
  } else {
    expected(c, n, path, what);
  }
  if (positive && d <= Nanos::zero()) expected(c, n, path, what);
  return d;
}

/// A CPU list: "0,2-3", or an array of CPU numbers (or range strings).
std::vector<int> read_cpu_list(const Ctx& c, const toml::node& n, const std::string& path) {
  constexpr std::string_view what = "a CPU list such as \"0,2-3\" or [0, 2, 3]";
  try {
    if (const auto* s = n.as_string()) return parse_cpu_list(s->get());
    if (const auto* a = n.as_array()) {
      std::vector<std::string> parts;
      for (const auto& e : *a) {
        if (const auto* i = e.as_integer()) {
          parts.push_back(std::to_string(i->get()));
        } else if (const auto* s = e.as_string(); s && !trim(s->get()).empty()) {
          parts.emplace_back(s->get());
        } else {
          expected(c, e, path, what);
        }
      }
      return parse_cpu_list(join(parts, ","));
    }
  } catch (const ParseError&) {
    expected(c, n, path, what);
  }
  expected(c, n, path, what);
}

/// Client counts: [16, 64], 16 or "16,64".
std::vector<int> read_clients(const Ctx& c, const toml::node& n, const std::string& path) {
  constexpr std::string_view what = "a list of positive integers such as [16, 64]";
  constexpr std::int64_t kMax = 10'000'000;
  std::vector<int> out;
  if (const auto* s = n.as_string()) {
    try {
      return parse_positive_int_list(s->get());
    } catch (const ParseError&) {
      expected(c, n, path, what);
    }
  } else if (n.is_integer()) {
    out.push_back(static_cast<int>(read_int(c, n, path, 1, kMax, what)));
  } else if (const auto* a = n.as_array(); a && !a->empty()) {
    for (const auto& e : *a) {
      if (!e.is_integer() || e.as_integer()->get() < 1 || e.as_integer()->get() > kMax) {
        fail(c, line_of(&n), path,
             fmt::format("expected a list of positive integers, got an "
                         "element {}",
                         describe(e)));
      }
      out.push_back(static_cast<int>(e.as_integer()->get()));
    }
  } else {
    expected(c, n, path, what);
  }
  return out;
}

/// Request rates: [1000, 5000], 1000 or "1000,5000".
std::vector<double> read_rates(const Ctx& c, const toml::node& n, const std::string& path) {
  constexpr std::string_view what = "a list of positive request rates such as [1000, 5000]";
  std::vector<double> out;
  if (const auto* s = n.as_string()) {
    try {
      return parse_positive_double_list(s->get());
    } catch (const ParseError&) {
      expected(c, n, path, what);
    }
  } else if (n.is_number()) {
    const double v = read_number(c, n, path, what);
    if (!(v > 0)) expected(c, n, path, what);
    out.push_back(v);
  } else if (const auto* a = n.as_array(); a && !a->empty()) {
    for (const auto& e : *a) {
      double v = 0;
      if (e.is_number())
        v = e.is_integer() ? static_cast<double>(e.as_integer()->get())
                           : e.as_floating_point()->get();
      if (!e.is_number() || !std::isfinite(v) || !(v > 0)) {
        fail(c, line_of(&n), path,
             fmt::format("expected a list of positive request rates, got "
                         "an element {}",
                         describe(e)));
      }
      out.push_back(v);
    }
  } else {
    expected(c, n, path, what);
  }
  return out;
}

/// ["a", "b"], or one string split like a shell would when split_string.
std::vector<std::string> read_string_list(const Ctx& c, const toml::node& n,
                                          const std::string& path, bool split_string) {
  constexpr std::string_view what = "an array of strings";
  if (const auto* s = n.as_string(); s && split_string) {
    try {
      return shell_split(s->get());
    } catch (const ParseError& e) {
      fail(c, line_of(&n), path, e.what());
    }
  }
  const auto* a = n.as_array();
  if (!a) expected(c, n, path, what);
  std::vector<std::string> out;
  for (const auto& e : *a) {
    if (!e.is_string()) {
      fail(c, line_of(&n), path,
           fmt::format("expected an array of strings, got an element {}", describe(e)));
    }
    out.emplace_back(e.as_string()->get());
  }
  return out;
}

fs::path resolve_path(const Ctx& c, const std::string& p) {
  if (p.empty()) return {};
  fs::path path(p);
  path = path.is_absolute() || c.base_dir.empty() ? path.lexically_normal()
                                                  : (c.base_dir / path).lexically_normal();
  // "dir/." normalises to "dir/"; keep folder names in one spelling.
  if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
  return path;
}

std::string read_path(const Ctx& c, const toml::node& n, const std::string& path) {
  return resolve_path(c, read_nonempty(c, n, path, "a non-empty path")).string();
}

/// A string value for an environment variable or property: strings, numbers and booleans.
std::string read_scalar_text(const Ctx& c, const toml::node& n, const std::string& path) {
  if (const auto* s = n.as_string()) return std::string(s->get());
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* f = n.as_floating_point(); f && std::isfinite(f->get())) {
    return fmt::format("{}", f->get());
  }
  expected(c, n, path, "a string, number or boolean");
}

bool is_token(std::string_view s) {
  // RFC 9110 token characters (method and header names).
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
  });
}

bool has_ctl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    return (static_cast<unsigned char>(ch) < 0x20 && ch != '\t') || ch == 0x7f;
  });
}

std::vector<std::pair<std::string, std::string>> read_headers(const Ctx& c, const toml::node& n,
                                                              const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](std::string name, std::string value, const toml::node& at) {
    name = std::string(trim(name));
    value = std::string(trim(value));
    if (!is_token(name)) {
      fail(c, line_of(&at), path, fmt::format("'{}' is not a valid header name", printable(name)));
    }
    if (has_ctl(value)) {
      fail(c, line_of(&at), path,
           fmt::format("header {} has control characters in its value", name));
    }
    out.emplace_back(std::move(name), std::move(value));
  };
  if (const auto* t = n.as_table()) {
    for (auto&& [k, v] : *t)
      add(std::string(k.str()), read_scalar_text(c, v, sub(path, k.str())), v);
    return out;
  }
  if (const auto* a = n.as_array()) {
    for (const auto& e : *a) {
      const auto* s = e.as_string();
      const auto colon = s ? s->get().find(':') : std::string::npos;
      if (!s || colon == std::string::npos) {
        fail(c, line_of(&n), path,
             fmt::format("expected \"Name: value\" strings, got an element {}", describe(e)));
      }
      add(s->get().substr(0, colon), s->get().substr(colon + 1), e);
    }
    return out;
  }
  expected(c, n, path, "a table of header names to values, or an array of \"Name: value\" strings");
}

/// Scenario headers replace default headers of the same name (case-insensitive).
void merge_headers(std::vector<std::pair<std::string, std::string>>& into,
                   const std::vector<std::pair<std::string, std::string>>& from) {
  std::vector<std::pair<std::string, std::string>> kept;
  for (auto& h : into) {
    const bool replaced = std::any_of(from.begin(), from.end(),
                                      [&](const auto& f) { return iequals(f.first, h.first); });
    if (!replaced) kept.push_back(h);
  }
  kept.insert(kept.end(), from.begin(), from.end());
  into = std::move(kept);
}

std::string read_url(const Ctx& c, const toml::node& n, const std::string& path,
                     const std::string& base_url) {
  const auto text =
      std::string(trim(read_nonempty(c, n, path, "a URL or a path such as \"/plaintext\"")));
  if (text.front() == '/') {
    if (base_url.empty()) {
      fail(c, line_of(&n), path,
           fmt::format("'{}' is a path, so [defaults] needs base_url (such as "
                       "\"http://127.0.0.1:8080\"); or give a full http:// URL",
                       text));
    }
    auto base = parse_url(base_url);
    std::string prefix = base.target.substr(0, base.target.find('?'));
    while (!prefix.empty() && prefix.back() == '/')
      prefix.pop_back();
    base.target = prefix + text;
    try {
      return parse_url(base.str()).str();
    } catch (const ParseError& e) {
      fail(c, line_of(&n), path, e.what());
    }
  }
  try {
    return parse_url(text).str();
  } catch (const ParseError& e) {
    fail(c, line_of(&n), path, e.what());
  }
}

// ---- Commands ---------------------------------------------------------------------------------

/// Shell syntax that shell_split() cannot honour: pipes, lists, redirections, expansions,
/// globs, sub-shells, or a leading VAR=value assignment.
bool needs_shell(std::string_view cmd) {
  if (cmd.find_first_of("|;&$><`()*?\n") != std::string_view::npos) return true;
  const auto words = split_whitespace(cmd);
  if (words.empty()) return false;
  const auto& w = words.front();
  const auto eq = w.find('=');
  return eq != std::string::npos && eq > 0 &&
         (std::isalpha(static_cast<unsigned char>(w[0])) || w[0] == '_') &&
         std::all_of(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(eq), [](char ch) {
           return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
         });
}

// ---- Sections ---------------------------------------------------------------------------------

const std::vector<std::string_view> kRootKeys = {"name",     "defaults", "app",
                                                 "scenario", "gate",     "host"};

/// Driver option keys valid in [defaults] and in every [[scenario]].
const std::vector<std::string_view> kDriverOptionKeys = {"method",
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
                                                         "warmup_requests"};

std::vector<std::string_view> with_driver_options(std::vector<std::string_view> keys) {
  keys.insert(keys.end(), kDriverOptionKeys.begin(), kDriverOptionKeys.end());
  return keys;
}

const std::vector<std::string_view> kDefaultsKeys =
    with_driver_options({"driver", "duration", "warmup", "iterations", "interval", "app_cpus",
                         "driver_cpus", "driver_threads", "sleep", "seed", "out", "ready_timeout",
                         "base_url", "profiler", "client_host", "clients", "rates"});
const std::vector<std::string_view> kAppKeys = {
    "label", "command", "shell", "instances", "cwd", "env", "cpus", "ready_url", "pre_run", "role"};
const std::vector<std::string_view> kScenarioKeys = with_driver_options(
    {"name", "url", "clients", "rates", "duration", "warmup", "iterations", "driver", "driver_cpus",
     "driver_threads", "client_host", "pre_run", "post_run"});
const std::vector<std::string_view> kHostKeys = {"app_cpus", "driver_cpus", "driver_threads"};
const std::vector<std::string_view> kGateKeys = {
    "alpha", "min_runs", "warn_only", "testbed_mismatch", "confirm", "scenario"};
const std::vector<std::string_view> kThresholdKeys = {"min_effect", "alpha", "better", "enabled"};
/// Keys of DriverOptions::extra that are paths (resolved against the suite folder).
const std::vector<std::string_view> kPathExtras = {"plan", "user_properties", "system_properties"};

constexpr std::int64_t kMaxIterations = 100'000;

// measure = "wall" | "instructions", and the request counts of instruction mode.
void read_measure_options(const Table& t, results::DriverOptions& o) {
  const auto& c = t.ctx;
  t.with("measure", [&](const toml::node& n, const std::string& p) {
    o.measure = read_string(c, n, p);
    if (o.measure != "wall" && o.measure != "instructions") {
      expected(c, n, p, "\"wall\" or \"instructions\"");
    }
  });
  t.with("counted_requests", [&](const toml::node& n, const std::string& p) {
    o.counted_requests = read_int(c, n, p, 1, 10'000'000, "an integer from 1 to 10000000");
  });
  t.with("warmup_requests", [&](const toml::node& n, const std::string& p) {
    o.warmup_requests = read_int(c, n, p, 0, 10'000'000, "an integer from 0 to 10000000");
  });
}

void measure_options_to_json(const results::DriverOptions& o, nlohmann::json& j) {
  if (o.measure == "instructions") {
    j["measure"] = o.measure;
    j["counted_requests"] = o.counted_requests;
    j["warmup_requests"] = o.warmup_requests;
  }
}

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

struct ParsedDefaults {
  Defaults d;
  results::DriverOptions options;
  std::vector<int> clients;
  std::vector<double> rates;
};

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

// ---- [gate] -----------------------------------------------------------------------------------

std::vector<std::string_view> metric_names() {
  std::vector<std::string_view> out;
  for (const auto& m : results::known_metrics())
    out.push_back(m.name);
  return out;
}

/// "latency_p99.9" needs quotes in TOML; accept the bare spelling too.
std::string canonical_metric(std::string_view name) {
  if (name == "latency_p999") return std::string(results::metric::kLatencyP999);
  return std::string(name);
}

std::string abs_example(const results::MetricInfo& m) {
  if (m.unit == "s") return "\"5ms\"";
  if (m.unit == "bytes") return "\"4MiB\"";
  if (m.unit == "req/s") return "\"500/s\"";
  if (m.unit == "count") return "2";
  return "";
}

void read_effect(const Ctx& c, const toml::node& n, const std::string& p,
                 const results::MetricInfo& m, results::MetricThreshold& th) {
  const bool difference = m.scale == results::Scale::kDifference;
  const std::string abs_ex = abs_example(m);
  std::string what;
  if (difference) {
    what = fmt::format(
        "an absolute amount such as {} ({} is compared as a difference, so "
        "percentages do not apply)",
        abs_ex, m.name);
  } else if (abs_ex.empty()) {
    what = "a percentage such as \"5%\"";
  } else {
    what = fmt::format("a percentage such as \"3%\" or an absolute amount such as {}", abs_ex);
  }
  auto set_rel = [&](double v) {
    if (th.min_effect_rel) fail(c, line_of(&n), p, "two relative effects given; give at most one");
    th.min_effect_rel = v;
  };
  auto set_abs = [&](double v) {
    if (th.min_effect_abs) fail(c, line_of(&n), p, "two absolute effects given; give at most one");
    th.min_effect_abs = v;
  };
  if (const auto* s = n.as_string()) {
    const auto text = trim(s->get());
    try {
      if (!text.empty() && text.back() == '%') {
        if (difference) expected(c, n, p, what);
        const double v = parse_percent(text);
        if (v < 0 || v >= 10) expected(c, n, p, "a percentage from 0% to 1000%");
        return set_rel(v);
      }
      if (m.unit == "s") return set_abs(to_seconds(parse_duration(text)));
      if (m.unit == "bytes") return set_abs(static_cast<double>(parse_bytes(text)));
      if (m.unit == "req/s") {
        auto t = text;
        for (std::string_view suffix : {"req/s", "rps", "/s"}) {
          if (t.size() > suffix.size() && t.substr(t.size() - suffix.size()) == suffix) {
            t = trim(t.substr(0, t.size() - suffix.size()));
            const double v = parse_double(t);
            if (v < 0) break;
            return set_abs(v);
          }
        }
      }
      if (m.unit == "count") {
        const double v = parse_double(text);
        if (v >= 0) return set_abs(v);
      }
    } catch (const ParseError&) {
    }
    expected(c, n, p, what);
  }
  if (n.is_number()) {
    if (!difference) {
      fail(c, line_of(&n), p,
           fmt::format("a bare number is ambiguous for {}: write \"{}%\" for a relative effect{}",
                       m.name, describe(n),
                       abs_ex.empty() ? "" : " or an amount with its unit such as " + abs_ex));
    }
    const double v = read_number(c, n, p, what);
    if (v < 0) expected(c, n, p, what);
    return set_abs(v);
  }
  expected(c, n, p, what);
}

results::MetricThreshold read_threshold(const Ctx& c, const toml::node& n, const std::string& p,
                                        const results::MetricInfo& m) {
  results::MetricThreshold th;
  if (const auto* b = n.as_boolean()) {
    th.enabled = b->get();
    return th;
  }
  if (!n.is_table()) {
    expected(c, n, p, "a table such as { min_effect = \"3%\" }, or true/false");
  }
  const Table t(c, *n.as_table(), p, kThresholdKeys);
  t.with("min_effect", [&](const toml::node& e, const std::string& ep) {
    if (const auto* a = e.as_array()) {
      if (a->empty() || a->size() > 2) {
        expected(c, e, ep,
                 "one effect, or a relative and an absolute one such as [\"3%\", \"4MiB\"]");
      }
      for (const auto& x : *a)
        read_effect(c, x, ep, m, th);
    } else {
      read_effect(c, e, ep, m, th);
    }
  });
  t.with("alpha", [&](const toml::node& e, const std::string& ep) {
    const double v = read_number(c, e, ep, "a significance level above 0 and at most 0.5");
    if (!(v > 0 && v <= 0.5)) expected(c, e, ep, "a significance level above 0 and at most 0.5");
    th.alpha = v;
  });
  t.with("better", [&](const toml::node& e, const std::string& ep) {
    const auto s = read_string(c, e, ep, "\"higher\" or \"lower\"");
    if (s == "higher") {
      th.better = results::Better::kHigher;
    } else if (s == "lower") {
      th.better = results::Better::kLower;
    } else {
      expected(c, e, ep, "\"higher\" or \"lower\"");
    }
  });
  t.with("enabled",
         [&](const toml::node& e, const std::string& ep) { th.enabled = read_bool(c, e, ep); });
  return th;
}

std::map<std::string, results::MetricThreshold> read_metric_thresholds(
    const Table& t, const std::vector<std::string_view>& skip) {
  std::map<std::string, results::MetricThreshold> out;
  for (auto&& [k, v] : t.raw()) {
    if (std::find(skip.begin(), skip.end(), k.str()) != skip.end()) continue;
    const auto name = canonical_metric(k.str());
    const auto info = results::find_metric(name);
    // Table's key check guarantees the name is known.
    if (!info) continue;
    out[name] = read_threshold(t.ctx, v, t.path(k.str()), *info);
  }
  return out;
}

bool valid_cell_suffix(std::string_view rest) {
  // "c=64" or "c=16 r=1000" (LoadPoint::key()).
  auto words = split_whitespace(rest);
  if (words.empty() || words.size() > 2) return false;
  try {
    if (words[0].rfind("c=", 0) != 0 || parse_int(words[0].substr(2)) < 1) return false;
    if (words.size() == 2 &&
        (words[1].rfind("r=", 0) != 0 || !(parse_double(words[1].substr(2)) > 0))) {
      return false;
    }
  } catch (const ParseError&) {
    return false;
  }
  return true;
}

results::GateSettings read_gate(const Ctx& c, const toml::node* node,
                                const std::vector<ScenarioSpec>& scenarios) {
  results::GateSettings g;
  if (!node) return g;
  auto allowed = kGateKeys;
  const auto metrics = metric_names();
  allowed.insert(allowed.end(), metrics.begin(), metrics.end());
  allowed.push_back("latency_p999");
  const Table t(c, as_table(c, *node, "gate"), "gate", allowed);
  t.with("alpha", [&](const toml::node& n, const std::string& p) {
    const double v = read_number(c, n, p, "a significance level above 0 and at most 0.5");
    if (!(v > 0 && v <= 0.5)) expected(c, n, p, "a significance level above 0 and at most 0.5");
    g.alpha = v;
  });
  t.with("min_runs", [&](const toml::node& n, const std::string& p) {
    g.min_runs = static_cast<int>(read_int(c, n, p, 1, kMaxIterations, "a positive integer"));
  });
  t.with("warn_only",
         [&](const toml::node& n, const std::string& p) { g.warn_only = read_bool(c, n, p); });
  t.with("testbed_mismatch", [&](const toml::node& n, const std::string& p) {
    g.testbed_mismatch = read_string(c, n, p);
    if (g.testbed_mismatch != "error" && g.testbed_mismatch != "warn") {
      expected(c, n, p, "\"error\" or \"warn\"");
    }
  });
  t.with("confirm", [&](const toml::node& n, const std::string& p) {
    g.confirm = static_cast<int>(read_int(c, n, p, 0, 1000, "an integer from 0 to 1000"));
  });
  g.metrics = read_metric_thresholds(t, kGateKeys);
  t.with("scenario", [&](const toml::node& n, const std::string& p) {
    std::vector<std::string_view> names;
    for (const auto& s : scenarios)
      names.push_back(s.name);
    auto metric_keys = metrics;
    metric_keys.push_back("latency_p999");
    for (auto&& [k, v] : as_table(c, n, p)) {
      const std::string key(k.str());
      const std::string kp = sub(p, key);
      const auto space = key.find(' ');
      const std::string scen = key.substr(0, space);
      if (std::find(names.begin(), names.end(), scen) == names.end()) {
        fail(c, static_cast<int>(k.source().begin.line), kp,
             fmt::format("no scenario named '{}'{}", printable(scen),
                         suggestion_suffix(scen, names)));
      }
      if (space != std::string::npos && !valid_cell_suffix(key.substr(space + 1))) {
        fail(c, static_cast<int>(k.source().begin.line), kp,
             "expected a scenario name or a cell key such as \"plaintext c=64\" or "
             "\"plaintext c=16 r=1000\"");
      }
      const Table st(c, as_table(c, v, kp), kp, metric_keys);
      g.per_scenario[key] = read_metric_thresholds(st, {});
    }
  });
  return g;
}

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
  measure_options_to_json(o, j);
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
