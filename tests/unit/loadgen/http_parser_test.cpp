#include "loadgen/http_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace benchgate::loadgen {
namespace {

using Status = ResponseParser::Status;
using Error = ResponseParser::Error;

struct Parsed {
  int status = 0;
  std::uint64_t body = 0;
  bool keep_alive = false;
  friend bool operator==(const Parsed&, const Parsed&) = default;
};

struct Outcome {
  std::vector<Parsed> responses;
  Error error = Error::kNone;
  bool incomplete = false;  // bytes of an unfinished response left at the end
};

// Feeds `wire` split into pieces at `cuts` (ascending offsets); `heads[i]`: i-th request was
// HEAD. Calls finish_eof() at the end when `eof`.
Outcome run(const std::string& wire, const std::vector<std::size_t>& cuts,
            const std::vector<bool>& heads = {}, bool eof = false) {
  Outcome out;
  ResponseParser p(1024);
  std::size_t index = 0;
  auto head_of = [&](std::size_t i) { return i < heads.size() && heads[i]; };
  p.start(head_of(0));
  std::size_t begin = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(wire.size());
  for (std::size_t end : ends) {
    std::size_t pos = begin;
    while (pos < end) {
      std::size_t used = 0;
      const auto st = p.feed(wire.data() + pos, end - pos, used);
      EXPECT_LE(used, end - pos);
      pos += used;
      if (st == Status::kComplete) {
        out.responses.push_back({p.status_code(), p.body_bytes(), p.keep_alive()});
        p.start(head_of(++index));
      } else if (st == Status::kError) {
        out.error = p.error();
        return out;
      } else {
        EXPECT_EQ(pos, end) << "kNeedMore must consume everything";
        break;
      }
    }
    begin = end;
  }
  if (eof && p.started()) {
    if (p.finish_eof() == Status::kComplete) {
      out.responses.push_back({p.status_code(), p.body_bytes(), p.keep_alive()});
    } else {
      out.error = p.error();
    }
  } else {
    out.incomplete = p.started();
  }
  return out;
}

// Parses whole, split in two at every offset, and byte by byte; all must agree.
Outcome run_all_splits(const std::string& wire, const std::vector<bool>& heads = {},
                       bool eof = false) {
  const Outcome whole = run(wire, {}, heads, eof);
  for (std::size_t cut = 1; cut < wire.size(); ++cut) {
    const Outcome split = run(wire, {cut}, heads, eof);
    EXPECT_EQ(split.responses, whole.responses) << "split at " << cut;
    EXPECT_EQ(split.error, whole.error) << "split at " << cut;
  }
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < wire.size(); ++i)
    every.push_back(i);
  const Outcome bytes = run(wire, every, heads, eof);
  EXPECT_EQ(bytes.responses, whole.responses) << "byte by byte";
  EXPECT_EQ(bytes.error, whole.error) << "byte by byte";
  return whole;
}

TEST(ResponseParser, ContentLengthKeepAlive) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello"
      "HTTP/1.1 404 Not Found\r\ncontent-length:0\r\n\r\n"
      "HTTP/1.1 503\r\nCONTENT-LENGTH: 3\r\nConnection: close\r\n\r\nabc";
  const auto o = run_all_splits(wire);
  EXPECT_EQ(o.error, Error::kNone);
  ASSERT_EQ(o.responses.size(), 3u);
  EXPECT_EQ(o.responses[0], (Parsed{200, 5, true}));
  EXPECT_EQ(o.responses[1], (Parsed{404, 0, true}));
  EXPECT_EQ(o.responses[2], (Parsed{503, 3, false}));
}

TEST(ResponseParser, BareLineFeedsAndObsFold) {
  const std::string wire = "HTTP/1.1 200 OK\nContent-Length: 2\nX-Long: a\n  continued\n\nhi";
  const auto o = run_all_splits(wire);
  ASSERT_EQ(o.responses.size(), 1u);
  EXPECT_EQ(o.responses[0], (Parsed{200, 2, true}));
}

TEST(ResponseParser, Http10KeepAliveRules) {
  const std::string wire =
      "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nx"
      "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\ny";
  const auto o = run_all_splits(wire);
  ASSERT_EQ(o.responses.size(), 2u);
  EXPECT_TRUE(o.responses[0].keep_alive);
  EXPECT_FALSE(o.responses[1].keep_alive);
}

TEST(ResponseParser, ChunkedWithExtensionsAndTrailers) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "A ; x=\"y\"\r\n0123456789\r\n"
      "0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n"
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "1\r\nz\r\n0\r\n\r\n";
  const auto o = run_all_splits(wire);
  EXPECT_EQ(o.error, Error::kNone);
  ASSERT_EQ(o.responses.size(), 2u);
  EXPECT_EQ(o.responses[0], (Parsed{200, 15, true}));
  EXPECT_EQ(o.responses[1], (Parsed{200, 1, true}));
}

TEST(ResponseParser, ChunkedWinsOverContentLengthButNoReuse) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n";
  const auto o = run_all_splits(wire);
  ASSERT_EQ(o.responses.size(), 1u);
  EXPECT_EQ(o.responses[0], (Parsed{200, 3, false}));
}

TEST(ResponseParser, NoBodyForHead204And304) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"  // answer to HEAD
      "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
      "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const auto o = run_all_splits(wire, {true, false, false, false});
  EXPECT_EQ(o.error, Error::kNone);
  ASSERT_EQ(o.responses.size(), 4u);
  EXPECT_EQ(o.responses[0], (Parsed{200, 0, true}));
  EXPECT_EQ(o.responses[1], (Parsed{204, 0, true}));
  EXPECT_EQ(o.responses[2], (Parsed{304, 0, true}));
  EXPECT_EQ(o.responses[3], (Parsed{200, 2, true}));
}

TEST(ResponseParser, InterimResponsesAreSkipped) {
  const std::string wire =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\nContent-Length: 9\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
  const auto o = run_all_splits(wire);
  ASSERT_EQ(o.responses.size(), 1u);
  EXPECT_EQ(o.responses[0], (Parsed{201, 2, true}));
}

TEST(ResponseParser, CloseDelimitedBody) {
  const std::string wire = "HTTP/1.1 200 OK\r\nServer: old\r\n\r\nbody until close";
  const auto o = run_all_splits(wire, {}, /*eof=*/true);
  ASSERT_EQ(o.responses.size(), 1u);
  EXPECT_EQ(o.responses[0], (Parsed{200, 16, false}));
  // Unknown transfer coding: also read to close.
  const auto o2 = run_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz", {}, true);
  ASSERT_EQ(o2.responses.size(), 1u);
  EXPECT_EQ(o2.responses[0], (Parsed{200, 3, false}));
}

TEST(ResponseParser, EofMidResponseIsAnError) {
  for (std::string wire :
       {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "HTTP/1.1 200 OK\r\nContent-Le",
        "HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"}) {
    const auto o = run(wire, {}, {}, /*eof=*/true);
    EXPECT_TRUE(o.responses.empty()) << wire;
    EXPECT_EQ(o.error, Error::kUnexpectedEof) << wire;
  }
}

TEST(ResponseParser, MalformedInputIsAnErrorAtEverySplit) {
  struct Case {
    std::string wire;
    Error error;
  };
  const std::vector<Case> cases = {
      {"HTTP/2 200 OK\r\n\r\n", Error::kBadStatusLine},
      {"garbage\r\n\r\n", Error::kBadStatusLine},
      {"HTTP/1.1 20 OK\r\n\r\n", Error::kBadStatusLine},
      {"HTTP/1.1 2000 OK\r\n\r\n", Error::kBadStatusLine},
      {"HTTP/1.1 099 X\r\n\r\n", Error::kBadStatusLine},
      {"HTTP/1.1 600 X\r\n\r\n", Error::kBadStatusLine},
      {"HTTP/1.1 200OK\r\n\r\n", Error::kBadStatusLine},
      {"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", Error::kBadHeader},
      {"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", Error::kBadHeader},
      {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", Error::kBadHeader},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", Error::kBadContentLength},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", Error::kBadContentLength},
      {"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", Error::kBadContentLength},
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", Error::kBadContentLength},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       Error::kBadContentLength},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", Error::kBadChunkSize},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", Error::kBadChunkSize},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n", Error::kBadChunkSize},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\n", Error::kBadChunkSize},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
       Error::kBadChunkSize},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n", Error::kBadChunkEnd},
      {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", Error::kUnexpectedUpgrade},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.wire);
    const auto o = run_all_splits(c.wire);
    EXPECT_TRUE(o.responses.empty());
    EXPECT_EQ(o.error, c.error) << ResponseParser::error_name(o.error);
  }
}

TEST(ResponseParser, HugeHeadersAreRejectedWithoutUnboundedBuffering) {
  // The test parser allows 1024 header bytes.
  std::string big = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n";
  const auto o = run_all_splits(big);
  EXPECT_EQ(o.error, Error::kHeadersTooLarge);
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 100; ++i)
    many += "X-H" + std::to_string(i) + ": 0123456789\r\n";
  many += "\r\n";
  EXPECT_EQ(run_all_splits(many).error, Error::kHeadersTooLarge);
  // Just under the limit is fine.
  std::string ok = "HTTP/1.1 200 OK\r\nX: " + std::string(980, 'b') + "\r\n\r\n";
  ASSERT_LE(ok.size(), 1024u);
  EXPECT_EQ(run_all_splits(ok).error, Error::kNone);
}

TEST(ResponseParser, LongChunkExtensionIsRejected) {
  const std::string wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" +
                           std::string(5000, 'e') + "\r\nhello\r\n0\r\n\r\n";
  EXPECT_EQ(run(wire, {}).error, Error::kBadChunkSize);
}

TEST(ResponseParser, LargeBodyIsNotBuffered) {
  const std::string body(1 << 20, 'x');
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::vector<std::size_t> cuts;
  for (std::size_t i = 4096; i < wire.size(); i += 4096)
    cuts.push_back(i);
  const auto o = run(wire, cuts);
  ASSERT_EQ(o.responses.size(), 1u);
  EXPECT_EQ(o.responses[0].body, body.size());
}

TEST(ResponseParser, StartedTracksPartialResponses) {
  ResponseParser p;
  p.start(false);
  EXPECT_FALSE(p.started());
  std::size_t used = 0;
  EXPECT_EQ(p.feed("HTTP/1.1 2", 10, used), Status::kNeedMore);
  EXPECT_TRUE(p.started());
  EXPECT_EQ(used, 10u);
}

}  // namespace
}  // namespace benchgate::loadgen
