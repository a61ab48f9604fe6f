// Proves that the schema holds what the clearing domain produces: a ledger
// runs two settlement days with a cashless defaulter and an exhausted fund
// (partial deliveries, fails to deliver and to receive, marks withheld and
// set off, flat positions with only a mark, a member with zero net cash and
// marks, open fails settled the next day), and every genesis, position and
// settlement row it reports is written to PostgreSQL as the node will write
// it. Any row a constraint refused would fail the test.
#include "services/store/migrations.h"
#include "settlement/ledger.h"
#include "settlement/test_support.h"
#include "tests/integration/pg_test_database.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace quorumclear::store {
namespace {

using namespace quorumclear::settlement;
using settlement::testing::counter_report;
using quorumclear::testing::PgTestDatabase;

constexpr std::size_t kRandomMembers = 6;  // M0 defaults: it holds nothing
constexpr std::size_t kMembers = 10;       // M6/M7: zero net cash; M8/M9: flat
constexpr std::size_t kInstruments = 4;
const BusinessDate kWednesday = settlement::testing::kWednesday;
const BusinessDate kThursday = settlement::testing::kThursday;

std::string member(std::size_t i) { return "M" + std::to_string(i); }

Genesis genesis() {
  Genesis g = settlement::testing::nodeless_members_genesis(kMembers, member);
  g.late_trade_window_days = 2;
  g.limits.push_back({MemberId::of(member(1)), {AmountMinor{500'000'000}, Quantity{5'000}, Quantity{50'000}}});
  for (std::size_t i = 0; i < kInstruments; ++i) {
    g.instruments.push_back({settlement::testing::synthetic_isin(i), CurrencyCode::of("EUR"), 2,
                             Price{100}, Price{100'000}, false});
  }
  for (std::size_t m = 1; m < kMembers; ++m) {
    // M1 holds little, so it delivers in part.
    const std::int64_t units = m == 1 ? 20 : 100'000;
    for (std::size_t i = 0; i < kInstruments; ++i) {
      g.securities.push_back({MemberId::of(member(m)), settlement::testing::synthetic_isin(i), Quantity{units}});
    }
    g.cash.push_back({MemberId::of(member(m)), CurrencyCode::of("EUR"), AmountMinor{1'000'000'000}});
  }
  for (std::size_t m = 0; m < kMembers; ++m) {  // a token fund: any default exhausts it
    g.default_fund.push_back({MemberId::of(member(m)), CurrencyCode::of("EUR"), AmountMinor{1}});
  }
  g.first_business_date = kWednesday;
  // Two-sided matching: a venue for M2 and M3, and room for 3 live reports each.
  g.members.push_back({MemberId::of("XCHG"), "Exchange", Role::kTradingVenue, std::nullopt});
  g.venue_members = {{MemberId::of("XCHG"), MemberId::of(member(2))},
                     {MemberId::of("XCHG"), MemberId::of(member(3))}};
  g.allegation_expiry_days = 1;
  g.max_open_reports_per_member = 3;
  return g;
}

Trade trade(int& id, std::size_t buyer, std::size_t seller, std::size_t instrument,
            std::int64_t quantity, std::int64_t price) {
  Trade t = settlement::testing::acme_trade("t" + std::to_string(id++), member(buyer), member(seller),
                                            quantity, price, kWednesday);
  t.isin = settlement::testing::synthetic_isin(instrument);
  return t;
}

// Both sides report every trade, so each is matched and booked once.
std::vector<Entry> wednesday_trades() {
  std::mt19937_64 rng(11);
  std::vector<Trade> entries;
  int id = 0;
  for (int k = 0; k < 200; ++k) {
    const std::size_t buyer = rng() % kRandomMembers;
    const std::size_t seller = (buyer + 1 + rng() % (kRandomMembers - 1)) % kRandomMembers;
    entries.push_back(trade(id, buyer, seller, rng() % kInstruments,
                            static_cast<std::int64_t>(1 + rng() % 100),
                            static_cast<std::int64_t>(900 + rng() % 201)));
  }
  // M6 sells 10 of instrument 1 and buys 10 of instrument 2, both at 10.00:
  // zero net cash, but marks at the settlement prices.
  entries.push_back(trade(id, 7, 6, 1, 10, 1000));
  entries.push_back(trade(id, 6, 7, 2, 10, 1000));
  // M8 buys 5 of instrument 3 from M9 at 9.00 and sells them back at 11.00:
  // both flat, each with only a mark.
  entries.push_back(trade(id, 8, 9, 3, 5, 900));
  entries.push_back(trade(id, 9, 8, 3, 5, 1100));
  return settlement::testing::both_sides(entries);
}

// Every kind of report outcome and status change matching has: an
// allegation left open (expired Thursday), a mismatch left open, a
// mismatch corrected, a cancel, a venue trade affirmed and disputed, a
// venue trade for a member it may not trade for, a report refused by
// validation, an unknown cancel and one report over the open-report cap.
std::vector<Entry> matching_traffic() {
  int id = 1000;
  std::vector<Entry> e;
  const auto with = [](Trade t, auto&& change) { change(t); return t; };
  e.push_back(trade(id, 2, 3, 0, 5, 1000));  // alleged, never answered
  const Trade m1 = trade(id, 4, 5, 1, 10, 1000);
  e.push_back(m1);
  e.push_back(with(counter_report(m1), [](Trade& t) { t.quantity = Quantity{11}; }));
  const Trade c1 = trade(id, 4, 5, 1, 10, 1000);
  e.push_back(c1);
  e.push_back(with(counter_report(c1), [](Trade& t) { t.price = Price{1001}; }));
  e.push_back(counter_report(c1));  // the correction: version 2 matches
  const Trade x1 = trade(id, 2, 3, 0, 1, 1000);
  e.push_back(x1);
  e.push_back(TradeCancel{x1.trade_id, x1.submitter});
  const Trade v1 = with(trade(id, 2, 3, 2, 7, 1000), [](Trade& t) { t.submitter = MemberId::of("XCHG"); });
  e.push_back(v1);
  e.push_back(with(v1, [](Trade& t) { t.submitter = t.seller; }));  // affirmed
  e.push_back(with(v1, [](Trade& t) { t.submitter = t.buyer; t.quantity = Quantity{8}; }));  // disputed
  e.push_back(with(trade(id, 0, 3, 2, 7, 1000), [](Trade& t) { t.submitter = MemberId::of("XCHG"); }));
  e.push_back(with(trade(id, 1, 2, 0, 1, 1000), [](Trade& t) { t.quantity = Quantity{0}; }));
  e.push_back(TradeCancel{TradeId::of("never-sent"), MemberId::of(member(1))});
  for (int k = 0; k < 4; ++k) e.push_back(trade(id, 0, 1, 3, 1, 1000));  // the 4th is over the cap
  return e;
}

std::string q(pqxx::work& tx, std::string_view text) { return tx.quote(std::string(text)); }

std::string hex(const Digest& d) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "decode('";
  for (std::uint8_t b : d) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out + "', 'hex')";
}

std::string sql_date(BusinessDate d) { return "DATE '1970-01-01' + " + std::to_string(d.days); }

std::string reason_or_null(pqxx::work& tx, Reason reason) {
  return reason == Reason::kNone ? "NULL" : q(tx, to_string(reason));
}
std::string text_or_null(pqxx::work& tx, std::string_view text) {
  return text.empty() ? "NULL" : q(tx, text);
}

// The report rows of one epoch as the node writes them: each new version a
// row, each status change an update of its row, each refusal without a key
// a trade_rejections row, each cut-off's unmatched list.
void write_reports(pqxx::work& tx, const EpochResult& r, const ReferenceData& ref) {
  const std::string epoch = std::to_string(r.epoch);
  const auto member_id = [&](MemberIndex m) { return q(tx, ref.member(m).id.view()); };
  const auto key = [&](std::string_view submitter, std::string_view id, int version) {
    return " WHERE submitter = " + q(tx, submitter) + " AND trade_id = " + q(tx, id) +
           " AND version = " + std::to_string(version);
  };
  for (std::size_t seq = 0; seq < r.trades.size(); ++seq) {
    const TradeOutcome& o = r.trades[seq];
    const Trade& t = o.trade;
    if (o.kind == TradeOutcomeKind::kDuplicate) continue;
    if (o.kind == TradeOutcomeKind::kRejectedUnkeyed) {
      tx.exec("INSERT INTO trade_rejections (epoch, seq, submitter, trade_id, content_hash, reject_reason, "
              "reject_field, entry_kind) VALUES (" + epoch + ", " + std::to_string(seq) + ", " +
              q(tx, t.submitter.view()) + ", " + q(tx, t.trade_id.view()) + ", " + hex(o.content_hash) +
              ", " + q(tx, to_string(o.reason)) + ", " + text_or_null(tx, o.field) + ", " +
              (o.cancel ? "'CANCEL'" : "'REPORT'") + ");");
      continue;
    }
    if (o.cancel) {
      const pqxx::result done = tx.exec("UPDATE trades SET status = 'CANCELLED', status_epoch = " + epoch +
                                        key(t.submitter.view(), t.trade_id.view(), o.version));
      EXPECT_EQ(done.affected_rows(), 1u);
      continue;
    }
    const bool venue = ref.member(*ref.find_member(t.submitter)).role == Role::kTradingVenue;
    const bool priced = o.price.units != 0;  // validated: the price at the instrument's scale
    const int scale = priced ? ref.instrument(*ref.find_instrument(t.isin)).price_scale : t.price_scale;
    const bool booked = o.kind == TradeOutcomeKind::kConfirmed;
    tx.exec("INSERT INTO trades (submitter, trade_id, version, buyer, seller, isin, quantity, price, "
            "price_scale, currency, consideration_minor, trade_date, settlement_date, client_ref, "
            "content_hash, status, reject_reason, reject_field, epoch, report_kind, matched_submitter, "
            "business_date, effective_settlement_date) VALUES (" +
            q(tx, t.submitter.view()) + ", " + q(tx, t.trade_id.view()) + ", " + std::to_string(o.version) +
            ", " + q(tx, t.buyer.view()) + ", " + q(tx, t.seller.view()) + ", " + q(tx, t.isin.view()) + ", " +
            std::to_string(t.quantity.units) + ", " + std::to_string(priced ? o.price.units : t.price.units) +
            ", " + std::to_string(scale) + ", " + q(tx, t.currency.view()) + ", " +
            std::to_string(o.consideration.minor) + ", " + sql_date(t.trade_date) + ", " +
            sql_date(t.settlement_date) + ", " + (t.client_ref ? q(tx, t.client_ref->view()) : "NULL") +
            ", " + hex(o.content_hash) + ", " + q(tx, to_string(status_of(o.kind))) + ", " +
            reason_or_null(tx, o.reason) + ", " + text_or_null(tx, o.field) + ", " + epoch + ", " +
            (venue ? "'LOCKED_IN'" : "'BILATERAL'") + ", " +
            (o.paired_with ? member_id(*o.paired_with) : "NULL") + ", " +
            (booked ? sql_date(o.business_date) : "NULL") + ", " +
            (booked ? sql_date(o.settlement_date) : "NULL") + ");");
  }
  for (const ReportTransition& c : r.transitions) {
    std::string set = "status = " + q(tx, to_string(c.status)) + ", status_epoch = " + epoch;
    set += ", reject_reason = " + reason_or_null(tx, c.reason) + ", reject_field = " + text_or_null(tx, c.field);
    if (c.status == TradeStatus::kAlleged) set += ", matched_submitter = NULL";
    if (c.paired_with) set += ", matched_submitter = " + member_id(*c.paired_with);
    if (c.status == TradeStatus::kConfirmed) {
      set += ", business_date = " + sql_date(c.business_date) +
             ", effective_settlement_date = " + sql_date(c.settlement_date);
    }
    const pqxx::result done = tx.exec("UPDATE trades SET " + set +
                                      key(ref.member(c.submitter).id.view(), c.trade_id.view(), c.version));
    EXPECT_EQ(done.affected_rows(), 1u) << c.trade_id.view();
  }
  for (const SettlementReport& report : r.reports) {
    for (const UnmatchedReport& u : report.unmatched) {
      tx.exec("INSERT INTO settlement_unmatched_reports VALUES (" + sql_date(report.settlement_date) + ", " +
              member_id(u.submitter) + ", " + q(tx, u.trade_id.view()) + ", " + std::to_string(u.version) +
              ", " + member_id(u.counterparty) + ", " + q(tx, to_string(u.status)) + ", " +
              text_or_null(tx, u.field) + ", " + sql_date(u.business_date) + ");");
    }
  }
}

std::string asset_code(const ReferenceData& ref, AssetKind kind, std::uint32_t asset) {
  if (kind == AssetKind::kCash) return std::string(ref.currency(CurrencyIndex{static_cast<std::uint8_t>(asset)}).code.view());
  return std::string(ref.instrument(InstrumentIndex{asset}).isin.view());
}

// Reference data as genesis gives it: what the node writes once.
void write_genesis(pqxx::work& tx, const Genesis& g, const ReferenceData& ref) {
  tx.exec("INSERT INTO currencies VALUES ('EUR', 2);");
  for (const MemberDef& m : g.members) {
    tx.exec("INSERT INTO members VALUES (" + q(tx, m.id.view()) + ", " + q(tx, m.name) + ", " +
            q(tx, to_string(m.role)) + ", " +
            (m.node ? std::to_string(*m.node) : "NULL") + ");");
  }
  tx.exec("INSERT INTO members VALUES ('CCP', 'The network as CCP', 'CENTRAL_COUNTERPARTY', NULL);");
  for (const InstrumentDef& i : g.instruments) {
    tx.exec("INSERT INTO instruments VALUES (" + q(tx, i.isin.view()) + ", 'EUR', " +
            std::to_string(i.price_scale) + ", " + std::to_string(i.band_low.units) + ", " +
            std::to_string(i.band_high.units) + ", false);");
  }
  const Limits& d = *g.default_limits;
  tx.exec("INSERT INTO network (network_id, node_count, genesis_digest, late_trade_window_days, "
          "allegation_expiry_days, max_open_reports_per_member, "
          "default_max_gross_notional_minor, default_max_net_position, default_max_gross_quantity) "
          "VALUES (decode(repeat('00', 32), 'hex'), " + std::to_string(g.node_count) +
          ", decode(repeat('00', 32), 'hex'), " + std::to_string(ref.late_trade_window_days()) + ", " +
          std::to_string(ref.allegation_expiry_days()) + ", " +
          std::to_string(ref.max_open_reports_per_member()) + ", " +
          std::to_string(d.max_gross_notional.minor) + ", " + std::to_string(d.max_net_position.units) +
          ", " + std::to_string(d.max_gross_quantity.units) + ");");
  for (const MemberLimitDef& l : g.limits) {
    tx.exec("INSERT INTO member_limits VALUES (" + q(tx, l.member.view()) + ", " +
            std::to_string(l.limits.max_gross_notional.minor) + ", " +
            std::to_string(l.limits.max_net_position.units) + ", " +
            std::to_string(l.limits.max_gross_quantity.units) + ");");
  }
  for (const DefaultFundContributionDef& f : g.default_fund) {
    tx.exec("INSERT INTO default_fund_contributions (member_id, currency, amount_minor) VALUES (" +
            q(tx, f.member.view()) + ", " + q(tx, f.currency.view()) + ", " +
            std::to_string(f.amount.minor) + ");");
  }
  for (const VenueMemberDef& v : g.venue_members) {
    tx.exec("INSERT INTO venue_members (venue_id, member_id) VALUES (" + q(tx, v.venue.view()) + ", " +
            q(tx, v.member.view()) + ");");
  }
}

std::string obligation_row(pqxx::work& tx, const Obligation& o, const ReferenceData& ref) {
  const char* status = o.status == ObligationStatus::kSettled  ? "'SETTLED'"
                       : o.status == ObligationStatus::kFailed ? "'FAILED'"
                                                               : "'PENDING'";
  const std::string reason = o.fail_reason == Reason::kNone ? "NULL" : q(tx, to_string(o.fail_reason));
  const auto date = [&](BusinessDate d) { return "DATE '1970-01-01' + " + std::to_string(d.days); };
  return "(" + date(o.settlement_date) + ", " + q(tx, ref.member(o.member).id.view()) + ", " +
         (o.kind == AssetKind::kCash ? "'CASH'" : "'SECURITIES'") + ", " +
         q(tx, asset_code(ref, o.kind, o.asset)) + ", " + std::to_string(o.net_amount) + ", " + status +
         ", " + reason + ", " + date(o.origin_date) + ", " + std::to_string(o.price_minor) + ", " +
         std::to_string(o.value_minor) + ", " + std::to_string(o.mark_minor) + ", " +
         std::to_string(o.settled_amount) + ", " + std::to_string(o.settled_mark_minor) + ")";
}

// One applied epoch as the node writes it: the epoch, changed positions,
// settlement runs with their totals and obligations.
void write_epoch(pqxx::work& tx, const EpochResult& r, const ReferenceData& ref) {
  tx.exec("INSERT INTO epochs (epoch, output_digest, state_digest, audit_head, batch_count, trade_count) "
          "VALUES (" + std::to_string(r.epoch) + ", decode(repeat('00', 32), 'hex'), "
          "decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'), 1, 0);");
  const auto date = [](BusinessDate d) { return "DATE '1970-01-01' + " + std::to_string(d.days); };
  for (const PositionRow& p : r.positions) {
    tx.exec("INSERT INTO positions (member_id, isin, settlement_date, bought, sold, net_quantity, "
            "last_epoch, paid_minor, received_minor) VALUES (" +
            q(tx, ref.member(p.member).id.view()) + ", " + q(tx, ref.instrument(p.instrument).isin.view()) +
            ", " + date(p.settlement_date) + ", " + std::to_string(p.bought) + ", " + std::to_string(p.sold) +
            ", " + std::to_string(p.bought - p.sold) + ", " + std::to_string(r.epoch) + ", " +
            std::to_string(p.paid_minor) + ", " + std::to_string(p.received_minor) +
            ") ON CONFLICT (member_id, isin, settlement_date) DO UPDATE SET bought = EXCLUDED.bought, "
            "sold = EXCLUDED.sold, net_quantity = EXCLUDED.net_quantity, last_epoch = EXCLUDED.last_epoch, "
            "paid_minor = EXCLUDED.paid_minor, received_minor = EXCLUDED.received_minor;");
  }
  for (const SettlementReport& report : r.reports) {
    tx.exec("INSERT INTO settlement_runs VALUES (" + date(report.settlement_date) + ", " +
            std::to_string(report.cutoff_epoch) + ", " + date(report.business_date) + ", " +
            "decode(repeat('00', 32), 'hex'), " +
            (report.status == RunStatus::kSettled ? "'SETTLED'" : "'PARTIALLY_SETTLED'") + ");");
    for (const CurrencyTotals& t : report.totals) {
      tx.exec("INSERT INTO settlement_run_totals VALUES (" + date(report.settlement_date) + ", " +
              q(tx, ref.currency(t.currency).code.view()) + ", " + std::to_string(t.gross_minor) + ", " +
              std::to_string(t.net_minor) + ", " + std::to_string(t.trade_count) + ");");
    }
    std::string rows;
    for (const Obligation& o : report.obligations) {
      rows += (rows.empty() ? "" : ", ") + obligation_row(tx, o, ref);
    }
    if (!rows.empty()) {
      tx.exec("INSERT INTO net_obligations (settlement_date, member_id, asset_kind, asset, net_amount, "
              "status, fail_reason, origin_date, price_minor, value_minor, mark_minor, settled_amount, "
              "settled_mark_minor) VALUES " + rows + ";");
    }
  }
}

int rows(pqxx::connection& db, const std::string& query) {
  pqxx::work tx(db);
  return tx.exec1(query)[0].as<int>();
}

int count(pqxx::connection& db, const std::string& where) {
  pqxx::work tx(db);
  return tx.exec1("SELECT count(*) FROM net_obligations WHERE " + where)[0].as<int>();
}

TEST(SettlementRows, EverythingTheLedgerReportsFitsTheSchema) {
  PgTestDatabase pg;
  pqxx::connection db(pg.url());
  (void)apply_migrations(db, load_migrations(QC_SCHEMA_DIR));
  const Genesis g = genesis();
  Ledger ledger(settlement::testing::load(g));
  const ReferenceData& ref = ledger.reference();
  const MemberId ops = MemberId::of("OPS");
  const Bytes wednesday = settlement::testing::batch_of({CutOff{ops, kWednesday}});
  // Thursday M0 is given what it lacks, and its open fails settle.
  const std::vector<Entry> thursday = {
      Funding{ops, ControlRef::of("cash-1"), MemberId::of("M0"), AssetKind::kCash, AssetCode::of("EUR"),
              100'000'000},
      Funding{ops, ControlRef::of("sec-1"), MemberId::of("M1"), AssetKind::kSecurities,
              AssetCode::of(settlement::testing::synthetic_isin(0).view()), 100'000},
      CutOff{ops, kThursday}};
  const Bytes thursday_bytes = settlement::testing::batch_of(thursday);
  std::vector<EpochResult> results;
  std::vector<Entry> first = wednesday_trades();
  for (Entry& e : matching_traffic()) first.push_back(std::move(e));
  results.push_back(settlement::testing::apply_epoch(ledger, 0, {{0, settlement::testing::batch_of(first)}}));
  results.push_back(settlement::testing::apply_epoch(ledger, 1, {{0, wednesday}, {1, wednesday}}));
  results.push_back(settlement::testing::apply_epoch(ledger, 2, {{0, thursday_bytes}, {1, thursday_bytes}}));
  ASSERT_EQ(results[1].reports.size(), 1u);
  ASSERT_EQ(results[2].reports.size(), 1u);
  {
    pqxx::work tx(db);
    write_genesis(tx, g, ref);
    for (const EpochResult& r : results) {
      write_epoch(tx, r, ref);
      write_reports(tx, r, ref);
    }
    tx.commit();
  }
  // The stream produced every kind of row the new columns exist for.
  EXPECT_GT(count(db, "fail_kind = 'FAIL_TO_DELIVER'"), 0);
  EXPECT_GT(count(db, "fail_kind = 'FAIL_TO_RECEIVE'"), 0);
  EXPECT_GT(count(db, "status = 'FAILED' AND settled_amount <> 0"), 0);  // a partial delivery
  EXPECT_GT(count(db, "asset_kind = 'SECURITIES' AND net_amount = 0"), 0);  // a flat position's mark
  EXPECT_GT(count(db, "asset_kind = 'CASH' AND net_amount = 0"), 0);  // zero net cash, marks
  EXPECT_GT(count(db, "origin_date < settlement_date AND status = 'SETTLED'"), 0);  // fails cured
  EXPECT_GT(count(db, "mark_minor <> 0 AND settled_mark_minor = 0"), 0);  // marks unpaid
  // Every report status, refusal and unmatched row matching produces (the
  // open mismatch expired Thursday: its MISMATCHED state is in Wednesday's
  // unmatched list).
  for (const char* status : {"CONFIRMED", "REPLACED", "CANCELLED", "AFFIRMED",
                             "UNMATCHED_EXPIRED", "REJECTED"}) {
    EXPECT_GT(rows(db, "SELECT count(*) FROM trades WHERE status = '" + std::string(status) + "'"), 0)
        << status;
  }
  EXPECT_GT(rows(db, "SELECT count(*) FROM trades WHERE report_kind = 'LOCKED_IN' AND status = 'CONFIRMED'"), 0);
  EXPECT_GT(rows(db, "SELECT count(*) FROM trades WHERE reject_reason = 'LOCKED_IN_MISMATCH'"), 0);
  EXPECT_GT(rows(db, "SELECT count(*) FROM trades WHERE reject_reason = 'VENUE_NOT_PERMITTED'"), 0);
  EXPECT_GT(rows(db, "SELECT count(*) FROM trades WHERE reject_reason = 'QUANTITY_NOT_POSITIVE'"), 0);
  for (const char* refusal : {"TRADE_NOT_FOUND", "ALLEGATION_LIMIT"}) {
    EXPECT_EQ(rows(db, "SELECT count(*) FROM trade_rejections WHERE reject_reason = '" +
                           std::string(refusal) + "'"), 1) << refusal;
  }
  for (const char* status : {"ALLEGED", "MISMATCHED", "UNMATCHED_EXPIRED"}) {
    EXPECT_GT(rows(db, "SELECT count(*) FROM settlement_unmatched_reports WHERE status = '" +
                           std::string(status) + "'"), 0) << status;
  }
  // The rows agree with the books: what confirmed trades bought per
  // instrument and settlement date (one row per trade: the buyer's report,
  // or the venue's) is what the positions say was bought.
  EXPECT_EQ(rows(db, R"sql(
    SELECT count(*) FROM (
      SELECT effective_settlement_date AS d, isin, sum(quantity) AS q FROM trades
       WHERE status = 'CONFIRMED' AND (report_kind = 'LOCKED_IN' OR submitter = buyer) GROUP BY 1, 2
    ) t FULL JOIN (
      SELECT settlement_date AS d, isin, sum(bought) AS q FROM positions GROUP BY 1, 2
    ) p USING (d, isin) WHERE t.q IS DISTINCT FROM p.q)sql"), 0);
  EXPECT_EQ(rows(db, "SELECT count(*) FROM trades WHERE status = 'CONFIRMED' AND report_kind = 'BILATERAL'"),
            2 * static_cast<int>(ledger.matching_stats().matched));
}

}  // namespace
}  // namespace quorumclear::store
