#pragma once
// Genesis key generation by a trusted dealer: every node's threshold-coin
// share and Ed25519 signing key, and the checks that let nodes distrust the
// dealer. The dealer's randomness is the only cryptographic randomness the
// engine ever needs, and it is injected.
//
// What the dealer could do: it knows every x_i, so it can predict coins and
// so delay agreement (the adversary then schedules against the coin); it
// cannot break agreement, provided the coin is common. That is what the two
// checks establish: genesis refuses public shares that do not lie on one
// degree-f polynomial (public_shares_consistent), and each node refuses to
// start with a secret share that does not match its public one
// (secret_matches_public). A distributed key generation can replace
// deal_coin_shares later without changing either check.

#include "quorum/threshold_coin.h"

#include <span>

namespace quorumclear::quorum {

using SigningSecretKey = std::array<std::uint8_t, 64>;  // libsodium Ed25519 format
using SigningPublicKey = std::array<std::uint8_t, 32>;

/// Everything node `coin.self` needs from genesis.
struct NodeKeys {
  CoinKeys coin;
  SigningSecretKey signing_secret{};
  std::vector<SigningPublicKey> signing_public;  // indexed by NodeId
};

/// Deals the threshold coin alone: a random degree-f polynomial P, node i's
/// secret x_i = P(i+1) and every X_j = x_j * G. Result indexed by NodeId;
/// every entry carries all public shares. No x_i is zero, so no X_j is the
/// identity. The caller owns the secrets and should wipe them after use.
[[nodiscard]] std::vector<CoinKeys> deal_coin_shares(const Membership& members, const RandomSource& random);

/// Deals keys for `members`: the coin shares as deal_coin_shares (drawn
/// first, from the same randomness) and one Ed25519 key pair per node.
/// Result indexed by NodeId. For the simulator and tests: in a real network
/// every node generates its own signing key.
[[nodiscard]] std::vector<NodeKeys> deal_keys(const Membership& members, const RandomSource& random);

/// True when there are exactly n public shares, each a valid non-identity
/// ristretto255 point, and all lie on one polynomial of degree at most f:
/// interpolated in the exponent from X_0 .. X_f, every other X_j is matched.
/// With it, any f+1 shares combine to the same coin. Costs (n - f - 1)(f + 1)
/// scalar multiplications (some 10 ms at n = 31): a genesis check, not a hot path.
[[nodiscard]] bool public_shares_consistent(const Membership& members,
                                            std::span<const PointBytes> public_shares);

/// True when x_i is a canonical non-zero scalar and x_i * G == X_i: the
/// check a node makes on its own secret share before it starts.
[[nodiscard]] bool secret_matches_public(const ScalarBytes& secret_share, const PointBytes& public_share);

}  // namespace quorumclear::quorum
