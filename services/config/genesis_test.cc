// Proves that a complete genesis (members of all four roles, venue members,
// instruments, limits, holdings, default fund) loads with every field, that
// its bytes are canonical, and that each kind of error names the file, the
// JSON path of the field and what is wrong.

#include "services/config/genesis.h"
#include "services/config/hex.h"
#include "services/config/test_network.h"

#include <gtest/gtest.h>

namespace quorumclear::config {
namespace {

using testing::make_sample_network;
using testing::read_text;
using testing::TempDir;
using testing::write_text;

/// A valid genesis.json for n nodes in a temporary directory.
class GenesisFile : public ::testing::Test {
 protected:
  void SetUp() override { path_ = build(4, 1); }

  std::filesystem::path build(std::size_t n, std::uint64_t seed, std::string name = "genesis.json") {
    const auto sample = make_sample_network(dir_.path() / ("sources-of-" + name), n, seed);
    GenesisInputs inputs{sample.network, sample.node_files, sample.coin_shares, dir_.path() / name};
    const auto built = build_genesis(inputs);
    if (const auto* error = std::get_if<ConfigError>(&built)) ADD_FAILURE() << error->what();
    return inputs.out;
  }

  NetworkGenesis load_ok(const std::filesystem::path& path) {
    auto loaded = load_genesis(path);
    if (const auto* error = std::get_if<ConfigError>(&loaded)) {
      ADD_FAILURE() << error->what();
      return {};
    }
    return std::get<NetworkGenesis>(std::move(loaded));
  }

  TempDir dir_;
  std::filesystem::path path_;
};

TEST_F(GenesisFile, CompleteGenesisLoadsEveryField) {
  const NetworkGenesis g = load_ok(path_);
  const std::string bytes = read_text(path_);
  EXPECT_EQ(g.network_id,
            quorum::sha256(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())));
  EXPECT_EQ(g.network_name, "demo");
  EXPECT_EQ(g.time_zone, "Europe/Berlin");
  EXPECT_EQ(g.cutoff_minute_of_day, 17 * 60 + 30);
  EXPECT_EQ(g.checkpoint_interval_epochs, kCheckpointIntervalDefault);
  ASSERT_EQ(g.nodes.size(), 4u);
  EXPECT_EQ(g.membership().f(), 1u);
  for (std::uint16_t i = 0; i < 4; ++i) EXPECT_EQ(g.nodes[i].node_id, i);
  EXPECT_TRUE(quorum::public_shares_consistent(g.membership(), g.coin_public_shares()));

  const settlement::Genesis& l = g.ledger;
  EXPECT_EQ(l.node_count, 4);
  ASSERT_EQ(l.currencies.size(), 3u);
  EXPECT_EQ(l.currencies[2].minor_units, 0);
  ASSERT_EQ(l.members.size(), 6u);
  EXPECT_EQ(l.members[1].name, "Bank \"B\" AG");
  EXPECT_EQ(l.members[2].name, "Bänk C");
  EXPECT_EQ(l.members[3].role, settlement::Role::kTradingVenue);
  EXPECT_EQ(l.members[4].role, settlement::Role::kOperator);
  EXPECT_EQ(l.members[5].role, settlement::Role::kRegulator);
  EXPECT_EQ(l.members[3].node, std::optional<std::uint16_t>(3));
  EXPECT_FALSE(l.members[5].node.has_value());
  ASSERT_EQ(l.instruments.size(), 3u);
  EXPECT_EQ(l.instruments[0].band_low.units, 1);          // "0.01" at scale 2
  EXPECT_EQ(l.instruments[1].band_high.units, 50000000);  // "5000" at scale 4
  EXPECT_EQ(l.instruments[2].band_low.units, 1500);       // "1.5" at scale 3
  EXPECT_TRUE(l.instruments[2].suspended);
  ASSERT_EQ(l.limits.size(), 2u);
  EXPECT_EQ(l.limits[0].limits.max_gross_notional.minor, 5'000'000'000);
  EXPECT_EQ(l.limits[1].limits.max_gross_notional.minor, 2'500'000'000);
  ASSERT_TRUE(l.default_limits.has_value());
  EXPECT_EQ(l.default_limits->max_gross_notional.minor, 100'000'050);
  EXPECT_EQ(l.default_limits->max_gross_quantity.units, 50000);
  ASSERT_EQ(l.securities.size(), 3u);
  EXPECT_EQ(l.securities[2].member, settlement::kCcpAccountId);
  ASSERT_EQ(l.cash.size(), 3u);
  EXPECT_EQ(l.cash[0].amount.minor, 100'000'000);
  EXPECT_EQ(l.cash[1].amount.minor, 150'000'000);  // JPY has no minor units
  EXPECT_EQ(l.cash[2].amount.minor, 7);
  ASSERT_EQ(l.default_fund.size(), 2u);
  EXPECT_EQ(l.default_fund[1].amount.minor, 5'000'000);
  ASSERT_EQ(l.venue_members.size(), 2u);
  EXPECT_EQ(l.holidays.size(), 2u);
  EXPECT_EQ(l.settlement_cycle_max_days, 2);
  EXPECT_TRUE(l.submitter_must_be_proposer);
  EXPECT_TRUE(std::holds_alternative<settlement::ReferenceData>(settlement::ReferenceData::load(l)));
}

TEST_F(GenesisFile, BytesAreCanonicalAndTheSameInputsGiveTheSameFile) {
  const NetworkGenesis g = load_ok(path_);
  EXPECT_EQ(genesis_json(g), read_text(path_));
  const auto again = build(4, 1, "again.json");
  EXPECT_EQ(read_text(again), read_text(path_));
  EXPECT_EQ(load_ok(again).network_id, g.network_id);
  const auto other = build(4, 2, "other.json");
  EXPECT_NE(load_ok(other).network_id, g.network_id) << "other keys, other network";
}

TEST_F(GenesisFile, EverySupportedSizeLoads) {
  for (const std::size_t n : {5u, 7u, 13u, 31u}) {
    const NetworkGenesis g = load_ok(build(n, 3, "n" + std::to_string(n) + ".json"));
    EXPECT_EQ(g.nodes.size(), n);
  }
}

struct Mutation {
  std::string name;
  std::string from;  // replaced once in the valid file ("" appends `to`)
  std::string to;
  std::string field;
  std::string message;  // a part of the message
};

TEST_F(GenesisFile, EachKindOfErrorNamesFileAndField) {
  const std::string valid = read_text(path_);
  const NetworkGenesis g = load_ok(path_);
  const std::string pin0 = to_hex(g.nodes[0].tls_pin);
  const std::string pin1 = to_hex(g.nodes[1].tls_pin);
  const std::string key0 = to_hex(g.nodes[0].signing_key);
  const std::string key1 = to_hex(g.nodes[1].signing_key);
  const std::string share2 = to_hex(g.nodes[2].coin_public_share);
  const std::string share3 = to_hex(g.nodes[3].coin_public_share);
  const std::vector<Mutation> cases = {
      {"unknown key", "\"format\": 1,", "\"format\": 1, \"colour\": \"blue\",", "colour", "unknown key"},
      {"unknown nested key", "\"suspended\": true}", "\"suspended\": true, \"coupon\": \"1.5\"}",
       "instruments[2].coupon", "unknown key"},
      {"duplicate key", "\"format\": 1,", "\"format\": 1, \"format\": 1,", "", "duplicate key \"format\""},
      {"float amount", "\"amount\": \"1000000.00\"", "\"amount\": 1000000.00", "cash[0].amount",
       "not a JSON number"},
      {"integer amount", "\"amount\": \"1000000.00\"", "\"amount\": 1000000", "cash[0].amount",
       "must be a decimal string"},
      {"float quantity", "\"quantity\": 100000", "\"quantity\": 100000.5", "securities[0].quantity",
       "must be an integer"},
      {"exponent quantity", "\"quantity\": 100000", "\"quantity\": 1e5", "securities[0].quantity",
       "must be an integer"},
      {"too many decimals", "\"amount\": \"0.07\"", "\"amount\": \"0.075\"", "cash[2].amount",
       "more than 2 fractional digits"},
      {"signed decimal", "\"band_low\": \"0.01\"", "\"band_low\": \"-0.01\"", "instruments[0].band_low",
       "decimal string"},
      {"bad ISIN", "DE0007164600", "DE0007164601", "instruments[2].isin", "not a valid ISIN"},
      {"long ISIN", "DE0007164600", "DE00071646000", "instruments[2].isin", "longer than 12"},
      {"n = 3", "\"node_count\": 4", "\"node_count\": 3", "node_count", "must be 4..31, not 3"},
      {"n = 32", "\"node_count\": 4", "\"node_count\": 32", "node_count", "must be 4..31, not 32"},
      {"checkpoint interval 0", "\"checkpoint_interval_epochs\": 256", "\"checkpoint_interval_epochs\": 0",
       "checkpoint_interval_epochs", "must be 1..1000000, not 0"},
      {"checkpoint interval too long", "\"checkpoint_interval_epochs\": 256",
       "\"checkpoint_interval_epochs\": 1000001", "checkpoint_interval_epochs", "must be 1..1000000, not 1000001"},
      {"checkpoint interval as text", "\"checkpoint_interval_epochs\": 256", "\"checkpoint_interval_epochs\": \"16\"",
       "checkpoint_interval_epochs", "must be an integer"},
      {"too few nodes", "\"node_count\": 4", "\"node_count\": 5", "nodes", "must list node_count (5)"},
      {"duplicate pin", pin1, pin0, "nodes[1].tls_pin", "repeats"},
      {"duplicate signing key", key1, key0, "nodes[1].signing_key", "repeats"},
      {"signing key not a point", key0, "01" + std::string(62, '0'), "nodes[0].signing_key",
       "not a valid Ed25519"},
      {"upper-case hex", pin0, std::string(64, 'A'), "nodes[0].tls_pin", "64 lower-case hex"},
      {"inconsistent coin share", share2, share3, "nodes", "do not lie on one polynomial"},
      {"coin share not a point", share2, std::string(64, 'f'), "nodes[2].coin_public_share",
       "not a valid ristretto255"},
      {"nodes out of order", "{\"node_id\": 0,", "{\"node_id\": 1,", "nodes[0].node_id", "must be 0"},
      {"bad time zone", "Europe/Berlin", "Europe/Atlantis", "business.time_zone", "no such time zone"},
      {"time zone outside the database", "Europe/Berlin", "../../etc/passwd", "business.time_zone",
       "not an IANA time zone name"},
      {"bad cut-off", "\"17:30\"", "\"24:00\"", "business.cutoff_time", "HH:MM"},
      {"bad date", "2026-12-01", "2026-02-30", "business.first_business_date", "YYYY-MM-DD"},
      {"weekend start", "2026-12-01", "2026-12-05", "business.first_business_date", "not a business day"},
      {"unsorted holidays", "[\"2026-12-24\", \"2026-12-25\"]", "[\"2026-12-25\", \"2026-12-24\"]",
       "business.holidays[1]", "sorted"},
      {"member node beyond n", "\"role\": \"TRADING_VENUE\", \"node_id\": 3",
       "\"role\": \"TRADING_VENUE\", \"node_id\": 30", "members[3].node_id", "below node_count"},
      {"bad member id", "\"member_id\": \"OPS\"", "\"member_id\": \"ops\"", "members[4].member_id",
       "A-Z0-9_"},
      {"unknown role", "\"role\": \"REGULATOR\"", "\"role\": \"AUDITOR\"", "members[5].role", "must be"},
      {"unknown currency", "\"currency\": \"USD\", \"price_scale\": 4",
       "\"currency\": \"GBP\", \"price_scale\": 4", "instruments[1].currency", "unknown currency"},
      {"zero limit", "\"max_gross_notional\": \"50000000.00\"", "\"max_gross_notional\": \"0\"",
       "limits[0].max_gross_notional", "must be positive"},
      {"zero default fund", "\"amount\": \"100000.00\"", "\"amount\": \"0\"", "default_fund[0].amount",
       "not positive"},
      {"wrong type", "\"suspended\": true", "\"suspended\": \"yes\"", "instruments[2].suspended",
       "must be true or false, not a string"},
      {"null", "\"name\": \"Bank A\"", "\"name\": null", "members[0].name", "not null"},
      {"format 2", "\"format\": 1", "\"format\": 2", "format", "must be 1"},
      {"trailing garbage", "", "x", "", "not valid JSON"},
      {"a second document", "", "{}", "", "not valid JSON"},
  };
  for (const Mutation& m : cases) {
    std::string text = valid;
    if (m.from.empty()) {
      text += m.to;
    } else {
      const std::size_t at = text.find(m.from);
      ASSERT_NE(at, std::string::npos) << m.name << ": the valid file has no " << m.from;
      text.replace(at, m.from.size(), m.to);
    }
    const auto path = dir_.path() / "mutated.json";
    write_text(path, text);
    const auto loaded = load_genesis(path);
    ASSERT_TRUE(std::holds_alternative<ConfigError>(loaded)) << m.name << " was accepted";
    const ConfigError& e = std::get<ConfigError>(loaded);
    EXPECT_EQ(e.file, path.string()) << m.name;
    EXPECT_EQ(e.field, m.field) << m.name << ": " << e.what();
    EXPECT_NE(e.message.find(m.message), std::string::npos) << m.name << ": " << e.what();
  }
}

TEST_F(GenesisFile, FileLevelErrorsNameTheFile) {
  const auto missing = load_genesis(dir_.path() / "absent.json");
  ASSERT_TRUE(std::holds_alternative<ConfigError>(missing));
  EXPECT_NE(std::get<ConfigError>(missing).what().find("absent.json: cannot open"), std::string::npos);

  const auto big = dir_.path() / "big.json";
  write_text(big, std::string(kGenesisBytesMax + 1, ' '));
  const auto too_big = load_genesis(big);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(too_big));
  EXPECT_NE(std::get<ConfigError>(too_big).message.find("larger than"), std::string::npos);

  const auto array = dir_.path() / "array.json";
  write_text(array, "[]");
  const auto not_object = load_genesis(array);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(not_object));
  EXPECT_EQ(std::get<ConfigError>(not_object).message, "must be a JSON object, not an array");

  const auto directory = load_genesis(dir_.path());
  ASSERT_TRUE(std::holds_alternative<ConfigError>(directory));
  EXPECT_EQ(std::get<ConfigError>(directory).message, "not a regular file");
}

TEST_F(GenesisFile, NetworkFileListsNoNodes) {
  const auto path = dir_.path() / "network-with-nodes.json";
  write_text(path, read_text(path_));
  const auto loaded = load_network(path);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(loaded));
  EXPECT_EQ(std::get<ConfigError>(loaded).field, "nodes");
}

}  // namespace
}  // namespace quorumclear::config
