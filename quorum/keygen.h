#pragma once
// Genesis key generation by a trusted dealer: every node's threshold-coin
// share and Ed25519 signing key. The dealer's randomness is the only
// cryptographic randomness the engine ever needs, and it is injected.

#include "quorum/threshold_coin.h"

namespace quorumclear::quorum {

using SigningSecretKey = std::array<std::uint8_t, 64>;  // libsodium Ed25519 format
using SigningPublicKey = std::array<std::uint8_t, 32>;

/// Everything node `coin.self` needs from genesis.
struct NodeKeys {
  CoinKeys coin;
  SigningSecretKey signing_secret{};
  std::vector<SigningPublicKey> signing_public;  // indexed by NodeId
};

/// Deals keys for `members`: a random degree-f polynomial for the coin and
/// one Ed25519 key pair per node. Result indexed by NodeId.
[[nodiscard]] std::vector<NodeKeys> deal_keys(const Membership& members, const RandomSource& random);

}  // namespace quorumclear::quorum
