// runner::FailFast: an app whose first two runs fail at start the same way has its remaining
// runs skipped; anything else runs on.

#include <gtest/gtest.h>

#include "core/clock.h"
#include "runner/runner.h"

namespace benchgate::runner {
namespace {

RunSpec spec(const std::string& app, int iteration) {
  RunSpec s;
  s.id = "i" + std::to_string(iteration) + "-" + app;
  s.iteration = s.sequence = iteration;
  s.app.label = app;
  s.app.role = "candidate";
  s.scenario = "plaintext";
  s.url = "http://127.0.0.1:1/";
  s.ready_timeout = std::chrono::seconds(30);
  return s;
}

results::RunRecord failed(const char* kind) {
  results::RunRecord r;
  r.status = "failed";
  r.failure = std::string("some message for ") + kind;
  r.failure_kind = kind;
  return r;
}

results::RunRecord ok() {
  return {};
}

TEST(FailFast, TwoRunsNeverReadySkipTheRest) {
  FailFast ff;
  EXPECT_FALSE(ff.skip(spec("a", 1)));
  ff.record(spec("a", 1), failed(kind::kNotReady));
  EXPECT_FALSE(ff.skip(spec("a", 2))) << "one failure is not a pattern";
  ff.record(spec("a", 2), failed(kind::kNotReady));
  auto skip = ff.skip(spec("a", 3));
  ASSERT_TRUE(skip);
  EXPECT_EQ(skip->reason, "failed the same way in runs 1 and 2: never became ready within 30 s");
  EXPECT_EQ(skip->kind, "not_ready");
  EXPECT_FALSE(ff.skip(spec("b", 1))) << "other apps run on";
}

TEST(FailFast, TheKindDecidesNotTheMessage) {
  FailFast ff;
  auto first = failed(kind::kExitedAtStart);
  auto second = failed(kind::kExitedAtStart);
  second.failure = "a completely different message (exit status 3)";
  ff.record(spec("a", 1), first);
  ff.record(spec("a", 2), second);
  auto skip = ff.skip(spec("a", 3));
  ASSERT_TRUE(skip);
  EXPECT_EQ(skip->reason, "failed the same way in runs 1 and 2: exited before it became ready");
}

TEST(FailFast, DifferentOrLaterOrNonStartFailuresRunOn) {
  {
    FailFast ff;  // two different start failures
    ff.record(spec("a", 1), failed(kind::kNotReady));
    ff.record(spec("a", 2), failed(kind::kExitedAtStart));
    EXPECT_FALSE(ff.skip(spec("a", 3)));
  }
  {
    FailFast ff;  // failures under load may be flaky: not a start failure
    ff.record(spec("a", 1), failed(kind::kCrashed));
    ff.record(spec("a", 2), failed(kind::kCrashed));
    EXPECT_FALSE(ff.skip(spec("a", 3)));
    ff.record(spec("a", 1), failed(kind::kInvalid));
    EXPECT_FALSE(ff.skip(spec("a", 4)));
  }
  {
    FailFast ff;  // ok first: only the first two runs count
    ff.record(spec("a", 1), ok());
    ff.record(spec("a", 2), failed(kind::kNotReady));
    ff.record(spec("a", 3), failed(kind::kNotReady));
    EXPECT_FALSE(ff.skip(spec("a", 4)));
  }
}

TEST(FailFast, SkippedRunRecord) {
  FakeClock clock;
  const auto s = spec("a", 3);
  const auto r = skipped_run(s, "why", kind::kNotReady, clock);
  EXPECT_EQ(r.status, "skipped");
  EXPECT_EQ(r.failure, "why");
  EXPECT_EQ(r.failure_kind, "not_ready");
  EXPECT_EQ(r.id, s.id);
  EXPECT_EQ(r.iteration, 3);
  EXPECT_EQ(r.app, "a");
  EXPECT_EQ(r.role, "candidate");
  EXPECT_EQ(r.scenario, "plaintext");
  EXPECT_TRUE(r.periods.empty());
  EXPECT_TRUE(r.instances.empty());
}

TEST(FailFast, DescribeStartFailure) {
  auto s = spec("a", 1);
  s.ready_timeout = std::chrono::milliseconds(1500);
  EXPECT_EQ(describe_start_failure(kind::kNotReady, s), "never became ready within 1.5 s");
  EXPECT_EQ(describe_start_failure(kind::kStartFailed, s), "could not be started");
  EXPECT_TRUE(is_start_failure(kind::kNotReady));
  EXPECT_TRUE(is_start_failure(kind::kExitedAtStart));
  EXPECT_TRUE(is_start_failure(kind::kStartFailed));
  EXPECT_FALSE(is_start_failure(kind::kPortInUse));
  EXPECT_FALSE(is_start_failure(kind::kInvalid));
  EXPECT_FALSE(is_start_failure(""));
}

}  // namespace
}  // namespace benchgate::runner
