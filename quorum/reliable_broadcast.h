#pragma once
// RBC(e, j): erasure-coded reliable broadcast of proposer j's value for one
// epoch (HoneyBadgerBFT section 4.4, Bracha's thresholds). If any honest node
// delivers a value, every honest node delivers the same value; if the
// proposer is honest, every honest node delivers its value.

#include "quorum/step.h"

#include <memory>
#include <optional>

namespace quorumclear::quorum {

class ErasureCoder;
class PeerStripeBudget;

class ReliableBroadcast {
 public:
  /// What one call asks of the caller. Messages to Target::all() go to every
  /// other node; the instance has already counted its own ECHO and READY.
  struct [[nodiscard]] Output {
    std::vector<std::pair<Target, RbcPayload>> messages;
    std::vector<Fault> faults;
    /// Set exactly once, by the call that delivers.
    std::optional<Bytes> delivered;
  };

  /// `coder` may be shared by the instances of one epoch (its encoding
  /// tables depend only on n and k); it must be built for `members`. The
  /// instances sharing it must be used from one thread, as the engine is.
  /// Without one the instance builds its own. `budget`, if given, must
  /// outlive the instance: every peer stripe it stores is charged there
  /// (to the ECHO's sender, or to the proposer for its VAL) and released
  /// when dropped; a stripe the budget refuses is a kPeerBudgetExceeded
  /// fault (memory_budget.h: honest traffic never reaches it).
  ReliableBroadcast(const Membership& members, NodeId self, NodeId proposer,
                    std::shared_ptr<ErasureCoder> coder = nullptr, PeerStripeBudget* budget = nullptr);
  ~ReliableBroadcast();
  ReliableBroadcast(ReliableBroadcast&&) noexcept;
  ReliableBroadcast& operator=(ReliableBroadcast&&) noexcept;

  /// Starts the broadcast of `value`. Precondition: self == proposer, not yet
  /// proposed, value.size() <= kBatchBytesMax.
  Output propose(ByteView value);

  /// A message from `from` (already known to be in the membership).
  Output handle(NodeId from, const RbcPayload& message);
  /// As above; the stripe and branch are moved into the instance, not copied.
  Output handle(NodeId from, RbcPayload&& message);

  [[nodiscard]] bool has_delivered() const;
  /// Bytes this instance holds for peers' stripes and votes; bounded by
  /// O(n * stripe size) whatever peers send.
  [[nodiscard]] std::size_t buffered_bytes() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace quorumclear::quorum
