#include "config/names.h"

#include <algorithm>
#include <cctype>

#include "core/parse.h"

namespace benchgate::config {

const std::vector<std::string_view>& known_drivers() {
  static const std::vector<std::string_view> names = {
      "builtin", "wrk", "wrk-pipeline", "wrk-nokeepalive", "wrk2", "jmeter", "sleep"};
  return names;
}

bool is_open_loop_driver(std::string_view driver) {
  return driver == "builtin" || driver == "wrk2";
}

bool requires_rates(std::string_view driver) {
  return driver == "wrk2";
}

const std::vector<std::string_view>& known_profilers() {
  static const std::vector<std::string_view> names = {
      "perf", "perf-cg", "perf-idle", "flame", "flame-all", "massif", "oprofile", "oprofile-sys"};
  return names;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance (Levenshtein plus adjacent transpositions), because
  // swapped letters are the most common typo in a key.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i)
    d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j)
    d[0][j] = j;
  auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  // No name is longer than a few dozen characters: a long word is not a typo of one (and an
  // edit-distance table for a 10 MB value would take gigabytes).
  if (word.size() > 64) return {};
  std::string best;
  std::size_t best_d = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3)) + 1;
  for (auto c : candidates) {
    // Separators are the other common slip: "warm_up", "ready-url".
    const auto norm = [](std::string_view s) {
      std::string out;
      for (char ch : s) {
        if (ch != '_' && ch != '-')
          out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      return out;
    };
    const std::size_t d = norm(word) == norm(c) ? 0 : edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(c);
    }
  }
  return best;
}

std::string suggestion_suffix(std::string_view word,
                              const std::vector<std::string_view>& candidates) {
  auto best = closest_match(word, candidates);
  if (!best.empty()) return " (did you mean '" + best + "'?)";
  std::vector<std::string> names(candidates.begin(), candidates.end());
  return "; expected one of: " + join(names, ", ");
}

bool is_valid_client_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  auto word_ok = [](std::string_view w, bool allow_colon) {
    if (w.empty() || w.front() == '-' || w.front() == '.') return false;
    return std::all_of(w.begin(), w.end(), [&](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
             (allow_colon && c == ':');
    });
  };
  if (const auto at = host.find('@'); at != std::string_view::npos) {
    if (!word_ok(host.substr(0, at), false)) return false;
    host.remove_prefix(at + 1);
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {  // [IPv6]
    host = host.substr(1, host.size() - 2);
    return host.find(':') != std::string_view::npos && word_ok(host, true) && host.front() != '.';
  }
  if (host.find(':') != std::string_view::npos) {  // IPv6: hex digits, ':' and '.' (v4-mapped)
    return std::all_of(host.begin(), host.end(), [](char c) {
      return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
    });
  }
  return word_ok(host, false);
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.' || name.front() == '-') {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' ||
           c == '-';
  });
}

}  // namespace benchgate::config
