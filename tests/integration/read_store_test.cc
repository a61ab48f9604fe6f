// Proves that ReadStore reads back what a real ledger decided and NodeStore
// wrote: key states of new, decided, received and corrected keys; a report
// with its counterparty's side, and a received-only one as RECEIVED; lists
// that page every row exactly once, keep to their member scope, and refuse
// cursors they did not issue; allegations; positions, cash and balances; a
// settlement run with its obligations and unmatched reports; an epoch with
// its signatures; and an audit chain whose links verify and carry each
// epoch's changes. A bulk of 10,000 keys is read in two queries (timed).
#include "services/store/node_store.h"
#include "services/store/read_store.h"
#include "settlement/digest.h"
#include "settlement/ledger.h"
#include "settlement/money.h"
#include "settlement/test_support.h"
#include "tests/integration/pg_test_database.h"
#include "tests/integration/store_test_node.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <set>

namespace quorumclear::store {
namespace {

using namespace quorumclear::settlement;
using quorumclear::testing::PgTestDatabase;
using settlement::testing::batch_of;
using settlement::testing::counter_report;
using settlement::testing::kThursday;
using settlement::testing::kWednesday;
using ::testing::ElementsAre;

using quorumclear::testing::Batches;
using quorumclear::testing::received;

const MemberId kA = MemberId::of("A");
const MemberId kB = MemberId::of("B");
const MemberId kC = MemberId::of("C");
const MemberId kOps = MemberId::of("OPS");
const Isin& kSecond = quorumclear::testing::kSecondIsin;

// The shared network, with holdings and open reports enough for the bulk.
Genesis genesis() {
  Genesis g = quorumclear::testing::store_test_genesis(Quantity{100'000});
  g.max_open_reports_per_member = 20'000;
  return g;
}

Trade trade(std::string_view id, std::string_view submitter, std::string_view buyer, std::string_view seller,
            std::int64_t quantity, std::int64_t cents = 1000) {
  return quorumclear::testing::reported_trade(id, submitter, buyer, seller, quantity, cents, kWednesday);
}

// The content hash a report's key keeps.
Digest content_hash(const Trade& t) { return entry_content_hash(encode_entry(t)); }

struct Node : quorumclear::testing::StoreTestNode {
  explicit Node(const std::string& url) : StoreTestNode(genesis(), url, 0) {}
};

// The day. T1 matched, T2 alleged then cancelled, T3 refused, T8 a venue
// trade (epoch 0); T4 alleged by B, T5 by C against A, T6 mismatched,
// T7 mismatched for good, T10 C against B, T11 A against C beside B
// against A, an unkeyed refusal, T2's cancel (1); A's side of T4, A's
// correction of T6, a funding by f + 1 nodes (2); Wednesday's cut-off (3).
const Trade kT1 = trade("T1", "A", "A", "B", 100);
const Trade kT4 = trade("T4", "B", "A", "B", 30, 1010);
const Trade kT6 = [] {
  Trade t = trade("T6", "A", "A", "B", 7, 990);
  t.isin = kSecond;
  return t;
}();
const Trade kT6Fixed = [] {
  Trade t = kT6;
  t.quantity = Quantity{8};
  return t;
}();
const Trade kT9 = trade("T9", "A", "A", "B", 9);

std::vector<Batches> the_day() {
  Trade t6_b = counter_report(kT6Fixed);
  Trade t7_b = counter_report(trade("T7", "A", "A", "B", 5));
  t7_b.price = Price{1001};
  Trade junk = trade("T-x", "A", "A", "B", 1);
  junk.trade_id = TradeId::of("bad id");
  const Funding funding{kOps, ControlRef::of("F-1"), kA, AssetKind::kCash, AssetCode::of("EUR"), 500};
  const CutOff cut_off{kOps, kWednesday};
  return {
      {{0, batch_of({kT1, trade("T2", "A", "A", "C", 5), trade("T3", "A", "A", "B", 0)})},
       {1, batch_of({counter_report(kT1)})},
       {3, batch_of({trade("T8", "V", "A", "B", 20, 1050)})}},
      {{0, batch_of({kT6, trade("T7", "A", "A", "B", 5), trade("T11", "A", "A", "C", 3), junk,
                     TradeCancel{TradeId::of("T2"), kA}})},
       {1, batch_of({kT4, t6_b, t7_b, trade("T11", "B", "A", "B", 3)})},
       {2, batch_of({trade("T5", "C", "A", "C", 11), trade("T10", "C", "C", "B", 12)})}},
      {{0, batch_of({counter_report(kT4), kT6Fixed, funding})}, {1, batch_of({funding})}},
      {{0, batch_of({cut_off})}, {1, batch_of({cut_off})}},
  };
}

std::string key_of(const TradeRow& r) {
  return std::string(r.report.submitter.view()) + "/" + std::string(r.report.trade_id.view());
}

// Every page of a list at `limit`, following next_cursor; fails on a loop.
template <class T, class Fetch>
std::vector<T> all_pages(Fetch&& fetch, std::uint32_t limit) {
  std::vector<T> out;
  std::string cursor;
  for (int pages = 0; pages < 1000; ++pages) {
    Page<T> page = fetch(cursor, limit);
    EXPECT_LE(page.items.size(), limit);
    out.insert(out.end(), page.items.begin(), page.items.end());
    if (page.next_cursor.empty()) return out;
    EXPECT_EQ(page.items.size(), limit) << "only a full page has a next page";
    cursor = page.next_cursor;
  }
  ADD_FAILURE() << "paging did not end";
  return out;
}

class ReadStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node = std::make_unique<Node>(db.url());
    for (const Batches& b : the_day()) results.push_back(node->apply(b));
    reads = std::make_unique<ReadStore>(db.url());
  }
  PgTestDatabase db;
  std::unique_ptr<Node> node;
  std::vector<EpochResult> results;
  std::unique_ptr<ReadStore> reads;
};

TEST_F(ReadStoreTest, KeyStatesForNewDecidedReceivedAndCorrectedKeys) {
  const Trade t3_fixed = trade("T3", "A", "A", "B", 3);
  (void)node->store.insert_received(std::vector<ReceivedReport>{received(kT9), received(t3_fixed)});
  const std::vector<std::string> ids = {"T1", "T6", "T9", "T3", "NEW", "bad id", "T1"};
  const std::vector<KeyState> k = reads->key_states("A", ids);
  ASSERT_EQ(k.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(k[i].trade_id.view(), ids[i]);

  ASSERT_TRUE(k[0].current);  // T1: decided once, in epoch 0
  EXPECT_EQ(k[0].current->version, 1);
  EXPECT_EQ(k[0].current->status, TradeStatus::kConfirmed);
  EXPECT_EQ(k[0].current->epoch, 0u);
  EXPECT_THAT(k[0].decided_hashes, ElementsAre(content_hash(kT1)));
  EXPECT_TRUE(k[0].pending.empty());

  ASSERT_TRUE(k[1].current);  // T6: corrected; both versions' hashes
  EXPECT_EQ(k[1].current->version, 2);
  EXPECT_EQ(k[1].current->status, TradeStatus::kConfirmed);
  EXPECT_EQ(k[1].current->epoch, 2u);
  EXPECT_THAT(k[1].decided_hashes, ElementsAre(content_hash(kT6), content_hash(kT6Fixed)));

  EXPECT_FALSE(k[2].current);  // T9: received only
  EXPECT_TRUE(k[2].decided_hashes.empty());
  ASSERT_EQ(k[2].pending.size(), 1u);
  EXPECT_EQ(k[2].pending[0].content_hash, content_hash(kT9));
  EXPECT_FALSE(k[2].pending[0].is_cancel);

  ASSERT_TRUE(k[3].current);  // T3: refused, a correction received
  EXPECT_EQ(k[3].current->status, TradeStatus::kRejected);
  EXPECT_EQ(k[3].current->reason, Reason::kQuantityNotPositive);
  EXPECT_EQ(k[3].current->field, "quantity");
  ASSERT_EQ(k[3].pending.size(), 1u);
  EXPECT_EQ(k[3].pending[0].content_hash, content_hash(t3_fixed));

  for (std::size_t i : {4u, 5u}) {  // new, and no trade id at all
    EXPECT_FALSE(k[i].current);
    EXPECT_TRUE(k[i].decided_hashes.empty());
    EXPECT_TRUE(k[i].pending.empty());
  }
  EXPECT_EQ(k[6].decided_hashes, k[0].decided_hashes);
  EXPECT_THROW((void)reads->key_states("not a member", ids), std::invalid_argument);
}

TEST_F(ReadStoreTest, TradeWithCounterpartyAndReceivedOnly) {
  const std::optional<TradeRow> t1 = reads->trade("A", "T1");
  ASSERT_TRUE(t1);
  EXPECT_EQ(t1->report, kT1);
  EXPECT_EQ(t1->status, TradeStatus::kConfirmed);
  EXPECT_EQ(t1->epoch, 0u);
  EXPECT_EQ(t1->consideration.minor, 100'000);
  EXPECT_EQ(t1->currency_minor_units, 2);
  EXPECT_FALSE(t1->locked_in);
  EXPECT_EQ(t1->matched_submitter, kB);
  EXPECT_EQ(t1->booked_business_date, kWednesday);
  EXPECT_EQ(t1->booked_settlement_date, kWednesday);
  ASSERT_TRUE(t1->counterparty);
  EXPECT_EQ(t1->counterparty->member, kB);
  EXPECT_EQ(t1->counterparty->status, TradeStatus::kConfirmed);
  EXPECT_EQ(t1->counterparty->version, 1);

  const std::optional<TradeRow> t4 = reads->trade("B", "T4");  // matched an epoch later
  ASSERT_TRUE(t4);
  EXPECT_EQ(t4->status, TradeStatus::kConfirmed);
  EXPECT_EQ(t4->epoch, 1u);
  EXPECT_EQ(t4->status_epoch, 2u);
  EXPECT_EQ(t4->counterparty->status, TradeStatus::kConfirmed);

  const std::optional<TradeRow> t5 = reads->trade("C", "T5");  // A never answered
  ASSERT_TRUE(t5 && t5->counterparty);
  EXPECT_EQ(t5->status, TradeStatus::kAlleged);
  EXPECT_EQ(t5->counterparty->member, kA);
  EXPECT_FALSE(t5->counterparty->status);

  const std::optional<TradeRow> t11 = reads->trade("B", "T11");  // A's T11 names another seller
  ASSERT_TRUE(t11 && t11->counterparty);
  EXPECT_FALSE(t11->counterparty->status);

  const std::optional<TradeRow> t7 = reads->trade("A", "T7");
  ASSERT_TRUE(t7);
  EXPECT_EQ(t7->status, TradeStatus::kMismatched);
  EXPECT_EQ(t7->reason, Reason::kFieldMismatch);
  EXPECT_EQ(t7->field, "price");
  EXPECT_EQ(t7->counterparty->status, TradeStatus::kMismatched);

  const std::optional<TradeRow> t8 = reads->trade("V", "T8");  // locked-in: no counterparty side
  ASSERT_TRUE(t8);
  EXPECT_TRUE(t8->locked_in);
  EXPECT_EQ(t8->status, TradeStatus::kConfirmed);
  EXPECT_FALSE(t8->counterparty);

  const std::optional<TradeRow> t2 = reads->trade("A", "T2");
  ASSERT_TRUE(t2);
  EXPECT_EQ(t2->status, TradeStatus::kCancelled);

  EXPECT_FALSE(reads->trade("A", "T9"));
  (void)node->store.insert_received(std::vector<ReceivedReport>{received(kT9)});
  const std::optional<TradeRow> t9 = reads->trade("A", "T9");
  ASSERT_TRUE(t9);
  EXPECT_FALSE(t9->status);  // RECEIVED
  EXPECT_EQ(t9->report, kT9);
  EXPECT_EQ(t9->version, 1);
  EXPECT_FALSE(t9->epoch);
  EXPECT_EQ(t9->currency_minor_units, 2);
  ASSERT_TRUE(t9->counterparty);
  EXPECT_EQ(t9->counterparty->member, kB);

  // A received cancel alone shows nothing; neither does a bad trade id.
  (void)node->store.insert_received(std::vector<ReceivedReport>{received(TradeCancel{TradeId::of("T12"), kA})});
  EXPECT_FALSE(reads->trade("A", "T12"));
  EXPECT_FALSE(reads->trade("A", "bad id"));
}

TEST_F(ReadStoreTest, TradesPageEveryRowOnceAndKeepToTheirScope) {
  const Page<TradeRow> whole = reads->trades(std::nullopt, std::nullopt, std::nullopt, "", kReadPageMax);
  EXPECT_TRUE(whole.next_cursor.empty());
  std::vector<std::string> keys;
  for (const TradeRow& r : whole.items) keys.push_back(key_of(r));
  // Current versions only (T6 once, at version 2), in key order.
  EXPECT_THAT(keys, ElementsAre("A/T1", "A/T11", "A/T2", "A/T3", "A/T4", "A/T6", "A/T7", "B/T1", "B/T11",
                                "B/T4", "B/T6", "B/T7", "C/T10", "C/T5", "V/T8"));
  EXPECT_EQ(whole.items[5].version, 2);
  for (std::uint32_t limit : {1u, 2u, 4u}) {
    const auto pages = all_pages<TradeRow>(
        [&](const std::string& c, std::uint32_t l) { return reads->trades(std::nullopt, std::nullopt, std::nullopt, c, l); },
        limit);
    std::vector<std::string> paged;
    for (const TradeRow& r : pages) paged.push_back(key_of(r));
    EXPECT_EQ(paged, keys) << "limit " << limit;
  }
  for (const MemberId& m : {kA, kB, kC}) {
    const auto mine = all_pages<TradeRow>(
        [&](const std::string& c, std::uint32_t l) { return reads->trades(m, std::nullopt, std::nullopt, c, l); }, 2);
    EXPECT_FALSE(mine.empty());
    for (const TradeRow& r : mine) EXPECT_EQ(r.report.submitter, m);
  }
  const Page<TradeRow> confirmed = reads->trades(kA, TradeStatus::kConfirmed, kWednesday, "", 100);
  std::vector<std::string> booked;
  for (const TradeRow& r : confirmed.items) booked.push_back(key_of(r));
  EXPECT_THAT(booked, ElementsAre("A/T1", "A/T4", "A/T6"));
  EXPECT_TRUE(reads->trades(kA, TradeStatus::kReplaced, std::nullopt, "", 100).items.empty());
  EXPECT_TRUE(reads->trades(kA, std::nullopt, kThursday, "", 100).items.empty());
}

TEST_F(ReadStoreTest, AllegationsWaitForTheMembersOwnSide) {
  const auto named = [&](const MemberId& m) {
    std::vector<std::string> keys;
    for (const TradeRow& r : all_pages<TradeRow>(
             [&](const std::string& c, std::uint32_t l) { return reads->allegations(m, c, l); }, 1)) {
      keys.push_back(key_of(r));
    }
    return keys;
  };
  // A: C's T5, and B's T11 (A's own T11 names C); not B's T7 (A's own
  // mismatched report answers it) nor anything matched.
  EXPECT_THAT(named(kA), ElementsAre("B/T11", "C/T5"));
  EXPECT_THAT(named(kB), ElementsAre("C/T10"));
  EXPECT_THAT(named(kC), ElementsAre("A/T11"));
}

TEST_F(ReadStoreTest, PositionsCashAndBalances) {
  const auto positions = all_pages<PositionRow>(
      [&](const std::string& c, std::uint32_t l) { return reads->positions(std::nullopt, std::nullopt, std::nullopt, c, l); },
      1);
  ASSERT_EQ(positions.size(), 4u);  // A and B in ACME and the second instrument
  const ReferenceData& ref = node->ledger.reference();
  for (const PositionRow& p : positions) {
    const PositionCell cell =
        node->ledger.position(*ref.find_member(p.member), *ref.find_instrument(p.isin), p.settlement_date);
    EXPECT_EQ(p.bought, cell.bought);
    EXPECT_EQ(p.sold, cell.sold);
    EXPECT_EQ(p.net, cell.net());
    EXPECT_EQ(p.paid_minor, cell.paid_minor);
    EXPECT_EQ(p.received_minor, cell.received_minor);
    EXPECT_EQ(p.currency, CurrencyCode::of("EUR"));
    EXPECT_EQ(p.minor_units, 2);
  }
  const auto second = reads->positions(kA, kSecond, kWednesday, "", 10).items;
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].bought, 8);

  const auto cash = all_pages<CashRow>(
      [&](const std::string& c, std::uint32_t l) { return reads->cash(std::nullopt, std::nullopt, std::nullopt, c, l); }, 1);
  ASSERT_EQ(cash.size(), 2u);
  for (const CashRow& c : cash) {
    const CashCell cell = node->ledger.cash_position(*ref.find_member(c.member), CurrencyIndex{0}, c.settlement_date);
    EXPECT_EQ(c.received_minor, cell.received);
    EXPECT_EQ(c.paid_minor, cell.paid);
    EXPECT_EQ(c.net_minor, cell.net());
  }
  EXPECT_EQ(reads->cash(kB, CurrencyCode::of("EUR"), std::nullopt, "", 10).items.size(), 1u);
  EXPECT_TRUE(reads->cash(kC, std::nullopt, std::nullopt, "", 10).items.empty());

  const auto everyone = all_pages<BalanceRow>(
      [&](const std::string& c, std::uint32_t l) { return reads->balances(std::nullopt, c, l); }, 2);
  std::set<std::string> seen;
  bool ccp = false;
  for (const BalanceRow& b : everyone) {
    EXPECT_TRUE(seen.insert(std::string(b.account.view()) + "/" + std::string(b.asset.view())).second);
    const AccountIndex account = *ref.find_account(b.account);
    const std::uint32_t asset = b.kind == AssetKind::kCash
                                    ? ref.find_currency(CurrencyCode::of(b.asset.view()))->value
                                    : ref.find_instrument(Isin::of(b.asset.view()))->value;
    EXPECT_EQ(b.amount, node->ledger.balance(account, b.kind, asset)) << b.account.view() << " " << b.asset.view();
    EXPECT_EQ(b.minor_units, b.kind == AssetKind::kCash ? 2 : 0);
    ccp = ccp || b.account == kCcpAccountId;
  }
  EXPECT_TRUE(ccp);
  EXPECT_GE(everyone.size(), 9u);
  for (const BalanceRow& b : reads->balances(kA, "", kReadPageMax).items) EXPECT_EQ(b.account, kA);
  EXPECT_TRUE(reads->balances(kCcpAccountId, "", 10).items.empty());
}

TEST_F(ReadStoreTest, SettlementRunWithObligationsAndUnmatched) {
  const SettlementReport& report = results[3].reports.at(0);
  const Page<RunRow> runs = reads->settlement_runs("", 10);
  ASSERT_EQ(runs.items.size(), 1u);
  const RunRow& run = runs.items[0];
  EXPECT_EQ(run.business_date, kWednesday);
  EXPECT_EQ(run.cutoff_epoch, 3u);
  EXPECT_EQ(run.report_digest, report.digest);
  EXPECT_EQ(run.status, report.status);
  ASSERT_EQ(run.totals.size(), report.totals.size());
  EXPECT_EQ(run.totals[0].gross_minor, report.totals[0].gross_minor);
  EXPECT_EQ(run.totals[0].net_minor, report.totals[0].net_minor);
  EXPECT_EQ(run.totals[0].trade_count, report.totals[0].trade_count);
  EXPECT_EQ(run.totals[0].efficiency_bps, report.totals[0].efficiency_bps);

  const std::optional<RunDetail> all = reads->settlement_run(kWednesday, std::nullopt);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->obligations.size(), report.obligations.size());
  for (const ObligationRow& o : all->obligations) {
    const auto it = std::find_if(report.obligations.begin(), report.obligations.end(), [&](const Obligation& r) {
      return node->ledger.reference().member(r.member).id == o.member && r.kind == o.kind &&
             r.origin_date == o.origin_date &&
             (r.kind == AssetKind::kCash
                  ? node->ledger.reference().currency(CurrencyIndex{static_cast<std::uint8_t>(r.asset)}).code.view() ==
                        o.asset.view()
                  : node->ledger.reference().instrument(InstrumentIndex{r.asset}).isin.view() == o.asset.view());
    });
    ASSERT_NE(it, report.obligations.end());
    EXPECT_EQ(o.net_amount, it->net_amount);
    EXPECT_EQ(o.value_minor, it->value_minor);
    EXPECT_EQ(o.mark_minor, it->mark_minor);
    EXPECT_EQ(o.settled_amount, it->settled_amount);
    EXPECT_EQ(o.status, it->status);
    EXPECT_EQ(o.direction, direction(*it));
    EXPECT_EQ(o.currency, CurrencyCode::of("EUR"));
  }
  EXPECT_EQ(all->unmatched.size(), report.unmatched.size());

  const std::optional<RunDetail> a = reads->settlement_run(kWednesday, kA);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->obligations.empty());
  for (const ObligationRow& o : a->obligations) EXPECT_EQ(o.member, kA);
  bool c_t5 = false;
  for (const UnmatchedRow& u : a->unmatched) {
    EXPECT_TRUE(u.submitter == kA || u.counterparty == kA);
    c_t5 = c_t5 || (u.submitter == kC && u.trade_id.view() == "T5");
  }
  EXPECT_TRUE(c_t5);
  const std::optional<RunDetail> b = reads->settlement_run(kWednesday, kB);
  ASSERT_TRUE(b);
  for (const UnmatchedRow& u : b->unmatched) {
    EXPECT_TRUE(u.submitter == kB || u.counterparty == kB);
  }
  EXPECT_FALSE(reads->settlement_run(kThursday, std::nullopt));
  EXPECT_EQ(reads->open_date().business_date, kThursday);
  EXPECT_EQ(reads->open_date().last_applied_epoch, 3u);
}

TEST_F(ReadStoreTest, EpochWithSignatures) {
  std::vector<EpochSignature> sigs;
  for (std::uint16_t n = 0; n < 3; ++n) {
    EpochSignature s;
    s.node_id = n;
    s.signature.fill(static_cast<std::uint8_t>(n + 1));
    sigs.push_back(s);
  }
  node->store.store_signatures(0, std::span<const EpochSignature>(sigs).first(2));
  std::optional<EpochRow> e = reads->epoch(0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->output_digest, node->outputs[0]);
  EXPECT_EQ(e->state_digest, results[0].state_digest);
  EXPECT_EQ(e->batch_count, 3u);
  EXPECT_EQ(e->trade_count, results[0].trades.size());
  EXPECT_EQ(e->signatures.size(), 2u);
  EXPECT_FALSE(e->certified);  // 2f + 1 = 3
  node->store.store_signatures(0, sigs);
  e = reads->epoch(0);
  EXPECT_EQ(e->signatures, sigs);
  EXPECT_TRUE(e->certified);
  EXPECT_EQ(reads->epoch(3)->audit_head, node->head);
  EXPECT_FALSE(reads->epoch(4));
}

TEST_F(ReadStoreTest, AuditLinksVerifyAndCarryTheEpochsChanges) {
  const AuditPage first = reads->audit(std::nullopt, 2);
  ASSERT_EQ(first.links.size(), 2u);
  EXPECT_EQ(first.next_after_epoch, 1u);
  const AuditPage second = reads->audit(first.next_after_epoch, 2);
  ASSERT_EQ(second.links.size(), 2u);
  EXPECT_FALSE(second.next_after_epoch);
  std::vector<AuditLinkRow> links = first.links;
  links.insert(links.end(), second.links.begin(), second.links.end());
  Digest prev{};
  for (std::uint64_t e = 0; e < links.size(); ++e) {
    const AuditLinkRow& l = links[e];
    EXPECT_EQ(l.epoch, e);
    EXPECT_EQ(l.prev_hash, prev);
    Sha256 h;
    h.update(l.prev_hash);
    h.update(audit_record(e, l.output_digest, l.state_digest));
    EXPECT_EQ(l.entry_hash, h.finish());
    EXPECT_EQ(l.output_digest, node->outputs[e]);
    EXPECT_EQ(l.state_digest, results[e].state_digest);
    prev = l.entry_hash;
  }
  EXPECT_EQ(prev, node->head);

  const auto find = [](const AuditLinkRow& l, std::string_view submitter, std::string_view id, int version) {
    return std::find_if(l.reports.begin(), l.reports.end(), [&](const AuditReport& r) {
      return r.submitter.view() == submitter && r.trade_id.view() == id && r.version == version;
    });
  };
  // Epoch 0: T1's two sides confirmed as they arrived; T3 refused.
  EXPECT_EQ(find(links[0], "A", "T1", 1)->status, TradeStatus::kConfirmed);
  EXPECT_TRUE(find(links[0], "B", "T1", 1)->arrived);
  EXPECT_EQ(find(links[0], "A", "T3", 1)->reason, Reason::kQuantityNotPositive);
  // Epoch 1: A's T6 arrived (mismatched then) and was replaced in epoch 2;
  // the unkeyed refusal; T2 cancelled (an epoch-0 version changed in 1).
  const auto t6 = find(links[1], "A", "T6", 1);
  ASSERT_NE(t6, links[1].reports.end());
  EXPECT_TRUE(t6->arrived);
  EXPECT_EQ(t6->superseded_in, 2u);
  EXPECT_EQ(t6->status, TradeStatus::kReplaced);
  ASSERT_EQ(links[1].refusals.size(), 1u);
  EXPECT_EQ(links[1].refusals[0].reason, Reason::kTradeIdInvalid);
  EXPECT_EQ(links[1].refusals[0].trade_id.view(), "bad id");
  const auto t2 = find(links[1], "A", "T2", 1);
  ASSERT_NE(t2, links[1].reports.end());
  EXPECT_FALSE(t2->arrived);
  EXPECT_EQ(t2->status, TradeStatus::kCancelled);
  // Epoch 2: B's T4 and T6 confirmed by A's reports; the funding's two votes.
  EXPECT_FALSE(find(links[2], "B", "T4", 1)->arrived);
  EXPECT_EQ(find(links[2], "B", "T6", 1)->status, TradeStatus::kConfirmed);
  EXPECT_EQ(find(links[2], "A", "T6", 2)->status, TradeStatus::kConfirmed);
  ASSERT_EQ(links[2].controls.size(), 2u);
  EXPECT_EQ(links[2].controls[0].kind, ControlKind::kFunding);
  EXPECT_EQ(links[2].controls[0].reference, "F-1");
  EXPECT_EQ(links[2].controls[0].operator_id, kOps);
  EXPECT_EQ(links[2].controls[0].status, ControlStatus::kPending);
  EXPECT_EQ(links[2].controls[1].status, ControlStatus::kApplied);
  EXPECT_EQ(links[2].controls[1].proposer, 1);
  // Epoch 3: the cut-off and its run.
  ASSERT_EQ(links[3].controls.size(), 2u);
  EXPECT_EQ(links[3].controls[1].kind, ControlKind::kCutOff);
  EXPECT_EQ(links[3].controls[1].business_date, kWednesday);
  ASSERT_EQ(links[3].runs.size(), 1u);
  EXPECT_EQ(links[3].runs[0].report_digest, results[3].reports[0].digest);

  EXPECT_TRUE(reads->audit(3u, 10).links.empty());
  EXPECT_THROW((void)reads->audit(std::nullopt, 0), std::invalid_argument);
  EXPECT_THROW((void)reads->audit(std::nullopt, kAuditPageMax + 1), std::invalid_argument);
}

TEST_F(ReadStoreTest, CursorsNotIssuedForTheQueryAreRefused) {
  const std::string trades = reads->trades(kA, std::nullopt, std::nullopt, "", 1).next_cursor;
  const std::string positions = reads->positions(std::nullopt, std::nullopt, std::nullopt, "", 1).next_cursor;
  ASSERT_FALSE(trades.empty());
  ASSERT_FALSE(positions.empty());
  EXPECT_NO_THROW((void)reads->trades(kA, std::nullopt, std::nullopt, trades, 1));
  const auto refused = [&](const std::string& cursor) {
    EXPECT_THROW((void)reads->trades(kA, std::nullopt, std::nullopt, cursor, 1), InvalidCursor) << cursor;
  };
  refused("abc");
  refused("!!!!");
  refused(positions);  // another list
  EXPECT_THROW((void)reads->trades(kB, std::nullopt, std::nullopt, trades, 1), InvalidCursor);  // another scope
  EXPECT_THROW((void)reads->trades(kA, TradeStatus::kAlleged, std::nullopt, trades, 1), InvalidCursor);
  EXPECT_THROW((void)reads->allegations(kA, trades, 1), InvalidCursor);
  std::string tampered = trades;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  refused(tampered);
  refused(trades + "AA");  // trailing bytes
  refused(trades.substr(0, trades.size() - 1));
  refused(std::string(600, 'A'));
  EXPECT_THROW((void)reads->settlement_runs(positions, 1), InvalidCursor);
  EXPECT_THROW((void)reads->trades(kA, std::nullopt, std::nullopt, "", 0), std::invalid_argument);
  EXPECT_THROW((void)reads->trades(kA, std::nullopt, std::nullopt, "", kReadPageMax + 1), std::invalid_argument);
}

// 10,000 keys of one member, as a bulk submission checks them: decided and
// received, two queries. Prints the time; bounds it loosely (2 cores shared).
TEST(ReadStoreBulk, KeyStatesOfTenThousandKeys) {
  PgTestDatabase db;
  Node node(db.url());
  constexpr int kKeys = 10'000;
  constexpr int kPerEpoch = 2'500;
  std::vector<std::string> ids;
  for (int e = 0; e < kKeys / kPerEpoch; ++e) {
    std::vector<Entry> entries;
    for (int i = 0; i < kPerEpoch; ++i) {
      ids.push_back("BULK-" + std::to_string(e * kPerEpoch + i));
      entries.emplace_back(trade(ids.back(), "A", "A", "B", 1 + i % 50));
    }
    (void)node.apply({{0, batch_of(std::move(entries))}});
  }
  std::vector<ReceivedReport> pending;
  for (int i = 0; i < kKeys; i += 2) pending.push_back(received(trade(ids[static_cast<std::size_t>(i)], "A", "A", "B", 99)));
  (void)node.store.insert_received(pending);
  ReadStore reads(db.url());
  std::vector<KeyState> states;
  double best_ms = 1e9;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    states = reads.key_states("A", ids);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    best_ms = std::min(best_ms, took.count());
  }
  std::cout << "key_states: " << kKeys << " keys (all decided, half with a received row) in " << best_ms
            << " ms (best of 3)\n";
  ASSERT_EQ(states.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_TRUE(states[i].current) << ids[i];
    EXPECT_EQ(states[i].current->status, TradeStatus::kAlleged);
    EXPECT_EQ(states[i].decided_hashes.size(), 1u);
    EXPECT_EQ(states[i].pending.size(), i % 2 == 0 ? 1u : 0u);
  }
  EXPECT_LT(best_ms, 2'000.0);
  const std::vector<std::string> too_many(kKeyStatesMax + 1, "X");
  EXPECT_THROW((void)reads.key_states("A", too_many), std::invalid_argument);
}

}  // namespace
}  // namespace quorumclear::store
