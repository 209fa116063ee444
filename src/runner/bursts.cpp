#include "runner/bursts.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>

#include "config/suite.h"
#include "core/error.h"
#include "core/parse.h"
#include "runner/session.h"

namespace benchgate::runner {

namespace {

/// How many times a pair with an invalid burst is measured again (runner/bursts.h).
constexpr int kPairRetries = 1;

// One app of the pair during a session.
struct Side {
  const RunSpec* first = nullptr;  // its first run of the session (the lifetime's record)
  std::unique_ptr<AppSession> session;
  bool up = false;
  bool warmed = false;           // its first burst (with the full warm-up) is done
  std::optional<Ending> broken;  // why its lifetime ended early (crash, driver, interrupt)
  bool open_failed = false;      // it never came up: its lifetime's ending applies to all
};

std::string who(const RunSpec& spec) {
  return fmt::format("the {} '{}'", spec.app.role, spec.app.label);
}

// What happened to `spec`'s app, as a clause: "crashed", "never became ready within 30 s", ...
std::string what_happened(const Ending& e, const RunSpec& spec) {
  if (is_start_failure(e.kind)) return describe_start_failure(e.kind, spec);
  if (e.kind == kind::kCrashed) return "crashed";
  if (e.kind == kind::kInterrupted) return "was interrupted";
  if (e.kind == kind::kDriverFailed) return "had a failed driver";
  if (e.kind == kind::kPortInUse) return "found its port in use";
  if (e.kind == kind::kPreRunFailed) return "had a failed pre-run script";
  return "failed";
}

void set_ending(results::RunRecord& rec, const Ending& e) {
  rec.status = e.status;
  rec.failure = e.reason;
  rec.failure_kind = e.status == "ok" ? "" : e.kind;
}

class Session {
 public:
  Session(std::span<const RunSpec> runs, RunContext& outer)
      : runs_(runs), outer_(outer), ctx_(outer), recs_(runs.size()) {
    ctx_.observer = nullptr;  // progress is reported per burst run, below
    if (runs.empty() || runs.size() % 2 != 0) {
      throw InternalError("bursts: a session is a list of pairs of runs");
    }
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto& role = runs[i].app.role;
      if (role != "baseline" && role != "candidate") {
        throw InternalError("bursts: every run of a session is the baseline's or the candidate's");
      }
      if (!sides_[role].first) sides_[role].first = &runs[i];
      if (i % 2 == 1 &&
          (runs[i].iteration != runs[i - 1].iteration || role == runs[i - 1].app.role))
        throw InternalError("bursts: the two runs of a pair are one iteration of both apps");
    }
  }

  std::vector<results::RunRecord> run() {
    open_both();
    std::size_t next = 0;
    if (sides_["baseline"].up && sides_["candidate"].up) next = drive_pairs();
    skip_from(next);
    close_both();
    std::vector<results::RunRecord> out;
    for (auto& r : recs_) {
      if (r) out.push_back(std::move(*r));
    }
    return out;
  }

 private:
  // Baseline first, then the candidate; the second is not started when the first failed.
  void open_both() {
    for (const char* role : {"baseline", "candidate"}) {
      auto& s = sides_[role];
      s.session = std::make_unique<AppSession>(*s.first, ctx_);
      if (auto e = s.session->open()) {
        s.broken = std::move(e);
        s.open_failed = true;
        failed_ = s.first;
        failure_ = *s.broken;
        break;
      }
      s.up = true;
    }
  }

  // The pairs, burst by burst; the index of the first run not driven.
  std::size_t drive_pairs() {
    for (std::size_t i = 0; i < runs_.size(); i += 2) {
      std::array<Nanos, 2> spent{};
      for (std::size_t j : {i, i + 1}) {
        recs_[j] = new_run_record(runs_[j], outer_.clock);
        if (outer_.observer) outer_.observer->on_run_start(runs_[j]);
      }
      std::optional<std::size_t> stopped;  // the run whose burst ended the session
      for (int attempt = 0;; ++attempt) {
        stopped = drive_pair(i, attempt, spent);
        if (stopped || (invalid_[i].empty() && invalid_[i + 1].empty()) ||
            attempt >= kPairRetries) {
          break;
        }
        remeasure(i);
      }
      for (std::size_t j : {i, i + 1})
        end_pair_run(j, spent[j - i], stopped);
      if (stopped) return i + 2;
    }
    return runs_.size();
  }

  // Every load point of pair runs_[i], runs_[i + 1]: a burst of each, in the plan's order. The
  // run whose burst ended the session, if one did.
  std::optional<std::size_t> drive_pair(std::size_t i, int attempt, std::array<Nanos, 2>& spent) {
    const std::string tag = attempt == 0 ? fmt::format("b{:02}-", runs_[i].iteration)
                                         : fmt::format("b{:02}r{}-", runs_[i].iteration, attempt);
    for (const auto& point : runs_[i].points) {
      for (std::size_t j : {i, i + 1}) {
        const auto& spec = runs_[j];
        auto& side = sides_[spec.app.role];
        const Nanos warmup = side.warmed ? spec.driver_options.burst_warmup : spec.warmup;
        side.warmed = true;
        if (outer_.observer) outer_.observer->on_period_start(spec, point);
        const auto t0 = outer_.clock.now();
        auto b = side.session->burst(point, warmup, tag);
        spent[j - i] += outer_.clock.now() - t0;
        auto& rec = *recs_[j];
        if (b.period.status == "invalid") {
          invalid_[j].push_back(
              fmt::format("load point {} invalid: {}", b.period.point.key(), b.period.reason));
        }
        rec.periods.push_back(std::move(b.period));
        rec.artifacts.insert(rec.artifacts.end(), b.artifacts.begin(), b.artifacts.end());
        if (b.ending) {
          side.broken = b.ending;
          failed_ = &spec;
          failure_ = *b.ending;
          return j;
        }
      }
    }
    return std::nullopt;
  }

  // A burst of the pair was invalid: the whole pair is measured again (both apps, so neither
  // side is favoured), and both runs say why. A burst is short: a machine that stalls longer
  // than one (no response in the window, timeouts) would otherwise fail the gate; an app that
  // fails again fails its run.
  void remeasure(std::size_t i) {
    std::vector<std::string> why;
    for (std::size_t j : {i, i + 1}) {
      for (const auto& r : invalid_[j])
        why.push_back(fmt::format("{}: {}", runs_[j].app.label, r));
    }
    const auto note =
        fmt::format("burst pair {} measured again: {}", runs_[i].iteration, join(why, "; "));
    for (std::size_t j : {i, i + 1}) {
      recs_[j]->periods.clear();
      recs_[j]->warnings.push_back(note);
      invalid_[j].clear();
      if (outer_.observer) outer_.observer->on_warning(runs_[j], note);
    }
  }

  // A driven run's status: the burst that ended the session, its partner, invalid bursts.
  void end_pair_run(std::size_t j, Nanos spent, std::optional<std::size_t> stopped) {
    auto& rec = *recs_[j];
    const auto& spec = runs_[j];
    if (stopped && *stopped == j) {
      set_ending(rec, failure_);
    } else if (stopped) {
      if (failure_.kind == kind::kInterrupted) {
        set_ending(rec, failure_);
      } else {
        set_ending(
            rec, Ending{"failed",
                        fmt::format("its burst pair has no partner: {} {} in it: {}", who(*failed_),
                                    what_happened(failure_, *failed_), failure_.reason),
                        kind::kPartnerFailed});
      }
    } else if (!invalid_[j].empty()) {
      set_ending(rec, Ending{"failed", join(invalid_[j], "; "), kind::kInvalid});
    }
    rec.elapsed_s = to_seconds(spent);
    const Nanos measured = (spec.driver_options.burst_warmup + spec.duration) *
                           static_cast<std::int64_t>(rec.periods.size());
    rec.overhead_s = std::max(0.0, rec.elapsed_s - to_seconds(measured));
    if (outer_.observer) outer_.observer->on_run_end(spec, rec);
  }

  // The runs from `from` on were not driven: recorded as skipped, saying why (none when
  // interrupted: an interrupted suite records only what ran).
  void skip_from(std::size_t from) {
    if (from >= runs_.size() || !failed_) return;
    if (failure_.kind == kind::kInterrupted) return;
    for (std::size_t j = from; j < runs_.size(); ++j) {
      const auto& spec = runs_[j];
      const bool same_app = spec.app.role == failed_->app.role;
      if (same_app && sides_[spec.app.role].open_failed) {
        // It never came up: every run of it fails the way a restart would have.
        recs_[j] = new_run_record(spec, outer_.clock);
        set_ending(*recs_[j], failure_);
      } else if (same_app) {
        recs_[j] = skipped_run(
            spec,
            fmt::format("not run: this start of the app {} in burst pair {}: {}",
                        what_happened(failure_, *failed_), failed_->iteration, failure_.reason),
            failure_.kind, outer_.clock);
      } else {
        recs_[j] = skipped_run(spec,
                               fmt::format("not run: {} {} in this session: {}", who(*failed_),
                                           what_happened(failure_, *failed_), failure_.reason),
                               kind::kPartnerFailed, outer_.clock);
      }
    }
  }

  // The candidate first (it was started second), then the baseline: a side's survivors sweep
  // keeps what was running before it was launched, so the other app is never swept as its
  // leftover. Each lifetime's record goes into the app's first run of the session.
  void close_both() {
    for (const char* role : {"candidate", "baseline"}) {
      auto& s = sides_[role];
      if (!s.session) continue;
      // An ending passed in is already on the run it happened in; without one, close() judges
      // how the app stopped, which applies to every run of this lifetime.
      auto life = s.session->close(s.broken);
      merge_lifetime(*s.first, std::move(life), !s.broken || s.open_failed);
    }
  }

  void merge_lifetime(const RunSpec& first, results::RunRecord life, bool judges_all) {
    const auto idx = static_cast<std::size_t>(&first - runs_.data());
    const bool failed = life.status != "ok";
    for (std::size_t j = 0; j < runs_.size(); ++j) {
      if (runs_[j].app.role != first.app.role || !recs_[j]) continue;
      auto& rec = *recs_[j];
      rec.instances = life.instances;
      rec.termination = life.termination;
      if (judges_all && failed && rec.status == "ok") {
        set_ending(rec, Ending{life.status, life.failure, life.failure_kind});
      }
    }
    if (!recs_[idx]) return;
    auto& rec = *recs_[idx];
    rec.started_at = life.started_at;
    rec.startup = life.startup;
    rec.metrics = life.metrics;
    rec.traces = std::move(life.traces);
    rec.artifacts.insert(rec.artifacts.begin(), life.artifacts.begin(), life.artifacts.end());
    rec.warnings.insert(rec.warnings.begin(), life.warnings.begin(), life.warnings.end());
    // The lifetime's start-up and shutdown belong to its first run.
    rec.elapsed_s += life.overhead_s;
    rec.overhead_s += life.overhead_s;
    if (rec.status == "skipped") rec.status = "failed";  // it was started: not "skipped"
  }

  std::span<const RunSpec> runs_;
  RunContext& outer_;
  RunContext ctx_;
  std::map<std::string, Side> sides_;
  std::vector<std::optional<results::RunRecord>> recs_;
  std::map<std::size_t, std::vector<std::string>> invalid_;
  const RunSpec* failed_ = nullptr;  // the run whose app ended the session early
  Ending failure_;
};

}  // namespace

bool is_bursts_run(const RunSpec& spec) {
  return spec.driver_options.pairing == config::kPairingBursts && !spec.app.role.empty();
}

std::size_t session_length(const std::vector<RunSpec>& runs, std::size_t first) {
  if (first >= runs.size() || !is_bursts_run(runs[first])) return 1;
  std::size_t n = 1;
  while (first + n < runs.size()) {
    const auto& r = runs[first + n];
    if (!is_bursts_run(r) || r.scenario_index != runs[first].scenario_index ||
        r.session != runs[first].session) {
      break;
    }
    ++n;
  }
  return n;
}

std::vector<results::RunRecord> execute_bursts(std::span<const RunSpec> runs, RunContext& ctx) {
  return Session(runs, ctx).run();
}

}  // namespace benchgate::runner
