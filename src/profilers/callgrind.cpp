#include "profilers/callgrind.h"

#include <fmt/format.h>

#include <charconv>
#include <vector>

#include "core/parse.h"

namespace benchgate::profilers {

namespace {

std::uint64_t count_of(std::string_view w) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (ec != std::errc() || p != w.data() + w.size()) {
    throw ParseError(fmt::format("callgrind output: expected a count, got '{}'", printable(w)));
  }
  return v;
}

std::string_view after(std::string_view line, std::string_view key) {
  return trim(line.substr(key.size()));
}

}  // namespace

std::vector<std::string_view> callgrind_words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
      ++i;
    const std::size_t b = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

std::uint64_t CallgrindTotals::get(std::string_view name) const {
  auto it = events.find(std::string(name));
  return it == events.end() ? 0 : it->second;
}

bool CallgrindTotals::has_cache_events() const {
  for (const char* e : {"I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw"}) {
    if (events.find(e) == events.end()) return false;
  }
  return true;
}

std::uint64_t CallgrindTotals::est_cycles() const {
  return get("Ir") + 10 * (get("I1mr") + get("D1mr") + get("D1mw")) +
         100 * (get("ILmr") + get("DLmr") + get("DLmw"));
}

CallgrindTotals parse_callgrind_totals(std::string_view text) {
  CallgrindTotals t;
  std::vector<std::string_view> names;
  std::string_view summary, totals;
  bool header = false;
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (line_no == 1) {
      header = line.starts_with("# callgrind format");
      if (header) continue;
    }
    if (line.starts_with("version:")) {
      header = true;
    } else if (line.starts_with("creator:")) {
      t.version = std::string(after(line, "creator:"));
    } else if (line.starts_with("pid:")) {
      try {
        t.pid = static_cast<int>(parse_int(after(line, "pid:")));
      } catch (const ParseError&) {
        throw ParseError(fmt::format("callgrind output line {}: bad pid", line_no));
      }
    } else if (line.starts_with("cmd:")) {
      t.cmd = std::string(after(line, "cmd:"));
    } else if (line.starts_with("events:")) {
      names = callgrind_words(after(line, "events:"));
    } else if (line.starts_with("summary:")) {
      summary = after(line, "summary:");
    } else if (line.starts_with("totals:")) {
      totals = after(line, "totals:");
    }
  }
  if (!header) throw ParseError("not callgrind output (no '# callgrind format' or version line)");
  if (names.empty()) throw ParseError("callgrind output: no events line");
  const std::string_view counts = !summary.empty() ? summary : totals;
  if (counts.empty()) throw ParseError("callgrind output: no summary or totals line");
  const auto values = callgrind_words(counts);
  // Trailing zero counts may be left out (the format allows it); more counts than events not.
  if (values.size() > names.size()) {
    throw ParseError(
        fmt::format("callgrind output: {} counts for {} events", values.size(), names.size()));
  }
  for (std::size_t i = 0; i < names.size(); ++i)
    t.events[std::string(names[i])] = i < values.size() ? count_of(values[i]) : 0;
  return t;
}

}  // namespace benchgate::profilers
