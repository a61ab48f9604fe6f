#pragma once
// The public files that travel between hosts before genesis:
//   node-<id>.public.json   {"node_id": 0, "tls_pin": "<64 hex>", "signing_key": "<64 hex>"}
//     written by clearctl keygen on the node's own host;
//   coin-public-shares.json {"node_count": N, "public_shares": ["<64 hex X_0>", ...]}
//     written by the dealer (clearctl deal).
// clearctl genesis reads both; nothing in them is secret.

#include "services/config/config_error.h"
#include "services/config/genesis.h"

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace quorumclear::config {

/// One node's public identity, as its own host generated it.
struct NodePublicFile {
  std::uint16_t node_id = 0;  // 0 .. kNetworkSizeMax - 1
  TlsPin tls_pin{};
  quorum::SigningPublicKey signing_key{};
};

/// The dealer's public output: X_0 .. X_{n-1}.
struct CoinPublicShares {
  std::vector<quorum::PointBytes> public_shares;  // indexed by node id; size is node_count
};

/// Bound on either public file.
inline constexpr std::size_t kPublicFileBytesMax = 64u << 10;

/// Reads node-<id>.public.json: strict JSON, a valid Ed25519 signing key.
[[nodiscard]] std::variant<NodePublicFile, ConfigError> load_node_public(const std::filesystem::path& path);

/// Its canonical text, for clearctl keygen (one line and a newline).
[[nodiscard]] std::string node_public_json(const NodePublicFile& node);

/// Reads coin-public-shares.json: node_count in 4..31, that many valid
/// points, lying on one degree-f polynomial (the check genesis repeats).
[[nodiscard]] std::variant<CoinPublicShares, ConfigError> load_coin_public_shares(
    const std::filesystem::path& path);

/// Its canonical text, for clearctl deal.
[[nodiscard]] std::string coin_public_shares_json(const CoinPublicShares& shares);

}  // namespace quorumclear::config
