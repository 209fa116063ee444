// Profilers end to end: `benchgate drive --profile NAME` (and the suite key) on the example
// server, with the real perf / valgrind, and the failure paths (tool missing, recording
// refused) that must leave the run measured and the exit code untouched.

#include "profilers/profiler.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "platform/fs.h"
#include "results/json.h"
#include "test_support.h"

namespace benchgate {
namespace {

namespace fs = std::filesystem;
using testing::benchgate_binary;
using testing::free_port;
using testing::hello_server_binary;
using testing::read_text;
using testing::run_command;

/// Why perf cannot record an attached process here; empty when it can.
std::string perf_unusable() {
  if (!platform::find_executable("perf"))
    return "perf is not installed (apt-get install linux-perf)";
  profilers::ProfilerContext ctx;
  if (auto p = profilers::perf_permission_problem(profilers::Attachment::kAttach, false, ctx)) {
    return "perf cannot record here: " + *p;
  }
  return "";
}

std::string chromium_binary() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    if (auto p = platform::find_executable(name)) return p->string();
  }
  return "";
}

bool any_symbol_contains(const results::ProfileSummary& p, const std::string& word) {
  return std::any_of(p.top_symbols.begin(), p.top_symbols.end(),
                     [&](const auto& e) { return e.name.find(word) != std::string::npos; });
}

std::string symbols(const results::ProfileSummary& p) {
  std::string s;
  for (const auto& e : p.top_symbols)
    s += "  " + e.name + " " + std::to_string(e.share) + "\n";
  return s;
}

const results::Artifact* artifact(const results::ProfileSummary& p, const std::string& kind) {
  for (const auto& a : p.artifacts) {
    if (a.kind == kind) return &a;
  }
  return nullptr;
}

class ProfilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = std::make_unique<platform::TempDir>("bg-profile");
    port_ = free_port();
    url_ = "http://127.0.0.1:" + std::to_string(port_) + "/plaintext";
  }

  std::vector<std::string> drive_args(const std::string& app, std::vector<std::string> extra) {
    std::vector<std::string> a = {benchgate_binary().string(),
                                  "drive",
                                  "--name",
                                  "t",
                                  "--app",
                                  app,
                                  "--url",
                                  url_,
                                  "--out",
                                  out().string(),
                                  "--clients",
                                  "2",
                                  "--duration",
                                  "2s",
                                  "--warmup",
                                  "0s",
                                  "--interval",
                                  "100ms"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  std::string hello(const std::string& extra) {
    return hello_server_binary().string() + " --port " + std::to_string(port_) + " " + extra;
  }

  fs::path out() const { return tmp_->path() / "out"; }

  /// The one run, schema-validated; the measurement itself must be intact.
  results::RunRecord measured_run() {
    auto rf = results::read_results(out() / "results.json");
    EXPECT_EQ(rf.runs.size(), 1u);
    if (rf.runs.empty()) return {};
    const auto run = rf.runs[0];
    EXPECT_EQ(run.status, "ok") << run.failure;
    EXPECT_TRUE(run.termination.expected) << run.termination.description;
    EXPECT_EQ(run.periods.size(), 1u);
    for (const auto& p : run.periods) {
      EXPECT_EQ(p.status, "ok") << p.reason;
      EXPECT_GT(p.driver.requests, 0);
    }
    EXPECT_FALSE(testing::port_open(port_)) << "the server must be stopped";
    return run;
  }

  std::unique_ptr<platform::TempDir> tmp_;
  int port_ = 0;
  std::string url_;
};

TEST_F(ProfilerTest, PerfNamesTheServersBusyWorkFunction) {
  if (auto why = perf_unusable(); !why.empty()) GTEST_SKIP() << why;
  auto r = run_command(drive_args(hello("--work-us 20"), {"--profile", "perf"}), tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto run = measured_run();
  ASSERT_TRUE(run.profile);
  const auto& prof = *run.profile;
  EXPECT_EQ(prof.profiler, "perf");
  ASSERT_EQ(prof.status, "ok") << prof.reason << "\n" << r.err;
  const auto* report = artifact(prof, "perf-report");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->path.rfind("artifacts/run/", 0), 0u) << report->path;
  EXPECT_GT(fs::file_size(out() / report->path), 0u);
  ASSERT_TRUE(artifact(prof, "perf-data"));
  EXPECT_TRUE(fs::exists(out() / artifact(prof, "perf-data")->path));
  // hello-server's own busy-work function (examples/hello_server.cpp: spin) is a top symbol.
  EXPECT_TRUE(any_symbol_contains(prof, "spin")) << symbols(prof);
  // The period carries the same profile; the console summary names it.
  ASSERT_TRUE(run.periods.at(0).profile);
  EXPECT_EQ(run.periods[0].profile->status, "ok");
  EXPECT_NE(r.out.find("profile perf: ok"), std::string::npos) << r.out;
}

// compare takes every profiler drive takes (it had no --profiler): a flame graph per run,
// through the same option table.
TEST_F(ProfilerTest, CompareWithFlameProfiler) {
  if (auto why = perf_unusable(); !why.empty()) GTEST_SKIP() << why;
  auto r = run_command({benchgate_binary().string(),
                        "compare",
                        hello("--work-us 20") + ",label=a",
                        "--url",
                        url_,
                        "--clients",
                        "2",
                        "--iterations",
                        "1",
                        "--duration",
                        "2s",
                        "--warmup",
                        "0s",
                        "--interval",
                        "100ms",
                        "--profiler",
                        "flame",
                        "--out",
                        out().string(),
                        "--no-color"},
                       tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto run = measured_run();
  EXPECT_EQ(run.app, "a");
  ASSERT_TRUE(run.profile);
  const auto& prof = *run.profile;
  EXPECT_EQ(prof.profiler, "flame");
  ASSERT_EQ(prof.status, "ok") << prof.reason << "\n" << r.err;
  const auto* svg = artifact(prof, "flamegraph");
  ASSERT_TRUE(svg);
  EXPECT_NE(read_text(out() / svg->path).find("spin"), std::string::npos)
      << "the busy-work function is a frame";
  const auto rf = results::read_results(out() / "results.json");
  EXPECT_EQ(rf.suite.at("defaults").value("profiler", ""), "flame") << rf.suite.dump();
}

TEST_F(ProfilerTest, FlameGraphShowsTheServersFunctionsAndRendersInChromium) {
  if (auto why = perf_unusable(); !why.empty()) GTEST_SKIP() << why;
  auto r = run_command(drive_args(hello("--work-us 20"), {"--profile", "flame"}), tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto run = measured_run();
  ASSERT_TRUE(run.profile);
  const auto& prof = *run.profile;
  ASSERT_EQ(prof.status, "ok") << prof.reason << "\n" << r.err;
  const auto* svg_art = artifact(prof, "flamegraph");
  ASSERT_TRUE(svg_art);
  const fs::path svg = out() / svg_art->path;
  const auto text = read_text(svg);
  ASSERT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(text.find("spin"), std::string::npos) << "the busy-work function is a frame";
  // Frame pointers (examples/CMakeLists.txt) give the callers too: the server's event loop.
  EXPECT_NE(text.find("Loop::run"), std::string::npos) << "the server's own stack frames";
  ASSERT_TRUE(artifact(prof, "folded-stacks"));
  EXPECT_TRUE(any_symbol_contains(prof, "spin")) << symbols(prof);

  const auto browser = chromium_binary();
  if (browser.empty()) GTEST_SKIP() << "no chromium on PATH: the SVG was not opened in a browser";
  platform::TempDir profile_dir("bg-chromium");
  auto c = run_command(
      {browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
       "--disable-component-update", "--disable-sync", "--no-first-run", "--enable-logging=stderr",
       "--v=0", "--user-data-dir=" + profile_dir.path().string(), "--dump-dom",
       "file://" + svg.string()},
      tmp_->path() / "chromium", std::chrono::seconds(90));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("<svg"), std::string::npos) << c.out.substr(0, 2000);
  EXPECT_NE(c.out.find("spin"), std::string::npos);
  // An XML error makes Chromium show a <parsererror>; a script error is logged as Uncaught.
  EXPECT_EQ(c.out.find("parsererror"), std::string::npos) << c.out.substr(0, 2000);
  EXPECT_EQ(c.err.find("Uncaught"), std::string::npos) << c.err;
}

TEST_F(ProfilerTest, MassifNamesTheLeakingAllocationSite) {
  if (!platform::find_executable("valgrind")) {
    GTEST_SKIP() << "valgrind is not installed (apt-get install valgrind)";
  }
  auto r = run_command(
      drive_args(hello("--grow-bytes 64K"), {"--profile", "massif", "--ready-timeout", "60s"}),
      tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto run = measured_run();
  ASSERT_TRUE(run.profile);
  const auto& prof = *run.profile;
  EXPECT_EQ(prof.profiler, "massif");
  ASSERT_EQ(prof.status, "ok") << prof.reason << "\n" << r.err;
  ASSERT_TRUE(artifact(prof, "massif-out"));
  EXPECT_TRUE(fs::exists(out() / artifact(prof, "massif-out")->path));
  ASSERT_TRUE(artifact(prof, "massif-report"));
  EXPECT_GT(fs::file_size(out() / artifact(prof, "massif-report")->path), 0u);
  // The leak (hello_server.cpp: grow(), 64 KiB per request) is the top allocation site.
  ASSERT_FALSE(prof.top_symbols.empty());
  EXPECT_NE(prof.top_symbols[0].name.find("grow"), std::string::npos) << symbols(prof);
  EXPECT_EQ(prof.top_symbols[0].dso.rfind("hello_server.cpp:", 0), 0u) << prof.top_symbols[0].dso;
  EXPECT_GT(prof.top_symbols[0].share, 0.5) << symbols(prof);
  EXPECT_GT(prof.extra.value("peak_heap_B", 0.0), 64.0 * 1024 * 4);
  EXPECT_FALSE(run.periods.at(0).profile) << "massif profiles the whole run";
}

// A forking server: valgrind follows the master's fork (--trace-children=yes) and every process
// writes its own massif.out.<pid>; all of them are reported, none overwrites another.
TEST_F(ProfilerTest, MassifWritesOneOutputPerProcessOfAForkingApp) {
  if (!platform::find_executable("valgrind")) {
    GTEST_SKIP() << "valgrind is not installed (apt-get install valgrind)";
  }
  auto r = run_command(drive_args(hello("--workers 2 --grow-bytes 16K"),
                                  {"--profile", "massif", "--ready-timeout", "60s"}),
                       tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto run = measured_run();
  ASSERT_TRUE(run.profile);
  const auto& prof = *run.profile;
  ASSERT_EQ(prof.status, "ok") << prof.reason << "\n" << r.err;
  // Master + 2 workers: three outputs and three reports, each a different pid.
  std::vector<std::string> outs, reports;
  for (const auto& a : prof.artifacts) {
    if (a.kind == "massif-out") outs.push_back(a.path);
    if (a.kind == "massif-report") reports.push_back(a.path);
  }
  EXPECT_EQ(outs.size(), 3u) << r.err;
  EXPECT_EQ(reports.size(), 3u);
  std::sort(outs.begin(), outs.end());
  EXPECT_EQ(std::unique(outs.begin(), outs.end()), outs.end());
  for (const auto& o : outs) {
    EXPECT_TRUE(fs::exists(out() / o)) << o;
    EXPECT_NE(fs::path(o).filename().string().rfind("massif.out.", 0), std::string::npos) << o;
  }
  ASSERT_TRUE(prof.extra.contains("pids"));
  EXPECT_EQ(prof.extra["pids"].size(), 3u);
  // The summary is a worker's (they leak; the master only supervises).
  ASSERT_FALSE(prof.top_symbols.empty());
  EXPECT_NE(prof.top_symbols[0].name.find("grow"), std::string::npos) << symbols(prof);
}

// An app started through a wrapper script: valgrind follows the shell's exec into the server.
TEST_F(ProfilerTest, MassifFollowsAWrapperScriptsExec) {
  if (!platform::find_executable("valgrind")) {
    GTEST_SKIP() << "valgrind is not installed (apt-get install valgrind)";
  }
  const fs::path script = tmp_->path() / "start.sh";
  {
    std::ofstream f(script);
    f << "#!/bin/sh\nexec " << hello_server_binary().string() << " --port " << port_
      << " --grow-bytes 16K\n";
  }
  fs::permissions(script, fs::perms::owner_all);
  auto r = run_command(
      drive_args(script.string(), {"--profile", "massif", "--ready-timeout", "60s"}), tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto run = measured_run();
  ASSERT_TRUE(run.profile);
  const auto& prof = *run.profile;
  ASSERT_EQ(prof.status, "ok") << prof.reason << "\n" << r.err;
  ASSERT_TRUE(artifact(prof, "massif-out"));
  EXPECT_TRUE(fs::exists(out() / artifact(prof, "massif-out")->path));
  ASSERT_FALSE(prof.top_symbols.empty());
  EXPECT_NE(prof.top_symbols[0].name.find("grow"), std::string::npos) << symbols(prof);
}

// perf missing: the run is measured and recorded, the profile is "unavailable" with the
// reason, a warning is printed, and the exit code stays 0 (docs/suite-reference.md).
TEST_F(ProfilerTest, MissingToolLeavesTheRunMeasured) {
  const fs::path empty_bin = tmp_->path() / "empty-bin";
  fs::create_directories(empty_bin);
  auto r = run_command(drive_args(hello("--work-us 5"), {"--profile", "perf", "--duration", "1s"}),
                       tmp_->path(), std::chrono::seconds(120), {"PATH=" + empty_bin.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto run = measured_run();
  ASSERT_TRUE(run.profile);
  EXPECT_EQ(run.profile->profiler, "perf");
  EXPECT_EQ(run.profile->status, "unavailable");
  EXPECT_NE(run.profile->reason.find("'perf' was not found on PATH"), std::string::npos)
      << run.profile->reason;
  EXPECT_NE(r.err.find("warning: profiler perf is unavailable"), std::string::npos) << r.err;
  ASSERT_FALSE(run.warnings.empty());
  EXPECT_FALSE(run.periods.at(0).profile);
}

// operf missing (OProfile is not packaged in Debian 12): perf records the app and benchgate
// writes opreport's XML (-X structure) and text; the XML's counts are exactly perf's samples.
TEST_F(ProfilerTest, OprofileWithoutOperfRecordsWithPerf) {
  if (platform::find_executable("operf")) {
    GTEST_SKIP() << "operf is installed; this test covers a machine without OProfile";
  }
  if (auto why = perf_unusable(); !why.empty()) GTEST_SKIP() << why;
  auto r =
      run_command(drive_args(hello("--work-us 50"), {"--profile", "oprofile", "--duration", "2s"}),
                  tmp_->path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto run = measured_run();
  ASSERT_TRUE(run.profile);
  const auto& prof = *run.profile;
  ASSERT_EQ(prof.status, "ok") << prof.reason << "\n" << r.err;
  EXPECT_NE(prof.extra.value("recorded_with", "").find("perf"), std::string::npos);
  ASSERT_TRUE(artifact(prof, "opreport-xml"));
  ASSERT_TRUE(artifact(prof, "opreport"));
  ASSERT_TRUE(artifact(prof, "perf-data"));
  const auto xml = read_text(out() / artifact(prof, "opreport-xml")->path);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  const auto profile = doc.child("profile");
  ASSERT_TRUE(profile.child("setup").child("eventsetup"));
  EXPECT_STREQ(profile.child("setup").child("eventsetup").attribute("eventname").value(),
               "cpu-clock");
  std::set<std::string> ids;
  for (auto sd : profile.child("symboltable").children("symboldata"))
    ids.insert(sd.attribute("id").value());
  std::int64_t total = 0;
  for (auto b : profile.children("binary")) {
    for (auto sym : b.children("symbol")) {
      EXPECT_TRUE(ids.count(sym.attribute("idref").value()));
    }
    total += b.child("count").text().as_llong();
  }
  // perf's own count of the samples: one line per sample with only the comm field.
  const auto data = out() / artifact(prof, "perf-data")->path;
  auto script = run_command({"perf", "script", "-i", data.string(), "-F", "comm"}, tmp_->path());
  ASSERT_EQ(script.exit_code, 0) << script.err;
  const auto perf_samples =
      static_cast<std::int64_t>(std::count(script.out.begin(), script.out.end(), '\n'));
  EXPECT_GT(total, 100);
  EXPECT_EQ(total, perf_samples);
  EXPECT_EQ(prof.extra.value("perf_samples", std::int64_t{0}), perf_samples);
  // hello-server's busy-work function (spin) is a top symbol.
  EXPECT_TRUE(any_symbol_contains(prof, "spin")) << symbols(prof);
}

// A recording refused at run time (as perf does under a strict perf_event_paranoid), through
// the suite file's profiler key: profile "failed" with the diagnosis, run ok, exit 0.
TEST_F(ProfilerTest, RefusedRecordingViaSuiteKeyFailsOnlyTheProfile) {
  const fs::path bin = tmp_->path() / "fake-bin";
  fs::create_directories(bin);
  {
    std::ofstream f(bin / "perf");
    f << "#!/bin/sh\n"
         "echo 'Error: Access to performance monitoring and observability operations is "
         "limited.' >&2\n"
         "exit 255\n";
  }
  fs::permissions(bin / "perf", fs::perms::owner_all);
  const fs::path suite = tmp_->path() / "suite.toml";
  std::ofstream(suite) << "[defaults]\nduration = \"1s\"\nwarmup = \"0s\"\niterations = 1\n"
                       << "interval = \"100ms\"\nprofiler = \"perf\"\nout = \"" << out().string()
                       << "\"\n\n[[app]]\nlabel = \"hello\"\ncommand = [\""
                       << hello_server_binary().string() << "\", \"--port\", \"" << port_
                       << "\"]\n\n[[scenario]]\nname = \"plain\"\nurl = \"" << url_
                       << "\"\nclients = [2]\n";
  auto r = run_command({benchgate_binary().string(), "run", "-c", suite.string()}, tmp_->path(),
                       std::chrono::seconds(120), {"PATH=" + bin.string() + ":/usr/bin:/bin"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto run = measured_run();
  ASSERT_TRUE(run.profile);
  EXPECT_EQ(run.profile->profiler, "perf");
  EXPECT_EQ(run.profile->status, "failed");
  EXPECT_NE(run.profile->reason.find("permission denied"), std::string::npos)
      << run.profile->reason;
  EXPECT_NE(r.err.find("warning: run "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("profiler perf failed"), std::string::npos) << r.err;
  ASSERT_TRUE(artifact(*run.profile, "profiler-log")) << "what the recorder printed is kept";
}

TEST_F(ProfilerTest, UnknownProfilerIsAUsageError) {
  auto r = run_command(drive_args(hello(""), {"--profile", "pref"}), tmp_->path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("did you mean 'perf'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace benchgate

namespace benchgate {
namespace {

// The frames of a differential flame graph of function `word` ("spin", "ns::spin",
// "spin(unsigned long)", not "_raw_spin_unlock_[k]"): (title, fill).
std::vector<std::pair<std::string, std::string>> frames_named(const std::string& svg,
                                                              const std::string& word) {
  auto is_function = [&](std::string name) {
    if (const auto paren = name.find('('); paren != std::string::npos && paren > 0)
      name = name.substr(0, paren);
    if (const auto colons = name.rfind("::"); colons != std::string::npos)
      name = name.substr(colons + 2);
    return name == word;
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t at = svg.find("<g><title>"); at != std::string::npos;
       at = svg.find("<g><title>", at + 1)) {
    const auto t0 = at + 10;
    const auto t1 = svg.find("</title>", t0);
    const auto f0 = svg.find("fill=\"", t1) + 6;
    const auto f1 = svg.find('"', f0);
    std::string title = svg.substr(t0, t1 - t0);
    const auto name_end = title.find(" (self ");
    if (name_end == std::string::npos) continue;
    if (!is_function(title.substr(0, name_end))) continue;
    out.emplace_back(title, svg.substr(f0, f1 - f0));
  }
  return out;
}

// --profile-regressions on the demo's candidate (examples/benchgate.toml: 10 % more busy-work
// per request, --work-iters 11000 against 10000): every regressed cell is re-run in 3
// interleaved pairs under perf, and in each differential flame graph — per 1,000 requests,
// coloured only beyond sampling noise — the busy-work function `spin` is red. The candidate
// also leaks 256 bytes per request, so that the cell regresses for certain (rss_growth, ~10 MiB
// per period against the 4 MiB limit) even when a shared machine's noise hides the ~6 % CPU
// per request from the gate; the leak does not change spin's samples per request. About 60 s:
// 9 pairs of 2-second periods for the gate, 3 pairs for the profile.
TEST_F(ProfilerTest, ProfileRegressionsShowTheExtraWorkRed) {
  if (auto why = perf_unusable(); !why.empty()) GTEST_SKIP() << why;
  const fs::path suite = tmp_->path() / "suite.toml";
  // 9 pairs: the exact signed-rank test reaches p = 1/512, below α after Holm over the
  // default gated metrics. 2-second periods give ~6,000 samples per side over the 3 profiled
  // pairs, enough for spin's +10 % per request to stand out of the noise.
  std::ofstream(suite) << "[defaults]\nduration = \"2s\"\nwarmup = \"200ms\"\niterations = 9\n"
                       << "interval = \"100ms\"\nout = \"" << out().string() << "\"\n\n"
                       << "[[app]]\nlabel = \"main\"\nrole = \"baseline\"\ncommand = [\""
                       << hello_server_binary().string() << "\", \"--port\", \"" << port_
                       << "\", \"--work-iters\", \"10000\"]\n\n"
                       << "[[app]]\nlabel = \"pr\"\nrole = \"candidate\"\ncommand = [\""
                       << hello_server_binary().string() << "\", \"--port\", \"" << port_
                       << "\", \"--work-iters\", \"11000\", \"--grow-bytes\", \"256\"]\n\n"
                       << "[[scenario]]\nname = \"plain\"\nurl = \"" << url_
                       << "\"\nclients = [16]\n\n"
                       << "[gate]\nthroughput = { min_effect = \"3%\" }\n";
  auto r = run_command({benchgate_binary().string(), "run", "-c", suite.string(),
                        "--profile-regressions", "--no-color"},
                       tmp_->path(), std::chrono::seconds(115));
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("profiling regressed cell plain c=16"), std::string::npos) << r.err;
  const auto results = results::read_results(out() / "results.json");
  ASSERT_TRUE(results.gate.contains("regression_profiles")) << results.gate.dump(2);
  const auto& profiles = results.gate["regression_profiles"];
  ASSERT_FALSE(profiles.empty());
  // The extra runs are not gate samples: the results hold the 18 planned runs only.
  EXPECT_EQ(results.runs.size(), 18u);
  for (const auto& p : profiles) {
    ASSERT_EQ(p.value("status", ""), "ok") << p.dump(2);
    EXPECT_EQ(p["baseline_runs"].size(), 3u) << p.dump(2);
    EXPECT_EQ(p["candidate_runs"].size(), 3u) << p.dump(2);
    EXPECT_GT(p.value("baseline_requests", 0.0), 0) << p.dump(2);
    EXPECT_GT(p.value("candidate_requests", 0.0), 0) << p.dump(2);
    for (const auto& f : p["baseline_folded_all"])
      EXPECT_TRUE(fs::exists(out() / f.get<std::string>()));
    const auto svg = read_text(out() / p.value("diff_flamegraph", ""));
    EXPECT_NE(svg.find("self samples per 1,000 requests"), std::string::npos);
    const auto spins = frames_named(svg, "spin");
    ASSERT_FALSE(spins.empty()) << "the busy-work function is in the graph";
    // The hottest spin frame is red: the candidate's extra work per request, beyond sampling
    // noise. No spin frame is blue.
    auto samples_after = [](const std::string& t) {
      const auto at = t.rfind(", after ");
      std::string digits;
      for (char c : t.substr(at + 8)) {
        if (c >= '0' && c <= '9')
          digits += c;
        else if (c != ',')
          break;
      }
      return digits.empty() ? 0L : std::stol(digits);
    };
    const auto hottest =
        std::max_element(spins.begin(), spins.end(), [&](const auto& a, const auto& b) {
          return samples_after(a.first) < samples_after(b.first);
        });
    const auto& [title, fill] = *hottest;
    EXPECT_TRUE(fill.rfind("rgb(255,", 0) == 0 && fill != "rgb(255,255,255)")
        << p.value("cell", "") << ": " << fill << " " << title;
    EXPECT_NE(title.find("beyond noise"), std::string::npos) << title;
    for (const auto& [t, f] : spins)
      EXPECT_FALSE(f.rfind("rgb(255,", 0) != 0 && f != "rgb(220,220,220)") << f << " " << t;
  }
}

}  // namespace
}  // namespace benchgate
