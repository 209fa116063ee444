#include "gate/outcome.h"

#include <fmt/format.h>

#include <iterator>
#include <vector>

namespace benchgate::gate {

namespace {

// The counter of a gated verdict; nullptr for kChanged (informational rows only).
template <class T>
auto* slot(T& t, Verdict v) {
  switch (v) {
    case Verdict::kRegressed:
      return &t.regressed;
    case Verdict::kWarn:
      return &t.warn;
    case Verdict::kImproved:
      return &t.improved;
    case Verdict::kUnchanged:
      return &t.unchanged;
    case Verdict::kInconclusive:
      return &t.inconclusive;
    case Verdict::kNotComparable:
      return &t.not_comparable;
    case Verdict::kError:
      return &t.error;
    case Verdict::kChanged:
      break;
  }
  return static_cast<decltype(&t.regressed)>(nullptr);
}

}  // namespace

int Tally::count(Verdict v) const {
  const int* n = slot(*this, v);
  return n ? *n : 0;
}

Tally tally(const GateResult& g) {
  Tally t;
  for (const auto& v : g.verdicts) {
    int* n = v.gated ? slot(t, v.verdict) : nullptr;
    ++(n ? *n : t.informational);  // ungated rows (and a stray kChanged) are informational
  }
  return t;
}

bool run_failed(const results::RunRecord& r) {
  if (r.status == "failed" || r.status == "skipped") return true;
  if (r.status == "interrupted") return false;
  for (const auto& p : r.periods) {
    if (p.status != "ok" && p.status != "interrupted") return true;
  }
  return false;
}

int count_failed_runs(const results::ResultsFile& r) {
  int n = 0;
  for (const auto& run : r.runs)
    n += run_failed(run) ? 1 : 0;
  return n;
}

std::string_view undecided_cause_name(UndecidedCause c) {
  switch (c) {
    case UndecidedCause::kNone:
      return "";
    case UndecidedCause::kNoBaseline:
      return "no_baseline";
    case UndecidedCause::kNothingCompared:
      return "nothing_compared";
    case UndecidedCause::kTestbedMismatch:
      return "testbed_mismatch";
    case UndecidedCause::kTooFewRuns:
      return "too_few_runs";
    case UndecidedCause::kAllInconclusive:
      return "all_inconclusive";
    case UndecidedCause::kSomeUndecided:
      return "some_undecided";
  }
  return "";
}

namespace {

std::string plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// Why a gated result without regressions or failures is not a pass (kNone when it is one).
std::pair<UndecidedCause, std::string> undecided(const GateResult& g, const Tally& t) {
  if (g.no_baseline) {
    return {UndecidedCause::kNoBaseline,
            fmt::format("no baseline yet: {} does not exist (create it with `benchgate baseline "
                        "update`)",
                        g.baseline_source)};
  }
  if (t.gated() == 0) {
    std::string why = "nothing was compared";
    if (!g.notes.empty()) why += ": " + g.notes.front();
    return {UndecidedCause::kNothingCompared, why};
  }
  if (t.undecided() == 0) return {UndecidedCause::kNone, ""};
  const std::string of = t.undecided() == t.gated()
                             ? fmt::format("all {} gated tests", t.gated())
                             : fmt::format("{} of {} gated tests", t.undecided(), t.gated());
  if (!g.testbed_match && t.not_comparable == t.gated()) {
    return {UndecidedCause::kTestbedMismatch,
            fmt::format("testbed mismatch: the baseline was measured on a different testbed, "
                        "{} not comparable",
                        of)};
  }
  int too_few = 0;
  for (const auto& v : g.verdicts) {
    if (v.gated && v.verdict == Verdict::kInconclusive && v.cause == "too_few_runs") ++too_few;
  }
  if (too_few > 0) {
    // The gate's note says how many pairs / runs would be needed.
    std::string why = fmt::format("too few runs: {} can never reach α = {}",
                                  plural(too_few, "gated test", "gated tests"), g.alpha);
    for (const auto& n : g.notes) {
      if (n.find("are needed") != std::string::npos) {
        why = "too few runs: " + n;
        break;
      }
    }
    return {UndecidedCause::kTooFewRuns, why};
  }
  std::vector<std::string> parts;
  if (t.inconclusive) parts.push_back(fmt::format("{} inconclusive", t.inconclusive));
  if (t.not_comparable) parts.push_back(fmt::format("{} not comparable", t.not_comparable));
  const auto cause = t.undecided() == t.gated() ? UndecidedCause::kAllInconclusive
                                                : UndecidedCause::kSomeUndecided;
  return {cause, fmt::format("{} not decided ({})", of, fmt::join(parts, ", "))};
}

}  // namespace

Outcome decide_outcome(const results::ResultsFile* results, const GateResult* gate,
                       bool warn_only) {
  Outcome o;
  o.warn_only = warn_only;
  o.gated = gate != nullptr;
  if (gate) o.tally = tally(*gate);
  if (results) {
    o.results_status = results->status;
    o.runs = static_cast<int>(results->runs.size());
    o.failed_runs = count_failed_runs(*results);
  }

  if (results && results->status == "interrupted") {
    o.kind = OutcomeKind::kInterrupted;
    o.exit_code = ExitCode::kInterrupted;
    o.reason = fmt::format("stopped by a signal after {}", plural(o.runs, "run", "runs"));
    return o;
  }
  if (results && results->status != "complete") {
    o.kind = OutcomeKind::kPartial;
    o.exit_code = ExitCode::kRunFailed;
    o.reason = results::incomplete_reason(*results);
    return o;
  }
  if (gate && !gate->partial.empty()) {
    o.kind = OutcomeKind::kPartial;
    o.exit_code = ExitCode::kRunFailed;
    o.reason = "input not complete: " + gate->partial;
    return o;
  }
  if (o.failed_runs > 0 || o.tally.error > 0) {
    o.kind = OutcomeKind::kRunFailed;
    o.exit_code = ExitCode::kRunFailed;
    if (o.failed_runs > 0) {
      o.reason = fmt::format("{} of {} failed", o.failed_runs, plural(o.runs, "run", "runs"));
    } else {
      o.reason = fmt::format("{} could not be decided because their runs failed",
                             plural(o.tally.error, "gated test", "gated tests"));
    }
    return o;
  }
  if (!gate) {
    o.kind = OutcomeKind::kNotGated;
    o.exit_code = ExitCode::kOk;
    const auto* shard = results && results->shard.is_object() ? &results->shard : nullptr;
    if (shard && shard->contains("index")) {
      // One shard of a sharded run (runner/shard.h): the merge gates the whole family.
      o.reason = fmt::format(
          "shard {}/{} of a sharded run: not gated here; `benchgate merge` gates every shard's "
          "results together",
          shard->value("index", 0), shard->value("total", 0));
    } else {
      o.reason = "results only: no baseline and no A/B roles, nothing was judged";
    }
    return o;
  }
  if (o.tally.regressed > 0) {
    o.kind = OutcomeKind::kRegressed;
    o.exit_code = warn_only ? ExitCode::kOk : ExitCode::kRegression;
    o.reason = fmt::format("{} of {} regressed{}", o.tally.regressed,
                           plural(o.tally.gated(), "gated test", "gated tests"),
                           warn_only ? " (--warn-only: exit 0)" : "");
    return o;
  }
  auto [cause, why] = undecided(*gate, o.tally);
  if (cause != UndecidedCause::kNone) {
    o.kind = OutcomeKind::kUndecided;
    o.exit_code = ExitCode::kNotComparable;
    o.cause = cause;
    o.reason = why;
    return o;
  }
  o.kind = OutcomeKind::kPass;
  o.exit_code = ExitCode::kOk;
  o.reason = fmt::format(
      "{} decided, no regressions",
      o.tally.gated() == 1 ? "the gated test" : fmt::format("all {} gated tests", o.tally.gated()));
  return o;
}

namespace {

struct KindNames {
  std::string_view token, word, emoji;
};

// One row per OutcomeKind, in declaration order.
constexpr KindNames kKindNames[] = {
    {"pass", "pass", "✅"},
    {"regressed", "regressed", "❌"},
    {"undecided", "undecided", "❔"},
    {"run_failed", "run failed", "💥"},
    {"partial", "partial", "⚠️"},
    {"interrupted", "interrupted", "⏹️"},
    {"not_gated", "results (not gated)", "📊"},
};
static_assert(std::size(kKindNames) == static_cast<std::size_t>(OutcomeKind::kNotGated) + 1);

const KindNames& names_of(OutcomeKind k) {
  return kKindNames[static_cast<std::size_t>(k)];
}

}  // namespace

std::string_view Outcome::token() const {
  return names_of(kind).token;
}

std::string_view Outcome::word() const {
  return names_of(kind).word;
}

std::string_view Outcome::emoji() const {
  return names_of(kind).emoji;
}

std::string Outcome::text() const {
  std::string h;
  if (kind == OutcomeKind::kRegressed) {
    h = plural(tally.regressed, "regression", "regressions");
    if (warn_only) h += " (--warn-only: exit 0)";
    return h;
  }
  h = fmt::format("{}: {}", word(), reason);
  // A failed, partial or interrupted run may also have regressions: say both, the worse first.
  if ((kind == OutcomeKind::kRunFailed || kind == OutcomeKind::kPartial ||
       kind == OutcomeKind::kInterrupted) &&
      tally.regressed > 0) {
    h += fmt::format("; {}", plural(tally.regressed, "regression", "regressions"));
  }
  return h;
}

std::string Outcome::headline() const {
  return fmt::format("{} {}", emoji(), text());
}

nlohmann::json outcome_json(const Outcome& o) {
  return {{"status", std::string(o.token())},
          {"exit_code", static_cast<int>(o.exit_code)},
          {"reason", o.reason}};
}

bool recorded_warn_only(const results::ResultsFile& r) {
  if (!r.suite.is_object()) return false;
  const auto g = r.suite.find("gate");
  if (g == r.suite.end() || !g->is_object()) return false;
  const auto w = g->find("warn_only");
  return w != g->end() && w->is_boolean() && w->get<bool>();
}

}  // namespace benchgate::gate
