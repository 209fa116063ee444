#include "matrix/matrix.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>
#include <set>

#include "core/error.h"
#include "core/parse.h"
#include "core/url.h"

namespace benchgate::matrix {

std::uint64_t SplitMix64::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t SplitMix64::below(std::uint64_t n) {
  // 2^64 mod n, computed in 64 bits as (-n) mod n; outputs below it would favour small values.
  const std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    const std::uint64_t r = next();
    if (r >= threshold) return r % n;
  }
}

std::uint64_t random_seed() {
  std::random_device rd;
  const std::uint64_t entropy = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  const auto ticks =
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  SplitMix64 mix(entropy ^ ticks);
  // 53 bits: the seed is stored in JSON, where readers that use doubles (JavaScript, jq,
  // valijson's adapter) keep integers exact only up to 2^53.
  return mix.next() & ((std::uint64_t{1} << 53) - 1);
}

std::vector<std::string> Plan::sequence() const {
  std::vector<std::string> out;
  out.reserve(runs.size());
  for (const auto& r : runs)
    out.push_back(r.id);
  return out;
}

Nanos Run::warmup_per_point() const {
  return driver_options.pairing == config::kPairingBursts && !pair_order.empty()
             ? driver_options.burst_warmup
             : warmup;
}

Nanos Plan::load_time(Nanos sleep_between_runs) const {
  Nanos total{0};
  for (const auto& r : runs) {
    total += (r.warmup_per_point() + r.duration) * static_cast<std::int64_t>(r.points.size());
  }
  if (runs.size() > 1) total += sleep_between_runs * static_cast<std::int64_t>(runs.size() - 1);
  return total;
}

bool filter_matches(std::string_view filter, std::string_view name) {
  bool any_positive = false, positive_hit = false;
  const std::string n(name);
  for (const auto& raw : split(filter, ',', true)) {
    auto glob = std::string(trim(raw));
    if (glob.empty()) continue;
    const bool negative = glob.front() == '!';
    if (negative) glob.erase(0, 1);
    const bool hit = fnmatch(glob.c_str(), n.c_str(), 0) == 0;
    if (negative) {
      if (hit) return false;
    } else {
      any_positive = true;
      positive_hit = positive_hit || hit;
    }
  }
  return !any_positive || positive_hit;
}

std::string run_id(int iteration, int width, std::string_view app, std::string_view scenario) {
  auto safe = [](std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' ||
            c == '-')) {
        c = '_';
      }
    }
    return out;
  };
  return fmt::format("i{:0{}}-{}-{}", iteration, width, safe(app), safe(scenario));
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

namespace {

/// Balanced random orders for `count` pairs: true = candidate first.
std::vector<bool> pair_orders(std::uint64_t seed, std::string_view scenario, int first_iteration,
                              int count) {
  // The scenario's name, not its position: its A/B orders do not depend on the filter.
  SplitMix64 rng(seed ^ fnv1a(scenario) ^
                 (static_cast<std::uint64_t>(first_iteration) * 0x9e3779b97f4a7c15ull));
  std::vector<bool> orders;
  for (int i = 0; i < count / 2; ++i) {
    orders.push_back(false);
    orders.push_back(true);
  }
  if (count % 2) orders.push_back(rng.below(2) == 1);
  // Fisher-Yates, from the back.
  for (std::size_t i = orders.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(rng.below(i));
    const bool tmp = orders[i - 1];
    orders[i - 1] = orders[j];
    orders[j] = tmp;
  }
  return orders;
}

/// ABBA orders for `count` burst pairs: alternating, the first a seeded coin flip.
std::vector<bool> abba_orders(std::uint64_t seed, std::string_view scenario, int first_iteration,
                              int count) {
  SplitMix64 rng(seed ^ fnv1a(scenario) ^
                 (static_cast<std::uint64_t>(first_iteration) * 0x9e3779b97f4a7c15ull));
  const bool first = rng.below(2) == 1;
  std::vector<bool> orders;
  for (int i = 0; i < count; ++i)
    orders.push_back(first != (i % 2 == 1));
  return orders;
}

bool is_bursts(const config::ScenarioSpec& sc) {
  return sc.driver_options.pairing == config::kPairingBursts;
}

std::string resolve_ready_url(const std::string& ready, const std::string& url) {
  if (ready.empty() || ready.front() != '/') return ready;
  auto u = parse_url(url);
  u.target = ready;
  return u.str();
}

}  // namespace

// Over 100 lines on purpose: the order of runs is the plan's contract (scenarios, load points,
// iterations, interleaved apps, seeded shuffle); it reads as one sequence.
Plan expand(const config::SuiteConfig& suite, const ExpandOptions& options) {
  if (options.first_iteration < 1) throw InternalError("matrix: first_iteration must be >= 1");
  if (options.iterations && *options.iterations < 0) {
    throw InternalError("matrix: iterations must be >= 0");
  }
  const auto& d = suite.defaults;
  Plan plan;
  plan.seed = d.seed ? *d.seed : random_seed();

  std::vector<std::size_t> selected;
  for (std::size_t i = 0; i < suite.scenarios.size(); ++i) {
    if (filter_matches(suite.filter, suite.scenarios[i].name)) {
      selected.push_back(i);
      plan.scenarios.push_back(suite.scenarios[i].name);
    }
  }
  if (selected.empty()) {
    std::vector<std::string> names;
    for (const auto& s : suite.scenarios)
      names.push_back(s.name);
    throw UsageError(fmt::format("filter '{}' matches no scenario; the suite has: {}", suite.filter,
                                 join(names, ", ")));
  }

  // The A/B pair, if any: it takes the slot of whichever of the two comes first in the file.
  std::optional<std::size_t> base, cand;
  for (std::size_t i = 0; i < suite.apps.size(); ++i) {
    if (suite.apps[i].role == "baseline") base = i;
    if (suite.apps[i].role == "candidate") cand = i;
  }
  const bool paired = base && cand;

  auto count_of = [&](std::size_t s) {
    return options.iterations ? *options.iterations
                              : suite.scenarios[s].iterations.value_or(d.iterations);
  };
  int last_iteration = options.first_iteration - 1;
  std::vector<std::vector<bool>> orders(suite.scenarios.size());
  for (auto s : selected) {
    last_iteration = std::max(last_iteration, options.first_iteration + count_of(s) - 1);
    if (paired) {
      orders[s] = (is_bursts(suite.scenarios[s]) ? abba_orders : pair_orders)(
          plan.seed, suite.scenarios[s].name, options.first_iteration, count_of(s));
    }
  }
  const int width = std::max<int>(2, static_cast<int>(std::to_string(last_iteration).size()));

  std::set<std::string> ids;
  int sequence = options.first_sequence;
  // The runs of iteration `it` of scenario `s` (of bursts session `session`).
  auto emit = [&](int it, std::size_t s, int session) {
    const auto& sc = suite.scenarios[s];
    const int n = count_of(s);

    std::vector<std::size_t> app_order;
    std::string pair_order;
    for (std::size_t a = 0; a < suite.apps.size(); ++a) {
      if (!paired || (a != *base && a != *cand)) {
        app_order.push_back(a);
      } else if (a == std::min(*base, *cand)) {
        const bool cand_first = orders[s][static_cast<std::size_t>(it - options.first_iteration)];
        pair_order = cand_first ? "candidate-first" : "baseline-first";
        app_order.push_back(cand_first ? *cand : *base);
        app_order.push_back(cand_first ? *base : *cand);
      }
    }

    for (auto a : app_order) {
      Run r;
      r.iteration = it;
      r.iterations = n;
      r.sequence = sequence++;
      r.app_index = a;
      r.scenario_index = s;
      r.app = suite.apps[a];
      if (r.app.cpus.empty()) r.app.cpus = d.app_cpus;
      r.scenario = sc.name;
      r.url = config::url_for_app(r.app, sc.url);
      r.app.ready_url = resolve_ready_url(r.app.ready_url, r.url);
      if (!r.app.ready_url.empty()) r.app.ready_url = config::url_for_app(r.app, r.app.ready_url);
      const auto port = std::to_string(parse_url(r.url).port);
      for (auto& arg : r.app.command)
        arg = replace_all(arg, "{port}", port);
      r.session = session;
      for (int clients : sc.clients) {
        if (sc.rates.empty()) {
          r.points.push_back({clients, 0});
        } else {
          for (double rate : sc.rates)
            r.points.push_back({clients, rate});
        }
      }
      r.duration = sc.duration.value_or(d.duration);
      r.warmup = sc.warmup.value_or(d.warmup);
      r.interval = d.interval;
      r.ready_timeout = d.ready_timeout;
      r.driver = sc.driver.empty() ? d.driver : sc.driver;
      r.driver_options = sc.driver_options;
      if (r.driver_options.cpus.empty()) r.driver_options.cpus = d.driver_cpus;
      if (r.driver_options.threads == 0) r.driver_options.threads = d.driver_threads;
      if (r.driver_options.client_host.empty()) r.driver_options.client_host = d.client_host;
      r.scenario_pre_run = sc.pre_run;
      r.scenario_post_run = sc.post_run;
      r.profiler = d.profiler;
      r.numa_node = d.numa_node;
      const bool in_pair = paired && (a == *base || a == *cand);
      if (in_pair) r.pair_order = pair_order;
      // Labels and names are unique, but a CLI-built suite may map two to one safe id.
      r.id = run_id(it, width, r.app.label, sc.name);
      for (int k = 2; !ids.insert(r.id).second; ++k) {
        r.id = fmt::format("{}-{}", run_id(it, width, r.app.label, sc.name), k);
      }
      plan.runs.push_back(std::move(r));
    }
  };
  for (int it = options.first_iteration; it <= last_iteration; ++it) {
    for (auto s : selected) {
      const int n = count_of(s);
      const int k = it - options.first_iteration;
      if (k >= n) continue;
      if (!paired || !is_bursts(suite.scenarios[s])) {
        emit(it, s, 0);
        continue;
      }
      // Sessions split the n pairs evenly: pair k belongs to session k * starts / n.
      const int starts = std::clamp(suite.scenarios[s].driver_options.starts, 1, n);
      const auto session_of = [&](int pair) {
        return static_cast<int>(static_cast<std::int64_t>(pair) * starts / n);
      };
      if (k > 0 && session_of(k - 1) == session_of(k)) continue;  // emitted with its session
      for (int j = k; j < n && session_of(j) == session_of(k); ++j)
        emit(options.first_iteration + j, s, session_of(k));
    }
  }
  return plan;
}

}  // namespace benchgate::matrix
