// measure = "wall" | "instructions" | "counters" and the request counts of the counting modes: suite keys in
// [defaults] and [[scenario]], the BENCHGATE_MEASURE / --measure override, the resolved JSON.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/suite.h"
#include "core/error.h"

namespace benchgate::config {
namespace {

using ::testing::HasSubstr;

constexpr const char* kBody = R"([[app]]
label = "main"
command = ["./server"]

[[scenario]]
name = "a"
url = "http://127.0.0.1:8080/a"
clients = [1]

[[scenario]]
name = "b"
url = "http://127.0.0.1:8080/b"
clients = [2]
measure = "wall"
counted_requests = 50
)";

SuiteConfig parse(const std::string& defaults) {
  return parse_suite_text("[defaults]\n" + defaults + "\n" + kBody, "s.toml", "");
}

std::string error_of(const std::string& defaults) {
  try {
    parse(defaults);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "parsed: " << defaults;
  return "";
}

TEST(Measure, DefaultsToWallAndScenariosInheritOrOverride) {
  const auto plain = parse("");
  EXPECT_EQ(plain.scenarios[0].driver_options.measure, "wall");
  EXPECT_EQ(plain.scenarios[0].driver_options.counted_requests, 2000);
  EXPECT_EQ(plain.scenarios[0].driver_options.warmup_requests, 200);
  const auto s = parse("measure = \"instructions\"\ncounted_requests = 700\nwarmup_requests = 0");
  EXPECT_EQ(s.scenarios[0].driver_options.measure, "instructions");
  EXPECT_EQ(s.scenarios[0].driver_options.counted_requests, 700);
  EXPECT_EQ(s.scenarios[0].driver_options.warmup_requests, 0);
  EXPECT_EQ(s.scenarios[1].driver_options.measure, "wall");  // its own key wins
  EXPECT_EQ(s.scenarios[1].driver_options.counted_requests, 50);
}

TEST(Measure, BadValuesNameTheKeyAndLine) {
  EXPECT_THAT(error_of("measure = \"cycles\""), HasSubstr("s.toml:2"));
  EXPECT_THAT(error_of("measure = \"cycles\""), HasSubstr("expected wall, instructions or counters"));
  EXPECT_THAT(error_of("counted_requests = 0"), HasSubstr("counted_requests"));
  EXPECT_THAT(error_of("warmup_requests = -1"), HasSubstr("warmup_requests"));
}

TEST(Measure, OverrideReplacesEveryScenario) {
  auto s = parse("");
  apply_override(s, "measure", "instructions", "BENCHGATE_MEASURE");
  for (const auto& sc : s.scenarios)
    EXPECT_EQ(sc.driver_options.measure, "instructions");
  apply_override(s, "counted_requests", "123", "--set counted_requests");
  EXPECT_EQ(s.scenarios[1].driver_options.counted_requests, 123);
  try {
    apply_override(s, "measure", "fast", "--measure");
    ADD_FAILURE() << "accepted";
  } catch (const UsageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("--measure: expected wall, instructions or counters, got 'fast'"));
  }
  EXPECT_THROW(apply_override(s, "counted_requests", "0", "--set counted_requests"), UsageError);
}

TEST(Measure, CountersIsAModeOfItsOwnWithTheSameRequestCounts) {
  auto s = parse("measure = \"counters\"\ncounted_requests = 20000");
  EXPECT_EQ(s.scenarios[0].driver_options.measure, "counters");
  EXPECT_EQ(s.scenarios[0].driver_options.counted_requests, 20000);
  EXPECT_TRUE(is_counting_mode("counters"));
  EXPECT_TRUE(is_counting_mode("instructions"));
  EXPECT_FALSE(is_counting_mode("wall"));
  apply_override(s, "measure", "counters", "--measure");
  EXPECT_EQ(s.scenarios[1].driver_options.measure, "counters");
  const auto back = suite_from_json(suite_to_json(s), "results.json");
  EXPECT_EQ(back.scenarios[0].driver_options.measure, "counters");
  EXPECT_EQ(back.scenarios[0].driver_options.counted_requests, 20000);
}

TEST(Measure, ResolvedJsonRoundTrips) {
  const auto s = parse("measure = \"instructions\"\ncounted_requests = 700");
  const auto j = suite_to_json(s);
  EXPECT_EQ(j["scenario"][0]["measure"], "instructions");
  EXPECT_EQ(j["scenario"][0]["counted_requests"], 700);
  EXPECT_FALSE(j["scenario"][1].contains("measure"));  // wall: the default, not written
  const auto back = suite_from_json(j, "results.json");
  EXPECT_EQ(back.scenarios[0].driver_options.measure, "instructions");
  EXPECT_EQ(back.scenarios[0].driver_options.counted_requests, 700);
  EXPECT_EQ(back.scenarios[1].driver_options.measure, "wall");
}

}  // namespace
}  // namespace benchgate::config
