#pragma once
// Internal: results indexed the way the gate compares them (app × cell × metric × iteration),
// with failed and invalid runs per cell.

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "results/model.h"

namespace benchgate::gate::detail {

struct Index {
  // (app, cell, metric) → iteration → value
  std::map<std::tuple<std::string, std::string, std::string>, std::map<int, double>> values;
  std::vector<std::string> cells;                    ///< first-appearance order
  std::vector<std::string> apps;                     ///< first-appearance order
  std::map<std::string, std::string> cell_scenario;  ///< cell → scenario
  std::map<std::pair<std::string, std::string>, std::set<std::string>> metrics;  ///< (app, cell)
  std::map<std::pair<std::string, std::string>, std::string> failed_scenario;  ///< (app, scenario)
  std::map<std::pair<std::string, std::string>, std::string> failed_cell;      ///< (app, cell)
  std::map<std::pair<std::string, std::string>, int> invalid;                  ///< (app, cell)
  std::map<std::pair<std::string, std::string>, double> measured;              ///< (app, cell)
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> artifacts;
  int count(const std::map<std::pair<std::string, std::string>, int>& m, const std::string& app,
            const std::string& cell) const {
    auto it = m.find({app, cell});
    return it == m.end() ? 0 : it->second;
  }
};

Index build_index(const results::ResultsFile& r);

/// Registry metrics first (report order), then the rest alphabetically.
std::vector<std::string> ordered_metrics(const std::set<std::string>& names);

/// Why runs of this app × cell failed ("" when none did).
std::string failure_of(const Index& ix, const std::string& app, const std::string& cell);

}  // namespace benchgate::gate::detail
