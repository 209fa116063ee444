#include "core/parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

namespace benchgate {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split(std::string_view s, char sep, bool skip_empty) {
  std::vector<std::string> out;
  for (auto part : split_view(s, sep)) {
    if (skip_empty && part.empty()) continue;
    out.emplace_back(part);
  }
  return out;
}

std::vector<std::string_view> split_view(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::vector<std::string> split_whitespace(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    std::size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  if (from.empty()) return s;
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

std::int64_t parse_int(std::string_view text) {
  auto t = trim(text);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size()) {
    throw ParseError(fmt::format("expected an integer, got '{}'", text));
  }
  return v;
}

double parse_double(std::string_view text) {
  auto t = trim(text);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size() || !std::isfinite(v)) {
    throw ParseError(fmt::format("expected a number, got '{}'", text));
  }
  return v;
}

Nanos parse_duration(std::string_view text) {
  const auto t = trim(text);
  const std::string err = fmt::format(
      "expected a duration such as 10s, 500ms, 2m or 1m30s, got '{}'", text);
  if (t.empty()) throw ParseError(err);
  long double total_ns = 0;
  std::size_t i = 0;
  bool any = false;
  while (i < t.size()) {
    std::size_t j = i;
    while (j < t.size() && (std::isdigit(static_cast<unsigned char>(t[j])) || t[j] == '.')) ++j;
    if (j == i) throw ParseError(err);
    double num = 0;
    auto [p, ec] = std::from_chars(t.data() + i, t.data() + j, num);
    if (ec != std::errc() || p != t.data() + j) throw ParseError(err);
    std::size_t k = j;
    while (k < t.size() && std::isalpha(static_cast<unsigned char>(t[k]))) ++k;
    const auto unit = t.substr(j, k - j);
    long double mult;
    if (unit.empty()) {
      if (any || k != t.size()) throw ParseError(err);  // bare number only on its own
      mult = 1e9;
    } else if (unit == "h") {
      mult = 3600e9;
    } else if (unit == "m" || unit == "min") {
      mult = 60e9;
    } else if (unit == "s") {
      mult = 1e9;
    } else if (unit == "ms") {
      mult = 1e6;
    } else if (unit == "us") {
      mult = 1e3;
    } else if (unit == "ns") {
      mult = 1;
    } else {
      throw ParseError(err);
    }
    total_ns += static_cast<long double>(num) * mult;
    any = true;
    i = k;
  }
  if (total_ns > 1e18L) throw ParseError(fmt::format("duration '{}' is too long", text));
  return Nanos{static_cast<std::int64_t>(std::llround(total_ns))};
}

std::string format_duration(Nanos d) {
  const auto ns = d.count();
  if (ns == 0) return "0s";
  struct Unit {
    std::int64_t size;
    const char* name;
  };
  static constexpr Unit units[] = {{3600'000'000'000, "h"}, {60'000'000'000, "m"},
                                   {1'000'000'000, "s"},    {1'000'000, "ms"},
                                   {1'000, "us"},           {1, "ns"}};
  for (const auto& u : units) {
    if (ns % u.size == 0) return fmt::format("{}{}", ns / u.size, u.name);
  }
  // Not a whole number of any unit larger than ns: use seconds with a decimal point
  // when that is exact enough, else ns.
  if (ns >= 1'000'000 && ns % 1'000 == 0 && ns < 60'000'000'000) {
    return fmt::format("{}s", static_cast<double>(ns) / 1e9);
  }
  return fmt::format("{}ns", ns);
}

std::vector<int> parse_cpu_list(std::string_view text) {
  std::set<int> cpus;
  const auto t = trim(text);
  if (t.empty()) return {};
  const std::string err =
      fmt::format("expected a CPU list such as 0,2-3, got '{}'", text);
  for (auto part : split_view(t, ',')) {
    part = trim(part);
    if (part.empty()) throw ParseError(err);
    auto dash = part.find('-');
    try {
      if (dash == std::string_view::npos) {
        auto v = parse_int(part);
        if (v < 0 || v > 4095) throw ParseError(err);
        cpus.insert(static_cast<int>(v));
      } else {
        auto a = parse_int(part.substr(0, dash));
        auto b = parse_int(part.substr(dash + 1));
        if (a < 0 || b < a || b > 4095) throw ParseError(err);
        for (auto c = a; c <= b; ++c) cpus.insert(static_cast<int>(c));
      }
    } catch (const ParseError&) {
      throw ParseError(err);
    }
  }
  return {cpus.begin(), cpus.end()};
}

std::string format_cpu_list(const std::vector<int>& cpus_in) {
  std::vector<int> cpus(cpus_in);
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    if (j == i) {
      out += std::to_string(cpus[i]);
    } else {
      out += fmt::format("{}-{}", cpus[i], cpus[j]);
    }
    i = j + 1;
  }
  return out;
}

double parse_percent(std::string_view text) {
  auto t = trim(text);
  if (!t.empty() && t.back() == '%') t.remove_suffix(1);
  try {
    return parse_double(t) / 100.0;
  } catch (const ParseError&) {
    throw ParseError(fmt::format("expected a percentage such as 3%, got '{}'", text));
  }
}

std::int64_t parse_bytes(std::string_view text) {
  auto t = trim(text);
  std::size_t j = 0;
  while (j < t.size() && (std::isdigit(static_cast<unsigned char>(t[j])) || t[j] == '.')) ++j;
  const std::string err =
      fmt::format("expected a size such as 4MiB, 512KiB or 1048576, got '{}'", text);
  if (j == 0) throw ParseError(err);
  double num;
  try {
    num = parse_double(t.substr(0, j));
  } catch (const ParseError&) {
    throw ParseError(err);
  }
  const auto unit = to_lower(trim(t.substr(j)));
  double mult;
  if (unit.empty() || unit == "b") {
    mult = 1;
  } else if (unit == "k" || unit == "kib" || unit == "kb") {
    mult = unit == "kb" ? 1e3 : 1024.0;
  } else if (unit == "m" || unit == "mib" || unit == "mb") {
    mult = unit == "mb" ? 1e6 : 1024.0 * 1024;
  } else if (unit == "g" || unit == "gib" || unit == "gb") {
    mult = unit == "gb" ? 1e9 : 1024.0 * 1024 * 1024;
  } else {
    throw ParseError(err);
  }
  return static_cast<std::int64_t>(std::llround(num * mult));
}

std::vector<int> parse_positive_int_list(std::string_view text) {
  std::vector<int> out;
  const std::string err =
      fmt::format("expected a comma-separated list of positive integers, got '{}'", text);
  if (trim(text).empty()) throw ParseError(err);
  for (auto part : split_view(text, ',')) {
    try {
      auto v = parse_int(part);
      if (v <= 0 || v > 10'000'000) throw ParseError(err);
      out.push_back(static_cast<int>(v));
    } catch (const ParseError&) {
      throw ParseError(err);
    }
  }
  return out;
}

std::vector<double> parse_positive_double_list(std::string_view text) {
  std::vector<double> out;
  const std::string err =
      fmt::format("expected a comma-separated list of positive numbers, got '{}'", text);
  if (trim(text).empty()) throw ParseError(err);
  for (auto part : split_view(text, ',')) {
    try {
      auto v = parse_double(part);
      if (!(v > 0)) throw ParseError(err);
      out.push_back(v);
    } catch (const ParseError&) {
      throw ParseError(err);
    }
  }
  return out;
}

std::string format_count(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i] (1-4), or 0 when it is not valid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned c = b(i);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return n;
}

}  // namespace

std::string printable(std::string_view value, std::size_t max_chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  std::size_t chars = 0;
  std::size_t i = 0;
  for (; i < value.size() && chars < max_chars; ++chars) {
    const auto c = static_cast<unsigned char>(value[i]);
    const std::size_t n = utf8_length(value, i);
    if (n == 1 && c >= 0x20 && c != 0x7F) {
      out += static_cast<char>(c);
    } else if (n > 1) {
      out.append(value.substr(i, n));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
    i += n == 0 ? 1 : n;
  }
  if (i < value.size()) out += "… (" + format_count(value.size()) + " bytes)";
  return out;
}

std::string format_bytes(double bytes) {
  const double a = std::fabs(bytes);
  if (a >= 1024.0 * 1024 * 1024) return fmt::format("{:.2f} GiB", bytes / (1024.0 * 1024 * 1024));
  if (a >= 1024.0 * 1024) return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024));
  if (a >= 1024.0) return fmt::format("{:.1f} KiB", bytes / 1024.0);
  return fmt::format("{:.0f} B", bytes);
}

std::string format_si(double v) {
  const double a = std::fabs(v);
  if (a >= 1e9) return fmt::format("{:.2f}G", v / 1e9);
  if (a >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.1f}k", v / 1e3);
  if (a >= 100) return fmt::format("{:.0f}", v);
  return fmt::format("{:.2f}", v);
}

std::string format_latency(double s) {
  if (!std::isfinite(s)) return "-";
  const double a = std::fabs(s);
  if (a >= 1.0) return fmt::format("{:.2f}s", s);
  if (a >= 1e-3) return fmt::format("{:.2f}ms", s * 1e3);
  return fmt::format("{:.0f}us", s * 1e6);
}

std::vector<std::string> shell_split(std::string_view cmd) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  for (std::size_t i = 0; i < cmd.size(); ++i) {
    char c = cmd[i];
    if (c == '\'') {
      auto end = cmd.find('\'', i + 1);
      if (end == std::string_view::npos) throw ParseError("unterminated single quote in command");
      cur.append(cmd.substr(i + 1, end - i - 1));
      i = end;
      in_word = true;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < cmd.size() && cmd[j] != '"'; ++j) {
        if (cmd[j] == '\\' && j + 1 < cmd.size() &&
            (cmd[j + 1] == '"' || cmd[j + 1] == '\\' || cmd[j + 1] == '$' || cmd[j + 1] == '`')) {
          ++j;
        }
        cur += cmd[j];
      }
      if (j >= cmd.size()) throw ParseError("unterminated double quote in command");
      i = j;
      in_word = true;
    } else if (c == '\\' && i + 1 < cmd.size()) {
      cur += cmd[++i];
      in_word = true;
    } else if (is_space(c)) {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

std::string shell_quote(std::string_view arg) {
  if (!arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./=:,+@%").find(c) != std::string_view::npos;
      })) {
    return std::string(arg);
  }
  return "'" + replace_all(std::string(arg), "'", "'\\''") + "'";
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += shell_quote(a);
  }
  return out;
}

}  // namespace benchgate
