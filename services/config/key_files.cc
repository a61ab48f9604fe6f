#include "services/config/key_files.h"

#include "services/config/hex.h"
#include "services/config/key_fields.h"

#include <sodium.h>

namespace quorumclear::config {
namespace {

/// Wipes a string holding secret text before it is freed.
struct WipedText {
  std::string text;
  ~WipedText() { sodium_memzero(text.data(), text.size()); }
};

/// The 32 bytes of a key file: 64 lower-case hex characters and at most one "\n".
std::variant<std::array<std::uint8_t, 32>, ConfigError> read_hex32(const std::filesystem::path& path,
                                                                   std::string_view what) {
  auto read = read_secret_file(path);
  if (auto* error = std::get_if<ConfigError>(&read)) return std::move(*error);
  WipedText secret{std::move(std::get<std::string>(read))};
  std::string_view text = secret.text;
  if (text.ends_with('\n')) text.remove_suffix(1);
  std::array<std::uint8_t, 32> bytes{};
  if (!from_hex(text, bytes)) {
    return ConfigError{
        path.string(), "",
        "must hold " + std::string(what) + " as 64 lower-case hex characters and at most one newline"};
  }
  return bytes;
}

std::optional<ConfigError> write_hex32(const std::filesystem::path& path,
                                       std::span<const std::uint8_t> bytes) {
  WipedText text{to_hex(bytes) + "\n"};
  return write_secret_file(path, text.text);
}

}  // namespace

SigningKey::~SigningKey() { sodium_memzero(secret.data(), secret.size()); }
NodeSecrets::~NodeSecrets() { sodium_memzero(coin.secret_share.data(), coin.secret_share.size()); }

std::optional<ConfigError> write_secret_file(const std::filesystem::path& path, std::string_view bytes,
                                             Overwrite overwrite) {
  return write_file_atomically(path, bytes, kSecretFileMode, overwrite);
}

std::variant<std::string, ConfigError> read_secret_file(const std::filesystem::path& path) {
  return read_file(path, kSecretFileBytesMax, Secrecy::kSecret);
}

std::variant<SigningKey, ConfigError> read_signing_key(const std::filesystem::path& path) {
  detail::ensure_sodium();
  auto seed = read_hex32(path, "an Ed25519 seed");
  if (auto* error = std::get_if<ConfigError>(&seed)) return std::move(*error);
  auto& bytes = std::get<0>(seed);
  SigningKey key;
  crypto_sign_seed_keypair(key.public_key.data(), key.secret.data(), bytes.data());
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

std::variant<quorum::ScalarBytes, ConfigError> read_coin_share(const std::filesystem::path& path) {
  detail::ensure_sodium();
  auto share = read_hex32(path, "a coin secret share");
  if (auto* error = std::get_if<ConfigError>(&share)) return std::move(*error);
  quorum::ScalarBytes& x = std::get<0>(share);
  std::array<std::uint8_t, 64> wide{};
  std::copy(x.begin(), x.end(), wide.begin());
  quorum::ScalarBytes reduced{};
  crypto_core_ristretto255_scalar_reduce(reduced.data(), wide.data());
  const bool canonical = reduced == x && sodium_is_zero(x.data(), x.size()) == 0;
  sodium_memzero(wide.data(), wide.size());
  sodium_memzero(reduced.data(), reduced.size());
  if (!canonical) {
    sodium_memzero(x.data(), x.size());
    return ConfigError{path.string(), "",
                       "not a coin secret share (a non-zero scalar below the group order)"};
  }
  return x;
}

std::variant<quorum::SigningPublicKey, ConfigError> write_signing_key(const std::filesystem::path& dir) {
  detail::ensure_sodium();
  std::array<std::uint8_t, crypto_sign_SEEDBYTES> seed{};
  randombytes_buf(seed.data(), seed.size());
  SigningKey key;
  crypto_sign_seed_keypair(key.public_key.data(), key.secret.data(), seed.data());
  const auto error = write_hex32(dir / kSigningKeyFile, seed);
  sodium_memzero(seed.data(), seed.size());
  if (error) return *error;
  return key.public_key;
}

std::optional<ConfigError> write_coin_share(const std::filesystem::path& path,
                                            const quorum::ScalarBytes& secret_share) {
  return write_hex32(path, secret_share);
}

std::optional<ConfigError> check_node_keys(const NodeConfig& config, const NetworkGenesis& genesis,
                                           const SigningKey& signing, const quorum::ScalarBytes& coin_share) {
  if (config.node_id >= genesis.nodes.size()) {
    return ConfigError{config.file.string(), "node_id",
                       "is not a node of genesis " + config.genesis.string()};
  }
  const NodePublic& entry = genesis.nodes[config.node_id];
  const std::string in_genesis =
      " of node " + std::to_string(config.node_id) + " in genesis " + config.genesis.string();
  if (sodium_memcmp(signing.public_key.data(), entry.signing_key.data(), entry.signing_key.size()) != 0) {
    return ConfigError{
        config.keys.signing_key.string(), "",
        "its public key is not the signing_key" + in_genesis + ": wrong key file or wrong node_id"};
  }
  if (!quorum::secret_matches_public(coin_share, entry.coin_public_share)) {
    return ConfigError{config.keys.coin_share.string(), "",
                       "does not match the coin_public_share" + in_genesis +
                           ": this share is from another node or another dealing"};
  }
  return std::nullopt;
}

std::variant<NodeSecrets, ConfigError> load_node_secrets(const NodeConfig& config,
                                                         const NetworkGenesis& genesis) {
  NodeSecrets secrets;
  auto signing = read_signing_key(config.keys.signing_key);
  if (auto* error = std::get_if<ConfigError>(&signing)) return std::move(*error);
  secrets.signing = std::get<SigningKey>(signing);
  auto share = read_coin_share(config.keys.coin_share);
  if (auto* error = std::get_if<ConfigError>(&share)) return std::move(*error);
  secrets.coin.secret_share = std::get<quorum::ScalarBytes>(share);
  sodium_memzero(std::get<quorum::ScalarBytes>(share).data(), 32);
  if (auto error = check_node_keys(config, genesis, secrets.signing, secrets.coin.secret_share))
    return *error;
  secrets.coin.self = quorum::NodeId{config.node_id};
  secrets.coin.public_shares = genesis.coin_public_shares();
  return secrets;
}

}  // namespace quorumclear::config
