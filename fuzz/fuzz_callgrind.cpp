// callgrind output files (instruction mode): the totals reader, the function-level parser
// (fn=/cfn=/calls=, compressed names, relative positions), and what is built on it: the
// per-function difference and the folded stacks of the differential flame graph.
#include <cmath>

#include "fuzz_common.h"
#include "profilers/callgrind.h"
#include "profilers/callgrind_profile.h"

using namespace benchgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  (void)fuzz::accepts([&] { (void)profilers::parse_callgrind_totals(text); });
  profilers::CallgrindProfile p;
  if (!fuzz::accepts([&] { p = profilers::parse_callgrind_profile(text); })) return 0;
  fuzz::require(p.graphs.size() == p.events.size(), "one cost graph per event");
  const auto& ir = p.graph(p.events.empty() ? "Ir" : p.events.front());
  for (const auto& [fn, v] : ir.self)
    fuzz::require(v >= 0 && std::isfinite(v), "self costs are finite counts");
  profilers::CostGraph diff = ir;
  diff.add(ir, -0.5);
  diff.clamp_negative();
  const auto rows = profilers::function_deltas(ir, diff);
  for (std::size_t i = 1; i < rows.size(); ++i)
    fuzz::require(std::abs(rows[i - 1].delta) >= std::abs(rows[i].delta), "sorted by |delta|");
  (void)profilers::format_function_deltas_markdown(rows, 10, "Ir");
  (void)profilers::format_function_deltas_tsv(rows, "Ir");
  for (const auto& [stack, n] : profilers::fold_cost_graph(ir, 1, 16, 1e-3))
    fuzz::require(n > 0 && stack.find('\n') == std::string::npos, "folded stacks are lines");
  return 0;
}
