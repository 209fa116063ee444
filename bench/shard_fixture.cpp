// Writes the results of a sharded run of a large suite without running it, for
// bench/shard-merge.sh: the suite file, then one folder per shard holding the results.json
// `benchgate run --shard I/N` would write (the real plan and partition of that suite, its runs
// filled with generated measurements: driver, latency percentiles, app usage, 10 trace
// samples per series, derived metrics). The candidate is 3 % slower in every fifth scenario.
//
//   shard-fixture OUT_DIR SCENARIOS LOAD_POINTS ITERATIONS SHARDS

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "config/suite.h"
#include "matrix/matrix.h"
#include "results/json.h"
#include "runner/runner.h"
#include "runner/shard.h"

namespace bg = benchgate;
namespace fs = std::filesystem;

namespace {

std::string suite_text(int scenarios, int points, int iterations) {
  std::string t = fmt::format(
      "name = \"bench-sharded\"\n[defaults]\nduration = \"2s\"\nwarmup = \"500ms\"\n"
      "iterations = {}\nseed = 11\n"
      "[[app]]\nlabel = \"main\"\nrole = \"baseline\"\ncommand = [\"./server\"]\n"
      "[[app]]\nlabel = \"pr\"\nrole = \"candidate\"\ncommand = [\"./server-pr\"]\n",
      iterations);
  for (int s = 0; s < scenarios; ++s) {
    std::string clients;
    for (int p = 0; p < points; ++p)
      clients += fmt::format("{}{}", p ? ", " : "", 8 << p);
    t += fmt::format(
        "[[scenario]]\nname = \"s{:03}\"\nurl = \"http://127.0.0.1:8080/s{:03}\"\n"
        "clients = [{}]\n",
        s, s, clients);
  }
  return t;
}

double jitter(bg::matrix::SplitMix64& rng) {
  return 1.0 + (static_cast<double>(rng.next() >> 11) / 9007199254740992.0 - 0.5) * 0.02;
}

bg::results::RunRecord record_of(const bg::matrix::Run& r, bg::matrix::SplitMix64& rng) {
  bg::FakeClock clock;
  bg::results::RunRecord rec = bg::runner::new_run_record(r, clock);
  rec.started_at = 1.7e9 + r.sequence * 12.0;
  rec.elapsed_s = 11.5;
  rec.startup.measured = true;
  rec.startup.time_to_ready_s = 0.05 * jitter(rng);
  rec.startup.idle_rss = 12 << 20;
  rec.metrics["startup_time"] = rec.startup.time_to_ready_s;
  rec.metrics["idle_rss"] = static_cast<double>(rec.startup.idle_rss);
  rec.termination.description = "terminated by SIGTERM as expected";
  rec.artifacts.push_back({"app-log", fmt::format("artifacts/{}/app.log", r.id), "app output"});
  const bool slower = r.app.role == "candidate" && r.scenario_index % 5 == 0;
  for (const auto& pt : r.points) {
    bg::results::PeriodResult p;
    p.point = pt;
    auto& d = p.driver;
    d.driver = "builtin";
    d.duration_s = 2.0;
    d.throughput = 50000.0 * jitter(rng) * (slower ? 0.97 : 1.0) / (1 + pt.clients / 256.0);
    d.requests = static_cast<std::int64_t>(d.throughput * 2);
    d.status_codes["200"] = d.requests;
    d.bytes_read = d.requests * 150.0;
    d.bytes_written = d.requests * 80.0;
    d.trace_interval_s = 0.2;
    for (int i = 0; i < 10; ++i)
      d.throughput_trace.push_back(d.throughput * jitter(rng));
    auto& l = d.latency;
    l.count = d.requests;
    l.min = 2e-5;
    l.mean = pt.clients / d.throughput;
    l.max = l.mean * 20;
    l.stdev = l.mean / 2;
    const char* keys[] = {"50", "75", "90", "99", "99.9", "99.99"};
    double f = 0.9;
    for (const char* k : keys) {
      l.percentiles[k] = l.mean * f * jitter(rng) * (slower ? 1.03 : 1.0);
      f *= 1.6;
    }
    d.raw_output = fmt::format("artifacts/{}/{}.json", r.id, pt.clients);
    auto& a = p.app;
    a.duration_s = 2.0;
    a.cpu_user_s = 1.4 * jitter(rng);
    a.cpu_sys_s = 0.5 * jitter(rng);
    a.cpu_percent = (a.cpu_user_s + a.cpu_sys_s) / 2 * 100;
    a.rss_start = 20 << 20;
    a.rss_end = a.rss_start + 4096;
    a.rss_peak = a.rss_end + 8192;
    a.processes = 1;
    a.threads_max = 4;
    a.traces.interval_s = 0.2;
    for (int i = 0; i < 10; ++i) {
      a.traces.t.push_back(0.2 * i);
      a.traces.series["rss_total"].push_back(static_cast<double>(a.rss_start + i * 400));
      a.traces.series["cpu_percent"].push_back(a.cpu_percent * jitter(rng));
      a.traces.series["threads"].push_back(4);
    }
    bg::results::derive_metrics(p);
    rec.periods.push_back(std::move(p));
  }
  return rec;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: shard-fixture OUT_DIR SCENARIOS LOAD_POINTS ITERATIONS SHARDS\n";
    return 2;
  }
  const fs::path out = argv[1];
  const int scenarios = std::atoi(argv[2]), points = std::atoi(argv[3]),
            iterations = std::atoi(argv[4]), shards = std::atoi(argv[5]);
  fs::create_directories(out);
  const auto text = suite_text(scenarios, points, iterations);
  std::ofstream(out / "suite.toml") << text;
  bg::matrix::SplitMix64 rng(5);
  for (int s = 1; s <= shards; ++s) {
    auto suite = bg::config::parse_suite_text(text, (out / "suite.toml").string(), "");
    const auto sharded =
        bg::runner::plan_shard(suite, bg::runner::ShardSpec{s, shards, "shard-fixture"});
    bg::results::ResultsFile r;
    r.tool_version = "bench";
    r.command = "run";
    r.status = "complete";
    r.name = suite.name;
    r.started_at = "2026-12-05T00:00:00Z";
    r.finished_at = "2026-12-05T02:00:00Z";
    r.suite = bg::config::suite_to_json(suite);
    r.order.seed = sharded.plan.seed;
    r.order.sequence = sharded.plan.sequence();
    r.planned_runs = static_cast<int>(sharded.plan.runs.size());
    r.machine = {{"host_name", fmt::format("runner-{}", s)}};
    r.testbed.cpu_model = "bench CPU";
    r.testbed.num_cpus = 8;
    r.testbed.fingerprint = "0123456789abcdef";
    r.shard = sharded.record;
    for (const auto& run : sharded.plan.runs)
      r.runs.push_back(record_of(run, rng));
    const auto dir = out / fmt::format("shard-{}", s);
    fs::create_directories(dir);
    bg::results::write_results(r, dir / "results.json");
  }
  std::cout << fmt::format(
      "{}: {} scenarios × {} load points = {} cells, {} iterations, {} shards\n", out.string(),
      scenarios, points, scenarios * points, iterations, shards);
  return 0;
}
