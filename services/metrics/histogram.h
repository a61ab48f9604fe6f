#pragma once
// A Prometheus-style histogram as a plain value: the node's threads fill it
// under their own locks and hand copies to services/metrics, which alone
// knows prometheus-cpp (STYLE.md section 6).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace quorumclear::metrics {

class Histogram {
 public:
  /// `upper_bounds` strictly increasing; a +Inf bucket follows them.
  explicit Histogram(std::span<const double> upper_bounds);
  void observe(double value);
  [[nodiscard]] const std::vector<double>& upper_bounds() const { return bounds_; }
  /// Per bucket, not cumulative: upper_bounds().size() + 1 of them.
  [[nodiscard]] const std::vector<std::uint64_t>& counts() const { return counts_; }
  [[nodiscard]] double sum() const { return sum_; }
  [[nodiscard]] std::uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

/// The q-quantile (0 < q < 1) as Prometheus's histogram_quantile() gives
/// it: linear within the bucket that holds it, the highest finite bound
/// when it falls in +Inf; empty when nothing was observed.
[[nodiscard]] std::optional<double> quantile(const Histogram& h, double q);

/// Latencies from a millisecond (a local commit) to two minutes (a stalled
/// network), roughly x2.5 apart.
inline constexpr std::array<double, 16> kSecondsBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1,      2.5,   5,    10,    30,    60,   120};
/// Batch sizes, up to quorum::kBatchBytesMax.
inline constexpr std::array<double, 11> kBytesBuckets = {256,     1'024,     4'096,     16'384,    65'536,   262'144,
                                                         1 << 20, 2 << 20,   4 << 20,   8 << 20,   16 << 20};
/// Trade reports per epoch.
inline constexpr std::array<double, 10> kReportsBuckets = {0, 1, 10, 100, 500, 1'000, 2'000, 5'000, 10'000, 30'000};

}  // namespace quorumclear::metrics
