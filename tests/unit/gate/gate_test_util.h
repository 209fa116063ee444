#pragma once
// Builders of small results files for the gate tests.

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/model.h"

namespace benchgate::gate::testing {

inline const nlohmann::json& stats_reference() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(BENCHGATE_TEST_DATA_DIR) + "/stats/reference.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

/// |actual − expected| ≤ tol·|expected| (relative), for values checked against scipy.
inline bool rel_near(double actual, double expected, double tol) {
  return std::fabs(actual - expected) <= tol * std::max(std::fabs(expected), 1e-300);
}

inline results::RunRecord make_run(const std::string& app, const std::string& role,
                                   const std::string& scenario, int iteration,
                                   const std::map<std::string, double>& metrics, int clients = 64) {
  results::RunRecord r;
  r.id = fmt::format("{}-{}-{}", app, scenario, iteration);
  r.app = app;
  r.role = role;
  r.scenario = scenario;
  r.iteration = iteration;
  results::PeriodResult p;
  p.point.clients = clients;
  p.driver.duration_s = 10;
  p.metrics = metrics;
  r.periods.push_back(p);
  return r;
}

/// An A/B results file: per iteration i, baseline metrics base[i] and candidate cand[i] of one
/// metric in one cell "plaintext c=64".
inline results::ResultsFile ab_results(const std::string& metric, const std::vector<double>& base,
                                       const std::vector<double>& cand) {
  results::ResultsFile f;
  f.name = "test";
  f.command = "run";
  f.testbed.fingerprint = "fp-1";
  for (std::size_t i = 0; i < base.size(); ++i) {
    f.runs.push_back(
        make_run("main", "baseline", "plaintext", static_cast<int>(i) + 1, {{metric, base[i]}}));
  }
  for (std::size_t i = 0; i < cand.size(); ++i) {
    f.runs.push_back(
        make_run("pr", "candidate", "plaintext", static_cast<int>(i) + 1, {{metric, cand[i]}}));
  }
  return f;
}

}  // namespace benchgate::gate::testing
