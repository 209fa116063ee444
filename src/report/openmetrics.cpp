#include "report/openmetrics.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <vector>

#include "core/text.h"
#include "report/format.h"

namespace benchgate::report {

namespace {

constexpr std::size_t kMaxLabel = 200;

struct Family {
  std::string help;
  std::string unit;  // OpenMetrics UNIT (the name ends with it), or ""
  std::vector<std::pair<std::string, double>> samples;  // label set text, value
  std::set<std::string> label_sets;
};

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

}  // namespace

double round_significant(double v, int digits) {
  if (!std::isfinite(v) || v == 0 || digits <= 0) return v;
  // Through the decimal text, so the result is the double nearest to the rounded decimal
  // (0.1443, not 0.14430000000000001) and prints back as written.
  return std::strtod(fmt::format("{:.{}e}", v, digits - 1).c_str(), nullptr);
}

double round_decimals(double v, int decimals) {
  if (!std::isfinite(v)) return v;
  const double r = std::strtod(fmt::format("{:.{}f}", v, decimals).c_str(), nullptr);
  return r == 0 ? 0.0 : r;  // no "-0"
}

namespace {

class Builder {
 public:
  void add(const std::string& family, std::string_view help, std::string_view unit,
           const std::vector<std::pair<std::string, std::string>>& labels, double value) {
    auto& f = families_[family];
    if (f.help.empty()) {
      f.help = std::string(help);
      f.unit = std::string(unit);
    }
    std::string base;
    for (const auto& [k, v] : labels) {
      if (!base.empty()) base += ',';
      base += fmt::format("{}=\"{}\"", k, openmetrics_label(shorten(v, kMaxLabel)));
    }
    // Shortened names can collide; OpenMetrics forbids duplicate label sets in a family.
    std::string set = base;
    for (int n = 2; !f.label_sets.insert(set).second; ++n) {
      set = base + fmt::format(",dup=\"{}\"", n);
    }
    f.samples.emplace_back(std::move(set), value);
  }

  void write(std::ostream& out) const {
    for (const auto& [name, f] : families_) {
      out << "# TYPE " << name << " gauge\n";
      if (!f.unit.empty()) out << "# UNIT " << name << ' ' << f.unit << '\n';
      out << "# HELP " << name << ' ' << help_escape(f.help) << '\n';
      for (const auto& [labels, value] : f.samples) {
        out << name;
        if (!labels.empty()) out << '{' << labels << '}';
        out << ' ' << number(value) << '\n';
      }
    }
    out << "# EOF\n";
  }

 private:
  static std::string help_escape(std::string_view s) {
    std::string out;
    for (char c : one_line(s)) {
      if (c == '\\') {
        out += "\\\\";
      } else {
        out += c;
      }
    }
    return out;
  }

  std::map<std::string, Family> families_;
};

std::string unit_suffix(std::string_view unit) {
  if (unit == "s") return "seconds";
  if (unit == "bytes") return "bytes";
  if (unit == "%") return "percent";
  if (unit == "req/s") return "per_second";
  return "";
}

}  // namespace

std::string openmetrics_family(std::string_view metric, std::string_view unit) {
  std::string name = "benchgate_";
  for (char c : metric) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    name += ok ? c : '_';
  }
  const std::string suffix = unit_suffix(unit);
  if (!suffix.empty() && !name.ends_with("_" + suffix)) name += "_" + suffix;
  return name;
}

void write_openmetrics(const ReportModel& m, std::ostream& out) {
  Builder b;
  for (const auto& cell : m.cells) {
    for (const auto& ac : cell.apps) {
      for (const auto& s : ac.stats) {
        const std::string family = openmetrics_family(s.metric, s.unit);
        const std::string suffix = unit_suffix(s.unit);
        const bool unit = suffix == "seconds" || suffix == "bytes";
        std::string help = s.metric + " median over the good iterations";
        if (auto info = results::find_metric(s.metric)) {
          help = std::string(info->description) + " (median over the good iterations)";
        }
        b.add(family, help, unit ? suffix : "", {{"app", ac.app}, {"cell", cell.key}},
              round_significant(s.median, kMedianDigits));
      }
      b.add("benchgate_good_iterations", "iterations whose run and load period were ok", "",
            {{"app", ac.app}, {"cell", cell.key}}, ac.good);
      b.add("benchgate_iterations", "iterations of this app in this cell", "",
            {{"app", ac.app}, {"cell", cell.key}}, ac.total);
    }
  }
  if (m.gate) {
    for (const auto& v : m.gate->verdicts) {
      const std::vector<std::pair<std::string, std::string>> labels = {
          {"app", v.app}, {"cell", v.cell}, {"metric", v.metric}};
      if (has_estimate(v)) {
        if (v.scale == results::Scale::kRatio) {
          b.add("benchgate_change_ratio",
                "estimated relative change of the candidate vs the baseline (0.05 = +5 %)", "",
                labels, round_decimals(v.estimate, kRatioDecimals));
        } else {
          b.add("benchgate_change",
                "estimated change of the candidate vs the baseline, in the "
                "metric's unit",
                "", labels, round_significant(v.estimate, kMedianDigits));
        }
        b.add("benchgate_p_adjusted", "Holm-adjusted one-sided p-value for a regression", "",
              labels, round_significant(v.p_adjusted, kPValueDigits));
      }
      b.add("benchgate_regressed", "1 when the gate found a regression", "", labels,
            v.verdict == gate::Verdict::kRegressed ? 1 : 0);
    }
    for (gate::Verdict v : verdicts_in_order()) {
      b.add("benchgate_verdicts", "number of verdicts of each kind", "",
            {{"verdict", std::string(verdict_key(v))}}, m.count(v));
    }
  }
  b.add("benchgate_failed_runs", "runs that failed (app crashed or never ready, driver failed)", "",
        {}, m.failed_runs());
  b.add("benchgate_outcome",
        "1 for the outcome of this invocation (pass, regressed, undecided, run_failed, partial, "
        "interrupted, not_gated)",
        "", {{"outcome", std::string(m.outcome.token())}}, 1);
  b.add("benchgate_exit_code", "the exit code benchgate returned", "", {},
        static_cast<int>(m.outcome.exit_code));
  b.write(out);
}

}  // namespace benchgate::report
