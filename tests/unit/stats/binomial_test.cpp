// src/stats/binomial.h against scipy 1.10's binom.cdf / binom.sf (tests/data/stats/
// make_binomial.py → binomial.json).

#include "stats/binomial.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace benchgate::stats {
namespace {

using nlohmann::json;

const json& reference() {
  static const json j = [] {
    std::ifstream in(std::string(BENCHGATE_TEST_DATA_DIR) + "/stats/binomial.json");
    return json::parse(in);
  }();
  return j;
}

::testing::AssertionResult near(double actual, double expected, double rel) {
  // Relative for probabilities that matter, absolute 1e-15 for those that round to 0 or 1.
  if (std::fabs(actual - expected) <= std::max(rel * std::fabs(expected), 1e-15))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "actual " << actual << " expected " << expected;
}

TEST(Binomial, TailsMatchScipy) {
  ASSERT_GT(reference()["binomial"].size(), 20u);
  for (const auto& c : reference()["binomial"]) {
    const std::int64_t k = c["k"], n = c["n"];
    const double p = c["p"];
    EXPECT_TRUE(near(binomial_cdf(k, n, p), c["cdf"], 1e-9)) << k << "/" << n << " p=" << p;
    EXPECT_TRUE(near(binomial_sf_inclusive(k, n, p), c["sf_inclusive"], 1e-9))
        << k << "/" << n << " p=" << p;
    EXPECT_TRUE(near(binomial_test_two_sided(k, n, p), c["two_sided"], 1e-9))
        << k << "/" << n << " p=" << p;
  }
}

TEST(Binomial, PoissonRatesTestMatchesScipy) {
  for (const auto& c : reference()["poisson_rates"]) {
    EXPECT_TRUE(
        near(poisson_rates_test(c["a"], c["exposure_a"], c["b"], c["exposure_b"]), c["p"], 1e-9))
        << c.dump();
  }
}

TEST(Binomial, EdgeCases) {
  EXPECT_EQ(binomial_cdf(-1, 10, 0.5), 0.0);
  EXPECT_EQ(binomial_cdf(10, 10, 0.5), 1.0);
  EXPECT_EQ(binomial_sf_inclusive(0, 10, 0.5), 1.0);
  EXPECT_EQ(binomial_sf_inclusive(11, 10, 0.5), 0.0);
  EXPECT_EQ(binomial_test_two_sided(0, 0, 0.5), 1.0);
  EXPECT_EQ(poisson_rates_test(0, 1, 0, 1), 1.0);
  EXPECT_EQ(poisson_rates_test(5, 0, 3, 1), 1.0);  // no exposure: nothing to test
}

}  // namespace
}  // namespace benchgate::stats
