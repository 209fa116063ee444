// `benchgate diff` on recorded and public Google Benchmark pairs: the two-sided p-values equal
// those compare.py printed (meta.json utests) and scipy's reference_stats; one-sided p-values
// and the Hodges-Lehmann shift with its CI match the reference; slowed-down benchmarks are
// flagged; benchgate results diffs; the JSON text. (Renderings: tests/unit/report/diff_test.cpp.)

#include "gate/diff.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include "core/error.h"
#include "gate_test_util.h"
#include "gbench_pairs.h"
#include "platform/fs.h"
#include "results/json.h"

namespace benchgate::gate {
namespace {

namespace fs = std::filesystem;
using gbench::parse_gbench;
using nlohmann::json;
using testing::make_run;
using testing::rel_near;

const fs::path& kPairs = benchgate::testing::kGbenchPairs;
const fs::path& kRecorded = benchgate::testing::kGbenchRecorded;

json read_json(const fs::path& p) {
  return json::parse(platform::read_file(p));
}

std::vector<std::string> pair_names() {
  std::vector<std::string> out;
  for (const auto& e : read_json(kPairs / "index.json"))
    out.push_back(e["pair"]);
  return out;
}

using VerdictMap = std::map<std::pair<std::string, std::string>, const MetricVerdict*>;
VerdictMap by_cell(const GateResult& r) {
  VerdictMap m;
  for (const auto& v : r.verdicts)
    m[{v.cell, v.metric}] = &v;
  return m;
}

GateResult diff_pair(const std::string& pair) {
  return benchgate::testing::diff_gbench_pair(pair);
}

TEST(DiffGbench, TwoSidedPValuesEqualComparePy) {
  int checked = 0;
  for (const auto& pair : pair_names()) {
    SCOPED_TRACE(pair);
    const json meta = read_json(kPairs / pair / "meta.json");
    std::set<std::string> skip;
    if (meta.contains("utests_not_reproduced") && !meta["utests_not_reproduced"].is_null()) {
      for (const auto& n : meta["utests_not_reproduced"]["names"])
        skip.insert(n.get<std::string>());
    }
    const auto r = diff_pair(pair);
    const auto v = by_cell(r);
    for (const auto& u : meta["utests_from_compare_json"]) {
      const std::string name = u["name"];
      if (skip.count(name)) continue;
      ASSERT_TRUE(v.count({name, "real_time"})) << name;
      const auto* rt = v.at({name, "real_time"});
      const auto* ct = v.at({name, "cpu_time"});
      // compare.py prints p-values from scipy's exact or asymptotic U test.
      EXPECT_TRUE(rel_near(rt->p_two_sided, u["time_pvalue"], 1e-9))
          << name << " " << rt->p_two_sided;
      EXPECT_TRUE(rel_near(ct->p_two_sided, u["cpu_pvalue"], 1e-9))
          << name << " " << ct->p_two_sided;
      EXPECT_EQ(rt->n_baseline, u["nr_of_repetitions"].get<int>());
      EXPECT_EQ(rt->n_current, u["nr_of_repetitions_other"].get<int>());
      ++checked;
    }
  }
  EXPECT_GE(checked, 198 * 3 + 2);  // pairs 09, 10, 11 and 04
}

TEST(DiffGbench, OneSidedPValuesAndShiftMatchScipyReference) {
  int checked = 0;
  for (const auto& pair : pair_names()) {
    SCOPED_TRACE(pair);
    const json meta = read_json(kPairs / pair / "meta.json");
    const auto r = diff_pair(pair);
    const auto v = by_cell(r);
    for (const auto& [name, ref] : meta["reference_stats"]["per_benchmark"].items()) {
      for (const char* field : {"real_time", "cpu_time"}) {
        const json& f = ref[field];
        if (!f.contains("compare_py_equivalent")) continue;  // fewer than 2 repetitions
        ASSERT_TRUE(v.count({name, field})) << name;
        const auto* x = v.at({name, field});
        EXPECT_TRUE(rel_near(x->p_two_sided, f["compare_py_equivalent"]["p_two_sided"], 1e-9));
        // The gate's one-sided tests are exact unless there are ties.
        const bool exact = !f["ties"].get<bool>();
        const double tol = exact ? 1e-9 : 1e-6;
        const json& one = exact ? f["cand_vs_base_exact"] : f["cand_vs_base_asymptotic"];
        // Times: lower is better, so "worse" is the candidate greater.
        EXPECT_TRUE(rel_near(x->p_value, one["p_greater"], tol)) << name << " " << field;
        EXPECT_TRUE(rel_near(x->p_improved, one["p_less"], tol)) << name << " " << field;
        const json& hl = f["hodges_lehmann_log_shift_cand_vs_base"]["95"];
        EXPECT_TRUE(rel_near(x->estimate * 100, hl["estimate_pct"], 1e-9)) << name;
        if (hl["lower_pct"].is_null()) {
          EXPECT_TRUE(std::isnan(x->ci_low));
        } else {
          EXPECT_TRUE(rel_near(x->ci_low * 100, hl["lower_pct"], 1e-9)) << name;
          EXPECT_TRUE(rel_near(x->ci_high * 100, hl["upper_pct"], 1e-9)) << name;
        }
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 2 * (198 * 3 + 2));
}

TEST(DiffGbench, EveryFileOfEveryPairIsReadWithEveryBenchmark) {
  // Every row name of both files (old and new formats, s/ms/us/ns, sub-ns times, odd counters,
  // NaN/Infinity tokens) shows up as a verdict; nothing is lost or invented.
  for (const auto& pair : pair_names()) {
    SCOPED_TRACE(pair);
    const auto r = diff_pair(pair);
    std::set<std::string> cells;
    for (const auto& v : r.verdicts)
      cells.insert(v.cell);
    std::set<std::string> names;
    for (const char* side : {"base.json", "cand.json"}) {
      // compare.py's json loader is lenient about NaN/Infinity; so is nlohmann with a scrub.
      std::string text = platform::read_file(kPairs / pair / side);
      for (const char* tok : {"-Infinity", "Infinity", "NaN"}) {
        for (auto at = text.find(tok); at != std::string::npos; at = text.find(tok, at))
          text.replace(at, std::string_view(tok).size(), "null");
      }
      const json doc = json::parse(text);
      for (const auto& row : doc["benchmarks"]) {
        const std::string agg = row.value("aggregate_name", "");
        if (agg == "BigO" || agg == "RMS") continue;
        names.insert(row.value("run_type", "") == "aggregate" && row.contains("run_name")
                         ? row["run_name"].get<std::string>()
                         : row["name"].get<std::string>());
      }
    }
    EXPECT_EQ(cells, names);
  }
}

TEST(DiffGbench, SingleRepetitionChangesEqualComparePy) {
  // Pairs with one repetition a side: compare.py's Time and CPU columns (compare.json
  // "measurements") equal benchgate's change of the values, which exercises every unit, the
  // sub-ns times and the 2019 format.
  int checked = 0;
  for (const auto& pair : pair_names()) {
    const fs::path cj = kPairs / pair / "compare.json";
    if (!fs::exists(cj)) continue;
    SCOPED_TRACE(pair);
    const auto r = diff_pair(pair);
    const auto v = by_cell(r);
    for (const auto& e : read_json(cj)) {
      if (e["run_type"] == "aggregate" || e["measurements"].size() != 1) continue;
      const std::string name = e["name"];
      const auto* rt = v.at({name, "real_time"});
      const auto* ct = v.at({name, "cpu_time"});
      if (rt->verdict == Verdict::kError) continue;  // compare.py: 0 vs 0
      ASSERT_EQ(rt->n_baseline, 1) << name;
      // compare.py's calculate_change on the values as written (same unit on both sides here).
      auto change = [](double o, double n) {
        if (o == 0 && n == 0) return 0.0;
        if (o == 0) return (n - o) / ((o + n) / 2);
        return (n - o) / std::fabs(o);
      };
      const json& m = e["measurements"][0];
      EXPECT_EQ(rt->unit, e["time_unit"].get<std::string>()) << name;
      EXPECT_TRUE(rel_near(rt->baseline, m["real_time"], 1e-12)) << name << " " << rt->baseline;
      EXPECT_TRUE(rel_near(rt->current, m["real_time_other"], 1e-12)) << name;
      EXPECT_TRUE(rel_near(ct->baseline, m["cpu_time"], 1e-12)) << name;
      EXPECT_TRUE(rel_near(ct->current, m["cpu_time_other"], 1e-12)) << name;
      EXPECT_NEAR(change(rt->baseline, rt->current), m["time"].get<double>(), 1e-12) << name;
      EXPECT_NEAR(change(ct->baseline, ct->current), m["cpu"].get<double>(), 1e-12) << name;
      // The estimate is the log ratio's exp − 1: the same change.
      if (rt->baseline > 0 && rt->current > 0) {
        EXPECT_NEAR(rt->estimate, m["time"].get<double>(), 1e-9) << name;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 150);
}

TEST(DiffGbench, SlowedDownBenchmarksAreFlagged) {
  // Pair 10: the candidate is the base with named benchmarks scaled by 1.00/1.03/1.10/0.90.
  const json manifest = read_json(kPairs / "../synthetic_manifest.json");
  const json& factors = manifest["kokkos_stack12_A_cand_cycle"]["factors"];
  const auto r = diff_pair("10_kokkos_stack12_A_vs_synthetic_cycle");
  int regressed = 0, improved = 0;
  for (const auto& v : r.verdicts) {
    if (v.metric != "real_time" && v.metric != "cpu_time") continue;
    const double factor = factors.at(v.cell);
    if (v.verdict == Verdict::kRegressed) {
      EXPECT_GT(factor, 1.0) << v.cell;
      ++regressed;
    }
    if (v.verdict == Verdict::kImproved) {
      EXPECT_LT(factor, 1.0) << v.cell;
      ++improved;
    }
    if (factor == 1.0) {
      EXPECT_TRUE(v.verdict == Verdict::kUnchanged || v.verdict == Verdict::kInconclusive)
          << v.cell << " " << verdict_name(v.verdict);
    }
    // Every benchmark made 10 % slower is flagged: regressed, or inconclusive because it is
    // worse beyond the 5 % limit but not significant after Holm over 396 tests with the real
    // nightly noise (cause not_significant) — never a pass.
    if (factor == 1.1) {
      EXPECT_TRUE(v.verdict == Verdict::kRegressed ||
                  (v.verdict == Verdict::kInconclusive && v.cause == "not_significant"))
          << v.cell << " " << v.metric << " " << verdict_name(v.verdict) << " " << v.cause;
      EXPECT_GT(v.estimate, 0.05) << v.cell << " " << v.metric;
    }
  }
  EXPECT_GE(regressed, 5);
  EXPECT_GE(improved, 1);
  EXPECT_EQ(r.exit_code(false), ExitCode::kRegression);
  EXPECT_EQ(r.tests, 2 * 198);  // counters are reported, not gated
}

TEST(DiffGbench, RecordedPairMatchesComparePyAndFlagsTheSlowerCode) {
  const auto r = diff_files(kRecorded / "baseline.json", kRecorded / "candidate.json", {});
  const auto v = by_cell(r);
  for (const auto& e : read_json(kRecorded / "compare_diff.json")) {
    if (e["utest"].empty()) continue;
    const std::string name = e["name"];
    if (name == "BM_AlwaysFails") continue;  // compare.py tests 0 vs 0; benchgate says error
    EXPECT_TRUE(rel_near(v.at({name, "real_time"})->p_two_sided, e["utest"]["time_pvalue"], 1e-9))
        << name;
    EXPECT_TRUE(rel_near(v.at({name, "cpu_time"})->p_two_sided, e["utest"]["cpu_pvalue"], 1e-9))
        << name;
  }
  for (const char* m : {"real_time", "cpu_time"}) {
    EXPECT_EQ(v.at({"BM_StringJoin/64", m})->verdict, Verdict::kRegressed);
    EXPECT_EQ(v.at({"BM_StringJoin/512", m})->verdict, Verdict::kRegressed);
    EXPECT_EQ(v.at({"BM_SortInts/4096", m})->verdict, Verdict::kImproved);
    EXPECT_EQ(v.at({"BM_AlwaysFails", m})->verdict, Verdict::kError);
    EXPECT_NE(v.at({"BM_VectorSum/1024", m})->verdict, Verdict::kRegressed);
  }
  EXPECT_NE(v.at({"BM_AlwaysFails", "real_time"})->reason.find("backend unavailable"),
            std::string::npos);
  EXPECT_EQ(v.at({"BM_SortInts/4096", "real_time"})->unit, "us");
  // Counters are reported (not gated); the NaN counter has no finite values.
  EXPECT_FALSE(v.at({"BM_StringJoin/64", "bytes_per_second"})->gated);
  EXPECT_EQ(v.at({"BM_StringJoin/64", "bytes_per_second"})->better, results::Better::kHigher);
  EXPECT_EQ(v.at({"BM_WeirdCounters", "nan_counter"})->verdict, Verdict::kInconclusive);
  EXPECT_EQ(r.exit_code(false), ExitCode::kRunFailed);  // the errored benchmark outranks 1
  // The same benchmarks in a shuffled (random interleaving) file give the same tests.
  const auto shuffled =
      diff_files(kRecorded / "baseline_random_interleaving.json", kRecorded / "candidate.json", {});
  EXPECT_EQ(shuffled.verdicts.size(), r.verdicts.size());
}

TEST(DiffGbench, OneRepetitionIsInconclusiveAndOneSidedNamesNotComparable) {
  for (const char* pair : {"01_old_format_1rep_googlecpp_scaled", "05_bpfilter_consecutive_commits",
                           "15_lob_engine_scaled", "16_julian_subns_scaled"}) {
    SCOPED_TRACE(pair);
    const auto r = diff_pair(pair);
    for (const auto& v : r.verdicts) {
      if (v.metric == "real_time" || v.metric == "cpu_time") {
        EXPECT_EQ(v.verdict, Verdict::kInconclusive) << v.cell << ": " << v.reason;
      }
    }
    EXPECT_EQ(r.exit_code(false), ExitCode::kNotComparable);
  }
  const auto r = diff_pair("06_bpfilter_old_vs_new_benchmark_set");
  const auto v = by_cell(r);
  EXPECT_EQ(v.at({"loadChainLargeSet/200000/iterations:10", "real_time"})->verdict,
            Verdict::kNotComparable);
  EXPECT_EQ(v.at({"loadChainLargeSet/200000/iterations:10", "real_time"})->reason,
            "only in cand.json");
}

TEST(DiffGbench, AAPairHasNoFindings) {
  const auto r = diff_pair("11_kokkos_stack12_A_vs_A");
  int undecided = 0;
  for (const auto& v : r.verdicts) {
    EXPECT_TRUE(v.verdict == Verdict::kUnchanged || v.verdict == Verdict::kInconclusive)
        << v.cell << " " << v.metric << ": " << v.reason;
    if (v.metric == "real_time") {
      EXPECT_DOUBLE_EQ(v.estimate, 0.0);
    }
    if (v.gated && v.verdict == Verdict::kInconclusive) ++undecided;
  }
  // No finding: never a regression; a pass only if every gated test decided (the outcome
  // never says pass over an inconclusive test).
  EXPECT_EQ(r.exit_code(false), undecided > 0 ? ExitCode::kNotComparable : ExitCode::kOk)
      << undecided << " undecided";
}

TEST(DiffGbench, AggregatesOnlyCannotBeTested) {
  // Pair 03: "short" has only aggregate rows in the base.
  const auto p03 = diff_pair("03_upstream_test3_utest");
  const auto v = by_cell(p03);
  const auto* s = v.at({"short", "real_time"});
  EXPECT_EQ(s->verdict, Verdict::kInconclusive);
  EXPECT_EQ(s->reason, "cannot test without iteration rows (base.json has aggregates only)");
  // An aggregates-only pair still gets a change estimate from the median rows.
  const auto agg = [](double median) {
    return fmt::format(R"({{"benchmarks": [{{"name": "BM_x_median", "run_name": "BM_x",
      "run_type": "aggregate", "aggregate_name": "median", "real_time": {0}, "cpu_time": {0},
      "time_unit": "ns"}}]}})",
                       median);
  };
  const auto r =
      diff_gbench(parse_gbench(agg(100), "a.json"), parse_gbench(agg(125), "b.json"), {});
  const auto w = by_cell(r);
  EXPECT_EQ(w.at({"BM_x", "real_time"})->verdict, Verdict::kInconclusive);
  EXPECT_DOUBLE_EQ(w.at({"BM_x", "real_time"})->estimate, 0.25);
  EXPECT_EQ(r.exit_code(false), ExitCode::kNotComparable);
}

TEST(DiffGbench, UnitsAreNormalised) {
  const std::string ns = R"({"benchmarks": [
    {"name": "a", "real_time": 1500, "cpu_time": 1400, "time_unit": "ns"},
    {"name": "a", "real_time": 1510, "cpu_time": 1410, "time_unit": "ns"},
    {"name": "a", "real_time": 1490, "cpu_time": 1390, "time_unit": "ns"}]})";
  const std::string us = R"({"benchmarks": [
    {"name": "a", "real_time": 1.5, "cpu_time": 1.4, "time_unit": "us"},
    {"name": "a", "real_time": 1.51, "cpu_time": 1.41, "time_unit": "us"},
    {"name": "a", "real_time": 1.49, "cpu_time": 1.39, "time_unit": "us"}]})";
  const auto r = diff_gbench(parse_gbench(ns, "ns.json"), parse_gbench(us, "us.json"), {});
  const auto v = by_cell(r);
  EXPECT_EQ(v.at({"a", "real_time"})->unit, "ns");
  EXPECT_DOUBLE_EQ(v.at({"a", "real_time"})->current, 1500);
  EXPECT_DOUBLE_EQ(v.at({"a", "real_time"})->estimate, 0);
  EXPECT_DOUBLE_EQ(v.at({"a", "cpu_time"})->p_two_sided, 1.0);
}

TEST(DiffInputs, BadFilesAreConfigErrorsNamingTheFile) {
  platform::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.path() / name) << text;
    return dir.path() / name;
  };
  auto msg = [](const fs::path& a, const fs::path& b) {
    try {
      diff_files(a, b, {});
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  const auto good = kRecorded / "baseline.json";
  EXPECT_NE(msg(dir.path() / "missing.json", good).find("missing.json: cannot read"),
            std::string::npos);
  EXPECT_NE(msg(good, write("empty.json", "")).find("empty.json: file is empty"),
            std::string::npos);
  const std::string text = platform::read_file(good);
  EXPECT_NE(msg(good, write("cut.json", text.substr(0, 5000))).find("cut.json:"),
            std::string::npos);
  EXPECT_NE(msg(good, write("cut2.json", text.substr(0, 5000))).find("truncated"),
            std::string::npos);
  EXPECT_NE(msg(good, write("other.json", R"({"hello": 1})")).find("neither Google Benchmark"),
            std::string::npos);
  EXPECT_NE(msg(write("bad-results.json", R"({"kind": "benchgate.results", "runs": 3})"), good)
                .find("bad-results.json: does not match the results schema"),
            std::string::npos);
  EXPECT_NE(
      msg(write("nan.json", "{\"benchmarks\": [{\"name\": \"x\",\n\"real_time\": -nan}]}"), good)
          .find("nan.json:2:14: invalid JSON: lowercase nan/inf"),
      std::string::npos);
  // Google Benchmark against benchgate results: a clear refusal.
  results::ResultsFile rf;
  rf.command = "run";
  rf.runs.push_back(make_run("a", "", "s", 1, {{"throughput", 1}}));
  results::write_results(rf, dir.path() / "results.json");
  EXPECT_NE(msg(good, dir.path() / "results.json").find("both files must be the same kind"),
            std::string::npos);
}

TEST(DiffInputs, BenchgateResultsFiles) {
  platform::TempDir dir;
  auto file = [&](const std::string& app, double factor) {
    results::ResultsFile f;
    f.name = "suite";
    f.command = "run";
    f.testbed.fingerprint = "fp";
    for (int i = 1; i <= 10; ++i) {
      f.runs.push_back(
          make_run(app, "", "plaintext", i, {{"throughput", (1000 + 7 * i) * factor}}));
    }
    const auto path = dir.path() / (app + ".json");
    results::write_results(f, path);
    return path;
  };
  const auto r = diff_files(file("main", 1.0), file("pr", 0.9), {});
  EXPECT_EQ(r.format, "benchgate");
  EXPECT_EQ(r.mode, "diff");
  ASSERT_EQ(r.verdicts.size(), 1u);
  EXPECT_EQ(r.verdicts[0].verdict, Verdict::kRegressed) << r.verdicts[0].reason;
  EXPECT_EQ(r.verdicts[0].app, "pr");  // one app a side: compared even though labels differ
}

TEST(DiffJson, JsonTextIsExactlyTheJsonDump) {
  std::vector<GateResult> results;
  for (const auto& pair : pair_names())
    results.push_back(diff_pair(pair));
  results.push_back(diff_files(kRecorded / "baseline.json", kRecorded / "candidate.json", {}));
  // Odd strings, artifacts, notes, non-finite numbers, an empty result.
  GateResult odd;
  odd.mode = "baseline";
  odd.baseline_source = "dir/\"quoted\"\\path\tx.json";
  odd.notes = {"note \u00e9 \u2192 \x01", ""};
  MetricVerdict v;
  v.cell = "plaintext c=64 — ünïcode";
  v.metric = "latency_p99";
  v.reason = "line\nbreak";
  v.artifacts = {"a/b.svg", "c\\d"};
  v.estimate = std::numeric_limits<double>::quiet_NaN();
  v.ci_low = -std::numeric_limits<double>::infinity();
  v.baseline = -0.0;
  v.current = 1e-300;
  v.p_value = 1.0 / 3;
  v.min_effect = 1e21;
  v.looks = 2;
  odd.verdicts.push_back(v);
  results.push_back(odd);
  results.push_back(GateResult{});
  for (const auto& r : results) {
    EXPECT_EQ(to_json_text(r), to_json(r).dump(2));
  }
}

}  // namespace
}  // namespace benchgate::gate
