// Proves the node store against a real PostgreSQL and a real ledger: the
// epochs of a business day (matched, alleged, rejected, cancelled,
// mismatched and venue trades, refusals carrying arbitrary bytes, control
// votes, two cut-offs with settlement runs and expiries) are written one
// transaction each and read back equal to the ledger's own view; the audit
// chain verifies in SQL; a repeated or broken epoch changes nothing;
// entered_epoch only rises; received reports leave exactly when their own
// node's batch answered them; genesis is written once and a foreign one
// refused; replaying the stored epochs rebuilds the same state; and COPY
// and multi-row INSERT write identical rows.
#include "services/store/node_store.h"
#include "settlement/ledger.h"
#include "settlement/snapshot.h"
#include "settlement/test_support.h"
#include "tests/integration/pg_test_database.h"
#include "tests/integration/store_test_node.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <limits>
#include <map>
#include <regex>

namespace quorumclear::store {
namespace {

using namespace quorumclear::settlement;
using quorumclear::testing::outcome_of;
using quorumclear::testing::PgTestDatabase;
using settlement::testing::batch_of;
using settlement::testing::counter_report;
using settlement::testing::kThursday;
using settlement::testing::kWednesday;
using ::testing::HasSubstr;

using quorumclear::testing::Batches;
using quorumclear::testing::output_digest;
using quorumclear::testing::received;
using quorumclear::testing::views;

Digest filled(std::uint8_t byte) {
  Digest d{};
  d.fill(byte);
  return d;
}
const Digest& kNetwork = quorumclear::testing::kTestNetwork;
const MemberId kOps = MemberId::of("OPS");
const Isin& kSecond = quorumclear::testing::kSecondIsin;

// The shared network with small holdings, and C under explicit limits.
Genesis genesis() {
  Genesis g = quorumclear::testing::store_test_genesis(Quantity{10'000});
  g.limits.push_back({MemberId::of("C"), {AmountMinor{1'000'000'000'000}, Quantity{1'000'000}, Quantity{1'000'000}}});
  return g;
}

Trade trade(std::string_view id, std::string_view submitter, std::string_view buyer, std::string_view seller,
            std::int64_t quantity, std::int64_t cents, BusinessDate date = kWednesday) {
  return quorumclear::testing::reported_trade(id, submitter, buyer, seller, quantity, cents, date);
}

struct Node : quorumclear::testing::StoreTestNode {
  Node(const std::string& url, std::uint16_t self, StoreOptions options = {})
      : StoreTestNode(genesis(), url, self, std::move(options)) {}
};

// The day, epoch by epoch, as (proposer, batch) lists.
std::vector<Batches> the_day() {
  const Trade t1 = trade("T1", "A", "A", "B", 100, 1000);  // matched in its own epoch
  const Trade t4 = trade("T4", "B", "A", "B", 30, 1010);   // alleged, matched an epoch later
  Trade t6 = trade("T6", "B", "B", "C", 7, 990);           // mismatched, expires Thursday
  t6.isin = kSecond;
  Trade t6_other = counter_report(t6);
  t6_other.quantity = Quantity{8};
  Trade junk_buyer = trade("T-junk", "C", "C", "B", 1, 1000);  // keyed REJECTED with bytes of any kind
  junk_buyer.buyer = MemberId::of(std::string_view("\xff\x00Z", 3));
  Trade junk_id = trade("T-x", "C", "C", "B", 1, 1000);  // unkeyed TRADE_ID_INVALID
  junk_id.trade_id = TradeId::of(std::string_view("\xc3\x28\x00", 3));
  Trade far_date = trade("T-far", "C", "C", "B", 1, 1000);  // keyed DATE_OUT_OF_RANGE
  far_date.trade_date = BusinessDate{std::numeric_limits<std::int32_t>::min()};
  const Funding bad_ref{kOps, ControlRef::of(std::string_view("\x01no", 3)), MemberId::of("A"), AssetKind::kCash,
                        AssetCode::of("EUR"), 100};
  const CutOff wednesday{kOps, kWednesday};
  const CutOff thursday{kOps, kThursday};
  const Trade t9 = trade("T9", "A", "A", "B", 10, 1000, kThursday);
  return {
      // 0: T1 both sides, T2 alleged, T3 refused by validation, a copy of
      // A's report T7 in B's node's batch, a venue trade, an undecodable batch.
      {{0, batch_of({t1, trade("T2", "A", "A", "C", 5, 1000), trade("T3", "A", "A", "B", 0, 1000)})},
       {1, batch_of({counter_report(t1), trade("T7", "A", "A", "B", 1, 1000)})},
       {2, Bytes{0xff, 0x00}},
       {3, batch_of({trade("T8", "V", "A", "B", 20, 1050)})}},
      // 1: T4 alleged, T2 cancelled, T7 from its own node, junk from C, a
      // funding vote with a reference of control bytes.
      {{0, batch_of({TradeCancel{TradeId::of("T2"), MemberId::of("A")}, trade("T7", "A", "A", "B", 1, 1000)})},
       {1, batch_of({t4})},
       {2, batch_of({junk_buyer, junk_id, far_date})},
       {3, batch_of({bad_ref})}},
      // 2: A's side of T4 (an earlier epoch's row confirms), T6 mismatched.
      {{0, batch_of({counter_report(t4)})}, {1, batch_of({t6})}, {2, batch_of({t6_other})}},
      // 3: Wednesday's cut-off from two nodes (f + 1), a third too late.
      {{0, batch_of({wednesday})}, {1, batch_of({wednesday})}, {2, batch_of({wednesday})}},
      // 4: a Thursday trade, then Thursday's cut-off: T6 expires.
      {{0, batch_of({t9, thursday})}, {1, batch_of({counter_report(t9), thursday})}},
  };
}

std::int64_t number(pqxx::connection& db, const std::string& query) {
  pqxx::work tx(db);
  return tx.exec1(query)[0].as<std::int64_t>();
}

std::string text(pqxx::connection& db, const std::string& query) {
  pqxx::work tx(db);
  return tx.exec1(query)[0].as<std::string>();
}

constexpr const char* kWrittenTables[] = {
    "epochs", "epoch_batches", "trades", "trade_rejections", "control_votes", "positions", "cash_positions",
    "securities_balances", "cash_balances", "settlement_runs", "settlement_run_totals", "net_obligations",
    "settlement_unmatched_reports", "audit_log", "node_state"};

// Every row the epochs write, timestamps aside, as one digest per table.
std::map<std::string, std::string> table_digests(pqxx::connection& db) {
  std::map<std::string, std::string> out;
  for (const char* table : kWrittenTables) {
    const std::string row = "(to_jsonb(t) - 'received_at' - 'applied_at' - 'recorded_at')::text";
    out[table] = text(db, "SELECT COALESCE(md5(string_agg(" + row + ", '|' ORDER BY " + row + ")), '') FROM " +
                              table + " t");
  }
  return out;
}

class NodeStoreTest : public ::testing::Test {
 protected:
  PgTestDatabase pg_;
  Node node_{pg_.url(), 0};
  pqxx::connection db_{pg_.url()};

  std::vector<EpochResult> apply_day() {
    std::vector<EpochResult> results;
    const std::vector<Batches> day = the_day();
    for (std::size_t e = 0; e < day.size(); ++e) results.push_back(node_.apply(e, day[e]));
    return results;
  }
};

TEST_F(NodeStoreTest, StoresTheDayAsTheLedgerSeesIt) {
  const std::vector<EpochResult> results = apply_day();
  ASSERT_EQ(results[3].reports.size(), 1u);
  ASSERT_EQ(results[4].reports.size(), 1u);
  const ReferenceData& ref = node_.ledger.reference();
  // Every report key's current version is the ledger's.
  pqxx::work tx(db_);
  const pqxx::result current = tx.exec(
      "SELECT DISTINCT ON (submitter, trade_id) submitter, trade_id, version, status FROM trades "
      "ORDER BY submitter, trade_id, version DESC");
  EXPECT_EQ(current.size(), node_.ledger.trade_count());
  for (const pqxx::row& row : current) {
    const auto submitter = ref.find_member(MemberId::of(row[0].c_str()));
    ASSERT_TRUE(submitter) << row[0].c_str();
    const TradeRecord* record = node_.ledger.find_trade(*submitter, row[1].c_str());
    ASSERT_NE(record, nullptr) << row[1].c_str();
    EXPECT_EQ(row[2].as<int>(), record->version) << row[1].c_str();
    EXPECT_EQ(row[3].as<std::string>(), to_string(record->status)) << row[1].c_str();
  }
  // Positions, cash positions and balances are the ledger's cells.
  for (const pqxx::row& row : tx.exec("SELECT member_id, isin, settlement_date - DATE '1970-01-01', bought, sold, "
                                      "paid_minor, received_minor FROM positions")) {
    const PositionCell cell = node_.ledger.position(*ref.find_member(MemberId::of(row[0].c_str())),
                                                    *ref.find_instrument(Isin::of(row[1].c_str())),
                                                    BusinessDate{row[2].as<std::int32_t>()});
    EXPECT_EQ(row[3].as<std::int64_t>(), cell.bought);
    EXPECT_EQ(row[4].as<std::int64_t>(), cell.sold);
    EXPECT_EQ(row[5].as<std::int64_t>(), cell.paid_minor);
    EXPECT_EQ(row[6].as<std::int64_t>(), cell.received_minor);
  }
  for (const pqxx::row& row : tx.exec("SELECT member_id, currency, settlement_date - DATE '1970-01-01', "
                                      "received_minor, paid_minor FROM cash_positions")) {
    const CashCell cell = node_.ledger.cash_position(*ref.find_member(MemberId::of(row[0].c_str())),
                                                     *ref.find_currency(CurrencyCode::of(row[1].c_str())),
                                                     BusinessDate{row[2].as<std::int32_t>()});
    EXPECT_EQ(row[3].as<std::int64_t>(), cell.received);
    EXPECT_EQ(row[4].as<std::int64_t>(), cell.paid);
  }
  for (const pqxx::row& row : tx.exec("SELECT member_id, isin, quantity FROM securities_balances")) {
    EXPECT_EQ(row[2].as<std::int64_t>(),
              node_.ledger.balance(*ref.find_account(MemberId::of(row[0].c_str())), AssetKind::kSecurities,
                                   ref.find_instrument(Isin::of(row[1].c_str()))->value));
  }
  for (const pqxx::row& row : tx.exec("SELECT member_id, currency, amount_minor FROM cash_balances")) {
    EXPECT_EQ(row[2].as<std::int64_t>(),
              node_.ledger.balance(*ref.find_account(MemberId::of(row[0].c_str())), AssetKind::kCash,
                                   ref.find_currency(CurrencyCode::of(row[1].c_str()))->value));
  }
  tx.commit();
  // What confirmed trades bought (one row per trade: the buyer's report or
  // the venue's) is what the positions say was bought.
  EXPECT_EQ(number(db_, R"sql(
    SELECT count(*) FROM (
      SELECT effective_settlement_date AS d, isin, sum(quantity) AS q FROM trades
       WHERE status = 'CONFIRMED' AND (report_kind = 'LOCKED_IN' OR submitter = buyer) GROUP BY 1, 2
    ) t FULL JOIN (
      SELECT settlement_date AS d, isin, sum(bought) AS q FROM positions GROUP BY 1, 2
    ) p USING (d, isin) WHERE t.q IS DISTINCT FROM p.q)sql"), 0);
  // Each kind of row the day has.
  const auto count = [&](const std::string& where) { return number(db_, "SELECT count(*) FROM " + where); };
  EXPECT_EQ(count("trades WHERE status = 'CONFIRMED' AND report_kind = 'BILATERAL'"), 6);  // T1, T4, T9
  EXPECT_EQ(count("trades WHERE trade_id = 'T4' AND status = 'CONFIRMED' AND status_epoch = 2 AND epoch = 1 "
                  "AND matched_submitter = 'A' AND business_date IS NOT NULL"), 1);
  EXPECT_EQ(count("trades WHERE trade_id = 'T8' AND report_kind = 'LOCKED_IN' AND status = 'CONFIRMED'"), 1);
  EXPECT_EQ(count("trades WHERE trade_id = 'T2' AND status = 'CANCELLED' AND status_epoch = 1"), 1);
  EXPECT_EQ(count("trades WHERE trade_id = 'T3' AND reject_reason = 'QUANTITY_NOT_POSITIVE'"), 1);
  EXPECT_EQ(count("trades WHERE trade_id = 'T6' AND status = 'UNMATCHED_EXPIRED' AND status_epoch = 4"), 2);
  EXPECT_EQ(count("trades WHERE trade_id = 'T-junk' AND buyer = '??Z' AND status = 'REJECTED'"), 1);
  EXPECT_EQ(count("trades WHERE trade_id = 'T-far' AND trade_date = '-infinity'"), 1);
  EXPECT_EQ(count("trade_rejections WHERE trade_id = '?(?' AND reject_reason = 'TRADE_ID_INVALID'"), 1);
  EXPECT_EQ(count("trade_rejections WHERE trade_id = 'T7' AND reject_reason = 'SUBMITTER_NOT_PROPOSER'"), 1);
  EXPECT_EQ(count("control_votes WHERE kind = 'FUNDING' AND status = 'REJECTED' AND reference IS NULL"), 1);
  EXPECT_EQ(count("control_votes WHERE kind = 'CUTOFF' AND status = 'APPLIED'"), 2);
  EXPECT_EQ(count("control_votes WHERE kind = 'CUTOFF' AND status = 'ALREADY_APPLIED'"), 1);
  EXPECT_EQ(count("settlement_runs"), 2);
  EXPECT_GT(count("net_obligations"), 0);
  EXPECT_EQ(count("settlement_unmatched_reports WHERE status = 'MISMATCHED'"), 2);
  EXPECT_EQ(count("settlement_unmatched_reports WHERE status = 'UNMATCHED_EXPIRED'"), 3);  // T6 twice, T7
  EXPECT_EQ(count("epoch_batches WHERE epoch = 0 AND proposer = 2 AND payload = '\\xff00'::bytea"), 1);
  const StoredState state = node_.store.load_state();
  EXPECT_EQ(state.last_applied_epoch, 4u);
  EXPECT_EQ(state.state_digest, node_.ledger.state_digest());
  EXPECT_EQ(state.audit_head, node_.head);
  EXPECT_EQ(state.open_business_date, node_.ledger.open_business_date());
}

TEST_F(NodeStoreTest, AuditChainVerifiesInSql) {
  (void)apply_day();
  EXPECT_EQ(number(db_, "SELECT count(*) FROM audit_log"), 5);
  // Every link hashes its predecessor and its record; the first starts at zero.
  EXPECT_EQ(number(db_, R"sql(
    SELECT count(*) FROM audit_log a LEFT JOIN audit_log p ON p.seq = a.seq - 1
     WHERE a.entry_hash <> sha256(a.prev_hash || a.record)
        OR a.prev_hash <> COALESCE(p.entry_hash, decode(repeat('00', 32), 'hex')))sql"), 0);
  // Each record is (epoch, output digest, state digest) of its epoch row,
  // whose audit head is the link.
  EXPECT_EQ(number(db_, R"sql(
    SELECT count(*) FROM audit_log a JOIN epochs e ON e.epoch = a.epoch
     WHERE a.seq = e.epoch + 1 AND a.record = int8send(e.epoch) || e.output_digest || e.state_digest
       AND a.entry_hash = e.audit_head)sql"), 5);
  EXPECT_EQ(number(db_, "SELECT count(*) FROM node_state s WHERE s.audit_head = "
                        "(SELECT entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1)"), 1);
}

TEST_F(NodeStoreTest, RepeatedOrBrokenEpochChangesNothing) {
  const std::vector<Batches> day = the_day();
  const EpochResult r0 = node_.apply(0, day[0]);
  const EpochResult r1 = node_.apply(1, day[1]);
  const std::map<std::string, std::string> before = table_digests(db_);
  const std::vector<EpochBatch> v1 = views(day[1]);
  const Digest out1 = output_digest(1, v1);
  EXPECT_THROW(node_.store.apply_epoch(EpochToWrite{1, v1, r1, node_.ledger.reference(), out1, node_.head}),
               EpochAlreadyApplied);
  const std::vector<EpochBatch> v0 = views(day[0]);
  const Digest out0 = output_digest(0, v0);
  EXPECT_THROW(node_.store.apply_epoch(EpochToWrite{0, v0, r0, node_.ledger.reference(), out0, node_.head}),
               EpochAlreadyApplied);
  EpochResult ahead = r1;
  ahead.epoch = 3;
  EXPECT_THROW(node_.store.apply_epoch(EpochToWrite{3, v1, ahead, node_.ledger.reference(), out1, node_.head}),
               EpochOutOfOrder);
  // Epoch 2 with a status change of a report the database never held: the
  // epoch row, its batches and new reports were already sent when the
  // update found nothing, and all of it rolls back.
  const std::vector<EpochBatch> v2 = views(day[2]);
  EpochResult r2 = node_.ledger.apply(2, v2);
  EpochResult broken = r2;
  ReportTransition ghost = broken.transitions.front();
  ghost.trade_id = TradeId::of("never-stored");
  broken.transitions.push_back(ghost);
  const Digest out2 = output_digest(2, v2);
  const Digest head2 = audit_link(node_.head, 2, out2, r2.state_digest);
  try {
    node_.store.apply_epoch(EpochToWrite{2, v2, broken, node_.ledger.reference(), out2, head2});
    ADD_FAILURE() << "a change of an unknown report row was written";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("earlier report rows"));
  }
  std::vector<EpochBatch> reversed(v2.rbegin(), v2.rend());
  EXPECT_THROW(node_.store.apply_epoch(EpochToWrite{2, reversed, r2, node_.ledger.reference(), out2, head2}),
               StoreError);
  const Digest wrong_head = filled(7);
  EXPECT_THROW(node_.store.apply_epoch(EpochToWrite{2, v2, r2, node_.ledger.reference(), out2, wrong_head}),
               StoreError);
  EXPECT_EQ(table_digests(db_), before);
  // The real epoch 2 still applies after all that.
  node_.store.apply_epoch(EpochToWrite{2, v2, r2, node_.ledger.reference(), out2, head2});
  EXPECT_EQ(node_.store.load_state().last_applied_epoch, 2u);
}

TEST_F(NodeStoreTest, EnteredEpochOnlyRises) {
  EXPECT_EQ(node_.store.load_state().entered_epoch, std::nullopt);
  node_.store.record_entered_epoch(5);
  node_.store.record_entered_epoch(3);
  EXPECT_EQ(node_.store.load_state().entered_epoch, 5u);
  node_.store.record_entered_epoch(6);
  EXPECT_EQ(node_.store.load_state().entered_epoch, 6u);
  // The database refuses a decrease from anywhere else.
  EXPECT_EQ(outcome_of(db_, "UPDATE node_entered_epoch SET entered_epoch = 2").sqlstate, "P0001");
  // Applying epochs leaves it alone.
  (void)apply_day();
  EXPECT_EQ(node_.store.load_state().entered_epoch, 6u);
}

TEST_F(NodeStoreTest, ReceivedReportsLeaveWhenTheirOwnNodeAnswered) {
  const std::vector<Batches> day = the_day();
  const ReceivedReport t1 = received(trade("T1", "A", "A", "B", 100, 1000));
  const ReceivedReport t2 = received(trade("T2", "A", "A", "C", 5, 1000));
  const ReceivedReport t3 = received(trade("T3", "A", "A", "B", 0, 1000));
  const ReceivedReport t7 = received(trade("T7", "A", "A", "B", 1, 1000));
  const ReceivedReport cancel = received(TradeCancel{TradeId::of("T2"), MemberId::of("A")});
  const ReceivedReport later = received(trade("T-later", "A", "A", "B", 1, 1000));
  const std::vector<ReceivedReport> first = {t1, t2, t3, t7, t1};
  EXPECT_EQ(node_.store.insert_received(first), (std::vector<bool>{true, true, true, true, false}));
  const std::vector<ReceivedReport> again = {t2, later, cancel};
  EXPECT_EQ(node_.store.insert_received(again), (std::vector<bool>{false, true, true}));
  EXPECT_EQ(node_.store.load_undecided().size(), 6u);
  // Epoch 0 answers node 0's own T1, T2, T3; the copy of T7 in node 1's
  // batch is refused SUBMITTER_NOT_PROPOSER and answers nothing.
  (void)node_.apply(0, day[0]);
  std::vector<ReceivedReport> undecided = node_.store.load_undecided();
  EXPECT_EQ(undecided, (std::vector<ReceivedReport>{t7, later, cancel}));
  // Epoch 1: node 0 proposes T7 and the cancel itself.
  (void)node_.apply(1, day[1]);
  EXPECT_EQ(node_.store.load_undecided(), (std::vector<ReceivedReport>{later}));
  ReceivedReport too_long = later;
  too_long.entry.assign(kReceivedEntryBytesMax + 1, 1);
  EXPECT_THROW((void)node_.store.insert_received(std::vector<ReceivedReport>{too_long}), std::invalid_argument);
  ReceivedReport bad_id = later;
  bad_id.trade_id = "no spaces";
  EXPECT_THROW((void)node_.store.insert_received(std::vector<ReceivedReport>{bad_id}), std::invalid_argument);
}

TEST_F(NodeStoreTest, GenesisIsWrittenOnceAndAForeignOneRefused) {
  EXPECT_EQ(number(db_, "SELECT count(*) FROM members"), 7);  // six and the CCP
  EXPECT_EQ(number(db_, "SELECT count(*) FROM venue_members"), 2);
  EXPECT_EQ(number(db_, "SELECT count(*) FROM member_limits"), 1);
  EXPECT_EQ(number(db_, "SELECT amount_minor FROM cash_balances WHERE member_id = 'CCP'"), 1'000'000 + 3 * 100'000);
  EXPECT_EQ(number(db_, "SELECT count(*) FROM network WHERE node_count = 4 AND default_max_net_position IS NOT NULL"), 1);
  const StoredState fresh = node_.store.load_state();
  EXPECT_EQ(fresh.last_applied_epoch, std::nullopt);
  EXPECT_EQ(fresh.state_digest, node_.ledger.state_digest());
  EXPECT_EQ(fresh.audit_head, Digest{});
  EXPECT_EQ(fresh.open_business_date, kWednesday);
  const std::map<std::string, std::string> before = table_digests(db_);
  // A restart: the same genesis again writes nothing.
  node_.store.init_network(node_.ledger.reference(), kNetwork, 0);
  EXPECT_EQ(table_digests(db_), before);
  try {
    node_.store.init_network(node_.ledger.reference(), filled(0x43), 0);
    ADD_FAILURE() << "another network's genesis was accepted";
  } catch (const NetworkMismatch& e) {
    EXPECT_THAT(e.what(), HasSubstr("belongs to network " + to_hex(kNetwork)));
  }
  try {
    node_.store.init_network(node_.ledger.reference(), kNetwork, 1);
    ADD_FAILURE() << "another node's database was accepted";
  } catch (const NetworkMismatch& e) {
    EXPECT_THAT(e.what(), HasSubstr("written by node 0, but this is node 1"));
  }
  Genesis other = genesis();
  other.allegation_expiry_days = 2;
  EXPECT_THROW(node_.store.init_network(settlement::testing::load(other), kNetwork, 0), NetworkMismatch);
}

TEST_F(NodeStoreTest, ReplayRebuildsTheSameState) {
  (void)apply_day();
  Ledger fresh(settlement::testing::load(genesis()));
  Digest head{};
  std::uint64_t next = 0;
  node_.store.for_each_epoch(0, 100, [&](const StoredEpoch& e) {
    ASSERT_EQ(e.epoch, next++);
    std::vector<EpochBatch> v;
    for (const StoredBatch& b : e.batches) v.push_back(EpochBatch{b.proposer, b.bytes});
    const EpochResult r = fresh.apply(e.epoch, v);
    EXPECT_EQ(r.state_digest, e.state_digest) << "epoch " << e.epoch;
    EXPECT_EQ(output_digest(e.epoch, v), e.output_digest) << "epoch " << e.epoch;
    head = audit_link(head, e.epoch, e.output_digest, r.state_digest);
    EXPECT_EQ(head, e.audit_head) << "epoch " << e.epoch;
  });
  EXPECT_EQ(next, 5u);
  EXPECT_EQ(fresh.state_digest(), node_.store.load_state().state_digest);
  EXPECT_EQ(fresh.business_state_digest(), node_.ledger.business_state_digest());
  // A window of the stored epochs, and one epoch as a peer is served it.
  std::vector<std::uint64_t> window;
  node_.store.for_each_epoch(2, 3, [&](const StoredEpoch& e) { window.push_back(e.epoch); });
  EXPECT_EQ(window, (std::vector<std::uint64_t>{2, 3}));
  const std::optional<StoredEpoch> e0 = node_.store.load_epoch(0);
  ASSERT_TRUE(e0);
  const std::vector<Batches> day = the_day();
  ASSERT_EQ(e0->batches.size(), day[0].size());
  for (std::size_t i = 0; i < day[0].size(); ++i) {
    EXPECT_EQ(e0->batches[i].proposer, day[0][i].first);
    EXPECT_EQ(e0->batches[i].bytes, day[0][i].second);
  }
  EXPECT_FALSE(node_.store.load_epoch(5));
  EXPECT_FALSE(node_.store.load_epoch(std::numeric_limits<std::uint64_t>::max()));  // a peer may ask anything
  EXPECT_TRUE(node_.store.load_signatures(std::numeric_limits<std::uint64_t>::max()).empty());
}

TEST_F(NodeStoreTest, CheckpointDigestsAndSnapshotsAreStoredAndReadBack) {
  node_.checkpoints = true;
  (void)apply_day();
  // Odd epochs carry their snapshot digest, the others none.
  for (std::uint64_t e = 0; e < 5; ++e) {
    const std::optional<StoredEpoch> stored = node_.store.load_epoch(e);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->snapshot_digest == Digest{}, e % 2 == 0) << "epoch " << e;
    EXPECT_EQ(stored->obligations_root, Digest{});
  }
  // The visitor runs inside the store's transaction, so the expected value is read first.
  const Digest third = node_.store.load_epoch(3)->snapshot_digest;
  std::size_t visited = 0;
  node_.store.for_each_epoch(3, 3, [&](const StoredEpoch& e) {
    EXPECT_EQ(e.snapshot_digest, third);
    ++visited;
  });
  EXPECT_EQ(visited, 1u);
  // A snapshot over several chunks comes back whole.
  Bytes big(2 * kSnapshotChunkBytes + 12'345);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7 + i / 65'536);
  const Digest big_digest = settlement::sha256(big);
  node_.store.write_snapshot(1, big_digest, big);
  {
    pqxx::work tx(db_);
    EXPECT_EQ(tx.exec("SELECT count(*) FROM ledger_snapshot_chunks WHERE epoch = 1")[0][0].as<int>(), 3);
  }
  std::optional<StoredSnapshot> one = node_.store.load_snapshot(1);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->digest, big_digest);
  EXPECT_TRUE(one->bytes == big);
  // Writing one again changes nothing; only the newest two are kept.
  const Bytes small = settlement::encode_snapshot(node_.ledger);
  node_.store.write_snapshot(1, settlement::sha256(small), small);
  EXPECT_TRUE(node_.store.load_snapshot(1)->bytes == big);
  node_.store.write_snapshot(3, settlement::sha256(small), small);
  node_.store.write_snapshot(4, settlement::sha256(small), small);
  EXPECT_EQ(node_.store.snapshot_epochs(), (std::vector<std::uint64_t>{4, 3}));
  EXPECT_FALSE(node_.store.load_snapshot(1));
  EXPECT_EQ(node_.store.load_snapshot(4)->bytes, small);
  EXPECT_FALSE(node_.store.load_snapshot(std::numeric_limits<std::uint64_t>::max()));
  // A damaged chunk set is an error, not a short snapshot.
  {
    pqxx::work tx(db_);
    tx.exec("DELETE FROM ledger_snapshot_chunks WHERE epoch = 4");
    tx.commit();
  }
  EXPECT_THROW((void)node_.store.load_snapshot(4), StoreError);
}

// Rows of `query` (one jsonb text per row, timestamps dropped), sorted.
std::vector<std::string> rows_of(pqxx::connection& db, const std::string& table, const std::string& where,
                                 const std::string& drop = "") {
  pqxx::work tx(db);
  const std::string row = "(to_jsonb(t) - 'received_at' - 'applied_at' - 'recorded_at'" + drop + ")::text";
  std::vector<std::string> out;
  for (const pqxx::row& r : tx.exec("SELECT " + row + " FROM " + table + " t WHERE " + where + " ORDER BY 1")) {
    out.push_back(r[0].as<std::string>());
  }
  return out;
}

TEST_F(NodeStoreTest, ARebuiltNodeStartsFromACheckpointAndGoesOnFromIt) {
  node_.checkpoints = true;
  const std::vector<Batches> day = the_day();
  // Checkpoint epoch 1's snapshot, as a peer holds it.
  Ledger at_checkpoint(settlement::testing::load(genesis()));
  for (std::uint64_t e = 0; e <= 1; ++e) (void)at_checkpoint.apply(e, views(day[e]));
  const Bytes snapshot = encode_snapshot(at_checkpoint);
  (void)apply_day();
  const StoredEpoch checkpoint = *node_.store.load_epoch(1);
  ASSERT_EQ(checkpoint.snapshot_digest, snapshot_digest(snapshot));
  EpochSignature signature{2, {}};
  signature.signature.fill(0x5a);
  const std::vector<EpochSignature> signatures{signature};

  PgTestDatabase pg2;
  Node rebuilt(pg2.url(), 0);
  pqxx::connection db2(pg2.url());
  auto decoded = decode_snapshot(snapshot, settlement::testing::load(genesis()));
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Ledger>>(decoded));
  Ledger& ledger = *std::get<std::unique_ptr<Ledger>>(decoded);
  const LedgerStateRows rows = ledger.state_rows();
  const auto start = [&](const StoredEpoch& epoch, ByteView bytes) {
    rebuilt.store.start_from_checkpoint(
        {epoch, signatures, bytes, ledger.reference(), rows, ledger.open_business_date()});
  };
  // What does not fit together is refused before anything is written.
  const Bytes other = encode_snapshot(node_.ledger);
  EXPECT_THROW(start(checkpoint, other), StoreError);
  StoredEpoch plain = *node_.store.load_epoch(2);
  EXPECT_THROW(start(plain, snapshot), StoreError);
  EXPECT_EQ(number(db2, "SELECT count(*) FROM epochs"), 0);
  // A node built from genesis cannot say later that its history starts elsewhere.
  EXPECT_THAT(outcome_of(db_, "UPDATE node_state SET history_start_epoch = 1").message,
              HasSubstr("history may start at a checkpoint only once"));

  start(checkpoint, snapshot);
  const StoredState state = rebuilt.store.load_state();
  EXPECT_EQ(state.last_applied_epoch, 1u);
  EXPECT_EQ(state.history_start_epoch, 1u);
  EXPECT_EQ(state.audit_head, checkpoint.audit_head);
  EXPECT_EQ(state.state_digest, checkpoint.state_digest);
  EXPECT_FALSE(node_.store.load_state().history_start_epoch);
  EXPECT_THROW(start(checkpoint, snapshot), StoreError);
  EXPECT_THAT(outcome_of(db2, "UPDATE node_state SET history_start_epoch = 0, last_applied_epoch = 0").message,
              HasSubstr("history may start at a checkpoint only once"));
  // The chain goes on from the checkpoint's head, and only from it.
  EXPECT_THAT(outcome_of(db2, "INSERT INTO audit_log (seq, epoch, kind, record, prev_hash, entry_hash) "
                              "SELECT 3, 1, 'EPOCH', '\\x01', output_digest, sha256(output_digest || '\\x01'::bytea) "
                              "FROM epochs WHERE epoch = 1")
                  .message,
              HasSubstr("must have seq 3 and its certified head"));
  ASSERT_TRUE(rebuilt.store.load_epoch(1));
  EXPECT_EQ(rebuilt.store.load_epoch(1)->batches.size(), day[1].size());
  EXPECT_FALSE(rebuilt.store.load_epoch(0));
  EXPECT_EQ(rebuilt.store.load_signatures(1), signatures);
  EXPECT_EQ(rebuilt.store.load_snapshot(1)->bytes, snapshot);
  // The history below the checkpoint may be stored later, and only that.
  const StoredEpoch older = *node_.store.load_epoch(0);
  EXPECT_THROW(rebuilt.store.store_history_epoch(*node_.store.load_epoch(2), signatures), StoreError);
  EXPECT_THROW(node_.store.store_history_epoch(older, signatures), StoreError);
  rebuilt.store.store_history_epoch(older, signatures);
  rebuilt.store.store_history_epoch(older, signatures);  // again: kept as it was
  EXPECT_EQ(rebuilt.store.load_epoch(0)->batches.size(), older.batches.size());
  EXPECT_EQ(rebuilt.store.load_state().lowest_epoch, 0u);
  EXPECT_EQ(number(db2, "SELECT count(*) FROM epochs WHERE epoch = 0 AND trade_count IS NULL"), 1);
  EXPECT_EQ(number(db2, "SELECT count(*) FROM trades"), 0) << "history only: nothing derived";

  // The epochs after it apply as on any node: epoch 2 confirms a report
  // decided before the checkpoint (a row this node does not have), 3 and 4
  // settle trades of both sides of it.
  rebuilt.ledger = std::move(ledger);
  rebuilt.head = checkpoint.audit_head;
  rebuilt.checkpoints = true;
  for (std::uint64_t e = 2; e < day.size(); ++e) (void)rebuilt.apply(e, day[e]);
  EXPECT_EQ(rebuilt.store.load_state().state_digest, node_.store.load_state().state_digest);
  EXPECT_EQ(rebuilt.store.load_state().audit_head, node_.store.load_state().audit_head);
  EXPECT_EQ(number(db2, "SELECT min(seq) FROM audit_log"), 3);
  // Standing state equal to the node that applied every epoch; last_epoch
  // says when this node wrote a row, so it is left out.
  EXPECT_EQ(rows_of(db2, "positions", "true", " - 'last_epoch'"), rows_of(db_, "positions", "true", " - 'last_epoch'"));
  EXPECT_EQ(rows_of(db2, "cash_positions", "net_minor <> 0 OR paid_minor <> 0", " - 'last_epoch'"),
            rows_of(db_, "cash_positions", "net_minor <> 0 OR paid_minor <> 0", " - 'last_epoch'"));
  EXPECT_EQ(rows_of(db2, "securities_balances", "quantity <> 0"), rows_of(db_, "securities_balances", "quantity <> 0"));
  EXPECT_EQ(rows_of(db2, "cash_balances", "amount_minor <> 0"), rows_of(db_, "cash_balances", "amount_minor <> 0"));
  ASSERT_FALSE(rows_of(db2, "positions", "true").empty());
  // History from the checkpoint on is the same, row for row.
  EXPECT_EQ(rows_of(db2, "trades", "true"), rows_of(db_, "trades", "epoch > 1"));
  EXPECT_EQ(rows_of(db2, "epochs", "epoch > 1"), rows_of(db_, "epochs", "epoch > 1"));
  EXPECT_EQ(rows_of(db2, "epochs", "true", " - 'trade_count'"), rows_of(db_, "epochs", "true", " - 'trade_count'"));
  EXPECT_EQ(rows_of(db2, "audit_log", "true"), rows_of(db_, "audit_log", "seq >= 3"));
  for (const char* table : {"settlement_runs", "settlement_run_totals", "net_obligations",
                            "settlement_unmatched_reports", "trade_rejections"}) {
    EXPECT_EQ(rows_of(db2, table, "true"), rows_of(db_, table, table == std::string("trade_rejections") ? "epoch > 1" : "true"))
        << table;
  }
}

TEST_F(NodeStoreTest, SignaturesTokensEventsAndPing) {
  (void)node_.apply(0, the_day()[0]);
  EpochSignature a{2, {}};
  a.signature.fill(0xaa);
  EpochSignature b{0, {}};
  b.signature.fill(0xbb);
  node_.store.store_signatures(0, std::vector<EpochSignature>{a, b});
  EpochSignature a_again = a;
  a_again.signature.fill(0xcc);  // the first one stored is kept
  node_.store.store_signatures(0, std::vector<EpochSignature>{a_again});
  EXPECT_EQ(node_.store.load_signatures(0), (std::vector<EpochSignature>{b, a}));
  EXPECT_TRUE(node_.store.load_signatures(1).empty());
  EXPECT_THROW(node_.store.store_signatures(1, std::vector<EpochSignature>{a}), StoreError);  // not applied

  const Digest token = filled(0x11);
  node_.store.insert_token("A", token, "A's trading desk");
  node_.store.insert_token("A", token, "A's trading desk");  // idempotent
  EXPECT_THROW(node_.store.insert_token("B", token, ""), StoreError);
  EXPECT_EQ(node_.store.member_of_token(token), "A");
  EXPECT_EQ(node_.store.member_of_token(filled(0x12)), std::nullopt);
  EXPECT_TRUE(node_.store.revoke_token(token));
  EXPECT_FALSE(node_.store.revoke_token(token));
  EXPECT_EQ(node_.store.member_of_token(token), std::nullopt);

  node_.store.record_local_event("PEER_CONNECTED", 3, "from 127.0.0.1:7103");
  node_.store.record_local_event("FAULT", std::nullopt, std::string("bad\x01" "frame") + std::string(2000, 'x'));
  EXPECT_THROW(node_.store.record_local_event("peer connected", 1, ""), std::invalid_argument);
  EXPECT_EQ(number(db_, "SELECT count(*) FROM local_events WHERE kind = 'PEER_CONNECTED' AND peer = 3"), 1);
  EXPECT_EQ(number(db_, "SELECT length(detail) FROM local_events WHERE kind = 'FAULT'"),
            static_cast<std::int64_t>(kLocalEventDetailMax));
  EXPECT_EQ(text(db_, "SELECT left(detail, 9) FROM local_events WHERE kind = 'FAULT'"), "bad?frame");
  EXPECT_TRUE(node_.store.ping());
}

TEST(NodeStoreUnreachable, UnreachableDatabaseIsUnavailable) {
  StoreOptions quick;
  quick.connect_timeout_s = 2;
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  EXPECT_THROW(NodeStore("postgresql://postgres@127.0.0.1:1/none", quick), StoreUnavailable);
  EXPECT_THROW(NodeStore("postgresql://127.0.0.1:1/none?options=-csearch_path%3Dx"), std::invalid_argument);
}

// The same database as a key=value connection string (libpq's other form).
std::string keyword_form(const std::string& uri) {
  const std::regex parts(R"(^postgresql://([^@/]+)@([^:/]+):([0-9]+)/(.+)$)");
  std::smatch m;
  if (!std::regex_match(uri, m, parts)) throw std::runtime_error("unexpected test URL " + uri);
  return "host=" + m[2].str() + " port=" + m[3].str() + " dbname=" + m[4].str() + " user=" + m[1].str();
}

class NodeStoreConnection : public ::testing::TestWithParam<bool> {};

TEST_P(NodeStoreConnection, StatementTimeoutAndLostConnectionAreUnavailable) {
  PgTestDatabase pg;
  const Node node(pg.url(), 0);
  StoreOptions options;
  options.statement_timeout_ms = 200;
  NodeStore store(GetParam() ? pg.url() : keyword_form(pg.url()), options);
  store.record_entered_epoch(0);
  pqxx::connection other(pg.url());
  {
    // The epoch writer holds node_state's row while it commits: entering an
    // epoch must not wait for that (schema/0014).
    pqxx::work writer(other);
    writer.exec("SELECT * FROM node_state FOR UPDATE");
    EXPECT_NO_THROW(store.record_entered_epoch(1));
  }
  // Hold the entered epoch's own row from another connection: the next
  // write waits past its statement timeout.
  {
    pqxx::work blocker(other);
    blocker.exec("SELECT * FROM node_entered_epoch FOR UPDATE");
    EXPECT_THROW(store.record_entered_epoch(2), StoreUnavailable);
  }
  store.record_entered_epoch(1);  // the store reconnected
  // The server ends the store's idle session (and waits until it has gone):
  // the next call finds that out first and runs on a new connection.
  {
    pqxx::nontransaction admin(other);
    admin.exec("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
               "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  }
  store.record_entered_epoch(2);
  EXPECT_EQ(store.load_state().entered_epoch, 2u);
  store.record_entered_epoch(3);
  EXPECT_EQ(store.load_state().entered_epoch, 3u);
  EXPECT_TRUE(store.ping());
}

INSTANTIATE_TEST_SUITE_P(UrlForms, NodeStoreConnection, ::testing::Bool(),
                         [](const auto& param_info) { return param_info.param ? "uri" : "keywords"; });

TEST(NodeStoreBulk, CopyAndValuesWriteIdenticalRows) {
  PgTestDatabase copy_db;
  PgTestDatabase values_db;
  StoreOptions values;
  values.bulk = BulkMethod::kValues;
  Node by_copy(copy_db.url(), 0);
  Node by_values(values_db.url(), 0, values);
  const std::vector<Batches> day = the_day();
  for (std::size_t e = 0; e < day.size(); ++e) {
    (void)by_copy.apply(e, day[e]);
    (void)by_values.apply(e, day[e]);
  }
  pqxx::connection a(copy_db.url());
  pqxx::connection b(values_db.url());
  const auto digests = table_digests(a);
  EXPECT_EQ(digests, table_digests(b));
  EXPECT_NE(digests.at("trades"), "");
}

// The store thread commits every epoch waiting in its queue in one
// transaction; the rows must be what committing them one by one leaves.
TEST(NodeStoreGroup, EpochsInOneTransactionWriteWhatOneAtATimeWrites) {
  PgTestDatabase single_db;
  PgTestDatabase group_db;
  Node one_by_one(single_db.url(), 0);
  Node grouped(group_db.url(), 0);
  const std::vector<Batches> day = the_day();
  for (std::size_t e = 0; e < day.size(); ++e) (void)one_by_one.apply(e, day[e]);
  // The grouped node's ledger runs ahead of its store, as the core does.
  std::vector<std::vector<EpochBatch>> batches;
  std::vector<EpochResult> results;
  std::vector<Digest> outputs;
  std::vector<Digest> heads;
  Digest head{};
  for (std::uint64_t e = 0; e < day.size(); ++e) {
    batches.push_back(views(day[e]));
    results.push_back(grouped.ledger.apply(e, batches.back()));
    outputs.push_back(output_digest(e, batches.back()));
    head = audit_link(head, e, outputs.back(), results.back().state_digest);
    heads.push_back(head);
  }
  std::vector<EpochToWrite> rows;
  for (std::uint64_t e = 0; e < day.size(); ++e) {
    rows.push_back(EpochToWrite{e, batches[e], results[e], grouped.ledger.reference(), outputs[e], heads[e]});
  }
  const std::span<const EpochToWrite> all(rows);
  ASSERT_EQ(grouped.store.apply_epochs(all.first(1), false), 1u);
  pqxx::connection db(group_db.url());
  const auto after_first = table_digests(db);
  // A bad epoch late in a group leaves nothing of the group.
  const Digest wrong_head{};
  std::vector<EpochToWrite> broken;
  for (std::uint64_t e = 1; e < day.size(); ++e) {
    broken.push_back(EpochToWrite{e, batches[e], results[e], grouped.ledger.reference(), outputs[e],
                                  e == 3 ? wrong_head : heads[e]});
  }
  EXPECT_THROW((void)grouped.store.apply_epochs(broken, true), StoreError);
  EXPECT_EQ(table_digests(db), after_first);
  EXPECT_THROW((void)grouped.store.apply_epochs(all.subspan(2), true), EpochOutOfOrder);
  EXPECT_THROW((void)grouped.store.apply_epochs(all, false), EpochAlreadyApplied);
  EXPECT_EQ(table_digests(db), after_first);
  // The stored front is skipped (a retry after a commit whose answer was
  // lost); the rest goes in as one.
  EXPECT_EQ(grouped.store.apply_epochs(all, true), day.size() - 1);
  EXPECT_EQ(grouped.store.apply_epochs(all, true), 0u);
  pqxx::connection single(single_db.url());
  const auto digests = table_digests(single);
  EXPECT_EQ(table_digests(db), digests);
  EXPECT_NE(digests.at("positions"), "");
  EXPECT_EQ(grouped.store.load_state().audit_head, one_by_one.head);
  EXPECT_EQ(grouped.store.load_state().last_applied_epoch, day.size() - 1);
}

}  // namespace
}  // namespace quorumclear::store
