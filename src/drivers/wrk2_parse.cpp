#include "drivers/wrk2_parse.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <optional>

#include "core/parse.h"
#include "drivers/wrk_parse.h"

namespace benchgate::drivers {
namespace {

constexpr std::string_view kHdrTitle = "Latency Distribution (HdrHistogram";

/// "99.900" -> "99.9", "50.000" -> "50", "100.000" -> "100".
std::string percentile_key(std::string_view text) {
  std::string k(trim(text));
  if (k.find('.') != std::string::npos) {
    while (!k.empty() && k.back() == '0')
      k.pop_back();
    if (!k.empty() && k.back() == '.') k.pop_back();
  }
  return k;
}

/// Reads a footer number: "-nan" -> NaN, "inf" -> inf.
double footer_number(std::string_view text) {
  auto t = trim(text);
  if (t == "-nan" || t == "nan") return std::nan("");
  return parse_double(t);
}

/// A count in the footer as T: nan (wrk2 prints it for an empty histogram) is 0; a negative
/// value or one beyond T's range is a ParseError (converting it was undefined behaviour, found
/// by fuzz_wrk2).
template <class T>
T footer_count(std::string_view key, double v) {
  if (std::isnan(v)) return 0;
  if (!(v >= 0 && v < static_cast<double>(std::numeric_limits<T>::max()) + 1.0)) {
    throw ParseError(fmt::format("HdrHistogram footer: {} out of range", key));
  }
  return static_cast<T>(v);
}

/// "#[Mean    =        0.818, StdDeviation   =        0.487]" -> {("Mean",0.818), ...}.
std::vector<std::pair<std::string, double>> parse_footer(std::string_view line) {
  auto t = trim(line);
  if (!t.starts_with("#[") || t.back() != ']') {
    throw ParseError("malformed HdrHistogram footer");
  }
  t = t.substr(2, t.size() - 3);
  std::vector<std::pair<std::string, double>> out;
  for (auto part : split_view(t, ',')) {
    auto eq = part.find('=');
    if (eq == std::string_view::npos) throw ParseError("malformed HdrHistogram footer");
    out.emplace_back(std::string(trim(part.substr(0, eq))), footer_number(part.substr(eq + 1)));
  }
  return out;
}

nlohmann::json spectrum_json(const std::vector<HdrSpectrumRow>& rows) {
  auto out = nlohmann::json::array();
  for (const auto& r : rows)
    out.push_back({r.value_s, r.percentile, r.total_count});
  return out;
}

}  // namespace

HdrBlock parse_hdr_block(const std::vector<std::string_view>& lines, std::size_t& i) {
  HdrBlock b;
  double mean_ms = std::nan(""), stdev_ms = std::nan(""), max_ms = std::nan("");
  std::int64_t total = -1;
  const std::size_t title = i;
  auto fail = [&](std::size_t at, std::string_view what) {
    return ParseError(
        fmt::format("wrk2 output, line {}: {} in the HdrHistogram block of line {} "
                    "(line: '{}')",
                    at + 1, what, title + 1, at < lines.size() ? trim(lines[at]) : ""));
  };
  // " 50.000%  790.00us" rows.
  std::size_t j = i + 1;
  for (; j < lines.size(); ++j) {
    auto words = split_whitespace(lines[j]);
    if (words.size() != 2 || words[0].back() != '%') break;
    try {
      auto key = percentile_key(words[0].substr(0, words[0].size() - 1));
      parse_double(key);
      b.stats.percentiles[key] = parse_wrk_time(words[1]);
    } catch (const ParseError& e) {
      throw fail(j, e.what());
    }
  }
  bool in_spectrum = false;
  for (; j < lines.size(); ++j) {
    const auto t = trim(lines[j]);
    if (t.empty()) continue;
    if (t == "Detailed Percentile spectrum:") {
      in_spectrum = true;
    } else if (t.starts_with("Value") && t.find("Percentile") != std::string_view::npos) {
      // column header
    } else if (t.starts_with("#[")) {
      try {
        for (const auto& [k, v] : parse_footer(t)) {
          if (k == "Mean")
            mean_ms = v;
          else if (k == "StdDeviation")
            stdev_ms = v;
          else if (k == "Max")
            max_ms = v;
          else if (k == "Total count")
            total = footer_count<std::int64_t>(k, v);
          else if (k == "Buckets")
            b.buckets = footer_count<int>(k, v);
          else if (k == "SubBuckets")
            b.sub_buckets = footer_count<int>(k, v);
        }
      } catch (const ParseError& e) {
        throw fail(j, e.what());
      }
    } else if (t.starts_with("----")) {
      break;  // the rule closes the block
    } else if (in_spectrum) {
      auto words = split_whitespace(t);
      if (words.size() != 4) {
        --j;  // not ours: the block ended without its rule
        break;
      }
      try {
        HdrSpectrumRow row;
        row.value_s = parse_double(words[0]) * 1e-3;
        row.percentile = parse_double(words[1]);
        row.total_count = parse_int(words[2]);
        b.spectrum.push_back(row);
      } catch (const ParseError& e) {
        throw fail(j, e.what());
      }
    } else {
      --j;
      break;
    }
  }
  i = std::min(j, lines.size() - 1);

  if (b.stats.percentiles.empty()) throw fail(title, "no percentile rows");
  if (total < 0) total = b.spectrum.empty() ? -1 : b.spectrum.back().total_count;
  if (total < 0) throw fail(title, "no total count (neither footer nor spectrum)");
  b.stats.count = total;
  if (total == 0 || std::isnan(mean_ms)) {
    // No samples: every figure wrk2 printed is a placeholder 0 or -nan.
    b.stats = results::LatencyStats{};
    return b;
  }
  b.stats.mean = mean_ms * 1e-3;
  b.stats.stdev = std::isfinite(stdev_ms) ? stdev_ms * 1e-3 : 0.0;
  if (std::isfinite(max_ms)) {
    b.stats.max = max_ms * 1e-3;
  } else if (auto it = b.stats.percentiles.find("100"); it != b.stats.percentiles.end()) {
    b.stats.max = it->second;
  }
  if (!b.spectrum.empty()) b.stats.min = b.spectrum.front().value_s;
  return b;
}

results::DriverResult parse_wrk2_output(std::string_view text) {
  const auto lines = detail::split_lines(text);
  std::vector<std::string_view> rest;
  std::optional<HdrBlock> recorded, uncorrected;
  auto calibration = nlohmann::json::array();

  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto t = trim(lines[i]);
    if (t.starts_with("Thread calibration:")) {
      // "Thread calibration: mean lat.: 0.917ms, rate sampling interval: 10ms"
      nlohmann::json c = nlohmann::json::object();
      try {
        auto lat = t.find("mean lat.:");
        auto comma = t.find(',', lat);
        auto iv = t.find("interval:");
        if (lat == std::string_view::npos || comma == std::string_view::npos ||
            iv == std::string_view::npos) {
          throw ParseError("malformed calibration line");
        }
        const double mean = parse_wrk_time(t.substr(lat + 10, comma - lat - 10));
        c["mean_latency_s"] = std::isfinite(mean) ? nlohmann::json(mean) : nlohmann::json();
        c["sampling_interval_s"] = parse_wrk_time(t.substr(iv + 9));
      } catch (const ParseError& e) {
        throw ParseError(fmt::format("wrk2 output, line {}: {} (line: '{}')", i + 1, e.what(), t));
      }
      calibration.push_back(c);
    } else if (t.starts_with(kHdrTitle)) {
      const bool is_uncorrected = t.find("Uncorrected") != std::string_view::npos;
      auto block = parse_hdr_block(lines, i);
      (is_uncorrected ? uncorrected : recorded) = std::move(block);
    } else {
      rest.push_back(lines[i]);
    }
  }

  auto common = detail::parse_wrk_common(rest, "wrk2");
  auto r = std::move(common.result);
  if (recorded) {
    r.latency = recorded->stats;
    r.extra["spectrum"] = spectrum_json(recorded->spectrum);
    r.extra["hdr"] = {{"buckets", recorded->buckets}, {"sub_buckets", recorded->sub_buckets}};
  }
  if (uncorrected) {
    r.latency_uncorrected = uncorrected->stats;
    r.extra["spectrum_uncorrected"] = spectrum_json(uncorrected->spectrum);
  }
  r.extra["calibration"] = calibration;
  r.extra["calibrated"] = !calibration.empty();
  return r;
}

}  // namespace benchgate::drivers
