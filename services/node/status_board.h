#pragma once
// Where the core thread posts a copy of its status for the HTTP threads
// (readiness, /v1/node, the dashboard): they read the copy, never the core.

#include "services/node/core.h"

#include <chrono>
#include <deque>
#include <mutex>

namespace quorumclear::node {

struct BoardSnapshot {
  CoreStatus core;
  /// When the core thread last published: it publishes every tick, so an
  /// old copy means the core is stuck (readiness says so).
  std::chrono::steady_clock::time_point published{};
};

/// Where the node stood at one moment: the dashboard's charts.
struct HistorySample {
  std::int64_t unix_ms = 0;
  std::optional<std::uint64_t> last_applied;
  std::uint64_t trades_confirmed = 0;
};

class StatusBoard {
 public:
  static constexpr auto kSampleEvery = std::chrono::seconds(1);
  static constexpr std::size_t kSamplesKept = 300;  // five minutes

  void publish(CoreStatus status) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (history_.empty() || now - last_sample_ >= kSampleEvery) {
      const auto wall = std::chrono::system_clock::now().time_since_epoch();
      history_.push_back({std::chrono::duration_cast<std::chrono::milliseconds>(wall).count(), status.last_applied,
                          status.ledger_counters.trades_confirmed});
      if (history_.size() > kSamplesKept) history_.pop_front();
      last_sample_ = now;
    }
    snapshot_.core = std::move(status);
    snapshot_.published = now;
  }
  [[nodiscard]] BoardSnapshot snapshot() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }
  /// Oldest first, about kSampleEvery apart.
  [[nodiscard]] std::vector<HistorySample> history() const {
    std::lock_guard lock(mutex_);
    return {history_.begin(), history_.end()};
  }

 private:
  mutable std::mutex mutex_;
  BoardSnapshot snapshot_;
  std::deque<HistorySample> history_;
  std::chrono::steady_clock::time_point last_sample_{};
};

}  // namespace quorumclear::node
