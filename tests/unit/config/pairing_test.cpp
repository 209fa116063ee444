// pairing = "restart" | "bursts", starts, burst_warmup and an app's own port: suite keys, the
// overrides, the resolved JSON, and the checks that make a bursts suite runnable (both apps
// with a role and a port of their own, nothing else in the suite, wall-clock measure, no
// profiler).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/suite.h"
#include "core/error.h"

namespace benchgate::config {
namespace {

using ::testing::HasSubstr;

std::string suite_text(const std::string& defaults,
                       const std::string& candidate_extra = "port = 8081",
                       const std::string& more = "") {
  return "[defaults]\n" + defaults + R"(
[[app]]
label = "main"
command = ["./server", "--port", "{port}"]
role = "baseline"
[[app]]
label = "pr"
command = ["./server-pr", "--port", "{port}"]
role = "candidate"
)" + candidate_extra +
         R"(
[[scenario]]
name = "a"
url = "http://127.0.0.1:8080/a"
clients = [1]
)" + more;
}

std::string error_of(const std::string& text) {
  try {
    parse_suite_text(text, "s.toml", "");
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "parsed: " << text;
  return "";
}

TEST(Pairing, DefaultsToRestartAndReadsTheBurstKeys) {
  const auto plain = parse_suite_text(suite_text(""), "s.toml", "");
  EXPECT_EQ(plain.scenarios[0].driver_options.pairing, "restart");
  EXPECT_EQ(plain.apps[1].port, 8081);
  const auto s = parse_suite_text(
      suite_text("pairing = \"bursts\"\nstarts = 3\nburst_warmup = \"50ms\""), "s.toml", "");
  EXPECT_EQ(s.scenarios[0].driver_options.pairing, "bursts");
  EXPECT_EQ(s.scenarios[0].driver_options.starts, 3);
  EXPECT_EQ(s.scenarios[0].driver_options.burst_warmup, std::chrono::milliseconds(50));
  // The resolved JSON keeps them and reads back the same.
  const auto j = suite_to_json(s);
  const auto back = suite_from_json(j, "results.json");
  EXPECT_EQ(back.scenarios[0].driver_options.pairing, "bursts");
  EXPECT_EQ(back.scenarios[0].driver_options.starts, 3);
  EXPECT_EQ(back.scenarios[0].driver_options.burst_warmup, std::chrono::milliseconds(50));
  EXPECT_EQ(back.apps[1].port, 8081);
}

TEST(Pairing, BadValuesNameTheKeyAndLine) {
  EXPECT_THAT(error_of(suite_text("pairing = \"abba\"")),
              HasSubstr("s.toml:2: defaults.pairing: expected \"restart\" or \"bursts\""));
  EXPECT_THAT(error_of(suite_text("starts = 0")), HasSubstr("defaults.starts"));
  EXPECT_THAT(error_of(suite_text("", "port = 70000")), HasSubstr("TCP port from 1 to 65535"));
}

TEST(Pairing, BurstsNeedTwoPortsAndSaySo) {
  EXPECT_THAT(error_of(suite_text("pairing = \"bursts\"", "")),
              HasSubstr("both would listen on port 8080: give one of them a `port`"));
}

TEST(Pairing, BurstsRunOnlyTheAbPairWithTheClockAndNoProfiler) {
  EXPECT_THAT(error_of(suite_text("pairing = \"bursts\"", "port = 8081",
                                  "[[app]]\nlabel = \"other\"\ncommand = [\"./o\"]\n")),
              HasSubstr("app 'other' has no role"));
  EXPECT_THAT(error_of(suite_text("pairing = \"bursts\"\nmeasure = \"instructions\"")),
              HasSubstr("is for wall-clock metrics"));
  EXPECT_THAT(error_of(suite_text("pairing = \"bursts\"\nprofiler = \"perf\"")),
              HasSubstr("use pairing = \"restart\" to profile"));
  // Without roles there is no pair to alternate.
  EXPECT_THAT(error_of(R"([defaults]
pairing = "bursts"
[[app]]
label = "main"
command = ["./server"]
[[scenario]]
name = "a"
url = "http://127.0.0.1:8080/a"
clients = [1]
)"),
              HasSubstr("give one app role \"baseline\" and one role \"candidate\""));
}

TEST(Pairing, OverridesReplaceEveryScenarioAndRejectBadValues) {
  auto s = parse_suite_text(suite_text(""), "s.toml", "");
  apply_override(s, "pairing", "bursts", "BENCHGATE_PAIRING");
  apply_override(s, "starts", "4", "--starts");
  apply_override(s, "burst_warmup", "0s", "--burst-warmup");
  EXPECT_EQ(s.scenarios[0].driver_options.pairing, "bursts");
  EXPECT_EQ(s.scenarios[0].driver_options.starts, 4);
  EXPECT_EQ(s.scenarios[0].driver_options.burst_warmup, Nanos::zero());
  validate_suite(s);
  EXPECT_THROW(apply_override(s, "pairing", "alternate", "--pairing"), UsageError);
  EXPECT_THROW(apply_override(s, "starts", "0", "BENCHGATE_STARTS"), UsageError);
  EXPECT_THROW(apply_override(s, "burst_warmup", "-1s", "--burst-warmup"), UsageError);
}

TEST(Pairing, UrlForAppPutsTheAppsPortIntoAUrl) {
  AppSpec a;
  EXPECT_EQ(url_for_app(a, "http://127.0.0.1:8080/x?y=1"), "http://127.0.0.1:8080/x?y=1");
  a.port = 9090;
  EXPECT_EQ(url_for_app(a, "http://127.0.0.1:8080/x?y=1"), "http://127.0.0.1:9090/x?y=1");
  EXPECT_EQ(url_for_app(a, "https://localhost/"), "https://localhost:9090/");
}

}  // namespace
}  // namespace benchgate::config
