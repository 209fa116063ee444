#include "config/suite.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "config/names.h"
#include "core/error.h"
#include "core/parse.h"
#include "test_support.h"

namespace benchgate::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kApps = R"([[app]]
label = "main"
command = ["./server", "--port", "8080"]
)";

constexpr const char* kScenario = R"([[scenario]]
name = "plaintext"
url = "http://127.0.0.1:8080/plaintext"
clients = [16, 64]
)";

SuiteConfig parse(const std::string& text, const std::string& host = "") {
  return parse_suite_text(text, "benchgate.toml", host);
}

/// The ConfigError message for a suite text (a test failure when it parses).
std::string error_of(const std::string& text, const std::string& host = "") {
  try {
    parse(text, host);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << text;
  return "";
}

fs::path source_dir() {
  return BENCHGATE_SOURCE_DIR;
}

std::string to_upper_for_test(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// ---- Valid suites -----------------------------------------------------------------------------

TEST(Suite, MinimalSuiteGetsDefaults) {
  auto s = parse(std::string(kApps) + kScenario);
  EXPECT_EQ(s.name, "benchgate");
  EXPECT_EQ(s.source, "benchgate.toml");
  ASSERT_EQ(s.apps.size(), 1u);
  EXPECT_EQ(s.apps[0].label, "main");
  EXPECT_EQ(s.apps[0].command, (std::vector<std::string>{"./server", "--port", "8080"}));
  EXPECT_FALSE(s.apps[0].shell);
  EXPECT_EQ(s.apps[0].instances, 1);
  ASSERT_EQ(s.scenarios.size(), 1u);
  EXPECT_EQ(s.scenarios[0].clients, (std::vector<int>{16, 64}));
  EXPECT_TRUE(s.scenarios[0].rates.empty());
  EXPECT_FALSE(s.scenarios[0].duration);
  EXPECT_EQ(s.defaults.driver, "builtin");
  EXPECT_EQ(s.defaults.duration, std::chrono::seconds(10));
  EXPECT_EQ(s.defaults.iterations, 5);
  EXPECT_FALSE(s.defaults.seed);
  EXPECT_DOUBLE_EQ(s.gate.alpha, 0.05);
}

TEST(Suite, ExampleSuiteParses) {
  auto s = parse_suite_file(source_dir() / "examples" / "benchgate.toml", "somehost");
  EXPECT_EQ(s.name, "hello-server demo");
  ASSERT_EQ(s.apps.size(), 2u);
  EXPECT_EQ(s.apps[0].label, "main");
  EXPECT_EQ(s.apps[0].role, "baseline");
  EXPECT_EQ(s.apps[1].label, "pr");
  EXPECT_EQ(s.apps[1].role, "candidate");
  EXPECT_EQ(s.apps[1].command.back(), "11000");
  EXPECT_EQ(s.apps[0].command.front(), "./build/examples/hello-server");
  ASSERT_EQ(s.scenarios.size(), 1u);
  EXPECT_EQ(s.scenarios[0].name, "plaintext");
  EXPECT_EQ(s.scenarios[0].url, "http://127.0.0.1:18080/plaintext");
  EXPECT_EQ(s.scenarios[0].clients, (std::vector<int>{16, 64}));
  EXPECT_EQ(s.defaults.iterations, 10);
  EXPECT_EQ(s.defaults.duration, std::chrono::seconds(2));
  EXPECT_EQ(s.defaults.warmup, std::chrono::milliseconds(500));
  EXPECT_EQ(s.defaults.app_cpus, (std::vector<int>{0}));
  EXPECT_EQ(s.defaults.driver_cpus, (std::vector<int>{1}));
  ASSERT_TRUE(s.gate.metrics.count("throughput"));
  EXPECT_DOUBLE_EQ(*s.gate.metrics["throughput"].min_effect_rel, 0.03);
  EXPECT_DOUBLE_EQ(*s.gate.metrics["latency_p99"].min_effect_rel, 0.10);
}

TEST(Suite, FullExampleParses) {
  const auto path = source_dir() / "examples" / "full.toml";
  const auto dir = fs::absolute(path).parent_path();
  auto s = parse_suite_file(path, "");
  EXPECT_EQ(s.name, "web-stack");
  EXPECT_EQ(s.defaults.seed, 42u);
  EXPECT_EQ(s.defaults.sleep, std::chrono::milliseconds(500));
  EXPECT_EQ(s.defaults.driver_cpus, (std::vector<int>{2, 3}));
  EXPECT_EQ(s.defaults.out, dir / "benchgate-out");
  EXPECT_TRUE(s.applied_hosts.empty());
  ASSERT_EQ(s.apps.size(), 2u);
  EXPECT_EQ(s.apps[0].cwd, dir);
  EXPECT_EQ(s.apps[0].ready_url, "http://127.0.0.1:8080/health");
  EXPECT_EQ(s.apps[0].env, (std::vector<std::pair<std::string, std::string>>{
                               {"LOG_LEVEL", "warn"}, {"MALLOC_ARENA_MAX", "2"}}));
  EXPECT_TRUE(s.apps[1].shell);
  EXPECT_EQ(s.apps[1].command.size(), 1u);
  ASSERT_EQ(s.scenarios.size(), 6u);
  EXPECT_EQ(s.scenarios[0].url, "http://127.0.0.1:8080/plaintext");
  EXPECT_EQ(s.scenarios[0].clients, (std::vector<int>{16, 64}));  // from [defaults]
  const auto& post = s.scenarios[1];
  EXPECT_EQ(post.driver_options.method, "POST");
  EXPECT_EQ(post.driver_options.body, R"({"hello": "world"})");
  EXPECT_EQ(post.driver_options.headers,
            (std::vector<std::pair<std::string, std::string>>{
                {"Accept", "*/*"}, {"Content-Type", "application/json"}}));
  EXPECT_EQ(post.iterations, 15);
  EXPECT_EQ(post.duration, std::chrono::seconds(20));
  const auto& piped = s.scenarios[2];
  EXPECT_EQ(piped.driver, "wrk");
  EXPECT_EQ(piped.driver_options.pipeline, 16);
  EXPECT_EQ(piped.clients, (std::vector<int>{256}));
  EXPECT_EQ(piped.driver_options.script, (dir / "pipeline.lua").string());
  EXPECT_EQ(s.scenarios[3].rates, (std::vector<double>{1000, 5000, 10000}));
  EXPECT_EQ(s.scenarios[3].driver_options.tool_path, "wrk2");  // a bare name: PATH lookup
  const auto& jm = s.scenarios[4].driver_options.extra;
  EXPECT_EQ(jm.at("plan"), (dir / "plans" / "mix.jmx").string());
  EXPECT_EQ(jm.at("property:ramp_up"), "5");
  const auto& g = s.gate;
  EXPECT_FALSE(g.metrics.at("latency_p99.9").enabled);
  EXPECT_FALSE(g.metrics.at("cpu_percent").enabled);
  EXPECT_DOUBLE_EQ(*g.metrics.at("latency_p99").alpha, 0.01);
  EXPECT_DOUBLE_EQ(*g.metrics.at("peak_rss").min_effect_rel, 0.03);
  EXPECT_DOUBLE_EQ(*g.metrics.at("peak_rss").min_effect_abs, 4.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(*g.metrics.at("startup_time").min_effect_abs, 0.005);
  EXPECT_DOUBLE_EQ(*g.per_scenario.at("json-post").at("latency_p99").min_effect_rel, 0.20);
  EXPECT_DOUBLE_EQ(*g.per_scenario.at("plaintext c=64").at("throughput").min_effect_rel, 0.05);
}

TEST(Suite, HostTablesApplyByExactNameShortNameOrGlob) {
  const auto path = source_dir() / "examples" / "full.toml";
  auto ci = parse_suite_file(path, "ci-runner-7");
  EXPECT_EQ(ci.applied_hosts, (std::vector<std::string>{"ci-runner-*"}));
  EXPECT_EQ(ci.defaults.app_cpus, (std::vector<int>{0}));
  EXPECT_EQ(ci.defaults.driver_cpus, (std::vector<int>{1}));
  EXPECT_EQ(ci.defaults.driver_threads, 1);
  EXPECT_EQ(ci.hostname, "ci-runner-7");

  auto box = parse_suite_file(path, "perf-box.lab.example.com");
  EXPECT_EQ(box.applied_hosts, (std::vector<std::string>{"perf-box"}));
  EXPECT_EQ(box.defaults.app_cpus, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(box.defaults.driver_threads, 8);

  auto other = parse_suite_file(path, "laptop");
  EXPECT_TRUE(other.applied_hosts.empty());
  EXPECT_EQ(other.defaults.app_cpus, (std::vector<int>{0, 1}));
}

TEST(Suite, ExactHostTableWinsOverGlob) {
  auto s = parse(std::string(R"([host."ci-*"]
app_cpus = "0"
driver_threads = 3
[host.ci-1]
app_cpus = "2"
)") + kApps + kScenario,
                 "ci-1");
  EXPECT_EQ(s.applied_hosts, (std::vector<std::string>{"ci-*", "ci-1"}));
  EXPECT_EQ(s.defaults.app_cpus, (std::vector<int>{2}));
  EXPECT_EQ(s.defaults.driver_threads, 3);  // the glob's value stays where exact says nothing
}

TEST(Suite, HostTablesAreValidatedOnEveryHost) {
  EXPECT_EQ(error_of(std::string(R"([host.other]
app_cpu = "0"
)") + kApps + kScenario,
                     "mine"),
            "benchgate.toml:2: host.other.app_cpu: unknown key (did you mean 'app_cpus'?)");
}

TEST(Suite, ValueForms) {
  auto s = parse(std::string(R"(
[defaults]
duration = 5
warmup = 0.5
iterations = 7
app_cpus = [0, "2-3"]
driver_cpus = "4"
seed = "18446744073709551615"
max_error_rate = "2%"
)") + kApps + R"([[scenario]]
name = "one"
url = "https://[::1]:8443/x?y=1"
clients = "8,16"
rates = 500.5
driver = "builtin"
timeout = "1500ms"
headers = ["X-Trace: 1", "Accept: text/plain"]
script_args = "--depth 16 'a b'"
)");
  EXPECT_EQ(s.defaults.duration, std::chrono::seconds(5));
  EXPECT_EQ(s.defaults.warmup, std::chrono::milliseconds(500));
  EXPECT_EQ(s.defaults.app_cpus, (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(s.defaults.seed, 18446744073709551615ull);
  const auto& sc = s.scenarios[0];
  EXPECT_EQ(sc.url, "https://[::1]:8443/x?y=1");
  EXPECT_EQ(sc.clients, (std::vector<int>{8, 16}));
  EXPECT_EQ(sc.rates, (std::vector<double>{500.5}));
  EXPECT_EQ(sc.driver_options.timeout, std::chrono::milliseconds(1500));
  EXPECT_DOUBLE_EQ(sc.driver_options.max_error_rate, 0.02);
  EXPECT_EQ(sc.driver_options.headers.size(), 2u);
  EXPECT_EQ(sc.driver_options.headers[0].first, "X-Trace");
  EXPECT_EQ(sc.driver_options.headers[0].second, "1");
  EXPECT_EQ(sc.driver_options.script_args, (std::vector<std::string>{"--depth", "16", "a b"}));
}

TEST(Suite, SleepDriverNeedsNoClients) {
  auto s = parse(std::string(kApps) + "[[scenario]]\nname = \"idle\"\nurl = \"http://h/\"\n" +
                 "driver = \"sleep\"\n");
  EXPECT_EQ(s.scenarios[0].clients, (std::vector<int>{1}));
}

TEST(Suite, PathUrlsJoinBaseUrl) {
  auto s = parse(std::string(R"([defaults]
base_url = "http://127.0.0.1:9000/api/"
)") + kApps + R"([[scenario]]
name = "a"
url = "/items?page=2"
clients = 1
[[scenario]]
name = "b"
clients = 1
)");
  EXPECT_EQ(s.scenarios[0].url, "http://127.0.0.1:9000/api/items?page=2");
  EXPECT_EQ(s.scenarios[1].url, "http://127.0.0.1:9000/api/");
}

TEST(Suite, StringCommands) {
  auto s = parse(R"([[app]]
command = "./bin/server --name 'my app' --port 80"
[[app]]
label = "piped"
command = "./server | tee log"
[[app]]
label = "envvar"
command = "GOMAXPROCS=2 ./server"
[[app]]
label = "literal"
command = "./server --pattern 'a|b'"
shell = false
)" + std::string(kScenario));
  EXPECT_EQ(s.apps[0].label, "server");  // defaults to the program's file name
  EXPECT_EQ(s.apps[0].command,
            (std::vector<std::string>{"./bin/server", "--name", "my app", "--port", "80"}));
  EXPECT_FALSE(s.apps[0].shell);
  EXPECT_TRUE(s.apps[1].shell);
  EXPECT_EQ(s.apps[1].command, (std::vector<std::string>{"./server | tee log"}));
  EXPECT_EQ(launch_argv(s.apps[1]),
            (std::vector<std::string>{"/bin/sh", "-c", "./server | tee log"}));
  EXPECT_TRUE(s.apps[2].shell);
  EXPECT_FALSE(s.apps[3].shell);
  EXPECT_EQ(s.apps[3].command, (std::vector<std::string>{"./server", "--pattern", "a|b"}));
  EXPECT_EQ(launch_argv(s.apps[3]), s.apps[3].command);
}

TEST(Suite, RelativePathsResolveAgainstTheSuiteFolder) {
  const auto dir = fs::temp_directory_path() / fmt::format("bg-config-{}", ::getpid());
  fs::create_directories(dir / "sub");
  {
    std::ofstream(dir / "sub" / "suite.toml") << R"([defaults]
out = "results"
[[app]]
command = ["./server"]
cwd = "../srv"
[[scenario]]
name = "s"
url = "http://localhost:1/"
clients = [1]
driver = "wrk"
script = "lua/post.lua"
requests_file = "/abs/requests.txt"
[[scenario]]
name = "j"
url = "http://localhost:1/"
clients = [1]
driver = "jmeter"
plan = "plan.jmx"
user_properties = "user.properties"
properties = { threads = 8, "summariser.interval" = 5 }
extra = { mode = "fast" }
)";
  }
  auto s = parse_suite_file(dir / "sub" / "suite.toml", "");
  EXPECT_EQ(s.defaults.out, dir / "sub" / "results");
  EXPECT_EQ(s.apps[0].cwd, dir / "srv");
  EXPECT_EQ(s.scenarios[0].driver_options.script, (dir / "sub" / "lua" / "post.lua").string());
  EXPECT_EQ(s.scenarios[0].driver_options.requests_file, "/abs/requests.txt");
  EXPECT_EQ(s.scenarios[1].driver_options.extra.at("plan"), (dir / "sub" / "plan.jmx").string());
  EXPECT_EQ(s.scenarios[1].driver_options.extra.at("user_properties"),
            (dir / "sub" / "user.properties").string());
  EXPECT_EQ(s.scenarios[1].driver_options.extra.at("property:summariser.interval"), "5");
  EXPECT_EQ(s.scenarios[1].driver_options.extra.at("property:threads"), "8");
  EXPECT_EQ(s.scenarios[1].driver_options.extra.at("mode"), "fast");
  const auto j = suite_to_json(s)["scenario"][1];
  EXPECT_EQ(j["properties"], (nlohmann::json{{"summariser.interval", "5"}, {"threads", "8"}}));
  EXPECT_EQ(j["extra"], (nlohmann::json{{"mode", "fast"}}));
  EXPECT_EQ(j["plan"], (dir / "sub" / "plan.jmx").string());
  fs::remove_all(dir);
}

// ---- Errors: each names file, line, key and what was expected ------------------------------

TEST(SuiteErrors, ClientsNotAList) {
  EXPECT_EQ(error_of(std::string(kApps) + R"([[scenario]]
name = "plaintext"
url = "http://127.0.0.1:8080/plaintext"
clients = "many"
)"),
            "benchgate.toml:7: scenario[0].clients: expected a list of positive integers such as "
            "[16, 64], got \"many\"");
  EXPECT_THAT(error_of(std::string(kApps) + R"([[scenario]]
name = "plaintext"
url = "http://127.0.0.1:8080/plaintext"
clients = [16, 0]
)"),
              HasSubstr("benchgate.toml:7: scenario[0].clients: expected a list of positive "
                        "integers, got an element 0"));
  EXPECT_THAT(error_of(std::string(kApps) + R"([[scenario]]
name = "plaintext"
url = "http://127.0.0.1:8080/plaintext"
)"),
              HasSubstr("benchgate.toml:4: scenario[0].clients: missing"));
}

TEST(SuiteErrors, UnknownKeysSuggestTheClosest) {
  EXPECT_EQ(error_of(std::string(kApps) + R"([[scenario]]
name = "plaintext"
url = "http://127.0.0.1:8080/plaintext"
client = [16]
)"),
            "benchgate.toml:7: scenario[0].client: unknown key (did you mean 'clients'?)");
  EXPECT_EQ(error_of("[default]\nduration = 1\n" + std::string(kApps) + kScenario),
            "benchgate.toml:1: default: unknown key (did you mean 'defaults'?)");
  EXPECT_THAT(
      error_of("[defaults]\nwarm_up = \"1s\"\n" + std::string(kApps) + kScenario),
      HasSubstr("benchgate.toml:2: defaults.warm_up: unknown key (did you mean 'warmup'?)"));
  EXPECT_THAT(error_of(std::string(kApps) + "zzz = 1\n" + kScenario),
              HasSubstr("benchgate.toml:4: app[0].zzz: unknown key; expected one of: label, "
                        "command, shell"));
}

TEST(SuiteErrors, Durations) {
  EXPECT_EQ(error_of("[defaults]\nduration = \"10 parsecs\"\n" + std::string(kApps) + kScenario),
            "benchgate.toml:2: defaults.duration: expected a positive duration such as \"10s\", "
            "\"500ms\" or 2, got \"10 parsecs\"");
  EXPECT_THAT(error_of("[defaults]\nduration = 0\n" + std::string(kApps) + kScenario),
              HasSubstr("defaults.duration: expected a positive duration"));
  EXPECT_THAT(error_of("[defaults]\nwarmup = -1\n" + std::string(kApps) + kScenario),
              HasSubstr("benchgate.toml:2: defaults.warmup: expected a duration"));
}

TEST(SuiteErrors, Integers) {
  EXPECT_EQ(error_of("[defaults]\niterations = 0\n" + std::string(kApps) + kScenario),
            "benchgate.toml:2: defaults.iterations: expected a positive integer, got 0");
  EXPECT_EQ(error_of("[defaults]\niterations = 2.5\n" + std::string(kApps) + kScenario),
            "benchgate.toml:2: defaults.iterations: expected a positive integer, got 2.5");
  EXPECT_THAT(error_of(std::string(kApps) + "instances = \"2\"\n" + kScenario),
              HasSubstr("benchgate.toml:4: app[0].instances: expected an integer from 1 to 1024, "
                        "got \"2\""));
}

TEST(SuiteErrors, CpuLists) {
  EXPECT_EQ(error_of("[defaults]\napp_cpus = \"0-\"\n" + std::string(kApps) + kScenario),
            "benchgate.toml:2: defaults.app_cpus: expected a CPU list such as \"0,2-3\" or "
            "[0, 2, 3], got \"0-\"");
  EXPECT_THAT(error_of("[defaults]\napp_cpus = [0, -1]\n" + std::string(kApps) + kScenario),
              HasSubstr("benchgate.toml:2: defaults.app_cpus: expected a CPU list"));
}

TEST(SuiteErrors, Labels) {
  EXPECT_EQ(error_of(std::string(kApps) + kApps + kScenario),
            "benchgate.toml:5: app[1].label: duplicate label 'main' (also on line 2); labels "
            "must be unique");
  EXPECT_EQ(error_of("[[app]]\ncommand = [\"./srv\"]\n[[app]]\ncommand = [\"/opt/srv\", \"-O\"]\n" +
                     std::string(kScenario)),
            "benchgate.toml:3: app[1].label: duplicate label 'srv' (also on line 1); labels must "
            "be unique (this one comes from the command: set label)");
  EXPECT_THAT(error_of("[[app]]\nlabel = \"\"\ncommand = [\"x\"]\n" + std::string(kScenario)),
              HasSubstr("benchgate.toml:2: app[0].label: '' is not a valid label"));
  EXPECT_THAT(error_of("[[app]]\nlabel = \"a b\"\ncommand = [\"x\"]\n" + std::string(kScenario)),
              HasSubstr("app[0].label: 'a b' is not a valid label"));
  EXPECT_THAT(error_of("[[app]]\nlabel = \"x\"\n" + std::string(kScenario)),
              HasSubstr("benchgate.toml:1: app[0].command: missing"));
  EXPECT_THAT(error_of("[[app]]\ncommand = []\n" + std::string(kScenario)),
              HasSubstr("benchgate.toml:2: app[0].command: expected a non-empty command"));
  EXPECT_THAT(error_of("[[app]]\ncommand = [\"a\", 1]\n" + std::string(kScenario)),
              HasSubstr("app[0].command: expected an array of strings, got an element 1"));
  EXPECT_THAT(error_of("[[app]]\ncommand = [\"a\"]\nshell = true\n" + std::string(kScenario)),
              HasSubstr("benchgate.toml:2: app[0].command: shell = true needs the command as one "
                        "string"));
  EXPECT_THAT(error_of("[[app]]\ncommand = \"./x 'unterminated\"\n" + std::string(kScenario)),
              HasSubstr("benchgate.toml:2: app[0].command: unterminated single quote"));
}

TEST(SuiteErrors, Roles) {
  const std::string two_baselines = R"([[app]]
label = "a"
command = ["x"]
role = "baseline"
[[app]]
label = "b"
command = ["x"]
role = "baseline"
)";
  EXPECT_EQ(error_of(two_baselines + kScenario),
            "benchgate.toml:8: app[1].role: app 'a' already has role \"baseline\"; at most one "
            "app may");
  EXPECT_EQ(error_of("[[app]]\ncommand = [\"x\"]\nrole = \"baseline\"\n" + std::string(kScenario)),
            "benchgate.toml: app: app 'x' has role \"baseline\" but no app has role "
            "\"candidate\"; an A/B gate needs both");
  EXPECT_EQ(error_of("[[app]]\ncommand = [\"x\"]\nrole = \"main\"\n" + std::string(kScenario)),
            "benchgate.toml:3: app[0].role: expected \"baseline\" or \"candidate\", got \"main\"");
}

TEST(SuiteErrors, MissingSections) {
  EXPECT_THAT(error_of(kScenario), HasSubstr("benchgate.toml: app: no [[app]] table"));
  EXPECT_THAT(error_of(kApps), HasSubstr("benchgate.toml: scenario: no [[scenario]] table"));
  EXPECT_EQ(error_of("[app]\ncommand = [\"x\"]\n" + std::string(kScenario)),
            "benchgate.toml:1: app: expected an array of tables: write each as [[app]]");
}

TEST(SuiteErrors, Urls) {
  auto with_url = [](const std::string& url) {
    return error_of(std::string(kApps) + "[[scenario]]\nname = \"s\"\nclients = 1\nurl = \"" + url +
                    "\"\n");
  };
  EXPECT_THAT(with_url("ftp://host/x"),
              HasSubstr("benchgate.toml:7: scenario[0].url: expected an http:// or https:// URL"));
  EXPECT_THAT(with_url("http://host:70000/"), HasSubstr("port out of range"));
  EXPECT_THAT(with_url("http:///x"), HasSubstr("no host"));
  EXPECT_THAT(with_url("/plaintext"),
              HasSubstr("benchgate.toml:7: scenario[0].url: '/plaintext' is a path, so "
                        "[defaults] needs base_url"));
  EXPECT_THAT(with_url("plaintext"), HasSubstr("scenario[0].url: expected an http://"));
  EXPECT_THAT(error_of(std::string(kApps) + "[[scenario]]\nname = \"s\"\nclients = 1\n"),
              HasSubstr("benchgate.toml:4: scenario[0].url: missing"));
}

TEST(SuiteErrors, ScenarioNames) {
  EXPECT_EQ(error_of(std::string(kApps) + kScenario + kScenario),
            "benchgate.toml:9: scenario[1].name: duplicate scenario name 'plaintext' (also on "
            "line 5)");
  EXPECT_THAT(error_of(std::string(kApps) + "[[scenario]]\nurl = \"http://h/\"\nclients = 1\n"),
              HasSubstr("benchgate.toml:4: scenario[0].name: missing"));
}

TEST(SuiteErrors, DriversAndRates) {
  auto with = [](const std::string& extra) {
    return error_of(std::string(kApps) + kScenario + extra);
  };
  EXPECT_EQ(with("driver = \"wrkk\"\n"),
            "benchgate.toml:8: scenario[0].driver: unknown driver 'wrkk' (did you mean 'wrk'?)");
  EXPECT_EQ(with("driver = \"wrk\"\nrates = [100]\n"),
            "benchgate.toml:9: scenario[0].rates: the wrk driver runs closed loop only; rates "
            "need the builtin or wrk2 driver");
  EXPECT_EQ(with("driver = \"wrk2\"\n"),
            "benchgate.toml:8: scenario[0].rates: missing; the wrk2 driver runs at constant "
            "rates: give a list of request rates such as [1000, 5000]");
  EXPECT_THAT(with("rates = [100, -5]\n"),
              HasSubstr("benchgate.toml:8: scenario[0].rates: expected a list of positive request "
                        "rates, got an element -5"));
  EXPECT_THAT(error_of("[defaults]\nprofiler = \"perff\"\n" + std::string(kApps) + kScenario),
              HasSubstr("defaults.profiler: unknown profiler 'perff' (did you mean 'perf'?)"));
}

TEST(SuiteErrors, DriverOptions) {
  auto with = [](const std::string& extra) {
    return error_of(std::string(kApps) + kScenario + extra);
  };
  EXPECT_THAT(with("pipeline = 0\n"),
              HasSubstr("benchgate.toml:8: scenario[0].pipeline: expected an integer from 1 to "
                        "1024, got 0"));
  EXPECT_THAT(with("keepalive = \"no\"\n"),
              HasSubstr("scenario[0].keepalive: expected true or false, got \"no\""));
  EXPECT_THAT(with("max_error_rate = 5\n"),
              HasSubstr("scenario[0].max_error_rate: expected a fraction from 0 to 1"));
  EXPECT_THAT(with("method = \"GET /x\"\n"),
              HasSubstr("scenario[0].method: expected an HTTP method"));
  EXPECT_THAT(with("headers = [\"NoColon\"]\n"),
              HasSubstr("scenario[0].headers: expected \"Name: value\" strings"));
  EXPECT_THAT(with("headers = { \"Bad Name\" = \"x\" }\n"),
              HasSubstr("scenario[0].headers: 'Bad Name' is not a valid header name"));
  EXPECT_THAT(with("timeout = \"0s\"\n"),
              HasSubstr("scenario[0].timeout: expected a positive duration"));
  EXPECT_THAT(error_of(std::string(kApps) + "env = { \"1X\" = \"a\" }\n" + kScenario),
              HasSubstr("benchgate.toml:4: app[0].env.1X: not a valid environment variable name"));
}

TEST(SuiteErrors, TomlSyntax) {
  EXPECT_THAT(error_of("[defaults]\nduration = \n"), HasSubstr("benchgate.toml:2:"));
  EXPECT_THAT(error_of("[[app]]\ncommand = [\"x\"\n"), HasSubstr("benchgate.toml:"));
}

TEST(SuiteErrors, MissingFile) {
  try {
    parse_suite_file("/nonexistent/benchgate.toml", "");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "/nonexistent/benchgate.toml: cannot read: No such file or directory (expected a "
                 "suite file)");
  }
}

// ---- [gate] -----------------------------------------------------------------------------------

TEST(Gate, ThresholdForms) {
  auto s = parse(std::string(kApps) + kScenario + R"([gate]
alpha = 0.01
min_runs = 12
warn_only = true
testbed_mismatch = "warn"
confirm = 5
throughput = { min_effect = "2.5%", better = "higher" }
latency_p50 = { min_effect = "250us" }
latency_p999 = false
errors = { min_effect = 3 }
rss_growth = { min_effect = 1048576 }
idle_rss = { min_effect = "1GiB" }
cpu_per_request = { min_effect = ["4%"], alpha = 0.1, enabled = true }
[gate.scenario.plaintext]
latency_p99 = { min_effect = "20%" }
[gate.scenario."plaintext c=16 r=1000.5"]
latency_p50 = { enabled = false }
)");
  const auto& g = s.gate;
  EXPECT_DOUBLE_EQ(g.alpha, 0.01);
  EXPECT_EQ(g.min_runs, 12);
  EXPECT_TRUE(g.warn_only);
  EXPECT_EQ(g.testbed_mismatch, "warn");
  EXPECT_EQ(g.confirm, 5);
  EXPECT_DOUBLE_EQ(*g.metrics.at("throughput").min_effect_rel, 0.025);
  EXPECT_EQ(*g.metrics.at("throughput").better, results::Better::kHigher);
  EXPECT_DOUBLE_EQ(*g.metrics.at("latency_p50").min_effect_abs, 250e-6);
  EXPECT_FALSE(g.metrics.at("latency_p50").min_effect_rel);
  EXPECT_FALSE(g.metrics.at("latency_p99.9").enabled);
  EXPECT_DOUBLE_EQ(*g.metrics.at("errors").min_effect_abs, 3);
  EXPECT_DOUBLE_EQ(*g.metrics.at("rss_growth").min_effect_abs, 1048576);
  EXPECT_DOUBLE_EQ(*g.metrics.at("idle_rss").min_effect_abs, 1024.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(*g.metrics.at("cpu_per_request").alpha, 0.1);
  EXPECT_DOUBLE_EQ(*g.per_scenario.at("plaintext").at("latency_p99").min_effect_rel, 0.2);
  EXPECT_FALSE(g.per_scenario.at("plaintext c=16 r=1000.5").at("latency_p50").enabled);
}

TEST(Gate, Errors) {
  auto gate = [](const std::string& body) {
    return error_of(std::string(kApps) + kScenario + "[gate]\n" + body);
  };
  EXPECT_EQ(gate("througput = { min_effect = \"3%\" }\n"),
            "benchgate.toml:9: gate.througput: unknown key (did you mean 'throughput'?)");
  EXPECT_EQ(gate("throughput = { min_effect = 0.03 }\n"),
            "benchgate.toml:9: gate.throughput.min_effect: a bare number is ambiguous for "
            "throughput: write \"0.03%\" for a relative effect or an amount with its unit such as "
            "\"500/s\"");
  EXPECT_EQ(gate("latency_p99 = { min_effect = \"4MiB\" }\n"),
            "benchgate.toml:9: gate.latency_p99.min_effect: expected a percentage such as \"3%\" "
            "or an absolute amount such as \"5ms\", got \"4MiB\"");
  EXPECT_THAT(gate("rss_growth = { min_effect = \"5%\" }\n"),
              HasSubstr("gate.rss_growth.min_effect: expected an absolute amount such as "
                        "\"4MiB\" (rss_growth is compared as a difference"));
  EXPECT_THAT(gate("throughput = { min_effect = [\"3%\", \"4%\"] }\n"),
              HasSubstr("two relative effects given"));
  EXPECT_THAT(gate("throughput = { better = \"up\" }\n"),
              HasSubstr("gate.throughput.better: expected \"higher\" or \"lower\", got \"up\""));
  EXPECT_THAT(gate("throughput = { min_effct = \"3%\" }\n"),
              HasSubstr("gate.throughput.min_effct: unknown key (did you mean 'min_effect'?)"));
  EXPECT_THAT(gate("alpha = 0.9\n"),
              HasSubstr("gate.alpha: expected a significance level above 0 and at most 0.5"));
  EXPECT_THAT(gate("testbed_mismatch = \"ignore\"\n"),
              HasSubstr("gate.testbed_mismatch: expected \"error\" or \"warn\""));
  EXPECT_EQ(gate("[gate.scenario.plaintxt]\nthroughput = { min_effect = \"5%\" }\n"),
            "benchgate.toml:9: gate.scenario.plaintxt: no scenario named 'plaintxt' (did you "
            "mean 'plaintext'?)");
  EXPECT_THAT(gate("[gate.scenario.\"plaintext 64\"]\nthroughput = false\n"),
              HasSubstr("expected a scenario name or a cell key such as \"plaintext c=64\""));
  EXPECT_THAT(gate("[gate.scenario.plaintext]\nalpha = 0.1\n"),
              HasSubstr("benchgate.toml:10: gate.scenario.plaintext.alpha: unknown key"));
}

// ---- Environment overrides ------------------------------------------------------------------

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(EnvOverrides, ReplaceFileValuesEverywhere) {
  auto s = parse(std::string(kApps) + "cpus = \"3\"\n" + kScenario +
                 "iterations = 9\nduration = \"20s\"\ndriver = \"wrk\"\n");
  apply_env_overrides(s, env_of({{"BENCHGATE_ITERATIONS", "2"},
                                 {"BENCHGATE_DURATION", "1s"},
                                 {"BENCHGATE_WARMUP", "0"},
                                 {"BENCHGATE_DRIVER", "builtin"},
                                 {"BENCHGATE_OUT", "/tmp/out"},
                                 {"BENCHGATE_SEED", "7"},
                                 {"BENCHGATE_APP_CPUS", "0-1"},
                                 {"BENCHGATE_DRIVER_CPUS", "2"},
                                 {"BENCHGATE_FILTER", "plain*"},
                                 {"BENCHGATE_CLIENTS", "4"},
                                 {"BENCHGATE_WARN_ONLY", "yes"},
                                 {"BENCHGATE_SLEEP", ""}}));
  EXPECT_EQ(s.defaults.iterations, 2);
  EXPECT_FALSE(s.scenarios[0].iterations);
  EXPECT_EQ(s.defaults.duration, std::chrono::seconds(1));
  EXPECT_FALSE(s.scenarios[0].duration);
  EXPECT_EQ(s.defaults.warmup, Nanos::zero());
  EXPECT_EQ(s.defaults.driver, "builtin");
  EXPECT_TRUE(s.scenarios[0].driver.empty());
  EXPECT_EQ(s.defaults.out, "/tmp/out");
  EXPECT_EQ(s.defaults.seed, 7u);
  EXPECT_EQ(s.defaults.app_cpus, (std::vector<int>{0, 1}));
  EXPECT_TRUE(s.apps[0].cpus.empty());
  EXPECT_EQ(s.defaults.driver_cpus, (std::vector<int>{2}));
  EXPECT_EQ(s.filter, "plain*");
  EXPECT_EQ(s.scenarios[0].clients, (std::vector<int>{4}));
  EXPECT_TRUE(s.gate.warn_only);
  EXPECT_EQ(s.defaults.sleep, Nanos::zero());  // empty = unset
}

TEST(EnvOverrides, ErrorsNameTheVariable) {
  auto s = parse(std::string(kApps) + kScenario);
  auto err = [&](const std::string& var, const std::string& value) -> std::string {
    auto copy = s;
    try {
      apply_env_overrides(copy, env_of({{var, value}}));
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(err("BENCHGATE_ITERATIONS", "x"),
            "BENCHGATE_ITERATIONS: expected a positive integer, got 'x'");
  EXPECT_EQ(err("BENCHGATE_DURATION", "fast"),
            "BENCHGATE_DURATION: expected a positive duration such as 10s or 500ms, got 'fast'");
  EXPECT_EQ(err("BENCHGATE_DRIVER", "wrk3"),
            "BENCHGATE_DRIVER: unknown driver 'wrk3' (did you mean 'wrk'?)");
  EXPECT_EQ(err("BENCHGATE_SEED", "-1"),
            "BENCHGATE_SEED: expected an integer from 0 to 18446744073709551615, or random, got "
            "'-1'");
  EXPECT_EQ(err("BENCHGATE_APP_CPUS", "a"),
            "BENCHGATE_APP_CPUS: expected a CPU list such as 0,2-3 (or none), got 'a'");
  EXPECT_THAT(err("BENCHGATE_DRIVER", "wrk2"),
              HasSubstr("after BENCHGATE_* environment overrides: benchgate.toml: "
                        "scenario[0].rates: the wrk2 driver needs a list of request rates"));
}

TEST(EnvOverrides, CliUsesTheSameSettingTable) {
  auto s = parse(std::string(kApps) + kScenario);
  apply_override(s, "seed", "random", "--seed");
  EXPECT_FALSE(s.defaults.seed);
  EXPECT_THROW(apply_override(s, "iterations", "0", "--iterations"), UsageError);
}

// The one option table: every option has a flag, a variable and a suite key, or a written
// reason for each one it lacks; names and flags are unique; every non-structural option is one
// apply_override() takes (an unknown name throws "unknown setting").
TEST(OptionTable, EveryOptionHasFlagEnvAndSuiteKeyOrAReason) {
  std::set<std::string> names, flags, envs;
  for (const auto& o : option_table()) {
    SCOPED_TRACE(std::string(o.name));
    EXPECT_TRUE(names.insert(std::string(o.name)).second) << "duplicate name";
    EXPECT_NE(o.commands, 0u);
    EXPECT_FALSE(o.help.empty());
    if (o.flags.empty()) {
      EXPECT_THAT(std::string(o.why_not), HasSubstr("flag"));
    }
    if (o.env.empty()) {
      EXPECT_THAT(std::string(o.why_not), HasSubstr("variable"));
    }
    if (o.suite_key.empty()) {
      EXPECT_THAT(std::string(o.why_not), HasSubstr("suite key"));
    }
    if (!o.why_not.empty()) {
      EXPECT_TRUE(o.flags.empty() || o.env.empty() || o.suite_key.empty())
          << "a reason for nothing missing";
    }
    for (const auto& f : split(std::string(o.flags), ',', true)) {
      EXPECT_TRUE(flags.insert(f).second) << "flag " << f << " twice";
    }
    if (!o.env.empty()) {
      EXPECT_TRUE(envs.insert(std::string(o.env)).second) << "variable " << o.env << " twice";
      // BENCHGATE_ + the name in capitals; list options have a plural variable, and NO_COLOR
      // is the common convention.
      if (o.name == "header" || o.name == "wrk_script_arg") {
        EXPECT_EQ(o.env, "BENCHGATE_" + to_upper_for_test(o.name) + "S");
      } else if (o.name != "no_color") {
        EXPECT_EQ(o.env, "BENCHGATE_" + to_upper_for_test(o.name));
      }
    }
    EXPECT_EQ(o.kind == OptionKind::kSwitch, !o.switch_value.empty());
    if (o.structural) continue;
    // apply_override() knows it: a bad value is a usage error naming the origin, never
    // "unknown setting".
    auto copy = parse(std::string(kApps) + kScenario);
    try {
      apply_override(copy, o.name, o.kind == OptionKind::kSwitch ? o.switch_value : "1", "ORIGIN");
    } catch (const UsageError& e) {
      EXPECT_THAT(std::string(e.what()), Not(HasSubstr("unknown setting"))) << e.what();
      EXPECT_THAT(std::string(e.what()), StartsWith("ORIGIN: "));
    }
  }
  // The options every command shares reach all three.
  for (const char* name : {"duration", "warmup", "driver", "clients", "profiler", "tool_path",
                           "ssh_options", "jmeter_plan", "wrk_script", "wrk_script_arg", "timeout",
                           "client_host", "out", "tune_host", "name"}) {
    const auto* o = find_option(name);
    ASSERT_NE(o, nullptr) << name;
    EXPECT_EQ(o->commands, kAllCommands) << name;
  }
  EXPECT_EQ(flag_origin(*find_option("app_cpus")), "--app-cpus/--cpus");
}

// docs/suite-reference.md lists every option of the table with its flag and variable.
TEST(OptionTable, TheSuiteReferenceListsEveryOption) {
  std::ifstream in(std::string(BENCHGATE_SOURCE_DIR) + "/docs/suite-reference.md");
  ASSERT_TRUE(in);
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& o : option_table()) {
    EXPECT_NE(doc.find(fmt::format("| `{}` |", o.name)), std::string::npos) << o.name;
    if (!o.env.empty()) {
      EXPECT_NE(doc.find(fmt::format("`{}`", o.env)), std::string::npos) << o.env;
    }
    for (const auto& f : split(std::string(o.flags), ',', true)) {
      EXPECT_NE(doc.find(fmt::format("`{}`", f)), std::string::npos) << f;
    }
  }
}

TEST(OptionTable, EnvironmentGivesTheOptionsOfACommand) {
  const auto env = env_of({{"BENCHGATE_ITERATIONS", "1"},
                           {"BENCHGATE_CLIENTS", "4"},
                           {"BENCHGATE_TIMEOUT", " "},
                           {"BENCHGATE_HEADERS", "X-A: 1\nX-B: 2"}});
  const auto compare = env_options(kCompareCommand, env);
  ASSERT_EQ(compare.size(), 3u);  // blank = unset
  EXPECT_EQ(given_value(compare, "iterations"), "1");
  EXPECT_EQ(compare[0].origin, "BENCHGATE_CLIENTS");  // table order
  // drive runs once: BENCHGATE_ITERATIONS is not one of its options.
  EXPECT_FALSE(given_value(env_options(kDriveCommand, env), "iterations"));
  auto s = parse(std::string(kApps) + kScenario);
  apply_options(s, compare, "the environment");
  EXPECT_EQ(s.defaults.iterations, 1);
  EXPECT_EQ(s.scenarios[0].clients, (std::vector<int>{4}));
  const auto& h = s.scenarios[0].driver_options.headers;
  ASSERT_GE(h.size(), 2u);
  EXPECT_EQ(h[h.size() - 2], (std::pair<std::string, std::string>{"X-A", "1"}));
  EXPECT_EQ(h.back(), (std::pair<std::string, std::string>{"X-B", "2"}));
}

TEST(OptionTable, DriverOptionsReachEveryScenario) {
  auto s = parse(std::string(kApps) + kScenario);
  apply_override(s, "keepalive", "false", "--no-keepalive");
  apply_override(s, "timeout", "750ms", "--timeout");
  apply_override(s, "ssh_options", "-p 2222 -o 'A B'", "--ssh-options");
  apply_override(s, "tool_path", "/opt/wrk2", "--tool-path");
  apply_override(s, "wrk_script_arg", "a\nb c", "--wrk-script-arg");
  apply_override(s, "instances", "3", "--instances");
  for (const auto& sc : s.scenarios) {
    EXPECT_FALSE(sc.driver_options.keepalive);
    EXPECT_EQ(sc.driver_options.timeout, std::chrono::milliseconds(750));
    EXPECT_EQ(sc.driver_options.ssh_options, (std::vector<std::string>{"-p", "2222", "-o", "A B"}));
    EXPECT_EQ(sc.driver_options.tool_path, "/opt/wrk2");
    EXPECT_EQ(sc.driver_options.script_args, (std::vector<std::string>{"a", "b c"}));
  }
  for (const auto& a : s.apps)
    EXPECT_EQ(a.instances, 3);
  auto err = [&](const char* name, const char* value) -> std::string {
    auto copy = s;
    try {
      apply_override(copy, name, value, std::string("--") + name);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(err("jmeter_plan", "/no/such.jmx"),
            "--jmeter_plan: expected an existing file, got '/no/such.jmx'");
  EXPECT_EQ(err("pipeline", "0"), "--pipeline: expected an integer from 1 to 1024, got '0'");
  EXPECT_EQ(err("header", "NoColon"), "--header: expected a header 'Name: value', got 'NoColon'");
  EXPECT_EQ(err("confirm", "1001"),
            "--confirm: expected a number of extra pairs from 0 (off) to 1000, got '1001'");
}

TEST(ClientHost, HostNamesAddressesAndUserAtHost) {
  for (const char* ok :
       {"loadgen", "loadgen.example.com", "load-gen_2", "10.0.0.2", "::1", "fe80::1", "[fe80::1]",
        "user@10.0.0.2", "ci.user@host", "user@[::1]", "::ffff:10.0.0.1"}) {
    EXPECT_TRUE(is_valid_client_host(ok)) << ok;
  }
  for (const char* bad :
       {"", "-oProxyCommand=touch x", "-p", "user@-oProxyCommand=x", "-user@host", "host name",
        "host;rm", "$(id)", "a@b@c", "host\n", "[::1", ".hidden", "@host", "user@"}) {
    EXPECT_FALSE(is_valid_client_host(bad)) << bad;
  }
}

}  // namespace
}  // namespace benchgate::config
