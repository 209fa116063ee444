#include "matrix/matrix.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "config/suite.h"
#include "core/error.h"

namespace benchgate::matrix {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

config::SuiteConfig suite_from(const std::string& text) {
  return config::parse_suite_text(text, "benchgate.toml", "");
}

/// An A/B suite: baseline "main", candidate "pr", optionally other apps before/after.
const char* kAB = R"([defaults]
iterations = 3
seed = 42
app_cpus = "0"
driver_cpus = "1"
driver_threads = 2
[[app]]
label = "main"
command = ["./srv"]
role = "baseline"
[[app]]
label = "pr"
command = ["./srv2"]
role = "candidate"
[[scenario]]
name = "plaintext"
url = "http://127.0.0.1:8080/plaintext"
clients = [16, 64]
)";

// ---- The PRNG: checked against published splitmix64 output ----------------------------------

TEST(SplitMix64, MatchesTheReferenceSequence) {
  // Seed 0: the first outputs of the reference implementation (Vigna's splitmix64.c).
  SplitMix64 zero(0);
  EXPECT_EQ(zero.next(), 0xe220a8397b1dcdafull);
  EXPECT_EQ(zero.next(), 0x6e789e6aa1b965f4ull);
  EXPECT_EQ(zero.next(), 0x06c45d188009454full);
  SplitMix64 r(1234567);
  EXPECT_EQ(r.next(), 6457827717110365317ull);
  EXPECT_EQ(r.next(), 3203168211198807973ull);
  EXPECT_EQ(r.next(), 9817491932198370423ull);
  EXPECT_EQ(r.next(), 4593380528125082431ull);
  EXPECT_EQ(r.next(), 16408922859458223821ull);
}

TEST(SplitMix64, BelowIsInRangeAndRoughlyUniform) {
  SplitMix64 r(99);
  std::map<std::uint64_t, int> counts;
  for (int i = 0; i < 60000; ++i) {
    const auto v = r.below(6);
    ASSERT_LT(v, 6u);
    ++counts[v];
  }
  // Expected 10000 each; sd = sqrt(60000 * 1/6 * 5/6) ≈ 91; 6 sd is a failure only for a bug.
  for (const auto& [v, n] : counts)
    EXPECT_NEAR(n, 10000, 550) << v;
  EXPECT_EQ(r.below(1), 0u);
}

// ---- Expansion ------------------------------------------------------------------------------

TEST(Expand, CountsAndLoadPoints) {
  auto s = suite_from(std::string(kAB) + R"([[scenario]]
name = "rated"
url = "http://127.0.0.1:8080/r"
clients = [4, 8]
rates = [100, 200, 300]
iterations = 2
)");
  const auto plan = expand(s);
  // 2 apps × (3 iterations of plaintext + 2 of rated).
  EXPECT_EQ(plan.runs.size(), 2u * (3 + 2));
  EXPECT_EQ(plan.seed, 42u);
  EXPECT_THAT(plan.scenarios, ElementsAre("plaintext", "rated"));
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const auto& r = plan.runs[i];
    EXPECT_EQ(r.sequence, static_cast<int>(i));
    if (r.scenario == "plaintext") {
      EXPECT_EQ(r.points, (std::vector<results::LoadPoint>{{16, 0}, {64, 0}}));
      EXPECT_EQ(r.iterations, 3);
    } else {
      // Every rate for each client count, in order.
      EXPECT_EQ(r.points, (std::vector<results::LoadPoint>{
                              {4, 100}, {4, 200}, {4, 300}, {8, 100}, {8, 200}, {8, 300}}));
      EXPECT_EQ(r.iterations, 2);
      EXPECT_LE(r.iteration, 2);
    }
  }
}

TEST(Expand, IterationMajorWithPairsBackToBack) {
  const auto plan = expand(suite_from(kAB));
  ASSERT_EQ(plan.runs.size(), 6u);
  for (std::size_t i = 0; i < plan.runs.size(); i += 2) {
    const auto& a = plan.runs[i];
    const auto& b = plan.runs[i + 1];
    EXPECT_EQ(a.iteration, static_cast<int>(i / 2 + 1));
    EXPECT_EQ(b.iteration, a.iteration);
    EXPECT_NE(a.app.label, b.app.label);
    EXPECT_EQ(a.pair_order, b.pair_order);
    EXPECT_EQ(a.pair_order, a.app.role == "baseline" ? "baseline-first" : "candidate-first");
  }
}

TEST(Expand, SeededOrderIsReproducibleAndMatchesTheDocumentedAlgorithm) {
  auto s = suite_from(R"([defaults]
seed = 7
[[app]]
label = "x"
command = ["./x"]
[[app]]
label = "main"
command = ["./a"]
role = "baseline"
[[app]]
label = "pr"
command = ["./b"]
role = "candidate"
[[scenario]]
name = "plaintext"
url = "http://127.0.0.1:1/"
clients = [1]
iterations = 4
[[scenario]]
name = "json"
url = "http://127.0.0.1:1/json"
clients = [1]
iterations = 2
)");
  // Computed independently (Python, from the algorithm in matrix.h): splitmix64 seeded with
  // seed ^ fnv1a(scenario) ^ first_iteration * 0x9e3779b97f4a7c15, balanced then shuffled.
  const std::vector<std::string> expected = {
      "i01-x-plaintext",    "i01-pr-plaintext",   "i01-main-plaintext", "i01-x-json",
      "i01-pr-json",        "i01-main-json",      "i02-x-plaintext",    "i02-pr-plaintext",
      "i02-main-plaintext", "i02-x-json",         "i02-main-json",      "i02-pr-json",
      "i03-x-plaintext",    "i03-main-plaintext", "i03-pr-plaintext",   "i04-x-plaintext",
      "i04-main-plaintext", "i04-pr-plaintext"};
  EXPECT_EQ(expand(s).sequence(), expected);
  EXPECT_EQ(expand(s).sequence(), expand(s).sequence());
}

TEST(Expand, BothOrdersOccurAndAreBalanced) {
  auto s = suite_from(kAB);
  s.defaults.iterations = 10;
  int seeds_with_both = 0;
  std::map<std::string, int> first_of_single_pair;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    s.defaults.seed = seed;
    const auto plan = expand(s);
    int cand_first = 0;
    for (std::size_t i = 0; i < plan.runs.size(); i += 2) {
      cand_first += plan.runs[i].app.role == "candidate";
    }
    EXPECT_EQ(cand_first, 5) << "seed " << seed;  // 10 pairs: exactly 5 each way
    seeds_with_both += cand_first > 0 && cand_first < 10;
  }
  EXPECT_EQ(seeds_with_both, 40);
  // One pair: a coin, so across seeds both orders occur.
  s.defaults.iterations = 1;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    s.defaults.seed = seed;
    ++first_of_single_pair[expand(s).runs[0].app.label];
  }
  EXPECT_GT(first_of_single_pair["main"], 5);
  EXPECT_GT(first_of_single_pair["pr"], 5);
}

TEST(Expand, DifferentSeedsGiveDifferentOrders) {
  auto s = suite_from(kAB);
  s.defaults.iterations = 10;
  std::set<std::vector<std::string>> orders;
  for (std::uint64_t seed = 100; seed < 110; ++seed) {
    s.defaults.seed = seed;
    orders.insert(expand(s).sequence());
  }
  EXPECT_GE(orders.size(), 8u);  // C(10,5) = 252 possible orders
}

TEST(Expand, AbsentSeedIsGeneratedAndReturned) {
  auto s = suite_from(kAB);
  s.defaults.seed.reset();
  const auto a = expand(s);
  const auto b = expand(s);
  EXPECT_NE(a.seed, b.seed);
  s.defaults.seed = a.seed;
  EXPECT_EQ(expand(s).sequence(), a.sequence());  // the recorded seed replays the order
}

TEST(Expand, OrdersDoNotDependOnTheFilter) {
  auto s = suite_from(std::string(kAB) + R"([[scenario]]
name = "json"
url = "http://127.0.0.1:8080/json"
clients = [1]
)");
  auto only_json = s;
  only_json.filter = "json";
  std::vector<std::string> from_all;
  for (const auto& id : expand(s).sequence()) {
    if (id.ends_with("-json")) from_all.push_back(id);
  }
  EXPECT_EQ(expand(only_json).sequence(), from_all);
}

TEST(Expand, AppsWithoutRolesKeepFileOrder) {
  auto s = suite_from(R"([defaults]
iterations = 2
[[app]]
label = "c"
command = ["./c"]
[[app]]
label = "a"
command = ["./a"]
[[app]]
label = "b"
command = ["./b"]
[[scenario]]
name = "s"
url = "http://127.0.0.1:1/"
clients = [1]
)");
  EXPECT_EQ(expand(s).sequence(), (std::vector<std::string>{"i01-c-s", "i01-a-s", "i01-b-s",
                                                            "i02-c-s", "i02-a-s", "i02-b-s"}));
  for (const auto& r : expand(s).runs)
    EXPECT_EQ(r.pair_order, "");
}

TEST(Expand, PairTakesTheSlotOfItsFirstMember) {
  auto s = suite_from(R"([defaults]
iterations = 6
seed = 3
[[app]]
label = "cand"
command = ["./c"]
role = "candidate"
[[app]]
label = "other"
command = ["./o"]
[[app]]
label = "base"
command = ["./b"]
role = "baseline"
[[scenario]]
name = "s"
url = "http://127.0.0.1:1/"
clients = [1]
)");
  const auto plan = expand(s);
  ASSERT_EQ(plan.runs.size(), 18u);
  for (std::size_t i = 0; i < plan.runs.size(); i += 3) {
    EXPECT_NE(plan.runs[i].app.label, "other");
    EXPECT_NE(plan.runs[i + 1].app.label, "other");
    EXPECT_EQ(plan.runs[i + 2].app.label, "other");
    EXPECT_EQ(plan.runs[i + 2].pair_order, "");
  }
}

TEST(Expand, Filter) {
  auto s = suite_from(std::string(kAB) + R"([[scenario]]
name = "plain-json"
url = "http://127.0.0.1:8080/j"
clients = [1]
[[scenario]]
name = "db"
url = "http://127.0.0.1:8080/db"
clients = [1]
)");
  s.filter = "plain*";
  EXPECT_THAT(expand(s).scenarios, ElementsAre("plaintext", "plain-json"));
  s.filter = "db, plaintext";
  EXPECT_THAT(expand(s).scenarios, ElementsAre("plaintext", "db"));
  s.filter = "!plain*";
  EXPECT_THAT(expand(s).scenarios, ElementsAre("db"));
  s.filter = "plain*,!plain-json";
  EXPECT_THAT(expand(s).scenarios, ElementsAre("plaintext"));
  s.filter = "nothing*";
  try {
    expand(s);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "filter 'nothing*' matches no scenario; the suite has: plaintext, plain-json, db");
  }
  EXPECT_TRUE(filter_matches("", "anything"));
  EXPECT_TRUE(filter_matches("p?ain", "plain"));
  EXPECT_FALSE(filter_matches("p?ain", "ppain-x"));
}

TEST(Expand, ResolvesDefaultsIntoEachRun) {
  auto s = suite_from(R"([defaults]
iterations = 1
duration = "7s"
warmup = "1s"
interval = "250ms"
ready_timeout = "5s"
app_cpus = "0"
driver_cpus = "1"
driver_threads = 2
client_host = "loadbox"
profiler = "perf"
[[app]]
label = "own-cpus"
command = ["./a"]
cpus = "3"
ready_url = "/health"
[[app]]
label = "default-cpus"
command = ["./b"]
[[scenario]]
name = "s"
url = "http://127.0.0.1:9/x"
clients = [1]
duration = "2s"
driver_threads = 4
pre_run = "echo pre"
post_run = "echo post"
)");
  const auto plan = expand(s);
  ASSERT_EQ(plan.runs.size(), 2u);
  const auto& a = plan.runs[0];
  EXPECT_EQ(a.app.cpus, (std::vector<int>{3}));
  EXPECT_EQ(a.app.ready_url, "http://127.0.0.1:9/health");
  EXPECT_EQ(a.duration, std::chrono::seconds(2));
  EXPECT_EQ(a.warmup, std::chrono::seconds(1));
  EXPECT_EQ(a.interval, std::chrono::milliseconds(250));
  EXPECT_EQ(a.ready_timeout, std::chrono::seconds(5));
  EXPECT_EQ(a.driver, "builtin");
  EXPECT_EQ(a.driver_options.cpus, (std::vector<int>{1}));
  EXPECT_EQ(a.driver_options.threads, 4);
  EXPECT_EQ(a.driver_options.client_host, "loadbox");
  EXPECT_EQ(a.scenario_pre_run, "echo pre");
  EXPECT_EQ(a.scenario_post_run, "echo post");
  EXPECT_EQ(a.profiler, "perf");
  const auto& b = plan.runs[1];
  EXPECT_EQ(b.app.cpus, (std::vector<int>{0}));
  EXPECT_EQ(b.app.ready_url, "");
  EXPECT_EQ(plan.load_time(std::chrono::seconds(1)), std::chrono::seconds(2 * 3 + 1));
}

TEST(Expand, RunIds) {
  EXPECT_EQ(run_id(3, 2, "pr", "plaintext"), "i03-pr-plaintext");
  EXPECT_EQ(run_id(7, 3, "my app/1", "s"), "i007-my_app_1-s");
  auto s = suite_from(kAB);
  s.defaults.iterations = 100;
  const auto plan = expand(s);
  EXPECT_EQ(plan.runs.front().id.substr(0, 5), "i001-");
  std::set<std::string> ids;
  for (const auto& r : plan.runs)
    EXPECT_TRUE(ids.insert(r.id).second) << r.id;
  // Two CLI labels that map to the same id stay distinct.
  s.defaults.iterations = 1;
  s.apps[0].label = "a b";
  s.apps[1].label = "a_b";
  const auto clash = expand(s).sequence();
  EXPECT_THAT(clash, ::testing::UnorderedElementsAre("i01-a_b-plaintext", "i01-a_b-plaintext-2"));
}

TEST(Expand, ConfirmationExtensionContinuesThePlan) {
  auto s = suite_from(kAB);
  s.defaults.iterations = 10;
  const auto plan = expand(s);
  ExpandOptions more;
  more.first_iteration = 11;
  more.iterations = 4;
  more.first_sequence = static_cast<int>(plan.runs.size());
  const auto extra = expand(s, more);
  ASSERT_EQ(extra.runs.size(), 8u);
  EXPECT_EQ(extra.runs.front().id.substr(0, 4), "i11-");
  EXPECT_EQ(extra.runs.back().iteration, 14);
  EXPECT_EQ(extra.runs.front().sequence, 20);
  int cand_first = 0;
  for (std::size_t i = 0; i < extra.runs.size(); i += 2) {
    cand_first += extra.runs[i].app.role == "candidate";
  }
  EXPECT_EQ(cand_first, 2);
  EXPECT_EQ(expand(s, more).sequence(), extra.sequence());
}

}  // namespace
}  // namespace benchgate::matrix
