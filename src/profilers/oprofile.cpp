#include "profilers/oprofile.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <pugixml.hpp>

#include "core/parse.h"

namespace benchgate::profilers {
namespace {

std::string basename_of(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Header lines of both formats: "CPU: Intel Haswell microarchitecture, speed 3.201e+06 MHz
/// (estimated)" and "Counted CPU_CLK_UNHALTED events (...) with a unit mask of 0x00 (...)
/// count 100000".
void parse_header_line(std::string_view t, OprofileReport& r) {
  if (t.starts_with("CPU:")) {
    auto body = trim(t.substr(4));
    auto speed = body.find(", speed ");
    r.cpu = std::string(trim(body.substr(0, speed)));
    if (speed != std::string_view::npos) {
      auto rest = body.substr(speed + 8);
      auto sp = rest.find(' ');
      try {
        r.mhz = parse_double(rest.substr(0, sp));
      } catch (const ParseError&) {
      }
    }
  } else if (t.starts_with("Counted ")) {
    auto body = t.substr(8);
    auto ev = body.find(" events");
    r.event = std::string(body.substr(0, ev));
    auto open = body.find('('), close = body.find(')');
    if (open != std::string_view::npos && close != std::string_view::npos && open < close) {
      r.event_description = std::string(body.substr(open + 1, close - open - 1));
    }
    auto count = body.rfind(" count ");
    if (count != std::string_view::npos) {
      try {
        r.count = parse_int(body.substr(count + 7));
      } catch (const ParseError&) {
      }
    }
  } else if (t.find("timer interrupt") != std::string_view::npos) {
    r.event = "timer";
  }
}

}  // namespace

OprofileReport parse_opreport_text(std::string_view text) {
  OprofileReport r;
  bool header = false;
  bool has_app = false;
  int events = 1;
  std::size_t n = 0;
  for (auto line : split_view(text, '\n')) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto t = trim(line);
    if (t.empty()) continue;
    if (!header) {
      if (t.starts_with("samples") && t.find("symbol name") != std::string_view::npos) {
        header = true;
        has_app = t.find("app name") != std::string_view::npos;
        events = 0;
        for (const auto& w : split_whitespace(t))
          events += w == "samples";
      } else {
        parse_header_line(t, r);
      }
      continue;
    }
    auto words = split_whitespace(t);
    const std::size_t fixed = static_cast<std::size_t>(2 * events) + (has_app ? 1 : 0) + 1;
    if (words.size() <= fixed || !all_digits(words[0])) {
      throw ParseError(
          fmt::format("opreport, line {}: expected 'samples % image symbol' (line: '{}')", n,
                      t.substr(0, 160)));
    }
    OprofileSymbol s;
    try {
      s.samples = parse_int(words[0]);
      s.percent = parse_double(words[1]);
    } catch (const ParseError& e) {
      throw ParseError(fmt::format("opreport, line {}: {} (line: '{}')", n, e.what(), t));
    }
    std::size_t k = static_cast<std::size_t>(2 * events);
    if (has_app) s.app = words[k++];
    s.image = words[k++];
    // The symbol is the rest of the line, spaces included.
    std::size_t pos = 0;
    for (std::size_t w = 0; w < k; ++w) {
      pos = t.find(words[w], pos) + words[w].size();
    }
    s.symbol = std::string(trim(t.substr(pos)));
    s.no_symbols = !s.symbol.empty() && s.symbol.front() == '/' &&
                   basename_of(s.symbol) == basename_of(s.image);
    r.total_samples += s.samples;
    r.symbols.push_back(std::move(s));
  }
  if (!header) {
    throw ParseError(
        "not an 'opreport -l' report: no 'samples  %  image name  symbol name' header");
  }
  return r;
}

OprofileReport parse_opreport_xml(std::string_view xml) {
  pugi::xml_document doc;
  auto res = doc.load_buffer(xml.data(), xml.size());
  if (!res) {
    throw ParseError(fmt::format("opreport XML: {} at offset {}", res.description(), res.offset));
  }
  auto profile = doc.child("profile");
  if (!profile) throw ParseError("opreport XML: no <profile> root element");
  OprofileReport r;
  r.cpu = profile.attribute("processor").value();
  if (r.cpu.empty()) r.cpu = profile.attribute("cputype").value();
  r.mhz = profile.attribute("mhz").as_double();
  if (auto ev = profile.child("setup").child("eventsetup")) {
    r.event = ev.attribute("eventname").value();
    r.count = ev.attribute("setupcount").as_llong();
  } else if (profile.child("setup").child("timersetup")) {
    r.event = "timer";
  }

  std::map<std::string, std::string> names;  // symbol id -> name
  for (auto d : profile.child("symboltable").children("symboldata")) {
    names[d.attribute("id").value()] = d.attribute("name").value();
  }
  // Counts of the first class only (several classes = several events or CPUs).
  std::string first_class;
  auto count_of = [&](pugi::xml_node n) {
    std::int64_t sum = 0;
    for (auto c : n.children("count")) {
      std::string cls = c.attribute("class").value();
      if (first_class.empty()) first_class = cls;
      if (cls != first_class) continue;
      try {
        sum += parse_int(trim(c.text().get()));
      } catch (const ParseError& e) {
        throw ParseError(fmt::format("opreport XML: <count>: {}", e.what()));
      }
    }
    return sum;
  };

  std::map<std::pair<std::string, std::string>, std::int64_t> symbols;  // (image, id) -> count
  std::vector<std::pair<std::string, std::string>> order;
  auto walk = [&](auto&& self, pugi::xml_node node, const std::string& image) -> void {
    for (auto child : node.children()) {
      const std::string_view tag = child.name();
      if (tag == "binary" || tag == "module") {
        self(self, child, child.attribute("name").value());
      } else if (tag == "process" || tag == "thread") {
        self(self, child, image);
      } else if (tag == "symbol" && !image.empty()) {
        auto key = std::make_pair(image, std::string(child.attribute("idref").value()));
        if (!symbols.count(key)) order.push_back(key);
        symbols[key] += count_of(child);
      }
    }
  };
  walk(walk, profile, "");
  for (auto child : profile.children()) {
    const std::string_view tag = child.name();
    if (tag == "binary" || tag == "process") r.total_samples += count_of(child);
  }
  if (r.total_samples == 0) {
    for (const auto& [k, v] : symbols)
      r.total_samples += v;
  }
  for (const auto& key : order) {
    OprofileSymbol s;
    s.image = key.first;
    auto it = names.find(key.second);
    if (it == names.end()) {
      throw ParseError(
          fmt::format("opreport XML: symbol idref '{}' is not in the symboltable", key.second));
    }
    s.symbol = it->second;
    s.samples = symbols[key];
    s.percent = r.total_samples > 0
                    ? 100.0 * static_cast<double>(s.samples) / static_cast<double>(r.total_samples)
                    : 0;
    r.symbols.push_back(std::move(s));
  }
  std::stable_sort(r.symbols.begin(), r.symbols.end(),
                   [](const auto& a, const auto& b) { return a.samples > b.samples; });
  return r;
}

results::ProfileSummary summarize_oprofile(const OprofileReport& r, std::size_t top) {
  results::ProfileSummary s;
  s.profiler = "oprofile";
  if (r.symbols.empty() || r.total_samples <= 0) {
    s.status = "failed";
    s.reason = "opreport shows no samples";
    return s;
  }
  const double total = static_cast<double>(r.total_samples);
  std::map<std::string, std::int64_t> by_image;
  for (const auto& sym : r.symbols) {
    const auto image = basename_of(sym.image);
    by_image[image] += sym.samples;
    if (s.top_symbols.size() < top) {
      const std::string name = sym.no_symbols ? "[" + image + "]" : sym.symbol;
      s.top_symbols.push_back({name, static_cast<double>(sym.samples) / total, image});
    }
  }
  for (const auto& [image, n] : by_image) {
    s.by_dso.push_back({image, static_cast<double>(n) / total, image});
  }
  std::stable_sort(s.top_symbols.begin(), s.top_symbols.end(),
                   [](const auto& a, const auto& b) { return a.share > b.share; });
  std::stable_sort(s.by_dso.begin(), s.by_dso.end(),
                   [](const auto& a, const auto& b) { return a.share > b.share; });
  if (s.by_dso.size() > top) s.by_dso.resize(top);
  s.extra["cpu"] = r.cpu;
  s.extra["mhz"] = r.mhz;
  s.extra["event"] = r.event;
  s.extra["count"] = r.count;
  s.extra["total_samples"] = r.total_samples;
  return s;
}

}  // namespace benchgate::profilers
