// Proves the scheduled cut-off rule (ledger.h, "Control entries"): the
// nodes' own cut-off closes the open date exactly at the (2f+1)-th distinct
// proposer, with its settlement run in that epoch, never on 2f proposers or
// on f faulty ones plus one fast honest clock; it and the operator's CutOff
// close a date once between them, and later votes of either kind are
// no-ops; a node re-proposing every epoch counts once, takes one quota slot
// and, after an expiry or a withdrawal, counts afresh, so honest clocks
// spread over more than kControlPendingEpochs still close the day; a future
// date and unknown proposers are refused. Then scheduled_cut_off_due, the
// node's pure "is it time" rule, over weekends and holidays.
#include "settlement/ledger.h"
#include "settlement/scheduled_cut_off.h"

#include "settlement/test_support.h"

#include <gtest/gtest.h>

#include <set>

namespace quorumclear::settlement {
namespace {

using testing::acme_trade;
using testing::both_sides;
using testing::kThursday;
using testing::kWednesday;

using Batches = std::vector<std::pair<std::uint16_t, std::vector<Entry>>>;

constexpr auto kPending = ControlStatus::kPending;
constexpr auto kRepeated = ControlStatus::kRepeatedVote;
constexpr auto kApplied = ControlStatus::kApplied;
constexpr auto kAlready = ControlStatus::kAlreadyApplied;

const ScheduledCutOff kScheduledWednesday{kWednesday};

/// small_genesis on n nodes; members whose node would be n or above (OPS
/// when n = 4) run none. Submitters are not bound to nodes, so any batch
/// may carry both sides of a trade and the tests place trades freely
/// around the votes.
Genesis genesis_of(std::uint16_t nodes) {
  Genesis g = testing::small_genesis();
  g.node_count = nodes;
  for (MemberDef& m : g.members) {
    if (m.node && *m.node >= nodes) m.node.reset();
  }
  g.submitter_must_be_proposer = false;
  return g;
}

class ControlScheduledCutOff : public ::testing::TestWithParam<std::uint16_t> {
 protected:
  void SetUp() override { start(GetParam()); }
  void start(std::uint16_t nodes) {
    ledger_.emplace(testing::load(genesis_of(nodes)), LedgerOptions{{7, 8}, true, 0});
    next_epoch_ = 0;
  }
  [[nodiscard]] std::uint16_t f() const {
    return static_cast<std::uint16_t>(ledger_->reference().max_faulty_nodes());
  }
  EpochResult run(const Batches& batches) {
    EpochResult r = testing::apply_entries(*ledger_, next_epoch_++, batches);
    EXPECT_EQ(r.status, ApplyStatus::kApplied);
    return r;
  }
  /// One epoch in which each of `nodes` proposes `entry` once.
  EpochResult everyone(const std::vector<std::uint16_t>& nodes, const Entry& entry) {
    Batches batches;
    for (std::uint16_t node : nodes) batches.push_back({node, {entry}});
    return run(batches);
  }
  static std::vector<ControlStatus> statuses(const EpochResult& r) {
    std::vector<ControlStatus> out;
    for (const ControlOutcome& c : r.controls) out.push_back(c.status);
    return out;
  }
  static std::vector<std::uint16_t> range(std::uint16_t from, std::uint16_t to) {
    std::vector<std::uint16_t> out;
    for (std::uint16_t n = from; n < to; ++n) out.push_back(n);
    return out;
  }
  static Funding deposit(const std::string& reference) {
    return Funding{MemberId::of("OPS"), ControlRef::of(reference), MemberId::of("B"),
                   AssetKind::kCash, AssetCode::of("EUR"), 1};
  }

  std::optional<Ledger> ledger_;
  std::uint64_t next_epoch_ = 0;
};

TEST_P(ControlScheduledCutOff, TakesEffectExactlyAtTheTwoFPlusFirstDistinctProposer) {
  const std::uint16_t quorum = static_cast<std::uint16_t>(2 * f() + 1);
  const std::uint16_t last = static_cast<std::uint16_t>(quorum - 1);  // a new, the (2f+1)-th, voter
  ASSERT_EQ(control_quorum(kScheduledWednesday, ledger_->reference()), quorum);
  ASSERT_EQ(control_quorum(CutOff{MemberId::of("OPS"), kWednesday}, ledger_->reference()),
            f() + 1u);
  // 2f distinct proposers: pending, however many epochs they repeat.
  for (int epoch = 0; epoch < 3; ++epoch) {
    const EpochResult r = everyone(range(0, 2 * f()), kScheduledWednesday);
    ASSERT_EQ(r.controls.size(), 2u * f());
    for (std::size_t i = 0; i < r.controls.size(); ++i) {
      EXPECT_EQ(r.controls[i].status, epoch == 0 ? kPending : kRepeated);
      EXPECT_EQ(r.controls[i].votes, epoch == 0 ? i + 1 : 2u * f());
      EXPECT_EQ(r.controls[i].kind(), ControlKind::kScheduledCutOff);
    }
    EXPECT_TRUE(r.reports.empty());
    EXPECT_EQ(ledger_->open_business_date(), kWednesday);
  }
  // The (2f+1)-th: trade "a" before it in the order books on Wednesday and
  // settles in the run; "c" after it rolls to Thursday.
  const Trade a = acme_trade("a", "A", "B", 1, 1000, kWednesday);
  const Trade c = acme_trade("c", "C", "D", 1, 1000, kWednesday);
  const EpochResult r = run({{0, {kScheduledWednesday}},
                             {1, both_sides({a})},
                             {last, {kScheduledWednesday}},
                             {2, both_sides({c})}});
  EXPECT_EQ(statuses(r), (std::vector{kRepeated, kApplied}));
  EXPECT_EQ(r.controls[1].votes, quorum);
  EXPECT_EQ(r.controls[1].proposer, last);
  EXPECT_EQ(r.controls[1].reason, Reason::kNone);
  ASSERT_EQ(r.trades.size(), 4u);
  EXPECT_EQ(r.trades[1].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_FALSE(r.trades[1].rolled);
  EXPECT_EQ(r.trades[3].kind, TradeOutcomeKind::kConfirmed);
  EXPECT_TRUE(r.trades[3].rolled);
  EXPECT_EQ(r.trades[3].settlement_date, kThursday);
  ASSERT_EQ(r.reports.size(), 1u);
  EXPECT_EQ(r.reports[0].business_date, kWednesday);
  EXPECT_EQ(r.reports[0].cutoff_epoch, r.epoch);
  EXPECT_EQ(r.reports[0].totals.at(0).trade_count, 1u);
  EXPECT_EQ(r.open_business_date, kThursday);
  EXPECT_EQ(ledger_->pending_controls().size(), 0u);
}

TEST_P(ControlScheduledCutOff, FFaultyVotesAndOneFastHonestClockNeverCloseTheDay) {
  // The faulty nodes are the last f; node 0's clock is fast. They propose
  // every epoch, over several expiry windows.
  std::vector<std::uint16_t> nodes = range(static_cast<std::uint16_t>(GetParam() - f()), GetParam());
  nodes.push_back(0);
  std::size_t expired = 0;
  for (std::uint64_t epoch = 0; epoch < 3 * kControlPendingEpochs; ++epoch) {
    const EpochResult r = everyone(nodes, kScheduledWednesday);
    EXPECT_TRUE(r.reports.empty());
    for (const ControlOutcome& c : r.controls) {
      EXPECT_LE(c.votes, f() + 1u);
      EXPECT_NE(c.status, kApplied);
      expired += c.status == ControlStatus::kExpired;
    }
  }
  EXPECT_EQ(expired, 2u);
  EXPECT_EQ(ledger_->open_business_date(), kWednesday);
}

TEST_P(ControlScheduledCutOff, AndTheOperatorsCutOffCloseADateOnce) {
  const std::uint16_t n = GetParam();
  const CutOff ops{MemberId::of("OPS"), kWednesday};
  // The operator's request reaches f+1 first: the scheduled votes after it,
  // in the same epoch and later, are no-ops.
  (void)everyone(range(0, 2 * f()), kScheduledWednesday);
  (void)everyone(range(0, f()), ops);
  EpochResult r = run({{f(), {ops, kScheduledWednesday}}, {static_cast<std::uint16_t>(2 * f()), {kScheduledWednesday}}});
  EXPECT_EQ(statuses(r), (std::vector{kApplied, kAlready, kAlready}));
  EXPECT_EQ(r.reports.size(), 1u);
  for (std::size_t i : {1u, 2u}) {
    EXPECT_EQ(r.controls[i].reason, Reason::kCutOffAlreadyApplied);
    EXPECT_EQ(r.controls[i].field, "business_date");
    EXPECT_EQ(r.controls[i].votes, 0);
  }
  std::size_t runs = r.reports.size();
  // Every node re-proposing both for the closed date: all ALREADY_APPLIED.
  for (int epoch = 0; epoch < 3; ++epoch) {
    Batches all;
    for (std::uint16_t node = 0; node < n; ++node) all.push_back({node, {kScheduledWednesday, ops}});
    r = run(all);
    EXPECT_EQ(statuses(r), std::vector<ControlStatus>(2u * n, kAlready));
    runs += r.reports.size();
  }
  EXPECT_EQ(runs, 1u);
  // Thursday: now the scheduled cut-off gets there first, and the
  // operator's votes are no-ops after it.
  const ScheduledCutOff thursday{kThursday};
  const CutOff ops_thursday{MemberId::of("OPS"), kThursday};
  (void)everyone(range(0, f()), ops_thursday);
  r = everyone(range(0, static_cast<std::uint16_t>(2 * f() + 1)), thursday);
  EXPECT_EQ(statuses(r).back(), kApplied);
  ASSERT_EQ(r.reports.size(), 1u);
  EXPECT_EQ(r.reports[0].business_date, kThursday);
  r = everyone(range(0, n), ops_thursday);
  EXPECT_EQ(statuses(r), std::vector<ControlStatus>(n, kAlready));
  EXPECT_TRUE(r.reports.empty());
  EXPECT_EQ(ledger_->open_business_date(), testing::kFriday);
}

TEST_P(ControlScheduledCutOff, RepeatedProposalsCountOnceAndTakeOneQuotaSlot) {
  // Node 0 re-proposes every epoch, sometimes twice in a batch.
  const EpochResult first = run({{0, {kScheduledWednesday, kScheduledWednesday}}});
  EXPECT_EQ(statuses(first), (std::vector{kPending, kRepeated}));
  for (int epoch = 0; epoch < 10; ++epoch) {
    const EpochResult r = run({{0, {kScheduledWednesday}}});
    EXPECT_EQ(statuses(r), (std::vector{kRepeated}));
    EXPECT_EQ(r.controls[0].votes, 1);
  }
  EXPECT_EQ(ledger_->pending_controls().size(), 1u);
  // The repeats took no quota: 63 more requests fit beside the one vote...
  std::vector<Entry> requests;
  for (std::size_t i = 1; i < kControlVotesPerProposerMax; ++i) {
    requests.emplace_back(deposit("req-" + std::to_string(i)));
  }
  EpochResult r = run({{0, requests}});
  EXPECT_EQ(statuses(r), std::vector<ControlStatus>(requests.size(), kPending));
  // ...and the 64th withdraws node 0's oldest vote, the scheduled cut-off,
  // which its next re-proposal counts afresh.
  r = run({{0, {deposit("req-64")}}});
  EXPECT_EQ(statuses(r), (std::vector{ControlStatus::kWithdrawn, kPending}));
  EXPECT_EQ(r.controls[0].entry, Entry(kScheduledWednesday));
  EXPECT_EQ(r.controls[0].reason, Reason::kControlVoteLimit);
  r = run({{0, {kScheduledWednesday}}});
  EXPECT_EQ(statuses(r).back(), kPending);
  EXPECT_EQ(r.controls.back().votes, 1);
  // Its quorum is reached by 2f more nodes as if nothing had happened.
  r = everyone(range(1, static_cast<std::uint16_t>(2 * f() + 1)), kScheduledWednesday);
  EXPECT_EQ(statuses(r).back(), kApplied);
  EXPECT_EQ(r.reports.size(), 1u);
}

TEST_P(ControlScheduledCutOff, RefusesAFutureDateAndUnknownProposers) {
  const std::uint16_t n = GetParam();
  const EpochResult r = everyone(range(0, n), ScheduledCutOff{kThursday});
  for (const ControlOutcome& c : r.controls) {
    EXPECT_EQ(c.status, ControlStatus::kRejected);
    EXPECT_EQ(c.reason, Reason::kCutOffDateNotOpen);
    EXPECT_EQ(c.field, "business_date");
    EXPECT_EQ(c.votes, 0);
  }
  const EpochResult unknown = everyone({n, static_cast<std::uint16_t>(n + 1), 0xfffe}, kScheduledWednesday);
  for (const ControlOutcome& c : unknown.controls) {
    EXPECT_EQ(c.status, ControlStatus::kRejected);
    EXPECT_EQ(c.reason, Reason::kProposerUnknown);
    EXPECT_EQ(c.field, "proposer");
  }
  EXPECT_EQ(ledger_->pending_controls().size(), 0u);
  EXPECT_EQ(ledger_->open_business_date(), kWednesday);
}

// Honest clocks pass the cut-off time kControlPendingEpochs + 4 epochs
// apart from first to last, and each epoch decides only some of the due
// nodes' batches. The first votes expire; the nodes re-proposing start a
// fresh entry at once, and the last clock closes the day.
TEST_P(ControlScheduledCutOff, ClosesTheDayWhenHonestClocksAreSpreadBeyondTheExpiryWindow) {
  const std::uint16_t honest = static_cast<std::uint16_t>(GetParam() - f());  // the faulty are silent
  const std::uint64_t spread = kControlPendingEpochs + 4;
  const auto due_from = [&](std::uint16_t node) { return node * spread / (honest - 1u); };
  std::size_t expired = 0;
  std::optional<std::uint64_t> closed;
  for (std::uint64_t epoch = 0; epoch < 3 * kControlPendingEpochs && !closed; ++epoch) {
    Batches batches;
    for (std::uint16_t node = 0; node < honest; ++node) {
      // Every third epoch a due node's batch misses the output.
      if (epoch < due_from(node) || (epoch + node) % 3 == 0) continue;
      batches.push_back({node, {kScheduledWednesday}});
    }
    const EpochResult r = run(batches);
    for (const ControlOutcome& c : r.controls) {
      expired += c.status == ControlStatus::kExpired;
      EXPECT_LE(c.votes, 2u * f() + 1);
    }
    if (!r.reports.empty()) {
      ASSERT_EQ(r.reports.size(), 1u);
      EXPECT_EQ(statuses(r).back(), kApplied);
      closed = epoch;
    }
  }
  ASSERT_TRUE(closed.has_value()) << "the day never closed";
  EXPECT_GE(*closed, spread);
  EXPECT_GE(expired, 1u);
  EXPECT_EQ(ledger_->open_business_date(), kThursday);
  // The date is closed: a straggler's re-proposal is a no-op.
  EXPECT_EQ(statuses(run({{0, {kScheduledWednesday}}})), (std::vector{kAlready}));
}

TEST_P(ControlScheduledCutOff, IsDistinctFromTheOperatorsCutOffInEveryDigest) {
  Ledger other(ledger_->reference(), LedgerOptions{{9, 10}, true, 0});
  const EpochResult mine = run({{0, {kScheduledWednesday}}});
  const EpochResult theirs = testing::apply_entries(
      other, 0, {{0, {CutOff{MemberId::of("OPS"), kWednesday}}}});
  ASSERT_EQ(mine.controls.size(), 1u);
  ASSERT_EQ(theirs.controls.size(), 1u);
  EXPECT_EQ(theirs.controls[0].kind(), ControlKind::kCutOff);
  EXPECT_NE(mine.controls[0].entry_digest, theirs.controls[0].entry_digest);
  EXPECT_NE(ledger_->state_digest(), other.state_digest());
  EXPECT_NE(ledger_->business_state_digest(), other.business_state_digest());
}

INSTANTIATE_TEST_SUITE_P(Nodes, ControlScheduledCutOff, ::testing::Values(4, 7),
                         [](const ::testing::TestParamInfo<std::uint16_t>& nodes) {
                           return "n" + std::to_string(nodes.param);
                         });

TEST(ControlKinds, NameTheStoreKinds) {
  EXPECT_EQ(to_string(ControlKind::kCutOff), "CUTOFF");
  EXPECT_EQ(to_string(ControlKind::kScheduledCutOff), "SCHEDULED_CUTOFF");
  EXPECT_EQ(to_string(ControlKind::kFunding), "FUNDING");
  EXPECT_EQ(to_string(ControlKind::kSuspension), "SUSPENSION");
  EXPECT_EQ(control_kind(kScheduledWednesday), ControlKind::kScheduledCutOff);
  EXPECT_EQ(control_kind(acme_trade("a", "A", "B", 1, 1000, kWednesday)), std::nullopt);
  EXPECT_EQ(control_kind(TradeCancel{TradeId::of("a"), MemberId::of("A")}), std::nullopt);
  EXPECT_EQ(cut_off_date(kScheduledWednesday), kWednesday);
  EXPECT_EQ(cut_off_date(CutOff{MemberId::of("OPS"), kThursday}), kThursday);
  EXPECT_EQ(cut_off_date(Funding{}), std::nullopt);
}

// --- scheduled_cut_off_due --------------------------------------------------

constexpr int kCutOffMinute = 17 * 60 + 30;  // 17:30
constexpr BusinessDate kChristmasEve = date_from_civil(2026, 12, 24);  // a Thursday
constexpr BusinessDate kChristmas = date_from_civil(2026, 12, 25);     // a holiday, Friday

ReferenceData with_christmas() {
  Genesis g = testing::small_genesis();
  g.holidays = {kChristmas};
  return testing::load(g);
}

TEST(ControlScheduledCutOffDue, OnTheOpenDateFromTheCutOffTime) {
  const ReferenceData ref = with_christmas();
  EXPECT_EQ(scheduled_cut_off_due(ref, kWednesday, kWednesday, 0, kCutOffMinute), std::nullopt);
  EXPECT_EQ(scheduled_cut_off_due(ref, kWednesday, kWednesday, kCutOffMinute - 1, kCutOffMinute),
            std::nullopt);
  EXPECT_EQ(scheduled_cut_off_due(ref, kWednesday, kWednesday, kCutOffMinute, kCutOffMinute),
            kWednesday);
  EXPECT_EQ(scheduled_cut_off_due(ref, kWednesday, kWednesday, kMinutesPerDay - 1, kCutOffMinute),
            kWednesday);
  // A cut-off time of midnight is due all day.
  EXPECT_EQ(scheduled_cut_off_due(ref, kWednesday, kWednesday, 0, 0), kWednesday);
}

TEST(ControlScheduledCutOffDue, AfterTheOpenDateAtAnyTime) {
  const ReferenceData ref = with_christmas();
  EXPECT_EQ(scheduled_cut_off_due(ref, kWednesday, kThursday, 0, kCutOffMinute), kWednesday);
  // A Friday still open on Saturday and Sunday (the network was down at
  // 17:30), and a day before a holiday on the holiday.
  const BusinessDate friday = testing::kFriday;
  EXPECT_EQ(scheduled_cut_off_due(ref, friday, BusinessDate{friday.days + 1}, 0, kCutOffMinute),
            friday);
  EXPECT_EQ(scheduled_cut_off_due(ref, friday, BusinessDate{friday.days + 2}, 600, kCutOffMinute),
            friday);
  EXPECT_EQ(scheduled_cut_off_due(ref, kChristmasEve, kChristmas, 0, kCutOffMinute), kChristmasEve);
  // Days behind: the open date is due, the next one too once it is open.
  EXPECT_EQ(scheduled_cut_off_due(ref, kWednesday, testing::kTuesday, 0, kCutOffMinute), kWednesday);
  EXPECT_EQ(scheduled_cut_off_due(ref, testing::kMonday, testing::kTuesday, 0, kCutOffMinute),
            testing::kMonday);
}

TEST(ControlScheduledCutOffDue, NeverBeforeTheOpenDateNorWhenNoBusinessDayFollows) {
  const ReferenceData ref = with_christmas();
  // A slow clock still on the previous day (or on a weekend before a
  // Monday the network opened), whatever the time.
  EXPECT_EQ(scheduled_cut_off_due(ref, kThursday, kWednesday, kMinutesPerDay - 1, kCutOffMinute),
            std::nullopt);
  EXPECT_EQ(scheduled_cut_off_due(ref, testing::kMonday, BusinessDate{testing::kMonday.days - 1},
                                  kMinutesPerDay - 1, kCutOffMinute),
            std::nullopt);
  // 2999-12-31 is a Tuesday: no business day follows it in range.
  EXPECT_EQ(scheduled_cut_off_due(ref, kDateMax, BusinessDate{kDateMax.days + 1}, 0, kCutOffMinute),
            std::nullopt);
  const BusinessDate monday_before{kDateMax.days - 1};
  EXPECT_EQ(scheduled_cut_off_due(ref, monday_before, kDateMax, 0, kCutOffMinute), monday_before);
}

}  // namespace
}  // namespace quorumclear::settlement
