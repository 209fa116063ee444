#include "cli/offline_commands.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/common.h"
#include "cli/summary.h"
#include "config/suite.h"
#include "core/error.h"
#include "core/parse.h"
#include "gate/baseline.h"
#include "gate/diff.h"
#include "gate/outcome.h"
#include "gbench/reader.h"
#include "gbench/writer.h"
#include "platform/fs.h"
#include "report/diff.h"
#include "report/report.h"
#include "report/run_warnings.h"
#include "results/json.h"

namespace benchgate::cli {

namespace fs = std::filesystem;

void add_offline_commands(CLI::App& app, OfflineCommands& c) {
  auto* r = app.add_subcommand("report", "Re-render every report from a stored results.json");
  r->add_option("results", c.report.results, "results.json")->required();
  r->add_option("--out", c.report.out, "Folder for the reports (default: the results' folder)");
  r->add_flag("--no-color", c.report.no_color, "No ANSI colours");
  r->add_flag("--allow-partial", c.report.allow_partial,
              "Use results that are not complete (killed, interrupted or failed runs); every "
              "report says \"partial\"");
  c.report_cmd = r;

  auto* d = app.add_subcommand(
      "diff", "Gate two stored files (benchgate results, baselines or Google Benchmark JSON)");
  d->add_option("base", c.diff.base, "Baseline file")->required();
  d->add_option("candidate", c.diff.candidate, "Candidate file")->required();
  d->add_option("--format", c.diff.format, "text | json | md")
      ->check(CLI::IsMember({"text", "json", "md", "markdown"}));
  d->add_option("-o,--output", c.diff.output, "Write the rendering to this file");
  d->add_option("--alpha", c.diff.alpha, "Family-wise significance level (default 0.05)");
  d->add_option("--min-effect", c.diff.min_effect,
                "Min effect for Google Benchmark times, e.g. 5% (default 5%)");
  d->add_flag("--warn-only", c.diff.warn_only, "Report regressions but exit 0");
  d->add_option("--testbed-mismatch", c.diff.testbed_mismatch, "error | warn")
      ->check(CLI::IsMember({"error", "warn"}));
  d->add_flag("--allow-partial", c.diff.allow_partial,
              "Use results that are not complete (killed, interrupted or failed runs); every "
              "report says \"partial\"");
  c.diff_cmd = d;

  auto* b = app.add_subcommand("baseline", "Manage baseline files");
  b->require_subcommand(1);
  auto* bu = b->add_subcommand("update", "Write a baseline from results (atomically)");
  bu->add_option("--from", c.baseline.from, "results.json of a complete, successful run")
      ->capture_default_str();
  bu->add_option("--to", c.baseline.to, "Baseline file to write")->capture_default_str();
  bu->add_flag("--allow-partial", c.baseline.allow_partial,
               "Write a baseline from results that are not complete (their successful runs)");
  bu->add_option("--history", c.baseline.history,
                 "Past baselines kept in the file's history, for report.html's history charts: "
                 "the baseline being replaced is added, the oldest dropped (0: no history)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{100000}));
  c.baseline_cmd = b;
  c.baseline_update_cmd = bu;

  auto* v = app.add_subcommand("validate", "Check a suite, results or baseline file");
  v->add_option("file", c.validate.file, "benchgate.toml, results.json or a baseline");
  v->add_option("--print-schema", c.validate.print_schema, "Print a bundled JSON Schema")
      ->check(CLI::IsMember({"results", "baseline", "suite"}));
  c.validate_cmd = v;

  auto* e = app.add_subcommand("export", "Convert results to other formats");
  e->add_option("results", c.exp.results, "results.json")->required();
  e->add_flag("--gbench", c.exp.gbench, "Google Benchmark JSON (readable by compare.py)")
      ->required();
  e->add_option("-o,--output", c.exp.output, "Output file (default: stdout)");
  c.export_cmd = e;
}

namespace {

int run_report(const ReportOptions& o) {
  auto results = results::read_results(o.results);
  results::require_complete(results, o.results, o.allow_partial);  // exit 2 unless allowed
  std::optional<gate::GateResult> verdicts;
  if (results.gate.is_object()) {
    try {
      verdicts = gate::gate_result_from_json(results.gate);
    } catch (const std::exception& e) {
      throw ConfigError(fmt::format("{}: /gate: {}", o.results, e.what()));
    }
  }
  const fs::path out = o.out.empty() ? fs::path(o.results).parent_path() : fs::path(o.out);
  report::ReportOptions ro;
  ro.out_dir = out.empty() ? fs::path(".") : out;
  auto model = report::build_model(results, verdicts, ro);
  const auto written = report::write_all(model, ro.out_dir);
  // The same CI integration as `run`: step summary, step outputs, annotations.
  auto github = [&] {
    report::github_integrate(model, report::render_markdown(model), written.named(),
                             report::process_env(), std::cout);
  };
  if (results.command == "drive") {
    // The report `drive` printed: one run over its load points, not a table of iterations.
    print_drive_summary(std::cout, results);
    std::cout << fmt::format("reports: {}\n", ro.out_dir.string());
    github();
    return static_cast<int>(runs_exit_code(results));
  }
  report::ConsoleOptions co;
  co.color = !o.no_color && stdout_is_tty();
  report::write_results_table(model, std::cout, co);
  if (verdicts) report::write_verdict_table(model, std::cout, co);
  report::write_problems(model, std::cout, co);
  report::write_run_warnings(model, std::cout, co);
  report::write_outcome(model, std::cout, co);
  std::cout << fmt::format("\nreports: {}\n", ro.out_dir.string());
  github();
  // The exit code `run` returned (the model honours the recorded --warn-only).
  return static_cast<int>(model.outcome.exit_code);
}

int run_diff(const DiffOptions& o) {
  results::GateSettings s;
  if (!o.alpha.empty()) s.alpha = parse_alpha_flag("--alpha", o.alpha);
  if (!o.min_effect.empty()) {
    const double me = with_context("--min-effect", [&] { return parse_percent(o.min_effect); });
    if (!(me >= 0)) throw UsageError("--min-effect: expected a non-negative percentage");
    s.metrics["real_time"].min_effect_rel = me;
    s.metrics["cpu_time"].min_effect_rel = me;
  }
  s.warn_only = o.warn_only;
  if (!o.testbed_mismatch.empty()) s.testbed_mismatch = o.testbed_mismatch;
  const auto format = report::diff_format_from_name(o.format);
  auto result = gate::diff_files(o.base, o.candidate, s, o.allow_partial);
  const auto text = report::render_diff(result, format, o.warn_only);
  if (o.output.empty()) {
    std::cout << text;
    if (!text.empty() && text.back() != '\n') std::cout << '\n';
  } else {
    platform::write_file_atomic(o.output, text);
  }
  // The same CI integration as `run` (docs/ci.md): the Markdown rendering as the step summary,
  // the counts and the outcome as step outputs, annotations for the regressions. Annotations go
  // to stderr, so a JSON rendering on stdout stays valid.
  results::ResultsFile none;
  none.name = "diff";
  none.status = "complete";
  auto model = report::build_model(std::move(none), result);
  model.outcome = gate::decide_outcome(nullptr, &result, o.warn_only);
  report::NamedPaths paths;
  if (!o.output.empty()) paths.emplace_back("diff", o.output);
  report::github_integrate(
      model,
      format == report::DiffFormat::kMarkdown
          ? text
          : report::render_diff(result, report::DiffFormat::kMarkdown, o.warn_only),
      paths, report::process_env(), std::cerr);
  return static_cast<int>(model.outcome.exit_code);
}

int run_baseline_update(const BaselineOptions& o) {
  // The results would be overwritten by the baseline made from them: refuse (also through a
  // symbolic link, a hard link or another spelling of the path).
  std::error_code ec;
  if (fs::exists(o.to, ec) && fs::exists(o.from, ec) && fs::equivalent(o.to, o.from, ec)) {
    throw UsageError(
        fmt::format("baseline update: --to {} is the same file as --from {}; the results would be "
                    "overwritten (give the baseline its own path, such as baselines/main.json)",
                    o.to, o.from));
  }
  if (fs::is_directory(o.to, ec)) {
    throw UsageError(fmt::format(
        "baseline update: --to {}: is a directory (expected the baseline file to write, such "
        "as {})",
        o.to, (fs::path(o.to) / "main.json").string()));
  }
  auto results = results::read_results(o.from);
  auto b = gate::update_baseline(results, o.to, o.from, o.allow_partial, o.history);
  std::cout << fmt::format(
      "baseline {} written from {} ({} series, {} past baseline{} in its "
      "history)\n",
      o.to, o.from, b.series.size(), b.history.size(), b.history.size() == 1 ? "" : "s");
  return 0;
}

int run_validate(const ValidateOptions& o) {
  if (!o.print_schema.empty()) {
    std::cout << results::schema_text(o.print_schema);
    return 0;
  }
  if (o.file.empty()) throw UsageError("validate: expected a file (or --print-schema NAME)");
  const fs::path p = o.file;
  if (p.extension() == ".toml") {
    auto suite = config::parse_suite_file(p, "");
    std::cout << fmt::format("{}: valid suite ({} apps, {} scenarios)\n", o.file, suite.apps.size(),
                             suite.scenarios.size());
    return 0;
  }
  auto j = results::read_json_file(p, true);
  std::string kind;
  if (j.is_object()) {
    if (auto it = j.find("kind"); it != j.end()) {
      if (!it->is_string()) {
        throw ConfigError(fmt::format(
            "{}: /kind: expected a string (\"benchgate.results\" or \"benchgate.baseline\"), "
            "got {}",
            o.file, it->type_name()));
      }
      kind = it->get<std::string>();
    }
  }
  if (kind == "benchgate.results") {
    auto r = results::results_from_json(j, o.file);
    const std::string why = results::incomplete_reason(r);
    std::string outcome;
    if (r.outcome.is_object()) {
      outcome = fmt::format(", outcome {} (exit {})", r.outcome.value("status", "?"),
                            r.outcome.value("exit_code", -1));
    }
    std::cout << fmt::format("{}: valid results ({} runs), status {}{}{}\n", o.file, r.runs.size(),
                             r.status, outcome, why.empty() ? "" : " — not complete: " + why);
  } else if (kind == "benchgate.baseline") {
    auto b = gate::baseline_from_json(j, o.file);
    std::cout << fmt::format("{}: valid baseline ({} series)\n", o.file, b.series.size());
  } else if (j.is_object() && j.contains("benchmarks")) {
    auto g = gbench::read_gbench(p);
    std::cout << fmt::format("{}: valid Google Benchmark JSON ({} rows)\n", o.file, g.rows.size());
  } else {
    throw ConfigError(
        fmt::format("{}: not a benchgate suite, results or baseline file, nor "
                    "Google Benchmark JSON",
                    o.file));
  }
  return 0;
}

int run_export(const ExportOptions& o) {
  auto results = results::read_results(o.results);
  if (o.output.empty()) {
    std::cout << gbench::gbench_text(results);
  } else {
    gbench::write_gbench(results, o.output);
  }
  return 0;
}

}  // namespace

int run_offline_commands(const OfflineCommands& c) {
  if (c.report_cmd->parsed()) return run_report(c.report);
  if (c.diff_cmd->parsed()) return run_diff(c.diff);
  if (c.baseline_update_cmd->parsed()) return run_baseline_update(c.baseline);
  if (c.validate_cmd->parsed()) return run_validate(c.validate);
  if (c.export_cmd->parsed()) return run_export(c.exp);
  return -1;
}

}  // namespace benchgate::cli
