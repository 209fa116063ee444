// Google Benchmark JSON: reading every recorded and public fixture, rejecting bad input with
// the file and the problem, unit conversion, and the exact write → read round trip.

#include "gate/gbench.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <tuple>

#include "core/error.h"
#include "gate/json_scan.h"
#include "mutation.h"
#include "platform/fs.h"
#include "results/model.h"

namespace benchgate::gate {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(BENCHGATE_TEST_DATA_DIR) / "gbench";

std::string read(const fs::path& p) {
  return platform::read_file(p);
}

std::string error_of(std::string_view text, const std::string& origin = "f.json") {
  try {
    parse_gbench(std::string(text), origin);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<fs::path> gbench_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(kData)) {
    const auto name = e.path().filename().string();
    if (name == "base.json" || name == "cand.json" || name == "baseline.json" ||
        name == "candidate.json" || name == "baseline_random_interleaving.json") {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GbenchReader, ReadsEveryFixture) {
  const auto files = gbench_files();
  ASSERT_GE(files.size(), 29u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    GbenchFile g;
    ASSERT_NO_THROW(g = read_gbench(f));
    EXPECT_FALSE(g.rows.empty());
    const auto groups = group_benchmarks(g);
    EXPECT_FALSE(groups.empty());
    for (const auto& b : groups) {
      EXPECT_FALSE(b.name.empty());
      EXPECT_FALSE(b.iterations.empty() && b.aggregates.empty() && b.errors.empty() &&
                   b.skipped.empty());
    }
  }
}

TEST(GbenchReader, RecordedFileDetails) {
  const auto g = read_gbench(kData / "recorded/baseline.json");
  EXPECT_EQ(g.context["library_build_type"], "debug");
  const auto groups = group_benchmarks(g);
  auto find = [&](const std::string& name) -> const GbenchBenchmark& {
    for (const auto& b : groups) {
      if (b.name == name) return b;
    }
    ADD_FAILURE() << "no benchmark " << name;
    return groups.front();
  };
  // BigO / RMS rows are dropped: no benchmark named after them.
  for (const auto& b : groups) {
    EXPECT_EQ(b.name.find("_BigO"), std::string::npos);
    EXPECT_EQ(b.name.find("_RMS"), std::string::npos);
  }
  const auto& sort = find("BM_SortInts/4096");
  EXPECT_EQ(sort.time_unit, TimeUnit::kUs);
  EXPECT_EQ(sort.label, "mt19937 seed 42");
  EXPECT_EQ(sort.iterations.size(), 10u);
  EXPECT_EQ(sort.aggregates.size(), 4u);  // mean, median, stddev, cv
  EXPECT_TRUE(sort.aggregate_value("median", "real_time").has_value());
  const auto& sum = find("BM_VectorSum/1024");
  EXPECT_EQ(sum.aggregates.size(), 5u);  // + the user statistic "_max"
  const auto& fails = find("BM_AlwaysFails");
  EXPECT_EQ(fails.errors.size(), 10u);
  EXPECT_TRUE(fails.iterations.empty());
  EXPECT_EQ(fails.errors[0]->error_message, "backend unavailable (deliberate fixture error)");
  // Bare NaN / Infinity / -Infinity tokens are read as non-finite counter values.
  const auto& weird = find("BM_WeirdCounters");
  ASSERT_FALSE(weird.iterations.empty());
  std::map<std::string, double, std::less<>> c;
  for (const auto& [k, v] : weird.iterations[0]->counters)
    c.emplace(k, v);
  EXPECT_TRUE(std::isnan(c.at("nan_counter")));
  EXPECT_EQ(c.at("inf_counter"), INFINITY);
  EXPECT_EQ(c.at("neg_inf_counter"), -INFINITY);
  EXPECT_EQ(c.at("zero_rate"), 0.0);
  const auto& threads = find("BM_MapLookup/threads:2");
  EXPECT_EQ(threads.iterations[0]->threads, 2);
}

TEST(GbenchReader, OldFormatsAndRowsWithoutRunType) {
  // 2016 format: no run_type (iteration rows), aggregate rows sharing a name.
  const auto g = read_gbench(kData / "public/pairs/03_upstream_test3_utest/base.json");
  const auto groups = group_benchmarks(g);
  std::map<std::string, const GbenchBenchmark*> by;
  for (const auto& b : groups)
    by[b.name] = &b;
  EXPECT_EQ(by.at("BM_Two")->iterations.size(), 2u);
  EXPECT_EQ(by.at("medium")->iterations.size(), 2u);
  EXPECT_TRUE(by.at("short")->iterations.empty());
  EXPECT_EQ(by.at("short")->aggregates.size(), 2u);
  // 2019 format: "repetitions": 0, no family_index.
  const auto old =
      read_gbench(kData / "public/pairs/01_old_format_1rep_googlecpp_scaled/base.json");
  EXPECT_EQ(old.rows[0].repetitions, 0);
  EXPECT_EQ(old.rows[0].family_index, -1);
  // Sub-nanosecond times stay as written.
  const auto subns = read_gbench(kData / "public/pairs/16_julian_subns_scaled/base.json");
  bool tiny = false;
  for (const auto& r : subns.rows)
    tiny = tiny || (r.real_time > 0 && r.real_time < 1e-6);
  EXPECT_TRUE(tiny);
}

TEST(GbenchReader, BadInputNamesTheFileAndTheProblem) {
  EXPECT_EQ(error_of(""), "f.json: file is empty");
  EXPECT_EQ(error_of("  \n "), "f.json: file is empty");
  const std::string full = read(kData / "recorded/baseline.json");
  const std::string truncated = error_of(full.substr(0, full.size() / 2), "base.json");
  EXPECT_NE(truncated.find("base.json:"), std::string::npos) << truncated;
  EXPECT_NE(truncated.find("truncated"), std::string::npos) << truncated;
  EXPECT_EQ(error_of("{\"benchmarks\": [\n  {\"name\": \"a\" \"real_time\": 1}\n]}"),
            "f.json:2:16: invalid JSON: expected ',' or '}' in an object but found '\"'");
  EXPECT_EQ(
      error_of("{\"benchmarks\": [{\"name\": \"a\",\n \"real_time\": nan, \"cpu_time\": 1}]}"),
      "f.json:2:15: invalid JSON: lowercase nan/inf is not valid JSON (Google Benchmark "
      "writes NaN, Infinity, -Infinity)");
  EXPECT_EQ(error_of("{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"cpu_time\": 1,\n"
                     "\"time_unit\": \"min\"}]}"),
            "f.json:1: benchmark 'a': unknown time_unit 'min' (expected ns, us, ms or s)");
  EXPECT_EQ(error_of("{\"benchmarks\": [\n{\"real_time\": 1}]}"),
            "f.json:2: a benchmark row without a \"name\"");
  EXPECT_EQ(error_of("{\"benchmarks\": [{\"name\": \"a\", \"cpu_time\": 1}]}"),
            "f.json:1: benchmark 'a': an iteration row needs real_time and cpu_time");
  EXPECT_EQ(error_of("{\"context\": {}}"),
            "f.json: not Google Benchmark JSON: the top-level object has no \"benchmarks\" list");
  EXPECT_NE(error_of("[{\"name\": \"a\"}]").find("the top level is a JSON list"),
            std::string::npos);
  EXPECT_NE(error_of("{\"benchmarks\": {}}").find("\"benchmarks\" must be a list"),
            std::string::npos);
  EXPECT_NE(error_of("{\"benchmarks\": []} x").find("unexpected text after the end"),
            std::string::npos);
  EXPECT_NE(error_of("{\"benchmarks\": [1]}").find("must be an object"), std::string::npos);
  EXPECT_NE(error_of("{\"benchmarks\": [{\"name\": 5}]}").find("\"name\" must be a string"),
            std::string::npos);
  EXPECT_NE(error_of("{\"benchmarks\": [],}").find("expected a string key"), std::string::npos);
  EXPECT_NE(
      error_of("{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 01}]}").find("leading zero"),
      std::string::npos);
  // compare.py -d output is a list, not a benchmark file.
  EXPECT_NE(error_of(read(kData / "recorded/compare_diff.json")).find("JSON list"),
            std::string::npos);
  EXPECT_THROW(read_gbench(kData / "does-not-exist.json"), ConfigError);
}

TEST(GbenchReader, ScannerMatchesNlohmannOnValidJson) {
  const std::string text =
      R"({"a": [1, -2.5e3, 0, 1e-7, 18446744073709551615, -9223372036854775808],
    "s": "esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00", "t": true, "f": false, "n": null,
    "o": {"x": {"y": []}, "z": {}}})";
  detail::JsonScanner sc(text, "t");
  const auto mine = sc.value();
  sc.expect_end();
  EXPECT_EQ(mine, nlohmann::json::parse(text));
}

TEST(GbenchReader, MutatedInputNeverCrashes) {
  // Every byte-level mutation either parses or throws ConfigError (no other exception, no crash).
  testing::MutationOptions o;
  o.truncations = 0;
  o.edited = 3000;
  o.max_edits = 4;
  o.alphabet = "{}[]:,\"\\0123456789.eE+-NaIfinty ulrsb\n";
  const auto counts = testing::sweep<ConfigError>(
      "02_upstream_test1/base.json",
      testing::mutants(read(kData / "public/pairs/02_upstream_test1/base.json"), o),
      [](const std::string& s) { group_benchmarks(parse_gbench(s, "fuzz")); });
  const int parsed = counts.accepted, rejected = counts.rejected;
  EXPECT_GT(rejected, 1000);
  EXPECT_GT(parsed, 10);
}

TEST(TimeUnits, ConvertByDecimalShift) {
  EXPECT_EQ(convert_time(1.5, TimeUnit::kUs, TimeUnit::kS), 1.5e-6);
  EXPECT_EQ(convert_time(123.456, TimeUnit::kNs, TimeUnit::kS), 123.456e-9);
  EXPECT_EQ(convert_time(0.1, TimeUnit::kS, TimeUnit::kMs), 100.0);
  EXPECT_EQ(convert_time(2.5e-3, TimeUnit::kMs, TimeUnit::kUs), 2.5);
  EXPECT_EQ(convert_time(7.0, TimeUnit::kNs, TimeUnit::kNs), 7.0);
  EXPECT_EQ(convert_time(0.0, TimeUnit::kNs, TimeUnit::kS), 0.0);
  EXPECT_TRUE(std::isnan(convert_time(NAN, TimeUnit::kNs, TimeUnit::kS)));
  EXPECT_FALSE(parse_time_unit("min"));
  EXPECT_EQ(time_unit_name(*parse_time_unit("us")), "us");
}

results::ResultsFile sample_results() {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0.5, 1.5);
  results::ResultsFile f;
  f.name = "rt";
  f.tool_version = "0.1.0";
  f.started_at = "2026-01-01T00:00:00+00:00";
  f.machine = {{"host_name", "box"}, {"num_cpus", 2}};
  for (const char* app : {"main", "pr"}) {
    for (int it = 1; it <= 7; ++it) {
      results::RunRecord run;
      run.id = fmt::format("{}-{}", app, it);
      run.app = app;
      run.role = std::string(app) == "main" ? "baseline" : "candidate";
      run.scenario = "GET /plaintext";
      run.iteration = it;
      run.metrics = {{"startup_time", 0.05 * u(rng)}, {"idle_rss", std::floor(8e6 * u(rng))}};
      for (int clients : {16, 64}) {
        results::PeriodResult p;
        p.point.clients = clients;
        p.point.rate = clients == 16 ? 1000 : 0;
        p.metrics = {{"throughput", 12345.678 * u(rng)},
                     {"latency_p50", 1.7e-4 * u(rng)},
                     {"latency_p99", 2.3e-3 * u(rng)},
                     {"latency_p99.9", 0.71 * u(rng)},
                     {"latency_max", 3.3 * u(rng)},
                     {"cpu_per_request", 4.1e-5 * u(rng)},
                     {"cpu_percent", 97.3 * u(rng)},
                     {"peak_rss", std::floor(5e7 * u(rng))},
                     {"rss_growth", std::floor(-4e5 + 1e6 * u(rng))},
                     {"errors", it == 3 ? 2.0 : 0.0}};
        run.periods.push_back(p);
      }
      f.runs.push_back(run);
    }
  }
  return f;
}

TEST(GbenchWriter, RoundTripIsExact) {
  const auto results = sample_results();
  const std::string text = gbench_text(results);
  const auto g = parse_gbench(text, "export.json");
  auto back = samples_from_gbench(g);
  auto orig = results::collect_samples(results);
  auto key = [](const results::Sample& s) {
    return std::tie(s.app, s.role, s.cell, s.metric, s.iteration, s.run_id);
  };
  auto by_key = [&](const auto& a, const auto& b) { return key(a) < key(b); };
  std::sort(back.begin(), back.end(), by_key);
  std::sort(orig.begin(), orig.end(), by_key);
  ASSERT_EQ(back.size(), orig.size());
  for (std::size_t i = 0; i < orig.size(); ++i) {
    EXPECT_EQ(key(back[i]), key(orig[i]));
    EXPECT_EQ(back[i].value, orig[i].value)
        << orig[i].cell << " " << orig[i].metric << " " << orig[i].iteration;  // bit-identical
  }
}

TEST(GbenchWriter, FollowsTheMapping) {
  const auto g = parse_gbench(gbench_text(sample_results()), "export.json");
  const auto groups = group_benchmarks(g);
  std::map<std::string, const GbenchBenchmark*> by;
  for (const auto& b : groups)
    by[b.name] = &b;
  // Names: <app>/<scenario, spaces as _>/c:<clients>[/r:<rate>]/<metric>.
  ASSERT_TRUE(by.count("main/GET_/plaintext/c:64/throughput"));
  ASSERT_TRUE(by.count("pr/GET_/plaintext/c:16/r:1000/latency_p99"));
  ASSERT_TRUE(by.count("main/GET_/plaintext/startup_time"));
  const auto& thr = *by.at("main/GET_/plaintext/c:64/throughput");
  EXPECT_EQ(thr.iterations.size(), 7u);
  EXPECT_EQ(thr.aggregates.size(), 4u);
  EXPECT_EQ(thr.iterations[0]->counters[0].first, "items_per_second");
  EXPECT_EQ(thr.iterations[3]->repetition_index, 3);
  EXPECT_EQ(thr.iterations[0]->repetitions, 7);
  // Times in a unit that suits their size.
  EXPECT_EQ(by.at("main/GET_/plaintext/c:64/latency_p50")->time_unit, TimeUnit::kUs);
  EXPECT_EQ(by.at("main/GET_/plaintext/c:64/latency_p99")->time_unit, TimeUnit::kMs);
  EXPECT_EQ(by.at("main/GET_/plaintext/c:64/latency_max")->time_unit, TimeUnit::kS);
  const auto& rss = *by.at("main/GET_/plaintext/c:64/peak_rss");
  EXPECT_EQ(rss.iterations[0]->counters[0].first, "peak_rss");
  EXPECT_EQ(rss.label, "peak_rss [bytes], not a time");
  // Google Benchmark statistics: mean/median/stddev/cv rows, cv as a percentage.
  const auto* cv = thr.aggregates[3];
  EXPECT_EQ(cv->aggregate_name, "cv");
  EXPECT_EQ(cv->aggregate_unit, "percentage");
  EXPECT_EQ(cv->iterations, 7);
}

// Fuzz crasher (tests/data/fuzz-crashers/gbench/): "repetition_index": 7.4e15 was converted
// to int (undefined behaviour, UBSan). An integer field beyond int's range is a format error
// naming the file and line.
TEST(GbenchReader, IntegerFieldBeyondIntIsAFormatError) {
  EXPECT_THROW(parse_gbench(read(fs::path(BENCHGATE_TEST_DATA_DIR) /
                                 "fuzz-crashers/gbench/repetition-index-beyond-int.json"),
                            "crasher.json"),
               ConfigError);
  const std::string doc = R"({"context": {}, "benchmarks": [{"name": "BM_a", "run_type":
    "iteration", "iterations": 1, "real_time": 1, "cpu_time": 1, "time_unit": "ns",
    "threads": 1e10}]})";
  try {
    parse_gbench(doc, "big.json");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("big.json:3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at most 2147483647"), std::string::npos) << e.what();
  }
  EXPECT_EQ(parse_gbench(std::string(doc).replace(doc.find("1e10"), 4, "2147483647"), "ok.json")
                .rows.at(0)
                .threads,
            2147483647);
}

}  // namespace
}  // namespace benchgate::gate
