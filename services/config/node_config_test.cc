// Proves that node.json resolves relative paths against its own directory,
// applies the documented defaults and bounds, refuses malformed addresses,
// unknown keys and repeated peers, and that check_against requires the
// peers to be every other node of the genesis exactly once.

#include "services/config/node_config.h"
#include "services/config/test_network.h"

#include <gtest/gtest.h>

namespace quorumclear::config {
namespace {

using testing::TempDir;
using testing::write_text;

std::string node_json(const std::string& peers = R"([{"node_id": 0, "address": "127.0.0.1:7100"},
              {"node_id": 2, "address": "[::1]:7102"}, {"node_id": 3, "address": "node-3.example:7103"}])",
                      const std::string& extra = "") {
  return R"({"node_id": 1, "genesis": "../shared/genesis.json",
  "database": "postgresql://postgres:secret@127.0.0.1:5432/node1",
  "keys": {"tls_key": "tls.key", "tls_cert": "tls.crt", "signing_key": "keys/signing.key",
           "coin_share": "/etc/qc/coin-share.key"},
  "peer_listen": "0.0.0.0:7101", "peers": )" +
         peers + R"(,
  "api_listen": "127.0.0.1:8101", "ops_listen": "127.0.0.1:9101", "data_dir": "data")" +
         extra + "}";
}

class NodeConfigFile : public ::testing::Test {
 protected:
  std::variant<NodeConfig, ConfigError> load(const std::string& text) {
    write_text(path_, text);
    return load_node_config(path_);
  }
  NodeConfig load_ok(const std::string& text) {
    auto loaded = load(text);
    if (auto* e = std::get_if<ConfigError>(&loaded)) {
      ADD_FAILURE() << e->what();
      return {};
    }
    return std::get<NodeConfig>(std::move(loaded));
  }
  ConfigError load_error(const std::string& text) {
    auto loaded = load(text);
    if (!std::holds_alternative<ConfigError>(loaded)) {
      ADD_FAILURE() << "accepted: " << text;
      return {};
    }
    return std::get<ConfigError>(std::move(loaded));
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "node1" / "node.json";
  void SetUp() override { std::filesystem::create_directories(path_.parent_path()); }
};

TEST_F(NodeConfigFile, RelativePathsResolveAgainstTheFilesDirectory) {
  const NodeConfig c = load_ok(node_json());
  const auto dir = path_.parent_path();
  EXPECT_EQ(c.file, path_);
  EXPECT_EQ(c.node_id, 1);
  EXPECT_EQ(c.genesis, dir_.path() / "shared" / "genesis.json");
  EXPECT_EQ(c.keys.tls_key, dir / "tls.key");
  EXPECT_EQ(c.keys.tls_cert, dir / "tls.crt");
  EXPECT_EQ(c.keys.signing_key, dir / "keys" / "signing.key");
  EXPECT_EQ(c.keys.coin_share, std::filesystem::path("/etc/qc/coin-share.key")) << "absolute stays";
  EXPECT_EQ(c.data_dir, dir / "data");
  EXPECT_EQ(c.database, "postgresql://postgres:secret@127.0.0.1:5432/node1");
  EXPECT_EQ(c.peer_listen, (Address{"0.0.0.0", 7101}));
  ASSERT_EQ(c.peers.size(), 3u);
  EXPECT_EQ(c.peers[1].address, (Address{"::1", 7102}));
  EXPECT_EQ(c.peers[1].address.to_string(), "[::1]:7102");
  EXPECT_EQ(c.peers[2].address.host, "node-3.example");
  ASSERT_NE(c.peer_address(3), nullptr);
  EXPECT_EQ(c.peer_address(3)->port, 7103);
  EXPECT_EQ(c.peer_address(1), nullptr) << "self";
  // Defaults of the optional fields.
  EXPECT_TRUE(c.api_tls);
  EXPECT_EQ(c.log_level, LogLevel::kInfo);
  EXPECT_EQ(c.clock.source, ClockSource::kSystem);
  EXPECT_EQ(c.tuning.batch_trades_max, Tuning{}.batch_trades_max);
  EXPECT_FALSE(c.tuning.alter_served_epochs);
}

TEST_F(NodeConfigFile, OptionalFieldsAreRead) {
  const NodeConfig c = load_ok(
      node_json(R"([{"node_id": 0, "address": "127.0.0.1:7100"}])",
                R"(, "api_tls": false, "log_level": "debug", "clock": {"source": "file", "path": "clock.txt"},
         "tuning": {"batch_trades_max": 500, "batch_bytes_max": 65536, "ingest_queue_max": 7,
                    "idle_heartbeat_ms": 250, "fault_injection": {"alter_served_epochs": true}})"));
  EXPECT_FALSE(c.api_tls);
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.clock.source, ClockSource::kFile);
  EXPECT_EQ(c.clock.file, path_.parent_path() / "clock.txt");
  EXPECT_EQ(c.tuning.batch_trades_max, 500u);
  EXPECT_EQ(c.tuning.batch_bytes_max, 65536u);
  EXPECT_EQ(c.tuning.ingest_queue_max, 7u);
  EXPECT_EQ(c.tuning.idle_heartbeat_ms, 250u);
  EXPECT_TRUE(c.tuning.alter_served_epochs);
}

TEST_F(NodeConfigFile, ErrorsNameFieldAndNeverEchoTheDatabaseUrl) {
  struct Case {
    std::string peers, extra, field, message;
  };
  const std::string one = R"([{"node_id": 0, "address": "127.0.0.1:7100"}])";
  const std::vector<Case> cases = {
      {R"([{"node_id": 1, "address": "127.0.0.1:7100"}])", "", "peers[0].node_id", "own id"},
      {R"([{"node_id": 0, "address": "a:1"}, {"node_id": 0, "address": "b:1"}])", "", "peers[1].node_id",
       "listed before"},
      {R"([{"node_id": 0, "address": "a:1"}, {"node_id": 2, "address": "a:1"}])", "", "peers[1].address",
       "earlier peer"},
      {R"([{"node_id": 0, "address": "0.0.0.0:7101"}])", "", "peers[0].address", "own peer_listen"},
      {R"([{"node_id": 0, "address": "127.0.0.1"}])", "", "peers[0].address", "host:port"},
      {R"([{"node_id": 0, "address": "127.0.0.1:0"}])", "", "peers[0].address", "host:port"},
      {R"([{"node_id": 0, "address": "127.0.0.1:65536"}])", "", "peers[0].address", "host:port"},
      {R"([{"node_id": 0, "address": "::1:7100"}])", "", "peers[0].address", "host:port"},
      {R"([{"node_id": 0, "address": "host name:7100"}])", "", "peers[0].address", "host:port"},
      {R"([{"node_id": 0, "address": "a:1", "weight": 2}])", "", "peers[0].weight", "unknown key"},
      {R"([{"node_id": 31, "address": "a:1"}])", "", "peers[0].node_id", "0..30"},
      {one, R"(, "log_level": "verbose")", "log_level", "trace, debug, info, warn or error"},
      {one, R"(, "api_tls": 1)", "api_tls", "true or false"},
      {one, R"(, "clock": {"source": "file"})", "clock.path", "missing"},
      {one, R"(, "clock": {"source": "system", "path": "x"})", "clock.path", "unknown key"},
      {one, R"(, "clock": {"source": "ntp"})", "clock.source", "\"system\" or \"file\""},
      {one, R"(, "tuning": {"batch_trades_max": 0})", "tuning.batch_trades_max", "must be 1..200000"},
      {one, R"(, "tuning": {"batch_bytes_max": 2097152})", "tuning.batch_bytes_max", "must be 1024..1048576"},
      {one, R"(, "tuning": {"idle_heartbeat_ms": 1.5})", "tuning.idle_heartbeat_ms", "must be an integer"},
      {one, R"(, "tuning": {"batch_size": 10})", "tuning.batch_size", "unknown key"},
      {one, R"(, "tuning": {"fault_injection": {"alter_served_epochs": "yes"}})",
       "tuning.fault_injection.alter_served_epochs", "true or false"},
      {one, R"(, "tuning": {"fault_injection": {"drop_votes": true}})", "tuning.fault_injection.drop_votes",
       "unknown key"},
      {one, R"(, "api_listen": "x:1")", "", "duplicate key \"api_listen\""},
      {one, R"(, "colour": "blue")", "colour", "unknown key"},
  };
  for (const Case& c : cases) {
    const ConfigError e = load_error(node_json(c.peers, c.extra));
    EXPECT_EQ(e.file, path_.string());
    EXPECT_EQ(e.field, c.field) << e.what();
    EXPECT_NE(e.message.find(c.message), std::string::npos) << e.what();
  }
  std::string text = node_json(one);
  text.replace(text.find("postgresql://"), 13, "mysql://");
  const ConfigError db = load_error(text);
  EXPECT_EQ(db.field, "database");
  EXPECT_EQ(db.what().find("secret"), std::string::npos) << "the password is never echoed: " << db.what();

  text = node_json(one);
  text.replace(text.find("127.0.0.1:8101"), 14, "0.0.0.0:7101");
  EXPECT_EQ(load_error(text).field, "api_listen");
}

TEST_F(NodeConfigFile, PeersMustBeEveryOtherNodeOfTheGenesis) {
  NetworkGenesis genesis;
  genesis.network_name = "demo";
  genesis.ledger.node_count = 4;
  EXPECT_EQ(check_against(load_ok(node_json()), genesis), std::nullopt);

  const auto missing = check_against(
      load_ok(node_json(R"([{"node_id": 0, "address": "a:1"}, {"node_id": 3, "address": "b:1"}])")), genesis);
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->field, "peers");
  EXPECT_NE(missing->message.find("missing node 2"), std::string::npos) << missing->what();

  const auto beyond = check_against(
      load_ok(node_json(
          R"([{"node_id": 0, "address": "a:1"}, {"node_id": 2, "address": "b:1"}, {"node_id": 7, "address": "c:1"}])")),
      genesis);
  ASSERT_TRUE(beyond.has_value());
  EXPECT_EQ(beyond->field, "peers[2].node_id");

  genesis.ledger.node_count = 5;
  const auto short_list = check_against(load_ok(node_json()), genesis);
  ASSERT_TRUE(short_list.has_value());
  EXPECT_NE(short_list->message.find("missing node 4"), std::string::npos);

  std::string text = node_json();
  text.replace(text.find("\"node_id\": 1"), 12, "\"node_id\": 4");
  genesis.ledger.node_count = 4;
  const auto self_beyond = check_against(load_ok(text), genesis);
  ASSERT_TRUE(self_beyond.has_value());
  EXPECT_EQ(self_beyond->field, "node_id");
  EXPECT_EQ(self_beyond->file, path_.string());
}

TEST(Address, ParsesNamesIpv4AndBracketedIpv6Only) {
  EXPECT_EQ(parse_address("127.0.0.1:7100"), (Address{"127.0.0.1", 7100}));
  EXPECT_EQ(parse_address("node-0.bank-a.example:443"), (Address{"node-0.bank-a.example", 443}));
  EXPECT_EQ(parse_address("[fe80::1]:65535"), (Address{"fe80::1", 65535}));
  for (const char* bad : {"", ":7100", "host:", "host:07100", "host:-1", "host:1x", "[::1]", "[]:1",
                          "[host]:1", "fe80::1:80", "-host:1", "ho st:1", "host:100000"}) {
    EXPECT_EQ(parse_address(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace quorumclear::config
