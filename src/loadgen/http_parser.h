#pragma once
// An incremental HTTP/1.1 response parser for the load generator's hot path.
//
// Bytes may arrive split at any boundary: feed() consumes what it is given, keeps only a
// partial status/header/chunk-size line (bounded), and never copies body bytes. Framing per
// RFC 9112: HEAD and 1xx/204/304 have no body; Transfer-Encoding chunked (extensions and
// trailers skipped) wins over Content-Length; a response with neither is delimited by the
// connection closing. Interim 1xx responses (except 101) are skipped. Anything malformed is
// an error the caller counts; the connection must then be closed.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace benchgate::loadgen {

class ResponseParser {
 public:
  enum class Status { kNeedMore, kComplete, kError };
  enum class Error {
    kNone,
    kBadStatusLine,
    kBadHeader,
    kHeadersTooLarge,
    kBadContentLength,
    kBadChunkSize,
    kBadChunkEnd,
    kUnexpectedEof,
    kUnexpectedUpgrade,
  };

  explicit ResponseParser(std::size_t max_header_bytes = 64 * 1024)
      : max_header_bytes_(max_header_bytes) {}

  /// Prepares for the next response; `head_request`: the request was HEAD (no body follows).
  void start(bool head_request);
  /// Consumes bytes of the current response. On kComplete, `consumed` bytes belonged to it and
  /// the rest (if any) to the next one (call start() then feed() again). On kNeedMore every
  /// byte was consumed. On kError the connection must be closed.
  Status feed(const char* data, std::size_t len, std::size_t& consumed);
  /// The peer closed the connection: completes a close-delimited body, an error otherwise
  /// (call only when a response is expected).
  Status finish_eof();

  /// Any byte of the current response seen (a close now would be mid-response).
  bool started() const { return started_; }
  int status_code() const { return status_; }
  /// The connection may carry another request after this response.
  bool keep_alive() const { return keep_alive_; }
  std::uint64_t body_bytes() const { return body_bytes_; }
  Error error() const { return error_; }
  static std::string_view error_name(Error e);

 private:
  enum class State {
    kStatusLine,
    kHeaderLine,
    kBody,
    kBodyUntilClose,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailer,
    kDone,
    kError,
  };

  Status fail(Error e);
  // Takes one LF-terminated line starting at data[pos]; false when incomplete (the partial
  // line is kept). The returned view (without CR LF) is valid until the next call.
  bool take_line(const char* data, std::size_t len, std::size_t& pos, std::size_t limit,
                 std::string_view& line, bool& too_long);
  bool on_status_line(std::string_view line);
  bool on_header_line(std::string_view line);
  // Decides the body framing once the header block has ended; may complete the response.
  void on_headers_end();
  bool on_chunk_size_line(std::string_view line);

  std::size_t max_header_bytes_;
  State state_ = State::kStatusLine;
  Error error_ = Error::kNone;
  bool head_request_ = false;
  bool started_ = false;
  int status_ = 0;
  bool http10_ = false;
  bool conn_close_ = false;
  bool conn_keep_alive_ = false;
  bool keep_alive_ = true;
  bool chunked_ = false;
  bool other_te_ = false;
  bool has_length_ = false;
  std::uint64_t content_length_ = 0;
  std::uint64_t remaining_ = 0;
  std::uint64_t body_bytes_ = 0;
  std::size_t header_bytes_ = 0;
  std::string line_;  // partial line carried over between feed() calls
};

}  // namespace benchgate::loadgen
