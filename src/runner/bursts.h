#pragma once
// pairing = "bursts": both apps of the A/B pair start once per session and stay up, pinned to
// the same app CPUs; then short load bursts alternate between them, pair after pair, in the
// order the plan gives (ABBA: matrix/matrix.h). An app's first burst has the scenario's full
// warm-up, every later one `burst_warmup`. Each burst pair becomes one run record per app
// (iteration = pair), so the gate pairs bursts as it pairs restarts; the start-up metrics
// (startup_time, idle_rss) and the app's logs go to the session's first record of each app:
// a suite gets as many start-up pairs as it has `starts`.
//
// Failures: a pair with an invalid burst (errors above max_error_rate, no response in the
// window) is measured again once, both apps, with a warning on both runs: a burst is short, and
// a machine that stalls longer than one would otherwise fail the gate. Invalid again, it fails
// its own run (the session goes on). A crash, a driver
// failure or an interruption ends the session: the failing app's run of that pair fails with
// that reason, its partner's run fails as partner_failed, the session's remaining runs are
// recorded as skipped (the next session starts both apps afresh); an interrupted session's
// remaining runs are not recorded. An app that does not come up fails all its runs of the
// session the way a restart would (not_ready, exited_at_start, ...); its partner's are
// skipped as partner_failed. An unexpected termination at the end fails all the app's runs of
// the session.

#include <span>
#include <vector>

#include "results/model.h"
#include "runner/runner.h"

namespace benchgate::runner {

/// Whether the run is part of a bursts session (driver_options.pairing = "bursts").
bool is_bursts_run(const RunSpec& spec);

/// How many runs from runs[first] on belong to runs[first]'s session (same scenario, same
/// session number, contiguous in the plan); 1 for a run that is not a bursts run.
std::size_t session_length(const std::vector<RunSpec>& runs, std::size_t first);

/// Runs one session: `runs` are its runs in plan order, two per burst pair (one per app).
/// One record per run, in the same order (fewer when interrupted). Never throws for a
/// failure of an app or the driver.
std::vector<results::RunRecord> execute_bursts(std::span<const RunSpec> runs, RunContext& ctx);

}  // namespace benchgate::runner
