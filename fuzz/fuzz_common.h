#pragma once
// Shared by every fuzz target (fuzz/*.cpp). A parser of outside text may reject its input only
// the way the CLI turns into a clear exit 2: benchgate::Error (UsageError / ConfigError) or
// benchgate::ParseError. Any other exception would reach cli::run's last catch and become
// exit 5 "internal error", so it is a finding: the target aborts with the exception's text and
// libFuzzer (or fuzz/replay_main.cpp) records the input.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/parse.h"

namespace benchgate::fuzz {

[[noreturn]] inline void finding(const char* what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what);
  std::abort();
}

/// Runs f(); returns false when it rejected the input with a documented error.
template <class F>
bool accepts(F&& f) {
  try {
    f();
    return true;
  } catch (const Error&) {
    return false;
  } catch (const ParseError&) {
    return false;
  } catch (const std::exception& e) {
    finding((std::string("undocumented exception: ") + e.what()).c_str());
  }
}

/// A property that must hold for every accepted input.
inline void require(bool ok, const char* what) {
  if (!ok) finding(what);
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace benchgate::fuzz
