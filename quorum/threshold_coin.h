#pragma once
// The Cachin-Kursawe-Shoup threshold coin on ristretto255: any f+1 valid
// shares of a coin name yield the same unpredictable bit; f or fewer reveal
// nothing about it. Shares carry Chaum-Pedersen proofs so a bad share is
// detected and attributed, never combined.

#include "quorum/message.h"

#include <array>
#include <optional>

namespace quorumclear::quorum {

using ScalarBytes = std::array<std::uint8_t, 32>;
using PointBytes = std::array<std::uint8_t, 32>;

/// What a coin toss is about. Distinct names give independent coins.
struct CoinName {
  Digest network_id{};
  Epoch epoch;
  NodeId proposer;
  Round round;
};

/// One node's coin key material from genesis: its secret share x_i = P(i+1)
/// of the dealer's degree-f polynomial, and every node's X_j = x_j * G.
struct CoinKeys {
  NodeId self;
  ScalarBytes secret_share{};
  std::vector<PointBytes> public_shares;  // indexed by NodeId
};

class ThresholdCoin {
 public:
  /// Precondition: keys.public_shares.size() == members.n().
  ThresholdCoin(const Membership& members, CoinKeys keys);

  /// This node's share for `name`, with its proof. Deterministic: the proof
  /// nonce is derived from the secret and the name, so no randomness is used
  /// and a restarted node sends the identical share.
  [[nodiscard]] CoinShare make_share(const CoinName& name) const;

  /// True when `share` is a valid point with a valid proof under X_from.
  [[nodiscard]] bool verify_share(NodeId from, const CoinName& name, const CoinShare& share) const;

  /// Combines f+1 shares (the caller has verified each) into the coin.
  /// Returns nullopt if fewer than f+1 distinct senders are given.
  [[nodiscard]] std::optional<bool> combine(const CoinName& name,
                                            std::span<const std::pair<NodeId, CoinShare>> shares) const;

  [[nodiscard]] const Membership& members() const { return members_; }

 private:
  Membership members_;
  CoinKeys keys_;
};

}  // namespace quorumclear::quorum
