#include "core/url.h"

#include <fmt/format.h>

#include "core/parse.h"

namespace benchgate {

std::string Url::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  std::string h = v6 ? "[" + host + "]" : host;
  return default_port ? h : fmt::format("{}:{}", h, port);
}

std::string Url::str() const { return fmt::format("{}://{}{}", scheme, authority(), target); }

Url parse_url(std::string_view text) {
  const auto t = trim(text);
  auto fail = [&](std::string_view why) {
    return ParseError(fmt::format("expected an http:// or https:// URL such as "
                                  "http://127.0.0.1:8080/plaintext, got '{}' ({})",
                                  text, why));
  };
  Url u;
  auto sep = t.find("://");
  if (sep == std::string_view::npos) throw fail("no scheme");
  u.scheme = to_lower(t.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") throw fail("unsupported scheme");
  auto rest = t.substr(sep + 3);
  auto slash = rest.find_first_of("/?#");
  auto auth = rest.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? "/" : rest.substr(slash);
  if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  if (auth.find('@') != std::string_view::npos) throw fail("user info is not supported");
  if (auth.empty()) throw fail("no host");
  std::string_view port_text;
  if (auth.front() == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos) throw fail("unterminated IPv6 address");
    u.host = std::string(auth.substr(1, close - 1));
    auto after = auth.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw fail("junk after IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    auto colon = auth.rfind(':');
    if (colon != std::string_view::npos) {
      u.host = std::string(auth.substr(0, colon));
      port_text = auth.substr(colon + 1);
    } else {
      u.host = std::string(auth);
    }
  }
  if (u.host.empty()) throw fail("no host");
  for (char c : u.host) {
    if (c == ' ' || c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x21) throw fail("bad host");
  }
  if (!port_text.empty()) {
    std::int64_t p = 0;
    try {
      p = parse_int(port_text);
    } catch (const ParseError&) {
      throw fail("bad port");
    }
    if (p < 1 || p > 65535) throw fail("port out of range 1-65535");
    u.port = static_cast<int>(p);
  } else if (auth.back() == ':') {
    throw fail("empty port");
  } else {
    u.port = u.scheme == "https" ? 443 : 80;
  }
  u.target = target.empty() ? "/" : std::string(target);
  if (u.target.front() == '?') u.target = "/" + u.target;
  for (char c : u.target) {
    if (static_cast<unsigned char>(c) <= 0x20) throw fail("spaces or control characters in the path");
  }
  return u;
}

}  // namespace benchgate
