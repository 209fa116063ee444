#include "drivers/jmeter_parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <regex>

#include "core/parse.h"
#include "core/strings.h"

namespace benchgate::drivers {
namespace {

bool contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

std::string regex_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view(R"(\^$.|?*+()[]{})").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

/// The interval length: count / rate is exact to the rate's 0.1/s; the printed figure bounds
/// it (JMeter prints whole seconds unless the fraction is ≥ 0.05 s and the total ≤ 100 s).
double best_elapsed(std::int64_t samples, double rate, double printed, bool printed_fraction) {
  if (samples <= 0 || !(rate > 0)) return printed;
  const double est = static_cast<double>(samples) / rate;
  const double slack = printed_fraction ? 0.05 : 0.5;
  return std::clamp(est, std::max(0.0, printed - slack), printed + slack);
}

/// Nearest-rank quantile of sorted values (the value at rank ceil(q·N)).
double nearest_rank(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()) - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

results::LatencyStats latency_of(std::vector<double> seconds) {
  results::LatencyStats s;
  if (seconds.empty()) return s;
  std::sort(seconds.begin(), seconds.end());
  s.count = static_cast<std::int64_t>(seconds.size());
  s.min = seconds.front();
  s.max = seconds.back();
  long double sum = 0;
  for (double v : seconds)
    sum += v;
  const long double mean = sum / s.count;
  long double sq = 0;
  for (double v : seconds)
    sq += (v - mean) * (v - mean);
  s.mean = static_cast<double>(mean);
  s.stdev = s.count > 1 ? static_cast<double>(std::sqrt(sq / (s.count - 1))) : 0.0;
  static const std::pair<const char*, double> kKeys[] = {
      {"50", 0.50}, {"75", 0.75}, {"90", 0.90}, {"95", 0.95}, {"99", 0.99}, {"99.9", 0.999}};
  for (const auto& [key, q] : kKeys)
    s.percentiles[key] = nearest_rank(seconds, q);
  return s;
}

/// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}
  /// Reads the next record; false at the end. line() is the record's first line (1-based).
  bool next(std::vector<std::string>& fields) {
    fields.clear();
    if (pos_ >= text_.size()) return false;
    record_line_ = line_;
    std::string field;
    bool quoted = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (quoted) {
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        ++line_;
        break;
      } else if (c != '\r') {
        field += c;
      }
    }
    if (quoted)
      throw ParseError(fmt::format("JTL line {}: unterminated quoted field", record_line_));
    fields.push_back(std::move(field));
    return true;
  }
  std::size_t line() const { return record_line_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 1;
};

std::vector<std::string> default_columns(std::size_t n) {
  static const std::vector<std::string> k213 = {
      "timeStamp", "elapsed", "label", "responseCode", "responseMessage", "threadName",
      "dataType",  "success", "bytes", "grpThreads",   "allThreads",      "Latency"};
  static const std::vector<std::string> k3 = {
      "timeStamp",  "elapsed", "label",          "responseCode", "responseMessage", "threadName",
      "dataType",   "success", "failureMessage", "bytes",        "sentBytes",       "grpThreads",
      "allThreads", "Latency", "IdleTime",       "Connect"};
  static const std::vector<std::string> k5 = {
      "timeStamp",  "elapsed", "label",          "responseCode", "responseMessage", "threadName",
      "dataType",   "success", "failureMessage", "bytes",        "sentBytes",       "grpThreads",
      "allThreads", "URL",     "Latency",        "IdleTime",     "Connect"};
  if (n == k213.size()) return k213;
  if (n == k3.size()) return k3;
  if (n == k5.size()) return k5;
  return {};
}

/// Which socket error a non-HTTP failure is, from JMeter's "Non HTTP response code: <class>"
/// and message.
void classify_failure(const std::string& code, const std::string& message,
                      results::SocketErrors& e) {
  auto has = [&](std::string_view w) { return contains(code, w) || contains(message, w); };
  if (has("ConnectTimeout") || has("connect timed out") || has("ConnectException") ||
      has("HttpHostConnect") || has("Connection refused") || has("NoRouteToHost") ||
      has("UnknownHost")) {
    e.connect++;
  } else if (has("SocketTimeout") || has("Read timed out") || has("timed out")) {
    e.timeout++;
  } else if (has("Broken pipe")) {
    e.write++;
  } else if (has("ProtocolException") || has("MalformedChunk") || has("ParseException")) {
    e.parse++;
  } else {
    e.read++;  // NoHttpResponseException, "Connection reset", and the rest
  }
}

}  // namespace

std::optional<std::pair<std::int64_t, std::int64_t>> JmeterSummary::window_ms() const {
  if (test_start_ms <= 0 || kept.empty()) return std::nullopt;
  const auto from =
      test_start_ms + static_cast<std::int64_t>(std::llround(skipped_before_s * 1000));
  return std::make_pair(from, from + static_cast<std::int64_t>(std::llround(duration_s * 1000)));
}

std::string jmeter_failure_reason(std::string_view console, std::string_view log) {
  auto find_line = [&](std::string_view needle) -> std::string {
    for (auto text : {console, log}) {
      for (auto l : lines_of(text)) {
        if (contains(l, needle)) return std::string(trim(l));
      }
    }
    return {};
  };
  if (auto l = find_line("ForbiddenClassException"); !l.empty()) {
    return fmt::format(
        "JMeter could not load the test plan: its XStream library refused the plan's classes "
        "('{}'). This is Debian 12's JMeter 2.13 with libxstream-java >= 1.4.18, which cannot "
        "load any .jmx, yet exits with status 0 and writes no results. Use a newer JMeter "
        "(e.g. the Apache binary release) and point benchgate at it with its tool path option",
        l);
  }
  if (auto l = find_line("com.thoughtworks.xstream"); !l.empty()) {
    return fmt::format("JMeter could not load the test plan (XStream error): '{}'", l);
  }
  if (auto l = find_line("Error in NonGUIDriver"); !l.empty()) {
    return fmt::format("JMeter could not run the test plan: '{}'", l);
  }
  for (auto needle : {"FileNotFoundException", "Could not open", "does not exist"}) {
    if (auto l = find_line(needle); !l.empty()) {
      return fmt::format("JMeter could not open a file (the test plan?): '{}'", l);
    }
  }
  if (!contains(console, "Creating summariser") && !contains(log, "Summariser")) {
    return "JMeter printed no summariser lines: the run did not start, or summariser.name was "
           "not set (without -Jsummariser.name=summary JMeter prints none)";
  }
  return "JMeter printed no final 'summary =' line: the test did not run to its end";
}

// Over 100 lines on purpose: one pass over JMeter's log, one branch per summary line form;
// the branches are the format's table of lines.
JmeterSummary parse_jmeter_summary(std::string_view text, const JmeterSummaryOptions& options) {
  JmeterSummary s;
  const std::regex re(
      "(?:^|\\s)" + regex_escape(options.name) +
      R"( ([+=])\s+(\d+) in\s+([0-9.]+)s =\s+([0-9.]+|\*+)/s Avg:\s+(-?\d+) Min:\s+(-?\d+) )"
      R"(Max:\s+(-?\d+) Err:\s+(\d+) \(([^)]*)%\)(?: Active: (\d+) Started: (\d+) Finished: (\d+))?)");
  const auto lines = lines_of(text);
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const auto line = lines[n];
    if (s.test_start_ms == 0 && contains(line, "Starting the test @")) {
      // "Starting the test @ Fri Nov 27 17:50:00 UTC 2026 (1795801800954)"
      auto open = line.rfind('('), close = line.rfind(')');
      if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
        try {
          s.test_start_ms = parse_int(line.substr(open + 1, close - open - 1));
        } catch (const ParseError&) {
        }
      }
    }
    if (!contains(line, options.name)) continue;
    std::cmatch m;
    if (!std::regex_search(line.data(), line.data() + line.size(), m, re)) continue;
    try {
      JmeterInterval iv;
      iv.total = m[1].str() == "=";
      iv.samples = parse_int(m[2].str());
      iv.printed_s = parse_double(m[3].str());
      iv.rate = m[4].str().front() == '*' ? 0.0 : parse_double(m[4].str());
      iv.elapsed_s = best_elapsed(iv.samples, iv.rate, iv.printed_s,
                                  m[3].str().find('.') != std::string::npos);
      iv.avg_ms = static_cast<double>(parse_int(m[5].str()));
      iv.min_ms = static_cast<double>(parse_int(m[6].str()));
      iv.max_ms = static_cast<double>(parse_int(m[7].str()));
      iv.errors = parse_int(m[8].str());
      const auto pct = m[9].str();
      iv.error_pct = pct == "NaN" || pct.empty() ? 0.0 : parse_double(pct);
      if (m[10].matched) {
        iv.active = static_cast<int>(parse_int(m[10].str()));
        iv.started = static_cast<int>(parse_int(m[11].str()));
        iv.finished = static_cast<int>(parse_int(m[12].str()));
      }
      iv.line = n + 1;
      if (iv.total) s.total = iv;
      s.lines.push_back(iv);
    } catch (const ParseError& e) {
      throw ParseError(
          fmt::format("JMeter output, line {}: {} (line: '{}')", n + 1, e.what(), trim(line)));
    }
  }
  if (!s.total) throw ParseError(jmeter_failure_reason(text, {}));

  std::vector<std::size_t> plus;
  double interval = options.interval_s;
  for (std::size_t k = 0; k < s.lines.size(); ++k) {
    if (s.lines[k].total) continue;
    plus.push_back(k);
    if (options.interval_s <= 0) interval = std::max(interval, s.lines[k].elapsed_s);
  }
  auto partial = [&](const JmeterInterval& iv) { return iv.elapsed_s < 0.9 * interval; };

  // Warm-up: skip "+" intervals that start before it ends.
  std::size_t first = 0;
  double t = 0;
  while (first < plus.size() && t < options.warmup_s - 1e-9) {
    t += s.lines[plus[first]].elapsed_s;
    ++first;
  }
  // A partial interval at the start (JMeter aligns intervals to the clock).
  while (first < plus.size() && partial(s.lines[plus[first]])) {
    t += s.lines[plus[first]].elapsed_s;
    ++first;
  }
  // And at the end: shorter than the interval, or the threads were finishing in it.
  std::size_t last = plus.size();
  while (last > first) {
    const auto& iv = s.lines[plus[last - 1]];
    if (!partial(iv) && iv.active != 0) break;
    --last;
  }
  s.kept.assign(plus.begin() + static_cast<std::ptrdiff_t>(first),
                plus.begin() + static_cast<std::ptrdiff_t>(last));
  s.skipped_before_s = t;

  if (s.kept.empty()) {
    const auto& tot = *s.total;
    s.samples = tot.samples;
    s.errors = tot.errors;
    s.duration_s = tot.elapsed_s;
    s.avg_ms = tot.avg_ms;
    s.min_ms = tot.min_ms;
    s.max_ms = tot.max_ms;
    s.skipped_before_s = 0;
    s.warnings.push_back(fmt::format(
        "JMeter's run was too short for its summariser interval ({:.0f} s) and warm-up "
        "({:.1f} s): no whole interval was left, so the whole-run total (warm-up included) is "
        "used",
        interval, options.warmup_s));
    return s;
  }
  long double weighted = 0;
  s.min_ms = std::numeric_limits<double>::infinity();
  s.max_ms = 0;
  for (auto k : s.kept) {
    const auto& iv = s.lines[k];
    s.samples += iv.samples;
    s.errors += iv.errors;
    s.duration_s += iv.elapsed_s;
    weighted += static_cast<long double>(iv.avg_ms) * iv.samples;
    if (iv.samples > 0) {
      s.min_ms = std::min(s.min_ms, iv.min_ms);
      s.max_ms = std::max(s.max_ms, iv.max_ms);
    }
  }
  if (!std::isfinite(s.min_ms)) s.min_ms = 0;
  s.avg_ms = s.samples > 0 ? static_cast<double>(weighted / s.samples) : 0.0;
  return s;
}

// Over 100 lines on purpose: the header is mapped to columns, then one pass over the rows
// accumulates every statistic; the columns and the accumulators belong together.
JtlStats parse_jtl_csv(std::string_view text, const JtlOptions& options) {
  JtlStats st;
  CsvReader csv(text);
  std::vector<std::string> f;
  std::vector<std::string> columns = options.columns;
  int c_ts = -1, c_elapsed = -1, c_code = -1, c_msg = -1, c_success = -1, c_bytes = -1;
  auto map_columns = [&](std::size_t line) {
    auto idx = [&](std::string_view name) {
      for (std::size_t k = 0; k < columns.size(); ++k) {
        if (iequals(columns[k], name)) return static_cast<int>(k);
      }
      return -1;
    };
    c_ts = idx("timeStamp");
    c_elapsed = idx("elapsed");
    c_code = idx("responseCode");
    c_msg = idx("responseMessage");
    c_success = idx("success");
    c_bytes = idx("bytes");
    if (c_ts < 0 || c_elapsed < 0 || c_success < 0) {
      throw ParseError(fmt::format(
          "JTL line {}: the columns timeStamp, elapsed and success are required (columns: {})",
          line, join(columns, ",")));
    }
  };
  std::vector<double> all, ok;
  bool first = true;
  st.first_ms = std::numeric_limits<std::int64_t>::max();
  st.last_end_ms = 0;
  while (csv.next(f)) {
    if (f.size() == 1 && trim(f[0]).empty()) continue;  // blank line
    const auto line = csv.line();
    if (first) {
      first = false;
      if (iequals(trim(f[0]), "timeStamp")) {
        st.had_header = true;
        columns = f;
        map_columns(line);
        continue;
      }
      if (columns.empty()) columns = default_columns(f.size());
      if (columns.empty()) {
        throw ParseError(fmt::format(
            "JTL line {}: no header line and {} columns, which is not a JMeter default layout "
            "(12, 16 or 17); run JMeter with -Jjmeter.save.saveservice.print_field_names=true",
            line, f.size()));
      }
      map_columns(line);
    }
    if (f.size() != columns.size()) {
      throw ParseError(fmt::format("JTL line {}: {} fields where the header has {}", line, f.size(),
                                   columns.size()));
    }
    std::int64_t ts, elapsed;
    try {
      ts = parse_int(f[c_ts]);
    } catch (const ParseError&) {
      throw ParseError(
          fmt::format("JTL line {}: timeStamp '{}' is not epoch milliseconds (set "
                      "jmeter.save.saveservice.timestamp_format=ms)",
                      line, f[c_ts]));
    }
    try {
      elapsed = parse_int(f[c_elapsed]);
    } catch (const ParseError& e) {
      throw ParseError(fmt::format("JTL line {}: elapsed: {}", line, e.what()));
    }
    ++st.rows;
    if (ts < options.from_ms || ts >= options.to_ms) continue;
    ++st.samples;
    st.first_ms = std::min(st.first_ms, ts);
    st.last_end_ms = std::max(st.last_end_ms, ts + elapsed);
    const bool success = iequals(trim(f[c_success]), "true");
    const std::string code = c_code >= 0 ? f[c_code] : std::string();
    st.response_codes[code]++;
    if (c_bytes >= 0 && !f[c_bytes].empty()) {
      try {
        st.bytes += static_cast<double>(parse_int(f[c_bytes]));
      } catch (const ParseError& e) {
        throw ParseError(fmt::format("JTL line {}: bytes: {}", line, e.what()));
      }
    }
    const double secs = static_cast<double>(elapsed) / 1000.0;
    all.push_back(secs);
    if (success) {
      ok.push_back(secs);
    } else {
      ++st.failures;
      std::int64_t numeric = 0;
      bool is_http = false;
      try {
        numeric = parse_int(code);
        is_http = numeric >= 100 && numeric <= 599;
      } catch (const ParseError&) {
      }
      if (is_http && (numeric < 200 || numeric >= 400)) {
        ++st.non_2xx_3xx;
      } else if (!is_http) {
        classify_failure(code, c_msg >= 0 ? f[c_msg] : std::string(), st.errors);
      }
      // A failed sample with a 2xx/3xx code failed an assertion: neither kind.
    }
  }
  if (st.samples == 0) {
    st.first_ms = 0;
    st.last_end_ms = 0;
  }
  st.latency = latency_of(std::move(all));
  st.latency_successful = latency_of(std::move(ok));
  return st;
}

results::DriverResult jmeter_result(const JmeterSummary& s, const JtlStats* jtl) {
  results::DriverResult r;
  r.driver = "jmeter";
  r.requests = s.samples;
  r.duration_s = s.duration_s;
  r.throughput = s.duration_s > 0 ? static_cast<double>(s.samples - s.errors) / s.duration_s : 0;
  auto& x = r.extra;
  x["failed_samples"] = s.errors;
  x["intervals_kept"] = s.kept.size();
  x["skipped_before_s"] = s.skipped_before_s;
  if (s.total) {
    x["run_total"] = {{"samples", s.total->samples},
                      {"elapsed_s", s.total->elapsed_s},
                      {"errors", s.total->errors}};
  }
  auto rates = nlohmann::json::array();
  for (auto k : s.kept)
    rates.push_back(s.lines[k].rate);
  x["interval_rates"] = rates;
  if (!s.warnings.empty()) x["warnings"] = s.warnings;

  if (jtl) {
    r.latency = jtl->latency;
    r.non_2xx_3xx = jtl->non_2xx_3xx;
    r.errors = jtl->errors;
    r.bytes_read = jtl->bytes;
    for (const auto& [code, n] : jtl->response_codes) {
      if (code.size() == 3 &&
          std::all_of(code.begin(), code.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        r.status_codes[code] = n;
      }
    }
    x["jtl_samples"] = jtl->samples;
    x["jtl_failures"] = jtl->failures;
    nlohmann::json ok = nlohmann::json::object();
    for (const auto& [k, v] : jtl->latency_successful.percentiles)
      ok[k] = v;
    x["latency_successful"] = {{"count", jtl->latency_successful.count},
                               {"mean", jtl->latency_successful.mean},
                               {"max", jtl->latency_successful.max},
                               {"percentiles", ok}};
  } else {
    // Only the summariser's whole-millisecond figures; no percentiles.
    r.latency.count = s.samples;
    r.latency.mean = s.avg_ms / 1000.0;
    r.latency.min = s.min_ms / 1000.0;
    r.latency.max = s.max_ms / 1000.0;
    r.non_2xx_3xx = s.errors;
    x["errors_unclassified"] = true;
  }
  if (r.latency.count == 0) r.latency = results::LatencyStats{};
  return r;
}

}  // namespace benchgate::drivers
