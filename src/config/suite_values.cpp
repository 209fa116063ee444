// The TOML walker: where a value is (file:line: key), tables with a fixed key set, and one
// reader per kind of value, each failing with "expected WHAT, got VALUE".

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

// ---- Where things are -----------------------------------------------------------------------

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

const toml::table& as_table(const Ctx& c, const toml::node& n, const std::string& path) {
  if (const auto* t = n.as_table()) return *t;
  expected(c, n, path, "a table");
}

// ---- Values -----------------------------------------------------------------------------------

std::string read_string(const Ctx& c, const toml::node& n, const std::string& path,
                        std::string_view what) {
  if (const auto* s = n.as_string()) return std::string(s->get());
  expected(c, n, path, what);
}

std::string read_nonempty(const Ctx& c, const toml::node& n, const std::string& path,
                          std::string_view what) {
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

}  // namespace benchgate::config::detail
