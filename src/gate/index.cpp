#include "gate/index.h"

#include <fmt/format.h>

#include <algorithm>

#include "results/metrics.h"

namespace benchgate::gate::detail {

namespace {

void add_cell(Index& ix, const std::string& cell, const std::string& scenario) {
  if (ix.cell_scenario.emplace(cell, scenario).second) ix.cells.push_back(cell);
}

}  // namespace

Index build_index(const results::ResultsFile& r) {
  Index ix;
  for (const auto& run : r.runs) {
    if (std::find(ix.apps.begin(), ix.apps.end(), run.app) == ix.apps.end())
      ix.apps.push_back(run.app);
    add_cell(ix, run.scenario, run.scenario);
    if (run.status == "failed" || run.status == "skipped") {
      auto& msg = ix.failed_scenario[{run.app, run.scenario}];
      if (msg.empty()) {
        msg = fmt::format("run {} (iteration {}) {}: {}", run.id, run.iteration, run.status,
                          run.failure.empty() ? "no reason recorded" : run.failure);
      }
    }
    for (const auto& p : run.periods) {
      const auto cell = results::cell_key(run.scenario, p.point);
      add_cell(ix, cell, run.scenario);
      if (p.status == "failed") {
        auto& msg = ix.failed_cell[{run.app, cell}];
        if (msg.empty()) {
          msg = fmt::format("run {} (iteration {}) failed at {}: {}", run.id, run.iteration,
                            p.point.key(), p.reason.empty() ? "no reason recorded" : p.reason);
        }
      } else if (p.status == "invalid") {
        ++ix.invalid[{run.app, cell}];
      }
      if (p.status == "ok" && run.status == "ok") {
        ix.measured[{run.app, cell}] += p.driver.duration_s;
        if (p.profile) {
          for (const auto& a : p.profile->artifacts)
            ix.artifacts[{run.app, cell}].push_back(a.path);
        }
      }
    }
  }
  for (const auto& s : results::collect_samples(r)) {
    ix.values[{s.app, s.cell, s.metric}][s.iteration] = s.value;
    ix.metrics[{s.app, s.cell}].insert(s.metric);
    add_cell(ix, s.cell, s.cell);
  }
  return ix;
}

std::vector<std::string> ordered_metrics(const std::set<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& m : results::known_metrics()) {
    if (names.count(std::string(m.name))) out.emplace_back(m.name);
  }
  for (const auto& n : names) {
    if (!results::find_metric(n)) out.push_back(n);
  }
  return out;
}

std::string failure_of(const Index& ix, const std::string& app, const std::string& cell) {
  const auto& scenario = ix.cell_scenario.at(cell);
  if (auto it = ix.failed_cell.find({app, cell}); it != ix.failed_cell.end()) return it->second;
  if (auto it = ix.failed_scenario.find({app, scenario}); it != ix.failed_scenario.end()) {
    return it->second;
  }
  return {};
}

}  // namespace benchgate::gate::detail
