#pragma once
// The two network set-up steps that clearctl runs, as functions so tests
// run exactly what the tool runs:
//
// The dealer (clearctl deal). One party draws the threshold-coin polynomial
// and hands each node its share x_i. Whoever runs it knows every share, so
// it can predict coins and so delay agreement (an adversary who knows the
// coin can schedule messages against it); it can never break agreement or
// safety, because genesis checks that the public shares lie on one
// polynomial of degree f (so the coin is common) and each node checks its
// secret against its public share before it starts. It never sees a TLS or
// signing key. A distributed key generation can replace this step later
// without changing genesis, which holds only the public shares.
//
// Genesis (clearctl genesis). Takes only public material: network.json,
// every node's public file and the dealer's public shares; writes
// genesis.json canonically, so the same inputs give the same bytes and the
// same network id on every host that runs it.

#include "quorum/types.h"
#include "services/config/config_error.h"
#include "services/config/files.h"
#include "services/config/public_files.h"

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace quorumclear::config {

/// The dealer's public output file in its directory.
inline constexpr std::string_view kCoinPublicSharesFile = "coin-public-shares.json";
/// "coin-share-<i>.key", the file the dealer writes for node i.
[[nodiscard]] std::string coin_share_file_name(std::size_t node_id);

/// Deals the coin for `node_count` nodes (4..31) into `out_dir` (created
/// 0700 if missing): coin-share-<i>.key (0600) for every node and
/// coin-public-shares.json. Writes nothing if any of these files exists.
/// Returns the public shares. Randomness is injected: clearctl passes
/// libsodium's randombytes_buf.
[[nodiscard]] std::variant<CoinPublicShares, ConfigError> deal_coin_files(
    std::size_t node_count, const std::filesystem::path& out_dir, const quorum::RandomSource& random);

/// What clearctl genesis reads and where it writes.
struct GenesisInputs {
  std::filesystem::path network;                  // network.json
  std::vector<std::filesystem::path> node_files;  // node-<id>.public.json, any order, ids 0..n-1 once each
  std::filesystem::path coin_shares;              // coin-public-shares.json
  std::filesystem::path out;                      // genesis.json
  Overwrite overwrite = Overwrite::kRefuse;
};

/// Assembles genesis.json from the inputs, validates the bytes exactly as
/// load_genesis will, writes them (0644), loads the written file back and
/// deletes it unless it loads with the same network id. Returns the network id.
[[nodiscard]] std::variant<quorum::Digest, ConfigError> build_genesis(const GenesisInputs& inputs);

}  // namespace quorumclear::config
