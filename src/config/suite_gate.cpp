// [gate]: alpha, min_runs, per-metric and per-scenario thresholds.

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "config/suite_parse.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"
#include "results/metrics.h"

namespace benchgate::config::detail {

namespace fs = std::filesystem;

// ---- [gate] -----------------------------------------------------------------------------------

std::vector<std::string_view> metric_names() {
  std::vector<std::string_view> out;
  for (const auto& m : results::known_metrics())
    out.push_back(m.name);
  return out;
}

/// "latency_p99.9" needs quotes in TOML; accept the bare spelling too.
std::string canonical_metric(std::string_view name) {
  if (name == "latency_p999") return std::string(results::metric::kLatencyP999);
  return std::string(name);
}

std::string abs_example(const results::MetricInfo& m) {
  if (m.unit == "s") return "\"5ms\"";
  if (m.unit == "bytes") return "\"4MiB\"";
  if (m.unit == "req/s") return "\"500/s\"";
  if (m.unit == "count") return "2";
  return "";
}

void read_effect(const Ctx& c, const toml::node& n, const std::string& p,
                 const results::MetricInfo& m, results::MetricThreshold& th) {
  const bool difference = m.scale == results::Scale::kDifference;
  const std::string abs_ex = abs_example(m);
  std::string what;
  if (difference) {
    what = fmt::format(
        "an absolute amount such as {} ({} is compared as a difference, so "
        "percentages do not apply)",
        abs_ex, m.name);
  } else if (abs_ex.empty()) {
    what = "a percentage such as \"5%\"";
  } else {
    what = fmt::format("a percentage such as \"3%\" or an absolute amount such as {}", abs_ex);
  }
  auto set_rel = [&](double v) {
    if (th.min_effect_rel) fail(c, line_of(&n), p, "two relative effects given; give at most one");
    th.min_effect_rel = v;
  };
  auto set_abs = [&](double v) {
    if (th.min_effect_abs) fail(c, line_of(&n), p, "two absolute effects given; give at most one");
    th.min_effect_abs = v;
  };
  if (const auto* s = n.as_string()) {
    const auto text = trim(s->get());
    try {
      if (!text.empty() && text.back() == '%') {
        if (difference) expected(c, n, p, what);
        const double v = parse_percent(text);
        if (v < 0 || v >= 10) expected(c, n, p, "a percentage from 0% to 1000%");
        return set_rel(v);
      }
      if (m.unit == "s") return set_abs(to_seconds(parse_duration(text)));
      if (m.unit == "bytes") return set_abs(static_cast<double>(parse_bytes(text)));
      if (m.unit == "req/s") {
        auto t = text;
        for (std::string_view suffix : {"req/s", "rps", "/s"}) {
          if (t.size() > suffix.size() && t.substr(t.size() - suffix.size()) == suffix) {
            t = trim(t.substr(0, t.size() - suffix.size()));
            const double v = parse_double(t);
            if (v < 0) break;
            return set_abs(v);
          }
        }
      }
      if (m.unit == "count") {
        const double v = parse_double(text);
        if (v >= 0) return set_abs(v);
      }
    } catch (const ParseError&) {
    }
    expected(c, n, p, what);
  }
  if (n.is_number()) {
    if (!difference) {
      fail(c, line_of(&n), p,
           fmt::format("a bare number is ambiguous for {}: write \"{}%\" for a relative effect{}",
                       m.name, describe(n),
                       abs_ex.empty() ? "" : " or an amount with its unit such as " + abs_ex));
    }
    const double v = read_number(c, n, p, what);
    if (v < 0) expected(c, n, p, what);
    return set_abs(v);
  }
  expected(c, n, p, what);
}

results::MetricThreshold read_threshold(const Ctx& c, const toml::node& n, const std::string& p,
                                        const results::MetricInfo& m) {
  results::MetricThreshold th;
  if (const auto* b = n.as_boolean()) {
    th.enabled = b->get();
    return th;
  }
  if (!n.is_table()) {
    expected(c, n, p, "a table such as { min_effect = \"3%\" }, or true/false");
  }
  const Table t(c, *n.as_table(), p, kThresholdKeys);
  t.with("min_effect", [&](const toml::node& e, const std::string& ep) {
    if (const auto* a = e.as_array()) {
      if (a->empty() || a->size() > 2) {
        expected(c, e, ep,
                 "one effect, or a relative and an absolute one such as [\"3%\", \"4MiB\"]");
      }
      for (const auto& x : *a)
        read_effect(c, x, ep, m, th);
    } else {
      read_effect(c, e, ep, m, th);
    }
  });
  t.with("alpha", [&](const toml::node& e, const std::string& ep) {
    const double v = read_number(c, e, ep, "a significance level above 0 and at most 0.5");
    if (!(v > 0 && v <= 0.5)) expected(c, e, ep, "a significance level above 0 and at most 0.5");
    th.alpha = v;
  });
  t.with("better", [&](const toml::node& e, const std::string& ep) {
    const auto s = read_string(c, e, ep, "\"higher\" or \"lower\"");
    if (s == "higher") {
      th.better = results::Better::kHigher;
    } else if (s == "lower") {
      th.better = results::Better::kLower;
    } else {
      expected(c, e, ep, "\"higher\" or \"lower\"");
    }
  });
  t.with("enabled",
         [&](const toml::node& e, const std::string& ep) { th.enabled = read_bool(c, e, ep); });
  return th;
}

std::map<std::string, results::MetricThreshold> read_metric_thresholds(
    const Table& t, const std::vector<std::string_view>& skip) {
  std::map<std::string, results::MetricThreshold> out;
  for (auto&& [k, v] : t.raw()) {
    if (std::find(skip.begin(), skip.end(), k.str()) != skip.end()) continue;
    const auto name = canonical_metric(k.str());
    const auto info = results::find_metric(name);
    // Table's key check guarantees the name is known.
    if (!info) continue;
    out[name] = read_threshold(t.ctx, v, t.path(k.str()), *info);
  }
  return out;
}

bool valid_cell_suffix(std::string_view rest) {
  // "c=64" or "c=16 r=1000" (LoadPoint::key()).
  auto words = split_whitespace(rest);
  if (words.empty() || words.size() > 2) return false;
  try {
    if (words[0].rfind("c=", 0) != 0 || parse_int(words[0].substr(2)) < 1) return false;
    if (words.size() == 2 &&
        (words[1].rfind("r=", 0) != 0 || !(parse_double(words[1].substr(2)) > 0))) {
      return false;
    }
  } catch (const ParseError&) {
    return false;
  }
  return true;
}

results::GateSettings read_gate(const Ctx& c, const toml::node* node,
                                const std::vector<ScenarioSpec>& scenarios) {
  results::GateSettings g;
  if (!node) return g;
  auto allowed = kGateKeys;
  const auto metrics = metric_names();
  allowed.insert(allowed.end(), metrics.begin(), metrics.end());
  allowed.push_back("latency_p999");
  const Table t(c, as_table(c, *node, "gate"), "gate", allowed);
  t.with("alpha", [&](const toml::node& n, const std::string& p) {
    const double v = read_number(c, n, p, "a significance level above 0 and at most 0.5");
    if (!(v > 0 && v <= 0.5)) expected(c, n, p, "a significance level above 0 and at most 0.5");
    g.alpha = v;
  });
  t.with("min_runs", [&](const toml::node& n, const std::string& p) {
    g.min_runs = static_cast<int>(read_int(c, n, p, 1, kMaxIterations, "a positive integer"));
  });
  t.with("warn_only",
         [&](const toml::node& n, const std::string& p) { g.warn_only = read_bool(c, n, p); });
  t.with("testbed_mismatch", [&](const toml::node& n, const std::string& p) {
    g.testbed_mismatch = read_string(c, n, p);
    if (g.testbed_mismatch != "error" && g.testbed_mismatch != "warn") {
      expected(c, n, p, "\"error\" or \"warn\"");
    }
  });
  t.with("confirm", [&](const toml::node& n, const std::string& p) {
    g.confirm = static_cast<int>(read_int(c, n, p, 0, 1000, "an integer from 0 to 1000"));
  });
  g.metrics = read_metric_thresholds(t, kGateKeys);
  t.with("scenario", [&](const toml::node& n, const std::string& p) {
    std::vector<std::string_view> names;
    for (const auto& s : scenarios)
      names.push_back(s.name);
    auto metric_keys = metrics;
    metric_keys.push_back("latency_p999");
    for (auto&& [k, v] : as_table(c, n, p)) {
      const std::string key(k.str());
      const std::string kp = sub(p, key);
      const auto space = key.find(' ');
      const std::string scen = key.substr(0, space);
      if (std::find(names.begin(), names.end(), scen) == names.end()) {
        fail(c, static_cast<int>(k.source().begin.line), kp,
             fmt::format("no scenario named '{}'{}", printable(scen),
                         suggestion_suffix(scen, names)));
      }
      if (space != std::string::npos && !valid_cell_suffix(key.substr(space + 1))) {
        fail(c, static_cast<int>(k.source().begin.line), kp,
             "expected a scenario name or a cell key such as \"plaintext c=64\" or "
             "\"plaintext c=16 r=1000\"");
      }
      const Table st(c, as_table(c, v, kp), kp, metric_keys);
      g.per_scenario[key] = read_metric_thresholds(st, {});
    }
  });
  return g;
}

}  // namespace benchgate::config::detail
