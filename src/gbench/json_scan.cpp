#include "gbench/json_scan.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "core/parse.h"
#include "core/text.h"
#include "platform/fs.h"

namespace benchgate::gbench::detail {

namespace {

constexpr int kMaxDepth = 256;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

struct NumberToken {
  double d = 0;
  bool integral = false;
  std::string_view text;
};

}  // namespace

MappedText own_text(std::string text) {
  auto s = std::make_shared<std::string>(std::move(text));
  MappedText m;
  m.text = *s;
  m.storage = std::shared_ptr<const char>(s, s->data());
  return m;
}

void advise_huge_pages(const void* p, std::size_t bytes) {
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  if (bytes < kHuge) return;
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t begin = (at + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (at + bytes) & ~(kHuge - 1);
  if (end > begin) {
    (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
}

MappedText map_text(const std::filesystem::path& path) {
  platform::check_input_file(path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return own_text(platform::read_input_file(path));  // read_input_file() reports the error
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
    ::close(fd);
    return own_text(platform::read_input_file(path));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (addr == MAP_FAILED) return own_text(platform::read_input_file(path));
  MappedText m;
  m.text = std::string_view(static_cast<const char*>(addr), size);
  m.storage = std::shared_ptr<const char>(static_cast<const char*>(addr), [size](const char* p) {
    ::munmap(const_cast<char*>(p), size);
  });
  return m;
}

JsonScanner::JsonScanner(std::string_view text, std::string origin)
    : text_(text), origin_(std::move(origin)) {
  // A UTF-8 byte order mark is tolerated (some Windows tools write one).
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

int JsonScanner::line_of(std::size_t offset) const {
  int line = 1;
  const std::size_t end = std::min(offset, text_.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text_[i] == '\n') ++line;
  }
  return line;
}

void JsonScanner::fail_at(std::size_t offset, std::string_view what) const {
  offset = std::min(offset, text_.size());
  const int line = line_of(offset);
  const std::size_t nl = offset == 0 ? std::string_view::npos : text_.rfind('\n', offset - 1);
  const std::size_t col = nl == std::string_view::npos ? offset + 1 : offset - nl;
  // printable(): a NUL or a terminal escape in the text must not reach the message raw.
  std::string msg =
      fmt::format("{}:{}:{}: invalid JSON: {}", origin_, line, col, printable(what, 300));
  if (offset >= text_.size()) msg += " (unexpected end of file: the file looks truncated)";
  throw ConfigError(msg);
}

void JsonScanner::fail(std::string_view what) const {
  fail_at(pos_, what);
}

void JsonScanner::error_at(std::size_t offset, std::string_view what) const {
  throw ConfigError(fmt::format("{}:{}: {}", origin_, line_of(offset), printable(what, 300)));
}

void JsonScanner::skip_ws() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
    ++pos_;
  }
}

char JsonScanner::peek() {
  skip_ws();
  return pos_ < text_.size() ? text_[pos_] : '\0';
}

void JsonScanner::expect(char c, std::string_view what) {
  if (peek() != c) {
    if (pos_ >= text_.size()) fail(fmt::format("expected {}", what));
    fail(fmt::format("expected {} but found '{}'", what, text_[pos_]));
  }
  ++pos_;
}

bool JsonScanner::consume(char c) {
  if (peek() != c) return false;
  ++pos_;
  return true;
}

void JsonScanner::expect_end() {
  if (peek() != '\0' || pos_ < text_.size()) fail("unexpected text after the end of the document");
}

void JsonScanner::check_depth() {
  if (first_stack_.size() >= kMaxDepth) fail("nesting deeper than 256 levels");
}

void JsonScanner::object_begin() {
  expect('{', "'{'");
  check_depth();
  first_stack_.push_back(1);
}

bool JsonScanner::next_key(std::string_view& key) {
  const char c = peek();
  if (c == '}') {
    ++pos_;
    first_stack_.pop_back();
    return false;
  }
  if (first_stack_.back() == 0) {
    if (c != ',') {
      if (c == '\0') fail("expected ',' or '}' in an object");
      fail(fmt::format("expected ',' or '}}' in an object but found '{}'", c));
    }
    ++pos_;
    if (peek() != '"') fail("expected a string key after ','");
  } else if (c != '"') {
    if (c == '\0') fail("expected a string key or '}'");
    fail(fmt::format("expected a string key or '}}' but found '{}'", c));
  }
  first_stack_.back() = 0;
  key = string();
  expect(':', "':' after an object key");
  return true;
}

void JsonScanner::array_begin() {
  expect('[', "'['");
  check_depth();
  first_stack_.push_back(1);
}

bool JsonScanner::next_element() {
  const char c = peek();
  if (c == ']') {
    ++pos_;
    first_stack_.pop_back();
    return false;
  }
  if (first_stack_.back() == 0) {
    if (c != ',') {
      if (c == '\0') fail("expected ',' or ']' in an array");
      fail(fmt::format("expected ',' or ']' in an array but found '{}'", c));
    }
    ++pos_;
    if (peek() == ']') fail("trailing ',' before ']'");
  }
  first_stack_.back() = 0;
  return true;
}

std::string_view JsonScanner::string() {
  expect('"', "a string");
  const std::size_t start = pos_;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '"') return text_.substr(start, pos_++ - start);
    if (c == '\\') return string_slow(start);
    if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
    ++pos_;
  }
  fail("unterminated string");
}

std::string_view JsonScanner::string_slow(std::size_t start) {
  buf_.assign(text_.substr(start, pos_ - start));
  auto hex4 = [&]() -> std::uint32_t {
    if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9') {
        v |= static_cast<std::uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        v |= static_cast<std::uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        v |= static_cast<std::uint32_t>(h - 'A' + 10);
      } else {
        fail("invalid hex digit in a \\u escape");
      }
    }
    return v;
  };
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '"') {
      ++pos_;
      return buf_;
    }
    if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
    if (c != '\\') {
      buf_ += c;
      ++pos_;
      continue;
    }
    if (++pos_ >= text_.size()) break;
    const char e = text_[pos_++];
    switch (e) {
      case '"':
        buf_ += '"';
        break;
      case '\\':
        buf_ += '\\';
        break;
      case '/':
        buf_ += '/';
        break;
      case 'b':
        buf_ += '\b';
        break;
      case 'f':
        buf_ += '\f';
        break;
      case 'n':
        buf_ += '\n';
        break;
      case 'r':
        buf_ += '\r';
        break;
      case 't':
        buf_ += '\t';
        break;
      case 'u': {
        std::uint32_t cp = hex4();
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (text_.substr(pos_, 2) != "\\u") fail("unpaired UTF-16 surrogate in a \\u escape");
          pos_ += 2;
          const std::uint32_t lo = hex4();
          if (lo < 0xDC00 || lo > 0xDFFF) fail("invalid UTF-16 surrogate pair");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          fail("unpaired UTF-16 surrogate in a \\u escape");
        }
        append_utf8(buf_, cp);
        break;
      }
      default:
        fail(fmt::format("invalid escape '\\{}'", e));
    }
  }
  fail("unterminated string");
}

namespace {

// Scans one number token at `pos` (grammar checked); returns its value.
NumberToken scan_number(std::string_view text, std::size_t& pos, const JsonScanner& sc) {
  NumberToken t;
  const std::size_t start = pos;
  auto word = [&](std::string_view w) { return text.compare(pos, w.size(), w) == 0; };
  // Google Benchmark's bare non-finite tokens.
  if (word("NaN")) {
    pos += 3;
    t.d = std::numeric_limits<double>::quiet_NaN();
    return t;
  }
  if (word("Infinity")) {
    pos += 8;
    t.d = std::numeric_limits<double>::infinity();
    return t;
  }
  if (word("-Infinity")) {
    pos += 9;
    t.d = -std::numeric_limits<double>::infinity();
    return t;
  }
  if (word("nan") || word("-nan") || word("inf") || word("-inf")) {
    sc.fail_at(pos,
               "lowercase nan/inf is not valid JSON (Google Benchmark writes NaN, Infinity, "
               "-Infinity)");
  }
  std::size_t p = pos;
  if (p < text.size() && text[p] == '-') ++p;
  if (p >= text.size() || !is_digit(text[p])) sc.fail_at(start, "invalid number");
  if (text[p] == '0') {
    ++p;
    if (p < text.size() && is_digit(text[p])) sc.fail_at(start, "invalid number (leading zero)");
  } else {
    while (p < text.size() && is_digit(text[p]))
      ++p;
  }
  t.integral = true;
  if (p < text.size() && text[p] == '.') {
    t.integral = false;
    ++p;
    if (p >= text.size() || !is_digit(text[p])) sc.fail_at(start, "invalid number");
    while (p < text.size() && is_digit(text[p]))
      ++p;
  }
  if (p < text.size() && (text[p] == 'e' || text[p] == 'E')) {
    t.integral = false;
    ++p;
    if (p < text.size() && (text[p] == '+' || text[p] == '-')) ++p;
    if (p >= text.size() || !is_digit(text[p])) sc.fail_at(start, "invalid number");
    while (p < text.size() && is_digit(text[p]))
      ++p;
  }
  t.text = text.substr(start, p - start);
  const auto res = std::from_chars(t.text.data(), t.text.data() + t.text.size(), t.d);
  if (res.ec == std::errc::result_out_of_range) {
    // Overflow to ±inf like strtod; underflow to 0.
    const bool neg = t.text.front() == '-';
    const auto e = t.text.find_first_of("eE");
    const bool big = e != std::string_view::npos && t.text[e + 1] != '-';
    t.d = big ? (neg ? -HUGE_VAL : HUGE_VAL) : (neg ? -0.0 : 0.0);
  } else if (res.ec != std::errc()) {
    sc.fail_at(start, "invalid number");
  }
  pos = p;
  return t;
}

}  // namespace

double JsonScanner::number(std::size_t* token_pos, std::size_t* token_len) {
  const char c = peek();
  if (token_pos != nullptr) *token_pos = pos_;
  if (c == 'n' && text_.compare(pos_, 4, "null") == 0) {
    pos_ += 4;
    if (token_len != nullptr) *token_len = 4;
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (c == '\0') fail("expected a number");
  if (!(is_digit(c) || c == '-' || c == 'N' || c == 'I' || c == 'n' || c == 'i')) {
    fail(fmt::format("expected a number but found '{}'", c));
  }
  const double d = scan_number(text_, pos_, *this).d;
  if (token_len != nullptr) *token_len = pos_ - *token_pos;
  return d;
}

bool JsonScanner::boolean() {
  peek();
  if (text_.compare(pos_, 4, "true") == 0) {
    pos_ += 4;
    return true;
  }
  if (text_.compare(pos_, 5, "false") == 0) {
    pos_ += 5;
    return false;
  }
  fail("expected true or false");
}

nlohmann::json JsonScanner::value() {
  return value_impl(0);
}

nlohmann::json JsonScanner::value_impl(int depth) {
  const char c = peek();
  switch (c) {
    case '{': {
      nlohmann::json obj = nlohmann::json::object();
      object_begin();
      std::string_view k;
      while (next_key(k)) {
        std::string key(k);
        obj[key] = value_impl(depth + 1);
      }
      return obj;
    }
    case '[': {
      nlohmann::json arr = nlohmann::json::array();
      array_begin();
      while (next_element())
        arr.push_back(value_impl(depth + 1));
      return arr;
    }
    case '"':
      return std::string(string());
    case 't':
    case 'f':
      return boolean();
    case 'n':
      if (text_.compare(pos_, 4, "null") == 0) {
        pos_ += 4;
        return nullptr;
      }
      break;
    case '\0':
      if (pos_ >= text_.size()) fail("expected a value");
      break;  // a NUL byte in the text: "found '\x00'" below
    default:
      break;
  }
  if (!(is_digit(c) || c == '-' || c == 'N' || c == 'I' || c == 'n' || c == 'i')) {
    fail(fmt::format("expected a value but found '{}'", c));
  }
  const NumberToken t = scan_number(text_, pos_, *this);
  if (t.integral) {
    std::int64_t i = 0;
    const auto r = std::from_chars(t.text.data(), t.text.data() + t.text.size(), i);
    if (r.ec == std::errc() && r.ptr == t.text.data() + t.text.size()) return i;
    std::uint64_t u = 0;
    const auto ru = std::from_chars(t.text.data(), t.text.data() + t.text.size(), u);
    if (ru.ec == std::errc() && ru.ptr == t.text.data() + t.text.size()) return u;
  }
  return t.d;
}

void JsonScanner::skip() {
  skip_impl(0);
}

void JsonScanner::skip_impl(int depth) {
  const char c = peek();
  switch (c) {
    case '{': {
      object_begin();
      std::string_view k;
      while (next_key(k))
        skip_impl(depth + 1);
      return;
    }
    case '[':
      array_begin();
      while (next_element())
        skip_impl(depth + 1);
      return;
    case '"':
      string();
      return;
    case 't':
    case 'f':
      boolean();
      return;
    default:
      value_impl(depth);
      return;
  }
}

}  // namespace benchgate::gbench::detail
