#pragma once
// The outcome of a benchgate invocation: ONE function (decide_outcome) maps the results'
// life cycle, the runs and the gate's verdicts to the exit code and to the word every output
// uses — the console headline, summary.md, the report.html pill, GITHUB_OUTPUT `status`, the
// JUnit suite result and the OpenMetrics outcome. No output decides "pass" on its own.
//
//   outcome      exit  when
//   interrupted  130   SIGINT/SIGTERM stopped the runs
//   partial      4     the results file is not complete (benchgate did not finish: `running`,
//                      `failed`), read with --allow-partial
//   run_failed   4     a run failed, was skipped, or a load period was invalid; or a verdict is
//                      `error`
//   regressed    1     a gated verdict is `regressed` (0 with --warn-only; still "regressed")
//   undecided    3     gated, nothing regressed or failed, but not every gated test decided:
//                      no baseline yet, testbed mismatch, too few pairs, inconclusive or not
//                      comparable verdicts, or nothing to compare
//   pass         0     gated, and every gated test decided: unchanged, improved or warn
//   not_gated    0     results only (no baseline, no A/B roles): nothing was judged
//
// Counts (Tally) are over gated verdicts only; informational (ungated) rows are counted apart.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/exit_code.h"
#include "gate/verdict.h"
#include "results/model.h"

namespace benchgate::gate {

enum class OutcomeKind {
  kPass,
  kRegressed,
  kUndecided,
  kRunFailed,
  kPartial,
  kInterrupted,
  kNotGated
};

/// Why a gated outcome is undecided.
enum class UndecidedCause {
  kNone,
  kNoBaseline,       ///< --baseline names a file that does not exist yet
  kNothingCompared,  ///< no comparison at all (A/B without both roles, no common cell)
  kTestbedMismatch,  ///< the stored baseline's testbed differs (strict mode)
  kTooFewRuns,       ///< some gated tests can never reach α with this many pairs / runs
  kAllInconclusive,  ///< every gated test inconclusive or not comparable
  kSomeUndecided,    ///< some gated tests inconclusive or not comparable
};

/// Verdict counts over gated tests (the family the exit code is decided on).
struct Tally {
  int regressed = 0, warn = 0, improved = 0, unchanged = 0, inconclusive = 0, not_comparable = 0,
      error = 0;
  int informational = 0;  ///< ungated rows, never in the counts above
  int gated() const {
    return regressed + warn + improved + unchanged + inconclusive + not_comparable + error;
  }
  int undecided() const { return inconclusive + not_comparable; }
  int count(Verdict v) const;
};

Tally tally(const GateResult& g);

struct Outcome {
  OutcomeKind kind = OutcomeKind::kNotGated;
  ExitCode exit_code = ExitCode::kOk;
  UndecidedCause cause = UndecidedCause::kNone;
  bool gated = false;  ///< a gate ran (A/B, baseline or diff)
  bool warn_only = false;
  std::string results_status;  ///< the results file's life-cycle status ("" for diff)
  Tally tally;
  int runs = 0;         ///< runs recorded
  int failed_runs = 0;  ///< failed or skipped runs, plus runs with a failed / invalid period
  /// One line saying why ("3 pairs can never reach α = 0.05 with Holm over 8 tests", "2 of
  /// 12 runs failed", "no baseline yet: baselines/main.json does not exist").
  std::string reason;

  /// Machine token: pass | regressed | undecided | run_failed | partial | interrupted |
  /// not_gated (GITHUB_OUTPUT status, JUnit property, OpenMetrics label, CSS class).
  std::string_view token() const;
  /// The word people read: "pass", "regressed", "undecided", "run failed", "partial",
  /// "interrupted", "results (not gated)".
  std::string_view word() const;
  std::string_view emoji() const;  ///< ✅ only for pass
  /// "pass: all 26 gated tests decided, no regressions", "4 regressions", "undecided: …",
  /// "run failed: …". No emoji, no suite name, no markup.
  std::string text() const;
  /// emoji() + " " + text().
  std::string headline() const;
  bool is_pass() const { return kind == OutcomeKind::kPass; }
};

/// The one decision. results: the runs (nullptr for `diff` of two stored files); gate: the
/// verdicts (nullptr when not gated); warn_only: regressions exit 0 but still say regressed.
Outcome decide_outcome(const results::ResultsFile* results, const GateResult* gate, bool warn_only);

/// Failed runs as decide_outcome counts them (status failed or skipped, or a period that is
/// not ok), and whether a run of `r` is one.
bool run_failed(const results::RunRecord& r);
int count_failed_runs(const results::ResultsFile& r);

std::string_view undecided_cause_name(UndecidedCause c);

/// {"status": token, "exit_code": n, "reason": text} for results.json's "outcome".
nlohmann::json outcome_json(const Outcome& o);

/// The --warn-only setting a run recorded (results.suite.gate.warn_only), so `report` decides
/// as `run` did.
bool recorded_warn_only(const results::ResultsFile& r);  ///< "no_baseline", "too_few_runs", …

}  // namespace benchgate::gate
