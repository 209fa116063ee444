#pragma once
// Totals of a callgrind output file (valgrind --tool=callgrind, "callgrind format" version 1):
// the header's pid, cmd and events lines and the whole-run counts from its "summary:" line
// (or, without one, the "totals:" line at the end). Pure parser; the cost lines in between
// are not read. Instruction mode (runner/instructions.h) reads one file per process.
//
// Estimated cycles (est_cycles): KCachegrind's "Cycle Estimation" (CEst, its GlobalConfig
// default formula "Ir + 10 Bm + 10 L1m + 20 Ge + 100 L2m + 100 LLm"), with the terms callgrind
// collects here: no branch simulation (Bm = 0), no global bus events (Ge = 0), and two cache
// levels (first level L1 and last level LL; L2m = 0):
//   est_cycles = Ir + 10 · (I1mr + D1mr + D1mw) + 100 · (ILmr + DLmr + DLmw)
// It is a rough, machine-independent weight of cache misses (10 cycles an L1 miss, 100 a
// last-level miss), not a prediction of real cycles.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace benchgate::profilers {

struct CallgrindTotals {
  int pid = 0;
  std::string cmd;
  std::string version;  ///< creator line, e.g. "callgrind-3.19.0"
  /// Event name → count, in the file's events order (Ir, Dr, Dw, I1mr, ...).
  std::map<std::string, std::uint64_t> events;
  std::uint64_t get(std::string_view name) const;
  /// Ir: instructions executed.
  std::uint64_t instructions() const { return get("Ir"); }
  /// Whether the cache simulation ran (I1mr ... DLmw present).
  bool has_cache_events() const;
  /// The formula above; without cache events it is Ir.
  std::uint64_t est_cycles() const;
};

/// The blank-separated words of a callgrind line (spaces, tabs, a trailing '\r').
std::vector<std::string_view> callgrind_words(std::string_view line);

/// Parses one callgrind output file's text. Throws ParseError when the file is not callgrind
/// output, has no events line, or no summary/totals line with one count per event.
CallgrindTotals parse_callgrind_totals(std::string_view text);

}  // namespace benchgate::profilers
