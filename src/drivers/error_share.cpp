#include "drivers/error_share.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace benchgate::drivers {

std::string group_thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

namespace {

// "12.5 %", "100 %", "0.3 %": at most one decimal, none when whole.
std::string percent(double fraction) {
  const double p = std::round(fraction * 1000.0) / 10.0;
  if (p == std::floor(p)) return fmt::format("{:.0f} %", p);
  return fmt::format("{:.1f} %", p);
}

// "404 ×9,000, 500 ×12, timeouts ×3": the failed requests by kind, largest status first.
std::string breakdown(const results::DriverResult& r) {
  std::vector<std::pair<std::string, std::int64_t>> codes;
  std::int64_t known = 0;
  for (const auto& [code, n] : r.status_codes) {
    int c = 0;
    try {
      c = std::stoi(code);
    } catch (...) {
      continue;
    }
    if (n <= 0 || (c >= 200 && c < 400)) continue;
    codes.emplace_back(code, n);
    known += n;
  }
  std::stable_sort(codes.begin(), codes.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> parts;
  for (const auto& [code, n] : codes)
    parts.push_back(fmt::format("{} ×{}", code, group_thousands(n)));
  // wrk prints only the count of non-2xx/3xx responses, not their codes.
  if (r.non_2xx_3xx > known) {
    parts.push_back(fmt::format("{}non-2xx/3xx ×{}", known > 0 ? "other " : "",
                                group_thousands(r.non_2xx_3xx - known)));
  }
  const auto& e = r.errors;
  const std::pair<const char*, std::int64_t> sockets[] = {{"connect errors", e.connect},
                                                          {"read errors", e.read},
                                                          {"write errors", e.write},
                                                          {"timeouts", e.timeout},
                                                          {"parse errors", e.parse}};
  for (const auto& [name, n] : sockets) {
    if (n > 0) parts.push_back(fmt::format("{} ×{}", name, group_thousands(n)));
  }
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i)
    out += (i ? ", " : "") + parts[i];
  return out;
}

}  // namespace

std::optional<std::string> error_share_reason(const results::DriverResult& r,
                                              double max_error_rate) {
  const std::int64_t responses = std::max<std::int64_t>(0, r.requests);
  const std::int64_t socket = r.errors.total();
  const std::int64_t attempts = responses + socket;
  if (attempts == 0) return "no response in the measured window";
  const std::int64_t non_ok = std::clamp<std::int64_t>(r.non_2xx_3xx, 0, responses);
  const std::int64_t failed = non_ok + socket;
  const std::int64_t succeeded = responses - non_ok;
  const double share = static_cast<double>(failed) / static_cast<double>(attempts);
  // Responses and socket errors both counted: "requests"; responses only: "responses".
  const char* noun = socket > 0 ? "requests" : "responses";
  if (share > max_error_rate) {
    return fmt::format("{} of {} {} ({}) were errors, above max_error_rate {}: {}",
                       group_thousands(failed), group_thousands(attempts), noun, percent(share),
                       percent(max_error_rate), breakdown(r));
  }
  if (succeeded <= 0) {
    return fmt::format(
        "no successful response: {} of {} {} were errors ({}; a load point without a "
        "successful response is invalid whatever max_error_rate is)",
        group_thousands(failed), group_thousands(attempts), noun, breakdown(r));
  }
  return std::nullopt;
}

bool check_error_share(results::DriverResult& r, double max_error_rate) {
  auto reason = error_share_reason(r, max_error_rate);
  if (!reason) return false;
  r.invalid_reasons.push_back(std::move(*reason));
  return true;
}

}  // namespace benchgate::drivers
