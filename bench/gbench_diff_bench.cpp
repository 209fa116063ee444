// `benchgate diff` on two Google Benchmark files with 2000 benchmarks × 10 repetitions (plus
// the mean/median/stddev/cv rows and an items_per_second counter, as libbenchmark writes them):
// parse both, test 4000 gated metrics (+2000 counters), render the compare.py-style text.
// Target: < 0.2 s end to end. Google's compare.py (libbenchmark-tools 1.7.1, scipy 1.10.1) took
// 165 s of CPU (556 s wall on a busy 2-core VM) on the same files: it pairs rows by scanning
// every row for every benchmark name.
//
//   build/bench/bench_gbench_diff --benchmark_min_time=2
//   bench/gbench_diff_vs_compare.sh    # the real CLI, cold, against compare.py
//   BENCHGATE_BENCH_KEEP=/tmp/gb build/bench/bench_gbench_diff   # keep the files, then:
//   time /usr/bin/python3 /usr/share/benchmark/compare.py benchmarks /tmp/gb/base.json
//   /tmp/gb/cand.json

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "gate/diff.h"
#include "gbench/reader.h"
#include "platform/fs.h"
#include "report/diff.h"
#include "stats/descriptive.h"

namespace {

namespace fs = std::filesystem;
using namespace benchgate;

constexpr int kBenchmarks = 2000;
constexpr int kRepetitions = 10;

// A Google Benchmark 1.7-style file; the candidate is 3 % slower on every 10th benchmark.
std::string make_file(bool candidate) {
  std::mt19937_64 rng(candidate ? 2 : 1);
  std::normal_distribution<double> noise(0, 0.01);
  std::string out =
      "{\n  \"context\": {\n    \"date\": \"2026-05-01T12:00:00+00:00\",\n    \"host_name\": "
      "\"bench\",\n    \"executable\": \"./bench\",\n    \"num_cpus\": 2,\n    \"mhz_per_cpu\": "
      "2096,\n    \"cpu_scaling_enabled\": false,\n    \"caches\": [\n    ],\n    \"load_avg\": "
      "[0.5,0.4,0.3],\n    \"library_build_type\": \"release\"\n  },\n  \"benchmarks\": [\n";
  bool first = true;
  auto row = [&](const std::string& name, const std::string& run_name, const char* type,
                 int index, const char* aggregate, double real, double cpu, double items) {
    if (!first) out += ",\n";
    first = false;
    out += fmt::format(
        "    {{\n      \"name\": \"{}\",\n      \"family_index\": {},\n      "
        "\"per_family_instance_index\": 0,\n      \"run_name\": \"{}\",\n      \"run_type\": "
        "\"{}\",\n      \"repetitions\": {},\n",
        name, index, run_name, type, kRepetitions);
    if (aggregate[0] == '\0') {
      out += fmt::format("      \"repetition_index\": {},\n      \"threads\": 1,\n      "
                         "\"iterations\": 1000000,\n",
                         index % kRepetitions);
    } else {
      out += fmt::format(
          "      \"threads\": 1,\n      \"aggregate_name\": \"{}\",\n      \"aggregate_unit\": "
          "\"{}\",\n      \"iterations\": {},\n",
          aggregate, std::string(aggregate) == "cv" ? "percentage" : "time", kRepetitions);
    }
    out += fmt::format(
        "      \"real_time\": {:.16e},\n      \"cpu_time\": {:.16e},\n      \"time_unit\": "
        "\"ns\",\n      \"items_per_second\": {:.16e}\n    }}",
        real, cpu, items);
  };
  for (int b = 0; b < kBenchmarks; ++b) {
    const std::string name = fmt::format("BM_Generated<int>/{}/real_time", b);
    const double base = 100.0 * (1 + b % 17) * (candidate && b % 10 == 0 ? 1.03 : 1.0);
    std::vector<double> real, cpu;
    for (int r = 0; r < kRepetitions; ++r) {
      real.push_back(base * std::exp(noise(rng)));
      cpu.push_back(real.back() * 0.998);
      row(name, name, "iteration", r, "", real.back(), cpu.back(), 1e9 / real.back());
    }
    for (const char* agg : {"mean", "median", "stddev", "cv"}) {
      const std::string a(agg);
      auto f = [&](const std::vector<double>& v) {
        if (a == "mean") return stats::mean(v);
        if (a == "median") return stats::median(v);
        if (a == "stddev") return stats::stddev(v);
        return stats::cv(v);
      };
      row(name + "_" + a, name, "aggregate", b, agg, f(real), f(cpu), 1e9 / f(real));
    }
  }
  out += "\n  ]\n}\n";
  return out;
}

struct Files {
  platform::TempDir dir{"gbench-diff-bench"};
  fs::path base, cand;
  Files() {
    fs::path where = dir.path();
    if (const char* keep = std::getenv("BENCHGATE_BENCH_KEEP")) where = keep;
    base = where / "base.json";
    cand = where / "cand.json";
    platform::write_file_atomic(base, make_file(false));
    platform::write_file_atomic(cand, make_file(true));
  }
};

const Files& files() {
  static const Files f;
  return f;
}

// The whole `benchgate diff --format text`: read, parse, test, render.
void BM_DiffEndToEnd(benchmark::State& state) {
  const auto& f = files();
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto r = gate::diff_files(f.base, f.cand, {});
    const std::string text = report::render_diff(r, report::DiffFormat::kText);
    benchmark::DoNotOptimize(text.data());
    bytes = text.size();
    if (r.verdicts.size() != 3 * kBenchmarks) state.SkipWithError("unexpected verdict count");
  }
  state.counters["output_bytes"] = static_cast<double>(bytes);
  state.counters["input_MiB"] =
      static_cast<double>(fs::file_size(f.base) + fs::file_size(f.cand)) / (1 << 20);
}
BENCHMARK(BM_DiffEndToEnd)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ParseOneFile(benchmark::State& state) {
  const std::string text = platform::read_file(files().base);
  for (auto _ : state) {
    auto g = gbench::parse_gbench(text, "base.json");
    benchmark::DoNotOptimize(g.rows.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseOneFile)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_TestAndRender(benchmark::State& state) {
  const auto base = gbench::read_gbench(files().base);
  const auto cand = gbench::read_gbench(files().cand);
  for (auto _ : state) {
    const auto r = gate::diff_gbench(base, cand, {});
    benchmark::DoNotOptimize(report::render_diff(r, report::DiffFormat::kText).data());
  }
}
BENCHMARK(BM_TestAndRender)->Unit(benchmark::kMillisecond)->UseRealTime();

// The tests alone (4000 gated U tests + Hodges-Lehmann + Holm, 2000 counters).
void BM_Test(benchmark::State& state) {
  const auto base = gbench::read_gbench(files().base);
  const auto cand = gbench::read_gbench(files().cand);
  for (auto _ : state) {
    const auto r = gate::diff_gbench(base, cand, {});
    benchmark::DoNotOptimize(r.verdicts.data());
  }
}
BENCHMARK(BM_Test)->Unit(benchmark::kMillisecond)->UseRealTime();

// Each rendering alone (arg: 0 text, 1 json, 2 md).
void BM_Render(benchmark::State& state) {
  const auto r = gate::diff_files(files().base, files().cand, {});
  const report::DiffFormat formats[] = {report::DiffFormat::kText, report::DiffFormat::kJson,
                                        report::DiffFormat::kMarkdown};
  const auto format = formats[state.range(0)];
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = report::render_diff(r, format);
    benchmark::DoNotOptimize(text.data());
    bytes = text.size();
  }
  state.counters["output_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Render)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
