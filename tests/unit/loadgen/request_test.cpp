#include "loadgen/request.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "core/parse.h"

namespace benchgate::loadgen {
namespace {

TEST(RequestList, ParsesEveryDirective) {
  const auto origin = parse_url("http://localhost:8080/");
  const auto list = parse_request_list(
      "# comment\n"
      "mode round-robin\n"
      "\n"
      "GET /plaintext\n"
      "GET http://localhost:8080/json?x=1 weight=3\n"
      "X-Test: a b c\n"
      "POST /items\r\n"
      "Content-Type: application/json\n"
      "@body {\"name\":\"x\"}\\n\n",
      ".", origin);
  EXPECT_EQ(list.selection, Selection::kRoundRobin);
  ASSERT_EQ(list.requests.size(), 3u);
  EXPECT_EQ(list.requests[0].target, "/plaintext");
  EXPECT_EQ(list.requests[1].target, "/json?x=1");
  EXPECT_EQ(list.requests[1].weight, 3);
  ASSERT_EQ(list.requests[1].headers.size(), 1u);
  EXPECT_EQ(list.requests[1].headers[0].second, "a b c");
  EXPECT_EQ(list.requests[2].method, "POST");
  EXPECT_EQ(list.requests[2].body, "{\"name\":\"x\"}\n");
}

TEST(RequestList, BodyFileIsRelativeToTheList) {
  const auto dir = std::filesystem::temp_directory_path() / "benchgate-reqlist-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "payload.bin", std::ios::binary) << std::string("a\0b", 3);
  std::ofstream(dir / "list.txt") << "PUT /up\n@body-file payload.bin\n";
  const auto list = load_request_list(dir / "list.txt", parse_url("http://h/"));
  ASSERT_EQ(list.requests.size(), 1u);
  EXPECT_EQ(list.requests[0].body, std::string("a\0b", 3));
  std::ofstream(dir / "bad.txt") << "GET /a\n\nbogus line\n";
  try {
    load_request_list(dir / "bad.txt", parse_url("http://h/"));
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.txt:3: "), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(RequestList, ErrorsNameTheLine) {
  const auto origin = parse_url("http://h/");
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"", "no requests"},
           {"X-A: b\n", "line 1: header before any request"},
           {"GET /a\nmode weighted\n", "line 2: 'mode' must come before"},
           {"mode fastest\n", "unknown mode"},
           {"GET /a weight=0\n", "weight must be"},
           {"GET /a color=red\n", "expected weight=N"},
           {"GET http://other/a\n", "not on the driven origin"},
           {"@body x\n", "@body before any request"},
           {"GET /a\n@body \\q\n", "unknown escape"},
           {"GET /a\n@bodyx\n", "unknown directive"},
           {"GET /a\n@body-file /nonexistent/file\n", "cannot read body file"},
           // Not a regular file: refused before it is opened (it would never end).
           {"GET /a\n@body-file /dev/zero\n", "/dev/zero: not a regular file"},
           {"GET /a\n@body-file /tmp\n", "/tmp: is a directory"},
           {"get /a\n", "line 1: expected 'METHOD /path"},
       }) {
    try {
      parse_request_list(c.text, ".", origin);
      ADD_FAILURE() << "no error for: " << c.text;
    } catch (const ParseError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos)
          << c.text << " -> " << e.what();
    }
  }
}

TEST(SerializeRequest, WireForm) {
  const auto url = parse_url("http://127.0.0.1:8080/ignored");
  RequestSpec get;
  get.target = "/a";
  EXPECT_EQ(serialize_request(get, {}, url, true),
            "GET /a HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
  EXPECT_EQ(serialize_request(get, {{"Accept", "*/*"}}, url, false),
            "GET /a HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: */*\r\nConnection: close\r\n\r\n");

  RequestSpec post;
  post.method = "POST";
  post.target = "/p";
  post.headers = {{"host", "virtual"}, {"content-length", "999"}, {"X-A", "spec"}};
  post.body = "xyz";
  EXPECT_EQ(serialize_request(post, {{"X-A", "common"}, {"X-B", "b"}}, url, true),
            "POST /p HTTP/1.1\r\nX-B: b\r\nhost: virtual\r\nX-A: spec\r\n"
            "Content-Length: 3\r\n\r\nxyz");
  post.body.clear();
  post.headers.clear();
  EXPECT_EQ(serialize_request(post, {}, url, true),
            "POST /p HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 0\r\n\r\n");
}

TEST(RequestSelector, RoundRobinAndSmoothWeighted) {
  RequestSelector rr({5, 1, 1}, Selection::kRoundRobin);
  std::string seq;
  for (int i = 0; i < 6; ++i)
    seq += static_cast<char>('a' + rr.next());
  EXPECT_EQ(seq, "abcabc");

  RequestSelector w({3, 1}, Selection::kWeighted);
  seq.clear();
  for (int i = 0; i < 8; ++i)
    seq += static_cast<char>('a' + w.next());
  EXPECT_EQ(seq, "aabaaaba");  // smooth: never more than 3 a's in a row, exact 3:1 per 4

  RequestSelector w2({5, 2, 1}, Selection::kWeighted);
  std::map<int, int> counts;
  for (int i = 0; i < 800; ++i)
    ++counts[static_cast<int>(w2.next())];
  EXPECT_EQ(counts[0], 500);
  EXPECT_EQ(counts[1], 200);
  EXPECT_EQ(counts[2], 100);

  RequestSelector one({7}, Selection::kWeighted);
  EXPECT_EQ(one.next(), 0u);
}

}  // namespace
}  // namespace benchgate::loadgen
