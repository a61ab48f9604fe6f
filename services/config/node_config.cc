#include "services/config/node_config.h"

#include "services/config/files.h"
#include "services/config/json_reader.h"

#include <algorithm>
#include <set>

namespace quorumclear::config {
namespace {

using detail::fail;
using detail::JsonObject;

constexpr std::size_t kPathBytesMax = 4096;
constexpr std::size_t kDatabaseBytesMax = 2048;
constexpr std::size_t kHostBytesMax = 253;  // a DNS name's limit

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}
bool is_ipv6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || text[0] == '0') return std::nullopt;
  std::uint32_t port = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

/// `dir / text` unless `text` is absolute; lexically normal either way.
std::filesystem::path path_field(JsonObject& object, std::string_view key, const std::filesystem::path& dir) {
  const std::filesystem::path p(object.string(key, kPathBytesMax));
  return (p.is_absolute() ? p : dir / p).lexically_normal();
}

Address address_field(JsonObject& object, std::string_view key) {
  const std::string text = object.string(key, kHostBytesMax + 8);
  const auto address = parse_address(text);
  if (!address) {
    fail(object.field(key),
         "must be host:port (a name, an IPv4 address or [IPv6]; port 1..65535), not \"" + text + "\"");
  }
  return *address;
}

LogLevel log_level_text(const std::string& text, const std::string& field) {
  for (const LogLevel level :
       {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == to_string(level)) return level;
  }
  fail(field, "must be trace, debug, info, warn or error");
}

ClockConfig clock_field(JsonObject& root, const std::filesystem::path& dir) {
  ClockConfig clock;
  auto object = root.optional_object("clock");
  if (!object) return clock;
  const std::string source = object->string("source", 16);
  if (source == "file") {
    clock.source = ClockSource::kFile;
    clock.file = path_field(*object, "path", dir);
  } else if (source != "system") {
    fail(object->field("source"), "must be \"system\" or \"file\"");
  }
  object->finish();  // "path" with the system clock is an unknown key
  return clock;
}

Tuning tuning_field(JsonObject& root) {
  Tuning t;
  auto object = root.optional_object("tuning");
  if (!object) return t;
  const auto read = [&](std::string_view key, std::uint32_t& value, std::int64_t min, std::int64_t max) {
    if (const auto v = object->optional_integer(key, min, max)) value = static_cast<std::uint32_t>(*v);
  };
  read("batch_trades_max", t.batch_trades_max, 1, static_cast<std::int64_t>(settlement::kBatchEntriesMax));
  read("batch_bytes_max", t.batch_bytes_max, 1024, static_cast<std::int64_t>(quorum::kBatchBytesMax));
  read("ingest_queue_max", t.ingest_queue_max, 1, kIngestQueueMax);
  read("idle_heartbeat_ms", t.idle_heartbeat_ms, kIdleHeartbeatMsMin, kIdleHeartbeatMsMax);
  if (auto faults = object->optional_object("fault_injection")) {
    t.alter_served_epochs = faults->optional_boolean("alter_served_epochs").value_or(false);
    faults->finish();
  }
  object->finish();
  return t;
}

KeyPaths keys_field(JsonObject& root, const std::filesystem::path& dir) {
  JsonObject keys = root.object("keys");
  KeyPaths paths{path_field(keys, "tls_key", dir), path_field(keys, "tls_cert", dir),
                 path_field(keys, "signing_key", dir), path_field(keys, "coin_share", dir)};
  keys.finish();
  return paths;
}

void peers_field(JsonObject& root, NodeConfig& config) {
  detail::JsonArray list = root.array("peers", quorum::kNetworkSizeMax - 1);
  std::set<std::uint16_t> ids;
  for (std::size_t i = 0; i < list.size(); ++i) {
    JsonObject peer = list.object(i);
    PeerConfig p;
    p.node_id = static_cast<std::uint16_t>(peer.integer("node_id", 0, quorum::kNetworkSizeMax - 1));
    if (p.node_id == config.node_id) fail(peer.field("node_id"), "is this node's own id");
    if (!ids.insert(p.node_id).second) fail(peer.field("node_id"), "names a node listed before");
    p.address = address_field(peer, "address");
    // A peer is recognised by its address before its key is checked: two
    // ids at one address could not be told apart.
    for (const PeerConfig& earlier : config.peers) {
      if (earlier.address == p.address) fail(peer.field("address"), "is the address of an earlier peer");
    }
    if (p.address == config.peer_listen) fail(peer.field("address"), "is this node's own peer_listen");
    peer.finish();
    config.peers.push_back(p);
  }
}

NodeConfig parse_node_config(std::string_view text, const std::filesystem::path& file) {
  const std::filesystem::path dir = file.parent_path();
  JsonObject root = detail::parse_object(text);
  NodeConfig c;
  c.file = file;
  c.node_id = static_cast<std::uint16_t>(root.integer("node_id", 0, quorum::kNetworkSizeMax - 1));
  c.genesis = path_field(root, "genesis", dir);
  c.database = root.string("database", kDatabaseBytesMax);
  // The URL may carry a password: the message never repeats it.
  if (!c.database.starts_with("postgresql://") && !c.database.starts_with("postgres://")) {
    fail("database", "must be a postgresql:// URL");
  }
  c.keys = keys_field(root, dir);
  c.peer_listen = address_field(root, "peer_listen");
  peers_field(root, c);
  c.api_listen = address_field(root, "api_listen");
  c.api_tls = root.optional_boolean("api_tls").value_or(true);
  c.ops_listen = address_field(root, "ops_listen");
  if (c.api_listen == c.peer_listen) fail("api_listen", "is the same address as peer_listen");
  if (c.ops_listen == c.peer_listen || c.ops_listen == c.api_listen) {
    fail("ops_listen", "is the same address as another listener");
  }
  c.data_dir = path_field(root, "data_dir", dir);
  if (const auto level = root.optional_string("log_level", 8))
    c.log_level = log_level_text(*level, "log_level");
  c.clock = clock_field(root, dir);
  c.tuning = tuning_field(root);
  root.finish();
  return c;
}

}  // namespace

std::string Address::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Address> parse_address(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const auto port = parse_port(text.substr(colon + 1));
  if (!port) return std::nullopt;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (host.empty() || host.find(':') == std::string_view::npos ||
        !std::all_of(host.begin(), host.end(), is_ipv6_char)) {
      return std::nullopt;
    }
  } else if (host.empty() || host.size() > kHostBytesMax ||
             !std::all_of(host.begin(), host.end(), is_host_char) || host.front() == '-' ||
             host.front() == '.') {
    return std::nullopt;  // also a bare IPv6 address: its colons would be ambiguous
  }
  return Address{std::string(host), *port};
}

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

const Address* NodeConfig::peer_address(std::uint16_t id) const {
  for (const PeerConfig& p : peers) {
    if (p.node_id == id) return &p.address;
  }
  return nullptr;
}

std::variant<NodeConfig, ConfigError> load_node_config(const std::filesystem::path& path) {
  auto bytes = read_file(path, kNodeConfigBytesMax, Secrecy::kPublic);
  if (auto* error = std::get_if<ConfigError>(&bytes)) return std::move(*error);
  try {
    return parse_node_config(std::get<std::string>(bytes), path);
  } catch (const detail::FieldError& e) {
    return ConfigError{path.string(), e.field, e.message};
  }
}

std::optional<ConfigError> check_against(const NodeConfig& config, const NetworkGenesis& genesis) {
  const std::size_t n = genesis.ledger.node_count;
  const auto error = [&](std::string field, std::string message) {
    return ConfigError{config.file.string(), std::move(field), std::move(message)};
  };
  const std::string genesis_n =
      " (genesis " + genesis.network_name + " has node_count " + std::to_string(n) + ")";
  if (config.node_id >= n) return error("node_id", "is not a node of this network" + genesis_n);
  for (std::size_t i = 0; i < config.peers.size(); ++i) {
    if (config.peers[i].node_id >= n) {
      return error("peers[" + std::to_string(i) + "].node_id", "is not a node of this network" + genesis_n);
    }
  }
  // Ids are distinct, below n and not our own (load_node_config), so n - 1
  // of them are every other node.
  if (config.peers.size() != n - 1) {
    std::string missing;
    for (std::uint16_t id = 0; id < n; ++id) {
      if (id != config.node_id && config.peer_address(id) == nullptr) {
        missing += (missing.empty() ? "" : ", ") + std::to_string(id);
      }
    }
    return error("peers", "must list every other node exactly once; missing node " + missing + genesis_n);
  }
  return std::nullopt;
}

}  // namespace quorumclear::config
