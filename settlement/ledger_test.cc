// Proves the ledger's rules on hand-computed examples: the three-member
// netting example of DOMAIN.md, a settlement fail carried forward, duplicate
// and conflicting resubmissions, the cut-off roll, limits, suspension,
// proposer binding, replay, and undecodable batches; control entries are
// proposed by f+1 = 2 of the 5 nodes, as the operator's requests would be.
// Every trade is reported by both its parties, each from its own node, and
// books when the second report matches the first (ledger.h, "Matching").
#include "settlement/ledger.h"

#include "settlement/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

namespace quorumclear::settlement {
namespace {

using testing::acme_trade;
using testing::kAcme;
using testing::kFriday;
using testing::kMonday;
using testing::kThursday;
using testing::kWednesday;

constexpr std::uint16_t kNodeA = 0, kNodeB = 1, kNodeC = 2, kNodeD = 3, kNodeOps = 4;

class LedgerTest : public ::testing::Test {
 protected:
  void start(const Genesis& genesis) {
    ledger_.emplace(testing::load(genesis), LedgerOptions{{1, 2}, true, 0});
    next_epoch_ = 0;
  }
  EpochResult run(const std::vector<std::pair<std::uint16_t, std::vector<Entry>>>& batches) {
    std::vector<std::pair<std::uint16_t, Bytes>> encoded;
    for (const auto& [node, entries] : batches) encoded.emplace_back(node, testing::batch_of(entries));
    EpochResult r = testing::apply_epoch(*ledger_, next_epoch_++, encoded);
    EXPECT_EQ(r.status, ApplyStatus::kApplied);
    return r;
  }
  /// One epoch in which both parties report each of `trades`, each from its
  /// own node (testing::matched_batches).
  EpochResult run_matched(const std::vector<Trade>& trades) {
    EpochResult r = testing::apply_epoch(*ledger_, next_epoch_++, testing::matched_batches(ref(), trades));
    EXPECT_EQ(r.status, ApplyStatus::kApplied);
    return r;
  }
  /// The counterparty's own report of `t`.
  static Trade counter(const Trade& t) { return testing::counter_report(t); }
  /// `r` holds exactly both reports of `trades` trades, each booked once:
  /// its first report ALLEGED, then CONFIRMED by the second's arrival.
  void expect_all_matched(const EpochResult& r, std::size_t trades) {
    ASSERT_EQ(r.trades.size(), 2 * trades);
    const auto count = [&](TradeOutcomeKind kind) {
      return std::count_if(r.trades.begin(), r.trades.end(),
                           [&](const TradeOutcome& t) { return t.kind == kind; });
    };
    EXPECT_EQ(count(TradeOutcomeKind::kConfirmed), static_cast<std::ptrdiff_t>(trades));
    EXPECT_EQ(count(TradeOutcomeKind::kAlleged), static_cast<std::ptrdiff_t>(trades));
    ASSERT_EQ(r.transitions.size(), trades);
    for (const ReportTransition& t : r.transitions) {
      EXPECT_EQ(t.status, TradeStatus::kConfirmed) << t.trade_id.view();
      const TradeOutcome& second = r.trades.at(t.cause);
      EXPECT_EQ(second.kind, TradeOutcomeKind::kConfirmed) << t.trade_id.view();
      EXPECT_EQ(second.trade.trade_id, t.trade_id);
      EXPECT_EQ(t.submitter, m(counter(second.trade).submitter.view()));  // the other party
    }
  }
  MemberIndex m(std::string_view id) const { return *ref().find_member(MemberId::of(id)); }
  AccountIndex account(std::string_view id) const { return AccountIndex{m(id).value}; }
  const ReferenceData& ref() const { return ledger_->reference(); }
  std::int64_t acme(std::string_view id) const {
    return ledger_->balance(account(id), AssetKind::kSecurities, 0);
  }
  std::int64_t eur(std::string_view id) const {
    return ledger_->balance(account(id), AssetKind::kCash, 0);
  }
  std::int64_t ccp(AssetKind kind) const { return ledger_->balance(ref().ccp_account(), kind, 0); }
  Obligation obligation(std::string_view member, AssetKind kind, std::int64_t net,
                        BusinessDate date, ObligationStatus status, Reason reason = Reason::kNone,
                        std::optional<BusinessDate> origin = std::nullopt) const {
    return Obligation{date, origin.value_or(date), m(member), kind, 0, net, status, reason};
  }
  /// `o` valued as the run reports it: price, value leg, mark, what moved
  /// of the amount and of the mark.
  static Obligation valued(Obligation o, std::int64_t price, std::int64_t value,
                           std::int64_t mark, std::int64_t settled,
                           std::int64_t settled_mark = 0) {
    o.price_minor = price;
    o.value_minor = value;
    o.mark_minor = mark;
    o.settled_amount = settled;
    o.settled_mark_minor = settled_mark;
    return o;
  }
  static CutOff cut_off(BusinessDate date) { return CutOff{MemberId::of("OPS"), date}; }
  static Funding funding(std::string_view reference, std::string_view member, AssetKind kind,
                         std::string_view asset, std::int64_t amount) {
    return Funding{MemberId::of("OPS"), ControlRef::of(reference), MemberId::of(member), kind,
                   AssetCode::of(asset), amount};
  }
  /// The operator's request as f+1 = 2 nodes propose it: it takes effect at
  /// the second batch.
  static std::vector<std::pair<std::uint16_t, std::vector<Entry>>> request(
      const std::vector<Entry>& entries) {
    return {{kNodeD, entries}, {kNodeOps, entries}};
  }

  std::optional<Ledger> ledger_;
  std::uint64_t next_epoch_ = 0;
};

TEST_F(LedgerTest, NetsTheThreeMemberExampleOfTheDomainDoc) {
  Genesis g = testing::small_genesis();
  g.securities = {{MemberId::of("B"), kAcme, Quantity{40}}, {MemberId::of("C"), kAcme, Quantity{30}}};
  g.cash = {{MemberId::of("A"), CurrencyCode::of("EUR"), AmountMinor{70'600}}};
  start(g);
  const EpochResult trades = run_matched({
      acme_trade("1", "A", "B", 100, 1000, kWednesday),  // A buys 100 from B at 10.00
      acme_trade("2", "B", "C", 60, 1050, kWednesday),   // B buys 60 from C at 10.50
      acme_trade("3", "C", "A", 30, 980, kWednesday),    // C buys 30 from A at 9.80
  });
  expect_all_matched(trades, 3);

  const EpochResult eod = run(request({cut_off(kWednesday)}));
  ASSERT_EQ(eod.reports.size(), 1u);
  const SettlementReport& report = eod.reports[0];
  const auto settled = ObligationStatus::kSettled;
  // Settlement price: VWAP (1,000.00 + 630.00 + 294.00) / 190 = 10.1263 ->
  // 10.13; each position moves against its value at 10.13 and its mark (on
  // the securities obligation: marks are per instrument) brings the
  // member's cash back to what netting at trade prices gave. The cash
  // obligation is the sum: value legs plus marks.
  const std::vector<Obligation> expected = {
      valued(obligation("A", AssetKind::kSecurities, +70, kWednesday, settled), 1013, -70'910,
             +310, 70, +310),
      valued(obligation("A", AssetKind::kCash, -70'600, kWednesday, settled), 0, 0, +310, -70'600,
             +310),
      valued(obligation("B", AssetKind::kSecurities, -40, kWednesday, settled), 1013, +40'520,
             -3'520, -40, -3'520),
      valued(obligation("B", AssetKind::kCash, +37'000, kWednesday, settled), 0, 0, -3'520, 37'000,
             -3'520),
      valued(obligation("C", AssetKind::kSecurities, -30, kWednesday, settled), 1013, +30'390,
             +3'210, -30, +3'210),
      valued(obligation("C", AssetKind::kCash, +33'600, kWednesday, settled), 0, 0, +3'210, 33'600,
             +3'210),
  };
  EXPECT_EQ(report.obligations, expected);
  EXPECT_EQ(direction(report.obligations[0]), Direction::kReceive);
  EXPECT_EQ(direction(report.obligations[1]), Direction::kPay);
  EXPECT_EQ(direction(report.obligations[2]), Direction::kDeliver);
  EXPECT_EQ(direction(report.obligations[3]), Direction::kCollect);
  ASSERT_EQ(report.totals.size(), 1u);
  EXPECT_EQ(report.totals[0], (CurrencyTotals{CurrencyIndex{0}, 192'400, 70'600, 3, 6330}));
  EXPECT_EQ(report.status, RunStatus::kSettled);
  EXPECT_EQ(report.digest, report_digest(report, ref()));

  // DvP moved exactly the net obligations; the CCP keeps nothing.
  EXPECT_EQ(acme("A"), 70);
  EXPECT_EQ(eur("A"), 0);
  EXPECT_EQ(acme("B"), 0);
  EXPECT_EQ(eur("B"), 37'000);
  EXPECT_EQ(acme("C"), 0);
  EXPECT_EQ(eur("C"), 33'600);
  EXPECT_EQ(ccp(AssetKind::kSecurities), 0);
  EXPECT_EQ(ccp(AssetKind::kCash), 0);
  EXPECT_EQ(eod.open_business_date, kThursday);
  EXPECT_EQ(eod.balances.size(), 8u);  // A, B, C and the CCP (back at zero), both assets
}

TEST_F(LedgerTest, CarriesASettlementFailForwardWithoutPartialMoves) {
  Genesis g = testing::small_genesis();
  g.securities = {{MemberId::of("B"), kAcme, Quantity{100}}};  // D holds nothing
  g.cash = {{MemberId::of("A"), CurrencyCode::of("EUR"), AmountMinor{100'000}},
            {MemberId::of("C"), CurrencyCode::of("EUR"), AmountMinor{50'000}}};
  start(g);
  expect_all_matched(run_matched({acme_trade("1", "A", "B", 100, 1000, kWednesday),
                                  acme_trade("2", "C", "D", 50, 1000, kWednesday)}),
                     2);
  const EpochResult wed = run(request({cut_off(kWednesday)}));
  ASSERT_EQ(wed.reports.size(), 1u);
  // D cannot deliver; so the CCP cannot deliver to C, the only other
  // receiver of ACME: C fails to receive and pays nothing. A and B settle.
  const auto ok = ObligationStatus::kSettled;
  const auto fail = ObligationStatus::kFailed;
  const std::vector<Obligation> expected_wed = {
      valued(obligation("A", AssetKind::kSecurities, +100, kWednesday, ok), 1000, -100'000, 0, 100),
      valued(obligation("A", AssetKind::kCash, -100'000, kWednesday, ok), 0, 0, 0, -100'000),
      valued(obligation("B", AssetKind::kSecurities, -100, kWednesday, ok), 1000, 100'000, 0, -100),
      valued(obligation("B", AssetKind::kCash, +100'000, kWednesday, ok), 0, 0, 0, 100'000),
      valued(obligation("C", AssetKind::kSecurities, +50, kWednesday, fail, Reason::kCcpShortfall),
             1000, -50'000, 0, 0),
      valued(obligation("C", AssetKind::kCash, -50'000, kWednesday, fail, Reason::kCcpShortfall),
             0, 0, 0, 0),
      valued(obligation("D", AssetKind::kSecurities, -50, kWednesday, fail,
                        Reason::kInsufficientSecurities), 1000, 50'000, 0, 0),
      valued(obligation("D", AssetKind::kCash, +50'000, kWednesday, fail,
                        Reason::kInsufficientSecurities), 0, 0, 0, 0),
  };
  EXPECT_EQ(wed.reports[0].obligations, expected_wed);
  EXPECT_EQ(wed.reports[0].status, RunStatus::kPartiallySettled);
  EXPECT_EQ(acme("A"), 100);
  EXPECT_EQ(eur("B"), 100'000);
  EXPECT_EQ(eur("C"), 50'000);  // nothing of C's moved
  EXPECT_EQ(acme("C"), 0);
  // Carried: D's fail-to-deliver and C's fail-to-receive, with their values.
  ASSERT_EQ(ledger_->carried_obligations().size(), 2u);

  // D is funded; Thursday's run (no new trades) settles the carried fails.
  const EpochResult thu = run(request(
      {funding("buy-in-1", "D", AssetKind::kSecurities, kAcme.view(), 50), cut_off(kThursday)}));
  ASSERT_EQ(thu.reports.size(), 1u);
  const std::vector<Obligation> expected_thu = {
      valued(obligation("C", AssetKind::kSecurities, +50, kThursday, ok, Reason::kNone, kWednesday),
             1000, -50'000, 0, 50),
      valued(obligation("D", AssetKind::kSecurities, -50, kThursday, ok, Reason::kNone, kWednesday),
             1000, 50'000, 0, -50),
  };
  EXPECT_EQ(thu.reports[0].obligations, expected_thu);
  EXPECT_TRUE(thu.reports[0].obligations[0].carried());
  EXPECT_EQ(thu.reports[0].status, RunStatus::kSettled);
  EXPECT_TRUE(thu.reports[0].totals.empty());
  EXPECT_EQ(acme("C"), 50);
  EXPECT_EQ(eur("C"), 0);
  EXPECT_EQ(acme("D"), 0);
  EXPECT_EQ(eur("D"), 50'000);
  EXPECT_TRUE(ledger_->carried_obligations().empty());
}

TEST_F(LedgerTest, LetsCcpCapitalAbsorbAFailInsteadOfCascading) {
  Genesis g = testing::small_genesis();
  g.securities = {{MemberId::of("B"), kAcme, Quantity{100}}, {kCcpAccountId, kAcme, Quantity{50}}};
  g.cash = {{MemberId::of("A"), CurrencyCode::of("EUR"), AmountMinor{100'000}},
            {MemberId::of("C"), CurrencyCode::of("EUR"), AmountMinor{50'000}}};
  start(g);
  expect_all_matched(run_matched({acme_trade("1", "A", "B", 100, 1000, kWednesday),
                                  acme_trade("2", "C", "D", 50, 1000, kWednesday)}),
                     2);
  const EpochResult wed = run(request({cut_off(kWednesday)}));
  // D still fails, but the CCP lends C the 50 ACME D did not deliver.
  for (const Obligation& o : wed.reports.at(0).obligations) {
    EXPECT_EQ(o.status == ObligationStatus::kFailed, o.member == m("D"));
  }
  EXPECT_EQ(acme("C"), 50);
  EXPECT_EQ(ccp(AssetKind::kSecurities), 0);     // capital 50 lent out
  EXPECT_EQ(ccp(AssetKind::kCash), 50'000);      // C's payment, owed to D
  EXPECT_EQ(ledger_->ccp_capital(AssetKind::kSecurities, 0), 50);
  // D delivers the next day; the CCP gets its capital back and pays D.
  (void)run(request(
      {funding("buy-in-1", "D", AssetKind::kSecurities, kAcme.view(), 50), cut_off(kThursday)}));
  EXPECT_EQ(ccp(AssetKind::kSecurities), 50);
  EXPECT_EQ(ccp(AssetKind::kCash), 0);
  EXPECT_EQ(eur("D"), 50'000);
  EXPECT_TRUE(ledger_->carried_obligations().empty());
}

/// A (no cash) buys 50 DE0007164600 from B; C buys 100 ACME from D, each
/// holding what it owes: C and D are a self-funded pair A never traded with.
Genesis defaulter_and_pair_genesis() {
  Genesis g = testing::small_genesis();
  g.securities = {{MemberId::of("B"), Isin::of("DE0007164600"), Quantity{50}},
                  {MemberId::of("D"), kAcme, Quantity{100}}};
  g.cash = {{MemberId::of("C"), CurrencyCode::of("EUR"), AmountMinor{100'000}}};
  return g;
}

Trade de_trade(std::string_view id, std::string_view buyer, std::string_view seller,
               std::int64_t quantity, std::int64_t price_milli, BusinessDate date) {
  Trade t = acme_trade(id, buyer, seller, quantity, 0, date);
  t.isin = Isin::of("DE0007164600");
  t.price = Price{price_milli};
  t.price_scale = 3;
  return t;
}

TEST_F(LedgerTest, SettlesAnUnrelatedSelfFundedPairWhenAnotherMemberIsShortOfCash) {
  start(defaulter_and_pair_genesis());  // no CCP capital, no default fund
  expect_all_matched(run_matched({de_trade("1", "A", "B", 50, 10'000, kWednesday),
                                  acme_trade("2", "C", "D", 100, 1000, kWednesday)}),
                     2);
  const EpochResult wed = run(request({cut_off(kWednesday)}));
  for (const Obligation& o : wed.reports.at(0).obligations) {
    const bool pair = o.member == m("C") || o.member == m("D");
    EXPECT_EQ(o.status == ObligationStatus::kSettled, pair) << ref().member(o.member).id.view();
  }
  EXPECT_EQ(acme("C"), 100);
  EXPECT_EQ(eur("D"), 100'000);
  // A cannot pay, so the CCP retains A's receipt; with no fund to buy it
  // with, it declines B's delivery rather than pay for it from C's cash.
  const auto& obligations = wed.reports.at(0).obligations;
  EXPECT_EQ(obligations.at(0).fail_reason, Reason::kInsufficientCash);
  EXPECT_EQ(obligations.at(2).fail_reason, Reason::kCcpShortfall);
  EXPECT_EQ(ledger_->balance(account("B"), AssetKind::kSecurities, 1), 50);
  EXPECT_EQ(ccp(AssetKind::kCash), 0);
}

TEST_F(LedgerTest, CoversADefaulterFromTheDefaultFundAndHoldsItsReceiptsAsCollateral) {
  Genesis g = defaulter_and_pair_genesis();
  g.default_fund = {{MemberId::of("A"), CurrencyCode::of("EUR"), AmountMinor{20'000}},
                    {MemberId::of("B"), CurrencyCode::of("EUR"), AmountMinor{40'000}}};
  start(g);
  EXPECT_EQ(ccp(AssetKind::kCash), 60'000);
  EXPECT_EQ(ledger_->default_fund(CurrencyIndex{0}), 60'000);
  expect_all_matched(run_matched({de_trade("1", "A", "B", 50, 10'000, kWednesday),
                                  acme_trade("2", "C", "D", 100, 1000, kWednesday)}),
                     2);
  const EpochResult wed = run(request({cut_off(kWednesday)}));
  for (const Obligation& o : wed.reports.at(0).obligations) {
    EXPECT_EQ(o.status == ObligationStatus::kSettled, o.member != m("A"))
        << ref().member(o.member).id.view();
  }
  // B was paid from the fund; the CCP holds A's 50 as collateral.
  EXPECT_EQ(eur("B"), 50'000);
  EXPECT_EQ(ledger_->balance(ref().ccp_account(), AssetKind::kSecurities, 1), 50);
  EXPECT_EQ(ccp(AssetKind::kCash), 10'000);
  ASSERT_EQ(ledger_->carried_obligations().size(), 1u);
  EXPECT_EQ(ledger_->carried_obligations()[0].net_amount, 50);
  EXPECT_EQ(ledger_->carried_obligations()[0].value_minor, -50'000);
  // A pays the next day, takes its securities, and the fund is whole again.
  (void)run(request({funding("cash-1", "A", AssetKind::kCash, "EUR", 50'000),
                     cut_off(kThursday)}));
  EXPECT_EQ(ledger_->balance(account("A"), AssetKind::kSecurities, 1), 50);
  EXPECT_EQ(eur("A"), 0);
  EXPECT_EQ(ccp(AssetKind::kCash), 60'000);
  EXPECT_TRUE(ledger_->carried_obligations().empty());
}

/// A (no cash) buys 100 DE0007164600 from B at 100.000 and sells 50 back
/// at 90.000: settlement price 96.67, so A owes a debit mark of 666.50 and
/// B is owed that credit mark. C and D trade only ACME with each other, at
/// 10.00 and 12.00: price 10.67, so C is owed a credit mark of 133.50 and
/// D owes it. The fund (10.00) cannot cover A's mark.
Genesis exhausted_fund_genesis() {
  Genesis g = testing::small_genesis();
  g.securities = {{MemberId::of("B"), Isin::of("DE0007164600"), Quantity{100}},
                  {MemberId::of("D"), kAcme, Quantity{100}}};
  g.cash = {{MemberId::of("C"), CurrencyCode::of("EUR"), AmountMinor{100'000}},
            {MemberId::of("D"), CurrencyCode::of("EUR"), AmountMinor{20'000}}};
  g.default_fund = {{MemberId::of("A"), CurrencyCode::of("EUR"), AmountMinor{1'000}}};
  return g;
}

TEST_F(LedgerTest, SettlesAnUnrelatedPairAndItsMarksWhenTheFundIsExhausted) {
  start(exhausted_fund_genesis());  // no CCP capital
  expect_all_matched(run_matched({de_trade("1", "A", "B", 100, 100'000, kWednesday),
                                  de_trade("2", "B", "A", 50, 90'000, kWednesday),
                                  acme_trade("3", "C", "D", 100, 1000, kWednesday),
                                  acme_trade("4", "D", "C", 50, 1200, kWednesday)}),
                     4);
  const EpochResult wed = run(request({cut_off(kWednesday)}));
  for (const Obligation& o : wed.reports.at(0).obligations) {
    const bool pair = o.member == m("C") || o.member == m("D");
    EXPECT_EQ(o.status == ObligationStatus::kSettled, pair) << ref().member(o.member).id.view();
  }
  // The pair moved exactly what netting at trade prices gave: C paid 400.00
  // net (533.50 for 50 ACME at 10.67, less its mark of 133.50).
  EXPECT_EQ(acme("C"), 50);
  EXPECT_EQ(acme("D"), 50);
  EXPECT_EQ(eur("C"), 100'000 - 40'000);
  EXPECT_EQ(eur("D"), 20'000 + 40'000);
  // Their marks were paid in full, on their ACME obligations.
  const auto& obligations = wed.reports.at(0).obligations;
  const auto find = [&](std::string_view member, AssetKind kind) {
    return *std::find_if(obligations.begin(), obligations.end(), [&](const Obligation& o) {
      return o.member == m(member) && o.kind == kind;
    });
  };
  EXPECT_EQ(find("C", AssetKind::kSecurities).mark_minor, +13'350);
  EXPECT_EQ(find("C", AssetKind::kSecurities).settled_mark_minor, +13'350);
  EXPECT_EQ(find("D", AssetKind::kSecurities).settled_mark_minor, -13'350);
  EXPECT_EQ(find("C", AssetKind::kCash).settled_amount, -40'000);
  // The loss A leaves stays in DE0007164600, the instrument that draws on the
  // CCP: the CCP stops buying A's receipt (refusing B's delivery) and
  // withholds B's credit mark; A's debit mark stays unpaid.
  EXPECT_EQ(find("B", AssetKind::kSecurities).fail_reason, Reason::kCcpShortfall);
  EXPECT_EQ(find("B", AssetKind::kSecurities).settled_mark_minor, 0);
  EXPECT_EQ(find("A", AssetKind::kSecurities).fail_reason, Reason::kInsufficientCash);
  EXPECT_EQ(ledger_->balance(account("B"), AssetKind::kSecurities, 1), 100);
  EXPECT_EQ(eur("B"), 0);
  EXPECT_EQ(ccp(AssetKind::kCash), 1'000);
  // Both carry forward whole, each with its value and its mark.
  const auto& carried = ledger_->carried_obligations();
  ASSERT_EQ(carried.size(), 2u);
  EXPECT_EQ(carried[0].net_amount, +50);
  EXPECT_EQ(carried[0].value_minor, -483'350);
  EXPECT_EQ(carried[0].mark_minor, -66'650);
  EXPECT_EQ(carried[1].net_amount, -50);
  EXPECT_EQ(carried[1].mark_minor, +66'650);
}

TEST_F(LedgerTest, SetsOffADefaultersCreditMarksAgainstTheDebitMarksItCannotPay) {
  Genesis g = exhausted_fund_genesis();
  g.securities.push_back({MemberId::of("C"), kAcme, Quantity{100}});
  start(g);
  // A owes its 666.50 mark in DE0007164600 (as above) and is owed 133.50 in
  // ACME: it buys 100 from C at 10.00 and sells 50 back at 12.00.
  expect_all_matched(run_matched({de_trade("1", "A", "B", 100, 100'000, kWednesday),
                                  acme_trade("3", "A", "C", 100, 1000, kWednesday),
                                  de_trade("2", "B", "A", 50, 90'000, kWednesday),
                                  acme_trade("4", "C", "A", 50, 1200, kWednesday)}),
                     4);
  const EpochResult wed = run(request({cut_off(kWednesday)}));
  // A cannot pay its debit mark, so the CCP does not pay it its credit
  // mark either: a defaulter is never paid cash it owes back.
  EXPECT_EQ(eur("A"), 0);
  const auto& carried = ledger_->carried_obligations();
  ASSERT_EQ(carried.size(), 4u);  // A's two, B's and C's
  EXPECT_EQ(carried[0].member, m("A"));
  EXPECT_EQ(carried[0].asset, 0u);  // ACME
  EXPECT_EQ(carried[0].mark_minor, +13'350);
  EXPECT_EQ(carried[0].fail_reason, Reason::kInsufficientCash);
  EXPECT_EQ(carried[1].mark_minor, -66'650);
  // C paid its debit mark (the CCP keeps it against A's unpaid one); its
  // delivery, which only A's retained receipt could take, is refused, so
  // the CCP holds the fund plus C's mark and pays nobody from it.
  EXPECT_EQ(carried[3].member, m("C"));
  EXPECT_EQ(carried[3].net_amount, -50);
  EXPECT_EQ(carried[3].mark_minor, 0);
  EXPECT_EQ(carried[3].fail_reason, Reason::kCcpShortfall);
  EXPECT_EQ(eur("C"), -13'350 + 100'000);
  EXPECT_EQ(ccp(AssetKind::kCash), 1'000 + 13'350);
  for (const Obligation& o : wed.reports.at(0).obligations) {
    EXPECT_EQ(o.status, ObligationStatus::kFailed) << ref().member(o.member).id.view();
  }
}

TEST_F(LedgerTest, DeliversPartiallyAndCarriesTheRestAtItsSettlementPrice) {
  Genesis g = testing::small_genesis();
  g.securities = {{MemberId::of("B"), kAcme, Quantity{60}}};
  g.cash = {{MemberId::of("A"), CurrencyCode::of("EUR"), AmountMinor{100'000}}};
  start(g);
  expect_all_matched(run_matched({acme_trade("1", "A", "B", 100, 1000, kWednesday)}), 1);
  const EpochResult wed = run(request({cut_off(kWednesday)}));
  const auto& o = wed.reports.at(0).obligations;
  ASSERT_EQ(o.size(), 4u);
  EXPECT_EQ(o[0].settled_amount, 60);       // A received 60 ...
  EXPECT_EQ(o[1].settled_amount, -60'000);  // ... and paid for 60, not 100
  EXPECT_EQ(o[2].settled_amount, -60);
  EXPECT_EQ(o[2].fail_reason, Reason::kInsufficientSecurities);
  EXPECT_EQ(eur("A"), 40'000);
  EXPECT_EQ(eur("B"), 60'000);
  const auto& carried = ledger_->carried_obligations();
  ASSERT_EQ(carried.size(), 2u);  // A's fail-to-receive and B's fail-to-deliver of 40
  EXPECT_EQ(carried[0].net_amount, 40);
  EXPECT_EQ(carried[0].value_minor, -40'000);
  EXPECT_EQ(carried[1].net_amount, -40);
  EXPECT_EQ(carried[1].value_minor, 40'000);
}

TEST_F(LedgerTest, TreatsResubmissionAsNoOpAndReusedIdAsConflict) {
  start(testing::small_genesis());
  const Trade original = acme_trade("T-1", "A", "B", 100, 1000, kWednesday);
  Trade changed = original;
  changed.quantity = Quantity{101};
  // B's own report of T-1 holds B's key "T-1": C and D's T-1 is another trade.
  Trade same_id_other_submitter = acme_trade("T-1", "C", "D", 5, 1000, kWednesday);
  expect_all_matched(run({{kNodeA, {original}}, {kNodeB, {counter(original)}}}), 1);
  const Digest before = ledger_->business_state_digest();
  const EpochResult r = run({{kNodeA, {original, changed}},
                             {kNodeB, {counter(original)}},
                             {kNodeC, {same_id_other_submitter}},
                             {kNodeD, {counter(same_id_other_submitter)}}});
  ASSERT_EQ(r.trades.size(), 5u);
  EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kDuplicate);
  Bytes canonical;
  encode_trade(original, canonical);
  EXPECT_EQ(r.trades[0].content_hash, sha256(canonical));  // trades.content_hash
  EXPECT_EQ(r.trades[0].content_hash, entry_content_hash(encode_entry(original)));  // what the node keys on
  EXPECT_EQ(r.trades[1].kind, TradeOutcomeKind::kRejectedUnkeyed);
  EXPECT_EQ(r.trades[1].reason, Reason::kDuplicateConflict);
  EXPECT_EQ(r.trades[1].field, "trade_id");
  EXPECT_NE(r.trades[1].content_hash, r.trades[0].content_hash);
  EXPECT_EQ(r.trades[2].kind, TradeOutcomeKind::kDuplicate);  // so is the seller's retry
  EXPECT_EQ(r.trades[3].kind, TradeOutcomeKind::kAlleged);    // ids are per submitter
  EXPECT_EQ(r.trades[4].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(ledger_->position(m("A"), InstrumentIndex{0}, kWednesday).bought, 100);
  EXPECT_EQ(ledger_->position(m("B"), InstrumentIndex{0}, kWednesday).sold, 100);
  const TradeRecord* record = ledger_->find_trade(m("A"), "T-1");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->status, TradeStatus::kConfirmed);
  EXPECT_EQ(record->content_hash, r.trades[0].content_hash);
  EXPECT_NE(ledger_->business_state_digest(), before);  // B's trade did change state
}

TEST_F(LedgerTest, RollsTradesDecidedAfterTheCutOffToTheNextDate) {
  start(testing::small_genesis());
  Trade t_plus_1 = acme_trade("late-2", "A", "B", 10, 1000, kWednesday);
  t_plus_1.settlement_date = kThursday;
  Trade future = acme_trade("early", "A", "B", 1, 1000, kFriday);
  const Trade before = acme_trade("before", "A", "B", 7, 1000, kWednesday);
  const Trade pending = acme_trade("pending", "B", "C", 3, 1000, kWednesday);
  const Trade after = acme_trade("after", "C", "D", 1, 1000, kWednesday);
  // Within one epoch, the cut-off takes effect at its second proposer, OPS.
  // A trade is decided when its second report matches: "before" matches in
  // B's batch ahead of the first, pending vote and "pending" after it, both
  // still in Wednesday; "after" matches in D's batch, past the line, which
  // is the same for every node, though C's first report came before it.
  const EpochResult same = run({{kNodeA, {before}},
                                {kNodeC, {counter(pending), after}},
                                {kNodeB, {counter(before), cut_off(kWednesday), pending}},
                                {kNodeOps, {cut_off(kWednesday)}},
                                {kNodeD, {counter(after)}}});
  ASSERT_EQ(same.controls.size(), 2u);
  EXPECT_EQ(same.controls[0].status, ControlStatus::kPending);
  EXPECT_EQ(same.controls[1].status, ControlStatus::kApplied);
  EXPECT_EQ(same.controls[1].votes, 2);
  ASSERT_EQ(same.trades.size(), 6u);
  for (std::size_t first = 0; first < 3; ++first) {
    EXPECT_EQ(same.trades[first].kind, TradeOutcomeKind::kAlleged) << first;
  }
  EXPECT_EQ(same.trades[3].kind, TradeOutcomeKind::kConfirmed);  // before
  EXPECT_FALSE(same.trades[3].rolled);
  EXPECT_EQ(same.trades[4].kind, TradeOutcomeKind::kConfirmed);  // pending
  EXPECT_FALSE(same.trades[4].rolled);
  EXPECT_EQ(same.trades[5].kind, TradeOutcomeKind::kConfirmed);  // after
  EXPECT_TRUE(same.trades[5].rolled);
  EXPECT_EQ(same.trades[5].settlement_date, kThursday);
  EXPECT_EQ(ledger_->find_trade(m("C"), "after")->settlement_date, kThursday);  // both sides
  EXPECT_EQ(same.reports.at(0).totals.at(0).trade_count, 2u);
  // At the line, C's report of "after" was still waiting for D's.
  ASSERT_EQ(same.reports[0].unmatched.size(), 1u);
  EXPECT_EQ(same.reports[0].unmatched[0].submitter, m("C"));
  EXPECT_EQ(same.reports[0].unmatched[0].trade_id, TradeId::of("after"));
  EXPECT_EQ(same.reports[0].unmatched[0].status, TradeStatus::kAlleged);

  const Trade late_0 = acme_trade("late-0", "A", "B", 100, 1000, kWednesday);
  const EpochResult r = run({{kNodeA, {late_0, t_plus_1, future}},
                             {kNodeB, {counter(late_0), counter(t_plus_1)}}});
  ASSERT_EQ(r.trades.size(), 5u);
  EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kAlleged);
  EXPECT_EQ(r.trades[1].kind, TradeOutcomeKind::kAlleged);
  EXPECT_EQ(r.trades[3].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_TRUE(r.trades[3].rolled);
  EXPECT_EQ(r.trades[3].business_date, kThursday);
  EXPECT_EQ(r.trades[3].settlement_date, kThursday);  // T+0 stays T+0
  EXPECT_EQ(r.trades[4].business_date, kThursday);
  EXPECT_EQ(r.trades[4].settlement_date, kFriday);    // T+1 stays T+1
  // A trade date still to come is refused on arrival, on the one report.
  EXPECT_EQ(r.trades[2].kind, TradeOutcomeKind::kRejected);
  EXPECT_EQ(r.trades[2].reason, Reason::kTradeDateNotOpen);
  EXPECT_EQ(ledger_->position(m("A"), InstrumentIndex{0}, kWednesday).bought, 7);
  EXPECT_EQ(ledger_->position(m("A"), InstrumentIndex{0}, kThursday).bought, 100);
  EXPECT_EQ(ledger_->position(m("A"), InstrumentIndex{0}, kFriday).bought, 10);
  EXPECT_EQ(ledger_->find_trade(m("A"), "late-2")->settlement_date, kFriday);
  // The rolled trades settle in Thursday's (and Friday's) runs.
  const EpochResult thu = run(request({cut_off(kThursday)}));
  EXPECT_EQ(thu.reports.at(0).totals.at(0).gross_minor, 100'000 + 1'000);  // late-0 and "after"
}

TEST_F(LedgerTest, RunsEachCutOffOnceAndOnlyForTheOpenDate) {
  start(testing::small_genesis());
  const EpochResult r = run({{kNodeA, {CutOff{MemberId::of("A"), kWednesday}}},
                             {kNodeOps, {cut_off(kFriday), cut_off(kWednesday), cut_off(kWednesday)}},
                             {kNodeB, {cut_off(kWednesday)}},
                             {kNodeC, {cut_off(kWednesday)}}});
  ASSERT_EQ(r.controls.size(), 6u);
  EXPECT_EQ(r.controls[0].reason, Reason::kNotOperator);  // A is no operator
  EXPECT_EQ(r.controls[0].status, ControlStatus::kRejected);
  EXPECT_EQ(r.controls[1].reason, Reason::kCutOffDateNotOpen);
  EXPECT_EQ(r.controls[1].votes, 0);                      // refused, not counted
  EXPECT_EQ(r.controls[2].status, ControlStatus::kPending);
  EXPECT_EQ(r.controls[3].status, ControlStatus::kRepeatedVote);
  EXPECT_EQ(r.controls[3].votes, 1);
  EXPECT_EQ(r.controls[4].status, ControlStatus::kApplied);
  EXPECT_EQ(r.controls[4].proposer, kNodeB);
  EXPECT_EQ(r.controls[5].status, ControlStatus::kAlreadyApplied);
  EXPECT_EQ(r.controls[5].reason, Reason::kCutOffAlreadyApplied);
  EXPECT_EQ(r.reports.size(), 1u);
  const Digest digest = ledger_->business_state_digest();
  const EpochResult again = run(request({cut_off(kWednesday)}));
  EXPECT_TRUE(again.reports.empty());
  EXPECT_EQ(ledger_->business_state_digest(), digest);
  EXPECT_EQ(ledger_->open_business_date(), kThursday);
}

TEST_F(LedgerTest, EnforcesLimitsPerBusinessDate) {
  Genesis g = testing::small_genesis();
  g.limits = {{MemberId::of("B"), {AmountMinor{200'000}, Quantity{150}, Quantity{1'000}}}};
  start(g);
  const std::vector<Trade> a_buys = {
      acme_trade("1", "A", "B", 100, 1000, kWednesday),   // B -100, gross 1,000.00
      acme_trade("2", "A", "B", 100, 1000, kWednesday),   // B would be -200
      acme_trade("3", "A", "B", 50, 2000, kWednesday)};   // B -150, gross 2,000.00
  const Trade b_buys = acme_trade("b-1", "B", "C", 10, 1000, kWednesday);  // gross would be 2,100.00
  // Limits apply when a trade matches: A's and C's reports come first, so
  // each trade is checked on B's report, in order.
  const EpochResult r = run({
      {kNodeA, {a_buys[0], a_buys[1], a_buys[2]}},
      {kNodeC, {counter(b_buys)}},
      {kNodeB, {counter(a_buys[0]), counter(a_buys[1]), counter(a_buys[2]), b_buys}},
  });
  ASSERT_EQ(r.trades.size(), 8u);
  for (std::size_t first = 0; first < 4; ++first) {
    EXPECT_EQ(r.trades[first].kind, TradeOutcomeKind::kAlleged) << first;
  }
  EXPECT_EQ(r.trades[4].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(r.trades[5].reason, Reason::kLimitNetPosition);
  EXPECT_EQ(r.trades[5].field, "seller");
  EXPECT_EQ(r.trades[6].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(r.trades[7].reason, Reason::kLimitGrossNotional);
  EXPECT_EQ(r.trades[7].field, "buyer");
  EXPECT_EQ(r.trades[7].kind, TradeOutcomeKind::kRejected);  // the key is taken, as REJECTED
  // ... and so is the other side's, with the same reason.
  for (const auto& [member, id, reason] : {std::tuple{"A", "2", Reason::kLimitNetPosition},
                                           std::tuple{"C", "b-1", Reason::kLimitGrossNotional}}) {
    const TradeRecord* first_side = ledger_->find_trade(m(member), id);
    ASSERT_NE(first_side, nullptr) << id;
    EXPECT_EQ(first_side->status, TradeStatus::kRejected) << id;
    EXPECT_EQ(first_side->reason, reason) << id;
  }
  EXPECT_EQ(ledger_->position(m("B"), InstrumentIndex{0}, kWednesday).sold, 150);
  (void)run(request({cut_off(kWednesday)}));
  // A new business date starts with a fresh gross notional.
  const EpochResult next = run_matched({acme_trade("b-2", "B", "C", 10, 1000, kThursday)});
  ASSERT_EQ(next.trades.size(), 2u);
  EXPECT_EQ(next.trades[1].kind, TradeOutcomeKind::kConfirmed);
}

TEST_F(LedgerTest, EnforcesGrossQuantityPerBusinessDate) {
  // Notional alone does not bound units: at 0.010 EUR, 100.00 EUR buys 10,000.
  Genesis g = testing::small_genesis();
  g.instruments[1].band_low = Price{1};
  g.limits = {{MemberId::of("B"), {AmountMinor{10'000'000}, Quantity{1'000'000}, Quantity{15'000}}}};
  start(g);
  const auto cheap = [](std::string_view id, std::string_view buyer, std::string_view seller,
                        std::int64_t units, BusinessDate date) {
    Trade t = acme_trade(id, buyer, seller, units, 10, date);
    t.isin = Isin::of("DE0007164600");
    t.price_scale = 3;
    return t;
  };
  const std::vector<Trade> a_buys = {cheap("1", "A", "B", 10'000, kWednesday),
                                     cheap("2", "A", "B", 5'000, kWednesday),  // B at 15,000
                                     cheap("3", "A", "B", 1, kWednesday)};
  const Trade b_buys = cheap("4", "B", "C", 1, kWednesday);  // bought counts too
  // Each trade is checked when B's report matches the other side's.
  const EpochResult r = run({{kNodeA, {a_buys[0], a_buys[1], a_buys[2]}},
                             {kNodeC, {counter(b_buys)}},
                             {kNodeB, {counter(a_buys[0]), counter(a_buys[1]), counter(a_buys[2]),
                                       b_buys}}});
  ASSERT_EQ(r.trades.size(), 8u);
  for (std::size_t first = 0; first < 4; ++first) {
    EXPECT_EQ(r.trades[first].kind, TradeOutcomeKind::kAlleged) << first;
  }
  EXPECT_EQ(r.trades[4].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(r.trades[4].consideration.minor, 10'000);
  EXPECT_EQ(r.trades[5].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(r.trades[6].reason, Reason::kLimitGrossQuantity);
  EXPECT_EQ(r.trades[6].field, "seller");
  EXPECT_EQ(r.trades[7].reason, Reason::kLimitGrossQuantity);
  EXPECT_EQ(r.trades[7].field, "buyer");
  EXPECT_EQ(r.trades[7].kind, TradeOutcomeKind::kRejected);
  EXPECT_EQ(ledger_->find_trade(m("A"), "3")->status, TradeStatus::kRejected);
  EXPECT_EQ(ledger_->find_trade(m("A"), "3")->reason, Reason::kLimitGrossQuantity);
  EXPECT_EQ(ledger_->find_trade(m("C"), "4")->reason, Reason::kLimitGrossQuantity);
  (void)run(request({cut_off(kWednesday)}));
  EXPECT_EQ(run_matched({cheap("5", "B", "C", 1, kThursday)}).trades.at(1).kind,
            TradeOutcomeKind::kConfirmed);
}

TEST_F(LedgerTest, OneHugeTradeCannotStopTheMarket) {
  // Issue 11, item 5: without limits this trade (99,457,304,386,111 x
  // 927.37 EUR = exactly int64 max cents) was CONFIRMED and filled
  // Wednesday's EUR gross, so every later EUR trade of every member was
  // POSITION_OVERFLOW.
  start(testing::small_genesis());
  const std::int64_t units = std::numeric_limits<std::int64_t>::max() / 92'737;
  const Trade whale = acme_trade("whale", "A", "B", units, 92'737, kWednesday);
  const Trade cd = acme_trade("1", "C", "D", 10, 1000, kWednesday);
  const Trade ba = acme_trade("2", "B", "A", 10, 1000, kWednesday);
  // The whale matches first (on B's report), then the others.
  const EpochResult r = run({{kNodeA, {whale, counter(ba)}},
                             {kNodeB, {counter(whale), ba}},
                             {kNodeC, {cd}},
                             {kNodeD, {counter(cd)}}});
  ASSERT_EQ(r.trades.size(), 6u);
  EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kAlleged);  // alone it books nothing
  EXPECT_EQ(r.trades[2].kind, TradeOutcomeKind::kRejected);
  EXPECT_EQ(r.trades[2].reason, Reason::kLimitGrossNotional);
  EXPECT_EQ(r.trades[2].field, "buyer");
  EXPECT_EQ(ledger_->find_trade(m("A"), "whale")->status, TradeStatus::kRejected);
  EXPECT_EQ(r.trades[3].kind, TradeOutcomeKind::kConfirmed);  // B buys from A
  EXPECT_EQ(r.trades[5].kind, TradeOutcomeKind::kConfirmed);  // C buys from D
  const EpochResult eod = run(request({cut_off(kWednesday)}));
  EXPECT_EQ(eod.reports.at(0).totals.at(0).gross_minor, 20'000);
}

TEST_F(LedgerTest, FullLimitsOnEveryDateThatSettlesTogetherFitInInt64) {
  // The largest limits genesis accepts (3 dates x 4 members x max / 12),
  // each member trading all of its gross notional on Wednesday (T+2),
  // Thursday (T+1) and Friday (T+0): all of it settles on Friday.
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  Genesis g = testing::small_genesis();
  g.default_limits = Limits{AmountMinor{kMax / 12}, Quantity{kMax}, Quantity{kMax / 12}};
  start(g);
  const std::int64_t units = kMax / 12 / 100'000;  // at 1,000.00 EUR: the whole limit but 64,650
  const std::int64_t value = units * 100'000;
  std::size_t day = 0;
  for (BusinessDate d : {kWednesday, kThursday, kFriday}) {
    const std::string n = std::to_string(day++);
    std::vector<Trade> trades = {acme_trade("ab" + n, "A", "B", units, 100'000, d),
                                 acme_trade("cd" + n, "C", "D", units, 100'000, d),
                                 acme_trade("bc" + n, "B", "C", 1, 100'000, d)};
    for (Trade& t : trades) t.settlement_date = kFriday;
    // B's reports are the second sides: ab books, then bc meets B's full limit.
    const EpochResult r = run({{kNodeA, {trades[0]}},
                               {kNodeC, {trades[1], counter(trades[2])}},
                               {kNodeB, {counter(trades[0]), trades[2]}},
                               {kNodeD, {counter(trades[1])}}});
    ASSERT_EQ(r.trades.size(), 6u);
    EXPECT_EQ(r.trades[3].kind, TradeOutcomeKind::kConfirmed) << d.days;  // ab
    EXPECT_EQ(r.trades[5].kind, TradeOutcomeKind::kConfirmed) << d.days;  // cd
    EXPECT_EQ(r.trades[4].reason, Reason::kLimitGrossNotional) << d.days;  // B is full
    if (d != kFriday) (void)run(request({cut_off(d)}));
  }
  EXPECT_EQ(ledger_->cash_position(m("A"), CurrencyIndex{0}, kFriday).paid, 3 * value);
  const EpochResult eod = run(request({cut_off(kFriday)}));
  EXPECT_EQ(eod.reports.at(0).totals.at(0).gross_minor, 6 * value);
  EXPECT_EQ(eod.reports.at(0).totals.at(0).trade_count, 6u);
}

TEST_F(LedgerTest, RefusesTradesOlderThanTheLateTradeWindow) {
  start(testing::small_genesis());  // a trade may be one business day late
  (void)run(request({cut_off(kWednesday)}));
  const EpochResult thu = run_matched({acme_trade("late-1", "A", "B", 10, 1000, kWednesday)});
  EXPECT_EQ(thu.trades.at(1).kind, TradeOutcomeKind::kConfirmed);
  EXPECT_TRUE(thu.trades.at(1).rolled);
  (void)run(request({cut_off(kThursday)}));
  Trade t_plus_1 = acme_trade("late-t1", "A", "B", 10, 1000, kThursday);
  t_plus_1.settlement_date = kFriday;
  const Trade too_old = acme_trade("late-2", "A", "B", 10, 1000, kWednesday);
  const Trade y2k = acme_trade("y2k", "A", "B", 10, 1000, date_from_civil(2000, 1, 3));
  const EpochResult fri = run({{kNodeA, {t_plus_1, too_old, y2k, too_old}},
                               {kNodeB, {counter(t_plus_1), counter(too_old)}}});
  ASSERT_EQ(fri.trades.size(), 6u);
  EXPECT_EQ(fri.trades[0].kind, TradeOutcomeKind::kAlleged);
  EXPECT_EQ(fri.trades[4].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(fri.trades[4].business_date, kFriday);
  EXPECT_EQ(fri.trades[4].settlement_date, kMonday);
  // Refused on arrival, under their keys, on their own dates: the other
  // side's report of the too old trade is refused alike, so nothing is booked.
  EXPECT_EQ(fri.trades[5].kind, TradeOutcomeKind::kRejected);
  EXPECT_EQ(fri.trades[5].reason, Reason::kTradeDateTooOld);
  EXPECT_EQ(fri.trades[1].kind, TradeOutcomeKind::kRejected);
  EXPECT_EQ(fri.trades[1].reason, Reason::kTradeDateTooOld);
  EXPECT_EQ(fri.trades[1].field, "trade_date");
  EXPECT_FALSE(fri.trades[1].rolled);
  EXPECT_EQ(fri.trades[1].business_date, kWednesday);
  EXPECT_EQ(fri.trades[2].kind, TradeOutcomeKind::kRejected);
  EXPECT_EQ(fri.trades[2].reason, Reason::kTradeDateBeforeGenesis);
  EXPECT_EQ(fri.trades[2].field, "trade_date");
  EXPECT_EQ(fri.trades[3].kind, TradeOutcomeKind::kDuplicate);
  EXPECT_EQ(ledger_->find_trade(m("A"), "late-2")->status, TradeStatus::kRejected);
  EXPECT_EQ(ledger_->find_trade(m("A"), "late-2")->reason, Reason::kTradeDateTooOld);
  EXPECT_EQ(ledger_->find_trade(m("B"), "late-2")->status, TradeStatus::kRejected);
  ASSERT_EQ(fri.positions.size(), 2u);  // only late-t1's, on Monday
  EXPECT_EQ(fri.positions[0].settlement_date, kMonday);
}

TEST_F(LedgerTest, CountsTheLateTradeWindowInBusinessDays) {
  Genesis g = testing::small_genesis();
  g.late_trade_window_days = 2;
  start(g);
  for (BusinessDate d : {kWednesday, kThursday, kFriday}) (void)run(request({cut_off(d)}));
  // Monday is open: Friday and Monday lie after Thursday, the weekend does not count.
  const Trade thu = acme_trade("thu", "A", "B", 1, 1000, kThursday);
  const EpochResult mon = run({{kNodeA, {thu, acme_trade("wed", "A", "B", 1, 1000, kWednesday)}},
                               {kNodeB, {counter(thu)}}});
  EXPECT_EQ(mon.trades.at(2).kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(mon.trades.at(2).settlement_date, kMonday);
  EXPECT_EQ(mon.trades.at(1).reason, Reason::kTradeDateTooOld);
  // A month of cut-offs later, a T+0 trade of the first day is long too old.
  BusinessDate open = kMonday;
  for (int i = 0; i < 22; ++i) {
    (void)run(request({cut_off(open)}));
    open = *ref().calendar().next_business_day(open);
  }
  const Trade today = acme_trade("today", "A", "B", 1, 1000, open);
  const EpochResult later = run({{kNodeA, {acme_trade("month", "A", "B", 1, 1000, kThursday), today}},
                                 {kNodeB, {counter(today)}}});
  EXPECT_EQ(later.trades.at(0).reason, Reason::kTradeDateTooOld);
  EXPECT_EQ(later.trades.at(2).kind, TradeOutcomeKind::kConfirmed);
  // With no window at all, yesterday's trade is already too old.
  g.late_trade_window_days = 0;
  start(g);
  (void)run(request({cut_off(kWednesday)}));
  EXPECT_EQ(run({{kNodeA, {acme_trade("wed", "A", "B", 1, 1000, kWednesday)}}}).trades.at(0).reason,
            Reason::kTradeDateTooOld);
}

TEST(LedgerGenesis, DigestCoversTheLateWindowAndEveryLimit) {
  const Genesis base = testing::small_genesis();
  std::vector<Genesis> variants(5, base);
  variants[0].late_trade_window_days = 2;
  variants[1].default_limits->max_gross_quantity.units -= 1;
  variants[2].default_limits->max_net_position.units -= 1;
  variants[3].limits = {{MemberId::of("A"), testing::kSmallLimits}};
  variants[4].limits = {{MemberId::of("A"), testing::kSmallLimits}};
  variants[4].limits[0].limits.max_gross_quantity.units -= 1;
  const Digest digest = Ledger(testing::load(base)).state_digest();
  std::vector<Digest> seen = {digest};
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const Digest d = Ledger(testing::load(variants[i])).state_digest();
    EXPECT_EQ(std::count(seen.begin(), seen.end(), d), 0) << i;
    seen.push_back(d);
  }
}

TEST_F(LedgerTest, RefusesSuspendedInstrumentsAndForeignSubmissions) {
  start(testing::small_genesis());
  const SuspensionChange suspend{MemberId::of("OPS"), ControlRef::of("halt-1"), kAcme, true};
  const SuspensionChange resume{MemberId::of("OPS"), ControlRef::of("resume-1"), kAcme, false};
  const Trade x = acme_trade("x", "A", "B", 1, 1000, kWednesday);
  const Trade y = acme_trade("y", "A", "B", 1, 1000, kWednesday);
  // B's node reports B's side of "y" and forges A's, which would match it.
  const EpochResult r = run({
      {kNodeA, {x}},
      {kNodeB, {counter(x), counter(y), y}},
      {kNodeD, {suspend}},
      {kNodeOps, {suspend}},
  });
  ASSERT_EQ(r.trades.size(), 4u);
  EXPECT_EQ(r.trades[1].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(r.trades[2].kind, TradeOutcomeKind::kAlleged);
  EXPECT_EQ(r.trades[3].kind, TradeOutcomeKind::kRejectedUnkeyed);
  EXPECT_EQ(r.trades[3].reason, Reason::kSubmitterNotProposer);
  EXPECT_EQ(ledger_->position(m("A"), InstrumentIndex{0}, kWednesday).bought, 1);  // x only
  EXPECT_TRUE(ledger_->suspended(InstrumentIndex{0}));
  const Trade z = acme_trade("z", "A", "B", 1, 1000, kWednesday);
  const EpochResult s = run({{kNodeA, {y, z}},
                             {kNodeB, {counter(z)}},
                             {kNodeD, {resume}},
                             {kNodeOps, {resume}}});
  // The forged "y" did not take A's id: A's own "y" is judged on its merits,
  // when it matches B's: suspension applies to the matched trade.
  ASSERT_EQ(s.trades.size(), 3u);
  EXPECT_EQ(s.trades[0].kind, TradeOutcomeKind::kRejected);
  EXPECT_EQ(s.trades[0].reason, Reason::kInstrumentSuspended);
  EXPECT_EQ(s.trades[0].field, "isin");
  EXPECT_EQ(ledger_->find_trade(m("B"), "y")->reason, Reason::kInstrumentSuspended);
  EXPECT_EQ(s.trades[2].reason, Reason::kInstrumentSuspended);  // z matched before the resume
  EXPECT_FALSE(ledger_->suspended(InstrumentIndex{0}));
  EXPECT_EQ(run_matched({acme_trade("w", "A", "B", 1, 1000, kWednesday)}).trades.at(1).kind,
            TradeOutcomeKind::kConfirmed);
}

TEST_F(LedgerTest, ReplayingAnAppliedEpochChangesNothing) {
  start(testing::small_genesis());
  const std::vector<std::pair<std::uint16_t, Bytes>> epoch0 =
      testing::matched_batches(ref(), {acme_trade("1", "A", "B", 100, 1000, kWednesday)});
  EXPECT_EQ(testing::apply_epoch(*ledger_, 1, epoch0).status, ApplyStatus::kOutOfOrder);
  const EpochResult first = testing::apply_epoch(*ledger_, 0, epoch0);
  ASSERT_EQ(first.status, ApplyStatus::kApplied);
  expect_all_matched(first, 1);
  const Digest snapshot = ledger_->business_state_digest();
  const EpochResult replay = testing::apply_epoch(*ledger_, 0, epoch0);
  EXPECT_EQ(replay.status, ApplyStatus::kAlreadyApplied);
  EXPECT_TRUE(replay.trades.empty());
  EXPECT_EQ(replay.state_digest, first.state_digest);
  EXPECT_EQ(ledger_->state_digest(), first.state_digest);
  EXPECT_EQ(ledger_->business_state_digest(), snapshot);
  EXPECT_EQ(ledger_->position(m("A"), InstrumentIndex{0}, kWednesday).bought, 100);
  EXPECT_EQ(testing::apply_epoch(*ledger_, 2, epoch0).status, ApplyStatus::kOutOfOrder);
  EXPECT_EQ(ledger_->last_applied_epoch(), 0u);
}

TEST_F(LedgerTest, RecordsUndecodableBatchesAndAppliesTheRest) {
  start(testing::small_genesis());
  const Trade t = acme_trade("1", "A", "B", 100, 1000, kWednesday);
  const std::vector<std::pair<std::uint16_t, Bytes>> epoch = {
      {kNodeA, testing::batch_of({t})},
      {kNodeC, Bytes{1, 0, 0, 0, 9, 0xde, 0xad}},
      {kNodeB, testing::batch_of({counter(t)})},
  };
  const EpochResult r = testing::apply_epoch(*ledger_, 0, epoch);
  ASSERT_EQ(r.rejected_batches.size(), 1u);
  EXPECT_EQ(r.rejected_batches[0].proposer, kNodeC);
  EXPECT_EQ(r.rejected_batches[0].reason, Reason::kBatchUndecodable);
  ASSERT_EQ(r.trades.size(), 2u);
  EXPECT_EQ(r.trades[1].kind, TradeOutcomeKind::kConfirmed);
}

TEST_F(LedgerTest, ReportsFinalRowValuesOncePerEpoch) {
  start(testing::small_genesis());
  const EpochResult r = run_matched({acme_trade("1", "A", "B", 100, 1000, kWednesday),
                                     acme_trade("2", "A", "B", 5, 2000, kWednesday)});
  expect_all_matched(r, 2);
  ASSERT_EQ(r.positions.size(), 2u);  // A and B in ACME, once each
  EXPECT_EQ(r.positions[0].member, m("A"));
  EXPECT_EQ(r.positions[0].bought, 105);
  EXPECT_EQ(r.positions[1].sold, 105);
  ASSERT_EQ(r.cash.size(), 2u);
  EXPECT_EQ(r.cash[0].paid, 110'000);
  EXPECT_EQ(r.cash[1].received, 110'000);
  EXPECT_EQ(r.trades[3].consideration.minor, 10'000);  // B's report of "2"
}

TEST_F(LedgerTest, ValidatesFundingEntries) {
  start(testing::small_genesis());
  const std::vector<Entry> entries = {
      Funding{MemberId::of("A"), ControlRef::of("f-0"), MemberId::of("B"), AssetKind::kCash,
              AssetCode::of("EUR"), 1},
      funding("f 1", "B", AssetKind::kCash, "EUR", 1),
      funding("f-2", "REG", AssetKind::kCash, "EUR", 1),
      funding("f-3", "B", AssetKind::kCash, "USD", 1),
      funding("f-4", "B", AssetKind::kSecurities, "EUR", 1),
      funding("f-5", "B", AssetKind::kCash, "EUR", 0),
      funding("f-6", "B", AssetKind::kCash, "EUR", 12'345),
      funding("f-7", "B", AssetKind::kCash, "EUR", std::numeric_limits<std::int64_t>::max()),
  };
  const EpochResult r = run(request(entries));
  ASSERT_EQ(r.controls.size(), 16u);
  const std::vector<std::pair<Reason, std::string_view>> refused = {
      {Reason::kNotOperator, "operator_id"},    {Reason::kControlRefInvalid, "reference"},
      {Reason::kMemberNotClearing, "member_id"}, {Reason::kAssetUnknown, "asset"},
      {Reason::kAssetUnknown, "asset"},          {Reason::kAmountNotPositive, "amount"}};
  for (std::size_t batch = 0; batch < 2; ++batch) {
    for (std::size_t i = 0; i < refused.size(); ++i) {
      const ControlOutcome& c = r.controls[batch * 8 + i];
      EXPECT_EQ(c.status, ControlStatus::kRejected) << i;
      EXPECT_EQ(c.reason, refused[i].first) << i;
      EXPECT_EQ(c.field, refused[i].second) << i;
      EXPECT_EQ(c.votes, 0) << i;
    }
  }
  // The valid ones wait for a second proposer; the overflow shows only when
  // the entry takes effect, against the supply at that point.
  EXPECT_EQ(r.controls[6].status, ControlStatus::kPending);
  EXPECT_EQ(r.controls[7].status, ControlStatus::kPending);
  EXPECT_EQ(r.controls[14].status, ControlStatus::kApplied);
  EXPECT_EQ(r.controls[15].status, ControlStatus::kRejected);
  EXPECT_EQ(r.controls[15].reason, Reason::kBalanceOverflow);
  EXPECT_EQ(r.controls[15].votes, 2);
  EXPECT_EQ(eur("B"), 12'345);
  ASSERT_EQ(r.balances.size(), 1u);
  EXPECT_EQ(r.balances[0].amount, 12'345);
  EXPECT_EQ(ledger_->total_supply(AssetKind::kCash, 0), 12'345);
  EXPECT_EQ(ledger_->pending_controls().size(), 0u);
}

// A node rebuilt from a checkpoint writes state_rows() where a node that
// applied every epoch has the rows each epoch's result listed: the two must
// be the same rows, the last listing of each cell winning.
TEST_F(LedgerTest, StateRowsAreTheCellsTheEpochResultsLeft) {
  Genesis g = testing::small_genesis();
  g.securities = {{MemberId::of("B"), kAcme, Quantity{400}}, {MemberId::of("C"), kAcme, Quantity{300}}};
  g.cash = {{MemberId::of("A"), CurrencyCode::of("EUR"), AmountMinor{700'000}},
            {MemberId::of("B"), CurrencyCode::of("EUR"), AmountMinor{700'000}}};
  start(g);
  std::map<std::tuple<std::int32_t, std::uint16_t, std::uint32_t>, PositionRow> positions;
  std::map<std::tuple<std::int32_t, std::uint16_t, std::uint32_t>, CashRow> cash;
  std::map<std::tuple<std::uint16_t, AssetKind, std::uint32_t>, std::int64_t> balances;
  const auto fold = [&](const EpochResult& r) {
    for (const PositionRow& p : r.positions) {
      positions[{p.settlement_date.days, p.member.value, p.instrument.value}] = p;
    }
    for (const CashRow& c : r.cash) cash[{c.settlement_date.days, c.member.value, c.currency.value}] = c;
    for (const BalanceRow& b : r.balances) balances[{b.account.value, b.kind, b.asset}] = b.amount;
  };
  Trade t_plus_1 = acme_trade("t1", "A", "B", 10, 1000, kWednesday);
  t_plus_1.settlement_date = kThursday;
  fold(run_matched({acme_trade("w1", "A", "B", 100, 1000, kWednesday), t_plus_1,
                    acme_trade("w2", "B", "C", 40, 1010, kWednesday)}));
  fold(run(request({cut_off(kWednesday)})));  // Wednesday settles: balances move
  fold(run_matched({acme_trade("h1", "C", "A", 5, 990, kThursday)}));

  const LedgerStateRows rows = ledger_->state_rows();
  std::size_t non_empty_positions = 0;
  for (const auto& [key, p] : positions) non_empty_positions += (p.bought != 0 || p.sold != 0) ? 1 : 0;
  ASSERT_EQ(rows.positions.size(), non_empty_positions);
  ASSERT_GE(rows.positions.size(), 6u);  // three members on two dates at least
  for (std::size_t i = 0; i < rows.positions.size(); ++i) {
    const PositionRow& p = rows.positions[i];
    const PositionRow& listed = positions.at({p.settlement_date.days, p.member.value, p.instrument.value});
    EXPECT_EQ(std::tuple(p.bought, p.sold, p.paid_minor, p.received_minor),
              std::tuple(listed.bought, listed.sold, listed.paid_minor, listed.received_minor));
    if (i > 0) {
      const PositionRow& q = rows.positions[i - 1];
      EXPECT_LT(std::tuple(q.settlement_date.days, q.member.value, q.instrument.value),
                std::tuple(p.settlement_date.days, p.member.value, p.instrument.value));
    }
  }
  std::size_t non_empty_cash = 0;
  for (const auto& [key, c] : cash) non_empty_cash += (c.received != 0 || c.paid != 0) ? 1 : 0;
  ASSERT_EQ(rows.cash.size(), non_empty_cash);
  for (const CashRow& c : rows.cash) {
    const CashRow& listed = cash.at({c.settlement_date.days, c.member.value, c.currency.value});
    EXPECT_EQ(std::tuple(c.received, c.paid), std::tuple(listed.received, listed.paid));
  }
  // Balances: every non-zero one, the genesis holdings included, at what
  // the ledger holds; each one an epoch listed at its listed amount.
  ASSERT_FALSE(balances.empty());
  for (std::size_t i = 0; i < rows.balances.size(); ++i) {
    const BalanceRow& b = rows.balances[i];
    EXPECT_NE(b.amount, 0);
    EXPECT_EQ(b.amount, ledger_->balance(b.account, b.kind, b.asset));
    if (const auto it = balances.find({b.account.value, b.kind, b.asset}); it != balances.end()) {
      EXPECT_EQ(b.amount, it->second);
    }
    if (i > 0) {
      const BalanceRow& a = rows.balances[i - 1];
      EXPECT_LT(std::tuple(a.account.value, a.kind, a.asset), std::tuple(b.account.value, b.kind, b.asset));
    }
  }
  for (const auto& [key, amount] : balances) {
    if (amount == 0) continue;
    const auto [account, kind, asset] = key;
    EXPECT_TRUE(std::any_of(rows.balances.begin(), rows.balances.end(), [&](const BalanceRow& b) {
      return b.account.value == account && b.kind == kind && b.asset == asset;
    }));
  }
}

}  // namespace
}  // namespace quorumclear::settlement
