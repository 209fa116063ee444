#include "gate/verdict.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/parse.h"

namespace benchgate::gate {

using nlohmann::json;

namespace {

constexpr Verdict kAll[] = {Verdict::kRegressed, Verdict::kWarn,         Verdict::kImproved,
                            Verdict::kUnchanged, Verdict::kInconclusive, Verdict::kNotComparable,
                            Verdict::kError};

json num(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

double get_num(const json& j, const char* key, double def) {
  auto it = j.find(key);
  if (it == j.end()) return def;
  if (it->is_null()) return std::numeric_limits<double>::quiet_NaN();
  return it->get<double>();
}

template <class T>
void get_to(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) it->get_to(out);
}

}  // namespace

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kRegressed:
      return "regressed";
    case Verdict::kWarn:
      return "warn";
    case Verdict::kImproved:
      return "improved";
    case Verdict::kUnchanged:
      return "unchanged";
    case Verdict::kInconclusive:
      return "inconclusive";
    case Verdict::kNotComparable:
      return "not_comparable";
    case Verdict::kError:
      return "error";
  }
  return "?";
}

Verdict verdict_from_name(std::string_view name) {
  for (Verdict v : kAll) {
    if (verdict_name(v) == name) return v;
  }
  throw ParseError(fmt::format(
      "unknown verdict '{}' (expected regressed, warn, improved, unchanged, inconclusive, "
      "not_comparable or error)",
      name));
}

int verdict_rank(Verdict v) {
  switch (v) {
    case Verdict::kRegressed:
      return 0;
    case Verdict::kError:
      return 1;
    case Verdict::kNotComparable:
      return 2;
    case Verdict::kInconclusive:
      return 3;
    case Verdict::kWarn:
      return 4;
    case Verdict::kImproved:
      return 5;
    case Verdict::kUnchanged:
      return 6;
  }
  return 7;
}

int GateResult::count(Verdict v) const {
  int n = 0;
  for (const auto& x : verdicts)
    n += x.verdict == v ? 1 : 0;
  return n;
}

ExitCode GateResult::exit_code(bool warn_only) const {
  ExitCode code = ExitCode::kOk;
  bool decided = false;  // some gated verdict could actually be decided
  for (const auto& v : verdicts) {
    if (!v.gated) continue;
    switch (v.verdict) {
      case Verdict::kRegressed:
        decided = true;
        if (!warn_only) code = worst_exit_code(code, ExitCode::kRegression);
        break;
      case Verdict::kError:
        code = worst_exit_code(code, ExitCode::kRunFailed);
        break;
      case Verdict::kWarn:
      case Verdict::kImproved:
      case Verdict::kUnchanged:
        decided = true;
        break;
      case Verdict::kInconclusive:
      case Verdict::kNotComparable:
        break;
    }
  }
  if (!decided) code = worst_exit_code(code, ExitCode::kNotComparable);
  return code;
}

json to_json(const GateResult& r) {
  json verdicts = json::array();
  for (const auto& v : r.verdicts) {
    json j{{"app", v.app},
           {"cell", v.cell},
           {"scenario", v.scenario},
           {"metric", v.metric},
           {"unit", v.unit},
           {"better", v.better == results::Better::kHigher ? "higher" : "lower"},
           {"scale", v.scale == results::Scale::kRatio ? "ratio" : "difference"},
           {"verdict", verdict_name(v.verdict)},
           {"reason", v.reason},
           {"baseline_label", v.baseline_label},
           {"baseline", num(v.baseline)},
           {"current", num(v.current)},
           {"n_baseline", v.n_baseline},
           {"n_current", v.n_current},
           {"paired", v.paired},
           {"test", v.test},
           {"estimate", num(v.estimate)},
           {"ci_low", num(v.ci_low)},
           {"ci_high", num(v.ci_high)},
           {"ci_level", num(v.ci_level)},
           {"p_value", num(v.p_value)},
           {"p_adjusted", num(v.p_adjusted)},
           {"p_improved", num(v.p_improved)},
           {"p_two_sided", num(v.p_two_sided)},
           {"p_min", num(v.p_min)},
           {"min_effect", num(v.min_effect)},
           {"alpha", num(v.alpha)},
           {"gated", v.gated},
           {"looks", v.looks},
           {"measured_s", num(v.measured_s)},
           {"artifacts", v.artifacts}};
    verdicts.push_back(std::move(j));
  }
  json counts = json::object();
  for (Verdict v : kAll)
    counts[std::string(verdict_name(v))] = r.count(v);
  return json{{"mode", r.mode},
              {"baseline_source", r.baseline_source},
              {"candidate_source", r.candidate_source},
              {"format", r.format},
              {"testbed_match", r.testbed_match},
              {"alpha", num(r.alpha)},
              {"tests", r.tests},
              {"counts", counts},
              {"exit_code", static_cast<int>(r.exit_code(false))},
              {"notes", r.notes},
              {"verdicts", std::move(verdicts)}};
}

GateResult gate_result_from_json(const json& j) {
  GateResult r;
  try {
    get_to(j, "mode", r.mode);
    get_to(j, "baseline_source", r.baseline_source);
    get_to(j, "candidate_source", r.candidate_source);
    get_to(j, "format", r.format);
    get_to(j, "testbed_match", r.testbed_match);
    r.alpha = get_num(j, "alpha", 0.05);
    get_to(j, "tests", r.tests);
    get_to(j, "notes", r.notes);
    if (auto it = j.find("verdicts"); it != j.end()) {
      for (const auto& e : *it) {
        MetricVerdict v;
        get_to(e, "app", v.app);
        get_to(e, "cell", v.cell);
        get_to(e, "scenario", v.scenario);
        get_to(e, "metric", v.metric);
        get_to(e, "unit", v.unit);
        std::string s;
        get_to(e, "better", s);
        v.better = s == "higher" ? results::Better::kHigher : results::Better::kLower;
        s.clear();
        get_to(e, "scale", s);
        v.scale = s == "difference" ? results::Scale::kDifference : results::Scale::kRatio;
        s.clear();
        get_to(e, "verdict", s);
        v.verdict = verdict_from_name(s);
        get_to(e, "reason", v.reason);
        get_to(e, "baseline_label", v.baseline_label);
        v.baseline = get_num(e, "baseline", 0);
        v.current = get_num(e, "current", 0);
        get_to(e, "n_baseline", v.n_baseline);
        get_to(e, "n_current", v.n_current);
        get_to(e, "paired", v.paired);
        get_to(e, "test", v.test);
        v.estimate = get_num(e, "estimate", 0);
        v.ci_low = get_num(e, "ci_low", 0);
        v.ci_high = get_num(e, "ci_high", 0);
        v.ci_level = get_num(e, "ci_level", 0.95);
        v.p_value = get_num(e, "p_value", 1);
        v.p_adjusted = get_num(e, "p_adjusted", 1);
        v.p_improved = get_num(e, "p_improved", 1);
        v.p_two_sided = get_num(e, "p_two_sided", 1);
        v.p_min = get_num(e, "p_min", 0);
        v.min_effect = get_num(e, "min_effect", 0);
        v.alpha = get_num(e, "alpha", 0.05);
        get_to(e, "gated", v.gated);
        get_to(e, "looks", v.looks);
        v.measured_s = get_num(e, "measured_s", 0);
        get_to(e, "artifacts", v.artifacts);
        r.verdicts.push_back(std::move(v));
      }
    }
  } catch (const json::exception& e) {
    throw ConfigError(fmt::format("gate verdicts: {}", e.what()));
  } catch (const ParseError& e) {
    throw ConfigError(fmt::format("gate verdicts: {}", e.what()));
  }
  return r;
}

}  // namespace benchgate::gate
