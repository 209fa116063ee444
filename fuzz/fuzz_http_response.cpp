// The load generator's incremental HTTP/1.1 response parser. The first byte picks the
// request method (bit 0: HEAD) and the size of the pieces the rest arrives in (as reads from a
// socket would split it); the same bytes fed in one piece must give the same responses
// (status, body bytes, keep-alive) and the same error: framing must not depend on how the
// bytes were split.
#include <vector>

#include "fuzz_common.h"
#include "loadgen/http_parser.h"

using namespace benchgate;
using loadgen::ResponseParser;

namespace {
struct Outcome {
  int status;
  std::uint64_t body;
  bool keep_alive;
  bool operator==(const Outcome&) const = default;
};

// Feeds `bytes` in pieces of `piece` bytes; returns the completed responses and the final
// error (kNone when the stream ended cleanly or mid-response).
std::vector<Outcome> drive(std::string_view bytes, std::size_t piece, bool head,
                           ResponseParser::Error& error, bool& eof_complete) {
  std::vector<Outcome> out;
  ResponseParser p(4096);
  p.start(head);
  error = ResponseParser::Error::kNone;
  eof_complete = false;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t len = std::min(piece, bytes.size() - pos);
    std::size_t consumed = 0;
    auto status = p.feed(bytes.data() + pos, len, consumed);
    if (status == ResponseParser::Status::kError) {
      error = p.error();
      return out;
    }
    fuzz::require(consumed <= len, "feed consumed more than it was given");
    if (status == ResponseParser::Status::kComplete) {
      out.push_back({p.status_code(), p.body_bytes(), p.keep_alive()});
      p.start(head);
      pos += consumed;
      // A response that consumed nothing can only follow a complete one (no byte
      // belongs to it); a zero-byte response twice in a row would loop forever.
      if (consumed == 0 && out.size() > bytes.size() + 1) fuzz::finding("responses without bytes");
    } else {
      fuzz::require(consumed == len, "kNeedMore left bytes unconsumed");
      pos += len;
    }
  }
  if (p.started()) {
    if (p.finish_eof() == ResponseParser::Status::kComplete) {
      out.push_back({p.status_code(), p.body_bytes(), p.keep_alive()});
      eof_complete = true;
    } else {
      error = p.error();
    }
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool head = data[0] & 1;
  const std::size_t piece = 1 + (data[0] >> 1);  // 1..128
  const auto bytes = fuzz::as_text(data + 1, size - 1);
  ResponseParser::Error e1, e2;
  bool eof1 = false, eof2 = false;
  const auto split = drive(bytes, piece, head, e1, eof1);
  const auto whole = drive(bytes, bytes.size() + 1, head, e2, eof2);
  fuzz::require(split == whole, "responses depend on how the bytes were split");
  fuzz::require(e1 == e2, "the error depends on how the bytes were split");
  fuzz::require(eof1 == eof2, "close-delimited completion depends on the split");
  (void)ResponseParser::error_name(e1);
  return 0;
}
