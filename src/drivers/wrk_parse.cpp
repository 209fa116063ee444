#include "drivers/wrk_parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "core/parse.h"

namespace benchgate::drivers {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

/// Splits a token into its numeric prefix (wrk prints "%.2Lf", so also "-nan" and "inf")
/// and the unit suffix.
std::pair<double, std::string_view> split_number(std::string_view token) {
  auto t = trim(token);
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p == t.data()) {
    throw ParseError(fmt::format("expected a number, got '{}'", token));
  }
  return {v, t.substr(static_cast<std::size_t>(p - t.data()))};
}

std::string quote_line(std::string_view line) {
  return fmt::format("'{}'", trim(line));
}

/// Known one-line failures wrk prints instead of a report (wrk.c, script.c, getopt).
std::optional<std::string> diagnose_failure(std::string_view line, std::string_view tool) {
  const auto t = trim(line);
  if (starts_with(t, "unable to connect to ")) {
    // "unable to connect to 127.0.0.1:8099 Connection refused"
    auto rest = t.substr(21);
    auto sp = rest.find(' ');
    std::string addr(rest.substr(0, sp));
    std::string why = sp == std::string_view::npos ? "" : std::string(trim(rest.substr(sp)));
    return fmt::format(
        "{} could not connect to {}{}: nothing accepted the connection, so no load was "
        "driven (is the app running and listening at the URL?); {} said: {}",
        tool, addr, why.empty() ? "" : " (" + why + ")", tool, quote_line(line));
  }
  if (starts_with(t, "unable to resolve ")) {
    return fmt::format("{} could not resolve the URL's host name; {} said: {}", tool, tool,
                       quote_line(line));
  }
  if (starts_with(t, "invalid URL")) {
    return fmt::format("{} rejected the URL; {} said: {}", tool, tool, quote_line(line));
  }
  if (starts_with(t, "Usage: wrk") || starts_with(t, "Usage: wrk2")) {
    return fmt::format("{} printed its usage text: the command line was not accepted", tool);
  }
  if (starts_with(t, "unable to create thread")) {
    return fmt::format("{} could not start its threads; {} said: {}", tool, tool, quote_line(line));
  }
  if (starts_with(t, "PANIC:") || t.find(".lua:") != std::string_view::npos) {
    return fmt::format("{}'s Lua script failed; {} said: {}", tool, tool, quote_line(line));
  }
  if (t.find("invalid option") != std::string_view::npos ||
      t.find("unrecognized option") != std::string_view::npos ||
      t.find("requires an argument") != std::string_view::npos) {
    return fmt::format("{} rejected an option; {} said: {}", tool, tool, quote_line(line));
  }
  if (starts_with(t, "number of connections must be")) {
    return fmt::format("{} rejected the thread/connection counts; {} said: {}", tool, tool,
                       quote_line(line));
  }
  return std::nullopt;
}

detail::WrkStatsRow parse_stats_row(std::string_view line, double (*value)(std::string_view)) {
  // "    Latency   621.86us    1.05ms  11.44ms   88.80%"
  auto words = split_whitespace(line);
  if (words.size() != 5 || words[4].empty() || words[4].back() != '%') {
    throw ParseError(fmt::format("malformed Thread Stats row {}", quote_line(line)));
  }
  detail::WrkStatsRow row;
  row.mean = value(words[1]);
  row.stdev = value(words[2]);
  row.max = value(words[3]);
  auto [pct, unit] = split_number(std::string_view(words[4]).substr(0, words[4].size() - 1));
  if (!unit.empty()) throw ParseError(fmt::format("malformed percentage in {}", quote_line(line)));
  row.within_stdev_pct = pct;
  row.present = true;
  return row;
}

double finite_or_zero(double v) {
  return std::isfinite(v) ? v : 0.0;
}

nlohmann::json json_number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

/// "3s", "1m", "2h" ("Running 3s test @ ..."); wrk formats the configured duration with
/// s/m/h and no decimals when whole. Returns NaN when it does not recognise the text.
double parse_configured_duration(std::string_view token) {
  try {
    return parse_wrk_time(token);
  } catch (const ParseError&) {
    return kNaN;
  }
}

}  // namespace

double parse_wrk_time(std::string_view token) {
  auto [v, unit] = split_number(token);
  if (std::isnan(v)) return kNaN;  // "-nanus": wrk had no samples
  if (unit == "us") return v * 1e-6;
  if (unit == "ms") return v * 1e-3;
  if (unit == "s") return v;
  if (unit == "m") return v * 60;
  if (unit == "h") return v * 3600;
  throw ParseError(
      fmt::format("expected a time such as 621.86us, 1.05ms or 1.14s, got '{}'", trim(token)));
}

double parse_wrk_bytes(std::string_view token) {
  auto [v, unit] = split_number(token);
  if (!unit.empty() && unit.back() == 'B') unit.remove_suffix(1);
  static constexpr std::string_view kUnits = "KMGTP";
  if (unit.empty()) return v;
  auto pos = unit.size() == 1 ? kUnits.find(unit[0]) : std::string_view::npos;
  if (pos == std::string_view::npos) {
    throw ParseError(
        fmt::format("expected a size such as 19.13MB, 5.14KB or 0.00B, got '{}'", trim(token)));
  }
  return v * std::pow(1024.0, static_cast<double>(pos + 1));
}

double parse_wrk_count(std::string_view token) {
  auto [v, unit] = split_number(token);
  static constexpr std::string_view kUnits = "kMGTP";
  if (unit.empty()) return v;
  auto pos = unit.size() == 1 ? kUnits.find(unit[0]) : std::string_view::npos;
  if (pos == std::string_view::npos) {
    throw ParseError(
        fmt::format("expected a number such as 20.84k or 595.03, got '{}'", trim(token)));
  }
  return v * std::pow(1000.0, static_cast<double>(pos + 1));
}

namespace detail {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (auto line : split_view(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
  }
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

WrkCommon parse_wrk_common(const std::vector<std::string_view>& lines, std::string_view tool) {
  WrkCommon out;
  auto& r = out.result;
  r.driver = std::string(tool);
  auto& extra = r.extra;
  bool have_requests = false;
  bool have_rate = false;
  nlohmann::json other = nlohmann::json::array();
  std::optional<std::string> failure;

  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto line = lines[i];
    const auto t = trim(line);
    if (t.empty()) continue;
    const auto words = split_whitespace(t);
    try {
      if (starts_with(t, "Running ") && t.find(" test @ ") != std::string_view::npos) {
        // "Running 3s test @ http://127.0.0.1:8091/plaintext"
        extra["url"] = std::string(trim(t.substr(t.find(" test @ ") + 8)));
        if (words.size() >= 2)
          extra["configured_duration_s"] = json_number(parse_configured_duration(words[1]));
      } else if (words.size() == 5 && words[1] == "threads" && words[2] == "and" &&
                 words[4] == "connections") {
        extra["threads"] = parse_int(words[0]);
        extra["connections"] = parse_int(words[3]);
      } else if (starts_with(t, "Thread Stats")) {
        // column header
      } else if (words[0] == "Latency" && words.size() == 5) {
        out.latency_row = parse_stats_row(t, parse_wrk_time);
      } else if (words[0] == "Req/Sec") {
        out.req_row = parse_stats_row(t, parse_wrk_count);
      } else if (t == "Latency Distribution") {
        // "     50%  212.00us" rows follow.
        while (i + 1 < lines.size()) {
          auto row = split_whitespace(lines[i + 1]);
          if (row.size() != 2 || row[0].size() < 2 || row[0].back() != '%') break;
          auto key = row[0].substr(0, row[0].size() - 1);
          parse_double(key);  // validates the percentile
          r.latency.percentiles[key] = parse_wrk_time(row[1]);
          ++i;
        }
      } else if (words.size() == 6 && words[1] == "requests" && words[2] == "in" &&
                 words[5] == "read") {
        // "124597 requests in 3.01s, 19.13MB read"
        r.requests = parse_int(words[0]);
        auto dur = words[3];
        if (!dur.empty() && dur.back() == ',') dur.pop_back();
        r.duration_s = parse_wrk_time(dur);
        r.bytes_read = parse_wrk_bytes(words[4]);
        have_requests = true;
      } else if (starts_with(t, "Socket errors:")) {
        // "Socket errors: connect 0, read 54109, write 0, timeout 0"
        for (auto part : split(t.substr(14), ',')) {
          auto kv = split_whitespace(part);
          if (kv.size() != 2) throw ParseError("malformed socket error counts");
          auto n = parse_int(kv[1]);
          if (kv[0] == "connect")
            r.errors.connect = n;
          else if (kv[0] == "read")
            r.errors.read = n;
          else if (kv[0] == "write")
            r.errors.write = n;
          else if (kv[0] == "timeout")
            r.errors.timeout = n;
          else
            throw ParseError(fmt::format("unknown socket error kind '{}'", kv[0]));
        }
      } else if (starts_with(t, "Non-2xx or 3xx responses:")) {
        r.non_2xx_3xx = parse_int(t.substr(25));
      } else if (starts_with(t, "Requests/sec:")) {
        extra["requests_per_s"] = json_number(parse_double(t.substr(13)));
        have_rate = true;
      } else if (starts_with(t, "Transfer/sec:")) {
        extra["transfer_per_s"] = json_number(parse_wrk_bytes(t.substr(13)));
      } else {
        if (!failure) failure = diagnose_failure(t, tool);
        other.push_back(std::string(line));
      }
    } catch (const ParseError& e) {
      throw ParseError(fmt::format("{} output, line {}: {} (line: {})", tool, i + 1, e.what(),
                                   quote_line(line)));
    }
  }

  if (!have_requests) {
    if (failure) throw ParseError(*failure);
    if (lines.empty() || std::all_of(lines.begin(), lines.end(),
                                     [](std::string_view l) { return trim(l).empty(); })) {
      throw ParseError(fmt::format("{} printed nothing (expected its report)", tool));
    }
    std::string first;
    for (auto l : lines) {
      if (!trim(l).empty()) {
        first = std::string(trim(l));
        break;
      }
    }
    throw ParseError(
        fmt::format("not {} output: no 'N requests in T, B read' line was found (first line: '{}')",
                    tool, first));
  }
  if (!have_rate) {
    throw ParseError(fmt::format("{} output is incomplete: no 'Requests/sec:' line", tool));
  }
  if (r.non_2xx_3xx > r.requests) {
    throw ParseError(
        fmt::format("{} output is inconsistent: {} non-2xx/3xx responses but {} requests", tool,
                    r.non_2xx_3xx, r.requests));
  }

  if (out.req_row.present) {
    extra["req_per_thread"] = {{"mean", json_number(out.req_row.mean)},
                               {"stdev", json_number(out.req_row.stdev)},
                               {"max", json_number(out.req_row.max)},
                               {"within_stdev_pct", json_number(out.req_row.within_stdev_pct)}};
  }
  if (out.latency_row.present) {
    extra["latency_within_stdev_pct"] = json_number(out.latency_row.within_stdev_pct);
  }
  if (!other.empty()) extra["other_output"] = other;

  // wrk does not print how many latencies it recorded; "+/- Stdev" is -nan exactly when it
  // recorded none (0/0), and then every latency figure is a meaningless 0.
  const bool no_samples = !out.latency_row.present ||
                          std::isnan(out.latency_row.within_stdev_pct) ||
                          std::isnan(out.latency_row.mean);
  if (no_samples) {
    r.latency = results::LatencyStats{};
  } else {
    r.latency.count = r.requests;
    r.latency.mean = finite_or_zero(out.latency_row.mean);
    r.latency.stdev = finite_or_zero(out.latency_row.stdev);
    r.latency.max = finite_or_zero(out.latency_row.max);
    for (auto& [k, v] : r.latency.percentiles)
      v = finite_or_zero(v);
  }
  r.throughput =
      r.duration_s > 0 ? static_cast<double>(r.requests - r.non_2xx_3xx) / r.duration_s : 0.0;
  return out;
}

}  // namespace detail

results::DriverResult parse_wrk_output(std::string_view text) {
  return detail::parse_wrk_common(detail::split_lines(text), "wrk").result;
}

}  // namespace benchgate::drivers
