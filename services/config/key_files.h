#pragma once
// A node's secret key files, on its own host only (issue13-plan.md, "Key
// files"): signing.key holds 64 hex characters, the 32-byte Ed25519 seed
// (libsodium crypto_sign_seed_keypair); coin-share.key holds 64 hex
// characters, the node's ristretto255 secret scalar x_i. One optional
// newline may follow. Both are mode 0600: a node refuses a key file that
// group or others may read or write, naming the file and its mode, and it
// refuses keys that do not match its entries in genesis.

#include "quorum/keygen.h"
#include "services/config/config_error.h"
#include "services/config/files.h"
#include "services/config/genesis.h"
#include "services/config/node_config.h"

#include <filesystem>
#include <optional>
#include <string>
#include <variant>

namespace quorumclear::config {

/// Owner read and write, nothing for group or others.
inline constexpr mode_t kSecretFileMode = 0600;
/// The file write_signing_key writes in its directory.
inline constexpr std::string_view kSigningKeyFile = "signing.key";
/// Bound on a secret file: a key with its newline, and room for CRLF
/// mistakes to be reported as such rather than as "too large".
inline constexpr std::size_t kSecretFileBytesMax = 4096;

/// Writes `bytes` to `path` atomically with mode 0600 (files.h); refuses to
/// replace an existing file unless `overwrite` says so.
[[nodiscard]] std::optional<ConfigError> write_secret_file(const std::filesystem::path& path,
                                                           std::string_view bytes,
                                                           Overwrite overwrite = Overwrite::kRefuse);

/// Reads a secret file: a regular file, not readable or writable by group
/// or others, at most kSecretFileBytesMax bytes.
[[nodiscard]] std::variant<std::string, ConfigError> read_secret_file(const std::filesystem::path& path);

/// A node's Ed25519 key pair. The secret is wiped when the value dies.
struct SigningKey {
  quorum::SigningSecretKey secret{};  // libsodium's 64-byte form (seed || public)
  quorum::SigningPublicKey public_key{};

  SigningKey() = default;
  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
  ~SigningKey();
};

/// Reads signing.key and derives the key pair from its seed.
[[nodiscard]] std::variant<SigningKey, ConfigError> read_signing_key(const std::filesystem::path& path);

/// Reads coin-share.key: a canonical, non-zero scalar.
[[nodiscard]] std::variant<quorum::ScalarBytes, ConfigError> read_coin_share(
    const std::filesystem::path& path);

/// Generates a fresh Ed25519 seed (libsodium randombytes_buf), writes it to
/// dir/signing.key (0600, never replacing one) and returns the public key,
/// for node-<id>.public.json. `dir` must exist.
[[nodiscard]] std::variant<quorum::SigningPublicKey, ConfigError> write_signing_key(
    const std::filesystem::path& dir);

/// Writes a coin share file (the dealer's output for one node).
[[nodiscard]] std::optional<ConfigError> write_coin_share(const std::filesystem::path& path,
                                                          const quorum::ScalarBytes& secret_share);

/// Refuses to start a node whose keys are not the ones genesis names for
/// it: the signing public key must equal nodes[id].signing_key and x_i * G
/// must equal nodes[id].coin_public_share (quorum::secret_matches_public).
[[nodiscard]] std::optional<ConfigError> check_node_keys(const NodeConfig& config,
                                                         const NetworkGenesis& genesis,
                                                         const SigningKey& signing,
                                                         const quorum::ScalarBytes& coin_share);

/// Everything secret a node runs with, checked against genesis.
struct NodeSecrets {
  SigningKey signing;
  quorum::CoinKeys coin;  // ready for quorum::ThresholdCoin
  NodeSecrets() = default;
  NodeSecrets(const NodeSecrets&) = default;
  NodeSecrets& operator=(const NodeSecrets&) = default;
  ~NodeSecrets();
};

/// read_signing_key, read_coin_share and check_node_keys in one call: what
/// a node does before it starts. (The TLS key is services/net's.)
[[nodiscard]] std::variant<NodeSecrets, ConfigError> load_node_secrets(const NodeConfig& config,
                                                                       const NetworkGenesis& genesis);

}  // namespace quorumclear::config
