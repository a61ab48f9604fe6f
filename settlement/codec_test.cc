// Proves the trade and batch encodings round-trip, are canonical (one byte
// sequence per value), and that strict decoding turns any malformed or
// mutated input into an error value, never a crash or a second encoding.
#include "settlement/codec.h"

#include "settlement/test_support.h"

#include <gtest/gtest.h>

#include <random>

namespace quorumclear::settlement {
namespace {

using testing::acme_trade;
using testing::kWednesday;

Batch sample_batch() {
  Trade with_ref = acme_trade("T-1", "A", "B", 100, 1000, kWednesday);
  with_ref.client_ref = ClientRef::of("order 42 / desk 7");
  return Batch{{
      with_ref,
      acme_trade("T-2", "B", "C", 60, 1050, kWednesday),
      CutOff{MemberId::of("OPS"), kWednesday},
      Funding{MemberId::of("OPS"), ControlRef::of("dep:2026-11-25/1"), MemberId::of("A"),
              AssetKind::kCash, AssetCode::of("EUR"), 70'600},
      SuspensionChange{MemberId::of("OPS"), ControlRef::of("halt-1"), testing::kAcme, true},
      TradeCancel{TradeId::of("T-2"), MemberId::of("B")},
      ScheduledCutOff{kWednesday},
  }};
}

TEST(Codec, RoundTripsEveryEntryKind) {
  const Batch batch = sample_batch();
  const Bytes bytes = encode_batch(batch);
  const DecodedBatch decoded = decode_batch(bytes);
  ASSERT_EQ(decoded.error, DecodeError::kNone);
  EXPECT_EQ(decoded.batch, batch);
  EXPECT_EQ(encode_batch(decoded.batch), bytes);

  Bytes trade_bytes;
  encode_trade(std::get<Trade>(batch.entries[0]), trade_bytes);
  const DecodedTrade trade = decode_trade(trade_bytes);
  ASSERT_EQ(trade.error, DecodeError::kNone);
  EXPECT_EQ(trade.trade, std::get<Trade>(batch.entries[0]));
}

TEST(Codec, AnEntrysBytesAreItsPlaceInABatch) {
  const Batch batch = sample_batch();
  Bytes joined;
  for (const Entry& entry : batch.entries) {
    const Bytes one = encode_entry(entry);
    const Bytes alone = encode_batch(Batch{{entry}});
    EXPECT_EQ(Bytes(alone.begin() + 5, alone.end()), one);
    joined.insert(joined.end(), one.begin(), one.end());
  }
  const Bytes all = encode_batch(batch);
  EXPECT_EQ(Bytes(all.begin() + 5, all.end()), joined);
}

TEST(Codec, EncodesAPinnedLayout) {
  // Pins the byte layout: a change here changes every content hash.
  Trade t = acme_trade("X", "A", "B", 1, 2, BusinessDate{3});
  t.settlement_date = BusinessDate{4};
  Bytes bytes;
  encode_trade(t, bytes);
  const Bytes expected = {1, 'X', 1, 'A', 1, 'A', 1, 'B', 12, 'U', 'S', '0', '3', '7', '8', '3',
                          '3', '1', '0', '0', '5', 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                          2, 2, 3, 'E', 'U', 'R', 0, 0, 0, 3, 0, 0, 0, 4, 0};
  EXPECT_EQ(bytes, expected);

  // Control entries and a cancel, in a batch: version, count, then kind and body each.
  const Bytes batch = encode_batch(Batch{{
      ScheduledCutOff{BusinessDate{0x01020304}},
      CutOff{MemberId::of("O"), BusinessDate{5}},
      Funding{MemberId::of("O"), ControlRef::of("r"), MemberId::of("A"), AssetKind::kCash,
              AssetCode::of("EUR"), 6},
      SuspensionChange{MemberId::of("O"), ControlRef::of("s"), Isin::of("US0378331005"), true},
      TradeCancel{TradeId::of("T"), MemberId::of("A")},
  }});
  const Bytes expected_batch = {
      1, 0, 0, 0, 5,
      6, 1, 2, 3, 4,                                                            // scheduled cut-off
      2, 1, 'O', 0, 0, 0, 5,                                                    // cut-off
      3, 1, 'O', 1, 'r', 1, 'A', 1, 3, 'E', 'U', 'R', 0, 0, 0, 0, 0, 0, 0, 6,  // funding
      4, 1, 'O', 1, 's', 12, 'U', 'S', '0', '3', '7', '8', '3', '3', '1', '0', '0', '5', 1,
      5, 1, 'T', 1, 'A'};                                                      // cancel
  EXPECT_EQ(batch, expected_batch);
  const DecodedBatch decoded = decode_batch(expected_batch);
  ASSERT_EQ(decoded.error, DecodeError::kNone);
  EXPECT_EQ(decoded.batch.entries.back(), Entry(TradeCancel{TradeId::of("T"), MemberId::of("A")}));
}

TEST(Codec, RejectsMalformedInput) {
  const Bytes good = encode_batch(sample_batch());
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(decode_batch(trailing).error, DecodeError::kTrailingBytes);
  EXPECT_EQ(decode_batch(ByteView(good.data(), good.size() - 1)).error, DecodeError::kTruncated);
  EXPECT_EQ(decode_batch({}).error, DecodeError::kTruncated);

  Bytes version = good;
  version[0] = 2;
  EXPECT_EQ(decode_batch(version).error, DecodeError::kBadVersion);

  // A forged count is refused before anything is reserved.
  const Bytes huge_count = {1, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0};
  EXPECT_EQ(decode_batch(huge_count).error, DecodeError::kTooManyEntries);
  const Bytes count_beyond_bytes = {1, 0, 0, 0, 3, 2, 0, 0, 0, 0, 0};
  EXPECT_EQ(decode_batch(count_beyond_bytes).error, DecodeError::kTooManyEntries);

  const Bytes bad_kind = {1, 0, 0, 0, 1, 9, 0, 0, 0, 0, 0};
  const Bytes truncated_cancel = {1, 0, 0, 0, 1, 5, 1, 'T', 1};
  EXPECT_EQ(decode_batch(truncated_cancel).error, DecodeError::kTruncated);
  EXPECT_EQ(decode_batch(bad_kind).error, DecodeError::kBadEntryKind);
  const Bytes long_text = {1, 0, 0, 0, 1, 2, 17, 0, 0, 0, 0};  // member id > 16
  EXPECT_EQ(decode_batch(long_text).error, DecodeError::kTextTooLong);
  const Bytes long_ref = {1, 0, 0, 0, 1, 4, 0, 65, 0, 0, 0};  // reference > 64
  EXPECT_EQ(decode_batch(long_ref).error, DecodeError::kTextTooLong);
  const Bytes bad_flag = {1, 0, 0, 0, 1, 4, 0, 0, 0, 2};  // suspended = 2
  EXPECT_EQ(decode_batch(bad_flag).error, DecodeError::kBadFlag);
  const Bytes bad_asset = {1, 0, 0, 0, 1, 3, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(decode_batch(bad_asset).error, DecodeError::kBadAssetKind);
  // A scheduled cut-off (kind 6) is exactly its four date bytes: no
  // operator name, no fewer and no more.
  const Bytes scheduled = {1, 0, 0, 0, 1, 6, 0, 0, 0x51, 0x2e};  // 20782: 2026-11-25
  ASSERT_EQ(decode_batch(scheduled).error, DecodeError::kNone);
  EXPECT_EQ(decode_batch(scheduled).batch.entries.at(0), Entry(ScheduledCutOff{kWednesday}));
  EXPECT_EQ(decode_batch(ByteView(scheduled.data(), scheduled.size() - 1)).error,
            DecodeError::kTruncated);
  Bytes scheduled_trailing = scheduled;
  scheduled_trailing.push_back(0);
  EXPECT_EQ(decode_batch(scheduled_trailing).error, DecodeError::kTrailingBytes);
  const Bytes scheduled_with_operator = {1, 0, 0, 0, 1, 6, 1, 'O', 0, 0, 0x51, 0x2e};
  EXPECT_EQ(decode_batch(scheduled_with_operator).error, DecodeError::kTrailingBytes);
  const Bytes scheduled_then_kind_7 = {1, 0, 0, 0, 2, 6, 0, 0, 0x51, 0x2e, 7, 0, 0, 0, 0};
  EXPECT_EQ(decode_batch(scheduled_then_kind_7).error, DecodeError::kBadEntryKind);
  EXPECT_EQ(decode_batch(Bytes(kBatchBytesMax + 1, 0)).error, DecodeError::kTooLarge);

  Bytes one_trade;
  encode_trade(testing::acme_trade("T", "A", "B", 1, 100, kWednesday), one_trade);
  one_trade.push_back(0);
  EXPECT_EQ(decode_trade(one_trade).error, DecodeError::kTrailingBytes);
}

TEST(Codec, SurvivesSeededMutationsAndStaysCanonical) {
  const Bytes good = encode_batch(sample_batch());
  std::mt19937_64 rng(20261125);
  int decoded_ok = 0;
  for (int round = 0; round < 20'000; ++round) {
    Bytes bytes = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0: bytes[at] = static_cast<std::uint8_t>(rng()); break;
        case 1: bytes[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
        case 2: bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at)); break;
        default:
          bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                       static_cast<std::uint8_t>(rng()));
      }
      if (bytes.empty()) bytes.push_back(0);
    }
    const DecodedBatch decoded = decode_batch(bytes);
    if (decoded.error == DecodeError::kNone) {
      ++decoded_ok;
      // Whatever decodes must re-encode to exactly the input: canonical.
      EXPECT_EQ(encode_batch(decoded.batch), bytes) << "round " << round;
    } else {
      EXPECT_TRUE(decoded.batch.entries.empty());
      EXPECT_LE(decoded.offset, bytes.size());
    }
  }
  // Mutations inside text and integer fields still decode; the test must
  // exercise both paths to mean anything.
  EXPECT_GT(decoded_ok, 100);
  EXPECT_LT(decoded_ok, 20'000);
}

TEST(Codec, SurvivesRandomGarbage) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20'000; ++round) {
    Bytes bytes(rng() % 64);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    if (!bytes.empty() && rng() % 2 == 0) bytes[0] = kBatchVersion;
    const DecodedBatch decoded = decode_batch(bytes);
    if (decoded.error == DecodeError::kNone) {
      EXPECT_EQ(encode_batch(decoded.batch), bytes);
    }
  }
}

}  // namespace
}  // namespace quorumclear::settlement
