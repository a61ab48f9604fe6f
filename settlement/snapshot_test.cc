// The snapshot codec on a small, hand-built history: a restored ledger goes
// on exactly like the original, and no damaged or forged byte string ever
// decodes to anything but the state it spells (ledger_property_test.cc does
// the same over long random streams).
#include "settlement/snapshot.h"

#include "settlement/test_support.h"

#include <gtest/gtest.h>

namespace quorumclear::settlement {
namespace {

using testing::acme_trade;
using testing::apply_entries;
using testing::counter_report;
using testing::kWednesday;
using testing::kThursday;

using Epochs = std::vector<std::vector<std::pair<std::uint16_t, std::vector<Entry>>>>;

Genesis funded_genesis() {
  Genesis g = testing::small_genesis();
  // Holdings, so the cut-off's run moves balances and leaves fails open.
  g.securities = {{MemberId::of("B"), Isin::of("US0378331005"), Quantity{40}}};
  g.cash = {{MemberId::of("A"), CurrencyCode::of("EUR"), AmountMinor{1'000'000}},
            {MemberId::of("C"), CurrencyCode::of("EUR"), AmountMinor{500}}};
  return g;
}

/// Matched, alleged, mismatched, corrected and cancelled reports, a pending
/// and an applied cut-off vote, then trades of the next date.
Epochs history() {
  const Trade t1 = acme_trade("T1", "A", "B", 50, 1'000, kWednesday);
  const Trade t2 = acme_trade("T2", "C", "D", 5, 2'000, kWednesday);  // alleged only
  Trade t3 = acme_trade("T3", "A", "C", 7, 1'500, kWednesday);
  Trade t3_other = counter_report(t3);
  t3_other.quantity = Quantity{8};  // mismatched on quantity
  Trade t3_fixed = t3;
  t3_fixed.quantity = Quantity{8};   // A corrects: now it matches
  const Trade t4 = acme_trade("T4", "D", "A", 3, 1'100, kWednesday);
  const CutOff close{MemberId::of("OPS"), kWednesday};
  const Trade t5 = acme_trade("T5", "B", "A", 2, 1'200, kThursday);
  return {
      {{0, {t1, t3}}, {1, {counter_report(t1)}}, {2, {t2, t3_other}}},
      {{3, {t4}}, {4, {close}}},
      {{0, {t3_fixed}}, {3, {TradeCancel{TradeId::of("T4"), MemberId::of("D")}}}},
      {{1, {close}}},  // the second distinct proposer: the cut-off applies
      {{0, {t5}}},
      {{1, {counter_report(t5)}}, {2, {CutOff{MemberId::of("OPS"), kThursday}}}},
  };
}

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reference_ = std::make_unique<ReferenceData>(testing::load(funded_genesis()));
    epochs_ = history();
  }
  /// A ledger that applied epochs [0, count).
  std::unique_ptr<Ledger> ledger_after(std::size_t count, LedgerOptions options = {}) {
    auto ledger = std::make_unique<Ledger>(*reference_, options);
    for (std::size_t e = 0; e < count; ++e) (void)apply_entries(*ledger, e, epochs_[e]);
    return ledger;
  }
  std::variant<std::unique_ptr<Ledger>, SnapshotError> decode(ByteView bytes) {
    return decode_snapshot(bytes, *reference_, LedgerOptions{{3, 4}, true, 0});
  }
  std::unique_ptr<ReferenceData> reference_;
  Epochs epochs_;
};

// The history must hold what the codec has to carry, or the tests below
// would pass over an empty state.
TEST_F(SnapshotTest, TheHistoryHoldsEveryPartOfTheState) {
  Ledger ledger(*reference_);
  std::size_t reports = 0;
  bool saw_pending_vote = false;
  bool saw_live_report = false;
  for (std::size_t e = 0; e < epochs_.size(); ++e) {
    reports += apply_entries(ledger, e, epochs_[e]).reports.size();
    saw_pending_vote = saw_pending_vote || ledger.pending_controls().size() > 0;
    saw_live_report = saw_live_report || ledger.matching_stats().open_reports > 0;
  }
  EXPECT_EQ(reports, 1u);
  EXPECT_EQ(ledger.pending_controls().size(), 1u);  // Thursday's cut-off has one vote
  EXPECT_TRUE(saw_pending_vote);
  EXPECT_TRUE(saw_live_report);
  EXPECT_GT(ledger.matching_stats().matched, 1u);
  EXPECT_GT(ledger.matching_stats().cancelled + ledger.matching_stats().mismatched, 1u);
  EXPECT_FALSE(ledger.carried_obligations().empty());
}

TEST_F(SnapshotTest, ARestoredLedgerGoesOnExactlyLikeTheOriginal) {
  for (std::size_t at = 1; at < epochs_.size(); ++at) {
    std::unique_ptr<Ledger> original = ledger_after(at);
    const Bytes bytes = encode_snapshot(*original);
    auto decoded = decode(bytes);
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Ledger>>(decoded))
        << "after " << at << " epochs: " << std::get<SnapshotError>(decoded).what;
    Ledger& restored = *std::get<std::unique_ptr<Ledger>>(decoded);
    EXPECT_EQ(restored.last_applied_epoch(), original->last_applied_epoch());
    EXPECT_EQ(restored.state_digest(), original->state_digest());
    EXPECT_EQ(restored.business_state_digest(), original->business_state_digest());
    for (std::size_t e = at; e < epochs_.size(); ++e) {
      const EpochResult a = apply_entries(*original, e, epochs_[e]);
      const EpochResult b = apply_entries(restored, e, epochs_[e]);
      ASSERT_EQ(b.status, ApplyStatus::kApplied);
      EXPECT_EQ(b.state_digest, a.state_digest) << "epoch " << e << " after a snapshot at " << at;
      EXPECT_EQ(b.trades.size(), a.trades.size());
      EXPECT_EQ(b.reports.size(), a.reports.size());
    }
    EXPECT_EQ(encode_snapshot(restored), encode_snapshot(*original));
  }
}

TEST_F(SnapshotTest, TheBytesDependOnlyOnTheHistoryNotOnTheHashKey) {
  const Bytes a = encode_snapshot(*ledger_after(epochs_.size(), LedgerOptions{{1, 2}, false, 0}));
  const Bytes b = encode_snapshot(*ledger_after(epochs_.size(), LedgerOptions{{9, 8}, false, 1'000}));
  EXPECT_EQ(a, b);
  EXPECT_EQ(snapshot_digest(a), snapshot_digest(b));
  // ...and differ with the history.
  EXPECT_NE(encode_snapshot(*ledger_after(epochs_.size() - 1)), a);
}

TEST_F(SnapshotTest, TheHeaderNamesTheEpochAndTheChainedDigest) {
  std::unique_ptr<Ledger> ledger = ledger_after(4);
  const auto header = read_snapshot_header(encode_snapshot(*ledger));
  ASSERT_TRUE(std::holds_alternative<SnapshotHeader>(header));
  EXPECT_EQ(std::get<SnapshotHeader>(header).epoch, 3u);
  EXPECT_EQ(std::get<SnapshotHeader>(header).state_digest, ledger->state_digest());
  EXPECT_EQ(std::get<SnapshotHeader>(header).open_business_date, ledger->open_business_date());
}

TEST_F(SnapshotTest, EveryTruncationAndTrailingByteIsRefused) {
  const Bytes bytes = encode_snapshot(*ledger_after(epochs_.size()));
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    const auto decoded = decode(ByteView(bytes.data(), length));
    EXPECT_TRUE(std::holds_alternative<SnapshotError>(decoded)) << "prefix of " << length;
  }
  Bytes longer = bytes;
  longer.push_back(0);
  const auto decoded = decode(longer);
  ASSERT_TRUE(std::holds_alternative<SnapshotError>(decoded));
  EXPECT_EQ(std::get<SnapshotError>(decoded).what, "trailing bytes");
}

// A changed byte either is refused or names another state exactly: what it
// decodes to encodes back to those very bytes. Which state is the right one
// is the checkpoint's signed digest's business, not the decoder's.
TEST_F(SnapshotTest, AChangedByteIsRefusedOrSpellsExactlyTheStateItDecodesTo) {
  const Bytes bytes = encode_snapshot(*ledger_after(epochs_.size()));
  std::size_t refused = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (const std::uint8_t flip : std::array<std::uint8_t, 3>{0x01, 0x80, 0xff}) {
      Bytes changed = bytes;
      changed[i] = static_cast<std::uint8_t>(changed[i] ^ flip);
      auto decoded = decode(changed);
      if (std::holds_alternative<SnapshotError>(decoded)) {
        ++refused;
        continue;
      }
      EXPECT_EQ(encode_snapshot(*std::get<std::unique_ptr<Ledger>>(decoded)), changed) << "byte " << i;
      EXPECT_NE(snapshot_digest(changed), snapshot_digest(bytes));
    }
  }
  // Most bytes are amounts, indices and counts the checks catch.
  EXPECT_GT(refused, bytes.size());
}

TEST_F(SnapshotTest, ASnapshotOfAnotherGenesisIsRefused) {
  const Bytes bytes = encode_snapshot(*ledger_after(2));
  Genesis other = funded_genesis();
  other.instruments.pop_back();
  const auto decoded = decode_snapshot(bytes, testing::load(other));
  ASSERT_TRUE(std::holds_alternative<SnapshotError>(decoded));
  EXPECT_EQ(std::get<SnapshotError>(decoded).what, "dimensions differ from this genesis");
}

TEST_F(SnapshotTest, AHeaderWithoutAnEpochOrOfAnotherVersionIsRefused) {
  Bytes bytes = encode_snapshot(*ledger_after(epochs_.size()));
  bytes[8] = 0;  // the has-epoch flag
  const auto decoded = decode(bytes);
  ASSERT_TRUE(std::holds_alternative<SnapshotError>(decoded));
  EXPECT_EQ(std::get<SnapshotError>(decoded).what, "a snapshot before epoch 0");
  bytes[8] = 1;
  bytes[7] = 2;  // version 2
  EXPECT_EQ(std::get<SnapshotError>(decode(bytes)).what, "unknown snapshot version");
}

}  // namespace
}  // namespace quorumclear::settlement
