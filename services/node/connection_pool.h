#pragma once
// A fixed set of database connections for the HTTP threads: a call leases
// one for its duration. Bounded: when all are leased a caller waits up to a
// timeout and is then told the node is busy (the API answers 503 with
// Retry-After), never queued without limit.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace quorumclear::node {

template <class Connection>
class ConnectionPool {
 public:
  /// Connections are made on first use, so a node starts while its
  /// database is still coming up.
  ConnectionPool(std::size_t size, std::function<std::unique_ptr<Connection>()> make)
      : make_(std::move(make)), idle_(size) {}

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> c) : pool_(&pool), c_(std::move(c)) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), c_(std::move(other.c_)) { other.pool_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_) pool_->give_back(std::move(c_));
    }
    Connection& operator*() { return *c_; }
    Connection* operator->() { return c_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> c_;
  };

  /// A connection, or empty when none came free within `timeout`. Throws
  /// what making a connection throws.
  std::optional<Lease> lease(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [&] { return !idle_.empty(); })) return std::nullopt;
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    if (!c) {
      try {
        c = make_();
      } catch (...) {
        give_back(nullptr);
        throw;
      }
    }
    return Lease(*this, std::move(c));
  }

 private:
  void give_back(std::unique_ptr<Connection> c) {
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(std::move(c));
    }
    ready_.notify_one();
  }

  std::function<std::unique_ptr<Connection>()> make_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<std::unique_ptr<Connection>> idle_;  // null: not yet connected
};

}  // namespace quorumclear::node
