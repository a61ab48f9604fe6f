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

/// Hard limits. Every count or size read from a peer is checked against
/// these before anything is allocated.
inline constexpr std::size_t kNodesMax = 128;
inline constexpr std::size_t kBatchBytesMax = 16u << 20;  // one proposer's value per epoch
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
