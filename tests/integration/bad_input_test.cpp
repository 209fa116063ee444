// Bad input through the real binary: every one is a clear exit 2 naming the file or option and
// what was expected, with a short message, and never a crash (SIGSEGV), a hang (a FIFO), an
// unbounded read (/dev/zero) or an internal error (exit 5). Also `baseline update`'s data
// safety: --to equal to --from, the target's mode, a symlinked target, stale temporary files.
// No load is generated: every command here stops before a run would start.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "platform/fs.h"
#include "results/json.h"
#include "test_support.h"

namespace benchgate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::benchgate_binary;
using testing::CommandResult;
using testing::read_text;

/// Peak resident set (KB) of one run of the binary with `args`, output discarded.
long peak_rss_kb(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<char*> argv;
    const std::string bin = benchgate_binary().string();
    argv.push_back(const_cast<char*>(bin.c_str()));
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  if (::wait4(pid, &status, 0, &usage) != pid) return -1;
  return usage.ru_maxrss;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

results::ResultsFile make_results() {
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
  f.testbed.fingerprint = "fp-1";
  for (int i = 1; i <= 10; ++i) {
    results::RunRecord r;
    r.id = "main-" + std::to_string(i);
    r.app = "main";
    r.scenario = "plaintext";
    r.iteration = i;
    results::PeriodResult p;
    p.point.clients = 64;
    p.driver.duration_s = 10;
    p.metrics = {{"throughput", 10000.0 + 37 * ((i * 7) % 10)}, {"latency_p99", 0.002}};
    r.periods.push_back(p);
    f.runs.push_back(r);
  }
  return f;
}

// A suite that passes validation; nothing in these tests gets as far as running it.
const std::string kSuite = R"([defaults]
iterations = 1
duration = "100ms"
warmup = "0s"
driver = "sleep"

[[app]]
label = "main"
command = ["/bin/sleep", "30"]

[[scenario]]
name = "idle"
url = "http://127.0.0.1:9/"
clients = [1]
)";

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override { tmp_ = std::make_unique<platform::TempDir>("bg-badinput"); }

  fs::path dir() const { return tmp_->path(); }

  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir() / name, std::ios::binary) << text;
    return dir() / name;
  }

  fs::path good_results(const std::string& name = "good.json") const {
    results::write_results(make_results(), dir() / name);
    return dir() / name;
  }

  CommandResult bg(std::vector<std::string> args, int timeout_s = 60) const {
    args.insert(args.begin(), benchgate_binary().string());
    return testing::run_command(args, dir() / "cmd", std::chrono::seconds(timeout_s));
  }

  /// Exit 2, one short "benchgate: ..." line on stderr naming `who` and saying `what`.
  void expect_bad(const CommandResult& r, const std::string& who, const std::string& what,
                  std::size_t max_len = 600) {
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_TRUE(contains(r.err, "benchgate: ")) << r.err;
    EXPECT_TRUE(contains(r.err, who)) << "stderr should name " << who << ": " << r.err;
    EXPECT_TRUE(contains(r.err, what)) << "stderr should say " << what << ": " << r.err;
    EXPECT_FALSE(contains(r.err, "internal error")) << r.err;
    EXPECT_LE(r.err.size(), max_len) << r.err.substr(0, 2000);
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err.substr(0, 2000);
  }

  std::unique_ptr<platform::TempDir> tmp_;
};

// ---------------------------------------------------------------- 1. deep nesting

TEST_F(BadInputTest, DeeplyNestedJsonIsRefusedNotACrash) {
  const auto deep = write("deep.json", std::string(100'000, '['));
  const auto base = (dir() / "base.json").string();
  const std::string what = "JSON nested deeper than 512 levels";
  expect_bad(bg({"validate", deep.string()}), "deep.json", what);
  expect_bad(bg({"report", deep.string(), "--out", (dir() / "r").string()}), "deep.json", what);
  expect_bad(bg({"baseline", "update", "--from", deep.string(), "--to", base}), "deep.json", what);
  expect_bad(bg({"export", "--gbench", deep.string()}), "deep.json", what);
  expect_bad(bg({"merge", deep.string(), "--out", (dir() / "m").string()}), "deep.json", what);
  EXPECT_FALSE(fs::exists(base));
  // Inside a valid object too, and a string full of brackets is not nesting.
  expect_bad(
      bg({"validate", write("deep2.json", R"({"kind": "benchgate.results", "x": )" +
                                              std::string(600, '[') + std::string(600, ']') + "}")
                          .string()}),
      "deep2.json", what);
  const auto r = bg(
      {"validate", write("str.json", "{\"kind\": \"" + std::string(5000, '[') + "\"}").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(contains(r.err, "nested")) << r.err;
  // diff has its own (stricter) scanner limit: still exit 2.
  EXPECT_EQ(bg({"diff", deep.string(), good_results().string()}).exit_code, 2);
}

// ---------------------------------------------------------------- 2. library messages

TEST_F(BadInputTest, WrongTypesAndHugeNumbersAreExitTwoNamingTheFile) {
  expect_bad(bg({"validate", write("kind.json", R"({"kind": null})").string()}), "kind.json",
             "/kind: expected a string");
  const auto huge = write("huge.json", "[1e999]");
  const auto base = (dir() / "base.json").string();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"validate", huge.string()},
           {"report", huge.string(), "--out", (dir() / "r").string()},
           {"baseline", "update", "--from", huge.string(), "--to", base},
           {"export", "--gbench", huge.string()},
           {"merge", huge.string(), "--out", (dir() / "m").string()}}) {
    SCOPED_TRACE(args[0]);
    expect_bad(bg(args), "huge.json", "number overflow");
  }
}

TEST_F(BadInputTest, InvalidUtf8InABenchmarkNameNeverBreaksTheJsonOutput) {
  auto gbench = [&](const std::string& name, const std::string& bench) {
    std::string rows;
    for (int i = 0; i < 6; ++i) {
      rows += (i ? "," : "") + std::string(R"({"name": ")") + bench + R"(", "run_name": ")" +
              bench + R"(", "run_type": "iteration", "repetitions": 6, "repetition_index": )" +
              std::to_string(i) + R"(, "iterations": 1000, "real_time": )" +
              std::to_string(100 + i) + R"(, "cpu_time": )" + std::to_string(100 + i) +
              R"(, "time_unit": "ns"})";
    }
    return write(name, R"({"context": {}, "benchmarks": [)" + rows + "]}");
  };
  const std::string bad_name = "BM_bad\xff\xfe/8";
  const auto a = gbench("a.json", bad_name);
  const auto b = gbench("b.json", bad_name);
  const auto r = bg({"diff", "--format", "json", a.string(), b.string()});
  EXPECT_NE(r.exit_code, 5) << r.err;
  EXPECT_NE(r.exit_code, 2) << r.err;
  EXPECT_FALSE(contains(r.err, "internal error")) << r.err;
  const json j = json::parse(r.out);  // valid JSON, valid UTF-8
  EXPECT_TRUE(contains(r.out, "BM_bad")) << r.out.substr(0, 500);
  EXPECT_TRUE(contains(j.dump(), "\xEF\xBF\xBD")) << "invalid bytes become U+FFFD";
}

TEST_F(BadInputTest, UnknownSetAndDirectoryTargetsAreExitTwo) {
  const auto suite = write("suite.toml", kSuite);
  expect_bad(bg({"run", "-c", suite.string(), "--set", "foo=1"}), "--set foo",
             "unknown setting 'foo'");
  expect_bad(bg({"run", "-c", suite.string(), "--set", "iteration=3"}), "--set iteration",
             "did you mean 'iterations'");
  fs::create_directories(dir() / "baselines");
  expect_bad(bg({"baseline", "update", "--from", good_results().string(), "--to",
                 (dir() / "baselines").string()}),
             "baselines", "is a directory");
  expect_bad(bg({"diff", good_results().string(), good_results("g2.json").string(), "-o",
                 (dir() / "baselines").string()}),
             "baselines", "is a directory");
}

// ---------------------------------------------------------------- 3. non-regular inputs

TEST_F(BadInputTest, FifosDevicesAndDirectoriesAreRefusedUpFront) {
  const auto fifo = dir() / "fifo.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto good = good_results();
  const std::string what = "not a regular file";
  // Each would block forever (a FIFO without a writer) without the check: 20 s is plenty.
  expect_bad(bg({"validate", fifo.string()}, 20), "fifo.json", what);
  expect_bad(bg({"diff", fifo.string(), good.string()}, 20), "fifo.json", what);
  expect_bad(bg({"diff", good.string(), fifo.string()}, 20), "fifo.json", what);
  expect_bad(bg({"report", fifo.string()}, 20), "fifo.json", what);
  // /dev/zero never ends: refused before a byte is read.
  expect_bad(bg({"diff", "/dev/zero", good.string()}, 20), "/dev/zero", what);
  expect_bad(bg({"validate", "/dev/zero"}, 20), "/dev/zero", what);
  // A FIFO as the suite file.
  const auto tfifo = dir() / "suite.toml";
  ASSERT_EQ(::mkfifo(tfifo.c_str(), 0600), 0);
  expect_bad(bg({"validate", tfifo.string()}, 20), "suite.toml", what);
  expect_bad(bg({"run", "-c", tfifo.string()}, 20), "suite.toml", what);
  // A directory as the suite file.
  fs::create_directories(dir() / "conf");
  expect_bad(bg({"run", "-c", (dir() / "conf").string()}), "conf", "is a directory");
}

TEST_F(BadInputTest, InputsOverTheSizeLimitAreRefusedNamingTheSize) {
  // Sparse: 600 MiB on paper, nothing on disk.
  const auto big = dir() / "big.json";
  std::ofstream(big).close();
  fs::resize_file(big, std::uintmax_t{600} << 20);
  const std::string what = "(629,145,600 bytes), larger than the 512 MiB limit";
  expect_bad(bg({"validate", big.string()}), "big.json", what);
  expect_bad(bg({"diff", big.string(), good_results().string()}), "big.json", what);
  expect_bad(bg({"report", big.string()}), "big.json", what);
}

// ---------------------------------------------------------------- 4. flags

TEST_F(BadInputTest, OutOfRangeFlagsAreExitTwo) {
  const auto suite = write("suite.toml", kSuite).string();
  expect_bad(bg({"run", "-c", suite, "--iterations", "0"}), "--iterations",
             "expected a positive integer");
  expect_bad(bg({"run", "-c", suite, "--iterations", "x"}), "--iterations",
             "expected a positive integer");
  // The flag and its environment variable agree (the issue: the flag slipped through).
  expect_bad(testing::run_command({benchgate_binary().string(), "run", "-c", suite}, dir() / "cmd",
                                  std::chrono::seconds(60), {"BENCHGATE_ITERATIONS=0"}),
             "BENCHGATE_ITERATIONS", "expected a positive integer");
  expect_bad(bg({"run", "-c", suite, "--confirm", "-1"}), "--confirm", "from 0 (off) to 1000");
  expect_bad(bg({"run", "-c", suite, "--confirm", "1001"}), "--confirm", "from 0 (off) to 1000");
  for (const char* a : {"0", "0.51", "-0.1", "nan", "x"}) {
    SCOPED_TRACE(a);
    expect_bad(bg({"run", "-c", suite, "--alpha", a}), "--alpha", "at most 0.5");
  }
  const auto good = good_results();
  for (const char* a : {"0", "0.51", "1"}) {
    SCOPED_TRACE(a);
    expect_bad(bg({"diff", "--alpha", a, good.string(), good.string()}), "--alpha", "at most 0.5");
  }
  // The upper bound itself is allowed.
  const auto ok = bg({"diff", "--alpha", "0.5", good.string(), good_results("g2.json").string()});
  EXPECT_NE(ok.exit_code, 2) << ok.err;
}

// `run --dry-run`, which the mutation sweep feeds mutated suites: the resolved plan on stdout,
// nothing started, nothing written; a bad suite is still exit 2.
TEST_F(BadInputTest, DryRunPrintsThePlanAndStartsNothing) {
  std::string suite = kSuite;
  suite.replace(suite.find("[\"/bin/sleep\", \"30\"]"), 20,
                "[\"/bin/sh\", \"-c\", \"touch started; sleep 30\"]");
  const auto file = write("dry.toml", suite);
  const auto out = dir() / "out";
  const auto r = bg({"run", "-c", file.string(), "--dry-run", "--iterations", "3", "--out",
                     out.string(), "--set", "seed=7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "3 runs (1 scenarios), order seed 7")) << r.out;
  EXPECT_TRUE(contains(r.out, "i01-main-idle  sleep http://127.0.0.1:9/  [c=1]")) << r.out;
  EXPECT_TRUE(contains(r.out, "i03-main-idle")) << r.out;
  EXPECT_FALSE(fs::exists(dir() / "cmd" / "started"));
  EXPECT_FALSE(fs::exists(out));
  expect_bad(bg({"run", "-c", file.string(), "--dry-run", "--iterations", "0"}), "--iterations",
             "expected a positive integer");
}

// ---------------------------------------------------------------- 5. baseline update safety

TEST_F(BadInputTest, BaselineUpdateRefusesToOverwriteItsOwnSource) {
  const auto from = good_results("results.json");
  const std::string before = read_text(from);
  expect_bad(bg({"baseline", "update", "--from", from.string(), "--to", from.string()}),
             "results.json", "is the same file as --from");
  // Another spelling, and a symbolic link to it.
  const auto other = (dir() / "." / "results.json").string();
  expect_bad(bg({"baseline", "update", "--from", from.string(), "--to", other}), "results.json",
             "is the same file as --from");
  fs::create_symlink(from, dir() / "link.json");
  expect_bad(
      bg({"baseline", "update", "--from", from.string(), "--to", (dir() / "link.json").string()}),
      "link.json", "is the same file as --from");
  EXPECT_EQ(read_text(from), before);
}

TEST_F(BadInputTest, BaselineUpdateKeepsModeWritesThroughSymlinksAndCleansStaleTemporaries) {
  const auto from = good_results("results.json");
  const auto real = dir() / "store" / "main.json";
  fs::create_directories(real.parent_path());
  auto update = [&](const fs::path& to) {
    return bg({"baseline", "update", "--from", from.string(), "--to", to.string()});
  };
  ASSERT_EQ(update(real).exit_code, 0);
  // The mode of the file it replaces is kept.
  ASSERT_EQ(::chmod(real.c_str(), 0600), 0);
  ASSERT_EQ(update(real).exit_code, 0);
  struct stat st {};
  ASSERT_EQ(::stat(real.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // A symlinked target: the link stays a link, its target gets the new baseline.
  fs::create_directories(dir() / "baselines");
  const auto link = dir() / "baselines" / "main.json";
  fs::create_symlink("../store/main.json", link);
  fs::remove(real);
  const auto r = update(link);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(link)));
  EXPECT_TRUE(fs::is_regular_file(real));
  EXPECT_TRUE(contains(read_text(real), "benchgate.baseline"));
  // Stale temporaries of this writer (kill -9 between write and rename) are removed; a young
  // one (a writer still at work) and other files are left alone.
  const auto stale = real.parent_path() / ".main.json.tmp.AbC123";
  const auto young = real.parent_path() / ".main.json.tmp.XyZ789";
  const auto other = real.parent_path() / ".other.json.tmp.AbC123";
  for (const auto& p : {stale, young, other})
    std::ofstream(p) << "{";
  const auto old = fs::file_time_type::clock::now() - std::chrono::minutes(5);
  fs::last_write_time(stale, old);
  fs::last_write_time(other, old);
  ASSERT_EQ(update(real).exit_code, 0);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(young));
  EXPECT_TRUE(fs::exists(other));
}

// ---------------------------------------------------------------- 6. client_host

TEST_F(BadInputTest, ClientHostThatLooksLikeAnOptionIsRefused) {
  std::string suite = kSuite;
  suite.insert(suite.find("driver = \"sleep\""), "client_host = \"-oProxyCommand=touch x\"\n");
  const auto file = write("remote.toml", suite);
  expect_bad(bg({"validate", file.string()}), "remote.toml:5", "client_host");
  expect_bad(bg({"validate", file.string()}), "remote.toml", "not a valid host");
  const auto ok = write("ok.toml", kSuite);
  expect_bad(bg({"run", "-c", ok.string(), "--set", "client_host=-oProxyCommand=x"}),
             "--set client_host", "not starting with '-'");
  expect_bad(
      bg({"drive", "--name", "x", "--app", "/bin/sleep 30", "--url", "http://127.0.0.1:9/",
          "--driver", "wrk", "--out", (dir() / "out").string(), "--client-host=-oProxyCommand=x"}),
      "--client-host", "not starting with '-'");
  for (const char* host : {"loadgen.example", "user@10.0.0.2", "::1", "user@[fe80::1]"}) {
    SCOPED_TRACE(host);
    std::string s = kSuite;
    s.insert(s.find("driver = \"sleep\""), std::string("client_host = \"") + host + "\"\n");
    const auto v = bg({"validate", write("h.toml", s).string()});
    EXPECT_FALSE(contains(v.err, "not a valid host")) << v.err;
  }
}

// ---------------------------------------------------------------- 7. echoed values

TEST_F(BadInputTest, EchoedValuesAreCutAndControlBytesEscaped) {
  // A 10 MB driver name: one short line, quickly.
  std::string suite = kSuite;
  const std::string huge(10 * 1024 * 1024, 'x');
  suite.replace(suite.find("\"sleep\""), 7, "\"" + huge + "\"");
  const auto file = write("huge.toml", suite);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = bg({"validate", file.string()});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  expect_bad(r, "huge.toml", "unknown driver 'xxxx", 400);
  EXPECT_TRUE(contains(r.err, "… (10,485,760 bytes)")) << r.err.substr(0, 400);
  // Memory stays bounded: reading a 10 MB value takes tens of MB, not the 1.69 GB the issue
  // measured (ASan builds roughly double it; the limit leaves room for that).
  constexpr long kMaxRssKb = 400 * 1024;
  EXPECT_LT(peak_rss_kb({"validate", file.string()}), kMaxRssKb) << "validate of a 10 MB driver";
  // A 10 MB string in a baseline: diff reads it without copies of copies (was 767 MB).
  json baseline;
  {
    const auto made = bg({"baseline", "update", "--from", good_results().string(), "--to",
                          (dir() / "b.json").string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    baseline = json::parse(read_text(dir() / "b.json"));
  }
  baseline["machine"] = {{"note", huge}};
  baseline["series"][0]["scenario"] = huge;
  write("huge-baseline.json", baseline.dump());
  const auto t1 = std::chrono::steady_clock::now();
  const auto d = bg({"diff", (dir() / "huge-baseline.json").string(), good_results().string()});
  EXPECT_LT(std::chrono::steady_clock::now() - t1, std::chrono::seconds(5));
  EXPECT_NE(d.exit_code, 5) << d.err.substr(0, 400);
  EXPECT_GE(d.exit_code, 0);
  EXPECT_LE(d.exit_code, 3) << d.err.substr(0, 400);
  EXPECT_LT(peak_rss_kb({"diff", (dir() / "huge-baseline.json").string(), good_results().string()}),
            kMaxRssKb)
      << "diff with a 10 MB string in the baseline";
  EXPECT_LE(d.err.size(), 2000u) << d.err.substr(0, 2000);
  // A label with a newline: escaped, the message stays on one line.
  std::string labelled = kSuite;
  labelled.replace(labelled.find("label = \"main\""), 14, "label = \"ma\\nin\"");
  expect_bad(bg({"validate", write("label.toml", labelled).string()}), "label.toml",
             "'ma\\nin' is not a valid label");
  // A NUL in a Google Benchmark file: escaped, the message is not cut short at it.
  const std::string doc = "{\"context\": {\"x\": _}, \"benchmarks\": []}";
  const auto nul = write("nul.json", doc.substr(0, doc.find('_')) + std::string(1, '\0') +
                                         doc.substr(doc.find('_') + 1));
  const auto n = bg({"diff", nul.string(), nul.string()});
  expect_bad(n, "nul.json", "found '\\x00'");
  EXPECT_EQ(n.err.find('\0'), std::string::npos);
}

// ---------------------------------------------------------------- 8. huge names in diff

// Every gate verdict and report row repeats its cell name: a 10 MB scenario name made `diff`
// take 6.8 s of CPU and print 1.3 GB (each text row padded to the name's length). Names in
// results and baselines are bounded by their schema (4096 characters; benchgate's own are at
// most 64); a Google Benchmark name is not, and a long one overflows its column instead of
// widening every row. Bounded at the mutation sweep's limit (10 s; release: 0.1–0.6 s CPU),
// ten times that in a sanitizer build (Debug + ASan under load: 14 s for `validate`, 25 s for
// the Google Benchmark diff; the release build is the one that catches a slow path).
TEST_F(BadInputTest, HugeNamesInDiffAreRefusedOrPrintedOnceQuickly) {
  constexpr auto kLimit = std::chrono::seconds(testing::kSanitizerBuild ? 100 : 10);
  const std::string huge(10 * 1024 * 1024, 'x');
  json big = json::parse(read_text(good_results()));
  big["runs"][1]["scenario"] = huge;
  const auto file = write("big-name.json", big.dump());
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"diff", good_results().string(), file.string()},
           {"diff", "--format", "json", file.string(), good_results().string()},
           {"validate", file.string()}}) {
    SCOPED_TRACE(args[1]);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = bg(args, 150);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, kLimit);
    expect_bad(r, "big-name.json", "/runs/1/scenario: String should be no more than 4096");
  }
  // The same in a baseline's series.
  ASSERT_EQ(bg({"baseline", "update", "--from", good_results().string(), "--to",
                (dir() / "b.json").string()})
                .exit_code,
            0);
  json baseline = json::parse(read_text(dir() / "b.json"));
  baseline["series"][0]["cell"] = huge;
  write("big-cell.json", baseline.dump());
  expect_bad(bg({"diff", (dir() / "big-cell.json").string(), good_results().string()}),
             "big-cell.json", "/series/0/cell: String should be no more than 4096");

  // A Google Benchmark name of 10 MB on both sides: compared, the name printed per row.
  std::string rows;
  for (int i = 0; i < 3; ++i) {
    rows += (i ? "," : "") + std::string(R"({"name": ")") + huge +
            R"(", "run_type": "iteration", "repetitions": 3, "repetition_index": )" +
            std::to_string(i) + R"(, "iterations": 1000, "real_time": )" + std::to_string(100 + i) +
            R"(, "cpu_time": )" + std::to_string(100 + i) + R"(, "time_unit": "ns"})";
  }
  const auto gb = write("gb.json", R"({"context": {}, "benchmarks": [)" + rows + "]}");
  const auto t1 = std::chrono::steady_clock::now();
  const auto d = bg({"diff", gb.string(), gb.string()}, 150);
  EXPECT_LT(std::chrono::steady_clock::now() - t1, kLimit);
  // Three runs per side cannot reach α = 0.05: undecided, exit 3.
  EXPECT_EQ(d.exit_code, 3) << d.err.substr(0, 400);
  EXPECT_TRUE(contains(d.out, huge)) << "the name is printed in full";
  // Two "needs attention" lines, the name row and its U-test row; the header and the rule
  // under it are no longer padded to the name's length (they were: 6 copies).
  EXPECT_LT(d.out.size(), 4 * huge.size() + 10'000);
}

}  // namespace
}  // namespace benchgate
