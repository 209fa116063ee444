#include "stats/holm.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

namespace benchgate::stats {

std::vector<double> holm_adjust(std::span<const double> p) {
  std::vector<double> out(p.begin(), p.end());
  std::vector<std::size_t> order;
  order.reserve(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!std::isnan(p[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  const double m = static_cast<double>(order.size());
  double running = 0;
  for (std::size_t j = 0; j < order.size(); ++j) {
    const double adj = std::min(1.0, (m - static_cast<double>(j)) * p[order[j]]);
    running = std::max(running, adj);
    out[order[j]] = running;
  }
  return out;
}

namespace {

// The smallest m ≥ 1 with K(m) = #{p_min ≤ α/m} ≤ m, and K(m). Sorts `mins`.
std::pair<std::size_t, std::size_t> tarone_m_k(std::vector<double>& mins, double alpha) {
  std::sort(mins.begin(), mins.end());
  for (std::size_t m = 1;; ++m) {
    const double level = alpha / static_cast<double>(m);
    const auto k =
        static_cast<std::size_t>(std::upper_bound(mins.begin(), mins.end(), level) - mins.begin());
    if (k <= m) return {m, k};
  }
}

}  // namespace

std::size_t tarone_family_size(std::span<const double> p_min, double alpha) {
  return tarone_family(p_min, alpha).size;
}

TaroneFamily tarone_family(std::span<const double> p_min, double alpha) {
  std::vector<double> mins;
  mins.reserve(p_min.size());
  for (double x : p_min) {
    if (!std::isnan(x)) mins.push_back(x);
  }
  if (mins.empty()) return {};
  const auto [m, k] = tarone_m_k(mins, alpha);
  return {m, k};
}

std::vector<double> tarone_holm_adjust(std::span<const double> p, std::span<const double> p_min,
                                       double alpha) {
  std::vector<double> out(p.size(), 1.0);
  std::vector<double> mins;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (std::isnan(p[i])) {
      out[i] = p[i];
    } else {
      mins.push_back(i < p_min.size() ? p_min[i] : 0.0);
    }
  }
  if (mins.empty()) return out;
  const std::size_t m = tarone_m_k(mins, alpha).first;
  const double level = alpha / static_cast<double>(m);
  std::vector<std::size_t> in;
  std::vector<double> sub;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (std::isnan(p[i])) continue;
    const double pm = i < p_min.size() ? p_min[i] : 0.0;
    if (pm <= level) {
      in.push_back(i);
      sub.push_back(p[i]);
    }
  }
  const auto adj = holm_adjust(sub);
  for (std::size_t j = 0; j < in.size(); ++j)
    out[in[j]] = adj[j];
  return out;
}

}  // namespace benchgate::stats
