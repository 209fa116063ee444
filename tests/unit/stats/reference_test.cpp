// Checks src/stats against independent values: scipy 1.10.1 / numpy and exact Python integer
// arithmetic, computed once by tests/data/stats/make_reference.py (reference.json).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stats/descriptive.h"
#include "stats/hodges_lehmann.h"
#include "stats/holm.h"
#include "stats/normal.h"
#include "stats/rank_tests.h"

namespace benchgate::stats {
namespace {

using nlohmann::json;

const json& reference() {
  static const json j = [] {
    std::ifstream in(std::string(BENCHGATE_TEST_DATA_DIR) + "/stats/reference.json");
    return json::parse(in);
  }();
  return j;
}

std::vector<double> vec(const json& j) {
  return j.get<std::vector<double>>();
}

// Relative tolerance: exact results to 1e-9, approximations to 1e-6 (of the value, or
// absolutely for values near 0).
::testing::AssertionResult near(double actual, double expected, double tol) {
  const double scale = std::max(std::fabs(expected), 1e-300);
  if (std::fabs(actual - expected) <= tol * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "actual " << actual << " expected " << expected << " (rel diff "
         << std::fabs(actual - expected) / scale << ", tol " << tol << ")";
}

constexpr double kExact = 1e-9;
constexpr double kApprox = 1e-6;

Alternative alt_of(const std::string& s) {
  if (s == "greater") return Alternative::kGreater;
  if (s == "less") return Alternative::kLess;
  return Alternative::kTwoSided;
}

TEST(Descriptive, MatchesNumpy) {
  for (const auto& c : reference()["descriptive"]) {
    const auto v = vec(c["values"]);
    EXPECT_TRUE(near(median(v), c["median"], kExact));
    EXPECT_TRUE(near(mean(v), c["mean"], kExact));
    if (!c["stddev"].is_null()) {
      EXPECT_TRUE(near(stddev(v), c["stddev"], kExact));
    }
    for (const auto& [q, expected] : c["quantiles"].items()) {
      EXPECT_TRUE(near(quantile(v, std::stod(q)), expected.get<double>(), kExact)) << "q=" << q;
    }
    std::vector<double> ranks;
    average_ranks(v, ranks);
    const auto expected_ranks = vec(c["ranks"]);
    ASSERT_EQ(ranks.size(), expected_ranks.size());
    for (std::size_t i = 0; i < ranks.size(); ++i)
      EXPECT_EQ(ranks[i], expected_ranks[i]);
  }
}

TEST(Descriptive, EmptyInputIsNaN) {
  EXPECT_TRUE(std::isnan(median({})));
  EXPECT_TRUE(std::isnan(quantile({}, 0.5)));
  EXPECT_TRUE(std::isnan(mean({})));
  const std::vector<double> one{1.0};
  EXPECT_TRUE(std::isnan(stddev(one)));
}

TEST(Normal, MatchesScipy) {
  for (const auto& c : reference()["normal"]["quantile"]) {
    EXPECT_TRUE(near(normal_quantile(c["p"]), c["z"], 1e-12)) << "p=" << c["p"];
  }
  for (const auto& c : reference()["normal"]["sf"]) {
    EXPECT_TRUE(near(normal_sf(c["z"]), c["sf"], 1e-12)) << "z=" << c["z"];
    EXPECT_TRUE(near(normal_cdf(c["z"]), c["cdf"], 1e-12)) << "z=" << c["z"];
  }
  EXPECT_EQ(normal_quantile(0), -INFINITY);
  EXPECT_EQ(normal_quantile(1), INFINITY);
  EXPECT_TRUE(std::isnan(normal_quantile(1.5)));
}

TEST(Wilcoxon, MatchesScipy) {
  int checked = 0;
  for (const auto& c : reference()["wilcoxon"]) {
    const auto d = vec(c["d"]);
    for (const char* alt : {"two-sided", "greater", "less"}) {
      if (!c.contains(alt)) continue;
      const auto r = wilcoxon_signed_rank(d, alt_of(alt));
      EXPECT_EQ(r.exact, c["exact"].get<bool>()) << c["d"].dump();
      EXPECT_EQ(r.n, c["n"].get<int>());
      EXPECT_EQ(r.zeros, c["zeros"].get<int>());
      EXPECT_EQ(r.ties, c["ties"].get<bool>());
      EXPECT_TRUE(near(r.statistic, c["w_plus"], kExact));
      EXPECT_TRUE(near(r.p_value, c[alt], r.exact ? kExact : kApprox))
          << alt << " n=" << r.n << " d=" << c["d"].dump();
      ++checked;
    }
  }
  EXPECT_GT(checked, 60);
}

TEST(Wilcoxon, NoNonZeroDifferenceGivesPOne) {
  const std::vector<double> zeros(7, 0.0);
  const auto r = wilcoxon_signed_rank(zeros, Alternative::kGreater);
  EXPECT_EQ(r.n, 0);
  EXPECT_EQ(r.zeros, 7);
  EXPECT_EQ(r.p_value, 1.0);
  EXPECT_EQ(wilcoxon_signed_rank(std::span<const double>{}, Alternative::kTwoSided).p_value, 1.0);
}

TEST(Wilcoxon, ForcedMethods) {
  // A sample without ties tested by both methods; the normal one must match scipy's approx.
  for (const auto& c : reference()["wilcoxon"]) {
    if (c["exact"].get<bool>() || c["ties"].get<bool>() || c["zeros"].get<int>() > 0) continue;
    const auto d = vec(c["d"]);
    const auto r = wilcoxon_signed_rank(d, Alternative::kGreater, Method::kNormal);
    EXPECT_FALSE(r.exact);
    EXPECT_TRUE(near(r.p_value, c["greater"], kApprox));
  }
  // Ties make the exact distribution invalid: kExact falls back to the approximation.
  const std::vector<double> tied{1, 1, 2, -2, 3, 4};
  EXPECT_FALSE(wilcoxon_signed_rank(tied, Alternative::kGreater, Method::kExact).exact);
}

TEST(SignedRankDistribution, SumsToOneAndIsSymmetric) {
  for (int n : {0, 1, 5, 20, 50}) {
    const auto& pmf = signed_rank_pmf(n);
    ASSERT_EQ(pmf.size(), static_cast<std::size_t>(n * (n + 1) / 2 + 1));
    double total = 0;
    for (double p : pmf)
      total += p;
    EXPECT_EQ(total, 1.0);  // dyadic rationals: exact
    for (std::size_t i = 0; i < pmf.size(); ++i)
      EXPECT_EQ(pmf[i], pmf[pmf.size() - 1 - i]);
  }
}

TEST(MannWhitney, MatchesScipy) {
  int checked = 0;
  for (const auto& c : reference()["mann_whitney"]) {
    const auto x = vec(c["x"]);
    const auto y = vec(c["y"]);
    for (const char* alt : {"two-sided", "greater", "less"}) {
      const auto r = mann_whitney_u(x, y, alt_of(alt));
      EXPECT_EQ(r.exact, c["auto_exact"].get<bool>());
      EXPECT_TRUE(near(r.statistic, c["u1"], kExact));
      EXPECT_TRUE(near(r.p_value, c[alt], r.exact ? kExact : kApprox))
          << alt << " x=" << c["x"].dump() << " y=" << c["y"].dump();
      const auto normal = mann_whitney_u(x, y, alt_of(alt), Method::kNormal);
      EXPECT_TRUE(near(normal.p_value, c[std::string("asymptotic_") + alt], kApprox));
      if (c.contains(std::string("exact_") + alt)) {
        const auto exact = mann_whitney_u(x, y, alt_of(alt), Method::kExact);
        EXPECT_TRUE(exact.exact);
        EXPECT_TRUE(near(exact.p_value, c[std::string("exact_") + alt], kExact))
            << alt << " n1=" << x.size() << " n2=" << y.size();
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
}

TEST(MannWhitney, EmptySampleGivesPOne) {
  const std::vector<double> x{1, 2, 3};
  EXPECT_EQ(mann_whitney_u(x, {}, Alternative::kTwoSided).p_value, 1.0);
}

TEST(UDistribution, MatchesExactCounts) {
  for (const auto& c : reference()["u_distribution"]) {
    const auto& dist = u_distribution(c["m"], c["n"]);
    ASSERT_TRUE(dist.valid());
    const auto cdf = vec(c["cdf"]);
    ASSERT_EQ(dist.cumulative.size(), cdf.size());
    for (std::size_t u = 0; u < cdf.size(); ++u) {
      EXPECT_TRUE(near(dist.cdf(static_cast<std::int64_t>(u)), cdf[u], kExact)) << "u=" << u;
    }
    // Symmetric in m and n.
    EXPECT_EQ(&u_distribution(c["n"], c["m"]), &dist);
  }
  EXPECT_FALSE(u_distribution(200, 200).valid());  // C(400, 200) needs > 125 bits
}

TEST(HodgesLehmann, OneSampleMatchesReference) {
  for (const auto& c : reference()["hodges_lehmann_one_sample"]) {
    const auto d = vec(c["d"]);
    const auto e = hodges_lehmann_one_sample(d, c["level"]);
    EXPECT_TRUE(near(e.estimate, c["estimate"], kExact));
    EXPECT_EQ(e.k, c["k"].get<long long>()) << "n=" << d.size() << " level=" << c["level"];
    if (c["ci_low"].is_null()) {
      EXPECT_TRUE(std::isnan(e.ci_low));
      EXPECT_TRUE(std::isnan(e.ci_high));
    } else {
      const double tol = d.size() <= 50 ? kExact : kApprox;
      EXPECT_TRUE(near(e.ci_low, c["ci_low"], tol));
      EXPECT_TRUE(near(e.ci_high, c["ci_high"], tol));
    }
  }
}

TEST(HodgesLehmann, TwoSampleMatchesReference) {
  for (const auto& c : reference()["hodges_lehmann_two_sample"]) {
    const auto x = vec(c["x"]);
    const auto y = vec(c["y"]);
    const auto e = hodges_lehmann_two_sample(x, y, c["level"]);
    EXPECT_TRUE(e.exact);
    EXPECT_TRUE(near(e.estimate, c["estimate"], kExact));
    EXPECT_EQ(e.k, c["k"].get<long long>()) << "m=" << x.size() << " n=" << y.size();
    if (c["ci_low"].is_null()) {
      EXPECT_TRUE(std::isnan(e.ci_low));
    } else {
      EXPECT_TRUE(near(e.ci_low, c["ci_low"], kExact));
      EXPECT_TRUE(near(e.ci_high, c["ci_high"], kExact));
    }
  }
}

TEST(HodgesLehmann, LargeSamplesUseTheNormalK) {
  // 300 × 300: the U distribution is not representable, k comes from the approximation:
  // k = ⌊mn/2 + 0.5 − z·sqrt(mn(m+n+1)/12)⌋ = ⌊45000.5 − 1.959964·2123.0874⌋ = ⌊40839.33⌋
  // (scipy.stats.norm.ppf(0.975) for z).
  EXPECT_EQ(rank_sum_ci_k(300, 300, 0.95), 40839);
}

TEST(Holm, MatchesReference) {
  for (const auto& c : reference()["holm"]) {
    const auto p = vec(c["p"]);
    const auto adjusted = holm_adjust(p);
    const auto expected = vec(c["adjusted"]);
    ASSERT_EQ(adjusted.size(), expected.size());
    for (std::size_t i = 0; i < p.size(); ++i)
      EXPECT_TRUE(near(adjusted[i], expected[i], 1e-12));
  }
  EXPECT_TRUE(holm_adjust({}).empty());
}

TEST(Holm, NaNStaysOutOfTheFamily) {
  const std::vector<double> p{0.01, NAN, 0.04};
  const auto a = holm_adjust(p);
  EXPECT_DOUBLE_EQ(a[0], 0.02);
  EXPECT_TRUE(std::isnan(a[1]));
  EXPECT_DOUBLE_EQ(a[2], 0.04);
}

TEST(MinimumP, MatchesScipyOnPerfectlySeparatedSamples) {
  for (const auto& c : reference()["min_p"]["wilcoxon"]) {
    EXPECT_TRUE(near(wilcoxon_min_p(c["n"], Alternative::kGreater), c["greater"], kExact));
    EXPECT_TRUE(near(wilcoxon_min_p(c["n"], Alternative::kTwoSided), c["two-sided"], kExact));
  }
  for (const auto& c : reference()["min_p"]["mann_whitney"]) {
    const int n1 = c["n1"];
    const int n2 = c["n2"];
    const double tol = (n1 <= 8 || n2 <= 8) ? kExact : kApprox;
    EXPECT_TRUE(near(mann_whitney_min_p(n1, n2, Alternative::kGreater), c["greater"], tol));
    EXPECT_TRUE(near(mann_whitney_min_p(n1, n2, Alternative::kTwoSided), c["two-sided"], tol));
  }
}

TEST(MinimumP, PairsNeededMatchStatisticsMd) {
  // statistics.md: exact Wilcoxon needs ≥ 5 pairs for p < 0.05, ≥ 7 for p < 0.01.
  EXPECT_EQ(wilcoxon_pairs_needed(0.05), 5);
  EXPECT_EQ(wilcoxon_pairs_needed(0.01), 7);
  // Holm over 40 tests at α = 0.05: the first step needs p < 0.00125 → 2^-10 = 0.00098.
  EXPECT_EQ(wilcoxon_pairs_needed(0.05 / 40), 10);
  // U test, equal sizes: 3 v 3 gives 0.05 (not below), 4 v 4 gives 1/70.
  EXPECT_EQ(mann_whitney_runs_needed(0.05), 4);
}

}  // namespace
}  // namespace benchgate::stats

// ---------------------------------------------------------------- Hodges-Lehmann grid
// tests/data/stats/hl_grid.json (make_hl_grid.py): the interval rank k from exact fractions at
// levels 0.80, 0.90, 0.95, 0.99 over one-sample n = 1..50 and two-sample m, n = 1..20, some of
// them points where P(T ≤ t) equals (1 − level)/2 exactly.

namespace benchgate::stats {
namespace {

const json& hl_grid() {
  static const json j = [] {
    std::ifstream in(std::string(BENCHGATE_TEST_DATA_DIR) + "/stats/hl_grid.json");
    return json::parse(in);
  }();
  return j;
}

TEST(HodgesLehmannGrid, EveryOneSampleKMatchesExactFractions) {
  int points = 0, wrong = 0;
  for (const auto& c : hl_grid()["one_sample_k"]) {
    ++points;
    const long long k = signed_rank_ci_k(c["n"], c["level"]);
    if (k != c["k"].get<long long>()) {
      ++wrong;
      ADD_FAILURE() << "n=" << c["n"] << " level=" << c["level"] << ": k " << k << ", expected "
                    << c["k"];
    }
  }
  EXPECT_EQ(points, 200);
  EXPECT_EQ(wrong, 0);
}

TEST(HodgesLehmannGrid, EveryTwoSampleKMatchesExactFractions) {
  int points = 0, wrong = 0, boundary = 0;
  for (const auto& c : hl_grid()["two_sample_k"]) {
    ++points;
    if (c["boundary"].get<bool>()) ++boundary;
    const long long k = rank_sum_ci_k(c["m"], c["n"], c["level"]);
    if (k != c["k"].get<long long>()) {
      ++wrong;
      ADD_FAILURE() << "m=" << c["m"] << " n=" << c["n"] << " level=" << c["level"] << ": k " << k
                    << ", expected " << c["k"] << (c["boundary"].get<bool>() ? " (boundary)" : "");
    }
  }
  EXPECT_EQ(points, 1600);
  EXPECT_EQ(boundary, 17) << "the grid holds the points where float arithmetic went wrong";
  EXPECT_EQ(wrong, 0);
}

TEST(HodgesLehmannGrid, SignedRankCountsAreThePmfInIntegers) {
  for (int n : {0, 1, 5, 20, 50}) {
    const auto& counts = signed_rank_counts(n);
    const auto& pmf = signed_rank_pmf(n);
    ASSERT_EQ(counts.size(), pmf.size());
    std::uint64_t sum = 0;
    for (std::size_t w = 0; w < counts.size(); ++w) {
      sum += counts[w];
      EXPECT_EQ(static_cast<double>(counts[w]), std::ldexp(pmf[w], n)) << n << " " << w;
    }
    EXPECT_EQ(sum, std::uint64_t{1} << n);
  }
  // Hand count, n = 3: W+ = 0..6 from the 8 sign vectors of ranks {1, 2, 3}.
  EXPECT_EQ(signed_rank_counts(3), (std::vector<std::uint64_t>{1, 1, 1, 2, 1, 1, 1}));
}

TEST(HodgesLehmannGrid, ThreeByThreeAtNinetyPercentHasAnInterval) {
  // P(U ≤ 0) = 1/20 = (1 − 0.90)/2 exactly: k = 1, the interval is [min, max] of the 9
  // differences (hl_grid.json has the general case).
  const std::vector<double> x{10, 11, 12};
  const std::vector<double> y{0, 1, 2};
  const auto e = hodges_lehmann_two_sample(x, y, 0.90);
  EXPECT_EQ(e.k, 1);
  EXPECT_EQ(e.ci_low, 8.0);
  EXPECT_EQ(e.ci_high, 12.0);
}

TEST(HodgesLehmannGrid, LevelsThatAreNotShortDecimalsUseTheirExactBinaryValue) {
  // level = 1 − 2^-10 = 0.9990234375 (10 decimals): (1 − level)/2 = 2^-11. Signed-rank counts
  // for n = 11 (hand count): W+ = 0 and W+ = 1 once each of 2^11 → P(W+ ≤ 0) = 2^-11 (in),
  // P(W+ ≤ 1) = 2^-10 (out): k = 1. n = 10: P(W+ ≤ 0) = 2^-10 > 2^-11: k = 0.
  const double level = 1 - std::ldexp(1.0, -10);
  EXPECT_EQ(signed_rank_ci_k(11, level), 1);
  EXPECT_EQ(signed_rank_ci_k(10, level), 0);
  // Level 1 never has an interval.
  EXPECT_EQ(signed_rank_ci_k(20, 1.0), 0);
  EXPECT_EQ(rank_sum_ci_k(3, 3, 1.0), 0);
}

TEST(HodgesLehmannGrid, IntervalsMatchReferenceAtEveryLevel) {
  for (const auto& c : hl_grid()["one_sample_intervals"]) {
    const auto d = vec(c["d"]);
    const auto e = hodges_lehmann_one_sample(d, c["level"]);
    EXPECT_EQ(e.k, c["k"].get<long long>()) << "n=" << d.size() << " level=" << c["level"];
    if (c["ci_low"].is_null()) {
      EXPECT_TRUE(std::isnan(e.ci_low) && std::isnan(e.ci_high));
    } else {
      EXPECT_EQ(e.ci_low, c["ci_low"].get<double>()) << "n=" << d.size() << " " << c["level"];
      EXPECT_EQ(e.ci_high, c["ci_high"].get<double>()) << "n=" << d.size() << " " << c["level"];
    }
  }
  for (const auto& c : hl_grid()["two_sample_intervals"]) {
    const auto x = vec(c["x"]);
    const auto y = vec(c["y"]);
    const auto e = hodges_lehmann_two_sample(x, y, c["level"]);
    EXPECT_EQ(e.k, c["k"].get<long long>())
        << "m=" << x.size() << " n=" << y.size() << " level=" << c["level"];
    if (c["ci_low"].is_null()) {
      EXPECT_TRUE(std::isnan(e.ci_low) && std::isnan(e.ci_high));
    } else {
      EXPECT_EQ(e.ci_low, c["ci_low"].get<double>()) << "m=" << x.size() << " n=" << y.size();
      EXPECT_EQ(e.ci_high, c["ci_high"].get<double>()) << "m=" << x.size() << " n=" << y.size();
    }
  }
}

}  // namespace
}  // namespace benchgate::stats
