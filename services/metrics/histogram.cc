#include "services/metrics/histogram.h"

#include <algorithm>
#include <cassert>

namespace quorumclear::metrics {

Histogram::Histogram(std::span<const double> upper_bounds)
    : bounds_(upper_bounds.begin(), upper_bounds.end()), counts_(upper_bounds.size() + 1, 0) {
  assert(std::adjacent_find(bounds_.begin(), bounds_.end(), std::greater_equal<>()) == bounds_.end());
}

void Histogram::observe(double value) {
  // Prometheus buckets are upper-inclusive: `le`.
  const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  ++counts_[static_cast<std::size_t>(at - bounds_.begin())];
  sum_ += value;
  ++count_;
}

std::optional<double> quantile(const Histogram& h, double q) {
  if (h.count() == 0) return std::nullopt;
  const double rank = q * static_cast<double>(h.count());
  double below = 0;
  for (std::size_t i = 0; i < h.counts().size(); ++i) {
    const auto in_bucket = static_cast<double>(h.counts()[i]);
    if (below + in_bucket >= rank && in_bucket > 0) {
      if (i == h.upper_bounds().size()) return h.upper_bounds().empty() ? 0 : h.upper_bounds().back();
      const double low = i == 0 ? std::min(0.0, h.upper_bounds()[0]) : h.upper_bounds()[i - 1];
      const double high = h.upper_bounds()[i];
      return low + (high - low) * (rank - below) / in_bucket;
    }
    below += in_bucket;
  }
  return h.upper_bounds().empty() ? 0 : h.upper_bounds().back();
}

}  // namespace quorumclear::metrics
