#include "services/net/peer_table.h"

namespace quorumclear::net {

PeerTable::PeerTable(const std::vector<PeerEndpoint>& peers, std::size_t budget_bytes, std::uint64_t incarnation)
    : endpoints_(peers) {
  peers_.reserve(peers.size());
  for (const PeerEndpoint& endpoint : peers) {
    peers_.push_back(Peer{OutboundQueue(budget_bytes), PeerStats{}});
    peers_.back().stats.id = endpoint.id;
  }
  global_.incarnation = incarnation;
}

std::optional<std::size_t> PeerTable::index_of(quorum::NodeId id) const {
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    if (endpoints_[i].id == id) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> PeerTable::index_of(const Pin& pin) const {
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    if (endpoints_[i].pin == pin) return i;
  }
  return std::nullopt;
}

SendResult PeerTable::push(std::size_t index, Channel channel, std::optional<quorum::Epoch> epoch,
                           Payload payload) {
  std::lock_guard lock(mutex_);
  const OutboundQueue::PushOutcome outcome = peers_[index].outbound.push(channel, epoch, std::move(payload));
  return outcome.queued ? SendResult::kQueued : SendResult::kDroppedBelowEpoch;
}

void PeerTable::discard_below(std::size_t index, quorum::Epoch epoch) {
  std::lock_guard lock(mutex_);
  (void)peers_[index].outbound.discard_below(epoch);
}

TransportStats PeerTable::snapshot() const {
  std::lock_guard lock(mutex_);
  TransportStats stats = global_;
  stats.peers.reserve(peers_.size());
  for (const Peer& peer : peers_) {
    PeerStats s = peer.stats;
    s.frames_resent = peer.outbound.resent();
    s.dropped_epoch = peer.outbound.dropped_epoch();
    s.dropped_budget = peer.outbound.dropped_budget();
    s.buffered_frames = peer.outbound.buffered_frames();
    s.buffered_bytes = peer.outbound.buffered_bytes();
    stats.peers.push_back(s);
  }
  return stats;
}

std::vector<OutboundFrame> PeerTable::take_due(std::size_t index, std::size_t bytes_max) {
  std::lock_guard lock(mutex_);
  Peer& peer = peers_[index];
  const std::uint64_t sent_before = peer.outbound.highest_sent();
  std::vector<OutboundFrame> due = peer.outbound.take_due(bytes_max);
  for (const OutboundFrame& frame : due) {
    if (frame.sequence <= sent_before) continue;  // a resend, counted by the queue
    ChannelCounters& counters = peer.stats.sent[channel_index(frame.channel)];
    ++counters.frames;
    counters.bytes += frame.payload->size();
  }
  return due;
}

bool PeerTable::has_due(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return peers_[index].outbound.has_due();
}

bool PeerTable::acknowledge(std::size_t index, std::uint64_t delivered_through) {
  std::lock_guard lock(mutex_);
  return peers_[index].outbound.acknowledge(delivered_through);
}

bool PeerTable::open_session(std::size_t index, std::optional<std::uint64_t> ack, std::uint64_t peer_incarnation,
                             bool peer_restarted) {
  std::lock_guard lock(mutex_);
  Peer& peer = peers_[index];
  if (ack && !peer.outbound.acknowledge(*ack)) return false;
  peer.outbound.restart_sending();
  PeerStats& s = peer.stats;
  s.connected = true;
  if (s.sessions_opened++ > 0) ++s.reconnects;
  if (peer_restarted) ++s.peer_restarts;
  s.peer_incarnation = peer_incarnation;
  return true;
}

void PeerTable::close_session(std::size_t index) {
  std::lock_guard lock(mutex_);
  PeerStats& s = peers_[index].stats;
  if (s.connected) ++s.disconnects;
  s.connected = false;
}

}  // namespace quorumclear::net
