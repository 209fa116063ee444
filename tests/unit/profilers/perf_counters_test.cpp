// measure = "counters": perf stat's CSV output and the availability decision, on outputs
// recorded on the development VM (tests/data/perf-stat/README.md; no hardware counters there,
// so the supported case is a file written in perf-stat(1)'s CSV format, labelled as such).

#include "profilers/perf_counters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/parse.h"
#include "test_support.h"

namespace benchgate::profilers {
namespace {

using ::testing::HasSubstr;

std::string data(const std::string& name) {
  return benchgate::testing::read_text(benchgate::testing::data_path("perf-stat/" + name));
}

CountersProbe probe_of(const std::string& csv_file) {
  CountersProbe p;
  p.csv = data(csv_file);
  p.paranoid = 2;
  p.privileged = true;
  return p;
}

TEST(PerfStatCsv, ReadsCountsUnitsAndTheNotSupportedMarker) {
  const auto v = parse_perf_stat_csv(data("task-clock-counted.csv"));
  ASSERT_EQ(v.size(), 2u);  // the "# started on" comment and the blank line are skipped
  EXPECT_EQ(v[0].event, "task-clock:u");
  EXPECT_EQ(v[0].unit, "msec");
  EXPECT_EQ(v[0].status, "counted");
  ASSERT_TRUE(v[0].value);
  EXPECT_DOUBLE_EQ(*v[0].value, 1.04);
  EXPECT_DOUBLE_EQ(v[0].running_pct, 100.0);
  EXPECT_EQ(v[1].event, "instructions:u");
  EXPECT_EQ(v[1].status, "not supported");
  EXPECT_FALSE(v[1].value);
  const auto nc = parse_perf_stat_csv(data("not-counted.csv"));
  ASSERT_EQ(nc.size(), 1u);
  EXPECT_EQ(nc[0].status, "not counted");
}

TEST(PerfStatCsv, RejectsWhatIsNotACountLine) {
  EXPECT_THROW(parse_perf_stat_csv("hello\n"), ParseError);
  EXPECT_THROW(parse_perf_stat_csv("12,,\n"), ParseError);  // no event name
  try {
    parse_perf_stat_csv("# c\n\nabc,,instructions:u,1,100.00,,\n");
    ADD_FAILURE() << "accepted";
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("line 3"));
    EXPECT_THAT(e.what(), HasSubstr("instructions:u"));
  }
  EXPECT_TRUE(parse_perf_stat_csv("").empty());
}

TEST(CountersAvailability, SupportedWhenEveryEventHasACount) {
  const auto a = counters_availability(probe_of("constructed-supported.csv"));
  EXPECT_TRUE(a.available) << a.reason;
  EXPECT_EQ(a.reason, "");
  const auto c = perf_counts(data("constructed-supported.csv"));
  EXPECT_EQ(c.instructions, 1184305u);
  EXPECT_EQ(c.cycles, 1057414u);
}

TEST(CountersAvailability, NotSupportedOnAVmWithoutPmu) {
  const auto a = counters_availability(probe_of("not-supported.csv"));
  EXPECT_FALSE(a.available);
  EXPECT_THAT(a.reason, HasSubstr("instructions:u is <not supported>"));
  EXPECT_THAT(a.reason, HasSubstr("no hardware performance counters"));
  EXPECT_THROW(perf_counts(data("not-supported.csv")), ParseError);
}

TEST(CountersAvailability, NotCountedAndMissingLinesAreNotAPass) {
  auto p = probe_of("not-counted.csv");
  p.csv = replace_all(p.csv, "task-clock", "instructions:u");
  const auto a = counters_availability(p);
  EXPECT_FALSE(a.available);
  EXPECT_THAT(a.reason, HasSubstr("<not counted>"));
  // A counted software event is not a hardware counter: cycles:u has no line at all.
  auto q = probe_of("task-clock-counted.csv");
  const auto b = counters_availability(q);
  EXPECT_FALSE(b.available);
  EXPECT_THAT(b.reason, HasSubstr("instructions:u is <not supported>"));
  q.csv = "# started\n\n1184305,,instructions:u,1007211,100.00,,\n";
  EXPECT_THAT(counters_availability(q).reason, HasSubstr("no line for cycles:u"));
}

TEST(CountersAvailability, PerfMissing) {
  CountersProbe p;
  p.perf_found = false;
  const auto a = counters_availability(p);
  EXPECT_FALSE(a.available);
  EXPECT_THAT(a.reason, HasSubstr("perf is not installed"));
}

TEST(CountersAvailability, ParanoidTooHighForThisUser) {
  CountersProbe p;
  p.exit_code = 255;
  p.stderr_text = data("paranoid-2-nobody.stderr");
  p.paranoid = 2;
  p.privileged = false;
  const auto a = counters_availability(p);
  EXPECT_FALSE(a.available);
  EXPECT_THAT(a.reason, HasSubstr("perf_event_paranoid is 2"));
  EXPECT_THAT(a.reason, HasSubstr("Access to performance monitoring and observability "
                                  "operations is limited"));
  // Debian's level 3 forbids every unprivileged use; an empty output and exit 255 say so.
  p.stderr_text = "";
  p.paranoid = 3;
  const auto b = counters_availability(p);
  EXPECT_FALSE(b.available);
  EXPECT_THAT(b.reason, HasSubstr("exit 255"));
  EXPECT_THAT(b.reason, HasSubstr("perf_event_paranoid is 3"));
}

TEST(CountersAvailability, DetectionHereMatchesWhatPerfSays) {
  // The real probe on this machine: whatever it decides, a refusal has a reason (the
  // development VM has no PMU: "<not supported>").
  const auto a = detect_counters();
  EXPECT_EQ(a.available, a.reason.empty()) << a.reason;
}

}  // namespace
}  // namespace benchgate::profilers
