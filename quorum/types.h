#pragma once
// Vocabulary types shared by every part of the quorum engine.
//
// RBC = reliable broadcast (Bracha, erasure-coded as in HoneyBadgerBFT),
// ABA = asynchronous binary agreement (Mostefaoui-Moumen-Raynal with the
// CONF round of HoneyBadgerBFT issue 59), ACS = asynchronous common subset
// (one RBC and one ABA per proposer per epoch). See quorum/README.md.

#include "quorum/sha256.h"

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace quorumclear::quorum {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

/// Index of a node in the membership, 0 .. n-1.
struct NodeId {
  std::uint16_t value = 0;
  friend constexpr auto operator<=>(NodeId, NodeId) = default;
};

/// Epoch number: one run of ACS, one agreed list of batches.
struct Epoch {
  std::uint64_t value = 0;
  friend constexpr auto operator<=>(Epoch, Epoch) = default;
  [[nodiscard]] constexpr Epoch next() const { return Epoch{value + 1}; }
};

/// Binary agreement round, 0-based.
struct Round {
  std::uint32_t value = 0;
  friend constexpr auto operator<=>(Round, Round) = default;
};

/// Network sizes a genesis may have: every n from 4 to 31, and no other
/// (QUORUM_PROTOCOL.md "Setting"; quorum/README.md says the same). Below 4
/// there is no f >= 1 to tolerate; above 31 the per-peer memory budget
/// (quorum/memory_budget.h) no longer holds an honest peer's traffic at
/// kBatchBytesMax. The Engine and key dealing require it; genesis loaders
/// refuse anything else.
inline constexpr std::size_t kNetworkSizeMin = 4;
inline constexpr std::size_t kNetworkSizeMax = 31;
[[nodiscard]] constexpr bool is_supported_network_size(std::size_t n) {
  return n >= kNetworkSizeMin && n <= kNetworkSizeMax;
}

/// Hard limits. Every count or size read from a peer is checked against
/// these before anything is allocated.
///
/// kNodesMax bounds the building blocks (Merkle tree, erasure code, RBC,
/// ABA, codec), which their tests also run at sizes no network has; a
/// running network is always kNetworkSizeMin .. kNetworkSizeMax.
inline constexpr std::size_t kNodesMax = 128;
/// One proposer's value per epoch: 1 MiB, some 8,000 trades, i.e. 32,000
/// trades per epoch at n = 4, ample for 50,000 trades/s. Sized from the
/// per-peer memory budget, which must hold every stripe an honest peer can
/// make us keep at every supported n (memory_budget.h proves it at compile
/// time); 16 MiB would have needed 128 MiB per peer at n = 4.
inline constexpr std::size_t kBatchBytesMax = 1u << 20;
/// Epochs ahead of the current one whose messages are kept; later ones are
/// dropped, so a flooding peer cannot grow our memory.
inline constexpr std::uint64_t kEpochWindow = 3;
/// ABA rounds ahead of an instance's current round whose messages are kept.
inline constexpr std::uint32_t kRoundWindow = 2;
/// An ABA that has not decided after this many rounds is a bug or an attack
/// beyond the model (the coin makes each round decide with probability >= 1/2).
inline constexpr std::uint32_t kRoundsMax = 240;

/// n nodes, of which f = floor((n-1)/3) may be Byzantine. Thresholds are
/// named here once so no component recomputes them differently.
class Membership {
 public:
  /// Precondition: 1 <= n <= kNodesMax.
  explicit Membership(std::size_t n);
  [[nodiscard]] std::size_t n() const { return n_; }
  [[nodiscard]] std::size_t f() const { return f_; }
  /// n - f: how many nodes an honest node can wait for.
  [[nodiscard]] std::size_t quorum() const { return n_ - f_; }
  /// 2f + 1: at least f+1 of them are honest.
  [[nodiscard]] std::size_t strong() const { return 2 * f_ + 1; }
  /// f + 1: at least one of them is honest.
  [[nodiscard]] std::size_t weak() const { return f_ + 1; }
  /// k = n - 2f: stripes needed to reconstruct an RBC value.
  [[nodiscard]] std::size_t data_stripes() const { return n_ - 2 * f_; }
  [[nodiscard]] bool contains(NodeId id) const { return id.value < n_; }

 private:
  std::size_t n_;
  std::size_t f_;
};

/// Cryptographic randomness, injected: production passes libsodium's
/// randombytes_buf, the simulator a seeded generator. Only key generation
/// uses it; the running engine is deterministic.
using RandomSource = std::function<void(std::span<std::uint8_t>)>;

}  // namespace quorumclear::quorum

template <>
struct std::hash<quorumclear::quorum::NodeId> {
  std::size_t operator()(quorumclear::quorum::NodeId id) const noexcept { return id.value; }
};
