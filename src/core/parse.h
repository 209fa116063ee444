#pragma once
// Pure parsers and formatters for the values users type: durations, CPU lists, sizes,
// percentages, number lists. Each throws ParseError with a message that says what was
// expected; callers prefix it with the option, file or key (see with_context()).

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace benchgate {

class ParseError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// "10s", "500ms", "2m", "1h", "1.5s", "250us", "1m30s"; a bare number is seconds.
/// Negative values are rejected.
Nanos parse_duration(std::string_view text);
/// Shortest exact form: "10s", "500ms", "1.5s", "2m", "250us".
std::string format_duration(Nanos d);

/// "0,2-3" -> {0,2,3}. Sorted, without duplicates. Empty text -> empty list.
std::vector<int> parse_cpu_list(std::string_view text);
/// {0,2,3} -> "0,2-3".
std::string format_cpu_list(const std::vector<int>& cpus);

/// "3%", "0.5%", "3" (percent) -> 0.03. The result is a fraction.
double parse_percent(std::string_view text);
/// "4MiB", "512KiB", "1GiB", "4MB", "4096" (bytes), "4M" -> bytes.
std::int64_t parse_bytes(std::string_view text);
/// "16,64,128" -> {16,64,128}; every element a positive integer.
std::vector<int> parse_positive_int_list(std::string_view text);
/// "1000,5000.5" -> {1000,5000.5}; every element positive.
std::vector<double> parse_positive_double_list(std::string_view text);

/// Strict whole-string numeric parses (no trailing junk).
std::int64_t parse_int(std::string_view text);
double parse_double(std::string_view text);

// Strings.
std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep, bool skip_empty = false);
std::vector<std::string_view> split_view(std::string_view s, char sep);
std::vector<std::string> split_whitespace(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string replace_all(std::string s, std::string_view from, std::string_view to);

/// Human formats for console output: "1.50 MiB", "12.3k", "1.23ms".
std::string format_bytes(double bytes);
std::string format_si(double value);
std::string format_latency(double seconds);
/// 10485760 -> "10,485,760".
std::string format_count(std::uint64_t n);

/// A value for an error message: control bytes and invalid UTF-8 escaped (\n, \x00), cut to
/// `max_chars` characters with "… (N bytes)" appended when longer. An echoed 10 MB value
/// stays one short line.
std::string printable(std::string_view value, std::size_t max_chars = 80);

/// Runs f(); a ParseError (or std::invalid_argument) it throws becomes a UsageError whose
/// message is "<context>: <message>".
template <class F>
auto with_context(std::string_view context, F&& f) -> decltype(f());

/// Splits a command line into argv the way a POSIX shell would for simple cases: whitespace
/// separates words, single and double quotes group, backslash escapes. No expansion.
std::vector<std::string> shell_split(std::string_view command);
/// Quotes one argument for display or for `sh -c` (single quotes).
std::string shell_quote(std::string_view arg);
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace benchgate

#include "core/error.h"

template <class F>
auto benchgate::with_context(std::string_view context, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string(context) + ": " + e.what());
  }
}
