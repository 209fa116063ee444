// Tarone's rule in Holm form: tests that cannot reach α/m leave the family. Values checked by
// hand from the definition (and, for the Holm part, against statsmodels' multipletests
// 'holm' on the kept p-values: [0.004, 0.02, 0.03] -> [0.012, 0.04, 0.04]).

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "stats/binomial.h"
#include "stats/holm.h"

namespace benchgate::stats {
namespace {

TEST(TaroneHolm, TestsThatCannotSpeakLeaveTheFamily) {
  // Three frames with many samples, seven with few: p_min 0.25 can never reach 0.05 / m.
  const std::vector<double> p = {0.004, 0.02, 0.03, 1, 1, 0.5, 0.25, 0.25, 1, 0.5};
  const std::vector<double> p_min = {1e-9, 1e-9, 1e-9, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25};
  // m = 3: K(3) = 3 tests with p_min ≤ 0.05 / 3.
  const auto adj = tarone_holm_adjust(p, p_min, 0.05);
  EXPECT_NEAR(adj[0], 0.012, 1e-12);
  EXPECT_NEAR(adj[1], 0.04, 1e-12);
  EXPECT_NEAR(adj[2], 0.04, 1e-12);
  for (std::size_t i = 3; i < p.size(); ++i)
    EXPECT_EQ(adj[i], 1.0) << i;
  EXPECT_EQ(tarone_family_size(p_min, 0.05), 3u);
  // Plain Holm over all ten would have lost every one of them.
  const auto plain = holm_adjust(p);
  EXPECT_GT(plain[0], 0.035);
  EXPECT_GT(plain[1], 0.05);
}

TEST(TaroneHolm, EveryTestCanSpeakIsPlainHolm) {
  const std::vector<double> p = {0.01, 0.04, 0.002, 0.3};
  const std::vector<double> p_min(4, 1e-12);
  EXPECT_EQ(tarone_holm_adjust(p, p_min, 0.05), holm_adjust(p));
}

TEST(TaroneHolm, MIsTheSmallestWithKAtMostM) {
  // p_min: 0.01, 0.02, 0.03 → m = 1: level 0.05, K(1) = 3 > 1;
  // m = 2: level 0.025, K = 2 ≤ 2 → family {0, 1}.
  const std::vector<double> p = {0.01, 0.02, 0.03};
  const std::vector<double> p_min = {0.01, 0.02, 0.03};
  const auto adj = tarone_holm_adjust(p, p_min, 0.05);
  EXPECT_NEAR(adj[0], 0.02, 1e-12);
  EXPECT_NEAR(adj[1], 0.02, 1e-12);
  EXPECT_EQ(adj[2], 1.0);
  // NaN stays NaN.
  const std::vector<double> pn = {NAN, 0.01};
  const std::vector<double> pmn = {0.0, 0.0};
  const auto a2 = tarone_holm_adjust(pn, pmn, 0.05);
  EXPECT_TRUE(std::isnan(a2[0]));
  EXPECT_NEAR(a2[1], 0.01, 1e-12);
}

TEST(PoissonRatesMinP, ExtremeOutcome) {
  // Equal exposures: all n on one side, two-sided: 2 · 0.5^n (scipy binomtest(10, 10, 0.5) =
  // 0.001953125).
  EXPECT_NEAR(poisson_rates_min_p(10, 1, 1), 0.001953125, 1e-15);
  EXPECT_DOUBLE_EQ(poisson_rates_min_p(10, 1, 1), poisson_rates_test(10, 1, 0, 1));
  // Unequal exposures: the rarer side, r = 0.25: 2 · 0.25^4 = 0.0078125.
  EXPECT_NEAR(poisson_rates_min_p(4, 1, 3), 0.0078125, 1e-15);
  EXPECT_DOUBLE_EQ(poisson_rates_min_p(4, 1, 3), poisson_rates_test(4, 1, 0, 3));
  EXPECT_EQ(poisson_rates_min_p(0, 1, 1), 1.0);
}

}  // namespace
}  // namespace benchgate::stats
