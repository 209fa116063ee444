// The shell-like splitter of app commands (quotes, backslashes) and its inverse: an accepted
// command's words, joined with shell_join, split back to the same words.
#include <string>

#include "core/parse.h"
#include "fuzz_common.h"

using namespace benchgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  std::vector<std::string> words;
  if (!fuzz::accepts([&] { words = shell_split(text); })) return 0;
  std::vector<std::string> again;
  fuzz::require(fuzz::accepts([&] { again = shell_split(shell_join(words)); }),
                "shell_join output does not split");
  fuzz::require(again == words, "shell_split(shell_join(words)) != words");
  for (const auto& w : words) {
    fuzz::require(shell_split(shell_quote(w)) == std::vector<std::string>{w},
                  "shell_quote does not round-trip one word");
  }
  return 0;
}
