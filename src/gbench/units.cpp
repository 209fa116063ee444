#include "gbench/units.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace benchgate::gbench {

std::optional<TimeUnit> parse_time_unit(std::string_view text) {
  if (text == "ns") return TimeUnit::kNs;
  if (text == "us") return TimeUnit::kUs;
  if (text == "ms") return TimeUnit::kMs;
  if (text == "s") return TimeUnit::kS;
  return std::nullopt;
}

std::string_view time_unit_name(TimeUnit u) {
  switch (u) {
    case TimeUnit::kNs:
      return "ns";
    case TimeUnit::kUs:
      return "us";
    case TimeUnit::kMs:
      return "ms";
    case TimeUnit::kS:
      return "s";
  }
  return "?";
}

int time_unit_exponent(TimeUnit u) {
  switch (u) {
    case TimeUnit::kNs:
      return -9;
    case TimeUnit::kUs:
      return -6;
    case TimeUnit::kMs:
      return -3;
    case TimeUnit::kS:
      return 0;
  }
  return 0;
}

namespace detail {

// "<mantissa>e<exponent + shift>" for a JSON number's text.
std::string shift_decimal(std::string_view number, int shift) {
  const auto e = number.find_first_of("eE");
  int exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view ex = number.substr(e + 1);
    if (!ex.empty() && ex.front() == '+') ex.remove_prefix(1);
    std::from_chars(ex.data(), ex.data() + ex.size(), exponent);
  }
  return fmt::format("{}e{}", number.substr(0, e), exponent + shift);
}

// Shortest round-trip text of a finite double, scientific ("1.5e-06").
std::string shortest(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  return std::string(buf, res.ptr);
}

}  // namespace detail

namespace {

double parse_decimal(const std::string& s) {
  double out = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec == std::errc::result_out_of_range) return s.front() == '-' ? -HUGE_VAL : HUGE_VAL;
  return out;
}

}  // namespace

double convert_time(double value, TimeUnit from, TimeUnit to) {
  if (from == to || !std::isfinite(value) || value == 0) return value;
  return convert_time_text(detail::shortest(value), from, to);
}

double convert_time_text(std::string_view number, TimeUnit from, TimeUnit to) {
  const int shift = time_unit_exponent(from) - time_unit_exponent(to);
  if (shift == 0) return parse_decimal(std::string(number));
  return parse_decimal(detail::shift_decimal(number, shift));
}

}  // namespace benchgate::gbench
