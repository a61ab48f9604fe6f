#pragma once
// The engine fuzzer's world: n - f real Engines wired by per-destination
// queues the input schedules (reorder, drop, duplicate), f Byzantine ids
// the adversary speaks for, and the invariants checked on every Step.
//
// Messages cross the codec as bytes: an honest engine's are encoded and
// decoded (the result must be the same message; only multi-MiB stripes of
// a Byzantine proposer's codeword skip the decode, see kRoundTripBytesMax),
// a Byzantine sender's are handed over as wire bytes and reach an engine
// only if decode() accepts them, so an engine sees what a peer could send.
//
// Invariants (a violation prints what happened and aborts, which libFuzzer
// reports as a crash with the input saved):
//   * agreement: every honest engine that outputs epoch e outputs the same
//     DecidedEpoch, epochs in order and each once, proposers ascending, at
//     least n - f batches, an honest proposer's batch one it proposed;
//   * no Fault ever names an honest node;
//   * an engine's buffered_bytes_peak stays within kBufferedBytesBound(n);
//   * liveness on a fair, lossless, Byzantine-free schedule (no drops, no
//     Byzantine message, nothing beyond any window): once drained, every
//     honest engine has output the same epochs.

#include "quorum/codec.h"
#include "quorum/engine.h"
#include "tests/fuzz/forged_codeword.h"

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <vector>

namespace quorumclear::quorum::fuzz {

/// The bound checked on every honest engine's buffered_bytes_peak: every
/// peer at its per-peer stripe budget (quorum/memory_budget.h), plus a
/// little for votes, roots and our own state. The per-peer peak itself is
/// checked against peer_stripe_bytes_bound(n), which fits that budget.
[[nodiscard]] inline std::size_t buffered_bytes_bound(const Membership& members) {
  return members.n() * kPeerStripeBudgetBytes;
}

/// Work bounds per input, so one iteration stays short: messages delivered
/// to honest engines, and bytes of codewords the adversary may forge (one
/// maximal codeword and change: 3/2 x n x the largest stripe).
inline constexpr std::size_t kDeliveriesMax = 30000;
[[nodiscard]] inline std::size_t forged_bytes_budget(const Membership& members) {
  return members.n() * erasure_max_stripe_bytes(members) * 3 / 2;
}
/// Honest messages up to this encoded size cross the codec both ways.
inline constexpr std::size_t kRoundTripBytesMax = std::size_t{256} << 10;
/// Bytes of stripes above kRoundTripBytesMax delivered to honest engines
/// per input, past which such messages are lost: about one maximal
/// codeword's full delivery (every honest node hears every stripe), which
/// under ASan costs seconds at today's kBatchBytesMax; repeated floods of
/// it would make an input run for minutes.
[[nodiscard]] inline std::size_t large_stripe_budget(const Membership& members) {
  return members.n() * members.n() * erasure_max_stripe_bytes(members);
}
/// Messages each Byzantine id remembers of what honest nodes sent it.
inline constexpr std::size_t kObservedKept = 64;
/// Largest batch the honest nodes propose (the adversary forges the big ones).
inline constexpr std::size_t kHonestBatchBytesMax = 4096;

/// Built once per n: keys dealt from a fixed seed, every node's coin (so the
/// adversary can make genuine shares), the codeword forger.
struct Genesis {
  explicit Genesis(std::size_t n);
  Membership members;
  Digest network_id{};
  std::vector<NodeKeys> keys;
  std::vector<ThresholdCoin> coins;  // coins[i] makes node i's genuine shares
  CodewordForge forge;
};
[[nodiscard]] const Genesis& genesis_for(std::size_t n);

struct Envelope {
  NodeId from;
  std::shared_ptr<const Message> message;
};

/// A set of honest nodes by honest index (bit i).
using Recipients = std::uint32_t;

class Cluster {
 public:
  Cluster(const Genesis& genesis, bool byzantine_first);

  [[nodiscard]] const Genesis& genesis() const { return genesis_; }
  [[nodiscard]] const Membership& members() const { return genesis_.members; }
  [[nodiscard]] std::size_t honest_count() const { return engines_.size(); }
  [[nodiscard]] std::size_t byzantine_count() const { return members().f(); }
  [[nodiscard]] NodeId honest_id(std::size_t honest) const;
  [[nodiscard]] NodeId byzantine_id(std::size_t byzantine) const;
  /// Input mask byte to recipients: 0, bit 6 or bit 7 = all honest (three
  /// masks in four), else bit i % 6 names honest node i.
  [[nodiscard]] Recipients recipients(std::uint8_t mask) const;
  [[nodiscard]] Recipients only(std::size_t honest) const { return Recipients{1} << honest; }

  // --- honest nodes ---
  void propose(std::size_t honest, std::size_t length, std::uint8_t fill);
  void tick(std::size_t honest, std::uint64_t advance_ms);

  // --- the network ---
  [[nodiscard]] std::size_t queued(std::size_t honest) const { return inbox_[honest].size(); }
  [[nodiscard]] bool out_of_deliveries() const { return deliveries_ >= kDeliveriesMax; }
  void deliver(std::size_t honest, std::size_t index);
  void drop(std::size_t honest, std::size_t index);
  void duplicate(std::size_t honest, std::size_t index);
  void rotate(std::size_t honest, std::size_t count);
  /// Delivers everything queued, round-robin, until quiet or out of deliveries.
  void drain();

  // --- what the adversary sees and says ---
  [[nodiscard]] Epoch lowest_epoch() const;
  [[nodiscard]] Epoch highest_epoch() const;
  [[nodiscard]] const std::deque<Envelope>& observed(std::size_t byzantine) const {
    return observed_[byzantine];
  }
  /// Sends wire bytes from Byzantine id `from`; false (nothing sent) if the
  /// codec rejects them.
  bool send_wire(NodeId from, Bytes wire, Recipients to);
  bool send(NodeId from, const Message& message, Recipients to) { return send_wire(from, encode(message), to); }
  [[nodiscard]] const Bytes& last_wire() const { return last_wire_; }
  [[nodiscard]] NodeId last_wire_sender() const { return last_wire_sender_; }
  /// Charges `bytes` of forged codeword to this input's budget.
  [[nodiscard]] bool take_forge_budget(std::size_t bytes);

  /// The memory bound, checked after every operation too, so a flood is
  /// reported as such before it exhausts the fuzzer's RSS limit.
  void check_memory() const;
  /// Invariants that need the whole run (the others are checked per Step).
  void check_final() const;
  /// One line about the run, for QC_ENGINE_FUZZ_VERBOSE.
  void print_summary(std::size_t ops, std::size_t elapsed_ms) const;

 private:
  void absorb(std::size_t honest, Step&& step);
  void route(std::size_t honest, OutgoingMessage&& out);
  void record_decided(std::size_t honest, const DecidedEpoch& decided);
  [[nodiscard]] std::size_t honest_index(NodeId id) const;  // honest_count() if Byzantine

  const Genesis& genesis_;
  bool byzantine_first_;
  std::vector<Engine> engines_;
  std::vector<std::deque<Envelope>> inbox_;     // by honest index
  std::vector<std::deque<Envelope>> observed_;  // by Byzantine index
  std::vector<std::uint64_t> next_epoch_;       // by honest index: next epoch it must output
  std::vector<std::set<Digest>> proposed_;      // by honest index: digests of its batches
  std::map<std::uint64_t, Digest> decided_;     // epoch -> digest of the first output seen
  const Message* handling_ = nullptr;           // for fault reports
  std::uint64_t now_ms_ = 0;
  std::size_t deliveries_ = 0;
  std::size_t forged_bytes_ = 0;
  std::size_t large_stripe_bytes_ = 0;
  std::size_t batches_proposed_ = 0;
  std::size_t byzantine_sent_ = 0;
  std::size_t byzantine_rejected_ = 0;
  bool dropped_ = false;
  bool drained_quiet_ = false;
  Bytes last_wire_;
  NodeId last_wire_sender_{};
};

}  // namespace quorumclear::quorum::fuzz
