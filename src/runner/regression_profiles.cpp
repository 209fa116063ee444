#include "runner/regression_profiles.h"

#include <fmt/format.h>

#include <optional>
#include <set>

#include "profilers/profiler.h"

namespace benchgate::runner {

namespace fs = std::filesystem;

namespace {

/// Profiled pairs per regressed cell, their samples summed per side: at the demo's 2-second
/// periods (~2,000 cpu-clock samples per run at 999 Hz) one pair leaves a 10 % change of a
/// function with 70 % of the samples within ~2 standard deviations of sampling noise; three
/// pairs put it beyond 4.
constexpr int kProfilePairs = 3;

std::optional<fs::path> folded_of(const results::RunRecord& r, const fs::path& out_dir) {
  for (const auto& p : r.periods) {
    if (!p.profile) continue;
    for (const auto& a : p.profile->artifacts) {
      if (a.kind == "folded-stacks") return out_dir / a.path;
    }
  }
  return std::nullopt;
}

std::string why_not(const results::RunRecord& r) {
  if (r.status != "ok") return fmt::format("run {}: {}", r.status, r.failure);
  for (const auto& p : r.periods) {
    if (p.profile && p.profile->status != "ok") return p.profile->reason;
  }
  return std::string("no folded stacks were recorded");
}

// The first planned run of each side whose scenario has this cell, and the cell's load point.
struct CellRuns {
  std::optional<matrix::Run> base, cand;
  std::optional<results::LoadPoint> point;
};

CellRuns runs_of_cell(const matrix::Plan& plan, const config::SuiteConfig& suite,
                      const std::string& cell) {
  CellRuns c;
  for (const auto& r : plan.runs) {
    for (const auto& pt : r.points) {
      if (results::cell_key(r.scenario, pt) != cell) continue;
      const auto& role = suite.apps[r.app_index].role;
      if (role == "baseline" && !c.base) c.base = r;
      if (role == "candidate" && !c.cand) c.cand = r;
      c.point = pt;
    }
  }
  return c;
}

// Sides [0] baseline, [1] candidate: folded stacks and the requests served while each
// profile was recorded (the attached profiler covers the measured period).
struct Sides {
  profilers::DiffSide side[2];
  std::vector<std::string> run_ids[2];
  std::string failure[2];
};

// kProfilePairs pairs in ABBA order (drift over the pairs affects both sides alike), each run
// at the cell's load point only, under `flame`.
Sides profile_pairs(const CellRuns& c, const std::string& tag, RunContext& ctx) {
  Sides s;
  for (int pair = 0; pair < kProfilePairs && !ctx.cancel.cancelled(); ++pair) {
    const int first = pair % 2;
    for (int k : {first, 1 - first}) {
      const matrix::Run& r = k == 0 ? *c.base : *c.cand;
      matrix::Run spec = r;
      spec.id = fmt::format("{}-{}-{}-{}", tag, r.app.label, r.scenario, pair + 1);
      spec.points = {*c.point};
      spec.profiler = "flame";
      RunContext pctx = ctx;
      pctx.observer = nullptr;  // not part of the plan the progress display counts
      const auto run = execute_run(spec, pctx);
      s.run_ids[k].push_back(run.id);
      const auto folded = folded_of(run, ctx.out_dir);
      if (!folded) {
        s.failure[k] = why_not(run);
        continue;
      }
      s.side[k].folded.push_back(*folded);
      for (const auto& period : run.periods) {
        if (period.profile) s.side[k].requests += static_cast<double>(period.driver.requests);
      }
    }
  }
  return s;
}

// Renders the differential flame graph into rec (status ok, or failed with the reason).
void render(nlohmann::json& rec, const std::string& cell, const std::string& tag, const CellRuns& c,
            const Sides& s, const fs::path& out_dir, report::ProgressReporter& reporter) {
  try {
    const fs::path dir = out_dir / "artifacts" / "profile-regressions";
    fs::create_directories(dir);
    const fs::path svg = dir / (tag + "-diff-flamegraph.svg");
    profilers::write_diff_flamegraph(s.side[0], s.side[1], svg,
                                     fmt::format("{}: {} vs {} (red grew, blue shrank)", cell,
                                                 c.cand->app.label, c.base->app.label));
    rec["status"] = "ok";
    rec["diff_flamegraph"] = fs::relative(svg, out_dir).string();
    rec["baseline_folded"] = fs::relative(s.side[0].folded.front(), out_dir).string();
    rec["candidate_folded"] = fs::relative(s.side[1].folded.front(), out_dir).string();
    nlohmann::json all[2];
    for (int k : {0, 1}) {
      all[k] = nlohmann::json::array();
      for (const auto& f : s.side[k].folded)
        all[k].push_back(fs::relative(f, out_dir).string());
    }
    rec["baseline_folded_all"] = all[0];
    rec["candidate_folded_all"] = all[1];
    rec["baseline_requests"] = s.side[0].requests;
    rec["candidate_requests"] = s.side[1].requests;
    reporter.message("differential flame graph: " + svg.string());
  } catch (const std::exception& e) {
    rec["status"] = "failed";
    rec["reason"] = e.what();
  }
}

}  // namespace

// (perf call stacks, software cpu-clock event; red: frames that cost more per request in the
// candidate, blue: less; grey: within sampling noise.)
nlohmann::json profile_regressions(const matrix::Plan& plan, const config::SuiteConfig& suite,
                                   const gate::GateResult& verdicts, RunContext& ctx,
                                   report::ProgressReporter& reporter) {
  nlohmann::json out = nlohmann::json::array();
  std::set<std::string> cells;
  for (const auto& v : verdicts.verdicts) {
    if (v.verdict == gate::Verdict::kRegressed) cells.insert(v.cell);
  }
  int n = 0;
  for (const auto& cell : cells) {
    if (ctx.cancel.cancelled()) break;
    nlohmann::json rec = {{"cell", cell}, {"profiler", "flame"}, {"pairs", kProfilePairs}};
    const CellRuns c = runs_of_cell(plan, suite, cell);
    if (!c.base || !c.cand || !c.point) {
      rec["status"] = "failed";
      rec["reason"] = "no baseline and candidate run in the plan for this cell";
      out.push_back(rec);
      continue;
    }
    ++n;
    const std::string tag = fmt::format("p{:02d}", n);
    reporter.message(
        fmt::format("profiling regressed cell {}: {} and {} {} times each under perf, interleaved",
                    cell, c.base->app.label, c.cand->app.label, kProfilePairs));
    const Sides s = profile_pairs(c, tag, ctx);
    rec["app"] = c.cand->app.label;
    rec["baseline_run"] = s.run_ids[0].empty() ? "" : s.run_ids[0].front();
    rec["candidate_run"] = s.run_ids[1].empty() ? "" : s.run_ids[1].front();
    rec["baseline_runs"] = s.run_ids[0];
    rec["candidate_runs"] = s.run_ids[1];
    if (s.side[0].folded.empty() || s.side[1].folded.empty()) {
      rec["status"] = "failed";
      rec["reason"] =
          s.side[0].folded.empty() ? "baseline: " + s.failure[0] : "candidate: " + s.failure[1];
      reporter.message("profile of " + cell + " failed: " + rec["reason"].get<std::string>());
    } else {
      render(rec, cell, tag, c, s, ctx.out_dir, reporter);
    }
    out.push_back(rec);
  }
  return out;
}

}  // namespace benchgate::runner
