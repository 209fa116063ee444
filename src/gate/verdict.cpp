#include "gate/verdict.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include "core/error.h"
#include "core/parse.h"
#include "gate/outcome.h"
#include "gbench/json_scan.h"

namespace benchgate::gate {

using nlohmann::json;

namespace {

constexpr Verdict kAll[] = {Verdict::kRegressed, Verdict::kWarn,         Verdict::kImproved,
                            Verdict::kUnchanged, Verdict::kInconclusive, Verdict::kNotComparable,
                            Verdict::kError,     Verdict::kChanged};
// Verdicts a gated test can have: the keys of "counts".
constexpr Verdict kGated[] = {Verdict::kRegressed, Verdict::kWarn,         Verdict::kImproved,
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
    case Verdict::kChanged:
      return "changed";
  }
  return "?";
}

Verdict verdict_from_name(std::string_view name) {
  for (Verdict v : kAll) {
    if (verdict_name(v) == name) return v;
  }
  throw ParseError(fmt::format(
      "unknown verdict '{}' (expected regressed, warn, improved, unchanged, inconclusive, "
      "not_comparable, error or changed)",
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
    case Verdict::kChanged:
      return 7;
  }
  return 8;
}

int GateResult::count(Verdict v) const {
  return tally(*this).count(v);
}

int GateResult::informational() const {
  return tally(*this).informational;
}

ExitCode GateResult::exit_code(bool warn_only) const {
  return decide_outcome(nullptr, this, warn_only).exit_code;
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
           {"cause", v.cause},
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
  for (Verdict v : kGated)
    counts[std::string(verdict_name(v))] = r.count(v);
  json out{{"mode", r.mode},
           {"baseline_source", r.baseline_source},
           {"candidate_source", r.candidate_source},
           {"format", r.format},
           {"testbed_match", r.testbed_match},
           {"alpha", num(r.alpha)},
           {"tests", r.tests},
           {"holm_family", r.holm_family},
           {"holm_level", r.holm_level},
           {"counts", counts},
           {"exit_code", static_cast<int>(r.exit_code(false))},
           {"informational", r.informational()},
           {"no_baseline", r.no_baseline},
           {"notes", r.notes},
           {"partial", r.partial},
           {"verdicts", std::move(verdicts)}};
  if (!r.history.empty()) out["baseline_history"] = history_to_json(r.history);
  return out;
}

namespace {

// Pieces of nlohmann's dump(2), byte for byte: keys in std::map (sorted) order, 2-space indent,
// ": " and ",\n" separators, empty arrays as "[]", doubles and strings as nlohmann writes them.
class JsonText {
 public:
  explicit JsonText(std::string& out) : out_(out) {}

  void indent(int level) { out_.append(static_cast<std::size_t>(2 * level), ' '); }

  void key(int level, std::string_view k, bool first) {
    if (!first) out_ += ",\n";
    indent(level);
    out_ += '"';
    out_ += k;
    out_ += "\": ";
  }

  void string(std::string_view s) {
    bool plain = true;
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') {
        plain = false;
        break;
      }
    }
    if (plain) {
      out_ += '"';
      out_ += s;
      out_ += '"';
    } else {
      // Escapes exactly as dump(); invalid UTF-8 (a Google Benchmark name is any bytes)
      // becomes U+FFFD instead of an exception.
      out_ += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }

  void number(double v) {
    if (!std::isfinite(v)) {
      out_ += "null";
      return;
    }
    // nlohmann's shortest round-trip formatting.
    char buf[64];
    char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, end);
  }

  void integer(long long v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
  void boolean(bool b) { out_ += b ? "true" : "false"; }

  void strings(int level, const std::vector<std::string>& list) {
    if (list.empty()) {
      out_ += "[]";
      return;
    }
    out_ += "[\n";
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) out_ += ",\n";
      indent(level + 1);
      string(list[i]);
    }
    out_ += '\n';
    indent(level);
    out_ += ']';
  }

  std::string& out_;
};

void verdict_text(JsonText& w, const MetricVerdict& v) {
  constexpr int L = 3;  // keys of a verdict object
  w.indent(2);
  w.out_ += "{\n";
  w.key(L, "alpha", true);
  w.number(v.alpha);
  w.key(L, "app", false);
  w.string(v.app);
  w.key(L, "artifacts", false);
  w.strings(L, v.artifacts);
  w.key(L, "baseline", false);
  w.number(v.baseline);
  w.key(L, "baseline_label", false);
  w.string(v.baseline_label);
  w.key(L, "better", false);
  w.string(v.better == results::Better::kHigher ? "higher" : "lower");
  w.key(L, "cause", false);
  w.string(v.cause);
  w.key(L, "cell", false);
  w.string(v.cell);
  w.key(L, "ci_high", false);
  w.number(v.ci_high);
  w.key(L, "ci_level", false);
  w.number(v.ci_level);
  w.key(L, "ci_low", false);
  w.number(v.ci_low);
  w.key(L, "current", false);
  w.number(v.current);
  w.key(L, "estimate", false);
  w.number(v.estimate);
  w.key(L, "gated", false);
  w.boolean(v.gated);
  w.key(L, "looks", false);
  w.integer(v.looks);
  w.key(L, "measured_s", false);
  w.number(v.measured_s);
  w.key(L, "metric", false);
  w.string(v.metric);
  w.key(L, "min_effect", false);
  w.number(v.min_effect);
  w.key(L, "n_baseline", false);
  w.integer(v.n_baseline);
  w.key(L, "n_current", false);
  w.integer(v.n_current);
  w.key(L, "p_adjusted", false);
  w.number(v.p_adjusted);
  w.key(L, "p_improved", false);
  w.number(v.p_improved);
  w.key(L, "p_min", false);
  w.number(v.p_min);
  w.key(L, "p_two_sided", false);
  w.number(v.p_two_sided);
  w.key(L, "p_value", false);
  w.number(v.p_value);
  w.key(L, "paired", false);
  w.boolean(v.paired);
  w.key(L, "reason", false);
  w.string(v.reason);
  w.key(L, "scale", false);
  w.string(v.scale == results::Scale::kRatio ? "ratio" : "difference");
  w.key(L, "scenario", false);
  w.string(v.scenario);
  w.key(L, "test", false);
  w.string(v.test);
  w.key(L, "unit", false);
  w.string(v.unit);
  w.key(L, "verdict", false);
  w.string(verdict_name(v.verdict));
  w.out_ += '\n';
  w.indent(2);
  w.out_ += '}';
}

}  // namespace

std::string holm_family_text(const GateResult& r) {
  if (r.holm_family == r.tests) return fmt::format("{} test{}", r.tests, r.tests == 1 ? "" : "s");
  return fmt::format("{} of {} tests (Tarone's rule: the others cannot reach α/{})", r.holm_family,
                     r.tests, r.holm_level);
}

std::string to_json_text(const GateResult& r) {
  std::string out;
  out.reserve(256 + r.verdicts.size() * 1100);  // ~1,000 bytes a verdict, and a final '\n'
  gbench::detail::advise_huge_pages(out.data(), out.capacity());
  JsonText w(out);
  // Top-level keys in sorted order, as std::map keeps them.
  out += "{\n";
  w.key(1, "alpha", true);
  w.number(r.alpha);
  if (!r.history.empty()) {
    // Only with a stored baseline that has a history: nlohmann's own text, one level in.
    w.key(1, "baseline_history", false);
    const std::string text = history_to_json(r.history).dump(2);
    for (char c : text) {
      out += c;
      if (c == '\n') w.indent(1);
    }
  }
  w.key(1, "baseline_source", false);
  w.string(r.baseline_source);
  w.key(1, "candidate_source", false);
  w.string(r.candidate_source);
  w.key(1, "counts", false);
  {
    // Sorted verdict names.
    std::vector<std::pair<std::string_view, int>> counts;
    for (Verdict v : kGated)
      counts.emplace_back(verdict_name(v), r.count(v));
    std::sort(counts.begin(), counts.end());
    out += "{\n";
    for (std::size_t i = 0; i < counts.size(); ++i) {
      w.key(2, counts[i].first, i == 0);
      w.integer(counts[i].second);
    }
    out += '\n';
    w.indent(1);
    out += '}';
  }
  w.key(1, "exit_code", false);
  w.integer(static_cast<int>(r.exit_code(false)));
  w.key(1, "format", false);
  w.string(r.format);
  w.key(1, "holm_family", false);
  w.integer(r.holm_family);
  w.key(1, "holm_level", false);
  w.integer(r.holm_level);
  w.key(1, "informational", false);
  w.integer(r.informational());
  w.key(1, "mode", false);
  w.string(r.mode);
  w.key(1, "no_baseline", false);
  w.boolean(r.no_baseline);
  w.key(1, "notes", false);
  w.strings(1, r.notes);
  w.key(1, "partial", false);
  w.string(r.partial);
  w.key(1, "testbed_match", false);
  w.boolean(r.testbed_match);
  w.key(1, "tests", false);
  w.integer(r.tests);
  w.key(1, "verdicts", false);
  if (r.verdicts.empty()) {
    out += "[]";
  } else {
    out += "[\n";
    for (std::size_t i = 0; i < r.verdicts.size(); ++i) {
      if (i) out += ",\n";
      verdict_text(w, r.verdicts[i]);
    }
    out += '\n';
    w.indent(1);
    out += ']';
  }
  out += "\n}";
  return out;
}

GateResult gate_result_from_json(const json& j) {
  GateResult r;
  try {
    get_to(j, "mode", r.mode);
    get_to(j, "baseline_source", r.baseline_source);
    get_to(j, "candidate_source", r.candidate_source);
    get_to(j, "format", r.format);
    get_to(j, "testbed_match", r.testbed_match);
    get_to(j, "no_baseline", r.no_baseline);
    get_to(j, "partial", r.partial);
    r.alpha = get_num(j, "alpha", 0.05);
    get_to(j, "tests", r.tests);
    r.holm_family = r.tests;  // files written before Tarone's rule: Holm over every test
    get_to(j, "holm_family", r.holm_family);
    get_to(j, "holm_level", r.holm_level);
    get_to(j, "notes", r.notes);
    if (auto it = j.find("baseline_history"); it != j.end()) {
      r.history = history_from_json(*it, "gate.baseline_history");
    }
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
        get_to(e, "cause", v.cause);
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
