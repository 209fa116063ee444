#pragma once
// Exact explanations of instruction-mode regressions: for every regressed counted cell of an
// A/B gate (instructions_per_request or est_cycles_per_request), both sides' callgrind outputs
// are already in the artifacts (two lifetimes per sample). Each side's per-request profile is
//   Σ over its samples (profile of lifetime B − profile of lifetime A) / Σ counted requests
// (every process's callgrind.out file, self and call costs of Ir), so the per-function table
// and the differential flame graph hold the counted requests only — no start-up, no sampling
// noise. Written per cell: artifacts/explain/<tag>-functions.tsv (every function),
// <tag>-diff-flamegraph.svg (red: more Ir per request in the candidate, blue: fewer), the
// folded stacks of each side; and results.gate.explanations (the top rows for the Markdown
// summary). A cell that cannot be explained says why and never changes the exit code.

#include <filesystem>
#include <nlohmann/json.hpp>

#include "gate/gate.h"
#include "profilers/callgrind_profile.h"
#include "results/model.h"

namespace benchgate::runner {

/// Rows of each explanation kept in results.json (the TSV artifact has them all).
inline constexpr std::size_t kExplanationRows = 15;

/// One side's per-request Ir cost graph of `cell` from the runs of `app` in `results`
/// (artifacts under out_dir); `requests` gets the counted requests summed over the samples,
/// `runs` the run ids used. Throws RunError when no sample has both lifetimes' files.
profilers::CostGraph per_request_graph(const results::ResultsFile& results, const std::string& app,
                                       const std::string& cell,
                                       const std::filesystem::path& out_dir, double& requests,
                                       std::vector<std::string>& runs);

/// The explanations of every regressed counted cell of an A/B gate (an array, empty when
/// there is none; see the top of this file).
nlohmann::json explain_counted_regressions(const results::ResultsFile& results,
                                           const gate::GateResult& verdicts,
                                           const std::filesystem::path& out_dir);

}  // namespace benchgate::runner
