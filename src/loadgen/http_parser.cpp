#include "loadgen/http_parser.h"

#include <algorithm>
#include <cstring>

namespace benchgate::loadgen {
namespace {

constexpr std::size_t kMaxChunkLine = 4096;

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// `name` is lower case.
bool name_is(std::string_view s, std::string_view name) {
  if (s.size() != name.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (lower(s[i]) != name[i]) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Calls f(token) for each comma-separated token, trimmed, skipping empty ones.
template <class F>
void for_each_token(std::string_view value, F&& f) {
  while (!value.empty()) {
    auto comma = value.find(',');
    auto tok = trim_ows(value.substr(0, comma));
    if (!tok.empty()) f(tok);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view ResponseParser::error_name(Error e) {
  switch (e) {
    case Error::kNone:
      return "none";
    case Error::kBadStatusLine:
      return "malformed status line";
    case Error::kBadHeader:
      return "malformed header";
    case Error::kHeadersTooLarge:
      return "header block too large";
    case Error::kBadContentLength:
      return "invalid Content-Length";
    case Error::kBadChunkSize:
      return "invalid chunk size";
    case Error::kBadChunkEnd:
      return "chunk data not followed by CRLF";
    case Error::kUnexpectedEof:
      return "connection closed mid-response";
    case Error::kUnexpectedUpgrade:
      return "unexpected 101 Switching Protocols";
  }
  return "?";
}

void ResponseParser::start(bool head_request) {
  state_ = State::kStatusLine;
  error_ = Error::kNone;
  head_request_ = head_request;
  started_ = false;
  status_ = 0;
  http10_ = false;
  conn_close_ = false;
  conn_keep_alive_ = false;
  keep_alive_ = true;
  chunked_ = false;
  other_te_ = false;
  has_length_ = false;
  content_length_ = 0;
  remaining_ = 0;
  body_bytes_ = 0;
  header_bytes_ = 0;
  line_.clear();
}

ResponseParser::Status ResponseParser::fail(Error e) {
  state_ = State::kError;
  error_ = e;
  keep_alive_ = false;
  return Status::kError;
}

bool ResponseParser::take_line(const char* data, std::size_t len, std::size_t& pos,
                               std::size_t limit, std::string_view& line, bool& too_long) {
  too_long = false;
  const char* begin = data + pos;
  const std::size_t avail = len - pos;
  const void* nl = std::memchr(begin, '\n', avail);
  if (nl == nullptr) {
    if (line_.size() + avail > limit) {
      too_long = true;
      return false;
    }
    line_.append(begin, avail);
    pos = len;
    return false;
  }
  const auto n = static_cast<std::size_t>(static_cast<const char*>(nl) - begin);
  if (line_.size() + n + 1 > limit) {
    too_long = true;
    return false;
  }
  pos += n + 1;
  if (line_.empty()) {
    line = std::string_view(begin, n);
  } else {
    line_.append(begin, n);
    line = line_;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

// Over 100 lines on purpose: the parser's state machine (status line, headers, body by length,
// chunks, trailers) as one switch, the hot loop of the load generator.
ResponseParser::Status ResponseParser::feed(const char* data, std::size_t len,
                                            std::size_t& consumed) {
  std::size_t pos = 0;
  if (len > 0) started_ = true;
  while (pos < len) {
    switch (state_) {
      case State::kStatusLine:
      case State::kHeaderLine:
      case State::kTrailer: {
        std::string_view line;
        bool too_long = false;
        const std::size_t before = pos;
        const std::size_t carried = line_.size();  // counted once the line is complete
        const std::size_t allowance =
            max_header_bytes_ > header_bytes_ ? max_header_bytes_ - header_bytes_ : 0;
        if (!take_line(data, len, pos, allowance, line, too_long)) {
          if (too_long) return fail(Error::kHeadersTooLarge);
          break;
        }
        header_bytes_ += carried + (pos - before);
        bool ok = true;
        if (state_ == State::kStatusLine) {
          ok = on_status_line(line);
          if (!ok) {
            line_.clear();
            return fail(Error::kBadStatusLine);
          }
          state_ = State::kHeaderLine;
        } else if (state_ == State::kHeaderLine) {
          if (line.empty()) {
            line_.clear();
            on_headers_end();
            if (state_ == State::kError) return Status::kError;
          } else if (!on_header_line(line)) {
            line_.clear();
            return fail(error_ == Error::kNone ? Error::kBadHeader : error_);
          }
        } else if (line.empty()) {  // end of trailers
          state_ = State::kDone;
        }
        line_.clear();
        break;
      }
      case State::kBody: {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, len - pos));
        pos += n;
        remaining_ -= n;
        body_bytes_ += n;
        if (remaining_ == 0) state_ = State::kDone;
        break;
      }
      case State::kBodyUntilClose:
        body_bytes_ += len - pos;
        pos = len;
        break;
      case State::kChunkSize:
      case State::kChunkDataEnd: {
        std::string_view line;
        bool too_long = false;
        if (!take_line(data, len, pos, kMaxChunkLine, line, too_long)) {
          if (too_long) {
            line_.clear();
            return fail(state_ == State::kChunkSize ? Error::kBadChunkSize : Error::kBadChunkEnd);
          }
          break;
        }
        if (state_ == State::kChunkDataEnd) {
          if (!line.empty()) {
            line_.clear();
            return fail(Error::kBadChunkEnd);
          }
          state_ = State::kChunkSize;
        } else if (!on_chunk_size_line(line)) {
          line_.clear();
          return fail(Error::kBadChunkSize);
        }
        line_.clear();
        break;
      }
      case State::kChunkData: {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, len - pos));
        pos += n;
        remaining_ -= n;
        body_bytes_ += n;
        if (remaining_ == 0) state_ = State::kChunkDataEnd;
        break;
      }
      case State::kDone:
      case State::kError:
        break;
    }
    if (state_ == State::kDone) {
      consumed = pos;
      return Status::kComplete;
    }
    if (state_ == State::kError) {
      consumed = pos;
      return Status::kError;
    }
  }
  consumed = pos;
  if (state_ == State::kDone) return Status::kComplete;
  return Status::kNeedMore;
}

ResponseParser::Status ResponseParser::finish_eof() {
  if (state_ == State::kBodyUntilClose) {
    state_ = State::kDone;
    keep_alive_ = false;
    return Status::kComplete;
  }
  if (state_ == State::kDone) return Status::kComplete;
  return fail(Error::kUnexpectedEof);
}

bool ResponseParser::on_status_line(std::string_view line) {
  // "HTTP/1.x SSS[ reason]"
  if (line.size() < 12 || line.compare(0, 7, "HTTP/1.") != 0) return false;
  if (line[7] != '0' && line[7] != '1') return false;
  if (line[8] != ' ' || !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) {
    return false;
  }
  if (line.size() > 12 && line[12] != ' ') return false;
  const int code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (code < 100 || code > 599) return false;
  status_ = code;
  http10_ = line[7] == '0';
  return true;
}

bool ResponseParser::on_header_line(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') return true;  // obs-fold: ignored
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view name = line.substr(0, colon);
  for (char c : name) {
    if (c <= ' ' || c == 0x7f) return false;  // no whitespace or controls in a field name
  }
  const std::string_view value = trim_ows(line.substr(colon + 1));
  switch (name.size()) {
    case 14:
      if (name_is(name, "content-length")) {
        if (value.empty() || value.size() > 18) {
          error_ = Error::kBadContentLength;
          return false;
        }
        std::uint64_t v = 0;
        for (char c : value) {
          if (!is_digit(c)) {
            error_ = Error::kBadContentLength;
            return false;
          }
          v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (has_length_ && v != content_length_) {
          error_ = Error::kBadContentLength;
          return false;
        }
        has_length_ = true;
        content_length_ = v;
      }
      break;
    case 17:
      if (name_is(name, "transfer-encoding")) {
        // The last coding decides: chunked, or something else (then the body runs to close).
        for_each_token(value, [&](std::string_view tok) {
          const bool is_chunked = name_is(tok, "chunked");
          chunked_ = is_chunked;
          other_te_ = !is_chunked;
        });
      }
      break;
    case 10:
      if (name_is(name, "connection")) {
        for_each_token(value, [&](std::string_view tok) {
          if (name_is(tok, "close")) conn_close_ = true;
          if (name_is(tok, "keep-alive")) conn_keep_alive_ = true;
        });
      }
      break;
    default:
      break;
  }
  return true;
}

void ResponseParser::on_headers_end() {
  if (status_ < 200) {
    if (status_ == 101) {
      fail(Error::kUnexpectedUpgrade);
      return;
    }
    // Interim response: skip it and parse the final one (its own headers).
    state_ = State::kStatusLine;
    conn_close_ = conn_keep_alive_ = chunked_ = other_te_ = has_length_ = false;
    content_length_ = 0;
    return;
  }
  keep_alive_ = http10_ ? (conn_keep_alive_ && !conn_close_) : !conn_close_;
  if (head_request_ || status_ == 204 || status_ == 304) {
    state_ = State::kDone;
    return;
  }
  if (chunked_) {
    if (has_length_) keep_alive_ = false;  // RFC 9112 6.3: possible smuggling, don't reuse
    state_ = State::kChunkSize;
    return;
  }
  if (other_te_) {
    keep_alive_ = false;
    state_ = State::kBodyUntilClose;
    return;
  }
  if (has_length_) {
    remaining_ = content_length_;
    state_ = remaining_ == 0 ? State::kDone : State::kBody;
    return;
  }
  keep_alive_ = false;
  state_ = State::kBodyUntilClose;
}

bool ResponseParser::on_chunk_size_line(std::string_view line) {
  std::size_t i = 0;
  std::uint64_t size = 0;
  while (i < line.size()) {
    const int h = hex_value(line[i]);
    if (h < 0) break;
    if (i >= 15) return false;  // > 2^60: nonsense
    size = size * 16 + static_cast<std::uint64_t>(h);
    ++i;
  }
  if (i == 0) return false;
  // Optional whitespace, then ";ext" or the end.
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
    ++i;
  if (i < line.size() && line[i] != ';') return false;
  if (size == 0) {
    state_ = State::kTrailer;
  } else {
    remaining_ = size;
    state_ = State::kChunkData;
  }
  return true;
}

}  // namespace benchgate::loadgen
