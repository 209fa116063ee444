#pragma once
// Symbol demangling for profiler reports: C++ (Itanium ABI) through abi::__cxa_demangle, and
// an optional external demangler command (e.g. swift-demangle, rustfilt, c++filt) for other
// languages, fed one name per line on stdin.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace benchgate::profilers {

enum class DemangleStyle {
  kFull,  ///< what c++filt prints: return type and parameter list included
  kPerf,  ///< what perf prints: the qualified name with template arguments, no return type
          ///< and no parameters ("bench::Workload::run_for<main::{lambda()#1}>")
};

/// Demangles an Itanium C++ name ("_Z...", also with a "@plt", "@@GLIBC_2.17" or ".isra.0"
/// suffix, which is kept). Anything that is not a mangled name comes back unchanged.
std::string demangle(std::string_view name, DemangleStyle style = DemangleStyle::kFull);

/// True for names that look like Itanium-mangled C++ ("_Z" followed by an upper-case letter).
bool looks_mangled(std::string_view name);

/// Removes the return type and parameter list from a demangled C++ name, keeping template
/// arguments, "(anonymous namespace)", lambdas and operator names intact.
std::string strip_signature(std::string_view demangled);

/// Maps a list of names to a list of names of the same length, in order.
using Demangler = std::function<std::vector<std::string>(const std::vector<std::string>&)>;

/// The built-in C++ demangler as a Demangler.
Demangler cxx_demangler(DemangleStyle style = DemangleStyle::kFull);

/// A Demangler that runs `argv` (e.g. {"swift-demangle", "--simplified"}) with the names on
/// stdin, one per line, and reads one line back per name. Throws RunError when the command
/// cannot be started, fails, times out or answers with a different number of lines.
Demangler external_demangler(std::vector<std::string> argv,
                             Nanos timeout = std::chrono::seconds(30));

/// C++ first, then the external one (when given) for names still mangled-looking or left
/// as they were; names are de-duplicated before the external command sees them.
std::vector<std::string> demangle_all(const std::vector<std::string>& names,
                                      DemangleStyle style = DemangleStyle::kFull,
                                      const Demangler* external = nullptr);

}  // namespace benchgate::profilers
