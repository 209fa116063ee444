#include "stats/rank_tests.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "stats/descriptive.h"
#include "stats/normal.h"

namespace benchgate::stats {

namespace {

double clip01(double p) {
  return std::clamp(p, 0.0, 1.0);
}

double log2_binomial(int n, int k) {
  return (std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0)) / std::log(2.0);
}

// Normal approximation of the signed-rank test, as scipy's wilcoxon(correction=True).
double wilcoxon_normal_p(double r_plus, int n, double ties, Alternative alt, double* z_out) {
  const double nn = n;
  const double mn = nn * (nn + 1) / 4;
  const double se = std::sqrt((nn * (nn + 1) * (2 * nn + 1) - 0.5 * ties) / 24);
  double z = 0;
  double p = 1;
  if (se > 0) {
    switch (alt) {
      case Alternative::kGreater:
        z = (r_plus - mn - 0.5) / se;
        p = normal_sf(z);
        break;
      case Alternative::kLess:
        z = (r_plus - mn + 0.5) / se;
        p = normal_cdf(z);
        break;
      case Alternative::kTwoSided: {
        const double dev = std::fabs(r_plus - mn);
        z = dev > 0 ? (dev - 0.5) / se : 0;
        p = 2 * normal_sf(std::fabs(z));
        if (r_plus < mn) z = -z;
        break;
      }
    }
  }
  *z_out = z;
  return clip01(p);
}

double exact_signed_rank_p(double r_plus, int n, Alternative alt) {
  const auto& pmf = signed_rank_pmf(n);
  const auto r = static_cast<std::size_t>(std::llround(r_plus));
  auto lower = [&] {  // P(W+ ≤ r)
    double s = 0;
    for (std::size_t i = 0; i <= r && i < pmf.size(); ++i)
      s += pmf[i];
    return s;
  };
  auto upper = [&] {  // P(W+ ≥ r)
    double s = 0;
    for (std::size_t i = r; i < pmf.size(); ++i)
      s += pmf[i];
    return s;
  };
  switch (alt) {
    case Alternative::kGreater:
      return clip01(upper());
    case Alternative::kLess:
      return clip01(lower());
    case Alternative::kTwoSided:
      return clip01(2 * std::min(lower(), upper()));
  }
  return 1;
}

}  // namespace

const std::vector<double>& signed_rank_pmf(int n) {
  static std::mutex mu;
  static std::map<int, std::vector<double>> cache;
  std::lock_guard lock(mu);
  if (n < 0) n = 0;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  // Adding rank k: W+ either stays or grows by k, each with probability 1/2.
  std::vector<double> c{1.0};
  for (int k = 1; k <= n; ++k) {
    std::vector<double> next(c.size() + static_cast<std::size_t>(k), 0.0);
    for (std::size_t i = 0; i < c.size(); ++i) {
      next[i] += c[i] * 0.5;
      next[i + static_cast<std::size_t>(k)] += c[i] * 0.5;
    }
    c = std::move(next);
  }
  return cache.emplace(n, std::move(c)).first->second;
}

const std::vector<std::uint64_t>& signed_rank_counts(int n) {
  static std::mutex mu;
  static std::map<int, std::vector<std::uint64_t>> cache;
  std::lock_guard lock(mu);
  n = std::clamp(n, 0, 62);
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  std::vector<std::uint64_t> c{1};
  for (int k = 1; k <= n; ++k) {
    std::vector<std::uint64_t> next(c.size() + static_cast<std::size_t>(k), 0);
    for (std::size_t i = 0; i < c.size(); ++i) {
      next[i] += c[i];
      next[i + static_cast<std::size_t>(k)] += c[i];
    }
    c = std::move(next);
  }
  return cache.emplace(n, std::move(c)).first->second;
}

double UDistribution::cdf(std::int64_t u) const {
  if (u < 0) return 0;
  if (static_cast<std::size_t>(u) >= cumulative.size()) return 1;
  return static_cast<double>(static_cast<long double>(cumulative[static_cast<std::size_t>(u)]) /
                             static_cast<long double>(total));
}

const UDistribution& u_distribution(int m, int n) {
  static std::mutex mu;
  static std::map<std::pair<int, int>, std::unique_ptr<UDistribution>> cache;
  if (m > n) std::swap(m, n);
  std::lock_guard lock(mu);
  auto& slot = cache[{m, n}];
  if (slot) return *slot;
  slot = std::make_unique<UDistribution>();
  if (m < 0 || static_cast<double>(m) * n > 4e6 || log2_binomial(m + n, m) > 125) return *slot;
  // The counts are the coefficients of the Gaussian binomial [m+n choose m]_q
  // = Π_{i=1..m} (1 − q^(n+i)) / (1 − q^i); every partial product is again a Gaussian
  // binomial, so the integer arithmetic below is exact.
  std::vector<Int128> poly{1};
  for (int i = 1; i <= m; ++i) {
    const std::size_t a = static_cast<std::size_t>(n + i);
    poly.resize(poly.size() + a, 0);
    for (std::size_t k = poly.size() - 1; k >= a; --k)
      poly[k] -= poly[k - a];
    const std::size_t b = static_cast<std::size_t>(i);
    for (std::size_t k = b; k < poly.size(); ++k)
      poly[k] += poly[k - b];
    poly.resize(poly.size() - b);
  }
  slot->cumulative.resize(poly.size());
  UInt128 run = 0;
  for (std::size_t k = 0; k < poly.size(); ++k) {
    run += static_cast<UInt128>(poly[k]);
    slot->cumulative[k] = run;
  }
  slot->total = run;
  return *slot;
}

SignedRankStatistic signed_rank_statistic(std::span<const double> d) {
  SignedRankStatistic s;
  std::vector<double> abs_d;
  std::vector<bool> positive;
  abs_d.reserve(d.size());
  positive.reserve(d.size());
  for (double x : d) {
    if (x == 0) {
      ++s.zeros;
      continue;
    }
    abs_d.push_back(std::fabs(x));
    positive.push_back(x > 0);
  }
  s.n = static_cast<int>(abs_d.size());
  std::vector<double> ranks;
  s.tie_term = average_ranks(abs_d, ranks);
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    if (positive[i]) s.w_plus += ranks[i];
  }
  return s;
}

TestResult wilcoxon_signed_rank(const SignedRankStatistic& s, Alternative alt, Method method) {
  TestResult r;
  r.n = s.n;
  r.zeros = s.zeros;
  r.statistic = s.w_plus;
  r.ties = s.tie_term > 0;
  if (s.n == 0) return r;
  bool exact = false;
  switch (method) {
    case Method::kAuto: exact = s.n <= kWilcoxonExactMaxN && !r.ties; break;
    case Method::kExact: exact = !r.ties && s.n <= 200; break;
    case Method::kNormal: exact = false; break;
  }
  r.exact = exact;
  if (exact) {
    r.p_value = exact_signed_rank_p(s.w_plus, s.n, alt);
  } else {
    r.p_value = wilcoxon_normal_p(s.w_plus, s.n, s.tie_term, alt, &r.z);
  }
  return r;
}

TestResult wilcoxon_signed_rank(std::span<const double> d, Alternative alt, Method method) {
  return wilcoxon_signed_rank(signed_rank_statistic(d), alt, method);
}

UStatistic u_statistic(std::span<const double> x, std::span<const double> y) {
  UStatistic s;
  s.n1 = static_cast<int>(x.size());
  s.n2 = static_cast<int>(y.size());
  if (s.n1 == 0 || s.n2 == 0) return s;
  std::vector<double> xy(x.begin(), x.end());
  xy.insert(xy.end(), y.begin(), y.end());
  std::vector<double> ranks;
  s.tie_term = average_ranks(xy, ranks);
  double r1 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) r1 += ranks[i];
  s.u1 = r1 - static_cast<double>(s.n1) * (s.n1 + 1) / 2;
  return s;
}

TestResult mann_whitney_u(std::span<const double> x, std::span<const double> y, Alternative alt,
                          Method method) {
  return mann_whitney_u(u_statistic(x, y), alt, method);
}

TestResult mann_whitney_u(const UStatistic& s, Alternative alt, Method method) {
  TestResult r;
  const int n1 = s.n1;
  const int n2 = s.n2;
  r.n = n1 + n2;
  if (n1 == 0 || n2 == 0) return r;
  const double ties = s.tie_term;
  r.ties = ties > 0;
  const double u1 = s.u1;
  const double mn = static_cast<double>(n1) * n2;
  const double u2 = mn - u1;
  r.statistic = u1;

  double u = u1;
  double factor = 1;
  if (alt == Alternative::kLess) {
    u = u2;
  } else if (alt == Alternative::kTwoSided) {
    u = std::max(u1, u2);
    factor = 2;
  }

  bool exact = false;
  switch (method) {
    case Method::kAuto: exact = !(n1 > 8 && n2 > 8) && !r.ties; break;
    case Method::kExact: exact = !r.ties; break;
    case Method::kNormal: exact = false; break;
  }
  const UDistribution* dist = exact ? &u_distribution(n1, n2) : nullptr;
  if (dist != nullptr && dist->valid()) {
    r.exact = true;
    // P(U ≥ u) = P(U ≤ mn − u) by symmetry.
    const auto k = static_cast<std::int64_t>(std::llround(mn - u));
    r.p_value = clip01(factor * dist->cdf(k));
    return r;
  }
  const double n = static_cast<double>(n1) + n2;
  const double sd = std::sqrt(mn / 12 * ((n + 1) - ties / (n * (n - 1))));
  const double numerator = u - mn / 2 - 0.5;
  if (sd > 0) {
    r.z = numerator / sd;
  } else {
    r.z = numerator < 0 ? -INFINITY : (numerator > 0 ? INFINITY : 0);
  }
  r.p_value = clip01(factor * normal_sf(r.z));
  return r;
}

double wilcoxon_min_p(int n, Alternative alt) {
  if (n <= 0) return 1;
  const double f = alt == Alternative::kTwoSided ? 2 : 1;
  if (n <= kWilcoxonExactMaxN) return clip01(f * std::ldexp(1.0, -n));
  const double nn = n;
  const double mn = nn * (nn + 1) / 4;
  const double se = std::sqrt(nn * (nn + 1) * (2 * nn + 1) / 24);
  return clip01(f * normal_sf((nn * (nn + 1) / 2 - mn - 0.5) / se));
}

int wilcoxon_pairs_needed(double level, Alternative alt) {
  for (int n = 1; n <= 100000; ++n) {
    if (wilcoxon_min_p(n, alt) < level) return n;
  }
  return -1;
}

double mann_whitney_min_p(int n1, int n2, Alternative alt, Method method) {
  if (n1 <= 0 || n2 <= 0) return 1;
  const double f = alt == Alternative::kTwoSided ? 2 : 1;
  const bool exact = method == Method::kExact || (method == Method::kAuto && (n1 <= 8 || n2 <= 8));
  if (exact) {
    const auto& dist = u_distribution(n1, n2);
    if (dist.valid()) return clip01(f * dist.cdf(0));
  }
  const double mn = static_cast<double>(n1) * n2;
  const double n = static_cast<double>(n1) + n2;
  const double s = std::sqrt(mn * (n + 1) / 12);
  return clip01(f * normal_sf((mn / 2 - 0.5) / s));
}

int mann_whitney_runs_needed(double level, Alternative alt, Method method) {
  for (int n = 1; n <= 100000; ++n) {
    if (mann_whitney_min_p(n, n, alt, method) < level) return n;
  }
  return -1;
}

}  // namespace benchgate::stats
