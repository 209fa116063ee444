#include "stats/holm.h"

#include <algorithm>
#include <cmath>
#include <numeric>

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

}  // namespace benchgate::stats
