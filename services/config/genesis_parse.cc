#include "services/config/genesis_parse.h"

#include "services/config/dates.h"
#include "services/config/decimal.h"
#include "services/config/key_fields.h"

#include <algorithm>
#include <limits>

namespace quorumclear::config::detail {
namespace {

using settlement::Genesis;
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t kNameBytesMax = settlement::kMemberNameMax;
constexpr std::size_t kNetworkNameBytesMax = 64;

std::int64_t decimal_field(JsonObject& object, std::string_view key, int scale) {
  const Decimal d = parse_decimal(object.decimal_text(key, format_decimal(1050, scale)), scale);
  if (d.status != DecimalStatus::kOk) fail(object.field(key), describe(d.status, scale));
  return d.units;
}

settlement::BusinessDate date_text(const std::string& text, const std::string& field) {
  const auto date = parse_iso_date(text);
  if (!date) fail(field, "must be a date \"YYYY-MM-DD\"");
  return *date;
}

settlement::MemberId member_field(JsonObject& object, std::string_view key) {
  return settlement::MemberId::of(object.string(key, settlement::MemberId::kCapacity));
}

settlement::CurrencyCode currency_field(JsonObject& object, std::string_view key) {
  return settlement::CurrencyCode::of(object.string(key, settlement::CurrencyCode::kCapacity));
}

/// The minor units of `code`, which must be a genesis currency.
int minor_units_of(const Genesis& g, const settlement::CurrencyCode& code, const std::string& field) {
  for (const auto& c : g.currencies) {
    if (c.code == code) return c.minor_units;
  }
  fail(field, "unknown currency");
}

settlement::Role role_text(const std::string& text, const std::string& field) {
  using settlement::Role;
  for (const Role r : {Role::kClearingMember, Role::kTradingVenue, Role::kOperator, Role::kRegulator}) {
    if (text == settlement::to_string(r)) return r;
  }
  fail(field, "must be CLEARING_MEMBER, TRADING_VENUE, OPERATOR or REGULATOR");
}

bool is_printable(const std::string& text) {
  // UTF-8 beyond ASCII is fine in a display name; control characters are not.
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

void parse_nodes(JsonObject& root, NetworkGenesis& out) {
  JsonArray nodes = root.array("nodes", settlement::kNetworkSizeMax);
  if (nodes.size() != out.ledger.node_count) {
    fail("nodes", "must list node_count (" + std::to_string(out.ledger.node_count) + ") nodes, not " +
                      std::to_string(nodes.size()));
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    JsonObject node = nodes.object(i);
    NodePublic n;
    n.node_id = static_cast<std::uint16_t>(node.integer("node_id", 0, settlement::kNetworkSizeMax - 1));
    if (n.node_id != i)
      fail(node.field("node_id"), "must be " + std::to_string(i) + ": list nodes 0 .. n-1 in order");
    n.tls_pin = tls_pin_field(node, "tls_pin");
    n.signing_key = signing_key_field(node, "signing_key");
    n.coin_public_share =
        coin_point_text(node.string("coin_public_share", 64), node.field("coin_public_share"));
    node.finish();
    out.nodes.push_back(n);
  }
}

void parse_business(JsonObject& root, NetworkGenesis& out) {
  JsonObject b = root.object("business");
  Genesis& g = out.ledger;
  out.time_zone = b.string("time_zone", 64);  // existence is checked by load_genesis
  const auto cutoff = parse_time_of_day(b.string("cutoff_time", 5));
  if (!cutoff) fail(b.field("cutoff_time"), "must be a time \"HH:MM\", 00:00 .. 23:59");
  out.cutoff_minute_of_day = *cutoff;
  g.first_business_date = date_text(b.string("first_business_date", 10), b.field("first_business_date"));
  JsonArray holidays = b.optional_array("holidays", settlement::kHolidaysMax);
  for (std::size_t i = 0; i < holidays.size(); ++i) {
    g.holidays.push_back(date_text(holidays.string(i, 10), holidays.field(i)));
  }
  g.settlement_cycle_max_days =
      static_cast<int>(b.integer("settlement_cycle_max_days", 0, settlement::kSettlementCycleMax));
  g.late_trade_window_days =
      static_cast<int>(b.integer("late_trade_window_days", 0, settlement::kLateTradeWindowMax));
  g.allegation_expiry_days =
      static_cast<int>(b.integer("allegation_expiry_days", 0, settlement::kAllegationExpiryMax));
  g.max_open_reports_per_member =
      static_cast<std::uint32_t>(b.integer("max_open_reports_per_member", 1, settlement::kOpenReportsMax));
  g.submitter_must_be_proposer = b.boolean("submitter_must_be_proposer");
  b.finish();
}

void parse_currencies(JsonObject& root, Genesis& g) {
  root.array("currencies", settlement::kCurrenciesMax).each_object([&](JsonObject& c) {
    settlement::CurrencyDef def;
    def.code = currency_field(c, "code");
    def.minor_units = static_cast<int>(c.integer("minor_units", 0, 4));
    g.currencies.push_back(def);
  });
}

void parse_members(JsonObject& root, Genesis& g) {
  root.array("members", settlement::kMembersMax).each_object([&](JsonObject& m) {
    settlement::MemberDef def;
    def.id = member_field(m, "member_id");
    def.name = m.string("name", kNameBytesMax);
    if (!is_printable(def.name)) fail(m.field("name"), "must not contain control characters");
    def.role = role_text(m.string("role", 32), m.field("role"));
    if (const auto node = m.optional_integer("node_id", 0, settlement::kNetworkSizeMax - 1)) {
      def.node = static_cast<std::uint16_t>(*node);
    }
    g.members.push_back(std::move(def));
  });
}

void parse_instruments(JsonObject& root, Genesis& g) {
  root.array("instruments", settlement::kInstrumentsMax).each_object([&](JsonObject& ins) {
    settlement::InstrumentDef def;
    def.isin = settlement::Isin::of(ins.string("isin", settlement::Isin::kCapacity));
    def.currency = currency_field(ins, "currency");
    def.price_scale = static_cast<int>(ins.integer("price_scale", 0, 9));
    def.band_low = settlement::Price{decimal_field(ins, "band_low", def.price_scale)};
    def.band_high = settlement::Price{decimal_field(ins, "band_high", def.price_scale)};
    def.suspended = ins.boolean("suspended");
    g.instruments.push_back(def);
  });
}

settlement::Limits limits_of(JsonObject& l, int scale) {
  settlement::Limits limits;
  limits.max_gross_notional = settlement::AmountMinor{decimal_field(l, "max_gross_notional", scale)};
  limits.max_net_position = settlement::Quantity{l.integer("max_net_position", 1, kInt64Max)};
  limits.max_gross_quantity = settlement::Quantity{l.integer("max_gross_quantity", 1, kInt64Max)};
  return limits;
}

void parse_limits(JsonObject& root, Genesis& g) {
  const int scale = notional_scale(g);
  root.optional_array("limits", settlement::kMembersMax).each_object([&](JsonObject& l) {
    settlement::MemberLimitDef def;
    def.member = member_field(l, "member_id");
    def.limits = limits_of(l, scale);
    g.limits.push_back(def);
  });
  if (auto d = root.optional_object("default_limits")) {
    g.default_limits = limits_of(*d, scale);
    d->finish();
  }
}

/// cash and default_fund rows: member, currency, amount at the currency's scale.
template <typename Row>
void parse_cash_rows(JsonObject& root, std::string_view key, std::vector<Row>& out, const Genesis& g) {
  root.optional_array(key, settlement::kMembersMax * settlement::kCurrenciesMax)
      .each_object([&](JsonObject& row) {
        Row def;
        def.member = member_field(row, "member_id");
        def.currency = currency_field(row, "currency");
        const int scale = minor_units_of(g, def.currency, row.field("currency"));
        def.amount = settlement::AmountMinor{decimal_field(row, "amount", scale)};
        out.push_back(def);
      });
}

void parse_holdings(JsonObject& root, Genesis& g) {
  root.optional_array("securities", settlement::kInstrumentsMax).each_object([&](JsonObject& row) {
    settlement::SecuritiesHoldingDef def;
    def.member = member_field(row, "member_id");
    def.isin = settlement::Isin::of(row.string("isin", settlement::Isin::kCapacity));
    def.quantity = settlement::Quantity{row.integer("quantity", 0, kInt64Max)};
    g.securities.push_back(def);
  });
  parse_cash_rows(root, "cash", g.cash, g);
  parse_cash_rows(root, "default_fund", g.default_fund, g);
}

void parse_venue_members(JsonObject& root, Genesis& g) {
  root.optional_array("venue_members", settlement::kMembersMax * settlement::kMembersMax)
      .each_object([&](JsonObject& row) {
        settlement::VenueMemberDef def;
        def.venue = member_field(row, "venue");
        def.member = member_field(row, "member");
        g.venue_members.push_back(def);
      });
}

void parse_node_count(JsonObject& root, GenesisShape shape, NetworkGenesis& out) {
  constexpr std::int64_t kWide = std::numeric_limits<std::uint16_t>::max();  // the range check follows
  const std::optional<std::int64_t> n = shape == GenesisShape::kGenesis
                                            ? std::optional(root.integer("node_count", 0, kWide))
                                            : root.optional_integer("node_count", 0, kWide);
  if (!n) return;
  if (!quorum::is_supported_network_size(static_cast<std::size_t>(*n))) {
    fail("node_count",
         "must be " + std::to_string(quorum::kNetworkSizeMin) + ".." +
             std::to_string(quorum::kNetworkSizeMax) + ", not " + std::to_string(*n) +
             ": n nodes tolerate f = floor((n-1)/3) Byzantine ones, so below 4 none; above 31 the "
             "per-peer memory budget does not hold (quorum/README.md)");
  }
  out.ledger.node_count = static_cast<std::uint16_t>(*n);
}

}  // namespace

NetworkGenesis parse_genesis_document(std::string_view text, GenesisShape shape) {
  JsonObject root = parse_object(text);
  NetworkGenesis out;
  const std::int64_t format = root.integer("format", 0, std::numeric_limits<std::int32_t>::max());
  if (format != kGenesisFormat)
    fail("format", "must be " + std::to_string(kGenesisFormat) + " (this build's format)");
  out.network_name = root.string("network_name", kNetworkNameBytesMax);
  if (!settlement::is_valid_trade_id(out.network_name)) {
    fail("network_name", "must match ^[A-Za-z0-9._:-]{1,64}$");
  }
  parse_node_count(root, shape, out);
  out.checkpoint_interval_epochs = static_cast<std::uint32_t>(
      root.optional_integer("checkpoint_interval_epochs", 1, kCheckpointIntervalMax)
          .value_or(kCheckpointIntervalDefault));
  if (shape == GenesisShape::kGenesis) {
    parse_nodes(root, out);
  } else if (root.has("nodes")) {
    fail("nodes",
         "network.json lists no nodes: clearctl genesis takes them from the node-<id>.public.json files");
  }
  parse_business(root, out);
  parse_currencies(root, out.ledger);
  parse_members(root, out.ledger);
  parse_instruments(root, out.ledger);
  parse_limits(root, out.ledger);
  parse_holdings(root, out.ledger);
  parse_venue_members(root, out.ledger);
  root.finish();
  return out;
}

}  // namespace quorumclear::config::detail
