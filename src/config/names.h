#pragma once
// Names the suite file accepts (drivers, profilers, roles), and the small text helpers config
// and matrix share: "did you mean" suggestions and name/label checks.

#include <string>
#include <string_view>
#include <vector>

namespace benchgate::config {

/// Driver names a suite may use (drivers::make_driver knows each of them).
const std::vector<std::string_view>& known_drivers();
/// Drivers that run at a constant rate (the rates list applies).
bool is_open_loop_driver(std::string_view driver);
/// Drivers that need a rates list (they have no closed-loop mode).
bool requires_rates(std::string_view driver);
/// Profiler names ("" = none).
const std::vector<std::string_view>& known_profilers();

/// The candidate closest to `word` (case-insensitive edit distance, at most about a third of
/// the word), or "" when none is close.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);
/// " (did you mean 'x'?)" or "; expected one of: a, b, c".
std::string suggestion_suffix(std::string_view word,
                              const std::vector<std::string_view>& candidates);

/// App labels and scenario names: 1-64 characters of [A-Za-z0-9._+-], not starting with '.' or
/// '-', so they are safe in run ids, file names, cell keys and JUnit names.
bool is_valid_name(std::string_view name);
/// client_host: a host name, an IPv4 or IPv6 literal, optionally prefixed by "user@". Never
/// anything ssh could read as an option (a leading '-') or that a shell would split.
bool is_valid_client_host(std::string_view host);
inline constexpr std::string_view kClientHostRule =
    "a host name, an IP address or user@host (letters, digits, '.', '-', '_'; ':' in an IPv6 "
    "address), not starting with '-'";
inline constexpr std::string_view kNameRule =
    "1-64 characters of letters, digits, '.', '_', '+' or '-', not starting with '.' or '-'";

}  // namespace benchgate::config
