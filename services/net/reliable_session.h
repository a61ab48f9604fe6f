#pragma once
// The reliable-delivery state of one peer, kept across connections: what we
// still owe the peer (OutboundQueue) and how far we have delivered what it
// sent us (InboundSequence). Pure bookkeeping, no I/O, no locks: the
// transport holds it under its mutex and drives it from its event loop.
//
// The engine assumes every message between honest nodes is eventually
// delivered; TCP alone loses what was in flight when a connection resets.
// So every frame gets a per-peer sequence number, stays buffered until the
// peer's cumulative acknowledgement covers it, and is resent on the next
// connection from where the peer's HELLO says it got to. The receiver hands
// a frame to its node only if its sequence is above the highest it has
// delivered, so delivery is at most once and in send order.
//
// The buffer is bounded two ways, both counted:
// * by epoch: once the node says the peer has epoch e by certificate
//   (discard_below), frames tagged with an epoch below e are useless to it
//   and are dropped, sent or not; untagged frames are never dropped so;
// * by bytes: beyond the per-peer budget the oldest frames go. That breaks
//   the engine's delivery assumption for that peer, which must then catch
//   up by certificate; the counter makes it visible.
// Dropped frames leave gaps in the sequence, which the receiver accepts:
// order is preserved, nothing is delivered twice.

#include "quorum/types.h"
#include "services/net/channel.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace quorumclear::net {

/// A frame's payload, shared between the peers a broadcast goes to.
using Payload = std::shared_ptr<const std::vector<std::uint8_t>>;

/// What each buffered frame costs against the byte budget beyond its
/// payload: bookkeeping, so a flood of empty frames is bounded too.
inline constexpr std::size_t kBufferedFrameOverheadBytes = 64;

/// One frame we owe a peer.
struct OutboundFrame {
  std::uint64_t sequence = 0;
  Channel channel = Channel::kQuorum;
  std::optional<quorum::Epoch> epoch;  // nullopt: never discarded by epoch
  Payload payload;                     // never null
  [[nodiscard]] std::size_t budget_bytes() const { return payload->size() + kBufferedFrameOverheadBytes; }
};

/// Frames owed to one peer, in sequence order, until acknowledged or dropped.
class OutboundQueue {
 public:
  /// Precondition: budget_bytes can hold at least one largest frame.
  explicit OutboundQueue(std::size_t budget_bytes);

  struct PushOutcome {
    bool queued = false;              // false: tagged below the discard floor
    std::uint64_t sequence = 0;       // assigned when queued
    std::size_t dropped_for_budget = 0;  // older frames dropped to make room
  };
  /// Numbers and buffers a frame. Precondition: payload not null and
  /// payload->size() + kBufferedFrameOverheadBytes <= the budget.
  PushOutcome push(Channel channel, std::optional<quorum::Epoch> epoch, Payload payload);

  /// Raises the discard floor to `epoch` (never lowers it) and drops every
  /// buffered frame tagged below it. Returns how many were dropped.
  std::size_t discard_below(quorum::Epoch epoch);

  /// The peer delivered every frame up to `delivered_through`. Returns false
  /// (and changes nothing) when that is above anything ever sent: a
  /// protocol violation by the peer.
  [[nodiscard]] bool acknowledge(std::uint64_t delivered_through);

  /// A new connection starts: send from the oldest unacknowledged frame.
  void restart_sending();

  /// Hands out the next frames to send on the current connection, in
  /// order, until their payloads reach `bytes_max` (at least one frame if
  /// any is due). Counts resends (frames sent before on an earlier
  /// connection).
  [[nodiscard]] std::vector<OutboundFrame> take_due(std::size_t bytes_max);

  [[nodiscard]] bool has_due() const;
  [[nodiscard]] std::size_t buffered_frames() const { return frames_.size(); }
  [[nodiscard]] std::size_t buffered_bytes() const { return bytes_; }
  [[nodiscard]] std::uint64_t acknowledged_through() const { return acked_; }
  /// Highest sequence ever handed out by take_due (0: none).
  [[nodiscard]] std::uint64_t highest_sent() const { return highest_sent_; }
  [[nodiscard]] std::uint64_t dropped_epoch() const { return dropped_epoch_; }
  [[nodiscard]] std::uint64_t dropped_budget() const { return dropped_budget_; }
  [[nodiscard]] std::uint64_t resent() const { return resent_; }

 private:
  void drop_front();

  std::size_t budget_bytes_;
  std::deque<OutboundFrame> frames_;  // sequence order, all unacknowledged
  std::size_t bytes_ = 0;             // sum of budget_bytes() over frames_
  std::uint64_t next_sequence_ = 1;
  std::uint64_t acked_ = 0;           // highest sequence the peer delivered
  std::uint64_t cursor_ = 0;          // highest sequence handed out on this connection
  std::uint64_t highest_sent_ = 0;    // highest sequence ever handed out
  quorum::Epoch floor_{0};
  std::uint64_t dropped_epoch_ = 0;
  std::uint64_t dropped_budget_ = 0;
  std::uint64_t resent_ = 0;
};

/// How far we have delivered the frames of one peer's incarnation.
class InboundSequence {
 public:
  /// The peer's HELLO names its incarnation. A different one than before is
  /// a restarted process whose numbering starts again: forget the old count.
  /// Returns true when it reset.
  bool on_hello(std::uint64_t incarnation);

  /// Whether a DATA frame with this sequence is still to be delivered.
  [[nodiscard]] bool is_new(std::uint64_t sequence) const { return sequence > delivered_through_; }
  /// The node took the frame. Precondition: is_new(sequence).
  void delivered(std::uint64_t sequence);

  [[nodiscard]] std::uint64_t incarnation() const { return incarnation_; }
  [[nodiscard]] std::uint64_t delivered_through() const { return delivered_through_; }

 private:
  std::uint64_t incarnation_ = 0;  // 0: never heard from
  std::uint64_t delivered_through_ = 0;
};

}  // namespace quorumclear::net
