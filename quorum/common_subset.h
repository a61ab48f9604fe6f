#pragma once
// ACS(e): the asynchronous common subset of one epoch (HoneyBadgerBFT
// section 4.4, QUORUM_PROTOCOL.md "Epoch structure" steps 1-4). One RBC and
// one ABA per proposer; the output is the list, ordered by proposer, of the
// values whose ABA decided 1. Every honest node outputs the same list, and it
// holds at least n - f values, at least n - 2f of them from honest nodes.

#include "quorum/binary_agreement.h"
#include "quorum/reliable_broadcast.h"
#include "quorum/step.h"

#include <memory>
#include <optional>
#include <vector>

namespace quorumclear::quorum {

/// Per-epoch totals of the epoch's n binary agreements.
struct CommonSubsetStats {
  std::uint64_t aba_rounds = 0;        // rounds started, summed over the n ABAs
  std::uint32_t aba_rounds_max = 0;    // rounds of the slowest ABA
  std::uint64_t threshold_coins = 0;   // coins combined from shares
  std::uint64_t coin_shares_verified = 0;  // Chaum-Pedersen verifications run
  std::uint64_t dropped_future_round = 0;  // ABA messages beyond the round window
};

class CommonSubset {
 public:
  struct [[nodiscard]] Output {
    std::vector<OutgoingMessage> messages;  // already stamped with this epoch
    std::vector<Fault> faults;
    /// Set exactly once, by the call that completes the epoch.
    std::optional<std::vector<DecidedBatch>> decided;
  };

  /// `coin` must outlive the instance; `network_id` separates the coin names
  /// of different networks that might share keys by mistake.
  /// `coder`, if given, is shared with other instances (e.g. the engine's
  /// epochs): the n RBCs of one epoch share one anyway.
  /// `budget`, if given, is the engine's per-peer stripe budget, shared by
  /// every epoch's RBCs; it must outlive the instance.
  CommonSubset(const Membership& members, NodeId self, Epoch epoch, const Digest& network_id,
               const ThresholdCoin& coin, std::shared_ptr<ErasureCoder> coder = nullptr,
               PeerStripeBudget* budget = nullptr);

  /// Starts RBC(epoch, self) with this node's batch (possibly empty).
  /// Precondition: !has_proposed(), value.size() <= kBatchBytesMax.
  Output propose(ByteView value);

  /// A message of this epoch from a peer. Preconditions (checked by the
  /// engine): message.epoch == epoch(), from and message.proposer are in the
  /// membership and from != self.
  Output handle(NodeId from, const Message& message);

  [[nodiscard]] Epoch epoch() const { return epoch_; }
  [[nodiscard]] bool has_proposed() const { return proposed_; }
  [[nodiscard]] bool has_output() const { return output_done_; }
  /// Output given and every ABA terminated: nothing this instance could still
  /// send would help a peer, so the engine may drop it.
  [[nodiscard]] bool terminated() const;
  /// Bytes held by the RBC and ABA instances and by delivered values not yet
  /// output. Bounded by n times the per-instance bounds.
  [[nodiscard]] std::size_t buffered_bytes() const;
  [[nodiscard]] CommonSubsetStats stats() const;

 private:
  void on_rbc_output(NodeId proposer, ReliableBroadcast::Output&& rbc, Output& out);
  void on_aba_output(NodeId proposer, BinaryAgreement::Output&& aba, Output& out);
  /// Step 3: once n - f ABAs decided 1, every ABA without input gets 0.
  void input_zeros_if_quorum(Output& out);
  /// Step 4: all ABAs decided and every accepted value delivered.
  void output_if_complete(Output& out);

  Membership members_;
  NodeId self_;
  Epoch epoch_;
  std::vector<ReliableBroadcast> rbc_;
  std::vector<BinaryAgreement> aba_;
  std::vector<std::optional<Bytes>> delivered_;   // by proposer
  std::vector<std::optional<bool>> decisions_;    // by proposer
  std::size_t decided_count_ = 0;
  std::size_t decided_one_count_ = 0;
  bool proposed_ = false;
  bool zeros_input_ = false;
  bool output_done_ = false;
};

}  // namespace quorumclear::quorum
