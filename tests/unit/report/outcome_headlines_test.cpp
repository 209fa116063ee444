// Every headline, in every output, for every outcome (gate/outcome.h): the console outcome
// line, the summary.md title, the report.html pill, GITHUB_OUTPUT's status, the JUnit
// properties and outcome test case, the OpenMetrics outcome. One golden file,
// tests/golden/headlines.txt, so a reviewer sees them side by side; and the invariant that
// ✅ / "pass" appear only where the exit code is 0 and the outcome is a pass.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures.h"
#include "report/console.h"
#include "report/github.h"
#include "report/html.h"
#include "report/junit.h"
#include "report/markdown.h"
#include "report/openmetrics.h"

namespace benchgate::report {
namespace {

using gate::Verdict;
using namespace testing;

// The sample results without their failed run and invalid period: a clean run to start from.
results::ResultsFile clean_results() {
  auto r = load_results();
  std::vector<results::RunRecord> ok;
  for (auto& run : r.runs) {
    if (run.status != "ok") continue;
    bool good = true;
    for (const auto& p : run.periods)
      good = good && p.status == "ok";
    if (good) ok.push_back(run);
  }
  r.runs = ok;
  r.status = "complete";
  r.planned_runs = static_cast<int>(ok.size());
  return r;
}

// The sample gate with every verdict set to v (gated ones only).
gate::GateResult gate_all(Verdict v, const std::string& cause = "") {
  auto g = load_gate();
  for (auto& m : g.verdicts) {
    if (!m.gated) continue;
    m.verdict = v;
    m.cause = v == Verdict::kInconclusive ? cause : "";
  }
  return g;
}

struct Case {
  std::string name;
  std::function<ReportModel()> make;
};

ReportModel model(results::ResultsFile r, std::optional<gate::GateResult> g) {
  ReportOptions o;
  o.out_dir = data_dir();
  return build_model(std::move(r), std::move(g), o);
}

std::vector<Case> cases() {
  return {
      {"pass", [] { return model(clean_results(), gate_all(Verdict::kUnchanged)); }},
      {"regressed",
       [] {
         auto g = gate_all(Verdict::kUnchanged);
         g.verdicts[0].verdict = Verdict::kRegressed;
         g.verdicts[1].verdict = Verdict::kRegressed;
         return model(clean_results(), g);
       }},
      {"regressed, --warn-only",
       [] {
         auto r = clean_results();
         r.suite["gate"] = {{"warn_only", true}};
         auto g = gate_all(Verdict::kUnchanged);
         g.verdicts[0].verdict = Verdict::kRegressed;
         return model(r, g);
       }},
      {"undecided: no baseline yet",
       [] {
         gate::GateResult g;
         g.mode = "baseline";
         g.baseline_source = "baselines/main.json";
         g.no_baseline = true;
         g.notes.push_back("no baseline yet: baselines/main.json does not exist");
         return model(clean_results(), g);
       }},
      {"undecided: testbed mismatch",
       [] {
         auto g = gate_all(Verdict::kNotComparable);
         g.mode = "baseline";
         g.testbed_match = false;
         return model(clean_results(), g);
       }},
      {"undecided: too few pairs",
       [] {
         auto g = gate_all(Verdict::kInconclusive, "too_few_runs");
         g.notes = {
             "3 pairs cannot reach α = 0.05 with Holm over 8 tests (smallest possible p "
             "0.125); at least 9 pairs are needed"};
         return model(clean_results(), g);
       }},
      {"undecided: every verdict inconclusive",
       [] { return model(clean_results(), gate_all(Verdict::kInconclusive, "wide_ci")); }},
      {"undecided: some verdicts inconclusive",
       [] {
         auto g = gate_all(Verdict::kUnchanged);
         g.verdicts[2].verdict = Verdict::kInconclusive;
         g.verdicts[2].cause = "not_significant";
         return model(clean_results(), g);
       }},
      {"undecided: nothing compared",
       [] {
         gate::GateResult g;
         g.mode = "ab";
         g.notes.push_back(
             "A/B gate needs exactly one app with role \"baseline\" and at least one with role "
             "\"candidate\" (found 0 baseline, 2 candidate): nothing compared");
         return model(clean_results(), g);
       }},
      {"run failed (the sample's crashed run and invalid period)",
       [] { return model(load_results(), gate_all(Verdict::kUnchanged)); }},
      {"partial (killed: status running)",
       [] {
         auto r = clean_results();
         r.status = "running";
         r.planned_runs = static_cast<int>(r.runs.size()) + 6;
         return model(r, std::nullopt);
       }},
      {"interrupted",
       [] {
         auto r = clean_results();
         r.status = "interrupted";
         return model(r, std::nullopt);
       }},
      {"not gated", [] { return model(clean_results(), std::nullopt); }},
  };
}

std::string first_match(const std::string& text, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m.str(0) : "<none>";
}

std::string headlines(const ReportModel& m) {
  std::string out;
  std::ostringstream console;
  write_outcome(m, console);
  out += "console:     " + console.str();
  const auto md = render_markdown(m);
  out += "summary.md:  " + first_match(md, "### [^\n]*") + "\n";
  std::ostringstream html;
  write_html(m, html);
  out += "report.html: " + first_match(html.str(), "<span class=\"status[^\n]*</span>") + "\n";
  const auto gh = github_outputs(m, {});
  out += "GITHUB_OUTPUT: " + first_match(gh, "status=[^\n]*") + " " +
         first_match(gh, "exit-code=[^\n]*") + "\n";
  std::ostringstream junit;
  write_junit(m, junit);
  const std::string j = junit.str();
  out += "junit.xml:   " + first_match(j, "<testsuite [^>]*") + ">\n";
  out += "             " + first_match(j, "<property name=\"benchgate.status\"[^>]*>") + "\n";
  out +=
      "             " +
      first_match(j, "<(failure|error) type=\"benchgate.(Undecided|Partial|Interrupted)\"[^>]*>") +
      "\n";
  std::ostringstream om;
  write_openmetrics(m, om);
  out += "metrics.txt: " + first_match(om.str(), "benchgate_outcome\\{[^\n]*") + "\n";
  return out;
}

TEST(OutcomeHeadlines, GoldenForEveryOutcome) {
  std::string all;
  for (const auto& c : cases()) {
    const auto m = c.make();
    all += fmt::format("== {} → exit {}\n", c.name, static_cast<int>(m.outcome.exit_code));
    all += headlines(m) + "\n";
  }
  expect_golden("headlines.txt", mask(all));
}

TEST(OutcomeHeadlines, PassIsSaidOnlyForAPass) {
  for (const auto& c : cases()) {
    const auto m = c.make();
    const std::string h = headlines(m);
    const bool pass = m.outcome.kind == gate::OutcomeKind::kPass;
    EXPECT_EQ(pass, h.find("✅") != std::string::npos) << c.name << "\n" << h;
    EXPECT_EQ(pass, h.find("status=pass") != std::string::npos) << c.name << "\n" << h;
    EXPECT_EQ(pass, h.find("class=\"status pass\"") != std::string::npos) << c.name;
    if (pass) {
      EXPECT_EQ(m.outcome.exit_code, ExitCode::kOk) << c.name;
    }
    // A JUnit view is green only for exit 0.
    const bool junit_red = h.find("failures=\"0\"") == std::string::npos ||
                           h.find("errors=\"0\"") == std::string::npos;
    if (m.outcome.exit_code != ExitCode::kOk) {
      EXPECT_TRUE(junit_red) << c.name << "\n" << h;
    }
    if (pass) {
      EXPECT_FALSE(junit_red) << c.name << "\n" << h;
    }
  }
}

TEST(OutcomeHeadlines, CountsAgreeAcrossOutputs) {
  // Informational rows are counted apart everywhere; the gated counts are the same numbers.
  auto g = gate_all(Verdict::kUnchanged);
  g.verdicts[0].verdict = Verdict::kRegressed;
  g.verdicts[1].verdict = Verdict::kRegressed;
  g.verdicts[1].gated = false;  // an informational "regressed"
  const auto m = model(clean_results(), g);
  EXPECT_EQ(m.count(Verdict::kRegressed), 1);
  EXPECT_EQ(m.outcome.tally.informational, g.informational());
  EXPECT_GE(g.informational(), 1);
  const auto md = render_markdown(m);
  EXPECT_NE(md.find("❌ 1 regressed"), std::string::npos) << md.substr(0, 600);
  const auto gh = github_outputs(m, {});
  EXPECT_NE(gh.find("regressions=1\n"), std::string::npos) << gh;
  std::ostringstream junit;
  write_junit(m, junit);
  EXPECT_NE(junit.str().find("failures=\"1\""), std::string::npos);
  std::ostringstream om;
  write_openmetrics(m, om);
  EXPECT_NE(om.str().find("benchgate_verdicts{verdict=\"regressed\"} 1"), std::string::npos);
  std::ostringstream console;
  write_verdict_table(m, console);
  EXPECT_NE(console.str().find("1 regressed"), std::string::npos) << console.str();
  EXPECT_NE(console.str().find("(regressed)"), std::string::npos) << console.str();
  EXPECT_NE(console.str().find(" raw"), std::string::npos);
}

}  // namespace
}  // namespace benchgate::report
