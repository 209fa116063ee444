#pragma once
// Sharding a suite over a CI system's parallel jobs (GitHub `strategy.matrix`, GitLab
// `parallel: N`) and putting the pieces back together (docs/ci.md, "Sharding").
//
// The unit of a shard is a scenario with all its cells (its load points and its per-run cell),
// every app and every iteration: one run drives every load point of a scenario against one
// start of an app, and the A/B pairs of a cell must stay on one machine, so nothing smaller
// can move. Units go to shards by LPT (longest planned time first, each to the shard with the
// least planned time so far; ties: file order of the scenarios, then the lowest shard), which
// depends only on the suite, so every job computes the same partition without talking to the
// others. A shard runs the runs of the full plan that belong to its scenarios, with their ids,
// iterations and A/B orders unchanged, and does not gate: `benchgate merge` gates the union, so
// Holm's correction and every tally run over the whole family, as in an unsharded run.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/suite.h"
#include "matrix/matrix.h"
#include "results/model.h"

namespace benchgate::runner {

/// Which shard this invocation is: index 1..total.
struct ShardSpec {
  int index = 0;
  int total = 0;
  std::string source;  ///< where it came from: "--shard 2/3", "CI_NODE_INDEX/CI_NODE_TOTAL", …
};

/// Variables `--shard auto` reads, in this order: GitLab's `parallel: N` sets the first pair
/// (1-based index); a GitHub matrix job sets the second pair itself (docs/ci.md).
inline constexpr std::string_view kGitlabShardIndex = "CI_NODE_INDEX";
inline constexpr std::string_view kGitlabShardTotal = "CI_NODE_TOTAL";
inline constexpr std::string_view kShardIndexVar = "BENCHGATE_SHARD_INDEX";
inline constexpr std::string_view kShardTotalVar = "BENCHGATE_SHARD_TOTAL";
inline constexpr int kMaxShards = 1000;

/// "I/N" (1 ≤ I ≤ N ≤ 1000) or "auto". UsageError (exit 2) naming `origin` (the flag or the
/// variable the value came from, or the variables `auto` read) and what was expected.
ShardSpec parse_shard(std::string_view value, std::string_view origin,
                      const config::EnvLookup& getenv);

/// One unit of the partition: a scenario, its cells and its planned runs.
struct ShardUnit {
  std::string scenario;
  std::vector<std::string> cells;  ///< the gate's cell keys: "<scenario> c=64", …
  int runs = 0;
  Nanos planned{0};  ///< warm-up + measured time of its runs, plus the sleeps after them
  int shard = 0;     ///< 1-based
};

struct Partition {
  int total = 0;
  std::vector<ShardUnit> units;  ///< scenario file order
  /// Planned time per shard (index 0 = shard 1).
  std::vector<Nanos> load;
  std::vector<std::string> scenarios_of(int shard) const;
  int runs_of(int shard) const;
  /// {"unit": "scenario", "shards": [{"index", "scenarios", "cells", "planned_runs",
  /// "planned_s"}, …]}
  nlohmann::json to_json() const;
};

/// The LPT partition of a plan into `total` shards (see the top of this file). UsageError when
/// there are more shards than scenarios (a shard would have nothing to run).
Partition partition_plan(const matrix::Plan& plan, int total, Nanos sleep_between_runs,
                         std::string_view origin);

/// The runs of `plan` that belong to `shard`, in plan order, ids and sequence numbers kept.
matrix::Plan shard_plan(const matrix::Plan& plan, const Partition& partition, int shard);

/// Hash of what a suite measures (apps, scenarios, load, iterations, the filter): the
/// resolved suite without what may differ between the machines of one sharded run (output
/// folder, CPU lists, driver threads, client host, ssh options, tool paths, NUMA node, sleep,
/// the host tables applied, the file's path), the seed and the gate settings (`merge` checks
/// those two on their own, to say which differs). FNV-1a 64, hex.
std::string suite_hash(const config::SuiteConfig& suite);

/// The order seed a sharded run uses when the suite sets none: derived from the suite hash,
/// so every shard draws the same A/B orders (a random seed per job would not).
std::uint64_t shard_seed(const config::SuiteConfig& suite);

/// results.json "shard" of one shard's results.
nlohmann::json shard_json(const ShardSpec& spec, const Partition& partition,
                          const std::string& hash);

/// A shard's part of a suite's plan.
struct ShardedPlan {
  matrix::Plan plan;      ///< the shard's runs (shard_plan)
  Partition partition;    ///< of the whole plan
  nlohmann::json record;  ///< results.json "shard" (shard_json)
  Nanos whole_load{0};    ///< the whole plan's load time
  std::size_t whole_runs = 0;
};

/// Gives the suite the shard seed when it has none, expands the whole plan, partitions it and
/// keeps the shard's runs: `run --shard` and `run --shard --dry-run` both plan this way.
ShardedPlan plan_shard(config::SuiteConfig& suite, const ShardSpec& spec);

/// One shard's results as `merge` read them.
struct ShardInput {
  std::string file;  ///< as given (messages name it)
  results::ResultsFile results;
};

/// The merged results: the union of the shards' runs in plan order, status "failed" (outcome
/// partial) naming every shard that did not complete, each shard's testbed and host kept in
/// "shard.shards", artifact paths made relative to `out_dir`. Throws UsageError (exit 2)
/// naming the file and the reason for a file that is not a shard's results, a foreign shard
/// (another suite, seed, benchgate version, gate settings or partition), a duplicated shard,
/// runs outside a shard's part of the partition, and a missing shard.
/// `baseline_testbed`: with a stored baseline, the testbed a shard must match; the merged
/// testbed is then the first shard's that differs (so the comparison says "testbed
/// mismatch"), else the first shard's.
results::ResultsFile merge_shards(std::vector<ShardInput> inputs,
                                  const std::filesystem::path& out_dir,
                                  const results::Testbed* baseline_testbed);

}  // namespace benchgate::runner
