#include "core/strings.h"

#include "core/parse.h"

namespace benchgate {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  for (auto l : split_view(text, '\n')) {
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    out.push_back(l);
  }
  return out;
}

}  // namespace benchgate
