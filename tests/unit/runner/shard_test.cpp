// Sharding (runner/shard.h): the --shard value, the partition of a plan, the suite hash, and
// merge_shards' checks; a suite gated whole and gated as 3 merged shards gives the same
// verdicts (same cells, tests and Holm family).

#include "runner/shard.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "core/error.h"
#include "platform/fs.h"
#include "results/json.h"
#include "runner/runner.h"
#include "runner/suite_runner.h"

namespace benchgate::runner {
namespace {

using ::testing::HasSubstr;

config::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string usage_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UsageError";
  return "";
}

TEST(ParseShard, IndexOfTotal) {
  const auto s = parse_shard("2/3", "--shard", env_of({}));
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.total, 3);
  EXPECT_EQ(parse_shard(" 1/1 ", "--shard", env_of({})).total, 1);
  EXPECT_EQ(parse_shard("1000/1000", "--shard", env_of({})).index, 1000);
}

TEST(ParseShard, BadValuesNameTheOriginAndWhatWasExpected) {
  for (const char* bad :
       {"", "3", "0/3", "a/b", "1/", "/3", "-1/3", "1/1001", "1.5/3", "1/3/4", "2 / 3x"}) {
    SCOPED_TRACE(bad);
    const auto msg = usage_error([&] { parse_shard(bad, "BENCHGATE_SHARD", env_of({})); });
    EXPECT_THAT(msg, HasSubstr("BENCHGATE_SHARD"));
    EXPECT_THAT(msg, HasSubstr("expected I/N"));
  }
  EXPECT_THAT(usage_error([] { parse_shard("4/3", "--shard", env_of({})); }),
              HasSubstr("--shard 4/3: shard 4 of 3 does not exist"));
}

TEST(ParseShard, AutoReadsGitlabsParallelVariables) {
  const auto s = parse_shard(
      "auto", "--shard",
      env_of({{"CI_NODE_INDEX", "3"}, {"CI_NODE_TOTAL", "4"}, {"BENCHGATE_SHARD_INDEX", "1"}}));
  EXPECT_EQ(s.index, 3);
  EXPECT_EQ(s.total, 4);
  EXPECT_THAT(s.source, HasSubstr("CI_NODE_INDEX/CI_NODE_TOTAL"));
}

TEST(ParseShard, AutoReadsTheGithubMatrixPairWithoutGitlabs) {
  const auto s = parse_shard(
      "auto", "--shard",
      env_of(
          {{"BENCHGATE_SHARD_INDEX", "1"}, {"BENCHGATE_SHARD_TOTAL", "2"}, {"CI_NODE_INDEX", ""}}));
  EXPECT_EQ(s.index, 1);
  EXPECT_EQ(s.total, 2);
}

TEST(ParseShard, AutoWithoutOrWithHalfAPairIsAUsageError) {
  EXPECT_THAT(usage_error([] { parse_shard("auto", "--shard", env_of({})); }),
              HasSubstr("no shard in the environment"));
  EXPECT_THAT(usage_error([] {
                parse_shard("auto", "--shard", env_of({{"CI_NODE_TOTAL", "3"}}));
              }),
              HasSubstr("CI_NODE_TOTAL is set but CI_NODE_INDEX is not"));
  EXPECT_THAT(
      usage_error([] {
        parse_shard("auto", "--shard", env_of({{"CI_NODE_INDEX", "5"}, {"CI_NODE_TOTAL", "3"}}));
      }),
      HasSubstr("shard 5 of 3 does not exist"));
}

// Five scenarios whose planned times are 7, 6, 5, 4 and 3 load periods of 1 s (one app, one
// iteration, one load point, no warm-up).
config::SuiteConfig lpt_suite() {
  std::string text =
      "[defaults]\nwarmup = \"0s\"\niterations = 1\nseed = 7\n"
      "[[app]]\nlabel = \"a\"\ncommand = [\"./a\"]\n";
  const std::pair<const char*, int> scenarios[] = {
      {"s5", 5}, {"s7", 7}, {"s3", 3}, {"s6", 6}, {"s4", 4}};
  for (const auto& [name, secs] : scenarios) {
    text += fmt::format(
        "[[scenario]]\nname = \"{}\"\nurl = \"http://127.0.0.1:1/\"\nclients = [1]\n"
        "duration = \"{}s\"\n",
        name, secs);
  }
  return config::parse_suite_text(text, "lpt.toml", "");
}

TEST(Partition, LongestFirstToTheLeastLoadedShard) {
  const auto suite = lpt_suite();
  const auto plan = matrix::expand(suite);
  const auto p = partition_plan(plan, 2, Nanos{0}, "--shard");
  // LPT by hand: 7 → 1, 6 → 2, 5 → 2 (6 < 7), 4 → 1 (7 < 11), 3 → 1 (11 = 11: the lower).
  EXPECT_EQ(p.scenarios_of(1), (std::vector<std::string>{"s7", "s3", "s4"}));
  EXPECT_EQ(p.scenarios_of(2), (std::vector<std::string>{"s5", "s6"}));
  EXPECT_EQ(p.load[0], std::chrono::seconds(14));
  EXPECT_EQ(p.load[1], std::chrono::seconds(11));
  EXPECT_EQ(p.runs_of(1) + p.runs_of(2), static_cast<int>(plan.runs.size()));
  // Deterministic: the same suite gives the same partition.
  EXPECT_EQ(partition_plan(plan, 2, Nanos{0}, "x").to_json(), p.to_json());
}

TEST(Partition, SleepsCountInThePlannedTime) {
  const auto plan = matrix::expand(lpt_suite());
  const auto p = partition_plan(plan, 5, std::chrono::seconds(1), "--shard");
  for (int s = 1; s <= 5; ++s)
    EXPECT_EQ(p.scenarios_of(s).size(), 1u);
  EXPECT_EQ(p.load[0], std::chrono::seconds(8));  // s7: 7 s + 1 s sleep
}

TEST(Partition, MoreShardsThanScenariosIsAUsageError) {
  const auto plan = matrix::expand(lpt_suite());
  EXPECT_THAT(usage_error([&] { partition_plan(plan, 6, Nanos{0}, "--shard 1/6"); }),
              HasSubstr("--shard 1/6: 6 shards, but the suite plans 5 scenarios"));
}

constexpr const char* kAbSuite = R"([defaults]
warmup = "0s"
duration = "1s"
iterations = 6
seed = 42
[[app]]
label = "base"
command = ["./base"]
role = "baseline"
[[app]]
label = "cand"
command = ["./cand"]
role = "candidate"
[[app]]
label = "other"
command = ["./other"]
[[scenario]]
name = "plain"
url = "http://127.0.0.1:1/plain"
clients = [4, 16]
[[scenario]]
name = "json"
url = "http://127.0.0.1:1/json"
clients = [4]
[[scenario]]
name = "db"
url = "http://127.0.0.1:1/db"
clients = [8]
duration = "3s"
[[scenario]]
name = "slow"
url = "http://127.0.0.1:1/slow"
clients = [2]
iterations = 4
)";

config::SuiteConfig ab_suite() {
  return config::parse_suite_text(kAbSuite, "ab.toml", "");
}

TEST(Partition, EveryRunOfAScenarioAndItsPairsStayOnOneShardInPlanOrder) {
  auto suite = ab_suite();
  const auto whole = matrix::expand(suite);
  std::map<std::string, int> shard_of_run;
  std::set<std::string> seen;
  for (int s = 1; s <= 3; ++s) {
    auto copy = suite;
    const auto sharded = plan_shard(copy, ShardSpec{s, 3, "--shard"});
    int last = -1;
    for (const auto& r : sharded.plan.runs) {
      EXPECT_GT(r.sequence, last) << "plan order kept";
      last = r.sequence;
      EXPECT_TRUE(seen.insert(r.id).second) << r.id << " in two shards";
      shard_of_run[r.scenario + "/" + std::to_string(r.iteration)] = s;
    }
    EXPECT_EQ(sharded.record.at("index"), s);
    EXPECT_EQ(sharded.record.at("suite_hash"), suite_hash(suite));
  }
  EXPECT_EQ(seen.size(), whole.runs.size());
  // The A/B pair of every cell and iteration on one shard, with the unsharded order.
  for (const auto& r : whole.runs) {
    auto copy = suite;
    const auto sharded = plan_shard(
        copy,
        ShardSpec{shard_of_run[r.scenario + "/" + std::to_string(r.iteration)], 3, "--shard"});
    bool found = false;
    for (const auto& x : sharded.plan.runs) {
      if (x.id != r.id) continue;
      found = true;
      EXPECT_EQ(x.pair_order, r.pair_order);
      EXPECT_EQ(x.sequence, r.sequence);
    }
    EXPECT_TRUE(found) << r.id;
  }
}

TEST(SuiteHash, IgnoresWhatDiffersBetweenMachinesButNotWhatIsMeasured) {
  const auto a = ab_suite();
  auto b = a;
  b.defaults.out = "elsewhere";
  b.defaults.client_host = "loadgen-2";
  b.defaults.app_cpus = {2, 3};
  b.defaults.seed = 9;  // checked on its own by merge
  b.hostname = "runner-7";
  EXPECT_EQ(suite_hash(a), suite_hash(b));
  auto c = a;
  c.scenarios[0].clients = {4, 32};
  EXPECT_NE(suite_hash(a), suite_hash(c));
  auto d = a;
  d.filter = "plain";
  EXPECT_NE(suite_hash(a), suite_hash(d));
  EXPECT_EQ(suite_hash(a).size(), 16u);
}

TEST(SuiteHash, AShardedRunWithoutASeedDerivesOneFromTheSuite) {
  auto a = ab_suite();
  a.defaults.seed.reset();
  auto b = a;
  const auto pa = plan_shard(a, ShardSpec{1, 2, "x"});
  const auto pb = plan_shard(b, ShardSpec{2, 2, "x"});
  EXPECT_EQ(pa.plan.seed, pb.plan.seed);
  EXPECT_EQ(pa.plan.seed, shard_seed(ab_suite()));
}

// Synthetic finished runs of a plan: throughput per app; the candidate is 20 % slower in
// scenario db and equal elsewhere (a small deterministic jitter per iteration).
results::RunRecord record_of(const matrix::Run& r) {
  FakeClock clock;
  results::RunRecord rec = new_run_record(r, clock);
  rec.status = "ok";
  rec.artifacts.push_back({"app-log", "artifacts/" + r.id + "/app.log", ""});
  for (const auto& pt : r.points) {
    results::PeriodResult p;
    p.point = pt;
    double v = 1000.0 + 7.0 * std::sin(r.iteration * 1.7 + pt.clients);
    if (r.app.role == "candidate" && r.scenario == "db") v *= 0.8;
    p.metrics["throughput"] = v;
    p.metrics["latency_p99"] = 1.0 / v;
    rec.periods.push_back(p);
  }
  return rec;
}

results::ResultsFile results_of(const config::SuiteConfig& suite, const matrix::Plan& plan) {
  results::ResultsFile r;
  r.tool_version = "1.2.3";
  r.command = "run";
  r.name = suite.name;
  r.status = "complete";
  r.suite = config::suite_to_json(suite);
  r.order.seed = plan.seed;
  r.order.sequence = plan.sequence();
  r.planned_runs = static_cast<int>(plan.runs.size());
  r.testbed.fingerprint = "fp";
  r.machine = {{"host_name", "h"}};
  for (const auto& run : plan.runs)
    r.runs.push_back(record_of(run));
  return r;
}

std::vector<ShardInput> shards_of(const config::SuiteConfig& suite, int total) {
  std::vector<ShardInput> out;
  for (int s = 1; s <= total; ++s) {
    auto copy = suite;
    const auto sharded = plan_shard(copy, ShardSpec{s, total, "--shard"});
    auto r = results_of(copy, sharded.plan);
    r.shard = sharded.record;
    r.machine["host_name"] = fmt::format("runner-{}", s);
    out.push_back({fmt::format("shard-{}/results.json", s), std::move(r)});
  }
  return out;
}

TEST(MergeShards, GatesLikeTheUnshardedRunOverTheWholeFamily) {
  const auto suite = ab_suite();
  const auto whole_results = results_of(suite, matrix::expand(suite));
  const GateSource ab{"", std::nullopt, true};
  const auto whole = gate_results(whole_results, suite.gate, ab);
  ASSERT_TRUE(whole);

  const auto merged = merge_shards(shards_of(suite, 3), "merged", nullptr);
  EXPECT_EQ(merged.status, "complete");
  EXPECT_EQ(merged.planned_runs, whole_results.planned_runs);
  EXPECT_EQ(merged.order.sequence, whole_results.order.sequence);
  ASSERT_EQ(merged.runs.size(), whole_results.runs.size());
  for (std::size_t i = 0; i < merged.runs.size(); ++i)
    EXPECT_EQ(merged.runs[i].id, whole_results.runs[i].id);
  const auto sharded = gate_results(merged, suite.gate, ab);
  ASSERT_TRUE(sharded);
  EXPECT_EQ(sharded->tests, whole->tests);
  EXPECT_EQ(sharded->holm_family, whole->holm_family);
  ASSERT_EQ(sharded->verdicts.size(), whole->verdicts.size());
  int regressed = 0;
  for (std::size_t i = 0; i < whole->verdicts.size(); ++i) {
    const auto& a = whole->verdicts[i];
    const auto& b = sharded->verdicts[i];
    EXPECT_EQ(a.cell, b.cell);
    EXPECT_EQ(a.metric, b.metric);
    EXPECT_EQ(a.verdict, b.verdict) << a.cell << " " << a.metric;
    EXPECT_DOUBLE_EQ(a.p_adjusted, b.p_adjusted) << a.cell << " " << a.metric;
    regressed += a.verdict == gate::Verdict::kRegressed;
  }
  EXPECT_GT(regressed, 0) << "the db cell's 20 % loss is found";
  // Each shard's host and testbed are kept.
  ASSERT_EQ(merged.shard.at("shards").size(), 3u);
  EXPECT_EQ(merged.shard.at("shards")[1].at("host"), "runner-2");
  EXPECT_EQ(merged.shard.at("shards")[1].at("testbed").at("fingerprint"), "fp");
  EXPECT_TRUE(merged.shard.at("merged").get<bool>());
}

TEST(ShardOutcome, AShardIsNotGatedAndSaysTheMergeGates) {
  auto shard = shards_of(ab_suite(), 3)[1].results;
  record_outcome(shard, std::nullopt, false);
  EXPECT_EQ(shard.outcome.at("status"), "not_gated");
  EXPECT_EQ(shard.outcome.at("exit_code"), 0);
  EXPECT_THAT(shard.outcome.at("reason").get<std::string>(),
              HasSubstr("shard 2/3 of a sharded run: not gated here; `benchgate merge` gates"));
  shard.runs[0].status = "failed";
  record_outcome(shard, std::nullopt, false);
  EXPECT_EQ(shard.outcome.at("status"), "run_failed");  // a failed run still says so
}

TEST(MergeShards, ArtifactPathsAreMadeRelativeToTheMergedFolder) {
  const auto merged = merge_shards(shards_of(ab_suite(), 2), "out/merged", nullptr);
  for (const auto& r : merged.runs) {
    ASSERT_EQ(r.artifacts.size(), 1u);
    EXPECT_TRUE(r.artifacts[0].path.starts_with("../../shard-")) << r.artifacts[0].path;
  }
}

TEST(MergeShards, AMissingShardIsNamedWithItsScenarios) {
  auto shards = shards_of(ab_suite(), 3);
  shards.erase(shards.begin() + 1);
  const auto msg = usage_error([&] { merge_shards(shards, "m", nullptr); });
  EXPECT_THAT(msg, HasSubstr("missing shard: no results given for shard 2/3 (scenarios "));
}

TEST(MergeShards, ADuplicatedShardNamesBothFiles) {
  auto shards = shards_of(ab_suite(), 3);
  shards.push_back(shards[1]);
  shards.back().file = "copy/results.json";
  const auto msg = usage_error([&] { merge_shards(shards, "m", nullptr); });
  EXPECT_THAT(msg, HasSubstr("copy/results.json: duplicate shard: shard 2/3 is also "
                             "shard-2/results.json"));
}

TEST(MergeShards, AForeignShardIsNamedWithWhatDiffers) {
  auto other = ab_suite();
  other.scenarios[0].clients = {4, 64};
  {
    auto shards = shards_of(ab_suite(), 2);
    shards[1] = shards_of(other, 2)[1];
    EXPECT_THAT(usage_error([&] { merge_shards(shards, "m", nullptr); }),
                HasSubstr("shard-2/results.json: foreign shard: another suite (suite hash"));
  }
  {
    auto shards = shards_of(ab_suite(), 2);
    shards[1].results.order.seed = 43;
    EXPECT_THAT(usage_error([&] { merge_shards(shards, "m", nullptr); }),
                HasSubstr("foreign shard: order seed 43"));
  }
  {
    auto shards = shards_of(ab_suite(), 2);
    shards[1].results.tool_version = "1.2.4";
    EXPECT_THAT(usage_error([&] { merge_shards(shards, "m", nullptr); }),
                HasSubstr("foreign shard: written by benchgate 1.2.4"));
  }
  {
    auto shards = shards_of(ab_suite(), 2);
    shards[1].results.suite["gate"]["alpha"] = 0.01;
    EXPECT_THAT(usage_error([&] { merge_shards(shards, "m", nullptr); }),
                HasSubstr("foreign shard: other gate settings"));
  }
  {
    auto shards = shards_of(ab_suite(), 2);
    shards.push_back(shards_of(ab_suite(), 3)[2]);
    EXPECT_THAT(usage_error([&] { merge_shards(shards, "m", nullptr); }),
                HasSubstr("shard-3/results.json: foreign shard: one of 3 shards"));
  }
}

TEST(MergeShards, FilesThatAreNotShardsOrAreEditedAreRefused) {
  auto shards = shards_of(ab_suite(), 2);
  auto plain = shards[0];
  plain.results.shard = nullptr;
  EXPECT_THAT(usage_error([&] {
                merge_shards({plain, shards[1]}, "m", nullptr);
              }),
              HasSubstr("shard-1/results.json: not a shard's results"));
  auto merged = merge_shards(shards, "m", nullptr);
  EXPECT_THAT(usage_error([&] {
                merge_shards({{"m/results.json", merged}}, "n", nullptr);
              }),
              HasSubstr("m/results.json: already merged from 2 shards"));
  auto moved = shards;
  moved[0].results.runs.push_back(moved[1].results.runs.front());
  EXPECT_THAT(usage_error([&] { merge_shards(moved, "m", nullptr); }),
              HasSubstr("shard-1/results.json: run "));
}

TEST(MergeShards, AnIncompleteShardMakesTheMergePartialNamingIt) {
  auto shards = shards_of(ab_suite(), 3);
  auto& r = shards[2].results;
  r.status = "interrupted";
  r.runs.resize(r.runs.size() / 2);
  auto merged = merge_shards(shards, "m", nullptr);
  EXPECT_EQ(merged.status, "failed");
  EXPECT_THAT(merged.failure, HasSubstr("shard 3/3 (shard-3/results.json) did not complete: "
                                        "status \"interrupted\""));
  const auto verdicts = gate_results(merged, ab_suite().gate, GateSource{"", std::nullopt, true});
  record_outcome(merged, verdicts, false);
  EXPECT_EQ(merged.outcome.at("status"), "partial");
  EXPECT_EQ(merged.outcome.at("exit_code"), 4);
  EXPECT_THAT(merged.outcome.at("reason").get<std::string>(), HasSubstr("shard 3/3"));
}

TEST(MergeShards, EachShardsTestbedIsCheckedAgainstAStoredBaseline) {
  auto shards = shards_of(ab_suite(), 3);
  shards[1].results.testbed.fingerprint = "other";
  shards[1].results.testbed.cpu_model = "Other CPU";
  results::Testbed base;
  base.fingerprint = "fp";
  auto merged = merge_shards(shards, "m", &base);
  EXPECT_EQ(merged.testbed.fingerprint, "other");  // the comparison then says "mismatch"
  bool named = false;
  for (const auto& w : merged.warnings)
    named |= w.find("shard 2/3 (shard-2/results.json) ran on another testbed") != std::string::npos;
  EXPECT_TRUE(named);
  EXPECT_EQ(merge_shards(shards_of(ab_suite(), 3), "m", &base).testbed.fingerprint, "fp");
}

// results.json is written one run at a time (a large merged file's DOM would not fit the
// memory target): the same bytes as the whole DOM's dump.
TEST(WriteResults, WritesTheWholeDomsDumpByteForByte) {
  platform::TempDir dir("bg-shard-text");
  auto same = [&](const results::ResultsFile& r) {
    results::write_results(r, dir.path() / "results.json");
    std::ifstream in(dir.path() / "results.json", std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text == nlohmann::json(r).dump(2) + "\n";
  };
  auto merged = merge_shards(shards_of(ab_suite(), 3), "m", nullptr);
  merged.runs[0].warnings.push_back("a \"quoted\"\nline\twith \u00e9 and a ] bracket");
  EXPECT_TRUE(same(merged));
  const auto fixture =
      results::read_results(std::string(BENCHGATE_TEST_DATA_DIR) + "/report/results.json");
  ASSERT_FALSE(fixture.runs.empty());
  EXPECT_TRUE(same(fixture));
  EXPECT_TRUE(same(results::ResultsFile{}));
}

// Every value of a shard file's "shard", "suite", "machine" and "testbed" records replaced by
// a value of another type or dropped: the schema or merge refuses it with an Error (exit 2),
// never another exception.
void every_path(const nlohmann::json& node, const nlohmann::json::json_pointer& at,
                std::vector<nlohmann::json::json_pointer>& out) {
  out.push_back(at);
  if (node.is_object()) {
    for (const auto& [k, v] : node.items())
      every_path(v, at / k, out);
  } else if (node.is_array() && !node.empty()) {
    every_path(node.front(), at / 0, out);
  }
}

TEST(MergeShards, MutatedShardRecordsFailOnlyWithAnError) {
  const auto shards = shards_of(ab_suite(), 2);
  nlohmann::json first = shards[0].results;
  std::vector<nlohmann::json::json_pointer> targets;
  for (const char* top : {"/shard", "/suite/gate", "/suite/defaults", "/machine", "/testbed"})
    every_path(first.at(nlohmann::json::json_pointer(top)), nlohmann::json::json_pointer(top),
               targets);
  const nlohmann::json replacements[] = {
      nullptr, "x", -1, 1.5, nlohmann::json::array(), nlohmann::json::object(), true};
  int refused = 0, merged = 0;
  auto attempt = [&](const nlohmann::json& doc, const std::string& what) {
    try {
      auto r = results::results_from_json(doc, "mutant.json");
      merge_shards({{"mutant.json", r}, shards[1]}, "m", nullptr);
      ++merged;
    } catch (const Error&) {
      ++refused;
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << ": " << e.what();
    }
  };
  for (const auto& ptr : targets) {
    for (const auto& value : replacements) {
      auto doc = first;
      doc[ptr] = value;
      attempt(doc, ptr.to_string() + " = " + value.dump());
    }
    if (ptr.empty() || !first.at(ptr.parent_pointer()).is_object()) continue;
    auto doc = first;
    doc.at(ptr.parent_pointer()).erase(ptr.back());
    attempt(doc, ptr.to_string() + " dropped");
  }
  EXPECT_GT(refused, 100);
  EXPECT_GT(merged, 0);  // e.g. another machine name
}

}  // namespace
}  // namespace benchgate::runner
