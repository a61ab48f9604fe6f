#pragma once
// What the callers' threads and the event loop share: each peer's outbound
// buffer and counters, under one mutex, plus the immutable id and pin
// lookups. Every method takes the lock for a short, bounded time; none
// calls out (sinks and logs are called by the loop with the lock released).

#include "services/net/reliable_session.h"
#include "services/net/transport.h"

#include <mutex>
#include <optional>
#include <vector>

namespace quorumclear::net {

class PeerTable {
 public:
  /// Preconditions: peers validated (unique ids and pins).
  PeerTable(const std::vector<PeerEndpoint>& peers, std::size_t budget_bytes, std::uint64_t incarnation);

  [[nodiscard]] std::size_t size() const { return endpoints_.size(); }
  [[nodiscard]] const PeerEndpoint& endpoint(std::size_t index) const { return endpoints_[index]; }
  [[nodiscard]] std::optional<std::size_t> index_of(quorum::NodeId id) const;
  [[nodiscard]] std::optional<std::size_t> index_of(const Pin& pin) const;

  // Callers' threads.
  SendResult push(std::size_t index, Channel channel, std::optional<quorum::Epoch> epoch, Payload payload);
  void discard_below(std::size_t index, quorum::Epoch epoch);
  [[nodiscard]] TransportStats snapshot() const;

  // The event loop.
  /// Frames due on the current connection (see OutboundQueue::take_due);
  /// counts first transmissions by channel.
  [[nodiscard]] std::vector<OutboundFrame> take_due(std::size_t index, std::size_t bytes_max);
  [[nodiscard]] bool has_due(std::size_t index) const;
  /// False: the ACK is above anything sent (a protocol violation).
  [[nodiscard]] bool acknowledge(std::size_t index, std::uint64_t delivered_through);
  /// A session opened after the peer's HELLO; `ack` is its HELLO's count
  /// when it named our incarnation. False when that count is a violation.
  [[nodiscard]] bool open_session(std::size_t index, std::optional<std::uint64_t> ack,
                                  std::uint64_t peer_incarnation, bool peer_restarted);
  void close_session(std::size_t index);
  /// Applies `update` to the peer's counters under the lock.
  template <typename Update>
  void update(std::size_t index, Update&& update) {
    std::lock_guard lock(mutex_);
    update(peers_[index].stats);
  }
  /// Applies `update` to the transport-wide counters under the lock.
  template <typename Update>
  void update_global(Update&& update) {
    std::lock_guard lock(mutex_);
    update(global_);
  }

 private:
  struct Peer {
    OutboundQueue outbound;
    PeerStats stats;
  };

  std::vector<PeerEndpoint> endpoints_;  // immutable
  mutable std::mutex mutex_;
  std::vector<Peer> peers_;              // guarded by mutex_
  TransportStats global_;                // guarded by mutex_; peers left empty
};

}  // namespace quorumclear::net
