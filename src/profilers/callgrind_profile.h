#pragma once
// The function-level content of callgrind output files ("callgrind format", version 1, as
// valgrind's callgrind writes it and callgrind_annotate / KCachegrind read it), and what
// instruction mode explains a regression with: per-function instructions per request of two
// sides, as a table like callgrind_annotate's and as folded stacks for a differential flame
// graph.
//
// The format (valgrind's docs/cl-format): header lines "key: value" (events, positions,
// summary, totals, ...); position specifications ob= fl= fi= fe= fn= (object, file, inlined
// file, function) and cob= cfi=/cfl= cfn= (the callee's), each either "(id) name" (defines the
// id), "(id)" (refers to it) or a plain name; "calls=<count> <target position>" whose next
// cost line is the call's inclusive cost; "jump=" / "jcnd=" lines (no cost); and cost lines:
// one position per "positions:" entry (a number, hex 0x..., or relative +n / -n / *) then one
// count per event (trailing counts may be left out: zero). Every other cost line is the
// current function's self cost. A file may hold several parts (dumps): their costs add up.
//
// Functions are identified by name and object (the ELF file): "fn" and "fn [libc.so.6]" are
// different functions when two objects define the same name.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "profilers/callgrind.h"
#include "profilers/perf_parse.h"

namespace benchgate::profilers {

/// One function's identity.
struct CallgrindFn {
  std::string name;
  std::string object;  ///< the ob= of its cost lines ("" when the file never says)
  auto operator<=>(const CallgrindFn&) const = default;
  /// "name" plus " [object basename]" (readable in tables and flame graphs).
  std::string label() const;
};

/// Costs of one event over a whole profile: every function's self cost and every call edge's
/// inclusive cost. Doubles, so that profiles can be summed, subtracted and scaled (per request).
struct CostGraph {
  std::map<CallgrindFn, double> self;
  std::map<std::pair<CallgrindFn, CallgrindFn>, double> calls;  ///< (caller, callee) → inclusive

  double total_self() const;
  /// this += factor · other
  void add(const CostGraph& other, double factor = 1);
  /// Negative costs (a function that ran less in one lifetime than the other) become 0.
  void clamp_negative();
};

struct CallgrindProfile {
  CallgrindTotals totals;           ///< header fields and the summary/totals line
  std::vector<std::string> events;  ///< the events line, in order
  /// Per event: the cost graph (self and call costs).
  std::vector<CostGraph> graphs;
  /// The graph of one event (empty when the file does not have it).
  const CostGraph& graph(std::string_view event) const;
};

/// Parses one callgrind output file. Throws ParseError naming the line for anything that is
/// not callgrind format (an unknown spec line, a bad number, a cost line with more counts than
/// events, a cost line before any fn=, a "(id)" reference that was never defined).
CallgrindProfile parse_callgrind_profile(std::string_view text);

/// One row of the per-function difference.
struct FunctionDelta {
  CallgrindFn fn;
  double base = 0;  ///< e.g. Ir per request, self cost
  double current = 0;
  double delta = 0;      ///< current − base
  double delta_pct = 0;  ///< delta / base · 100 (NaN when base is 0)
};

/// Every function with a self cost on either side, sorted by |delta| (largest first, then by
/// label), like callgrind_annotate's per-function table but of a difference.
std::vector<FunctionDelta> function_deltas(const CostGraph& base, const CostGraph& current);

/// The rows as a Markdown table ("| function | base Ir/req | current Ir/req | Δ | Δ % |"), at
/// most `top` rows, plus the totals row; `unit` names the count ("Ir").
std::string format_function_deltas_markdown(const std::vector<FunctionDelta>& rows, std::size_t top,
                                            std::string_view unit);
/// Tab-separated, every row, with a header line (the artifact).
std::string format_function_deltas_tsv(const std::vector<FunctionDelta>& rows,
                                       std::string_view unit);

/// Folded stacks from a cost graph: the call graph unrolled from its roots (functions whose
/// cost is not all reached through calls), each call's inclusive cost split over the callee's
/// own self and calls in proportion (callgrind keeps no full stacks: this is the standard
/// reconstruction, exact for call trees, proportional where a function has several callers).
/// Recursion stops at a function already on the stack (its remaining cost counts as self);
/// stacks are at most `max_depth` deep and parts below `min_share` of the total are merged
/// into their parent. Counts are rounded to integers after multiplying by `scale`.
FoldedStacks fold_cost_graph(const CostGraph& g, double scale = 1, int max_depth = 64,
                             double min_share = 1e-5);

}  // namespace benchgate::profilers
