#pragma once
// http(s) URLs as benchgate accepts them: scheme://host[:port][/path][?query].

#include <string>
#include <string_view>

namespace benchgate {

struct Url {
  std::string scheme;  ///< "http" | "https"
  std::string host;    ///< without brackets for IPv6 literals
  int port = 0;        ///< explicit or the scheme's default
  std::string target;  ///< path + query, at least "/"
  bool tls() const { return scheme == "https"; }
  /// "host:port" (IPv6 in brackets), for Host headers and messages.
  std::string authority() const;
  std::string str() const;
};

/// Parses an absolute http:// or https:// URL. Throws ParseError saying what is wrong.
Url parse_url(std::string_view text);

}  // namespace benchgate
