#include "cli/merge_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "cli/common.h"
#include "config/suite.h"
#include "core/error.h"
#include "results/json.h"
#include "runner/shard.h"
#include "runner/suite_runner.h"

namespace benchgate::cli {

namespace fs = std::filesystem;

CLI::App* add_merge_command(CLI::App& app, MergeOptions& o) {
  auto* c = app.add_subcommand(
      "merge",
      "Merge the results of `run --shard I/N` jobs, gate the whole family and write every "
      "report as `run` does");
  c->add_option("results", o.results, "Every shard's results.json")->required();
  c->add_option("--out", o.out, "Folder for the merged results.json and the reports")->required();
  c->add_option("--baseline", o.baseline,
                "Gate against this stored baseline (each shard's testbed is checked against it)")
      ->envname("BENCHGATE_BASELINE");
  c->add_flag("--no-color", o.no_color, "No ANSI colours")->envname("NO_COLOR");
  return c;
}

int run_merge(const MergeOptions& o) {
  const fs::path out = o.out;
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec)) {
    throw UsageError(fmt::format("--out {}: exists and is not a folder", o.out));
  }
  std::vector<runner::ShardInput> inputs;
  for (const auto& file : o.results) {
    // The merged results.json must not replace a shard's.
    if (fs::exists(out / "results.json", ec) && fs::exists(file, ec) &&
        fs::equivalent(out / "results.json", file, ec)) {
      throw UsageError(fmt::format(
          "--out {}: would overwrite {}, a shard's results; give the merge its own folder", o.out,
          file));
    }
    inputs.push_back({file, results::read_results(file)});  // a bad file: exit 2 naming it
  }
  auto source_suite = inputs.front().results.suite;
  const auto origin = inputs.front().file + ": /suite";
  const auto suite = config::suite_from_json(source_suite, origin);
  const auto source = runner::GateSource::load(o.baseline, runner::has_ab_roles(suite));
  auto merged = runner::merge_shards(std::move(inputs), out,
                                     source.baseline ? &source.baseline->testbed : nullptr);
  fs::create_directories(out);
  std::cerr << fmt::format("benchgate: merged {} shards ({} runs of {} planned), status {}\n",
                           merged.shard.value("total", 0), merged.runs.size(), merged.planned_runs,
                           merged.status);
  runner::ReportTarget target{out, !o.no_color && stdout_is_tty(), &std::cout};
  return runner::gate_and_report(std::move(merged), suite.gate, source, target);
}

}  // namespace benchgate::cli
