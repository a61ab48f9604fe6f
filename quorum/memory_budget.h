#pragma once
// How much memory one peer can make an honest node hold, and why honest
// traffic always fits (issue 11, item 2).
//
// The only payload whose size a peer chooses is an RBC stripe with its
// Merkle branch (VAL and ECHO); everything else a peer sends (READY roots,
// ABA votes, coin shares) is a fixed few bytes per (instance, round) and is
// bounded by the instance limits. A stripe is held from the moment it is
// accepted until its RBC delivers or fails, or its epoch is dropped.
//
// Per peer p, structurally, whatever p sends:
//   * live epochs: only current .. current + kEpochWindow hold state (an
//     epoch is dropped the moment it is output: engine.h), so at most
//     kLiveEpochsMax = W + 1;
//   * per live epoch, p's ECHO in each of the n RBC instances (one per
//     sender and instance: a second one is a duplicate, never stored) plus
//     p's VAL in its own instance: n + 1 stripes;
//   * a stripe passes the codec only up to erasure_max_stripe_bytes(n) =
//     ceil((kBatchBytesMax + 8) / k), k = n - 2f, and its branch is exactly
//     merkle_depth(n) digests.
// So p can pin at most
//   peer_stripe_bytes_bound(n) = (W + 1) (n + 1) (ceil((B + 8) / k) + 32 depth(n))
// and an honest peer, which sends the same kinds of message, at most as
// much. kPeerStripeBudgetBytes is checked against that for every supported
// n below, at compile time: the budget can only be reached by a peer that is
// faulty (or by a bug), and the engine refuses a stripe beyond it (fault
// kPeerBudgetExceeded) rather than grow. With B = 1 MiB the worst n is 31
// (n / k = 31 / 11): 4 x 32 x (95,326 + 160) bytes = 11.7 MiB of 16 MiB.
// Lifting kBatchBytesMax to 2 MiB, or the window W to 5, fails this file.

#include "quorum/types.h"

#include <cassert>
#include <cstddef>
#include <vector>

namespace quorumclear::quorum {

/// Epochs whose state an engine holds at once: current .. current + W.
inline constexpr std::size_t kLiveEpochsMax = kEpochWindow + 1;

/// Stripe and branch bytes any one peer may make an honest node hold.
inline constexpr std::size_t kPeerStripeBudgetBytes = 16u << 20;

namespace budget_detail {
constexpr std::size_t faulty_max(std::size_t n) { return (n - 1) / 3; }
constexpr std::size_t data_stripes(std::size_t n) { return n - 2 * faulty_max(n); }
constexpr std::size_t depth(std::size_t n) {
  std::size_t d = 0;
  while ((std::size_t{1} << d) < n) ++d;
  return d;
}
}  // namespace budget_detail

/// Largest stripe a value of at most kBatchBytesMax gives at network size n
/// (the same as erasure_max_stripe_bytes; a unit test checks they agree).
constexpr std::size_t max_stripe_bytes_for(std::size_t n) {
  const std::size_t k = budget_detail::data_stripes(n);
  return (kBatchBytesMax + 8 + k - 1) / k;
}

/// The structural bound above: what one peer can pin at network size n.
constexpr std::size_t peer_stripe_bytes_bound(std::size_t n) {
  return kLiveEpochsMax * (n + 1) * (max_stripe_bytes_for(n) + 32 * budget_detail::depth(n));
}

constexpr bool budget_holds_for_every_supported_size() {
  for (std::size_t n = kNetworkSizeMin; n <= kNetworkSizeMax; ++n) {
    if (peer_stripe_bytes_bound(n) > kPeerStripeBudgetBytes) return false;
  }
  return true;
}

static_assert(budget_holds_for_every_supported_size(),
              "an honest peer's stripes must fit the per-peer budget at every supported n: "
              "lower kBatchBytesMax or kEpochWindow, or raise the budget");

/// Stripe and branch bytes held for each peer across all of one engine's
/// RBC instances. The engine owns one; its RBCs charge a stripe when they
/// store it and release it when they drop it.
class PeerStripeBudget {
 public:
  /// `budget_bytes` other than the default is for tests of the refusal.
  explicit PeerStripeBudget(std::size_t n, std::size_t budget_bytes = kPeerStripeBudgetBytes)
      : held_(n, 0), budget_bytes_(budget_bytes) {}

  /// Charges `bytes` to `peer`, or charges nothing and returns false when
  /// that would take it past the budget.
  [[nodiscard]] bool try_charge(NodeId peer, std::size_t bytes) {
    std::size_t& held = held_.at(peer.value);
    if (bytes > budget_bytes_ - held) return false;
    held += bytes;
    if (held > peak_) peak_ = held;
    return true;
  }
  /// Precondition: `bytes` were charged to `peer` and not yet released.
  void release(NodeId peer, std::size_t bytes) {
    std::size_t& held = held_.at(peer.value);
    assert(bytes <= held && "released more than was charged");
    held -= bytes;
  }
  [[nodiscard]] std::size_t held(NodeId peer) const { return held_.at(peer.value); }
  /// The most any one peer has held at once.
  [[nodiscard]] std::size_t peak() const { return peak_; }
  [[nodiscard]] std::size_t budget_bytes() const { return budget_bytes_; }

 private:
  std::vector<std::size_t> held_;  // by peer
  std::size_t budget_bytes_;
  std::size_t peak_ = 0;
};

}  // namespace quorumclear::quorum
