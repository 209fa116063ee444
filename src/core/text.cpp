#include "core/text.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>

namespace benchgate {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

/// Calls f(code point) for each code point of s; invalid sequences yield U+FFFD (one per
/// maximal invalid subpart, as the Unicode standard recommends).
template <class F>
void for_each_code_point(std::string_view s, F&& f) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      f(static_cast<char32_t>(c));
      ++i;
      continue;
    }
    int len = 0;
    char32_t cp = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // > U+10FFFF
    } else {
      f(kReplacement);
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    bool ok = true;
    for (int k = 1; k < len; ++k, ++j) {
      const unsigned char lo_k = k == 1 ? lo : 0x80;
      const unsigned char hi_k = k == 1 ? hi : 0xBF;
      if (j >= n || p[j] < lo_k || p[j] > hi_k) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (p[j] & 0x3F);
    }
    f(ok ? cp : kReplacement);
    i = j;  // skips the valid prefix of an invalid sequence too
  }
}

bool is_bidi_control(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}
bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for_each_code_point(s, [&](char32_t cp) { append_utf8(out, cp); });
  return out;
}

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for_each_code_point(s, [&](char32_t cp) {
    // Combining marks and zero-width characters take no column.
    if ((cp >= 0x300 && cp <= 0x36F) || cp == 0x200B || cp == 0xFE0F) return;
    ++n;
  });
  return n;
}

std::string shorten(std::string_view s, std::size_t max_chars) {
  std::size_t total = 0;
  for_each_code_point(s, [&](char32_t) { ++total; });
  if (total <= max_chars) return sanitize_utf8(s);
  // The marker names how much was cut; size the head so head + marker fits.
  std::string marker;
  std::size_t keep = max_chars;
  for (int pass = 0; pass < 3; ++pass) {
    marker = fmt::format("…[+{} chars]", total - keep);
    const std::size_t mlen = display_width(marker);
    keep = max_chars > mlen ? max_chars - mlen : 0;
  }
  marker = fmt::format("…[+{} chars]", total - keep);
  std::string out;
  std::size_t i = 0;
  for_each_code_point(s, [&](char32_t cp) {
    if (i++ < keep) append_utf8(out, cp);
  });
  return out + marker;
}

std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for_each_code_point(s, [&](char32_t cp) {
    if (cp == '\n' || cp == '\r' || cp == '\t') {
      out += ' ';
    } else if (!is_control(cp) && !is_bidi_control(cp)) {
      append_utf8(out, cp);
    }
  });
  return out;
}

std::string xml_chars(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for_each_code_point(s, [&](char32_t cp) {
    if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') return;
    if (cp == 0xFFFE || cp == 0xFFFF) return;
    append_utf8(out, cp);
  });
  return out;
}

namespace {

/// `clean` with each character replaced by what `replace` says (nullptr: kept as it is).
template <class Replace>
std::string replace_chars(const std::string& clean, Replace replace) {
  std::string out;
  out.reserve(clean.size() + 16);
  for (char c : clean) {
    if (const char* r = replace(c)) {
      out += r;
    } else {
      out += c;
    }
  }
  return out;
}

/// The entities HTML and Markdown share.
const char* entity(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    default:
      return nullptr;
  }
}

}  // namespace

std::string html_escape(std::string_view s) {
  return replace_chars(xml_chars(s), [](char c) -> const char* {
    if (c == '"') return "&quot;";
    if (c == '\'') return "&#39;";
    return entity(c);
  });
}

std::string markdown_escape(std::string_view s) {
  // Markdown's punctuation is backslash-escaped: one static string per character.
  static const std::string kPunct = "\\|*_[]()#~$!";
  static const auto kEscaped = [] {
    std::array<std::string, 256> e;
    for (char c : kPunct)
      e[static_cast<unsigned char>(c)] = std::string("\\") + c;
    return e;
  }();
  return replace_chars(one_line(s), [](char c) -> const char* {
    if (c == '`') return "&#96;";
    if (c == '@') return "@\u200B";
    if (const auto& e = kEscaped[static_cast<unsigned char>(c)]; !e.empty()) return e.c_str();
    return entity(c);
  });
}

std::string safe_url(std::string_view url) {
  const std::string clean = one_line(url);
  auto starts = [&](std::string_view prefix) {
    if (clean.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      char c = clean[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  if (!starts("http://") && !starts("https://")) return "";
  std::string out;
  for (unsigned char c : clean) {
    if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\'' || c == '<' || c == '>' || c == '(' ||
        c == ')' || c == '[' || c == ']' || c == '`' || c == '|' || c == '\\' || c == '{' ||
        c == '}' || c == '^') {
      out += fmt::format("%{:02X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string openmetrics_label(std::string_view s) {
  const std::string clean = sanitize_utf8(s);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string github_escape_data(std::string_view s) {
  const std::string clean = sanitize_utf8(s);
  std::string out;
  for (char c : clean) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string github_escape_property(std::string_view s) {
  std::string out;
  for (char c : github_escape_data(s)) {
    switch (c) {
      case ':':
        out += "%3A";
        break;
      case ',':
        out += "%2C";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string terminal_safe(std::string_view s) {
  return one_line(s);
}

}  // namespace benchgate
