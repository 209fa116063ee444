#include "runner/shard.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>

#include "core/error.h"
#include "core/parse.h"

namespace benchgate::runner {

namespace {

// A shard number: digits only, 1..kMaxShards.
std::optional<int> shard_number(std::string_view text) {
  const auto t = trim(text);
  if (t.empty() || t.size() > 4) return std::nullopt;
  if (!std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const int n = std::stoi(std::string(t));
  if (n < 1 || n > kMaxShards) return std::nullopt;
  return n;
}

ShardSpec index_total(std::string_view index, std::string_view total, std::string_view origin,
                      std::string_view shown) {
  const auto i = shard_number(index);
  const auto n = shard_number(total);
  if (!i || !n) {
    throw UsageError(
        fmt::format("{}: expected I/N with 1 ≤ I ≤ N ≤ {} (shard I of N, such as 2/3) or auto, "
                    "got '{}'",
                    origin, kMaxShards, printable(shown)));
  }
  if (*i > *n) {
    throw UsageError(fmt::format("{}: shard {} of {} does not exist (shards are numbered 1 to {})",
                                 origin, *i, *n, *n));
  }
  return ShardSpec{*i, *n, std::string(origin)};
}

constexpr std::string_view kPerMachineKeys[] = {
    "source",      "hostname",       "applied_hosts", "out",         "app_cpus",
    "driver_cpus", "driver_threads", "client_host",   "ssh_options", "tool_path",
    "numa_node",   "cpus",           "sleep",         "seed",        "gate"};
constexpr std::string_view kPathKeys[] = {"script",          "requests_file",     "plan",
                                          "user_properties", "system_properties", "cwd"};

// Drops what may differ between the machines of one sharded run; paths keep their file name
// (checkouts live in different folders on different runners).
void strip_machine_keys(nlohmann::json& j) {
  if (j.is_array()) {
    for (auto& e : j)
      strip_machine_keys(e);
    return;
  }
  if (!j.is_object()) return;
  for (auto k : kPerMachineKeys)
    j.erase(std::string(k));
  for (auto k : kPathKeys) {
    auto it = j.find(std::string(k));
    if (it != j.end() && it->is_string()) {
      *it = std::filesystem::path(it->get<std::string>()).filename().string();
    }
  }
  for (auto& [k, v] : j.items())
    strip_machine_keys(v);
}

}  // namespace

ShardSpec parse_shard(std::string_view value, std::string_view origin,
                      const config::EnvLookup& getenv) {
  const auto v = trim(value);
  if (v != "auto") {
    const auto slash = v.find('/');
    if (slash == std::string_view::npos) {
      throw UsageError(fmt::format(
          "{}: expected I/N with 1 ≤ I ≤ N ≤ {} (shard I of N, such as 2/3) or auto, got '{}'",
          origin, kMaxShards, printable(v)));
    }
    return index_total(v.substr(0, slash), v.substr(slash + 1),
                       fmt::format("{} {}", origin, printable(v)), v);
  }
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    auto x = getenv(std::string(name));
    if (x && trim(*x).empty()) return std::nullopt;
    return x;
  };
  for (const auto& [iv, tv] : {std::pair{kGitlabShardIndex, kGitlabShardTotal},
                               std::pair{kShardIndexVar, kShardTotalVar}}) {
    const auto i = get(iv), n = get(tv);
    if (!i && !n) continue;
    const auto from = fmt::format("{} auto: {}/{}", origin, iv, tv);
    if (!i || !n) {
      throw UsageError(fmt::format("{}: {} is set but {} is not (both are needed)", from,
                                   i ? iv : tv, i ? tv : iv));
    }
    return index_total(*i, *n, from, fmt::format("{}/{}", *i, *n));
  }
  throw UsageError(fmt::format(
      "{} auto: no shard in the environment: expected {}/{} (GitLab `parallel: N`) or {}/{} "
      "(set them from a GitHub matrix, docs/ci.md), or give --shard I/N",
      origin, kGitlabShardIndex, kGitlabShardTotal, kShardIndexVar, kShardTotalVar));
}

std::vector<std::string> Partition::scenarios_of(int shard) const {
  std::vector<std::string> out;
  for (const auto& u : units) {
    if (u.shard == shard) out.push_back(u.scenario);
  }
  return out;
}

int Partition::runs_of(int shard) const {
  int n = 0;
  for (const auto& u : units) {
    if (u.shard == shard) n += u.runs;
  }
  return n;
}

nlohmann::json Partition::to_json() const {
  nlohmann::json shards = nlohmann::json::array();
  for (int s = 1; s <= total; ++s) {
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& u : units) {
      if (u.shard != s) continue;
      for (const auto& c : u.cells)
        cells.push_back(c);
    }
    shards.push_back({{"index", s},
                      {"scenarios", scenarios_of(s)},
                      {"cells", cells},
                      {"planned_runs", runs_of(s)},
                      {"planned_s", to_seconds(load[static_cast<std::size_t>(s - 1)])}});
  }
  return {{"unit", "scenario"}, {"shards", shards}};
}

Partition partition_plan(const matrix::Plan& plan, int total, Nanos sleep_between_runs,
                         std::string_view origin) {
  Partition p;
  p.total = total;
  std::map<std::string, std::size_t> unit_of;
  for (const auto& name : plan.scenarios) {
    unit_of[name] = p.units.size();
    ShardUnit u;
    u.scenario = name;
    u.cells.push_back(name);  // the per-run cell (startup time, idle RSS)
    p.units.push_back(std::move(u));
  }
  for (const auto& r : plan.runs) {
    auto it = unit_of.find(r.scenario);
    if (it == unit_of.end()) throw InternalError("shard: run of an unplanned scenario " + r.id);
    auto& u = p.units[it->second];
    if (u.runs == 0) {
      for (const auto& pt : r.points)
        u.cells.push_back(results::cell_key(r.scenario, pt));
    }
    ++u.runs;
    u.planned +=
        (r.warmup + r.duration) * static_cast<std::int64_t>(r.points.size()) + sleep_between_runs;
  }
  if (total > static_cast<int>(p.units.size())) {
    throw UsageError(fmt::format(
        "{}: {} shards, but the suite plans {} (a shard's unit is a scenario: every app, "
        "iteration and load point of a scenario run on one machine, so the A/B pairs of a cell "
        "stay together); use at most {} shards",
        origin, total,
        p.units.size() == 1 ? std::string("1 scenario")
                            : fmt::format("{} scenarios", p.units.size()),
        p.units.size()));
  }
  // LPT: longest first (file order on ties), each to the least-loaded shard (lowest on ties).
  std::vector<std::size_t> order(p.units.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return p.units[a].planned > p.units[b].planned;
  });
  p.load.assign(static_cast<std::size_t>(total), Nanos{0});
  std::vector<int> count(static_cast<std::size_t>(total), 0);
  for (auto i : order) {
    std::size_t best = 0;
    for (std::size_t s = 1; s < p.load.size(); ++s) {
      // An empty shard first, so no shard is left without work.
      const bool emptier = count[s] == 0 && count[best] > 0;
      const bool lighter = (count[s] == 0) == (count[best] == 0) && p.load[s] < p.load[best];
      if (emptier || lighter) best = s;
    }
    p.units[i].shard = static_cast<int>(best) + 1;
    p.load[best] += p.units[i].planned;
    ++count[best];
  }
  return p;
}

matrix::Plan shard_plan(const matrix::Plan& plan, const Partition& partition, int shard) {
  matrix::Plan out;
  out.seed = plan.seed;
  const auto mine = partition.scenarios_of(shard);
  for (const auto& name : plan.scenarios) {
    if (std::find(mine.begin(), mine.end(), name) != mine.end()) out.scenarios.push_back(name);
  }
  for (const auto& r : plan.runs) {
    if (std::find(mine.begin(), mine.end(), r.scenario) != mine.end()) out.runs.push_back(r);
  }
  return out;
}

std::string suite_hash(const config::SuiteConfig& suite) {
  auto j = config::suite_to_json(suite);
  strip_machine_keys(j);
  j["filter"] = suite.filter;
  return fmt::format("{:016x}", matrix::fnv1a(j.dump()));
}

std::uint64_t shard_seed(const config::SuiteConfig& suite) {
  return matrix::fnv1a("benchgate shard seed\x1f" + suite_hash(suite));
}

nlohmann::json shard_json(const ShardSpec& spec, const Partition& partition,
                          const std::string& hash) {
  return {{"index", spec.index},
          {"total", spec.total},
          {"source", spec.source},
          {"suite_hash", hash},
          {"partition", partition.to_json()}};
}

ShardedPlan plan_shard(config::SuiteConfig& suite, const ShardSpec& spec) {
  if (!suite.defaults.seed) suite.defaults.seed = shard_seed(suite);
  const auto whole = matrix::expand(suite);
  ShardedPlan out;
  out.partition = partition_plan(whole, spec.total, suite.defaults.sleep, spec.source);
  out.plan = shard_plan(whole, out.partition, spec.index);
  out.record = shard_json(spec, out.partition, suite_hash(suite));
  out.whole_load = whole.load_time(suite.defaults.sleep);
  out.whole_runs = whole.runs.size();
  return out;
}

}  // namespace benchgate::runner
