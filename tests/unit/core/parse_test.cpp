#include "core/parse.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace benchgate {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ParseDuration, Units) {
  EXPECT_EQ(parse_duration("10s"), seconds(10));
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("2m"), seconds(120));
  EXPECT_EQ(parse_duration("1m30s"), seconds(90));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(parse_duration("250us"), std::chrono::microseconds(250));
  EXPECT_EQ(parse_duration("1h"), std::chrono::hours(1));
  EXPECT_EQ(parse_duration("30"), seconds(30));
  EXPECT_EQ(parse_duration(" 5s "), seconds(5));
}

TEST(ParseDuration, RejectsGarbage) {
  for (auto bad : {"", "s", "10x", "-5s", "10 s", "5s3", "1.2.3s", "ten"}) {
    EXPECT_THROW(parse_duration(bad), ParseError) << bad;
  }
}

TEST(FormatDuration, RoundTrips) {
  for (auto text : {"10s", "500ms", "2m", "1h", "250us", "0s", "1500ms"}) {
    EXPECT_EQ(format_duration(parse_duration(text)), text);
  }
}

TEST(CpuList, ParsesRangesAndSorts) {
  EXPECT_EQ(parse_cpu_list("0,2-3"), (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(parse_cpu_list("3,1,1"), (std::vector<int>{1, 3}));
  EXPECT_EQ(parse_cpu_list(""), (std::vector<int>{}));
  EXPECT_EQ(format_cpu_list({0, 2, 3, 5, 6, 7}), "0,2-3,5-7");
  for (auto bad : {"a", "1-", "-1", "3-1", "1,,2", "0-5000"}) {
    EXPECT_THROW(parse_cpu_list(bad), ParseError) << bad;
  }
}

TEST(Numbers, PercentBytesLists) {
  EXPECT_DOUBLE_EQ(parse_percent("3%"), 0.03);
  EXPECT_DOUBLE_EQ(parse_percent("0.5"), 0.005);
  EXPECT_EQ(parse_bytes("4MiB"), 4 * 1024 * 1024);
  EXPECT_EQ(parse_bytes("512KiB"), 512 * 1024);
  EXPECT_EQ(parse_bytes("1000"), 1000);
  EXPECT_THROW(parse_bytes("4 parsecs"), ParseError);
  EXPECT_EQ(parse_positive_int_list("16,64"), (std::vector<int>{16, 64}));
  EXPECT_THROW(parse_positive_int_list("16,0"), ParseError);
  EXPECT_THROW(parse_positive_int_list("16,x"), ParseError);
  EXPECT_THROW(parse_int("12abc"), ParseError);
}

TEST(WithContext, PrefixesTheOption) {
  try {
    with_context("--duration", [] { return parse_duration("ten"); });
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--duration: expected a duration", 0), 0u) << e.what();
    EXPECT_EQ(e.code(), ExitCode::kUsage);
  }
}

TEST(ShellSplit, QuotesAndEscapes) {
  EXPECT_EQ(shell_split("./app --port 8080"), (std::vector<std::string>{"./app", "--port", "8080"}));
  EXPECT_EQ(shell_split(R"(a 'b c' "d \"e\"" f\ g)"),
            (std::vector<std::string>{"a", "b c", "d \"e\"", "f g"}));
  EXPECT_THROW(shell_split("a 'b"), ParseError);
  EXPECT_EQ(shell_join({"a", "b c", "it's"}), R"(a 'b c' 'it'\''s')");
}

}  // namespace
}  // namespace benchgate

#include "core/url.h"

namespace benchgate {
namespace {

TEST(Url, Parses) {
  auto u = parse_url("http://127.0.0.1:8080/plaintext?x=1");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(u.target, "/plaintext?x=1");
  EXPECT_EQ(parse_url("https://localhost").port, 443);
  EXPECT_EQ(parse_url("https://localhost").target, "/");
  EXPECT_EQ(parse_url("http://[::1]:81/a").host, "::1");
  EXPECT_EQ(parse_url("http://[::1]:81/a").authority(), "[::1]:81");
  EXPECT_EQ(parse_url("HTTP://h:80/").str(), "http://h/");
}

TEST(Url, Rejects) {
  for (auto bad : {"", "127.0.0.1:8080", "ftp://h/", "http://", "http://:80/", "http://h:0/",
                   "http://h:70000/", "http://h:x/", "http://u@h/", "http://h/a b", "http://h:/"}) {
    EXPECT_THROW(parse_url(bad), ParseError) << bad;
  }
}

TEST(Printable, EscapesControlBytesAndInvalidUtf8) {
  EXPECT_EQ(printable("plain"), "plain");
  EXPECT_EQ(printable("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(printable(std::string_view("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(printable("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x80\xa6"), "caf\xc3\xa9 \xe2\x80\xa6");  // valid UTF-8 kept
  EXPECT_EQ(printable("bad\xff\xfe"), "bad\\xff\\xfe");
  EXPECT_EQ(printable("\xc3"), "\\xc3");                    // truncated sequence
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
}

TEST(Printable, CutsLongValuesNamingTheirSize) {
  const std::string huge(10 * 1024 * 1024, 'x');
  EXPECT_EQ(printable(huge), std::string(80, 'x') + "… (10,485,760 bytes)");
  EXPECT_EQ(printable(std::string(80, 'y')), std::string(80, 'y'));
  EXPECT_EQ(printable("abcdef", 3), "abc… (6 bytes)");
  // The limit counts characters, not bytes: a multi-byte character is never split.
  EXPECT_EQ(printable("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9\xc3\xa9… (6 bytes)");
}

TEST(FormatCount, GroupsThousands) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1,000");
  EXPECT_EQ(format_count(10485760), "10,485,760");
}

}  // namespace
}  // namespace benchgate
