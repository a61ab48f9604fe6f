// Two-sided matching (issue 12), one case per rule: a one-sided report never
// books; the counterparty's matching report confirms exactly once, in the
// epoch that carries the second side, whichever came first; a difference in
// one economic field is MISMATCHED naming it, and a correction matches; a
// third member cannot disturb a match; trailing zeros in a price match;
// cancels; venue trades and their affirmation; expiry; the open-report cap;
// and a forged counterparty report.
#include "settlement/ledger.h"

#include "settlement/test_support.h"

#include <gtest/gtest.h>

namespace quorumclear::settlement {
namespace {

using testing::acme_trade;
using testing::counter_report;
using testing::kThursday;
using testing::kWednesday;

constexpr std::uint16_t kNodeA = 0, kNodeB = 1, kNodeC = 2, kNodeOps = 4, kNodeVenue = 5;
const Isin kDaimler = Isin::of("DE0007164600");

// small_genesis plus a trading venue on node 5 that may submit for A and B.
Genesis matching_genesis() {
  Genesis g = testing::small_genesis();
  g.members.push_back({MemberId::of("XCHG"), "Exchange", Role::kTradingVenue, kNodeVenue});
  g.node_count = 6;  // f = 1 still: control entries take effect at 2 proposers
  g.venue_members = {{MemberId::of("XCHG"), MemberId::of("A")},
                     {MemberId::of("XCHG"), MemberId::of("B")}};
  g.allegation_expiry_days = 1;
  return g;
}

class MatchingTest : public ::testing::Test {
 protected:
  void SetUp() override { start(matching_genesis()); }
  void start(const Genesis& genesis) {
    ledger_.emplace(testing::load(genesis), LedgerOptions{{3, 4}, true, 0});
    next_epoch_ = 0;
  }
  EpochResult run(const std::vector<std::pair<std::uint16_t, std::vector<Entry>>>& batches) {
    EpochResult r = testing::apply_entries(*ledger_, next_epoch_++, batches);
    EXPECT_EQ(r.status, ApplyStatus::kApplied);
    return r;
  }
  EpochResult cut_off(BusinessDate date) {
    const CutOff c{MemberId::of("OPS"), date};
    return run({{kNodeA, {c}}, {kNodeOps, {c}}});
  }
  MemberIndex m(std::string_view id) const {
    return *ledger_->reference().find_member(MemberId::of(id));
  }
  PositionCell acme(std::string_view member, BusinessDate date = kWednesday) const {
    return ledger_->position(m(member), InstrumentIndex{0}, date);
  }
  CashCell eur(std::string_view member, BusinessDate date = kWednesday) const {
    return ledger_->cash_position(m(member), CurrencyIndex{0}, date);
  }
  TradeStatus status(std::string_view member, std::string_view id) const {
    const TradeRecord* r = ledger_->find_trade(m(member), id);
    EXPECT_NE(r, nullptr) << member << "/" << id;
    return r == nullptr ? TradeStatus::kRejected : r->status;
  }
  void expect_flat(BusinessDate date = kWednesday) const {
    for (const char* member : {"A", "B", "C", "D"}) {
      EXPECT_TRUE(acme(member, date).empty()) << member;
      EXPECT_TRUE(eur(member, date).empty()) << member;
    }
  }
  /// A bought 100 ACME from B at 10.00: positions and cash of one booking.
  void expect_booked_once(BusinessDate date = kWednesday) const {
    EXPECT_EQ(acme("A", date).bought, 100);
    EXPECT_EQ(acme("B", date).sold, 100);
    EXPECT_EQ(eur("A", date).paid, 100'000);
    EXPECT_EQ(eur("B", date).received, 100'000);
  }

  std::optional<Ledger> ledger_;
  std::uint64_t next_epoch_ = 0;
};

// A buys from B (A's report).
Trade a_buys() { return acme_trade("T-1", "A", "B", 100, 1000, kWednesday); }

TEST_F(MatchingTest, OneSidedReportNeverMovesAPositionOrCashHoweverLongItWaits) {
  const EpochResult first = run({{kNodeA, {a_buys()}}});
  ASSERT_EQ(first.trades.size(), 1u);
  EXPECT_EQ(first.trades[0].kind, TradeOutcomeKind::kAlleged);
  EXPECT_TRUE(first.positions.empty());
  EXPECT_TRUE(first.cash.empty());
  for (int i = 0; i < 20; ++i) {
    const EpochResult idle = run({{kNodeB, {}}});
    EXPECT_TRUE(idle.positions.empty() && idle.cash.empty() && idle.transitions.empty());
    EXPECT_EQ(status("A", "T-1"), TradeStatus::kAlleged);
    expect_flat();
  }
  // Across the cut-off that nets Wednesday: nothing to net, nothing settles.
  const EpochResult closed = cut_off(kWednesday);
  ASSERT_EQ(closed.reports.size(), 1u);
  EXPECT_TRUE(closed.reports[0].obligations.empty());
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kAlleged);
  expect_flat();
  EXPECT_EQ(ledger_->matching_stats().open_reports, 1u);
}

struct Arrival {
  bool buyer_first;
  bool same_epoch;
};

class SecondSide : public MatchingTest, public ::testing::WithParamInterface<Arrival> {};

TEST_P(SecondSide, ConfirmsExactlyOnceOnTheEpochThatCarriesIt) {
  const Trade buyer = a_buys();
  const Trade seller = counter_report(buyer);
  const Trade& first = GetParam().buyer_first ? buyer : seller;
  const Trade& second = GetParam().buyer_first ? seller : buyer;
  const auto node_of = [](const Trade& t) { return t.submitter == MemberId::of("A") ? kNodeA : kNodeB; };
  EpochResult r;
  if (GetParam().same_epoch) {
    r = run({{node_of(first), {first}}, {node_of(second), {second}}});
    ASSERT_EQ(r.trades.size(), 2u);
    EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kAlleged);
  } else {
    const EpochResult alleged = run({{node_of(first), {first}}});
    EXPECT_EQ(alleged.trades[0].kind, TradeOutcomeKind::kAlleged);
    (void)run({{kNodeC, {}}});
    (void)run({{kNodeC, {}}});
    expect_flat();
    r = run({{node_of(second), {second}}});
    ASSERT_EQ(r.trades.size(), 1u);
  }
  const TradeOutcome& confirming = r.trades.back();
  EXPECT_EQ(confirming.kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(confirming.paired_with, m(std::string(first.submitter.view())));
  // The first side's report confirms in the same epoch, as a transition.
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].status, TradeStatus::kConfirmed);
  EXPECT_EQ(r.transitions[0].submitter, m(std::string(first.submitter.view())));
  EXPECT_EQ(r.transitions[0].cause, r.trades.size() - 1);
  EXPECT_EQ(r.positions.size(), 2u);
  expect_booked_once();
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kConfirmed);
  EXPECT_EQ(status("B", "T-1"), TradeStatus::kConfirmed);
  // Either side again, in any later epoch: nothing is booked a second time.
  const EpochResult again = run({{kNodeA, {buyer}}, {kNodeB, {seller}}});
  for (const TradeOutcome& o : again.trades) {
    EXPECT_EQ(o.kind, TradeOutcomeKind::kDuplicate);
    EXPECT_TRUE(o.field.empty()) << o.field;
  }
  EXPECT_TRUE(again.positions.empty());
  expect_booked_once();
  EXPECT_EQ(ledger_->matching_stats().matched, 1u);
  EXPECT_EQ(ledger_->matching_stats().open_reports, 0u);
}

INSTANTIATE_TEST_SUITE_P(Orders, SecondSide,
                         ::testing::Values(Arrival{true, true}, Arrival{false, true},
                                           Arrival{true, false}, Arrival{false, false}),
                         [](const auto& p) {
                           return std::string(p.param.buyer_first ? "BuyerFirst" : "SellerFirst") +
                                  (p.param.same_epoch ? "SameEpoch" : "LaterEpoch");
                         });

struct FieldCase {
  const char* field;
  void (*change)(Trade&);
};

class OneFieldDiffers : public MatchingTest, public ::testing::WithParamInterface<FieldCase> {};

TEST_P(OneFieldDiffers, IsMismatchedNamingItAndTheCorrectionMatches) {
  // Thursday open, so a trade date of Wednesday (late by one) is valid too.
  (void)cut_off(kWednesday);
  Trade buyer = acme_trade("T-1", "A", "B", 100, 1000, kThursday);
  const Trade right = counter_report(buyer);
  Trade wrong = right;
  GetParam().change(wrong);
  ASSERT_TRUE(validate_trade(wrong, ledger_->reference()).ok());
  (void)run({{kNodeA, {buyer}}});
  const EpochResult r = run({{kNodeB, {wrong}}});
  ASSERT_EQ(r.trades.size(), 1u);
  EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kMismatched);
  EXPECT_EQ(r.trades[0].reason, Reason::kFieldMismatch);
  EXPECT_EQ(r.trades[0].field, GetParam().field);
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].status, TradeStatus::kMismatched);
  EXPECT_EQ(r.transitions[0].field, GetParam().field);
  EXPECT_TRUE(r.positions.empty() && r.cash.empty());
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kMismatched);
  EXPECT_EQ(status("B", "T-1"), TradeStatus::kMismatched);
  expect_flat(kThursday);
  // Both reports are kept and live; B corrects its report under the same id.
  const EpochResult fixed = run({{kNodeB, {right}}});
  ASSERT_EQ(fixed.trades.size(), 1u);
  EXPECT_EQ(fixed.trades[0].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(fixed.trades[0].version, 2);
  ASSERT_EQ(fixed.transitions.size(), 2u);
  EXPECT_EQ(fixed.transitions[0].status, TradeStatus::kReplaced);  // B's version 1
  EXPECT_EQ(fixed.transitions[0].version, 1);
  EXPECT_EQ(fixed.transitions[1].status, TradeStatus::kConfirmed);  // A's unchanged report
  EXPECT_EQ(fixed.transitions[1].submitter, m("A"));
  expect_booked_once(kThursday);
  // A late copy of the wrong version undoes nothing.
  const EpochResult stale = run({{kNodeB, {wrong}}});
  EXPECT_EQ(stale.trades[0].kind, TradeOutcomeKind::kDuplicate);
  expect_booked_once(kThursday);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, OneFieldDiffers,
    ::testing::Values(
        FieldCase{"isin", [](Trade& trade) { trade.isin = kDaimler; trade.price = Price{10'000}; trade.price_scale = 3; }},
        FieldCase{"quantity", [](Trade& trade) { trade.quantity = Quantity{101}; }},
        FieldCase{"price", [](Trade& trade) { trade.price = Price{1001}; }},
        FieldCase{"trade_date", [](Trade& trade) { trade.trade_date = kWednesday; trade.settlement_date = kThursday; }},
        FieldCase{"settlement_date", [](Trade& trade) { trade.settlement_date = testing::kFriday; }}),
    [](const auto& p) { return std::string(p.param.field); });

TEST_F(MatchingTest, AnotherCurrencyIsRefusedOnArrivalAndNeverPairs) {
  // An instrument has one currency, so a report in another never reaches
  // pairing: it is refused alone and the honest report waits.
  (void)run({{kNodeA, {a_buys()}}});
  Trade wrong = counter_report(a_buys());
  wrong.currency = CurrencyCode::of("JPY");
  const EpochResult r = run({{kNodeB, {wrong}}});
  EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kRejected);
  EXPECT_EQ(r.trades[0].reason, Reason::kCurrencyMismatch);
  EXPECT_TRUE(r.transitions.empty());
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kAlleged);
  expect_flat();
}

TEST_F(MatchingTest, ThirdMemberNamingOneOfTheTwoDoesNotDisturbTheirMatch) {
  // C, under A's and B's trade id, claims to sell to A and to buy from B.
  Trade c_sells_to_a = acme_trade("T-1", "A", "C", 100, 1000, kWednesday);
  c_sells_to_a.submitter = MemberId::of("C");
  Trade c_buys_from_b = acme_trade("T-1", "C", "B", 5, 1000, kWednesday);
  (void)run({{kNodeA, {a_buys()}}});
  const EpochResult spoiler = run({{kNodeC, {c_sells_to_a}}});
  EXPECT_EQ(spoiler.trades[0].kind, TradeOutcomeKind::kAlleged);
  EXPECT_TRUE(spoiler.transitions.empty());
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kAlleged);
  const EpochResult r = run({{kNodeB, {counter_report(a_buys())}}});
  EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kConfirmed);
  expect_booked_once();
  EXPECT_EQ(status("C", "T-1"), TradeStatus::kAlleged);
  // C's correction naming B as seller pairs with nothing either: B's report
  // names A, and it is already matched.
  const EpochResult later = run({{kNodeC, {c_buys_from_b}}});
  EXPECT_EQ(later.trades[0].kind, TradeOutcomeKind::kAlleged);
  expect_booked_once();
  EXPECT_EQ(acme("C").bought + acme("C").sold, 0);
}

TEST_F(MatchingTest, ThePriceWithMoreTrailingZerosMatches) {
  Trade b = counter_report(a_buys());  // 10.00 as 1000 at scale 2
  b.price = Price{100'000};            // 10.0000
  b.price_scale = 4;
  (void)run({{kNodeA, {a_buys()}}});
  const EpochResult r = run({{kNodeB, {b}}});
  EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kConfirmed);
  expect_booked_once();
  Trade c = acme_trade("T-2", "C", "D", 10, 1050, kWednesday);  // 10.50
  Trade d = counter_report(c);
  d.price = Price{105};  // 10.5
  d.price_scale = 1;
  const EpochResult short_form = run({{kNodeC, {c}}, {3, {d}}});
  EXPECT_EQ(short_form.trades[1].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(eur("C").paid, 10'500);
}

TEST_F(MatchingTest, CancelBeforeMatchingWorksAndAfterMatchingIsRefused) {
  (void)run({{kNodeA, {a_buys()}}});
  const TradeCancel cancel{TradeId::of("T-1"), MemberId::of("A")};
  const EpochResult cancelled = run({{kNodeA, {cancel}}});
  ASSERT_EQ(cancelled.trades.size(), 1u);
  EXPECT_TRUE(cancelled.trades[0].cancel);
  EXPECT_EQ(cancelled.trades[0].kind, TradeOutcomeKind::kCancelled);
  EXPECT_EQ(cancelled.trades[0].content_hash, entry_content_hash(encode_entry(cancel)));  // what the node keys on
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kCancelled);
  // The counterparty's report now finds nothing to pair with.
  const EpochResult late = run({{kNodeB, {counter_report(a_buys())}}});
  EXPECT_EQ(late.trades[0].kind, TradeOutcomeKind::kAlleged);
  expect_flat();
  // A reports again (a new version of its cancelled key): it matches.
  Trade again = a_buys();
  again.client_ref = ClientRef::of("resubmitted");
  const EpochResult matched = run({{kNodeA, {again}}});
  EXPECT_EQ(matched.trades[0].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_EQ(matched.trades[0].version, 2);
  expect_booked_once();
  // Neither side can take back a matched trade.
  const EpochResult refused =
      run({{kNodeA, {cancel}}, {kNodeB, {TradeCancel{TradeId::of("T-1"), MemberId::of("B")}}}});
  for (const TradeOutcome& o : refused.trades) {
    EXPECT_EQ(o.kind, TradeOutcomeKind::kRejectedUnkeyed);
    EXPECT_EQ(o.reason, Reason::kAlreadyMatched);
  }
  expect_booked_once();
  // Unknown key, and someone else's key from the wrong node.
  const EpochResult unknown = run({{kNodeA, {TradeCancel{TradeId::of("NOPE"), MemberId::of("A")}}},
                                   {kNodeC, {TradeCancel{TradeId::of("T-1"), MemberId::of("A")}}}});
  EXPECT_EQ(unknown.trades[0].reason, Reason::kTradeNotFound);
  EXPECT_EQ(unknown.trades[1].reason, Reason::kSubmitterNotProposer);
}

TEST_F(MatchingTest, CancellingAMismatchedReportLeavesTheOtherAllegedAgain) {
  (void)run({{kNodeA, {a_buys()}}});
  Trade wrong = counter_report(a_buys());
  wrong.quantity = Quantity{99};
  (void)run({{kNodeB, {wrong}}});
  ASSERT_EQ(status("A", "T-1"), TradeStatus::kMismatched);
  const EpochResult r = run({{kNodeB, {TradeCancel{TradeId::of("T-1"), MemberId::of("B")}}}});
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].status, TradeStatus::kAlleged);
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kAlleged);
  EXPECT_EQ(status("B", "T-1"), TradeStatus::kCancelled);
  expect_flat();
}

Trade venue_trade(std::string_view buyer, std::string_view seller) {
  Trade t = acme_trade("X-1", buyer, seller, 100, 1000, kWednesday);
  t.submitter = MemberId::of("XCHG");
  return t;
}

TEST_F(MatchingTest, VenueTradeConfirmsAloneAndOnlyForPermittedMembers) {
  const EpochResult r = run({{kNodeVenue, {venue_trade("A", "B")}}});
  EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_TRUE(r.transitions.empty());
  expect_booked_once();
  Trade outside = venue_trade("A", "C");
  outside.trade_id = TradeId::of("X-9");
  const EpochResult refused = run({{kNodeVenue, {outside}}});
  EXPECT_EQ(refused.trades[0].kind, TradeOutcomeKind::kRejected);
  EXPECT_EQ(refused.trades[0].reason, Reason::kVenueNotPermitted);
  EXPECT_EQ(refused.trades[0].field, "seller");
  // Another node cannot forge a locked-in trade.
  Trade forged = venue_trade("B", "A");
  forged.trade_id = TradeId::of("X-2");
  const EpochResult forgery = run({{kNodeA, {forged}}});
  EXPECT_EQ(forgery.trades[0].reason, Reason::kSubmitterNotProposer);
  expect_booked_once();
  EXPECT_EQ(ledger_->matching_stats().locked_in, 1u);
}

TEST_F(MatchingTest, BilateralReportsOfAVenueTradeBookNothingTwice) {
  // A reported first; the venue's trade then books and A's report affirms it.
  const Trade a = [] { Trade t = venue_trade("A", "B"); t.submitter = MemberId::of("A"); return t; }();
  (void)run({{kNodeA, {a}}});
  const EpochResult locked = run({{kNodeVenue, {venue_trade("A", "B")}}});
  EXPECT_EQ(locked.trades[0].kind, TradeOutcomeKind::kConfirmed);
  ASSERT_EQ(locked.transitions.size(), 1u);
  EXPECT_EQ(locked.transitions[0].status, TradeStatus::kAffirmed);
  // B reports after the venue: an affirmation, and one that differs is refused.
  const EpochResult b = run({{kNodeB, {counter_report(a)}}});
  EXPECT_EQ(b.trades[0].kind, TradeOutcomeKind::kAffirmed);
  EXPECT_EQ(b.trades[0].paired_with, m("XCHG"));
  expect_booked_once();
  Trade c_side = venue_trade("A", "B");
  c_side.trade_id = TradeId::of("X-3");
  (void)run({{kNodeVenue, {c_side}}});
  Trade differs = c_side;
  differs.submitter = MemberId::of("B");
  differs.quantity = Quantity{7};
  const EpochResult d = run({{kNodeB, {differs}}});
  EXPECT_EQ(d.trades[0].kind, TradeOutcomeKind::kRejected);
  EXPECT_EQ(d.trades[0].reason, Reason::kLockedInMismatch);
  EXPECT_EQ(d.trades[0].field, "quantity");
  EXPECT_EQ(acme("A").bought, 200);  // once each
  // A venue trade whose key both parties already matched books nothing.
  const Trade bilateral = acme_trade("X-4", "A", "B", 1, 1000, kWednesday);
  (void)run({{kNodeA, {bilateral}}, {kNodeB, {counter_report(bilateral)}}});
  Trade late_venue = bilateral;
  late_venue.submitter = MemberId::of("XCHG");
  const EpochResult dup = run({{kNodeVenue, {late_venue}}});
  EXPECT_EQ(dup.trades[0].reason, Reason::kAlreadyMatched);
  EXPECT_EQ(acme("A").bought, 201);
}

TEST_F(MatchingTest, UnmatchedReportsExpireAtTheConfiguredCutOff) {
  // allegation_expiry_days = 1: alive through Wednesday's cut-off, expired
  // at Thursday's.
  Trade mismatched = acme_trade("T-2", "C", "D", 10, 1000, kWednesday);
  Trade other = counter_report(mismatched);
  other.quantity = Quantity{11};
  (void)run({{kNodeA, {a_buys()}}, {kNodeC, {mismatched}}, {3, {other}}});
  const EpochResult wednesday = cut_off(kWednesday);
  ASSERT_EQ(wednesday.reports.size(), 1u);
  const std::vector<UnmatchedReport>& listed = wednesday.reports[0].unmatched;
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].submitter, m("A"));
  EXPECT_EQ(listed[0].status, TradeStatus::kAlleged);
  EXPECT_EQ(listed[0].counterparty, m("B"));
  EXPECT_EQ(listed[1].status, TradeStatus::kMismatched);
  EXPECT_EQ(listed[1].field, "quantity");
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kAlleged);
  const EpochResult thursday = cut_off(kThursday);
  ASSERT_EQ(thursday.reports.size(), 1u);
  ASSERT_EQ(thursday.reports[0].unmatched.size(), 3u);
  for (const UnmatchedReport& u : thursday.reports[0].unmatched) {
    EXPECT_EQ(u.status, TradeStatus::kExpired);
    EXPECT_EQ(u.business_date, kWednesday);
  }
  EXPECT_EQ(thursday.transitions.size(), 3u);
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kExpired);
  EXPECT_EQ(status("C", "T-2"), TradeStatus::kExpired);
  EXPECT_EQ(ledger_->matching_stats().open_reports, 0u);
  // B's report arrives too late: it pairs with nothing, and books nothing.
  Trade late = counter_report(a_buys());
  late.trade_date = kThursday;
  late.settlement_date = testing::kFriday;
  EXPECT_EQ(run({{kNodeB, {late}}}).trades[0].kind, TradeOutcomeKind::kAlleged);
  expect_flat();
}

TEST_F(MatchingTest, ZeroExpiryDaysExpireAtTheCutOffOfTheArrivalDate) {
  Genesis g = matching_genesis();
  g.allegation_expiry_days = 0;
  start(g);
  (void)run({{kNodeA, {a_buys()}}});
  const EpochResult r = cut_off(kWednesday);
  ASSERT_EQ(r.reports[0].unmatched.size(), 1u);
  EXPECT_EQ(r.reports[0].unmatched[0].status, TradeStatus::kExpired);
  EXPECT_TRUE(r.transitions[0].by_cut_off);
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kExpired);
}

TEST_F(MatchingTest, AnAllegationExpiresOnceNothingCouldStillMatchIt) {
  // Three days to live, but with a one-day late-trade window a counter
  // report of Wednesday's trade is refused from Friday: it expires at
  // Thursday's cut-off.
  Genesis g = matching_genesis();
  g.allegation_expiry_days = 3;
  start(g);
  (void)run({{kNodeA, {a_buys()}}});
  EXPECT_TRUE(cut_off(kWednesday).transitions.empty());
  const EpochResult thursday = cut_off(kThursday);
  ASSERT_EQ(thursday.transitions.size(), 1u);
  EXPECT_EQ(thursday.transitions[0].status, TradeStatus::kExpired);
  const EpochResult late = run({{kNodeB, {counter_report(a_buys())}}});
  EXPECT_EQ(late.trades[0].reason, Reason::kTradeDateTooOld);
}

TEST_F(MatchingTest, OpenReportsPerMemberAreCapped) {
  Genesis g = matching_genesis();
  g.max_open_reports_per_member = 2;
  start(g);
  const auto report = [](std::string_view id) { return acme_trade(id, "A", "B", 1, 1000, kWednesday); };
  const EpochResult r = run({{kNodeA, {report("T-1"), report("T-2"), report("T-3")}}});
  EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kAlleged);
  EXPECT_EQ(r.trades[1].kind, TradeOutcomeKind::kAlleged);
  EXPECT_EQ(r.trades[2].kind, TradeOutcomeKind::kRejectedUnkeyed);
  EXPECT_EQ(r.trades[2].reason, Reason::kAllegationLimit);
  EXPECT_EQ(ledger_->find_trade(m("A"), "T-3"), nullptr);  // it took no key
  // A report that matches at once needs no room; a matched one frees its room.
  const EpochResult b = run({{kNodeB, {counter_report(report("T-1"))}}});
  EXPECT_EQ(b.trades[0].kind, TradeOutcomeKind::kConfirmed);
  const EpochResult retry = run({{kNodeA, {report("T-3")}}});
  EXPECT_EQ(retry.trades[0].kind, TradeOutcomeKind::kAlleged);
  // Corrections of a live report reuse its room.
  Trade corrected = report("T-2");
  corrected.quantity = Quantity{2};
  EXPECT_EQ(run({{kNodeA, {corrected}}}).trades[0].version, 2);
  EXPECT_EQ(ledger_->matching_stats().refused_over_limit, 1u);
}

TEST_F(MatchingTest, AForgedCounterpartyReportIsRejectedAsBefore) {
  // A's node proposes "B's" agreeing report: the submitter does not run the
  // proposing node, so it takes no key and confirms nothing.
  (void)run({{kNodeA, {a_buys()}}});
  const EpochResult r = run({{kNodeA, {counter_report(a_buys())}}});
  EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kRejectedUnkeyed);
  EXPECT_EQ(r.trades[0].reason, Reason::kSubmitterNotProposer);
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kAlleged);
  EXPECT_EQ(ledger_->find_trade(m("B"), "T-1"), nullptr);
  expect_flat();
}

TEST_F(MatchingTest, LimitsApplyWhenTheSecondSideMatches) {
  Genesis g = matching_genesis();
  g.limits = {{MemberId::of("B"), Limits{AmountMinor{50'000}, Quantity{1'000}, Quantity{1'000}}}};
  start(g);
  // Arrival does not look at limits; the match does, and both reports are refused.
  EXPECT_EQ(run({{kNodeA, {a_buys()}}}).trades[0].kind, TradeOutcomeKind::kAlleged);
  const EpochResult r = run({{kNodeB, {counter_report(a_buys())}}});
  EXPECT_EQ(r.trades[0].kind, TradeOutcomeKind::kRejected);
  EXPECT_EQ(r.trades[0].reason, Reason::kLimitGrossNotional);
  EXPECT_EQ(r.trades[0].field, "seller");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].status, TradeStatus::kRejected);
  EXPECT_EQ(status("A", "T-1"), TradeStatus::kRejected);
  expect_flat();
}

TEST_F(MatchingTest, EqualEpochsGiveEqualDigestsAndSnapshots) {
  const auto replay = [&] {
    Ledger other(testing::load(matching_genesis()), LedgerOptions{{9, 9}, true, 0});
    return other;
  };
  Ledger twin = replay();
  const std::vector<std::vector<std::pair<std::uint16_t, std::vector<Entry>>>> epochs = {
      {{kNodeA, {a_buys()}}},
      {{kNodeB, {[] { Trade t = counter_report(a_buys()); t.quantity = Quantity{3}; return t; }()}}},
      {{kNodeB, {TradeCancel{TradeId::of("T-1"), MemberId::of("B")}}}, {kNodeVenue, {venue_trade("A", "B")}}},
  };
  for (const auto& epoch : epochs) {
    const std::uint64_t e = next_epoch_++;
    const EpochResult a = testing::apply_entries(*ledger_, e, epoch);
    const EpochResult b = testing::apply_entries(twin, e, epoch);
    EXPECT_EQ(a.state_digest, b.state_digest);
    EXPECT_EQ(ledger_->business_state_digest(), twin.business_state_digest());
  }
}

}  // namespace
}  // namespace quorumclear::settlement
