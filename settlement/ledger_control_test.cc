// Proves the control-entry rule: a cut-off, funding or suspension takes
// effect exactly at the (f+1)-th distinct proposer of identical bytes, never
// on f proposers, a repeated proposer or differing entries; repeats after it
// took effect are no-ops (funding by all n nodes funds once); pending votes
// expire and are bounded per proposer; and pending votes are in the digests.
#include "settlement/ledger.h"

#include "settlement/test_support.h"

#include <gtest/gtest.h>

namespace quorumclear::settlement {
namespace {

using testing::acme_trade;
using testing::kThursday;
using testing::kWednesday;

using Batches = std::vector<std::pair<std::uint16_t, std::vector<Entry>>>;

class ControlTest : public ::testing::Test {
 protected:
  /// small_genesis with `nodes` quorum nodes: members run nodes 0..4, any
  /// others are run by no member (they still vote).
  void start(std::uint16_t nodes) {
    Genesis g = testing::small_genesis();
    g.node_count = nodes;
    g.members.push_back({MemberId::of("OPS2"), "Second operator", Role::kOperator, std::nullopt});
    ledger_.emplace(testing::load(g), LedgerOptions{{3, 4}, true, 0});
  }
  EpochResult run(const Batches& batches) {
    std::vector<std::pair<std::uint16_t, Bytes>> encoded;
    for (const auto& [node, entries] : batches) encoded.emplace_back(node, testing::batch_of(entries));
    EpochResult r = testing::apply_epoch(*ledger_, next_epoch_++, encoded);
    EXPECT_EQ(r.status, ApplyStatus::kApplied);
    return r;
  }
  std::int64_t eur(std::string_view id) const {
    const MemberIndex m = *ledger_->reference().find_member(MemberId::of(id));
    return ledger_->balance(AccountIndex{m.value}, AssetKind::kCash, 0);
  }
  static CutOff cut_off(BusinessDate date, std::string_view op = "OPS") {
    return CutOff{MemberId::of(op), date};
  }
  static Funding deposit(std::string_view reference, std::int64_t amount) {
    return Funding{MemberId::of("OPS"), ControlRef::of(reference), MemberId::of("B"),
                   AssetKind::kCash, AssetCode::of("EUR"), amount};
  }
  static std::vector<ControlStatus> statuses(const EpochResult& r) {
    std::vector<ControlStatus> out;
    for (const ControlOutcome& c : r.controls) out.push_back(c.status);
    return out;
  }

  std::optional<Ledger> ledger_;
  std::uint64_t next_epoch_ = 0;
};

constexpr auto kPending = ControlStatus::kPending;
constexpr auto kApplied = ControlStatus::kApplied;
constexpr auto kAlready = ControlStatus::kAlreadyApplied;

TEST_F(ControlTest, OneProposerCannotCutOffFundOrSuspend) {
  start(5);  // f = 1
  for (int epoch = 0; epoch < 5; ++epoch) {
    const EpochResult r = run({{0, {cut_off(kWednesday), deposit("dep-1", 1'000),
                                    SuspensionChange{MemberId::of("OPS"), ControlRef::of("h-1"),
                                                     testing::kAcme, true}}}});
    EXPECT_TRUE(r.reports.empty());
    for (const ControlOutcome& c : r.controls) {
      EXPECT_EQ(c.status, epoch == 0 ? kPending : ControlStatus::kRepeatedVote);
      EXPECT_EQ(c.votes, 1);
    }
  }
  EXPECT_EQ(ledger_->open_business_date(), kWednesday);
  EXPECT_EQ(eur("B"), 0);
  EXPECT_FALSE(ledger_->suspended(InstrumentIndex{0}));
  EXPECT_EQ(ledger_->pending_controls().size(), 3u);
}

TEST_F(ControlTest, CutOffTakesEffectExactlyAtTheFPlusFirstDistinctProposer) {
  start(7);  // f = 2: nodes 5 and 6 are run by no member
  EXPECT_EQ(ledger_->reference().control_quorum(), 3u);
  // Each trade is decided when its second report matches the first: "a"
  // (C's report) and "b" (B's, just before B's vote) before the line, "c"
  // (D's) after it.
  const Trade a = acme_trade("a", "A", "C", 1, 1000, kWednesday);
  const Trade b = acme_trade("b", "B", "C", 1, 1000, kWednesday);
  const Trade c = acme_trade("c", "C", "D", 1, 1000, kWednesday);
  const EpochResult r = run({
      {5, {cut_off(kWednesday)}},
      {0, {a}},
      {6, {cut_off(kWednesday)}},
      {2, {testing::counter_report(a), testing::counter_report(b), c}},
      {1, {b, cut_off(kWednesday)}},  // 3rd
      {3, {testing::counter_report(c)}},
      {4, {cut_off(kWednesday)}},
  });
  EXPECT_EQ(statuses(r), (std::vector{kPending, kPending, kApplied, kAlready}));
  EXPECT_EQ(r.controls[0].votes, 1);
  EXPECT_EQ(r.controls[1].votes, 2);
  EXPECT_EQ(r.controls[2].votes, 3);
  EXPECT_EQ(r.controls[2].proposer, 1);
  EXPECT_EQ(r.controls[2].entry_index, 1u);
  ASSERT_EQ(r.trades.size(), 6u);
  const std::vector<TradeOutcomeKind> kinds = {r.trades[0].kind, r.trades[2].kind, r.trades[3].kind};
  EXPECT_EQ(kinds, std::vector<TradeOutcomeKind>(3, TradeOutcomeKind::kAlleged));
  for (std::size_t second : {1u, 4u, 5u}) {
    EXPECT_EQ(r.trades[second].kind, TradeOutcomeKind::kConfirmed) << second;
  }
  EXPECT_FALSE(r.trades[1].rolled);  // a
  EXPECT_FALSE(r.trades[4].rolled);  // b: before the vote in the same batch
  EXPECT_TRUE(r.trades[5].rolled);   // c
  ASSERT_EQ(r.reports.size(), 1u);
  EXPECT_EQ(r.reports[0].totals.at(0).trade_count, 2u);
  EXPECT_EQ(ledger_->open_business_date(), kThursday);
  EXPECT_EQ(ledger_->pending_controls().size(), 0u);
}

TEST_F(ControlTest, FProposersNeverSufficeHoweverOftenTheyRepeat) {
  start(7);
  for (int epoch = 0; epoch < 10; ++epoch) {
    const EpochResult r = run({{5, {cut_off(kWednesday), cut_off(kWednesday)}},
                               {6, {cut_off(kWednesday)}}});
    EXPECT_TRUE(r.reports.empty());
    for (const ControlOutcome& c : r.controls) EXPECT_LE(c.votes, 2);
  }
  EXPECT_EQ(ledger_->open_business_date(), kWednesday);
}

TEST_F(ControlTest, DifferingEntriesDoNotCombine) {
  start(5);
  // Same date from two operators; same reference with two amounts.
  const EpochResult r = run({{0, {cut_off(kWednesday, "OPS"), deposit("dep-1", 1'000)}},
                             {1, {cut_off(kWednesday, "OPS2"), deposit("dep-1", 1'001)}}});
  EXPECT_EQ(statuses(r), (std::vector{kPending, kPending, kPending, kPending}));
  for (const ControlOutcome& c : r.controls) EXPECT_EQ(c.votes, 1);
  EXPECT_NE(r.controls[1].entry_digest, r.controls[3].entry_digest);
  EXPECT_EQ(ledger_->open_business_date(), kWednesday);
  EXPECT_EQ(eur("B"), 0);
  // The 1,000 takes effect with a second vote; then the 1,001 under the same
  // reference is a conflict, not a second deposit, and OPS2's late cut-off
  // for the closed date is a no-op.
  const EpochResult s = run({{2, {deposit("dep-1", 1'000), cut_off(kWednesday, "OPS")}},
                             {3, {deposit("dep-1", 1'001), cut_off(kWednesday, "OPS2")}}});
  EXPECT_EQ(statuses(s), (std::vector{kApplied, kApplied, ControlStatus::kRejected, kAlready}));
  EXPECT_EQ(s.controls[2].reason, Reason::kControlRefConflict);
  EXPECT_EQ(s.controls[3].reason, Reason::kCutOffAlreadyApplied);
  EXPECT_EQ(eur("B"), 1'000);
  EXPECT_EQ(s.reports.size(), 1u);
}

TEST_F(ControlTest, FundingProposedByAllNodesFundsOnce) {
  start(5);
  Batches all;
  for (std::uint16_t node = 0; node < 5; ++node) all.push_back({node, {deposit("dep-7", 5'000)}});
  const EpochResult r = run(all);
  EXPECT_EQ(statuses(r), (std::vector{kPending, kApplied, kAlready, kAlready, kAlready}));
  EXPECT_EQ(r.controls[4].reason, Reason::kControlAlreadyApplied);
  EXPECT_EQ(eur("B"), 5'000);
  EXPECT_EQ(ledger_->total_supply(AssetKind::kCash, 0), 5'000);
  // Proposed again epochs later (a node that lagged, or a replaying one).
  const Digest before = ledger_->business_state_digest();
  const EpochResult again = run(all);
  EXPECT_EQ(statuses(again), (std::vector<ControlStatus>(5, kAlready)));
  EXPECT_TRUE(again.balances.empty());
  EXPECT_EQ(eur("B"), 5'000);
  EXPECT_EQ(ledger_->business_state_digest(), before);
  // A new reference is a new deposit, even with the same amount.
  (void)run({{0, {deposit("dep-8", 5'000)}}, {3, {deposit("dep-8", 5'000)}}});
  EXPECT_EQ(eur("B"), 10'000);
}

TEST_F(ControlTest, ReferencesLetTheSameSuspensionBeRequestedTwice) {
  start(5);
  const auto change = [](std::string_view reference, bool suspended) {
    return SuspensionChange{MemberId::of("OPS"), ControlRef::of(reference), testing::kAcme,
                            suspended};
  };
  (void)run({{0, {change("halt-1", true)}}, {1, {change("halt-1", true)}}});
  EXPECT_TRUE(ledger_->suspended(InstrumentIndex{0}));
  (void)run({{0, {change("resume-1", false)}}, {1, {change("resume-1", false)}}});
  EXPECT_FALSE(ledger_->suspended(InstrumentIndex{0}));
  // Late votes for halt-1 do not suspend again; a new halt-2 does.
  const EpochResult late = run({{2, {change("halt-1", true)}}, {3, {change("halt-1", true)}}});
  EXPECT_EQ(statuses(late), (std::vector{kAlready, kAlready}));
  EXPECT_FALSE(ledger_->suspended(InstrumentIndex{0}));
  (void)run({{2, {change("halt-2", true)}}, {3, {change("halt-2", true)}}});
  EXPECT_TRUE(ledger_->suspended(InstrumentIndex{0}));
}

TEST_F(ControlTest, PendingEntriesExpireAfterTheirWindow) {
  start(5);
  (void)run({{0, {cut_off(kWednesday)}}});
  for (std::uint64_t e = 1; e < kControlPendingEpochs; ++e) {
    EXPECT_TRUE(run({}).controls.empty()) << e;
  }
  EXPECT_EQ(ledger_->pending_controls().size(), 1u);
  const EpochResult expiry = run({{1, {cut_off(kWednesday)}}});
  // The old vote expires before the epoch's batches: the new one is alone.
  EXPECT_EQ(statuses(expiry), (std::vector{ControlStatus::kExpired, kPending}));
  EXPECT_EQ(expiry.controls[0].proposer, kNoProposer);
  EXPECT_EQ(expiry.controls[0].reason, Reason::kControlExpired);
  EXPECT_EQ(expiry.controls[1].votes, 1);
  EXPECT_TRUE(expiry.reports.empty());
  EXPECT_EQ(ledger_->open_business_date(), kWednesday);
}

TEST_F(ControlTest, BoundsPendingVotesPerProposerWithoutTouchingOthers) {
  start(5);
  // Node 1 votes for a real request; node 0 floods distinct fundings.
  (void)run({{1, {deposit("real", 7)}}});
  std::vector<Entry> flood;
  for (std::size_t i = 0; i < 3 * kControlVotesPerProposerMax; ++i) {
    flood.push_back(deposit("junk-" + std::to_string(i), 1));
  }
  const EpochResult r = run({{0, flood}});
  std::size_t withdrawn = 0;
  for (const ControlOutcome& c : r.controls) {
    if (c.status != ControlStatus::kWithdrawn) continue;
    ++withdrawn;
    EXPECT_EQ(c.proposer, 0);
    EXPECT_EQ(c.reason, Reason::kControlVoteLimit);
    EXPECT_EQ(c.votes, 0);  // node 0 was its only voter: the entry is gone
  }
  EXPECT_EQ(withdrawn, 2 * kControlVotesPerProposerMax);
  EXPECT_EQ(ledger_->pending_controls().size(), kControlVotesPerProposerMax + 1);
  // Node 1's vote survived the flood: one more proposer applies it.
  const EpochResult s = run({{2, {deposit("real", 7)}}});
  EXPECT_EQ(statuses(s), (std::vector{kApplied}));
  EXPECT_EQ(eur("B"), 7);
  // The flood's oldest entries lost their vote: a single new vote is pending.
  const EpochResult t = run({{3, {deposit("junk-0", 1)}}});
  EXPECT_EQ(statuses(t), (std::vector{kPending}));
  EXPECT_EQ(t.controls[0].votes, 1);
}

TEST_F(ControlTest, RefusesVotesFromUnknownProposers) {
  start(5);
  const EpochResult r = run({{5, {cut_off(kWednesday)}}, {6, {cut_off(kWednesday)}}});
  for (const ControlOutcome& c : r.controls) {
    EXPECT_EQ(c.reason, Reason::kProposerUnknown);
    EXPECT_EQ(c.field, "proposer");
  }
  EXPECT_EQ(ledger_->pending_controls().size(), 0u);
}

TEST_F(ControlTest, PendingVotesAreInBothDigests) {
  start(5);
  Ledger other(ledger_->reference(), LedgerOptions{{5, 6}, true, 0});
  (void)run({{0, {acme_trade("a", "A", "B", 1, 1000, kWednesday)}}});
  (void)testing::apply_epoch(
      other, 0, {{0, testing::batch_of({acme_trade("a", "A", "B", 1, 1000, kWednesday)})}});
  EXPECT_EQ(other.state_digest(), ledger_->state_digest());
  // Same business state, but one ledger holds a pending vote.
  (void)run({{0, {cut_off(kWednesday)}}});
  (void)testing::apply_epoch(other, 1, {});
  EXPECT_NE(other.state_digest(), ledger_->state_digest());
  EXPECT_NE(other.business_state_digest(), ledger_->business_state_digest());
  EXPECT_EQ(other.open_business_date(), ledger_->open_business_date());
}

}  // namespace
}  // namespace quorumclear::settlement
