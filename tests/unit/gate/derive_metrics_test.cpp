// results::derive_metrics: the RSS growth of a period is left out when a process of the app
// exited during it (a crash drops its memory from the end sum: no "−3 MiB" growth).

#include <gtest/gtest.h>

#include <string>

#include "results/metrics.h"
#include "results/model.h"

namespace benchgate::results {
namespace {

PeriodResult period(bool crashed) {
  PeriodResult p;
  p.driver.driver = "builtin";
  p.driver.throughput = 1000;
  p.driver.duration_s = 2;
  p.app.duration_s = 2;
  p.app.cpu_user_s = 1;
  p.app.cpu_percent = 50;
  p.app.rss_start = 8 << 20;
  p.app.rss_peak = 9 << 20;
  p.app.rss_end = crashed ? 5 << 20 : 9 << 20;
  ProcessUsage master, worker;
  master.pid = 10;
  master.rss_start = master.rss_end = 5 << 20;
  worker.pid = 11;
  worker.rss_start = 3 << 20;
  worker.rss_end = crashed ? 0 : 4 << 20;
  worker.exited = crashed;
  p.app.per_process = {master, worker};
  return p;
}

TEST(DeriveMetrics, RssGrowthOnlyWhenEveryProcessLived) {
  auto ok = period(false);
  derive_metrics(ok);
  ASSERT_TRUE(ok.metrics.count(std::string(metric::kRssGrowth)));
  EXPECT_EQ(ok.metrics.at(std::string(metric::kRssGrowth)), 1 << 20);

  auto crashed = period(true);
  derive_metrics(crashed);
  EXPECT_FALSE(crashed.metrics.count(std::string(metric::kRssGrowth)));
  // The rest is still derived.
  EXPECT_TRUE(crashed.metrics.count(std::string(metric::kPeakRss)));
  EXPECT_TRUE(crashed.metrics.count(std::string(metric::kThroughput)));

  auto idle = period(true);
  idle.driver.driver = "sleep";
  derive_metrics(idle);
  EXPECT_FALSE(idle.metrics.count(std::string(metric::kRssGrowth)));
}

}  // namespace
}  // namespace benchgate::results
