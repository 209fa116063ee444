#include "stats/descriptive.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace benchgate::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double sorted_quantile(const std::vector<double>& s, double q) {
  if (s.empty()) return kNaN;
  q = std::clamp(q, 0.0, 1.0);
  const double h = (static_cast<double>(s.size()) - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, s.size() - 1);
  const double frac = h - static_cast<double>(lo);
  // lo + frac·(hi − lo), written so equal neighbours give exactly that value.
  return frac == 0 ? s[lo] : s[lo] + frac * (s[hi] - s[lo]);
}

}  // namespace

double median(std::span<const double> values) {
  if (values.empty()) return kNaN;
  std::vector<double> v(values.begin(), values.end());
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return lower + (upper - lower) / 2;
}

double quantile(std::span<const double> values, double q) {
  std::vector<double> s(values.begin(), values.end());
  std::sort(s.begin(), s.end());
  return sorted_quantile(s, q);
}

std::vector<double> quantiles(std::span<const double> values, std::span<const double> qs) {
  std::vector<double> s(values.begin(), values.end());
  std::sort(s.begin(), s.end());
  std::vector<double> out;
  out.reserve(qs.size());
  for (double q : qs)
    out.push_back(sorted_quantile(s, q));
  return out;
}

double mean(std::span<const double> values) {
  if (values.empty()) return kNaN;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double stddev(std::span<const double> values) {
  if (values.size() < 2) return kNaN;
  const double m = mean(values);
  double ss = 0;
  for (double x : values)
    ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(values.size() - 1));
}

double cv(std::span<const double> values) {
  return stddev(values) / mean(values);
}

double average_ranks(std::span<const double> v, std::vector<double>& ranks) {
  const std::size_t n = v.size();
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  ranks.assign(n, 0);
  double ties = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && v[order[j]] == v[order[i]])
      ++j;
    const double r = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k)
      ranks[order[k]] = r;
    const double t = static_cast<double>(j - i);
    ties += t * t * t - t;
    i = j;
  }
  return ties;
}

}  // namespace benchgate::stats
