#include "runner/instruction_explanations.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "profilers/flamegraph.h"
#include "runner/runner.h"

namespace benchgate::runner {

namespace fs = std::filesystem;

namespace {

// Σ over every callgrind.out file of a lifetime's folder: the Ir graph.
profilers::CostGraph lifetime_graph(const fs::path& dir) {
  profilers::CostGraph g;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw RunError(fmt::format("{} is missing", dir.string()));
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename().string().rfind("callgrind.out.", 0) == 0) files.push_back(e.path());
  }
  if (files.empty()) throw RunError(fmt::format("no callgrind.out files in {}", dir.string()));
  for (const auto& f : files) {
    const auto p = with_context(
        f.string(), [&] { return profilers::parse_callgrind_profile(platform::read_file(f)); });
    g.add(p.graph("Ir"));
  }
  return g;
}

bool is_explained_metric(const std::string& m) {
  return m == results::metric::kInstructionsPerRequest ||
         m == results::metric::kEstCyclesPerRequest;
}

}  // namespace

profilers::CostGraph per_request_graph(const results::ResultsFile& results, const std::string& app,
                                       const std::string& cell, const fs::path& out_dir,
                                       double& requests, std::vector<std::string>& runs) {
  profilers::CostGraph sum;
  requests = 0;
  std::string why = "no successful sample of this cell";
  for (const auto& r : results.runs) {
    if (r.app != app || r.status != "ok") continue;
    for (const auto& p : r.periods) {
      if (results::cell_key(r.scenario, p.point) != cell || p.status != "ok") continue;
      const auto* d =
          p.driver.extra.contains("instructions") ? &p.driver.extra["instructions"] : nullptr;
      if (!d || !d->contains("counted_requests")) continue;
      const std::string key = file_safe(p.point.key());
      std::string dir_a, dir_b;
      for (const auto& a : r.artifacts) {
        if (a.kind != "callgrind") continue;
        if (a.path.ends_with("callgrind-" + key + "-a")) dir_a = a.path;
        if (a.path.ends_with("callgrind-" + key + "-b")) dir_b = a.path;
      }
      if (dir_a.empty() || dir_b.empty()) {
        why = fmt::format("run {} lists no callgrind folders for {}", r.id, cell);
        continue;
      }
      try {
        auto g = lifetime_graph(out_dir / dir_b);
        g.add(lifetime_graph(out_dir / dir_a), -1);
        sum.add(g);
        requests += (*d)["counted_requests"].get<double>();
        runs.push_back(r.id);
      } catch (const std::exception& e) {
        why = fmt::format("run {}: {}", r.id, e.what());
      }
    }
  }
  if (requests <= 0) throw RunError(why);
  profilers::CostGraph out;
  out.add(sum, 1.0 / requests);
  out.clamp_negative();
  return out;
}

nlohmann::json explain_counted_regressions(const results::ResultsFile& results,
                                           const gate::GateResult& verdicts,
                                           const fs::path& out_dir) {
  nlohmann::json out = nlohmann::json::array();
  if (verdicts.mode != "ab") return out;
  std::set<std::pair<std::string, std::string>> done;  // (app, cell)
  int n = 0;
  for (const auto& v : verdicts.verdicts) {
    if (v.verdict != gate::Verdict::kRegressed || !v.gated || !is_explained_metric(v.metric)) {
      continue;
    }
    if (!done.insert({v.app, v.cell}).second) continue;
    const std::string tag = fmt::format("e{:02d}", ++n);
    nlohmann::json rec = {{"cell", v.cell},     {"app", v.app},  {"baseline_app", v.baseline_label},
                          {"metric", v.metric}, {"event", "Ir"}, {"unit", "Ir/request"}};
    try {
      double req_base = 0, req_cur = 0;
      std::vector<std::string> runs_base, runs_cur;
      const auto base =
          per_request_graph(results, v.baseline_label, v.cell, out_dir, req_base, runs_base);
      const auto cur = per_request_graph(results, v.app, v.cell, out_dir, req_cur, runs_cur);
      const auto rows = profilers::function_deltas(base, cur);
      const fs::path dir = out_dir / "artifacts" / "explain";
      fs::create_directories(dir);
      const fs::path tsv = dir / (tag + "-functions.tsv");
      platform::write_file_atomic(tsv, profilers::format_function_deltas_tsv(rows, "Ir"));
      // Flame graph counts: Ir over all counted requests (the per-request graph × requests),
      // compared per 1,000 requests; exact counts, so every real change is beyond "noise".
      const auto folded_base = profilers::fold_cost_graph(base, req_base);
      const auto folded_cur = profilers::fold_cost_graph(cur, req_cur);
      const fs::path fb = dir / (tag + "-baseline.folded");
      const fs::path fc = dir / (tag + "-candidate.folded");
      platform::write_file_atomic(fb, profilers::format_folded(folded_base));
      platform::write_file_atomic(fc, profilers::format_folded(folded_cur));
      profilers::DiffFlameGraphOptions fo;
      fo.graph.title = fmt::format("{}: {} vs {}, Ir per 1,000 requests (red grew, blue shrank)",
                                   v.cell, v.app, v.baseline_label);
      fo.graph.count_name = "Ir";
      fo.requests_before = req_base;
      fo.requests_after = req_cur;
      const fs::path svg = dir / (tag + "-diff-flamegraph.svg");
      platform::write_file_atomic(svg,
                                  profilers::render_diff_flamegraph(folded_base, folded_cur, fo));
      double tb = 0, tc = 0;
      nlohmann::json top = nlohmann::json::array();
      for (const auto& r : rows) {
        tb += r.base;
        tc += r.current;
      }
      for (std::size_t i = 0; i < rows.size() && i < kExplanationRows; ++i) {
        const auto& r = rows[i];
        top.push_back({{"function", r.fn.name},
                       {"object", r.fn.object},
                       {"base", r.base},
                       {"current", r.current},
                       {"delta", r.delta},
                       {"delta_pct", std::isnan(r.delta_pct) ? nlohmann::json(nullptr)
                                                             : nlohmann::json(r.delta_pct)}});
      }
      rec["status"] = "ok";
      rec["functions"] = rows.size();
      rec["rows"] = top;
      rec["total_base"] = tb;
      rec["total_current"] = tc;
      rec["requests_base"] = req_base;
      rec["requests_current"] = req_cur;
      rec["baseline_runs"] = runs_base;
      rec["candidate_runs"] = runs_cur;
      rec["table"] = fs::relative(tsv, out_dir).string();
      rec["diff_flamegraph"] = fs::relative(svg, out_dir).string();
      rec["baseline_folded"] = fs::relative(fb, out_dir).string();
      rec["candidate_folded"] = fs::relative(fc, out_dir).string();
    } catch (const std::exception& e) {
      rec["status"] = "failed";
      rec["reason"] = e.what();
    }
    out.push_back(rec);
  }
  return out;
}

}  // namespace benchgate::runner
