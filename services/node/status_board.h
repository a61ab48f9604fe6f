#pragma once
// Where the core thread posts a copy of its status for the HTTP threads
// (readiness, /v1/node): they read the copy, never the core.

#include "services/node/core.h"

#include <mutex>

namespace quorumclear::node {

struct BoardSnapshot {
  CoreStatus core;
};

class StatusBoard {
 public:
  void publish(CoreStatus status) {
    std::lock_guard lock(mutex_);
    snapshot_.core = std::move(status);
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
