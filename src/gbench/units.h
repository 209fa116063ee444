#pragma once
// Google Benchmark time units and exact conversion between them (docs/gbench-json.md).

#include <optional>
#include <string>
#include <string_view>

namespace benchgate::gbench {

enum class TimeUnit { kNs, kUs, kMs, kS };

std::optional<TimeUnit> parse_time_unit(std::string_view text);
std::string_view time_unit_name(TimeUnit u);
/// Power of ten of one unit in seconds (ns → −9).
int time_unit_exponent(TimeUnit u);
/// Converts between time units by shifting the decimal exponent of the value's shortest
/// round-trip representation and rounding once (so 1.5 us → 1.5e-6 s exactly as if the file
/// had said 1.5e-6).
double convert_time(double value, TimeUnit from, TimeUnit to);
/// The same on a number's text: the decimal exponent is shifted and the result rounded once,
/// so "1.7123456789012345e+02" us reads as the double nearest 1.7123456789012345e-04 s.
double convert_time_text(std::string_view number, TimeUnit from, TimeUnit to);

namespace detail {
/// "<mantissa>e<exponent + shift>" for a JSON number's text.
std::string shift_decimal(std::string_view number, int shift);
/// Shortest round-trip text of a finite double, scientific ("1.5e-06").
std::string shortest(double v);
}  // namespace detail

}  // namespace benchgate::gbench
