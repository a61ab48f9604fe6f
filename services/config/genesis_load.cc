// load_genesis: the document's fields (genesis_parse.cc), then the rules
// across fields: node keys, the coin's polynomial, the time zone, and the
// ledger's own reference-data validation.

#include "services/config/files.h"
#include "services/config/genesis.h"
#include "services/config/genesis_parse.h"
#include "services/config/key_fields.h"
#include "services/config/time_zone.h"

#include <algorithm>
#include <set>

namespace quorumclear::config {
namespace {

using detail::fail;

void check_nodes(const NetworkGenesis& g) {
  std::set<TlsPin> pins;
  std::set<quorum::SigningPublicKey> signing_keys;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const std::string at = "nodes[" + std::to_string(i) + "].";
    // One TLS key for two node ids would let one host speak for both.
    if (!pins.insert(g.nodes[i].tls_pin).second) fail(at + "tls_pin", "repeats an earlier node's pin");
    if (!signing_keys.insert(g.nodes[i].signing_key).second) {
      fail(at + "signing_key", "repeats an earlier node's signing key");
    }
  }
  if (!quorum::public_shares_consistent(g.membership(), g.coin_public_shares())) {
    fail("nodes", "the coin_public_share values do not lie on one polynomial of degree f = " +
                      std::to_string(g.membership().f()) +
                      ": the coin would not be common; take them unchanged from one dealing (clearctl deal)");
  }
}

/// ReferenceData names fields after its structs ("members[2].id",
/// "cash[0].amount_minor", "holidays[1].date"); the operator edits JSON, so
/// errors name the JSON path instead.
std::string json_path_of(const std::string& field) {
  static constexpr std::string_view kBusiness[] = {"settlement_cycle_max_days", "late_trade_window_days",
                                                   "first_business_date", "allegation_expiry_days",
                                                   "max_open_reports_per_member"};
  if (std::find(std::begin(kBusiness), std::end(kBusiness), field) != std::end(kBusiness)) {
    return "business." + field;
  }
  if (field == "holidays") return "business.holidays";
  if (field.starts_with("holidays[")) return "business." + field.substr(0, field.find(']') + 1);
  const std::size_t dot = field.rfind('.');
  if (dot == std::string::npos) return field;
  const std::string owner = field.substr(0, dot + 1);
  const std::string leaf = field.substr(dot + 1);
  static const std::pair<std::string_view, std::string_view> kLeaves[] = {
      {"id", "member_id"},
      {"node", "node_id"},
      {"price_band_low", "band_low"},
      {"price_band_high", "band_high"},
      {"amount_minor", "amount"},
      {"max_gross_notional_minor", "max_gross_notional"}};
  for (const auto& [from, to] : kLeaves) {
    if (leaf == from) return owner + std::string(to);
  }
  return field;
}

NetworkGenesis validated(std::string_view bytes) {
  NetworkGenesis g = detail::parse_genesis_document(bytes, detail::GenesisShape::kGenesis);
  check_nodes(g);
  if (const auto problem = time_zone_problem(g.time_zone)) fail("business.time_zone", *problem);
  auto reference = settlement::ReferenceData::load(g.ledger);
  if (const auto* error = std::get_if<settlement::LoadError>(&reference)) {
    fail(json_path_of(error->field), error->message);
  }
  g.network_id = quorum::sha256(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  return g;
}

}  // namespace

quorum::Membership NetworkGenesis::membership() const { return quorum::Membership(ledger.node_count); }

std::vector<quorum::PointBytes> NetworkGenesis::coin_public_shares() const {
  std::vector<quorum::PointBytes> out;
  out.reserve(nodes.size());
  for (const NodePublic& n : nodes) out.push_back(n.coin_public_share);
  return out;
}

std::vector<quorum::SigningPublicKey> NetworkGenesis::signing_keys() const {
  std::vector<quorum::SigningPublicKey> out;
  out.reserve(nodes.size());
  for (const NodePublic& n : nodes) out.push_back(n.signing_key);
  return out;
}

int notional_scale(const settlement::Genesis& ledger) {
  int scale = 0;
  for (const auto& c : ledger.currencies) scale = std::max(scale, c.minor_units);
  return scale;
}

std::variant<NetworkGenesis, ConfigError> parse_genesis(std::string_view bytes, std::string file) {
  detail::ensure_sodium();
  try {
    return validated(bytes);
  } catch (const detail::FieldError& e) {
    return ConfigError{std::move(file), e.field, e.message};
  }
}

std::variant<NetworkGenesis, ConfigError> load_genesis(const std::filesystem::path& path) {
  auto bytes = read_file(path, kGenesisBytesMax, Secrecy::kPublic);
  if (auto* error = std::get_if<ConfigError>(&bytes)) return std::move(*error);
  // The bytes hashed are the bytes parsed: no second read, no race.
  return parse_genesis(std::get<std::string>(bytes), path.string());
}

std::variant<NetworkGenesis, ConfigError> load_network(const std::filesystem::path& path) {
  detail::ensure_sodium();
  auto bytes = read_file(path, kGenesisBytesMax, Secrecy::kPublic);
  if (auto* error = std::get_if<ConfigError>(&bytes)) return std::move(*error);
  try {
    return detail::parse_genesis_document(std::get<std::string>(bytes), detail::GenesisShape::kNetwork);
  } catch (const detail::FieldError& e) {
    return ConfigError{path.string(), e.field, e.message};
  }
}

}  // namespace quorumclear::config
