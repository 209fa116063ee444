#pragma once
// Line splitting for the parsers of tool outputs (perf, massif, JMeter, ...). The other string
// helpers (trim, split, split_view, join, replace_all) are in core/parse.h; prefix and suffix
// tests are C++20's std::string_view::starts_with / ends_with.

#include <string_view>
#include <vector>

namespace benchgate {

/// The lines of text without their "\n" or "\r\n" (views into text). A final line without a
/// newline counts; text ending in "\n" gives a last empty line.
std::vector<std::string_view> lines_of(std::string_view text);

}  // namespace benchgate
