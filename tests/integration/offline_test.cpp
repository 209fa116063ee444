// The offline commands through the real binary: `benchgate diff` on every recorded and public
// Google Benchmark pair, bad inputs (exit 2 naming the file and the problem), `baseline
// update` (atomic, a failed update leaves the old baseline byte-identical), stored-baseline
// testbed mismatch (exit 3 unless --testbed-mismatch=warn), `export --gbench` round trips
// (and compare.py reading the export when python3 with scipy is installed), and the exit code
// precedence of diff (bad input 2 > run failed 4 > regression 1 > not comparable 3 > 0).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "platform/fs.h"
#include "results/json.h"
#include "test_support.h"

namespace benchgate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::benchgate_binary;
using testing::CommandResult;
using testing::data_path;
using testing::read_text;

const fs::path kPairs = data_path("gbench/public/pairs");
const fs::path kRecorded = data_path("gbench/recorded");

json read_json(const fs::path& p) {
  return json::parse(read_text(p));
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

results::RunRecord make_run(const std::string& app, int iteration, double throughput,
                            double latency_p99) {
  results::RunRecord r;
  r.id = app + "-" + std::to_string(iteration);
  r.app = app;
  r.scenario = "plaintext";
  r.iteration = iteration;
  results::PeriodResult p;
  p.point.clients = 64;
  p.driver.duration_s = 10;
  p.metrics = {{"throughput", throughput}, {"latency_p99", latency_p99}};
  r.periods.push_back(p);
  return r;
}

/// A complete `benchgate run` results file: 10 iterations of one app, throughput scaled by
/// `factor` (0.9 = 10 % slower) and latency by 1/factor.
results::ResultsFile make_results(const std::string& app, double factor,
                                  const std::string& fingerprint = "fp-1") {
  results::ResultsFile f;
  f.name = "suite";
  f.command = "run";
  f.started_at = "2026-05-01T12:00:00Z";
  f.finished_at = "2026-05-01T12:10:00Z";
  f.testbed.cpu_model = "Test CPU";
  f.testbed.num_cpus = 2;
  f.testbed.kernel = "6.1.0-27-amd64";
  f.testbed.kernel_major = "6.1";
  f.testbed.build_type = "release";
  f.testbed.fingerprint = fingerprint;
  for (int i = 1; i <= 10; ++i) {
    const double tp = (10000 + 37 * ((i * 7) % 10)) * factor;
    f.runs.push_back(make_run(app, i, tp, 0.002 * (1 + 0.003 * ((i * 3) % 10)) / factor));
  }
  return f;
}

class OfflineTest : public ::testing::Test {
 protected:
  void SetUp() override { tmp_ = std::make_unique<platform::TempDir>("bg-offline"); }

  fs::path dir() const { return tmp_->path(); }

  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir() / name, std::ios::binary) << text;
    return dir() / name;
  }

  fs::path write_results(const std::string& name, const results::ResultsFile& r) const {
    results::write_results(r, dir() / name);
    return dir() / name;
  }

  CommandResult bg(std::vector<std::string> args) const {
    args.insert(args.begin(), benchgate_binary().string());
    return testing::run_command(args, dir() / "cmd");
  }

  CommandResult diff(const fs::path& a, const fs::path& b, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"diff", a.string(), b.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return bg(args);
  }

  /// Exit 2, nothing on stdout, one "benchgate: <file>...<what>" line on stderr.
  void expect_bad_input(const CommandResult& r, const std::string& file, const std::string& what) {
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "benchgate: ")) << r.err;
    EXPECT_TRUE(contains(r.err, file)) << "stderr should name " << file << ": " << r.err;
    EXPECT_TRUE(contains(r.err, what)) << "stderr should say " << what << ": " << r.err;
    EXPECT_FALSE(contains(r.err, "internal error")) << r.err;
  }

  std::unique_ptr<platform::TempDir> tmp_;
};

// ---------------------------------------------------------------- every pair, end to end

TEST_F(OfflineTest, DiffEveryPublicPairThroughTheCli) {
  // Expected exit codes: 1 regression; 3 (undecided) when not every gated test could be
  // decided (one repetition a side, aggregates only, or — the A/A pair — 316 of 396 tests
  // whose CIs straddle the 5 % limit); 0 only when every gated test was decided.
  const std::map<std::string, int> expected = {{"01_old_format_1rep_googlecpp_scaled", 3},
                                               {"02_upstream_test1", 3},
                                               {"03_upstream_test3_utest", 3},
                                               {"04_upstream_test3_scaled", 3},
                                               {"05_bpfilter_consecutive_commits", 3},
                                               {"06_bpfilter_old_vs_new_benchmark_set", 3},
                                               {"07_kokkos_two_nightlies", 3},
                                               {"08_koniksedy_offset_list_vs_scaled", 3},
                                               {"09_kokkos_stack12_A_vs_B", 1},
                                               {"10_kokkos_stack12_A_vs_synthetic_cycle", 1},
                                               {"11_kokkos_stack12_A_vs_A", 3},
                                               {"15_lob_engine_scaled", 3},
                                               {"16_julian_subns_scaled", 3}};
  int pairs = 0;
  for (const auto& e : read_json(kPairs / "index.json")) {
    const std::string pair = e["pair"];
    SCOPED_TRACE(pair);
    ++pairs;
    const auto base = kPairs / pair / "base.json";
    const auto cand = kPairs / pair / "cand.json";
    const auto text = diff(base, cand);
    EXPECT_TRUE(text.err.empty()) << text.err;
    EXPECT_TRUE(contains(text.out, "Comparing " + base.string() + " to " + cand.string()))
        << text.out.substr(0, 300);
    EXPECT_TRUE(contains(text.out, "Time             CPU      Time Old      Time New"));
    ASSERT_TRUE(expected.count(pair));
    EXPECT_EQ(text.exit_code, expected.at(pair)) << text.out.substr(0, 2000);

    // The JSON rendering carries the p-values compare.py printed.
    const auto js = diff(base, cand, {"--format", "json", "-o", (dir() / "d.json").string()});
    EXPECT_EQ(js.exit_code, text.exit_code);
    EXPECT_TRUE(js.out.empty()) << js.out;
    const json d = read_json(dir() / "d.json");
    std::map<std::pair<std::string, std::string>, double> p;
    for (const auto& v : d["verdicts"]) {
      if (v["p_two_sided"].is_number()) p[{v["cell"], v["metric"]}] = v["p_two_sided"];
    }
    const json meta = read_json(kPairs / pair / "meta.json");
    std::set<std::string> skip;
    if (meta["utests_not_reproduced"].is_object()) {
      for (const auto& n : meta["utests_not_reproduced"]["names"])
        skip.insert(n.get<std::string>());
    }
    for (const auto& u : meta["utests_from_compare_json"]) {
      const std::string name = u["name"];
      if (skip.count(name)) continue;
      ASSERT_TRUE(p.count({name, "real_time"})) << name;
      EXPECT_NEAR(p.at({name, "real_time"}), u["time_pvalue"].get<double>(),
                  1e-9 * u["time_pvalue"].get<double>())
          << name;
      EXPECT_NEAR(p.at({name, "cpu_time"}), u["cpu_pvalue"].get<double>(),
                  1e-9 * u["cpu_pvalue"].get<double>())
          << name;
    }
  }
  EXPECT_EQ(pairs, 13);
}

TEST_F(OfflineTest, DiffRecordedPairThroughTheCli) {
  const auto r = diff(kRecorded / "baseline.json", kRecorded / "candidate.json");
  // BM_AlwaysFails errored (4) outranks the StringJoin regressions (1).
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_TRUE(contains(r.out,
                       "BM_StringJoin/64_pvalue                0.0002          0.0002      "
                       "U Test, Repetitions: 10 vs 10"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "regressed      BM_StringJoin/64 :: real_time")) << r.out;
  // Random interleaving writes the same rows in another order.
  const auto shuffled =
      diff(kRecorded / "baseline_random_interleaving.json", kRecorded / "candidate.json");
  EXPECT_EQ(shuffled.exit_code, 4) << shuffled.err;
  // --warn-only turns 1 into 0 but never hides 4.
  EXPECT_EQ(
      diff(kRecorded / "baseline.json", kRecorded / "candidate.json", {"--warn-only"}).exit_code,
      4);
}

// ---------------------------------------------------------------- exit code precedence

TEST_F(OfflineTest, DiffExitCodePrecedence) {
  auto row = [](const std::string& name, double t) {
    return fmt::format(R"({{"name": "{}", "run_type": "iteration", "real_time": {}, )"
                       R"("cpu_time": {}, "time_unit": "ns"}})",
                       name, t, t);
  };
  auto file = [&](const std::string& fname, const std::map<std::string, double>& scale,
                  const std::string& extra_row = "") {
    std::string rows;
    for (const auto& [name, s] : scale) {
      for (int i = 0; i < 10; ++i) {
        if (!rows.empty()) rows += ",\n";
        rows += row(name, (100 + i) * s);
      }
    }
    if (!extra_row.empty()) rows += ",\n" + extra_row;
    return write(fname, "{\"context\": {}, \"benchmarks\": [\n" + rows + "\n]}\n");
  };
  const auto base = file("base.json", {{"a", 1.0}, {"b", 1.0}});
  // 0: nothing changed.
  EXPECT_EQ(diff(base, file("same.json", {{"a", 1.0}, {"b", 1.0}})).exit_code, 0);
  // 1: b is 20 % slower.
  const auto slow = file("slow.json", {{"a", 1.0}, {"b", 1.2}});
  EXPECT_EQ(diff(base, slow).exit_code, 1);
  EXPECT_EQ(diff(base, slow, {"--warn-only"}).exit_code, 0);
  // 1 beats 3: a benchmark on one side only is not comparable, the regression still counts.
  EXPECT_EQ(diff(base, file("slow_plus.json", {{"a", 1.0}, {"b", 1.2}, {"c", 1.0}})).exit_code, 1);
  // 3: nothing comparable at all (disjoint names).
  EXPECT_EQ(diff(base, file("other.json", {{"x", 1.0}})).exit_code, 3);
  // 4 beats 1: an errored benchmark.
  const std::string err_row =
      R"({"name": "e", "run_type": "iteration", "error_occurred": true, "error_message": "boom"})";
  const auto base_e = file("base_e.json", {{"a", 1.0}, {"b", 1.0}}, err_row);
  const auto r4 = diff(base_e, file("slow_e.json", {{"a", 1.0}, {"b", 1.2}}, err_row));
  EXPECT_EQ(r4.exit_code, 4) << r4.out;
  EXPECT_TRUE(contains(r4.out, "boom")) << r4.out;
  // 2 beats everything: a bad candidate, whatever the base.
  EXPECT_EQ(diff(base_e, write("bad.json", "{\"benchmarks\": [")).exit_code, 2);
  // Usage errors are 2 as well.
  EXPECT_EQ(diff(base, slow, {"--alpha", "2"}).exit_code, 2);
  EXPECT_EQ(diff(base, slow, {"--format", "xml"}).exit_code, 2);
  EXPECT_EQ(bg({"diff", base.string()}).exit_code, 2);
}

// ---------------------------------------------------------------- bad inputs

TEST_F(OfflineTest, BadGoogleBenchmarkFilesExitTwoNamingTheFileAndTheProblem) {
  const auto good = kRecorded / "baseline.json";
  const std::string text = read_text(good);
  expect_bad_input(diff(dir() / "nope.json", good), "nope.json", "cannot read");
  expect_bad_input(diff(good, dir() / "nope.json"), "nope.json", "cannot read");
  expect_bad_input(diff(good, write("empty.json", "")), "empty.json", "file is empty");
  expect_bad_input(diff(good, write("blank.json", " \n\t\n")), "blank.json", "file is empty");
  expect_bad_input(diff(good, write("cut.json", text.substr(0, text.size() / 2))), "cut.json",
                   "truncated");
  expect_bad_input(diff(write("cut_base.json", text.substr(0, 100)), good), "cut_base.json",
                   "truncated");
  // A syntax error: file:line:col.
  expect_bad_input(
      diff(good, write("syntax.json", "{\"benchmarks\": [\n{\"name\": \"a\" \"x\"}]}")),
      "syntax.json:2:", "");
  expect_bad_input(diff(good, write("nan.json",
                                    "{\"benchmarks\": [{\"name\": \"x\",\n"
                                    "\"real_time\": nan, \"cpu_time\": 1}]}")),
                   "nan.json:2:", "lowercase nan/inf");
  expect_bad_input(diff(good, write("unit.json", R"({"benchmarks": [{"name": "x", "real_time": 1,
                                      "cpu_time": 1, "time_unit": "min"}]})")),
                   "unit.json:1:", "unknown time_unit 'min'");
  expect_bad_input(diff(good, write("notimes.json", R"({"benchmarks": [{"name": "x",
                                      "run_type": "iteration", "iterations": 10}]})")),
                   "notimes.json", "needs real_time and cpu_time");
  expect_bad_input(diff(good, write("noname.json", R"({"benchmarks": [{"real_time": 1,
                                      "cpu_time": 1}]})")),
                   "noname.json", "without a \"name\"");
  expect_bad_input(diff(good, write("list.json", "[1, 2]")), "list.json",
                   "top level is a JSON list");
  expect_bad_input(diff(good, write("rows.json", R"({"benchmarks": {"a": 1}})")), "rows.json",
                   "\"benchmarks\" must be a list");
  expect_bad_input(diff(good, write("other.json", R"({"hello": 1})")), "other.json",
                   "neither Google Benchmark JSON");
  expect_bad_input(diff(good, write("garbage.json",
                                    "\x7f"
                                    "ELF\x02\x01")),
                   "garbage.json", "garbage.json:1:");
  // validate says the same.
  expect_bad_input(bg({"validate", (dir() / "cut.json").string()}), "cut.json", "");
}

TEST_F(OfflineTest, BadResultsAndBaselineFilesExitTwoNamingTheFileAndTheProblem) {
  const auto good = write_results("good.json", make_results("main", 1.0));
  const std::string text = read_text(good);
  expect_bad_input(diff(good, write("cut.json", text.substr(0, text.size() - 20))), "cut.json",
                   "truncated");
  expect_bad_input(diff(good, write("schema.json", R"({"kind": "benchgate.results", "runs": 3})")),
                   "schema.json", "does not match the results schema");
  // A baseline as the base: malformed, truncated, schema-invalid.
  ASSERT_EQ(
      bg({"baseline", "update", "--from", good.string(), "--to", (dir() / "base.json").string()})
          .exit_code,
      0);
  const std::string btext = read_text(dir() / "base.json");
  expect_bad_input(diff(write("bcut.json", btext.substr(0, btext.size() / 2)), good), "bcut.json",
                   "truncated");
  json bad = json::parse(btext);
  bad["series"] = "none";
  expect_bad_input(diff(write("bschema.json", bad.dump()), good), "bschema.json",
                   "does not match the baseline schema");
  json uneven = json::parse(btext);
  uneven["series"][0]["values"].push_back(1.0);
  expect_bad_input(diff(write("buneven.json", uneven.dump()), good), "buneven.json",
                   "iterations but");
  // A baseline cannot be the candidate.
  expect_bad_input(diff(good, dir() / "base.json"), "base.json",
                   "the candidate must be a results file");
  // Google Benchmark against benchgate results.
  expect_bad_input(diff(kRecorded / "baseline.json", good), "good.json",
                   "both files must be the same kind");
  // validate agrees.
  expect_bad_input(bg({"validate", (dir() / "bschema.json").string()}), "bschema.json",
                   "does not match the baseline schema");
  expect_bad_input(bg({"validate", (dir() / "schema.json").string()}), "schema.json",
                   "does not match the results schema");
  expect_bad_input(bg({"report", (dir() / "cut.json").string()}), "cut.json", "");
}

TEST_F(OfflineTest, UnitChangedAgainstABaselineIsNotComparable) {
  const auto good = write_results("good.json", make_results("main", 1.0));
  ASSERT_EQ(
      bg({"baseline", "update", "--from", good.string(), "--to", (dir() / "base.json").string()})
          .exit_code,
      0);
  json b = read_json(dir() / "base.json");
  for (auto& s : b["series"])
    s["unit"] = s["metric"] == "throughput" ? "B/s" : "ms";
  const auto odd = write("odd_units.json", b.dump(2));
  const auto r = diff(odd, good);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "unit changed: baseline in B/s, current in req/s")) << r.out;
}

// ---------------------------------------------------------------- baseline update

TEST_F(OfflineTest, BaselineUpdateWritesAtomicallyAndAFailedUpdateChangesNothing) {
  const auto results = write_results("results.json", make_results("main", 1.0));
  const auto base = dir() / "baselines" / "main.json";
  fs::create_directories(base.parent_path());
  auto update = [&](const fs::path& from) {
    return bg({"baseline", "update", "--from", from.string(), "--to", base.string()});
  };
  const auto ok = update(results);
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_TRUE(contains(ok.out, base.string())) << ok.out;
  const std::string before = read_text(base);
  EXPECT_EQ(read_json(base)["kind"], "benchgate.baseline");
  const auto v = bg({"validate", base.string()});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_TRUE(contains(v.out, "valid baseline (2 series)")) << v.out;
  // Only the baseline is in its folder (no temporary file left behind).
  EXPECT_EQ(std::distance(fs::directory_iterator(base.parent_path()), fs::directory_iterator{}), 1);

  // Every failing update leaves the old baseline byte-identical.
  const std::string rtext = read_text(results);
  struct Case {
    fs::path from;
    int code;
    std::string what;
  };
  auto failed = make_results("main", 1.0);
  failed.runs[3].status = "failed";
  failed.runs[3].failure = "app exited with status 139";
  auto interrupted = make_results("main", 1.0);
  interrupted.status = "interrupted";
  auto killed = make_results("main", 1.0);  // a kill -9 leaves the last checkpoint: "running"
  killed.status = "running";
  killed.planned_runs = static_cast<int>(killed.runs.size()) * 2;
  const std::vector<Case> cases = {
      {dir() / "missing.json", 2, "cannot read"},
      {write("empty.json", ""), 2, "empty"},
      {write("cut.json", rtext.substr(0, rtext.size() / 3)), 2, "cut.json"},
      {write("schema.json", R"({"kind": "benchgate.results", "runs": 3})"), 2,
       "does not match the results schema"},
      {kRecorded / "baseline.json", 2, "baseline.json"},
      {write_results("failed.json", failed), 4, "app exited with status 139"},
      // Results that are not complete are bad input for a baseline (exit 2, names the way out).
      {write_results("interrupted.json", interrupted), 2, "--allow-partial"},
      {write_results("killed.json", killed), 2, "benchgate did not finish"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.from.string());
    const auto r = update(c.from);
    EXPECT_EQ(r.exit_code, c.code) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, c.what)) << r.err;
    EXPECT_EQ(read_text(base), before) << "the baseline changed";
    EXPECT_EQ(std::distance(fs::directory_iterator(base.parent_path()), fs::directory_iterator{}),
              1);
  }
  // A directory as the target: nothing written, the error names it.
  const auto to_dir =
      bg({"baseline", "update", "--from", results.string(), "--to", base.parent_path().string()});
  EXPECT_EQ(to_dir.exit_code, 2);
  EXPECT_TRUE(contains(to_dir.err, base.parent_path().string())) << to_dir.err;
  EXPECT_TRUE(contains(to_dir.err, "is a directory")) << to_dir.err;
  EXPECT_EQ(read_text(base), before);
  // A successful update replaces it.
  ASSERT_EQ(update(write_results("results2.json", make_results("main", 0.5))).exit_code, 0);
  EXPECT_NE(read_text(base), before);
}

// Each update moves the baseline it replaces into the file's history (bounded by --history).
TEST_F(OfflineTest, BaselineUpdateKeepsABoundedHistory) {
  const auto base = dir() / "main.json";
  for (double f : {1.0, 0.98, 1.02}) {
    const auto from = write_results(fmt::format("r{}.json", f), make_results("main", f));
    const auto r = bg({"baseline", "update", "--from", from.string(), "--to", base.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  auto j = read_json(base);
  ASSERT_EQ(j["history"].size(), 2u);
  EXPECT_TRUE(j["history"][0]["medians"]["main"].is_object()) << j["history"][0].dump();
  EXPECT_EQ(bg({"validate", base.string()}).exit_code, 0);
  // Bounded.
  const auto from = write_results("r4.json", make_results("main", 1.0));
  const auto r =
      bg({"baseline", "update", "--from", from.string(), "--to", base.string(), "--history", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "1 past baseline in its history")) << r.out;
  EXPECT_EQ(read_json(base)["history"].size(), 1u);
}

// ---------------------------------------------------------------- stored baseline, testbed

TEST_F(OfflineTest, TestbedMismatchIsNotComparableUnlessWarn) {
  const auto base_results = write_results("base_results.json", make_results("main", 1.0, "fp-A"));
  const auto base = dir() / "base.json";
  ASSERT_EQ(
      bg({"baseline", "update", "--from", base_results.string(), "--to", base.string()}).exit_code,
      0);
  // Same testbed: a 10 % throughput loss is a regression.
  const auto slow_same = write_results("slow_same.json", make_results("main", 0.9, "fp-A"));
  const auto same = diff(base, slow_same);
  EXPECT_EQ(same.exit_code, 1) << same.out << same.err;
  EXPECT_TRUE(contains(same.out, "regressed")) << same.out;
  // Another testbed: nothing is comparable, exit 3, and the output says why.
  const auto slow_other = write_results("slow_other.json", make_results("main", 0.9, "fp-B"));
  const auto strict = diff(base, slow_other);
  EXPECT_EQ(strict.exit_code, 3) << strict.out << strict.err;
  EXPECT_TRUE(contains(strict.out, "testbed differs")) << strict.out;
  EXPECT_TRUE(contains(strict.out, "fp-A")) << strict.out;
  EXPECT_TRUE(contains(strict.out, "fp-B")) << strict.out;
  EXPECT_FALSE(contains(strict.out, "regressed ")) << strict.out;
  EXPECT_EQ(diff(base, slow_other, {"--testbed-mismatch", "error"}).exit_code, 3);
  // --testbed-mismatch=warn: gated anyway, with a note.
  const auto warn = diff(base, slow_other, {"--testbed-mismatch=warn"});
  EXPECT_EQ(warn.exit_code, 1) << warn.out << warn.err;
  EXPECT_TRUE(contains(warn.out, "compared anyway")) << warn.out;
  EXPECT_EQ(diff(base, slow_other, {"--testbed-mismatch=warn", "--warn-only"}).exit_code, 0);
  EXPECT_EQ(diff(base, slow_other, {"--testbed-mismatch=maybe"}).exit_code, 2);
  // A results file used directly as the base behaves the same.
  EXPECT_EQ(diff(base_results, slow_other).exit_code, 3);
  EXPECT_EQ(diff(base_results, slow_other, {"--testbed-mismatch=warn"}).exit_code, 1);
  // JSON output records the mismatch.
  const auto js = diff(base, slow_other, {"--format", "json"});
  const json j = json::parse(js.out);
  EXPECT_EQ(j["testbed_match"], false);
  for (const auto& v : j["verdicts"])
    EXPECT_EQ(v["verdict"], "not_comparable");
}

// ---------------------------------------------------------------- export --gbench

// Debian's python3 (python3-scipy) runs compare.py; a python3 earlier on PATH may lack scipy.
std::string compare_py_python() {
  if (!fs::exists("/usr/share/benchmark/compare.py")) return "";
  for (const char* py : {"/usr/bin/python3", "python3"}) {
    if (std::system((std::string(py) + " -c 'import scipy, numpy' >/dev/null 2>&1").c_str()) == 0)
      return py;
  }
  return "";
}

TEST_F(OfflineTest, ExportGbenchRoundTrip) {
  const auto a = write_results("a.json", make_results("main", 1.0));
  const auto b = write_results("b.json", make_results("main", 0.8));
  const auto ga = dir() / "a.gbench.json";
  const auto gb = dir() / "b.gbench.json";
  ASSERT_EQ(bg({"export", a.string(), "--gbench", "-o", ga.string()}).exit_code, 0);
  const auto to_stdout = bg({"export", b.string(), "--gbench"});
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  write(gb.filename().string(), to_stdout.out);
  const json ja = read_json(ga);
  ASSERT_TRUE(ja["benchmarks"].is_array());
  EXPECT_EQ(ja["benchmarks"].size(), 2u * (10 + 4));  // 2 families × (10 reps + 4 aggregates)
  EXPECT_TRUE(bg({"validate", ga.string()}).exit_code == 0);

  // Self-diff: nothing changed, nothing regressed, every p = 1.
  const auto self = diff(ga, ga, {"--format", "json"});
  EXPECT_EQ(self.exit_code, 0) << self.out << self.err;
  // A named document: ranging over json::parse(...)["verdicts"] read the temporary after it
  // was destroyed (ASan: heap-use-after-free; the range-for keeps only the reference alive).
  const json self_json = json::parse(self.out);
  for (const auto& v : self_json["verdicts"]) {
    EXPECT_TRUE(v["verdict"] == "unchanged" || !v["gated"].get<bool>()) << v.dump();
    if (v["p_two_sided"].is_number()) {
      EXPECT_DOUBLE_EQ(v["p_two_sided"].get<double>(), 1.0);
    }
  }
  // 20 % less throughput and 25 % more latency: both times regress in the gbench view.
  const auto slower = diff(ga, gb);
  EXPECT_EQ(slower.exit_code, 1) << slower.out;
  EXPECT_TRUE(contains(slower.out, "main/plaintext/c:64/throughput")) << slower.out;
  EXPECT_TRUE(contains(slower.out, "main/plaintext/c:64/latency_p99")) << slower.out;
  // The benchgate view of the same two results agrees.
  EXPECT_EQ(diff(a, b).exit_code, 1);
  // Exporting a bad file is a bad input.
  expect_bad_input(bg({"export", write("x.json", "{").string(), "--gbench"}), "x.json",
                   "truncated");

  const std::string python = compare_py_python();
  if (python.empty()) GTEST_SKIP() << "python3 with scipy or compare.py not installed";
  const auto cp = testing::run_command({python, "/usr/share/benchmark/compare.py", "--no-color",
                                        "benchmarks", ga.string(), gb.string()},
                                       dir() / "compare");
  EXPECT_EQ(cp.exit_code, 0) << cp.out << cp.err;
  EXPECT_TRUE(contains(cp.out, "main/plaintext/c:64/throughput_pvalue")) << cp.out;
  EXPECT_TRUE(contains(cp.out, "U Test, Repetitions: 10 vs 10")) << cp.out;
}

}  // namespace
}  // namespace benchgate
