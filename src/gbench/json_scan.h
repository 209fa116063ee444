#pragma once
// A small, strict, fast pull parser for JSON text, used where nlohmann's DOM is too slow
// (Google Benchmark files with tens of thousands of rows) or too strict (Google Benchmark
// writes bare NaN / Infinity / -Infinity tokens). Every syntax error throws ConfigError
// "<origin>:<line>:<col>: <what>"; lowercase nan/inf is rejected with its line.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace benchgate::gbench::detail {

/// A file's text mapped read-only and pre-faulted (MAP_POPULATE): large inputs cost neither a
/// copy nor a page fault per 4 KiB. `storage` keeps the mapping alive. Falls back to
/// platform::read_input_file() for files that cannot be mapped. ConfigError "<path>: ..." like
/// read_input_file().
struct MappedText {
  std::shared_ptr<const char> storage;
  std::string_view text;
};
MappedText map_text(const std::filesystem::path& path);
/// Wraps an owned string the same way.
MappedText own_text(std::string text);
/// Asks the kernel to back the 2 MiB-aligned middle of [p, p + bytes) with transparent huge
/// pages (madvise MADV_HUGEPAGE; a no-op without such a 2 MiB page inside, or where THP is off).
/// For the few large buffers of a diff (the rows of a 13 MB file: ~8 MB; a 6 MB JSON rendering) it
/// saves thousands of page faults, each expensive on a paravirtualised VM.
void advise_huge_pages(const void* p, std::size_t bytes);

class JsonScanner {
 public:
  JsonScanner(std::string_view text, std::string origin);

  /// Next significant character after whitespace, '\0' at the end.
  char peek();
  /// Consumes `c` (after whitespace) or fails with "expected <what>".
  void expect(char c, std::string_view what);
  /// Consumes `c` if it is next (after whitespace).
  bool consume(char c);

  /// Reads a string. The view points into the text when there are no escapes, else into an
  /// internal buffer valid until the next call.
  std::string_view string();
  /// Reads a number; bare NaN, Infinity, -Infinity give the non-finite values, null NaN.
  /// `token` (optional) receives the byte offset and length of the number's text.
  double number(std::size_t* token_pos = nullptr, std::size_t* token_len = nullptr);
  /// Reads true/false.
  bool boolean();
  /// Reads any value into a DOM (integers stay integers).
  nlohmann::json value();
  /// Skips any value (still checking its syntax).
  void skip();
  /// Fails unless only whitespace is left.
  void expect_end();

  /// Object iteration: call object_begin(), then while (next_key(key)) { read the value }.
  void object_begin();
  bool next_key(std::string_view& key);
  /// Array iteration: array_begin(), then while (next_element()) { read the element }.
  void array_begin();
  bool next_element();

  /// Byte offset of the next unread character; line (1-based) of an offset.
  std::size_t offset() const { return pos_; }
  int line_of(std::size_t offset) const;
  const std::string& origin() const { return origin_; }

  [[noreturn]] void fail(std::string_view what) const;
  /// A format (not syntax) problem: ConfigError "<origin>:<line>: <what>".
  [[noreturn]] void error_at(std::size_t offset, std::string_view what) const;
  [[noreturn]] void fail_at(std::size_t offset, std::string_view what) const;

 private:
  void skip_ws();
  void check_depth();
  nlohmann::json value_impl(int depth);
  void skip_impl(int depth);
  std::string_view string_slow(std::size_t start);

  std::string_view text_;
  std::string origin_;
  std::size_t pos_ = 0;
  std::string buf_;
  // Per open container: has it seen an element yet (for comma handling)?
  std::string first_stack_;
};

}  // namespace benchgate::gbench::detail
