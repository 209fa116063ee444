#include "loadgen/request.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"

namespace benchgate::loadgen {
namespace {

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_method(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    switch (s[++i]) {
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        throw ParseError(fmt::format("unknown escape '\\{}' in @body", s[i]));
    }
  }
  return out;
}

}  // namespace

// Over 100 lines on purpose: one pass over the request file, one branch per directive (mode,
// a request line, header, body, body-file); the branches are the file format's table.
RequestList parse_request_list(std::string_view text, const std::filesystem::path& base_dir,
                               const Url& origin) {
  RequestList list;
  int lineno = 0;
  bool seen_request = false;
  for (std::string_view raw : split_view(text, '\n')) {
    ++lineno;
    auto err = [&](const std::string& what) {
      return ParseError(fmt::format("line {}: {}", lineno, what));
    };
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const auto words = split_whitespace(line);
    if (words[0] == "mode") {
      if (seen_request) throw err("'mode' must come before the first request");
      if (words.size() != 2) throw err("expected 'mode weighted' or 'mode round-robin'");
      if (words[1] == "weighted") {
        list.selection = Selection::kWeighted;
      } else if (words[1] == "round-robin") {
        list.selection = Selection::kRoundRobin;
      } else {
        throw err(fmt::format("unknown mode '{}' (expected weighted or round-robin)", words[1]));
      }
      continue;
    }
    if (line.starts_with("@body-file")) {
      if (!seen_request) throw err("@body-file before any request");
      const auto path_text = trim(line.substr(10));
      if (path_text.empty()) throw err("@body-file needs a path");
      std::filesystem::path p(std::string{path_text});
      if (p.is_relative()) p = base_dir / p;
      // A regular file of at most 512 MiB (a FIFO would block, /dev/zero never ends).
      try {
        list.requests.back().body = platform::read_input_file(p);
      } catch (const ConfigError& e) {
        throw err(fmt::format("cannot read body file: {}", e.what()));
      }
      continue;
    }
    if (line.starts_with("@body")) {
      if (!seen_request) throw err("@body before any request");
      auto body = line.substr(5);
      if (!body.empty() && body.front() != ' ' && body.front() != '\t') {
        throw err(fmt::format("unknown directive '{}'", words[0]));
      }
      if (!body.empty()) body.remove_prefix(1);
      try {
        list.requests.back().body = unescape(body);
      } catch (const ParseError& e) {
        throw err(e.what());
      }
      continue;
    }
    if (line.front() == '@') throw err(fmt::format("unknown directive '{}'", words[0]));
    const auto colon = line.find(':');
    const bool header_like =
        colon != std::string_view::npos && colon > 0 &&
        std::all_of(line.begin(), line.begin() + static_cast<long>(colon), is_token_char);
    if (words.size() >= 2 && is_method(words[0]) &&
        (words[1].starts_with("/") || words[1].starts_with("http://") ||
         words[1].starts_with("https://"))) {
      RequestSpec spec;
      spec.method = words[0];
      if (words[1].front() == '/') {
        spec.target = words[1];
      } else {
        Url u;
        try {
          u = parse_url(words[1]);
        } catch (const ParseError& e) {
          throw err(e.what());
        }
        if (u.scheme != origin.scheme || u.host != origin.host || u.port != origin.port) {
          throw err(fmt::format("'{}' is not on the driven origin {}://{}", words[1], origin.scheme,
                                origin.authority()));
        }
        spec.target = u.target;
      }
      for (std::size_t i = 2; i < words.size(); ++i) {
        if (!words[i].starts_with("weight=")) {
          throw err(fmt::format("unexpected '{}' (expected weight=N)", words[i]));
        }
        std::int64_t w = 0;
        try {
          w = parse_int(std::string_view(words[i]).substr(7));
        } catch (const ParseError&) {
          w = 0;
        }
        if (w < 1 || w > 1'000'000) throw err("weight must be an integer from 1 to 1000000");
        spec.weight = static_cast<int>(w);
      }
      list.requests.push_back(std::move(spec));
      seen_request = true;
      continue;
    }
    if (header_like) {
      if (!seen_request) throw err("header before any request");
      list.requests.back().headers.emplace_back(std::string(line.substr(0, colon)),
                                                std::string(trim(line.substr(colon + 1))));
      continue;
    }
    throw err(
        fmt::format("expected 'METHOD /path [weight=N]', 'Name: value', @body or "
                    "@body-file, got '{}'",
                    line));
  }
  if (list.requests.empty()) throw ParseError("no requests in the list");
  return list;
}

RequestList load_request_list(const std::filesystem::path& path, const Url& origin) {
  std::string text;
  try {
    text = platform::read_input_file(path);
  } catch (const ConfigError& e) {
    throw ParseError(fmt::format("{} (expected the request list)", e.what()));
  }
  try {
    return parse_request_list(text, path.parent_path(), origin);
  } catch (const ParseError& e) {
    std::string what = e.what();
    if (what.starts_with("line ")) what = what.substr(5);  // "N: ..." -> "<path>:N: ..."
    throw ParseError(fmt::format("{}:{}", path.string(), what));
  }
}

std::string serialize_request(const RequestSpec& spec, const HeaderList& common, const Url& url,
                              bool keepalive) {
  auto has = [&](const HeaderList& list, std::string_view name) {
    return std::any_of(list.begin(), list.end(),
                       [&](const auto& h) { return iequals(h.first, name); });
  };
  std::string out = fmt::format("{} {} HTTP/1.1\r\n", spec.method, spec.target);
  if (!has(spec.headers, "host") && !has(common, "host")) {
    out += "Host: " + url.authority() + "\r\n";
  }
  for (const auto& [k, v] : common) {
    if (has(spec.headers, k)) continue;
    if (iequals(k, "content-length") || (!keepalive && iequals(k, "connection"))) continue;
    out += k + ": " + v + "\r\n";
  }
  for (const auto& [k, v] : spec.headers) {
    if (iequals(k, "content-length") || (!keepalive && iequals(k, "connection"))) continue;
    out += k + ": " + v + "\r\n";
  }
  const bool wants_length = spec.method == "POST" || spec.method == "PUT" || spec.method == "PATCH";
  if (!spec.body.empty() || wants_length) {
    out += fmt::format("Content-Length: {}\r\n", spec.body.size());
  }
  if (!keepalive) out += "Connection: close\r\n";
  out += "\r\n";
  out += spec.body;
  return out;
}

RequestSelector::RequestSelector(const std::vector<int>& weights, Selection selection)
    : selection_(selection), weights_(weights.begin(), weights.end()), current_(weights.size(), 0) {
  for (auto w : weights_)
    total_ += w;
}

std::uint32_t RequestSelector::next_weighted() {
  std::size_t best = 0;
  for (std::size_t i = 0; i < weights_.size(); ++i) {
    current_[i] += weights_[i];
    if (current_[i] > current_[best]) best = i;
  }
  current_[best] -= total_;
  return static_cast<std::uint32_t>(best);
}

}  // namespace benchgate::loadgen
