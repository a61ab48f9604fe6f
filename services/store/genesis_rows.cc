// Genesis: the reference rows a node writes once, on its first start, and
// the check on every later start that the database is this network's.
#include "services/store/node_store_internal.h"
#include "services/store/sql_rows.h"

#include <set>
#include <tuple>

namespace quorumclear::store {
namespace {

using namespace quorumclear::settlement;
using sql::Rows;

// The CCP is an account of the ledger and a member row of the schema
// (0005), so balances and obligations can reference it.
constexpr std::string_view kCcpName = "The network as central counterparty";

void write_parties(pqxx::work& tx, const Genesis& g, BulkMethod bulk) {
  Rows<2> currencies{{"code", "minor_units"}, {}};
  for (const CurrencyDef& c : g.currencies) {
    currencies.rows.push_back({sql::text(c.code.view()), sql::integer(c.minor_units)});
  }
  sql::write_rows(tx, bulk, "currencies", currencies);
  Rows<4> members{{"member_id", "name", "role", "node_id"}, {}};
  for (const MemberDef& m : g.members) {
    members.rows.push_back({sql::text(m.id.view()), sql::text(m.name), sql::text(to_string(m.role)),
                            m.node ? sql::integer(*m.node) : sql::null_field()});
  }
  members.rows.push_back({sql::text(kCcpAccountId.view()), sql::text(kCcpName),
                          sql::text("CENTRAL_COUNTERPARTY"), sql::null_field()});
  sql::write_rows(tx, bulk, "members", members);
  Rows<2> venues{{"venue_id", "member_id"}, {}};
  for (const VenueMemberDef& v : g.venue_members) {
    venues.rows.push_back({sql::text(v.venue.view()), sql::text(v.member.view())});
  }
  sql::write_rows(tx, bulk, "venue_members", venues);
}

void write_instruments_and_limits(pqxx::work& tx, const Genesis& g, BulkMethod bulk) {
  Rows<6> instruments{{"isin", "currency", "price_scale", "price_band_low", "price_band_high", "suspended"}, {}};
  for (const InstrumentDef& i : g.instruments) {
    instruments.rows.push_back({sql::text(i.isin.view()), sql::text(i.currency.view()),
                                sql::integer(i.price_scale), sql::integer(i.band_low.units),
                                sql::integer(i.band_high.units), sql::boolean(i.suspended)});
  }
  sql::write_rows(tx, bulk, "instruments", instruments);
  Rows<4> limits{{"member_id", "max_gross_notional_minor", "max_net_position", "max_gross_quantity"}, {}};
  for (const MemberLimitDef& l : g.limits) {
    limits.rows.push_back({sql::text(l.member.view()), sql::integer(l.limits.max_gross_notional.minor),
                           sql::integer(l.limits.max_net_position.units),
                           sql::integer(l.limits.max_gross_quantity.units)});
  }
  sql::write_rows(tx, bulk, "member_limits", limits);
  Rows<3> fund{{"member_id", "currency", "amount_minor"}, {}};
  for (const DefaultFundContributionDef& f : g.default_fund) {
    fund.rows.push_back({sql::text(f.member.view()), sql::text(f.currency.view()), sql::integer(f.amount.minor)});
  }
  sql::write_rows(tx, bulk, "default_fund_contributions", fund);
}

void write_network(pqxx::work& tx, const ReferenceData& ref, const Digest& network_id,
                   const Digest& genesis, BulkMethod bulk) {
  const std::optional<Limits>& d = ref.genesis().default_limits;
  const auto limit = [&](std::int64_t v) { return d ? sql::integer(v) : sql::null_field(); };
  Rows<9> network{{"network_id", "node_count", "genesis_digest", "late_trade_window_days",
                   "allegation_expiry_days", "max_open_reports_per_member",
                   "default_max_gross_notional_minor", "default_max_net_position",
                   "default_max_gross_quantity"},
                  {}};
  network.rows.push_back(
      {sql::bytea(network_id), sql::integer(static_cast<std::int64_t>(ref.node_count())),
       sql::bytea(genesis), sql::integer(ref.late_trade_window_days()),
       sql::integer(ref.allegation_expiry_days()), sql::integer(ref.max_open_reports_per_member()),
       limit(d ? d->max_gross_notional.minor : 0), limit(d ? d->max_net_position.units : 0),
       limit(d ? d->max_gross_quantity.units : 0)});
  sql::write_rows(tx, bulk, "network", network);
}

// Opening balances as the ledger holds them at genesis (holdings, and the
// CCP's capital plus the default fund), for every (account, asset) genesis
// names: the rows the epochs' balance changes then update.
void write_balances(pqxx::work& tx, const Ledger& ledger, BulkMethod bulk) {
  const ReferenceData& ref = ledger.reference();
  const Genesis& g = ref.genesis();
  std::set<std::pair<std::uint16_t, std::uint32_t>> securities, cash;
  for (const SecuritiesHoldingDef& s : g.securities) {
    securities.emplace(ref.find_account(s.member)->value, ref.find_instrument(s.isin)->value);
  }
  for (const CashHoldingDef& c : g.cash) {
    cash.emplace(ref.find_account(c.member)->value, ref.find_currency(c.currency)->value);
  }
  for (const DefaultFundContributionDef& f : g.default_fund) {
    cash.emplace(ref.ccp_account().value, ref.find_currency(f.currency)->value);
  }
  Rows<3> sec_rows{{"member_id", "isin", "quantity"}, {}};
  for (const auto& [account, instrument] : securities) {
    sec_rows.rows.push_back({sql::text(account_id(ref, AccountIndex{account})),
                             sql::text(ref.instrument(InstrumentIndex{instrument}).isin.view()),
                             sql::integer(ledger.balance(AccountIndex{account}, AssetKind::kSecurities, instrument))});
  }
  sql::write_rows(tx, bulk, "securities_balances", sec_rows);
  Rows<3> cash_rows{{"member_id", "currency", "amount_minor"}, {}};
  for (const auto& [account, currency] : cash) {
    const CurrencyIndex c{static_cast<std::uint8_t>(currency)};
    cash_rows.rows.push_back({sql::text(account_id(ref, AccountIndex{account})),
                              sql::text(ref.currency(c).code.view()),
                              sql::integer(ledger.balance(AccountIndex{account}, AssetKind::kCash, currency))});
  }
  sql::write_rows(tx, bulk, "cash_balances", cash_rows);
}

std::string hex(const Digest& d) { return to_hex(d); }

}  // namespace

Digest genesis_digest(const ReferenceData& reference) { return Ledger(reference).state_digest(); }

void write_genesis(pqxx::work& tx, const ReferenceData& reference, const Digest& network_id,
                   std::uint16_t self, BulkMethod bulk) {
  const Genesis& g = reference.genesis();
  const Ledger genesis(reference);  // what the node's ledger holds before epoch 0
  write_parties(tx, g, bulk);
  write_instruments_and_limits(tx, g, bulk);
  write_network(tx, reference, network_id, genesis.state_digest(), bulk);
  write_balances(tx, genesis, bulk);
  const Digest zero{};
  Rows<6> state{{"network_id", "node_id", "last_applied_epoch", "state_digest", "audit_head",
                 "open_business_date"},
                {}};
  state.rows.push_back({sql::bytea(network_id), sql::integer(self), sql::integer(-1),
                        sql::bytea(genesis.state_digest()), sql::bytea(zero),
                        sql::date(reference.first_business_date())});
  sql::write_rows(tx, bulk, "node_state", state);
}

void check_genesis(pqxx::work& tx, const ReferenceData& reference, const Digest& network_id,
                   std::uint16_t self) {
  const pqxx::row stored = tx.exec1(
      "SELECT s.network_id, s.node_id, n.genesis_digest FROM node_state s CROSS JOIN network n");
  const Digest stored_network = sql::digest_of(stored[0]);
  if (stored_network != network_id) {
    throw NetworkMismatch("store: the database belongs to network " + hex(stored_network) +
                          ", but this node's genesis gives network " + hex(network_id));
  }
  const int stored_node = stored[1].as<int>();
  if (stored_node != self) {
    throw NetworkMismatch("store: the database was written by node " + std::to_string(stored_node) +
                          ", but this is node " + std::to_string(self));
  }
  const Digest stored_genesis = sql::digest_of(stored[2]);
  const Digest computed = genesis_digest(reference);
  if (stored_genesis != computed) {
    throw NetworkMismatch("store: the stored genesis digest " + hex(stored_genesis) +
                          " differs from this genesis's " + hex(computed) +
                          ": the reference data is not the one the database was written with");
  }
}

void NodeStore::init_network(const ReferenceData& reference, const Digest& network_id, std::uint16_t self) {
  guarded("init_network", [&](Session& s) {
    pqxx::work tx(s.db);
    if (tx.exec1("SELECT count(*) FROM node_state")[0].as<int>() == 0) {
      write_genesis(tx, reference, network_id, self, options_.bulk);
    } else {
      check_genesis(tx, reference, network_id, self);
    }
    tx.commit();
    return 0;
  });
}

}  // namespace quorumclear::store
