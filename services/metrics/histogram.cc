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

}  // namespace quorumclear::metrics
