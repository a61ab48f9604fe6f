#pragma once
// Where the core thread posts a copy of its status for the HTTP threads
// (readiness, /v1/node): they read the copy, never the core.

#include "services/node/core.h"

#include <chrono>
#include <mutex>

namespace quorumclear::node {

struct BoardSnapshot {
  CoreStatus core;
  /// When the core thread last published: it publishes every tick, so an
  /// old copy means the core is stuck (readiness says so).
  std::chrono::steady_clock::time_point published{};
};

class StatusBoard {
 public:
  void publish(CoreStatus status) {
    std::lock_guard lock(mutex_);
    snapshot_.core = std::move(status);
    snapshot_.published = std::chrono::steady_clock::now();
  }
  [[nodiscard]] BoardSnapshot snapshot() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }

 private:
  mutable std::mutex mutex_;
  BoardSnapshot snapshot_;
};

}  // namespace quorumclear::node
