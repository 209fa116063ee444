#pragma once
// The one escaping module: text hygiene for every output benchgate writes (reports, the
// diff renderings, flame graph SVGs, opreport XML). Labels, cell names, URLs, failure
// reasons, symbol names and log tails come from users and from the apps under test, so each
// output format escapes them with the function made for it here; none of them trusts its
// input to be valid UTF-8. (Error messages echo values through printable(), core/parse.h.)

#include <cstddef>
#include <string>
#include <string_view>

namespace benchgate {

/// Appends code point cp (at most U+10FFFF, not a surrogate) encoded as UTF-8.
void append_utf8(std::string& out, char32_t cp);

/// Valid UTF-8: every invalid or overlong sequence, surrogate and code point above U+10FFFF
/// becomes U+FFFD.
std::string sanitize_utf8(std::string_view s);

/// Number of code points (a terminal column count good enough for tables; s is sanitised).
std::size_t display_width(std::string_view s);

/// At most max_chars code points: longer text keeps its head and ends with a marker
/// "…[+N chars]" (the marker counts toward max_chars). Sanitises UTF-8.
std::string shorten(std::string_view s, std::size_t max_chars);

/// One line of plain text: sanitised UTF-8; CR, LF and TAB become spaces; other C0/C1 control
/// characters, DEL and Unicode bidi overrides (U+202A–U+202E, U+2066–U+2069) are removed.
std::string one_line(std::string_view s);

/// XML 1.0 character data: sanitised UTF-8 with the characters XML 1.0 forbids removed
/// (C0 controls except TAB/LF/CR, U+FFFE, U+FFFF). Does not escape markup.
std::string xml_chars(std::string_view s);

/// HTML, XHTML, SVG and XML text and attribute values: xml_chars + & < > " ' as references
/// (' as &#39;, which HTML 4, HTML5 and XML all read).
std::string html_escape(std::string_view s);

/// Markdown (GitHub-flavoured) inline text, safe in table cells and list items: one_line,
/// then & < > as entities, backtick as &#96;, `|` and the Markdown punctuation
/// (\ * _ [ ] ( ) # ~ $ !) backslash-escaped, and `@` followed by a zero-width space so a
/// label cannot mention people.
std::string markdown_escape(std::string_view s);

/// A URL for a Markdown or HTML link, or "" when it is not an http(s) URL. Characters that
/// could end the link or break out of an attribute are percent-encoded.
std::string safe_url(std::string_view url);

/// OpenMetrics label value: sanitised UTF-8, \ " and newline escaped.
std::string openmetrics_label(std::string_view s);

/// GitHub workflow command escaping: data escapes % CR LF; properties also : and ,.
std::string github_escape_data(std::string_view s);
std::string github_escape_property(std::string_view s);

/// Terminal output: one_line and ESC removed, so a label cannot move the cursor or recolour.
std::string terminal_safe(std::string_view s);

}  // namespace benchgate
