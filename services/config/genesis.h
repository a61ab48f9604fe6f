#pragma once
// genesis.json: everything a network starts from, all of it public. Every
// node holds the identical file; its SHA-256 is the network id, which every
// coin name and epoch certificate binds, so two nodes with different files
// can never agree on anything by accident. Format: issue13-plan.md, "Genesis
// file", and services/config/README.md.

#include "quorum/keygen.h"
#include "services/config/config_error.h"
#include "settlement/reference_data.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace quorumclear::config {

/// SHA-256 of the DER SubjectPublicKeyInfo of a node's TLS certificate.
using TlsPin = std::array<std::uint8_t, 32>;

/// Checkpoints: a restart replays at most this many epochs after its
/// snapshot; each checkpoint costs one encoding of the whole ledger.
inline constexpr std::uint32_t kCheckpointIntervalDefault = 256;
inline constexpr std::uint32_t kCheckpointIntervalMax = 1'000'000;

/// Whether `epoch` is a checkpoint under `interval` (checkpoint_interval_epochs):
/// its certified tuple carries the ledger's snapshot digest. The node and
/// the auditor both ask this one rule.
[[nodiscard]] constexpr bool is_checkpoint_epoch(std::uint64_t epoch, std::uint64_t interval) {
  return (epoch + 1) % interval == 0;
}

/// What the network knows of one node: how to recognise it on a TLS link,
/// whose certificate signatures are its, and its share of the coin key.
struct NodePublic {
  std::uint16_t node_id = 0;
  TlsPin tls_pin{};
  quorum::SigningPublicKey signing_key{};  // a valid Ed25519 point
  quorum::PointBytes coin_public_share{};  // X_i, a valid ristretto255 point
};

/// A loaded and validated genesis.
struct NetworkGenesis {
  /// SHA-256 of genesis.json's exact bytes (zero for a network.json).
  quorum::Digest network_id{};
  std::string network_name;
  /// The ledger's reference data; ReferenceData::load accepts it.
  settlement::Genesis ledger;
  /// Indexed by node id, 0 .. ledger.node_count - 1 (empty for a network.json).
  std::vector<NodePublic> nodes;
  /// The IANA zone of the business day and its daily cut-off time there.
  std::string time_zone;
  int cutoff_minute_of_day = 0;  // 0 .. 1439
  /// Every this many epochs the certified tuple carries the ledger's
  /// snapshot digest (a checkpoint). Network-wide: nodes that disagree on it
  /// sign different tuples. Optional in the file.
  std::uint32_t checkpoint_interval_epochs = kCheckpointIntervalDefault;

  /// n = ledger.node_count and f = floor((n-1)/3).
  [[nodiscard]] quorum::Membership membership() const;
  /// X_0 .. X_{n-1}, as quorum::CoinKeys wants them.
  [[nodiscard]] std::vector<quorum::PointBytes> coin_public_shares() const;
  /// Every node's Ed25519 key, to verify epoch certificates.
  [[nodiscard]] std::vector<quorum::SigningPublicKey> signing_keys() const;
};

/// Bound on genesis.json (and network.json): read before anything is parsed.
inline constexpr std::size_t kGenesisBytesMax = 16u << 20;
/// The only format version this build reads and writes.
inline constexpr std::int64_t kGenesisFormat = 1;

/// Reads, parses and validates genesis.json. Refuses: a file over 16 MiB,
/// invalid or trailing JSON, duplicate or unknown keys, a wrong JSON type
/// (a number with a fraction anywhere, a number where a decimal string
/// belongs), integers out of range, decimals with more digits than their
/// scale, node_count outside 4..31, nodes not exactly 0..n-1, TLS pins or
/// signing keys that repeat, signing keys that are not Ed25519 points, coin
/// public shares that do not lie on one degree-f polynomial, a time zone the
/// host does not have, a cut-off that is not "HH:MM", and everything
/// settlement::ReferenceData::load refuses (its field mapped to the JSON path).
[[nodiscard]] std::variant<NetworkGenesis, ConfigError> load_genesis(const std::filesystem::path& path);

/// load_genesis on bytes already read; `file` names them in errors.
[[nodiscard]] std::variant<NetworkGenesis, ConfigError> parse_genesis(std::string_view bytes,
                                                                      std::string file);

/// Reads network.json, the genesis format without "nodes" (refused there)
/// and with node_count optional (0 when absent), for clearctl genesis. Only
/// the syntax and per-field checks run here; load_genesis validates the
/// assembled file.
[[nodiscard]] std::variant<NetworkGenesis, ConfigError> load_network(const std::filesystem::path& path);

/// genesis.json's bytes for `genesis` (network_id ignored): canonical, so
/// the same content always gives the same bytes and so the same network id.
/// Keys in the documented order, two-space indentation, one line per list
/// entry, decimals at exactly their scale, a final newline.
/// Precondition: every amount, price and quantity is non-negative.
[[nodiscard]] std::string genesis_json(const NetworkGenesis& genesis);

/// The scale of limits' max_gross_notional decimal strings: the most
/// minor_units of any genesis currency. The ledger applies one count of
/// minor units as the limit in every currency, so "50000000.00" with EUR
/// (2) and JPY (0) is 50 million EUR and 5 billion JPY.
[[nodiscard]] int notional_scale(const settlement::Genesis& ledger);

}  // namespace quorumclear::config
