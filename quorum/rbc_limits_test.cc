// Proves the size limits a peer's stripes can reach hold at every supported
// network size: the longest frame the codec admits is either a value
// encode() accepts or a non-codeword every honest node rejects alike (issue
// 11, item 1), and no peer can make a node hold more stripe bytes than the
// per-peer budget, which honest traffic always fits (item 2).

#include "quorum/erasure.h"
#include "quorum/memory_budget.h"
#include "quorum/merkle.h"
#include "quorum/rbc_test_support.h"
#include "quorum/reliable_broadcast.h"

#include <gtest/gtest.h>

#include <set>

namespace quorumclear::quorum {
namespace {

using namespace testing_rbc;

/// A frame header declaring `declared` bytes, followed by `body` bytes of a
/// pattern: what a Byzantine proposer chooses freely.
Bytes frame_of(std::uint64_t declared, std::size_t body) {
  Bytes frame(kErasureFrameHeaderBytes + body);
  for (std::size_t b = 0; b < kErasureFrameHeaderBytes; ++b) {
    frame[b] = static_cast<std::uint8_t>(declared >> (8 * (kErasureFrameHeaderBytes - 1 - b)));
  }
  for (std::size_t i = 0; i < body; ++i) frame[kErasureFrameHeaderBytes + i] = static_cast<std::uint8_t>(i * 131 + 7);
  return frame;
}

std::vector<Bytes> stripes_of(const EncodedValue& encoded) {
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < encoded.stripe_count(); ++i) {
    out.emplace_back(encoded.stripe(i).begin(), encoded.stripe(i).end());
  }
  return out;
}

/// Decodes from the k data stripes and, separately, from the last k stripes
/// (parity-heavy): both must agree.
std::optional<Bytes> decode_both_ways(ErasureCoder& coder, const EncodedValue& encoded) {
  const std::size_t n = coder.total_stripes();
  const std::size_t k = coder.data_stripes();
  std::vector<IndexedStripe> first;
  std::vector<IndexedStripe> last;
  for (std::size_t i = 0; i < k; ++i) first.push_back(IndexedStripe{i, encoded.stripe(i)});
  for (std::size_t i = n - k; i < n; ++i) last.push_back(IndexedStripe{i, encoded.stripe(i)});
  std::optional<Bytes> a = coder.decode(first);
  const std::optional<Bytes> b = coder.decode(last);
  EXPECT_EQ(a, b) << "n=" << n;
  return a;
}

/// Network sizes whose largest admitted stripe leaves room for a frame
/// longer than kBatchBytesMax (k does not divide kBatchBytesMax + 8).
std::vector<std::size_t> sizes_with_overlong_frames() {
  std::vector<std::size_t> out;
  for (std::size_t n = kNetworkSizeMin; n <= kNetworkSizeMax; ++n) {
    const Membership m(n);
    if (m.data_stripes() * erasure_max_stripe_bytes(m) - kErasureFrameHeaderBytes > kBatchBytesMax) out.push_back(n);
  }
  return out;
}

TEST(FrameBound, TheLongestAdmittedFrameIsAValueOrANonCodewordAtEveryN) {
  for (std::size_t n = kNetworkSizeMin; n <= kNetworkSizeMax; ++n) {
    const Membership members(n);
    ErasureCoder coder(members);
    const std::size_t stripe = erasure_max_stripe_bytes(members);
    ASSERT_EQ(stripe, max_stripe_bytes_for(n)) << "memory_budget.h and the codec disagree at n=" << n;
    const std::size_t capacity = members.data_stripes() * stripe - kErasureFrameHeaderBytes;
    ASSERT_GE(capacity, kBatchBytesMax);
    const std::set<std::size_t> lengths{kBatchBytesMax, std::min(kBatchBytesMax + 1, capacity), capacity};
    for (const std::size_t length : lengths) {
      const EncodedValue encoded = coder.encode_any_frame(frame_of(length, length), stripe);
      const std::optional<Bytes> value = decode_both_ways(coder, encoded);
      if (length > kBatchBytesMax) {
        EXPECT_FALSE(value.has_value()) << "n=" << n << ": a " << length << "-byte frame decoded";
        continue;
      }
      ASSERT_TRUE(value.has_value()) << "n=" << n;
      EXPECT_EQ(value->size(), length);
      // What decode returns, encode accepts, and re-encoding gives the
      // same codeword: the RBC's re-encode check can run on it.
      const EncodedValue again = coder.encode(*value);
      EXPECT_EQ(stripes_of(again), stripes_of(encoded)) << "n=" << n;
    }
  }
  // Guards against a sweep that no longer meets the case it is for.
  const std::vector<std::size_t> overlong = sizes_with_overlong_frames();
  EXPECT_TRUE(std::count(overlong.begin(), overlong.end(), 13) == 1 &&
              std::count(overlong.begin(), overlong.end(), 31) == 1);
}

TEST(FrameBound, EncodeAnyFrameMatchesEncodeOnCanonicalFrames) {
  for (std::size_t n : {4u, 7u, 13u, 31u}) {
    const Membership members(n);
    const ErasureCoder coder(members);
    for (std::size_t length : {0u, 1u, 100u, 4097u}) {
      const std::size_t stripe = erasure_stripe_bytes(length, members.data_stripes());
      const Bytes frame = frame_of(length, length);
      const Bytes value(frame.begin() + kErasureFrameHeaderBytes, frame.end());
      EXPECT_EQ(stripes_of(coder.encode_any_frame(frame, stripe)), stripes_of(coder.encode(value))) << n;
    }
  }
}

// The reported crash: a Byzantine proposer's over-long genuine codeword made
// every honest node abort in encode() at delivery. It must be one more
// non-codeword: nobody delivers, everybody blames the proposer, nobody else.
TEST(RbcLimits, OverlongFrameIsRejectedAlikeByEveryHonestNodeAtEveryN) {
  const std::vector<std::size_t> sizes = sizes_with_overlong_frames();
  ASSERT_FALSE(sizes.empty());
  for (const std::size_t n : sizes) {
    const Membership members(n);
    const ErasureCoder coder(members);
    const std::size_t stripe = erasure_max_stripe_bytes(members);
    const std::size_t length = members.data_stripes() * stripe - kErasureFrameHeaderBytes;
    const Commitment bad(stripes_of(coder.encode_any_frame(frame_of(length, length), stripe)));
    TestNetwork net(n, 0, n);
    net.byzantine[0] = true;
    for (std::size_t i = 1; i < n; ++i) net.inject(0, i, bad.val(i));
    net.run();
    for (std::size_t i = 1; i < n; ++i) {
      EXPECT_FALSE(net.delivered[i].has_value()) << "n=" << n << " node " << i;
      EXPECT_EQ(count_faults(net.faults[i], node(0), FaultKind::kRbcEncodingMismatch), 1u) << "n=" << n;
      for (const Fault& f : net.faults[i]) EXPECT_EQ(f.node, node(0)) << "n=" << n << " blamed an honest node";
    }
  }
}

TEST(RbcLimits, MaximumSizeValueDeliversAtEveryN) {
  for (std::size_t n = kNetworkSizeMin; n <= kNetworkSizeMax; n += 3) {
    std::mt19937_64 rng(n);
    const Bytes value = random_bytes(rng, kBatchBytesMax);
    TestNetwork net(n, n - 1, n);
    net.propose(value);
    net.run();
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_TRUE(net.delivered[i].has_value()) << "n=" << n << " node " << i;
      EXPECT_EQ(*net.delivered[i], value);
      EXPECT_TRUE(net.faults[i].empty());
    }
  }
}

// --- the per-peer budget ------------------------------------------------------

TEST(PeerBudget, HonestTrafficFitsAtEverySupportedSize) {
  for (std::size_t n = kNetworkSizeMin; n <= kNetworkSizeMax; ++n) {
    const Membership members(n);
    // The same bound from the runtime functions the RBC uses.
    const std::size_t per_stripe = erasure_max_stripe_bytes(members) + merkle_depth(n) * sizeof(Digest);
    const std::size_t bound = kLiveEpochsMax * (n + 1) * per_stripe;
    EXPECT_EQ(bound, peer_stripe_bytes_bound(n)) << n;
    EXPECT_LE(bound, kPeerStripeBudgetBytes) << n;
  }
  EXPECT_GT(peer_stripe_bytes_bound(31), kPeerStripeBudgetBytes / 2) << "the budget is not absurdly loose";
}

TEST(PeerBudget, ChargesStoredStripesRefusesBeyondAndReleasesOnDrop) {
  const Membership members(7);
  std::mt19937_64 rng(3);
  const Bytes value = random_bytes(rng, 3000);
  const Commitment good(honest_stripes(members, value));
  const std::size_t each = good.stripes[0].size() + good.branches[0].size() * sizeof(Digest);
  // Room for exactly one stripe per peer.
  PeerStripeBudget budget(7, each);
  {
    ReliableBroadcast rbc(members, node(1), node(0), nullptr, &budget);
    auto out = rbc.handle(node(0), good.val(1));
    EXPECT_TRUE(out.faults.empty());
    EXPECT_EQ(budget.held(node(0)), each) << "the VAL is charged to its proposer";
    out = rbc.handle(node(0), good.echo(0));
    ASSERT_EQ(out.faults.size(), 1u);
    EXPECT_EQ(out.faults[0], (Fault{node(0), FaultKind::kPeerBudgetExceeded}));
    EXPECT_EQ(budget.held(node(0)), each) << "a refused stripe charges nothing";
    out = rbc.handle(node(2), good.echo(2));
    EXPECT_TRUE(out.faults.empty());
    EXPECT_EQ(budget.held(node(2)), each);
    EXPECT_EQ(budget.held(node(1)), 0u) << "our own stripes are not a peer's";
  }
  for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(budget.held(node(i)), 0u) << "released when the instance goes";
  EXPECT_EQ(budget.peak(), each);
}

TEST(PeerBudget, DeliveryReleasesEveryCharge) {
  const std::size_t n = 4;
  const Membership members(n);
  std::mt19937_64 rng(5);
  const Bytes value = random_bytes(rng, 10'000);
  const Commitment good(honest_stripes(members, value));
  PeerStripeBudget budget(n);
  ReliableBroadcast rbc(members, node(1), node(0), nullptr, &budget);
  (void)rbc.handle(node(0), good.val(1));
  for (std::size_t i : {0u, 2u, 3u}) (void)rbc.handle(node(i), good.echo(i));
  EXPECT_GT(budget.held(node(0)), 0u);
  for (std::size_t i : {0u, 2u, 3u}) (void)rbc.handle(node(i), RbcReady{good.root});
  ASSERT_TRUE(rbc.has_delivered());
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(budget.held(node(i)), 0u);
}

}  // namespace
}  // namespace quorumclear::quorum
