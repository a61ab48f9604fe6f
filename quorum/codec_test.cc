// Proves the message codec is canonical and strict: every payload type
// round-trips, every truncation, trailing byte, non-canonical bool or set
// and oversize count is rejected (the latter without allocating), and no
// mutated input crashes it or decodes to a message that encodes differently.
#include "quorum/codec.h"

#include "quorum/erasure.h"
#include "quorum/merkle.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <random>

// Records the largest single heap allocation while armed, to prove that
// lengths claimed by a peer are checked before anything is allocated.
namespace {
thread_local bool g_tracking = false;
thread_local std::size_t g_largest_allocation = 0;
}  // namespace

// The replacements pair malloc with free; GCC cannot see that they match.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  if (g_tracking && size > g_largest_allocation) g_largest_allocation = size;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace quorumclear::quorum {
namespace {

template <class StripeMessage>
StripeMessage stripe_message(const Membership& members, std::size_t index, std::size_t value_bytes) {
  ErasureCoder coder(members);
  Bytes value(value_bytes);
  for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<std::uint8_t>(i * 7 + 1);
  const EncodedValue enc = coder.encode(value);
  const auto leaves = enc.stripes();
  const MerkleTree tree(leaves);
  const ByteView stripe = enc.stripe(index);
  return StripeMessage{tree.root(), tree.branch(index), Bytes(stripe.begin(), stripe.end())};
}

Digest digest_of(std::uint8_t seed) {
  Digest d{};
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<std::uint8_t>(seed + i);
  return d;
}

// One message of every payload type (and every bool / set value).
std::vector<Message> samples(const Membership& members) {
  const NodeId last{static_cast<std::uint16_t>(members.n() - 1)};
  CoinShare share;
  share.point = digest_of(1);
  share.challenge = digest_of(2);
  share.response = digest_of(3);
  return {
      Message{Epoch{7}, NodeId{0}, stripe_message<RbcVal>(members, 0, 100)},
      Message{Epoch{7}, last, stripe_message<RbcEcho>(members, members.n() - 1, 0)},
      Message{Epoch{~0ull}, last, RbcReady{digest_of(9)}},
      Message{Epoch{1}, NodeId{0}, AbaBval{Round{0}, false}},
      Message{Epoch{1}, NodeId{0}, AbaBval{Round{5}, true}},
      Message{Epoch{2}, last, AbaAux{Round{0xFFFFFFFF}, true}},
      Message{Epoch{2}, last, AbaAux{Round{1}, false}},
      Message{Epoch{3}, NodeId{0}, AbaConf{Round{2}, BoolSet::kFalse}},
      Message{Epoch{3}, NodeId{0}, AbaConf{Round{2}, BoolSet::kTrue}},
      Message{Epoch{3}, NodeId{0}, AbaConf{Round{2}, BoolSet::kBoth}},
      Message{Epoch{4}, last, AbaCoin{Round{8}, share}},
      Message{Epoch{5}, NodeId{0}, AbaTerm{false}},
      Message{Epoch{5}, NodeId{0}, AbaTerm{true}},
  };
}

TEST(Codec, EveryPayloadTypeRoundTrips) {
  for (std::size_t n : {1u, 4u, 7u, 16u, 31u, 128u}) {
    const Membership members(n);
    std::size_t types_seen = 0;
    std::vector<bool> seen(std::variant_size_v<Payload>, false);
    for (const Message& m : samples(members)) {
      const Bytes wire = encode(m);
      EXPECT_EQ(wire.size(), encoded_size(m));
      const DecodeResult r = decode(wire, members);
      ASSERT_TRUE(r.ok()) << "n=" << n << " type " << m.payload.index() << ": " << r.reason();
      EXPECT_EQ(r.message(), m);
      if (!seen[m.payload.index()]) ++types_seen;
      seen[m.payload.index()] = true;
    }
    EXPECT_EQ(types_seen, std::variant_size_v<Payload>);
  }
}

TEST(Codec, GoldenBytes) {
  const Message conf{Epoch{0x0102030405060708}, NodeId{3}, AbaConf{Round{0x0A0B0C0D}, BoolSet::kBoth}};
  EXPECT_EQ(encode(conf), (Bytes{1, 1, 2, 3, 4, 5, 6, 7, 8, 0, 3, 6, 0x0A, 0x0B, 0x0C, 0x0D, 3}));
  const Message term{Epoch{1}, NodeId{0x0102}, AbaTerm{true}};
  EXPECT_EQ(encode(term), (Bytes{1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 8, 1}));
  // n = 2: depth 1, k = 2, a 0-byte value gives stripes of 4 bytes.
  const Message echo{Epoch{0}, NodeId{1}, RbcEcho{digest_of(0), {digest_of(100)}, Bytes{9, 8, 7, 6}}};
  Bytes expected{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2};
  for (std::size_t i = 0; i < 32; ++i) expected.push_back(static_cast<std::uint8_t>(i));
  expected.push_back(1);
  for (std::size_t i = 0; i < 32; ++i) expected.push_back(static_cast<std::uint8_t>(100 + i));
  expected.insert(expected.end(), {0, 0, 0, 4, 9, 8, 7, 6});
  EXPECT_EQ(encode(echo), expected);
  const DecodeResult r = decode(expected, Membership(2));
  ASSERT_TRUE(r.ok()) << r.reason();
  EXPECT_EQ(r.message(), echo);
}

TEST(Codec, EveryTruncationIsRejected) {
  const Membership members(7);
  for (const Message& m : samples(members)) {
    const Bytes wire = encode(m);
    for (std::size_t len = 0; len < wire.size(); ++len) {
      const DecodeResult r = decode(ByteView(wire).first(len), members);
      ASSERT_FALSE(r.ok()) << "prefix " << len << " of type " << m.payload.index();
      EXPECT_EQ(r.error(), DecodeError::kTruncated);
    }
  }
}

TEST(Codec, TrailingByteIsRejected) {
  const Membership members(7);
  for (const Message& m : samples(members)) {
    Bytes wire = encode(m);
    wire.push_back(0);
    const DecodeResult r = decode(wire, members);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), DecodeError::kTrailingBytes);
  }
}

TEST(Codec, HeaderFieldsAreChecked) {
  const Membership members(4);
  const Bytes good = encode(Message{Epoch{1}, NodeId{3}, AbaTerm{true}});
  ASSERT_TRUE(decode(good, members).ok());
  for (int version : {0, 2, 255}) {
    Bytes w = good;
    w[0] = static_cast<std::uint8_t>(version);
    EXPECT_EQ(decode(w, members).error(), DecodeError::kUnsupportedVersion);
  }
  for (int tag : {0, 9, 200}) {
    Bytes w = good;
    w[11] = static_cast<std::uint8_t>(tag);
    EXPECT_EQ(decode(w, members).error(), DecodeError::kUnknownPayloadType);
  }
  Bytes w = good;
  w[10] = 4;  // proposer 4 in a membership of 4
  EXPECT_EQ(decode(w, members).error(), DecodeError::kProposerOutOfRange);
  w[9] = 1;
  w[10] = 3;  // proposer 259
  EXPECT_EQ(decode(w, members).error(), DecodeError::kProposerOutOfRange);
  EXPECT_FALSE(decode(good, Membership(3)).ok());
}

TEST(Codec, NonCanonicalBoolsAndSetsAreRejected) {
  const Membership members(4);
  const Message votes[] = {Message{Epoch{1}, NodeId{0}, AbaBval{Round{1}, true}},
                           Message{Epoch{1}, NodeId{0}, AbaAux{Round{1}, true}},
                           Message{Epoch{1}, NodeId{0}, AbaTerm{true}}};
  for (const Message& m : votes) {
    const Bytes good = encode(m);
    for (int b = 2; b < 256; ++b) {
      Bytes w = good;
      w.back() = static_cast<std::uint8_t>(b);
      const DecodeResult r = decode(w, members);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error(), DecodeError::kNonCanonicalBool);
    }
  }
  const Bytes conf = encode(Message{Epoch{1}, NodeId{0}, AbaConf{Round{1}, BoolSet::kTrue}});
  for (int b = 0; b < 256; ++b) {
    Bytes w = conf;
    w.back() = static_cast<std::uint8_t>(b);
    const DecodeResult r = decode(w, members);
    EXPECT_EQ(r.ok(), b >= 1 && b <= 3) << b;
    if (!r.ok()) {
      EXPECT_EQ(r.error(), DecodeError::kNonCanonicalBoolSet);
    }
  }
}

// Builds a stripe-message header claiming `count` siblings and, when the
// count is accepted, `stripe_bytes` of stripe, followed by only `tail` bytes.
Bytes claim(std::uint8_t count, std::uint32_t stripe_bytes, std::size_t tail) {
  Bytes w{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  w.insert(w.end(), 32, 0xAB);
  w.push_back(count);
  w.insert(w.end(), std::size_t{count} * 32, 0xCD);
  for (int shift = 24; shift >= 0; shift -= 8) w.push_back(static_cast<std::uint8_t>(stripe_bytes >> shift));
  w.insert(w.end(), tail, 0);
  return w;
}

DecodeResult decode_tracking(ByteView w, const Membership& members, std::size_t& largest) {
  g_largest_allocation = 0;
  g_tracking = true;
  DecodeResult r = decode(w, members);
  g_tracking = false;
  largest = g_largest_allocation;
  return r;
}

TEST(Codec, OversizeCountsAreRejectedWithoutAllocation) {
  const Membership members(16);  // depth 4, k = 6
  const std::size_t max_stripe = erasure_max_stripe_bytes(members);
  std::size_t largest = 0;
  // Small buffers only: a Message and a few digests, never the claimed size.
  const std::size_t small = 1024;

  EXPECT_EQ(decode_tracking(claim(5, 10, 10), members, largest).error(), DecodeError::kBranchTooLong);
  EXPECT_LT(largest, small);
  Bytes huge_count = claim(0, 10, 0);
  huge_count[44] = 255;
  EXPECT_EQ(decode_tracking(huge_count, members, largest).error(), DecodeError::kBranchTooLong);
  EXPECT_LT(largest, small);
  EXPECT_EQ(decode_tracking(claim(4, static_cast<std::uint32_t>(max_stripe + 1), 0), members, largest).error(),
            DecodeError::kStripeSizeOutOfRange);
  EXPECT_LT(largest, small);
  EXPECT_EQ(decode_tracking(claim(4, 0xFFFFFFFF, 0), members, largest).error(),
            DecodeError::kStripeSizeOutOfRange);
  EXPECT_LT(largest, small);
  EXPECT_EQ(decode_tracking(claim(4, 0, 0), members, largest).error(), DecodeError::kStripeSizeOutOfRange);
  // Within bounds but more than was sent: truncated, still no allocation.
  EXPECT_EQ(decode_tracking(claim(4, static_cast<std::uint32_t>(max_stripe), 100), members, largest).error(),
            DecodeError::kTruncated);
  EXPECT_LT(largest, small);
  // A count within bounds whose siblings were not sent.
  Bytes short_branch = claim(0, 10, 0);
  short_branch[44] = 4;
  EXPECT_EQ(decode_tracking(short_branch, members, largest).error(), DecodeError::kTruncated);
  EXPECT_LT(largest, small);
  // The largest legal stripe is accepted.
  const DecodeResult ok = decode(claim(4, static_cast<std::uint32_t>(max_stripe), max_stripe), members);
  EXPECT_TRUE(ok.ok()) << ok.reason();
}

TEST(Codec, BranchBoundFollowsMembership) {
  // A 5-sibling branch is legal at n = 17..32 and too long at n = 16.
  const Bytes w = claim(5, 10, 10);
  EXPECT_TRUE(decode(w, Membership(17)).ok());
  EXPECT_TRUE(decode(w, Membership(32)).ok());
  EXPECT_EQ(decode(w, Membership(16)).error(), DecodeError::kBranchTooLong);
}

Bytes mutate(const Bytes& in, std::mt19937_64& rng) {
  Bytes w = in;
  const int ops = 1 + static_cast<int>(rng() % 3);
  for (int op = 0; op < ops; ++op) {
    const std::size_t at = w.empty() ? 0 : rng() % w.size();
    switch (rng() % 6) {
      case 0: if (!w.empty()) w[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
      case 1: if (!w.empty()) w[at] = static_cast<std::uint8_t>(rng()); break;
      case 2: w.resize(at); break;
      case 3: w.insert(w.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(rng())); break;
      case 4: if (!w.empty()) w.erase(w.begin() + static_cast<std::ptrdiff_t>(at)); break;
      default: w.push_back(static_cast<std::uint8_t>(rng())); break;
    }
  }
  return w;
}

TEST(Codec, MutatedInputsNeverCrashAndAcceptedOnesAreCanonical) {
  const std::size_t sizes[] = {1, 4, 7, 16, 31, 128};
  std::vector<Bytes> corpus;
  for (std::size_t n : {4u, 7u, 16u}) {
    for (const Message& m : samples(Membership(n))) corpus.push_back(encode(m));
  }
  std::mt19937_64 rng(20240601);
  std::size_t accepted_mutants = 0;
  constexpr int kMutants = 200'000;
  for (int t = 0; t < kMutants; ++t) {
    const Bytes w = mutate(corpus[rng() % corpus.size()], rng);
    const Membership members(sizes[rng() % std::size(sizes)]);
    const DecodeResult r = decode(w, members);
    if (!r.ok()) continue;
    ++accepted_mutants;
    ASSERT_EQ(encode(r.message()), w) << "accepted a non-canonical encoding at mutant " << t;
  }
  // Flips inside roots, epochs, stripes and rounds stay valid: the test
  // exercises the round-trip property, not only rejection.
  EXPECT_GT(accepted_mutants, std::size_t{kMutants / 100});
  EXPECT_LT(accepted_mutants, std::size_t{kMutants});
}

}  // namespace
}  // namespace quorumclear::quorum
