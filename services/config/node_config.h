#pragma once
// node.json: what one node needs to run that is not in genesis: its id,
// where its files, database and peers are, and how it listens. Relative
// paths are resolved against the directory of node.json, so a node's
// directory can move as a whole. Format: issue13-plan.md, "Node config",
// and services/config/README.md (the optional "tuning" object).

#include "services/config/config_error.h"
#include "services/config/genesis.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace quorumclear::config {

/// host:port. The host is a name or an IPv4 address, or an IPv6 address in
/// brackets (kept without them); the port is 1..65535.
struct Address {
  std::string host;
  std::uint16_t port = 0;
  /// "host:port", or "[v6]:port".
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const Address&, const Address&) = default;
};

/// Parses "host:port" as above, or empty.
[[nodiscard]] std::optional<Address> parse_address(std::string_view text);

/// One other node, as this node reaches it.
struct PeerConfig {
  std::uint16_t node_id = 0;
  Address address;  // where its peer listener is; its TLS key must match the genesis pin for node_id
};

/// The node's own key files (see key_files.h for their formats and modes).
struct KeyPaths {
  std::filesystem::path tls_key;
  std::filesystem::path tls_cert;
  std::filesystem::path signing_key;
  std::filesystem::path coin_share;
};

/// Where the node's wall clock comes from (it decides only when to propose a
/// scheduled cut-off; the agreed log never reads a clock).
enum class ClockSource : std::uint8_t {
  kSystem,  // the host's clock
  kFile,    // tests: the file holds an ISO-8601 UTC instant, re-read on every tick
};

/// node.json "clock".
struct ClockConfig {
  ClockSource source = ClockSource::kSystem;
  std::filesystem::path file;  // kFile only
};

/// The least severe event the node logs.
enum class LogLevel : std::uint8_t { kTrace, kDebug, kInfo, kWarn, kError };
/// "trace" .. "error", as node.json spells them.
[[nodiscard]] std::string_view to_string(LogLevel level);

/// Optional knobs ("tuning" in node.json), each bounded; the defaults suit
/// the 4-node quickstart on 2 cores.
struct Tuning {
  /// Reports in one proposed batch, 1 .. settlement::kBatchEntriesMax.
  std::uint32_t batch_trades_max = 2'000;
  /// Bytes of one proposed batch, 1 KiB .. quorum::kBatchBytesMax.
  std::uint32_t batch_bytes_max = 256u << 10;
  /// RECEIVED reports waiting for a batch before submission answers 429,
  /// 1 .. 10,000,000.
  std::uint32_t ingest_queue_max = 100'000;
  /// With nothing to propose, an empty batch after this long, so epochs (and
  /// scheduled cut-offs, certificates) still progress; 10 .. 60,000 ms.
  std::uint32_t idle_heartbeat_ms = 1'000;
  /// Test-only misbehaviour ("fault_injection": {...}), off unless set; the
  /// node logs FAULT_INJECTION_ON at start. alter_served_epochs: every batch
  /// this node serves to a catch-up request has a byte flipped, so the
  /// laggard must refuse it and ask another peer.
  bool alter_served_epochs = false;
};

/// Bounds of Tuning (the others are quorum's and settlement's own limits).
inline constexpr std::uint32_t kIngestQueueMax = 10'000'000;
inline constexpr std::uint32_t kIdleHeartbeatMsMin = 10;
inline constexpr std::uint32_t kIdleHeartbeatMsMax = 60'000;

/// A loaded node.json.
struct NodeConfig {
  /// Where this config was read from; every path below is absolute or
  /// relative to the working directory, already resolved against it.
  std::filesystem::path file;
  std::uint16_t node_id = 0;
  std::filesystem::path genesis;
  /// A postgresql:// URL. May hold a password: never log it.
  std::string database;
  KeyPaths keys;
  Address peer_listen;
  std::vector<PeerConfig> peers;  // as listed; check_against proves it is every other node once
  Address api_listen;
  bool api_tls = true;  // plain HTTP only when configured so
  Address ops_listen;
  std::filesystem::path data_dir;  // settlement reports and the local event log
  LogLevel log_level = LogLevel::kInfo;
  ClockConfig clock;
  Tuning tuning;

  /// The configured address of node `id`, or null (self, or not a peer).
  [[nodiscard]] const Address* peer_address(std::uint16_t id) const;
};

/// Bound on node.json.
inline constexpr std::size_t kNodeConfigBytesMax = 1u << 20;

/// Reads and checks node.json on its own: strict JSON, required fields
/// (node_id, genesis, database, keys, peer_listen, peers, api_listen,
/// ops_listen, data_dir), optional ones (api_tls: true, log_level: "info",
/// clock: system, tuning), addresses, no peer twice, no peer that is this
/// node, no two peers or listeners at one address.
[[nodiscard]] std::variant<NodeConfig, ConfigError> load_node_config(const std::filesystem::path& path);

/// The checks that need genesis: node_id below node_count, and peers
/// naming every other node exactly once. Errors name the node config file.
[[nodiscard]] std::optional<ConfigError> check_against(const NodeConfig& config,
                                                       const NetworkGenesis& genesis);

}  // namespace quorumclear::config
