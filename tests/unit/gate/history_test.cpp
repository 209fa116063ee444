// The history a stored baseline carries (gate/history.h): `baseline update` moves the
// baseline it replaces into the new file's bounded history; the gate passes it on.

#include "gate/history.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "gate/baseline.h"
#include "gate_test_util.h"
#include "platform/fs.h"
#include "results/json.h"

namespace benchgate::gate {
namespace {

using testing::make_run;

// One app, one cell, `n` iterations of throughput around `level`; provenance names `commit`.
results::ResultsFile run_of(double level, const std::string& commit, int n = 5) {
  results::ResultsFile f;
  f.name = "suite";
  f.command = "run";
  f.status = "complete";
  f.tool_version = "0.1.0";
  f.testbed.fingerprint = "fp-1";
  f.provenance = {{"GITHUB_SHA", commit}};
  for (int i = 0; i < n; ++i) {
    f.runs.push_back(make_run("app", "", "plaintext", i + 1,
                              {{"throughput", level + i}, {"latency_p99", 0.001 * (1 + i)}}));
  }
  return f;
}

TEST(BaselineHistory, UpdateMovesTheReplacedBaselineIntoABoundedHistory) {
  platform::TempDir dir("history-test");
  const auto path = dir.path() / "main.json";
  auto b = update_baseline(run_of(1000, "c1"), path);
  EXPECT_TRUE(b.history.empty());  // nothing replaced yet
  EXPECT_EQ(results::read_json_file(path).count("history"), 0u);

  b = update_baseline(run_of(2000, "c2"), path);
  ASSERT_EQ(b.history.size(), 1u);
  const auto& first = b.history.front();
  EXPECT_EQ(first.commit, "c1");
  EXPECT_FALSE(first.created_at.empty());
  // The median of 1000..1004 and of 0.001..0.005.
  ASSERT_TRUE(first.find("app", "plaintext c=64", "throughput"));
  EXPECT_DOUBLE_EQ(first.find("app", "plaintext c=64", "throughput")->median, 1002);
  EXPECT_DOUBLE_EQ(first.find("app", "plaintext c=64", "latency_p99")->median, 0.003);

  // The file on disk carries it (schema-checked on read) and reads back the same.
  const auto read = read_baseline(path);
  ASSERT_EQ(read.history.size(), 1u);
  EXPECT_EQ(read.history[0].commit, "c1");
  EXPECT_EQ(read.history[0].values.size(), 2u);

  update_baseline(run_of(3000, "c3"), path);
  b = update_baseline(run_of(4000, "c4"), path);
  ASSERT_EQ(b.history.size(), 3u);
  EXPECT_EQ(b.history[0].commit, "c1");  // oldest first
  EXPECT_EQ(b.history[2].commit, "c3");
  EXPECT_DOUBLE_EQ(b.history[2].find("app", "plaintext c=64", "throughput")->median, 3002);

  // Bounded: the oldest go first.
  b = update_baseline(run_of(5000, "c5"), path, "", false, 2);
  ASSERT_EQ(b.history.size(), 2u);
  EXPECT_EQ(b.history[0].commit, "c3");
  EXPECT_EQ(b.history[1].commit, "c4");
  EXPECT_EQ(read_baseline(path).history.size(), 2u);

  // 0: no history at all.
  b = update_baseline(run_of(6000, "c6"), path, "", false, 0);
  EXPECT_TRUE(b.history.empty());
  EXPECT_EQ(results::read_json_file(path).count("history"), 0u);
}

TEST(BaselineHistory, BaselinesWithoutHistoryStillRead) {
  // A file as written before the history existed: no "history" key.
  auto j = to_json(make_baseline(run_of(1000, "c1")));
  ASSERT_EQ(j.count("history"), 0u);
  const auto b = baseline_from_json(j, "old.json");
  EXPECT_TRUE(b.history.empty());
  EXPECT_EQ(b.series.size(), 2u);
}

TEST(BaselineHistory, MalformedHistoryIsAClearError) {
  auto j = to_json(make_baseline(run_of(1000, "c1")));
  j["history"] = nlohmann::json::array(
      {{{"created_at", "2026-01-01T00:00:00Z"},
        {"medians", {{"app", {{"plaintext c=64", {{"throughput", "fast"}}}}}}}}});
  try {
    baseline_from_json(j, "bad.json");
    FAIL() << "accepted a string median";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("history"), std::string::npos) << msg;
  }
  j["history"] = {{{"created_at", "x"}}};  // no medians
  EXPECT_THROW(baseline_from_json(j, "bad.json"), ConfigError);
}

TEST(BaselineHistory, AnUnreadableBaselineIsNotSilentlyReplaced) {
  platform::TempDir dir("history-test");
  const auto path = dir.path() / "main.json";
  platform::write_file_atomic(path, "{ not json");
  EXPECT_THROW(update_baseline(run_of(1000, "c1"), path), ConfigError);
  EXPECT_EQ(platform::read_file(path), "{ not json");       // untouched
  update_baseline(run_of(1000, "c1"), path, "", false, 0);  // told to drop it
  EXPECT_EQ(read_baseline(path).series.size(), 2u);
}

TEST(BaselineHistory, TheGatePassesTheHistoryAndTheBaselineItselfOn) {
  auto b = make_baseline(run_of(2000, "c2"));
  b.created_at = "2026-12-02T10:00:00Z";
  HistoryEntry old = history_entry(make_baseline(run_of(1000, "c1")));
  old.created_at = "2026-12-01T10:00:00Z";
  b.history.push_back(old);
  const auto r = run_against_baseline(run_of(2100, "c3"), b, {}, "main.json");
  ASSERT_EQ(r.history.size(), 2u);
  EXPECT_EQ(r.history[0].commit, "c1");
  EXPECT_EQ(r.history[1].commit, "c2");  // the baseline itself, newest
  EXPECT_DOUBLE_EQ(r.history[1].find("app", "plaintext c=64", "throughput")->median, 2002);
  // Both JSON writers agree, and the result reads back.
  EXPECT_EQ(to_json(r).dump(2), to_json_text(r));
  const auto back = gate_result_from_json(to_json(r));
  ASSERT_EQ(back.history.size(), 2u);
  EXPECT_EQ(back.history[1].created_at, "2026-12-02T10:00:00Z");

  // In results.json (gate.baseline_history) the results schema accepts it, and refuses an
  // entry without medians.
  auto file = run_of(2100, "c3");
  file.gate = to_json(r);
  const nlohmann::json j = file;
  EXPECT_NO_THROW(results::validate_against_schema(j, "results", "results.json"));
  const auto read = results::results_from_json(j, "results.json");
  EXPECT_EQ(gate_result_from_json(read.gate).history.size(), 2u);
  auto bad = j;
  bad["gate"]["baseline_history"][0].erase("medians");
  EXPECT_THROW(results::validate_against_schema(bad, "results", "results.json"), ConfigError);

  // Without a history, nothing is passed on (and no key written).
  b.history.clear();
  const auto plain = run_against_baseline(run_of(2100, "c3"), b, {}, "main.json");
  EXPECT_TRUE(plain.history.empty());
  EXPECT_EQ(to_json(plain).count("baseline_history"), 0u);
}

}  // namespace
}  // namespace benchgate::gate
