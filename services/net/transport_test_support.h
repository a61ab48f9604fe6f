#pragma once
// Shared fixtures for the transport tests: generated identities, a
// thread-safe inbox used as the frame sink, numbered payloads to check
// exactly-once in-order delivery, and a mesh of real transports on
// 127.0.0.1 with ephemeral ports.

#include "services/net/transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace quorumclear::net::test_support {

/// Timers short enough for tests to see reconnects and timeouts quickly.
inline TransportLimits fast_limits() {
  TransportLimits limits;
  limits.reconnect_backoff_min_ms = 10;
  limits.reconnect_backoff_max_ms = 200;
  limits.handshake_timeout_ms = 2000;
  limits.keepalive_ms = 100;
  limits.idle_timeout_ms = 3000;
  return limits;
}

/// A payload whose first 8 bytes are `number` (big-endian), then `tag`
/// (one byte, e.g. an epoch), padded to `size` >= 9.
inline Payload numbered(std::uint64_t number, std::size_t size = 16, std::uint8_t tag = 0) {
  std::vector<std::uint8_t> bytes(std::max<std::size_t>(size, 9), static_cast<std::uint8_t>(number * 7 + 3));
  for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(number >> (56 - 8 * i));
  bytes[8] = tag;
  return std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
}

inline std::uint64_t number_of(const std::vector<std::uint8_t>& payload) {
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n = n << 8 | payload[static_cast<std::size_t>(i)];
  return n;
}

/// Polls `done` until it holds or `timeout` passes.
inline bool wait_until(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(15000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

/// The frame sink of a test node: records every frame it takes. `admit`
/// (optional) decides whether it takes the next one, as a node's bounded
/// queue would.
class Inbox {
 public:
  bool take(InboundFrame& frame) {
    std::lock_guard lock(mutex_);
    if (admit_ && !admit_(frames_.size())) {
      ++refusals_;
      return false;
    }
    frames_.push_back(std::move(frame));
    return true;
  }
  /// admit(frames taken so far) -> take the next one?
  void set_admit(std::function<bool(std::size_t)> admit) {
    std::lock_guard lock(mutex_);
    admit_ = std::move(admit);
  }
  [[nodiscard]] std::vector<InboundFrame> frames() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  /// The numbers of the frames from `from`, in delivery order.
  [[nodiscard]] std::vector<std::uint64_t> numbers_from(quorum::NodeId from) const {
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> out;
    for (const InboundFrame& f : frames_) {
      if (f.from == from) out.push_back(number_of(f.payload));
    }
    return out;
  }
  [[nodiscard]] std::size_t size() const {
    std::lock_guard lock(mutex_);
    return frames_.size();
  }
  [[nodiscard]] std::size_t refusals() const {
    std::lock_guard lock(mutex_);
    return refusals_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<InboundFrame> frames_;
  std::function<bool(std::size_t)> admit_;
  std::size_t refusals_ = 0;
};

/// Thread-safe record of the faults a transport reported.
class FaultLog {
 public:
  void add(const PeerFault& fault) {
    std::lock_guard lock(mutex_);
    faults_.push_back(fault);
  }
  [[nodiscard]] std::size_t count(FaultKind kind) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(faults_.begin(), faults_.end(), [&](const PeerFault& f) { return f.kind == kind; }));
  }
  [[nodiscard]] std::vector<PeerFault> all() const {
    std::lock_guard lock(mutex_);
    return faults_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<PeerFault> faults_;
};

/// A node of a test network: its identity, sink, faults and transport.
struct TestNode {
  quorum::NodeId id;
  TlsIdentity identity;
  std::uint16_t port = 0;  // where it listens, once started (kept across restarts)
  Inbox inbox;
  FaultLog faults;
  std::unique_ptr<Transport> transport;

  /// QC_NET_TEST_LOG=1 prints every transport log line to stderr.
  TransportCallbacks callbacks() {
    LogSink log;
    if (std::getenv("QC_NET_TEST_LOG") != nullptr) {
      log = [self = id](const LogRecord& r) {
        std::fprintf(stderr, "node %u %s peer=%d %s\n", self.value, std::string(r.event).c_str(),
                     r.peer ? r.peer->value : -1, std::string(r.detail).c_str());
      };
    }
    return TransportCallbacks{[this](InboundFrame& f) { return inbox.take(f); }, std::move(log),
                              [this](const PeerFault& f) { faults.add(f); }};
  }
  [[nodiscard]] PeerStats peer_stats(quorum::NodeId peer) const {
    for (const PeerStats& s : transport->stats().peers) {
      if (s.id == peer) return s;
    }
    ADD_FAILURE() << "no stats for peer " << peer.value;
    return {};
  }
};

/// n nodes with ids 0 .. n-1, each pinning all the others. Nodes are built
/// and started from the highest id down, so every node knows the port of
/// each node it dials (the lower id dials).
class Mesh {
 public:
  /// route(dialer, target, endpoint) may rewrite where a dialer reaches a
  /// target (e.g. through a reset proxy).
  using Route = std::function<PeerEndpoint(std::size_t dialer, std::size_t target, PeerEndpoint endpoint)>;

  explicit Mesh(std::size_t n, TransportLimits limits = fast_limits(), Route route = {})
      : limits_(limits), route_(std::move(route)) {
    for (std::size_t i = 0; i < n; ++i) {
      auto node = std::make_unique<TestNode>();
      node->id = quorum::NodeId{static_cast<std::uint16_t>(i)};
      node->identity = generate_tls_identity({"127.0.0.1"});
      nodes_.push_back(std::move(node));
    }
  }

  /// Builds and starts every node not in `held_back`, highest id first.
  void start_all(const std::vector<std::size_t>& held_back = {}) {
    for (std::size_t i = nodes_.size(); i-- > 0;) {
      build(i);
      if (std::find(held_back.begin(), held_back.end(), i) == held_back.end()) start(i);
    }
  }
  /// Builds node i's transport (not started). Nodes it dials must have ports.
  void build(std::size_t i, TransportLimits limits) {
    TestNode& node = *nodes_[i];
    TransportOptions options;
    options.self = node.id;
    options.listen_port = node.port;
    options.key_pem = node.identity.key_pem;
    options.cert_pem = node.identity.cert_pem;
    options.limits = limits;
    for (std::size_t j = 0; j < nodes_.size(); ++j) {
      if (j == i) continue;
      PeerEndpoint endpoint{nodes_[j]->id, "127.0.0.1", nodes_[j]->port, nodes_[j]->identity.pin};
      if (route_ && i < j) endpoint = route_(i, j, endpoint);
      options.peers.push_back(endpoint);
    }
    node.transport = std::make_unique<Transport>(std::move(options), node.callbacks());
  }
  void build(std::size_t i) { build(i, limits_); }
  void start(std::size_t i) {
    nodes_[i]->transport->start();
    nodes_[i]->port = nodes_[i]->transport->listen_port();
  }
  /// Stops node i and starts a new transport (a new incarnation) with the
  /// same identity on the same port.
  void restart(std::size_t i) {
    nodes_[i]->transport.reset();
    build(i);
    start(i);
  }

  TestNode& node(std::size_t i) { return *nodes_[i]; }
  [[nodiscard]] std::size_t size() const { return nodes_.size(); }

  /// Every node's every peer is connected.
  [[nodiscard]] bool all_connected() const {
    for (const auto& node : nodes_) {
      for (const PeerStats& s : node->transport->stats().peers) {
        if (!s.connected) return false;
      }
    }
    return true;
  }

 private:
  TransportLimits limits_;
  Route route_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
};

/// Expects `numbers` to be exactly first, first+1, ..., first+count-1.
inline void expect_consecutive(const std::vector<std::uint64_t>& numbers, std::uint64_t first, std::size_t count,
                               const std::string& what) {
  ASSERT_EQ(numbers.size(), count) << what;
  for (std::size_t k = 0; k < count; ++k) {
    ASSERT_EQ(numbers[k], first + k) << what << " at position " << k;
  }
}

}  // namespace quorumclear::net::test_support
