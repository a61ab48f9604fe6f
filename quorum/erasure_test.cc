// Proves Reed-Solomon coding over ISA-L reconstructs every value from ANY k
// of its n stripes (exhaustively for n = 4 and 7, sampled for 16 and 31),
// and that malformed stripe sets are refused rather than trusted.
#include "quorum/erasure.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace quorumclear::quorum {
namespace {

Bytes random_bytes(std::mt19937_64& rng, std::size_t size) {
  Bytes out(size);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

std::vector<IndexedStripe> pick(const EncodedValue& enc, const std::vector<std::size_t>& indices) {
  std::vector<IndexedStripe> out;
  for (std::size_t i : indices) out.push_back(IndexedStripe{i, enc.stripe(i)});
  return out;
}

// Calls visit(subset) for every k-subset of {0..n-1}, ascending.
template <class Visit>
void for_each_subset(std::size_t n, std::size_t k, Visit visit) {
  std::vector<bool> mask(n, false);
  std::fill(mask.begin(), mask.begin() + static_cast<std::ptrdiff_t>(k), true);
  do {
    std::vector<std::size_t> subset;
    for (std::size_t i = 0; i < n; ++i) {
      if (mask[i]) subset.push_back(i);
    }
    visit(subset);
  } while (std::prev_permutation(mask.begin(), mask.end()));
}

std::vector<std::size_t> sizes_for(std::size_t k) {
  return {0, 1, k - 1, k, k + 1, 2 * k + 3, 1000};
}

void expect_every_subset_decodes(std::size_t n) {
  const Membership members(n);
  ErasureCoder coder(members);
  const std::size_t k = members.data_stripes();
  std::mt19937_64 rng(n);
  for (std::size_t size : sizes_for(k)) {
    const Bytes value = random_bytes(rng, size);
    const EncodedValue enc = coder.encode(value);
    ASSERT_EQ(enc.stripe_count(), n);
    ASSERT_EQ(enc.stripe_bytes(), erasure_stripe_bytes(size, k));
    std::size_t subsets = 0;
    for_each_subset(n, k, [&](const std::vector<std::size_t>& subset) {
      auto stripes = pick(enc, subset);
      // Order of arrival must not matter.
      std::reverse(stripes.begin(), stripes.end());
      const auto decoded = coder.decode(stripes);
      ASSERT_TRUE(decoded.has_value()) << "n=" << n << " size=" << size;
      EXPECT_EQ(*decoded, value);
      ++subsets;
    });
    EXPECT_GT(subsets, 0u);
  }
}

TEST(Erasure, EveryKSubsetDecodesN4) { expect_every_subset_decodes(4); }
TEST(Erasure, EveryKSubsetDecodesN7) { expect_every_subset_decodes(7); }
TEST(Erasure, EveryKSubsetDecodesN10) { expect_every_subset_decodes(10); }

void expect_random_subsets_decode(std::size_t n, int trials) {
  const Membership members(n);
  ErasureCoder coder(members);
  const std::size_t k = members.data_stripes();
  std::mt19937_64 rng(1000 + n);
  std::vector<std::size_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = i;
  for (std::size_t size : sizes_for(k)) {
    const Bytes value = random_bytes(rng, size);
    const EncodedValue enc = coder.encode(value);
    for (int t = 0; t < trials; ++t) {
      std::shuffle(all.begin(), all.end(), rng);
      // Sometimes more than k stripes arrive; the extras must not hurt.
      const std::size_t take = k + static_cast<std::size_t>(rng() % 3 == 0 ? rng() % (n - k + 1) : 0);
      const std::vector<std::size_t> subset(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(take));
      const auto decoded = coder.decode(pick(enc, subset));
      ASSERT_TRUE(decoded.has_value()) << "n=" << n << " size=" << size;
      EXPECT_EQ(*decoded, value);
    }
  }
}

TEST(Erasure, RandomSubsetsDecodeN16) { expect_random_subsets_decode(16, 300); }
TEST(Erasure, RandomSubsetsDecodeN31) { expect_random_subsets_decode(31, 300); }
TEST(Erasure, RandomSubsetsDecodeN128) { expect_random_subsets_decode(128, 20); }

TEST(Erasure, NoParityWhenFIsZero) {
  for (std::size_t n : {1u, 2u, 3u}) {
    const Membership members(n);
    ErasureCoder coder(members);
    ASSERT_EQ(coder.data_stripes(), n);
    const Bytes value{1, 2, 3, 4, 5};
    const EncodedValue enc = coder.encode(value);
    std::vector<std::size_t> all;
    for (std::size_t i = 0; i < n; ++i) all.push_back(i);
    EXPECT_EQ(coder.decode(pick(enc, all)), value);
  }
}

TEST(Erasure, OneMebibyteFromParityHeavySubsets) {
  std::mt19937_64 rng(7);
  const Bytes value = random_bytes(rng, 1u << 20);
  for (std::size_t n : {4u, 7u, 16u, 31u}) {
    const Membership members(n);
    ErasureCoder coder(members);
    const std::size_t k = members.data_stripes();
    const EncodedValue enc = coder.encode(value);
    // The last k stripes: as much parity as possible, no data when 2f >= k.
    std::vector<std::size_t> last;
    for (std::size_t i = n - k; i < n; ++i) last.push_back(i);
    EXPECT_EQ(coder.decode(pick(enc, last)), value) << n;
  }
}

TEST(Erasure, FrameIsSystematicAndBigEndian) {
  const Membership members(4);
  ErasureCoder coder(members);
  const Bytes value{0xAA, 0xBB, 0xCC};
  const EncodedValue enc = coder.encode(value);
  // k = 2, frame = 8 + 3 = 11 bytes, padded to 12: stripes of 6.
  ASSERT_EQ(enc.stripe_bytes(), 6u);
  const Bytes s0(enc.stripe(0).begin(), enc.stripe(0).end());
  const Bytes s1(enc.stripe(1).begin(), enc.stripe(1).end());
  EXPECT_EQ(s0, (Bytes{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(s1, (Bytes{0, 3, 0xAA, 0xBB, 0xCC, 0}));
}

TEST(Erasure, StripeSizeBounds) {
  const Membership m4(4);
  EXPECT_EQ(erasure_min_stripe_bytes(m4), 4u);
  EXPECT_EQ(erasure_max_stripe_bytes(m4), (kBatchBytesMax + 8) / 2);
  const Membership m31(31);  // k = 11
  EXPECT_EQ(erasure_min_stripe_bytes(m31), 1u);
  EXPECT_EQ(erasure_max_stripe_bytes(m31), (kBatchBytesMax + 8 + 10) / 11);
}

class ErasureGarbage : public ::testing::Test {
 protected:
  Membership members{7};  // k = 3
  ErasureCoder coder{members};
  Bytes value{10, 20, 30, 40, 50, 60, 70};
  EncodedValue enc = coder.encode(value);
};

TEST_F(ErasureGarbage, TooFewStripes) {
  EXPECT_FALSE(coder.decode(pick(enc, {0, 5})).has_value());
  EXPECT_FALSE(coder.decode(std::vector<IndexedStripe>{}).has_value());
}

TEST_F(ErasureGarbage, DuplicateOrOutOfRangeIndex) {
  EXPECT_FALSE(coder.decode(pick(enc, {0, 0, 5})).has_value());
  auto stripes = pick(enc, {0, 1, 2});
  stripes[2].index = 7;
  EXPECT_FALSE(coder.decode(stripes).has_value());
}

TEST_F(ErasureGarbage, UnequalOrOutOfRangeSizes) {
  auto stripes = pick(enc, {0, 3, 6});
  stripes[1].bytes = stripes[1].bytes.first(stripes[1].bytes.size() - 1);
  EXPECT_FALSE(coder.decode(stripes).has_value());
  const Bytes empty;
  const std::vector<IndexedStripe> zero{{0, empty}, {1, empty}, {2, empty}};
  EXPECT_FALSE(coder.decode(zero).has_value());
  const Bytes huge(erasure_max_stripe_bytes(members) + 1);
  const std::vector<IndexedStripe> big{{0, huge}, {1, huge}, {2, huge}};
  EXPECT_FALSE(coder.decode(big).has_value());
}

TEST_F(ErasureGarbage, LengthBeyondCapacity) {
  Bytes s0(enc.stripe(0).begin(), enc.stripe(0).end());
  s0[0] = 0x80;  // length field now ~2^63
  const std::vector<IndexedStripe> stripes{{0, s0}, {1, enc.stripe(1)}, {2, enc.stripe(2)}};
  EXPECT_FALSE(coder.decode(stripes).has_value());
}

TEST_F(ErasureGarbage, NonMinimalOrNonZeroPadding) {
  // 7 bytes + 8 = 15 = 3 x 5: no padding. Encode a shorter value's frame
  // by hand with one extra stripe byte each: non-minimal padding.
  const std::size_t s = 6;
  Bytes frame(3 * s, 0);
  frame[7] = 7;
  std::copy(value.begin(), value.end(), frame.begin() + 8);
  const std::vector<IndexedStripe> padded{{0, ByteView(frame).subspan(0, s)},
                                          {1, ByteView(frame).subspan(s, s)},
                                          {2, ByteView(frame).subspan(2 * s, s)}};
  EXPECT_FALSE(coder.decode(padded).has_value());
  // A 6-byte value fits 14 bytes in 15: one padding byte, which must be 0.
  const Bytes shorter{1, 2, 3, 4, 5, 6};
  const EncodedValue enc6 = coder.encode(shorter);
  Bytes s2(enc6.stripe(2).begin(), enc6.stripe(2).end());
  ASSERT_EQ(s2.back(), 0);
  EXPECT_EQ(coder.decode(pick(enc6, {0, 1, 2})), shorter);
  s2.back() = 1;
  const std::vector<IndexedStripe> dirty{{0, enc6.stripe(0)}, {1, enc6.stripe(1)}, {2, s2}};
  EXPECT_FALSE(coder.decode(dirty).has_value());
}

TEST_F(ErasureGarbage, RandomStripesNeverCrash) {
  std::mt19937_64 rng(99);
  int accepted = 0;
  for (int t = 0; t < 2000; ++t) {
    const std::size_t size = 1 + rng() % 16;
    std::vector<Bytes> raw;
    std::vector<IndexedStripe> stripes;
    for (int i = 0; i < 3; ++i) raw.push_back(random_bytes(rng, size));
    // Small lengths sometimes, so some garbage frames are well-formed.
    if (rng() % 2 == 0) std::fill(raw[0].begin(), raw[0].begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(size, 7)), 0);
    std::vector<std::size_t> all{0, 1, 2, 3, 4, 5, 6};
    std::shuffle(all.begin(), all.end(), rng);
    for (int i = 0; i < 3; ++i) stripes.push_back(IndexedStripe{all[static_cast<std::size_t>(i)], raw[static_cast<std::size_t>(i)]});
    const auto decoded = coder.decode(stripes);
    if (decoded.has_value()) {
      ++accepted;
      EXPECT_EQ(erasure_stripe_bytes(decoded->size(), 3), size);
    }
  }
  EXPECT_LT(accepted, 2000);
}

TEST(Erasure, DecodePlanCacheSurvivesManySubsets) {
  const Membership members(16);
  ErasureCoder coder(members);
  std::mt19937_64 rng(5);
  const Bytes a = random_bytes(rng, 333);
  const Bytes b = random_bytes(rng, 4444);
  const EncodedValue ea = coder.encode(a);
  const EncodedValue eb = coder.encode(b);
  // More distinct subsets than cache entries, revisited in turn.
  const std::vector<std::vector<std::size_t>> subsets{
      {10, 11, 12, 13, 14, 15}, {0, 2, 4, 6, 8, 10}, {1, 3, 5, 7, 9, 11}, {5, 6, 7, 8, 9, 10},
      {0, 1, 2, 13, 14, 15},    {3, 4, 12, 13, 14, 15}, {0, 7, 8, 9, 14, 15}};
  for (int round = 0; round < 3; ++round) {
    for (const auto& subset : subsets) {
      EXPECT_EQ(coder.decode(pick(ea, subset)), a);
      EXPECT_EQ(coder.decode(pick(eb, subset)), b);
    }
  }
}

}  // namespace
}  // namespace quorumclear::quorum
