#include "services/config/setup.h"

#include "quorum/keygen.h"
#include "services/config/genesis.h"
#include "services/config/key_files.h"

#include <sodium.h>

#include <algorithm>
#include <system_error>

namespace quorumclear::config {
namespace {

constexpr mode_t kPublicFileMode = 0644;

std::optional<ConfigError> refuse_existing(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::exists(std::filesystem::symlink_status(path, error))) {
    return ConfigError{path.string(), "", "exists; refusing to overwrite a dealing (remove it first)"};
  }
  return std::nullopt;
}

/// The node files, ordered by node id, each id 0..n-1 exactly once.
std::variant<std::vector<NodePublicFile>, ConfigError> load_node_files(
    const std::vector<std::filesystem::path>& paths) {
  std::vector<NodePublicFile> nodes(paths.size());
  std::vector<const std::filesystem::path*> source(paths.size(), nullptr);
  for (const auto& path : paths) {
    auto node = load_node_public(path);
    if (auto* error = std::get_if<ConfigError>(&node)) return std::move(*error);
    const NodePublicFile& n = std::get<NodePublicFile>(node);
    if (n.node_id >= paths.size()) {
      return ConfigError{path.string(), "node_id",
                         "is " + std::to_string(n.node_id) + " but only " + std::to_string(paths.size()) +
                             " node files were given (ids must be 0.." + std::to_string(paths.size() - 1) +
                             ")"};
    }
    if (source[n.node_id] != nullptr) {
      return ConfigError{path.string(), "node_id",
                         "node " + std::to_string(n.node_id) + " is also " + source[n.node_id]->string()};
    }
    source[n.node_id] = &path;
    nodes[n.node_id] = n;
  }
  return nodes;
}

}  // namespace

std::string coin_share_file_name(std::size_t node_id) {
  return "coin-share-" + std::to_string(node_id) + ".key";
}

std::variant<CoinPublicShares, ConfigError> deal_coin_files(std::size_t node_count,
                                                            const std::filesystem::path& out_dir,
                                                            const quorum::RandomSource& random) {
  if (!quorum::is_supported_network_size(node_count)) {
    return ConfigError{out_dir.string(), "",
                       "cannot deal for " + std::to_string(node_count) + " nodes: n must be " +
                           std::to_string(quorum::kNetworkSizeMin) + ".." +
                           std::to_string(quorum::kNetworkSizeMax)};
  }
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) return ConfigError{out_dir.string(), "", "cannot create: " + error.message()};
  std::filesystem::permissions(out_dir, std::filesystem::perms::owner_all, error);
  // Check every name first, so a refused dealing leaves no partial one.
  for (std::size_t i = 0; i < node_count; ++i) {
    if (auto e = refuse_existing(out_dir / coin_share_file_name(i))) return *e;
  }
  if (auto e = refuse_existing(out_dir / kCoinPublicSharesFile)) return *e;
  std::vector<quorum::CoinKeys> coins = quorum::deal_coin_shares(quorum::Membership(node_count), random);
  std::optional<ConfigError> failure;
  for (std::size_t i = 0; i < node_count && !failure; ++i) {
    failure = write_coin_share(out_dir / coin_share_file_name(i), coins[i].secret_share);
  }
  CoinPublicShares shares{coins[0].public_shares};
  for (auto& c : coins) sodium_memzero(c.secret_share.data(), c.secret_share.size());
  if (failure) return *failure;
  if (auto e = write_file_atomically(out_dir / kCoinPublicSharesFile, coin_public_shares_json(shares),
                                     kPublicFileMode, Overwrite::kRefuse)) {
    return *e;
  }
  return shares;
}

std::variant<quorum::Digest, ConfigError> build_genesis(const GenesisInputs& inputs) {
  auto loaded = load_network(inputs.network);
  if (auto* error = std::get_if<ConfigError>(&loaded)) return std::move(*error);
  NetworkGenesis genesis = std::move(std::get<NetworkGenesis>(loaded));
  const std::size_t n = inputs.node_files.size();
  if (genesis.ledger.node_count != 0 && genesis.ledger.node_count != n) {
    return ConfigError{inputs.network.string(), "node_count",
                       "is " + std::to_string(genesis.ledger.node_count) + " but " + std::to_string(n) +
                           " node files were given"};
  }
  auto nodes = load_node_files(inputs.node_files);
  if (auto* error = std::get_if<ConfigError>(&nodes)) return std::move(*error);
  auto coin = load_coin_public_shares(inputs.coin_shares);
  if (auto* error = std::get_if<ConfigError>(&coin)) return std::move(*error);
  const auto& shares = std::get<CoinPublicShares>(coin).public_shares;
  if (shares.size() != n) {
    return ConfigError{
        inputs.coin_shares.string(), "node_count",
        "is " + std::to_string(shares.size()) + " but " + std::to_string(n) + " node files were given"};
  }
  genesis.ledger.node_count = static_cast<std::uint16_t>(n);
  for (const NodePublicFile& node : std::get<std::vector<NodePublicFile>>(nodes)) {
    genesis.nodes.push_back(NodePublic{node.node_id, node.tls_pin, node.signing_key, shares[node.node_id]});
  }
  const std::string bytes = genesis_json(genesis);
  // Validate before anything is written: a refused genesis leaves no file.
  auto checked = parse_genesis(bytes, inputs.out.string());
  if (auto* error = std::get_if<ConfigError>(&checked)) return std::move(*error);
  if (auto error = write_file_atomically(inputs.out, bytes, kPublicFileMode, inputs.overwrite)) return *error;
  auto reloaded = load_genesis(inputs.out);
  const auto* reloaded_genesis = std::get_if<NetworkGenesis>(&reloaded);
  if (reloaded_genesis == nullptr ||
      reloaded_genesis->network_id != std::get<NetworkGenesis>(checked).network_id) {
    std::error_code ignored;
    std::filesystem::remove(inputs.out, ignored);
    if (auto* error = std::get_if<ConfigError>(&reloaded)) return std::move(*error);
    return ConfigError{inputs.out.string(), "", "changed while it was written; removed"};
  }
  return reloaded_genesis->network_id;
}

}  // namespace quorumclear::config
