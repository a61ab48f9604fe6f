// genesis_json: the canonical bytes of a genesis, in the order of the
// format in issue13-plan.md. Canonical because the network id is their hash.

#include "services/config/dates.h"
#include "services/config/decimal.h"
#include "services/config/genesis.h"
#include "services/config/hex.h"
#include "services/config/json_writer.h"

namespace quorumclear::config {
namespace {

using detail::json_string;
using detail::JsonLine;

/// A top-level key whose value is a list, one entry per line.
void list(std::string& out, std::string_view key, const std::vector<std::string>& rows, bool last = false) {
  out += "  " + json_string(key) + ": [";
  for (std::size_t i = 0; i < rows.size(); ++i) out += (i == 0 ? "\n    " : ",\n    ") + rows[i];
  out += rows.empty() ? "]" : "\n  ]";
  out += last ? "\n" : ",\n";
}

int minor_units_of(const settlement::Genesis& g, const settlement::CurrencyCode& code) {
  for (const auto& c : g.currencies) {
    if (c.code == code) return c.minor_units;
  }
  return 0;  // unreachable for a parsed genesis: the parser refused the row
}

std::string limits_json(JsonLine line, const settlement::Limits& l, int scale) {
  return line.string("max_gross_notional", format_decimal(l.max_gross_notional.minor, scale))
      .integer("max_net_position", l.max_net_position.units)
      .integer("max_gross_quantity", l.max_gross_quantity.units)
      .str();
}

std::string business_json(const NetworkGenesis& genesis) {
  const settlement::Genesis& g = genesis.ledger;
  std::string holidays = "[";
  for (std::size_t i = 0; i < g.holidays.size(); ++i) {
    holidays += (i == 0 ? "" : ", ") + json_string(format_iso_date(g.holidays[i]));
  }
  holidays += "]";
  return JsonLine()
      .string("time_zone", genesis.time_zone)
      .string("cutoff_time", format_time_of_day(genesis.cutoff_minute_of_day))
      .string("first_business_date", format_iso_date(g.first_business_date))
      .raw("holidays", holidays)
      .integer("settlement_cycle_max_days", g.settlement_cycle_max_days)
      .integer("late_trade_window_days", g.late_trade_window_days)
      .integer("allegation_expiry_days", g.allegation_expiry_days)
      .integer("max_open_reports_per_member", g.max_open_reports_per_member)
      .boolean("submitter_must_be_proposer", g.submitter_must_be_proposer)
      .str();
}

template <typename Row>
std::vector<std::string> cash_rows(const std::vector<Row>& rows, const settlement::Genesis& g) {
  std::vector<std::string> out;
  for (const Row& r : rows) {
    out.push_back(JsonLine()
                      .string("member_id", r.member.view())
                      .string("currency", r.currency.view())
                      .string("amount", format_decimal(r.amount.minor, minor_units_of(g, r.currency)))
                      .str());
  }
  return out;
}

std::vector<std::string> node_rows(const std::vector<NodePublic>& nodes) {
  std::vector<std::string> rows;
  for (const NodePublic& n : nodes) {
    rows.push_back(JsonLine()
                       .integer("node_id", n.node_id)
                       .string("tls_pin", to_hex(n.tls_pin))
                       .string("signing_key", to_hex(n.signing_key))
                       .string("coin_public_share", to_hex(n.coin_public_share))
                       .str());
  }
  return rows;
}

std::vector<std::string> currency_rows(const settlement::Genesis& g) {
  std::vector<std::string> rows;
  for (const auto& c : g.currencies) {
    rows.push_back(JsonLine().string("code", c.code.view()).integer("minor_units", c.minor_units).str());
  }
  return rows;
}

std::vector<std::string> member_rows(const settlement::Genesis& g) {
  std::vector<std::string> rows;
  for (const auto& m : g.members) {
    JsonLine line;
    line.string("member_id", m.id.view())
        .string("name", m.name)
        .string("role", settlement::to_string(m.role));
    if (m.node) line.integer("node_id", *m.node);
    rows.push_back(line.str());
  }
  return rows;
}

std::vector<std::string> instrument_rows(const settlement::Genesis& g) {
  std::vector<std::string> rows;
  for (const auto& i : g.instruments) {
    rows.push_back(JsonLine()
                       .string("isin", i.isin.view())
                       .string("currency", i.currency.view())
                       .integer("price_scale", i.price_scale)
                       .string("band_low", format_decimal(i.band_low.units, i.price_scale))
                       .string("band_high", format_decimal(i.band_high.units, i.price_scale))
                       .boolean("suspended", i.suspended)
                       .str());
  }
  return rows;
}

std::vector<std::string> limit_rows(const settlement::Genesis& g) {
  std::vector<std::string> rows;
  for (const auto& l : g.limits) {
    rows.push_back(limits_json(JsonLine().string("member_id", l.member.view()), l.limits, notional_scale(g)));
  }
  return rows;
}

std::vector<std::string> securities_rows(const settlement::Genesis& g) {
  std::vector<std::string> rows;
  for (const auto& s : g.securities) {
    rows.push_back(JsonLine()
                       .string("member_id", s.member.view())
                       .string("isin", s.isin.view())
                       .integer("quantity", s.quantity.units)
                       .str());
  }
  return rows;
}

std::vector<std::string> venue_member_rows(const settlement::Genesis& g) {
  std::vector<std::string> rows;
  for (const auto& v : g.venue_members) {
    rows.push_back(JsonLine().string("venue", v.venue.view()).string("member", v.member.view()).str());
  }
  return rows;
}

}  // namespace

std::string genesis_json(const NetworkGenesis& genesis) {
  const settlement::Genesis& g = genesis.ledger;
  std::string out = "{\n";
  out += "  \"format\": " + std::to_string(kGenesisFormat) + ",\n";
  out += "  \"network_name\": " + json_string(genesis.network_name) + ",\n";
  out += "  \"node_count\": " + std::to_string(g.node_count) + ",\n";
  out += "  \"checkpoint_interval_epochs\": " + std::to_string(genesis.checkpoint_interval_epochs) + ",\n";
  list(out, "nodes", node_rows(genesis.nodes));
  out += "  \"business\": " + business_json(genesis) + ",\n";
  list(out, "currencies", currency_rows(g));
  list(out, "members", member_rows(g));
  list(out, "instruments", instrument_rows(g));
  list(out, "limits", limit_rows(g));
  if (g.default_limits) {
    out += "  \"default_limits\": " + limits_json(JsonLine(), *g.default_limits, notional_scale(g)) + ",\n";
  }
  list(out, "securities", securities_rows(g));
  list(out, "cash", cash_rows(g.cash, g));
  list(out, "default_fund", cash_rows(g.default_fund, g));
  list(out, "venue_members", venue_member_rows(g), true);
  return out + "}\n";
}

}  // namespace quorumclear::config
