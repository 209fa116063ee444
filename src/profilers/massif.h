#pragma once
// valgrind massif: the raw massif.out file and ms_print's text report, read into one model
// (snapshots, their heap trees), and summarised: peak heap, heap over time, and the top
// allocation sites at the peak.
//
// An allocation site is the function that contains the call to the allocator. Massif records
// inlined frames with the address of the call they were inlined into, so the chain
// "allocate (new_allocator.h:137) -> ... -> vector (stl_vector.h:566) ->
// app::Cache::grow(unsigned long) (heapwork.cpp:15)" all at 0x109C40 names one site:
// app::Cache::grow. Sites are summed over the tree's first level.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "results/model.h"

namespace benchgate::profilers {

struct MassifNode {
  std::int64_t bytes = 0;
  std::string address;           ///< "0x109C40"; empty for the root and "below threshold" entries
  std::string function;          ///< "app::Cache::grow(unsigned long)", "???"
  std::string location;          ///< "heapwork.cpp:15" or "in /usr/lib/.../libstdc++.so.6.0.30"
  bool below_threshold = false;  ///< "in N places, all below massif's threshold (1.00%)"
  std::vector<MassifNode> children;
};

struct MassifSnapshot {
  int index = 0;
  double time = 0;  ///< in the profile's time unit
  std::int64_t heap = 0, heap_extra = 0, stacks = 0;
  std::string tree_kind = "empty";  ///< empty | detailed | peak
  std::optional<MassifNode> tree;
  std::int64_t total() const { return heap + heap_extra + stacks; }
};

struct MassifProfile {
  std::string command;    ///< "cmd:" / "Command:"
  std::string arguments;  ///< "desc:" / "Massif arguments:"
  std::string time_unit;  ///< "i" (instructions), "ms" or "B"
  std::vector<MassifSnapshot> snapshots;
  /// The peak snapshot: the one massif marked "peak", else the largest total.
  const MassifSnapshot* peak() const;
};

/// Parses a massif.out.<pid> file. Throws ParseError naming the line when malformed.
MassifProfile parse_massif_out(std::string_view text);
/// Parses `ms_print massif.out.<pid>`: header, the snapshot tables and the detailed trees
/// (byte counts only: percentages are derived). Throws ParseError when it is not ms_print
/// output.
/// Test-only on purpose: benchgate never runs ms_print (the massif profiler reads
/// massif.out.<pid> with parse_massif_out). This second reader lets the tests check
/// parse_massif_out against valgrind's own rendering of the same recorded files
/// (Massif.MsPrintMatchesTheOutFile), an oracle independent of our parser; it shares the node
/// parsing with parse_massif_out, so it stays here rather than in tests/.
MassifProfile parse_ms_print(std::string_view text);

struct AllocationSite {
  std::string function;
  std::string location;
  std::int64_t bytes = 0;
  double share = 0;  ///< of the snapshot's useful heap
  /// The frames from the allocator call up to the first caller outside the site (for a
  /// report), outermost last.
  std::vector<std::string> stack;
  /// When the site is library code (std::, __gnu_cxx::, "???"), the first caller along the
  /// heaviest path that is not: where the program asked for the memory. Empty otherwise.
  std::string origin;
};

/// Allocation sites of a detailed snapshot, summed by function, largest first. Bytes below
/// massif's threshold are reported as one "(below threshold)" site.
std::vector<AllocationSite> allocation_sites(const MassifSnapshot& snapshot);

/// Peak heap and top sites. top_symbols: sites (dso = their location) with their share of the
/// peak's useful heap; by_dso: the same bytes by source file or object. extra: peak_heap_B,
/// peak_heap_extra_B, peak_stacks_B, peak_total_B, peak_snapshot, peak_time, time_unit,
/// final_heap_B, snapshots, detailed_snapshots, command, series ([time, total_B] per snapshot)
/// and sites (with their stacks).
results::ProfileSummary summarize_massif(const MassifProfile& profile, std::size_t top = 25);

/// The pids valgrind ran, in order of first appearance, from its messages ("==1234== Massif, a
/// heap profiler"): every process it traced prints such a banner (an exec'd program again
/// under the same pid).
std::vector<int> valgrind_pids(std::string_view log);
/// The pid of a per-process output file name "massif.out.<pid>" (prefix: "massif.out."), or
/// nullopt when the name is not that.
std::optional<int> output_file_pid(std::string_view file_name, std::string_view prefix);

}  // namespace benchgate::profilers
