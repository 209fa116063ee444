#include "core/text.h"

#include <gtest/gtest.h>

namespace benchgate {
namespace {

TEST(Text, SanitizeUtf8KeepsValidText) {
  EXPECT_EQ(sanitize_utf8("plain"), "plain");
  EXPECT_EQ(sanitize_utf8("µs → ✅ 𝄞"), "µs → ✅ 𝄞");
}

TEST(Text, SanitizeUtf8ReplacesInvalidSequences) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(sanitize_utf8("a\xff"
                          "b"),
            "a" + fffd + "b");
  EXPECT_EQ(sanitize_utf8("\xC0\xAF"), fffd + fffd);                             // overlong '/'
  EXPECT_EQ(sanitize_utf8("\xED\xA0\x80"), fffd + fffd + fffd);                  // a surrogate
  EXPECT_EQ(sanitize_utf8("\xF4\x90\x80\x80").find("\xF4"), std::string::npos);  // > U+10FFFF
  EXPECT_EQ(sanitize_utf8("\xE2\x82"), fffd);  // truncated at the end
  EXPECT_EQ(sanitize_utf8("\xE2\x82x"), fffd + "x");
}

TEST(Text, DisplayWidthCountsCodePoints) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("µs ↑"), 4u);
}

TEST(Text, ShortenAddsAMarkerAndFits) {
  EXPECT_EQ(shorten("short", 10), "short");
  const std::string s(10240, 'x');
  const auto out = shorten(s, 100);
  EXPECT_EQ(display_width(out), 100u);
  EXPECT_NE(out.find("…[+"), std::string::npos);
  EXPECT_NE(out.find("chars]"), std::string::npos);
  // Never cuts inside a multi-byte character.
  const std::string multi = std::string(200, 'a') + "µµµµµµµµµµµµµµµµµµµµµµµµµµµµµµ";
  EXPECT_EQ(sanitize_utf8(shorten(multi, 215)), shorten(multi, 215));
}

TEST(Text, OneLineRemovesControlsAndBidiOverrides) {
  EXPECT_EQ(one_line("a\nb\rc\td"), "a b c d");
  EXPECT_EQ(one_line("x\x01\x1b[31my\x7f"), "x[31my");
  EXPECT_EQ(one_line("left\u202Eright"), "leftright");
}

TEST(Text, XmlCharsDropsWhatXml10Forbids) {
  EXPECT_EQ(xml_chars("a\x01\x08\x0b\x0c\x1f"
                      "b\tc\nd"),
            "ab\tc\nd");
  EXPECT_EQ(xml_chars("\xEF\xBF\xBE\xEF\xBF\xBF!"), "!");  // U+FFFE, U+FFFF
}

TEST(Text, HtmlEscape) {
  EXPECT_EQ(html_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(html_escape("]]>"), "]]&gt;");
}

TEST(Text, MarkdownEscapeNeutralisesMarkupAndMentions) {
  EXPECT_EQ(markdown_escape("a|b"), "a\\|b");
  EXPECT_EQ(markdown_escape("`code`"), "&#96;code&#96;");
  EXPECT_EQ(markdown_escape("<script>"), "&lt;script&gt;");
  EXPECT_EQ(markdown_escape("[x](javascript:y)"), "\\[x\\]\\(javascript:y\\)");
  EXPECT_EQ(markdown_escape("**b** _i_ ~s~ $m$ #1 !"),
            "\\*\\*b\\*\\* \\_i\\_ \\~s\\~ \\$m\\$ \\#1 \\!");
  EXPECT_EQ(markdown_escape("line1\nline2"), "line1 line2");
  EXPECT_EQ(markdown_escape("@everyone"), "@\u200Beveryone");
  EXPECT_EQ(markdown_escape("back\\slash"), "back\\\\slash");
}

TEST(Text, SafeUrlAcceptsOnlyHttp) {
  EXPECT_EQ(safe_url("https://github.com/a/b/actions/runs/1"),
            "https://github.com/a/b/actions/runs/1");
  EXPECT_EQ(safe_url("HTTP://x.y/"), "HTTP://x.y/");
  EXPECT_EQ(safe_url("javascript:alert(1)"), "");
  EXPECT_EQ(safe_url("data:text/html,x"), "");
  EXPECT_EQ(safe_url("https://x.y/a b)\"<"), "https://x.y/a%20b%29%22%3C");
}

TEST(Text, OpenMetricsLabel) {
  EXPECT_EQ(openmetrics_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Text, GithubEscapes) {
  EXPECT_EQ(github_escape_data("50% of\r\nruns: a,b"), "50%25 of%0D%0Aruns: a,b");
  EXPECT_EQ(github_escape_property("50% of\r\nruns: a,b"), "50%25 of%0D%0Aruns%3A a%2Cb");
}

TEST(Text, TerminalSafeStripsEscapes) {
  EXPECT_EQ(terminal_safe("\x1b[2Jcleared\x07"), "[2Jcleared");
}

}  // namespace
}  // namespace benchgate
