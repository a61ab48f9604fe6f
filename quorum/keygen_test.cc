// Proves genesis key generation is reproducible from its random source, that
// every public share matches its secret share, that the secret shares lie on
// one degree-f polynomial, and that the signing keys sign and verify.

#include "quorum/keygen.h"
#include "quorum/sim/seeded_random.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>

namespace quorumclear::quorum {
namespace {

RandomSource seeded(std::uint64_t seed) { return sim::seeded_random(seed); }

ScalarBytes scalar(std::uint32_t value) {
  ScalarBytes s{};
  for (std::size_t i = 0; i < 4; ++i) s[i] = static_cast<std::uint8_t>(value >> (8 * i));
  return s;
}

/// Lagrange interpolation of the secret shares of `who` at x = `at`, where
/// node i holds P(i+1).
ScalarBytes interpolate(const std::vector<NodeKeys>& keys, const std::vector<std::size_t>& who,
                        std::uint32_t at) {
  ScalarBytes sum{};
  for (const std::size_t i : who) {
    const ScalarBytes x_i = scalar(static_cast<std::uint32_t>(i + 1));
    ScalarBytes num = scalar(1);
    ScalarBytes den = scalar(1);
    for (const std::size_t j : who) {
      if (j == i) continue;
      const ScalarBytes x_j = scalar(static_cast<std::uint32_t>(j + 1));
      ScalarBytes a{};
      ScalarBytes b{};
      crypto_core_ristretto255_scalar_sub(a.data(), scalar(at).data(), x_j.data());
      crypto_core_ristretto255_scalar_sub(b.data(), x_i.data(), x_j.data());
      crypto_core_ristretto255_scalar_mul(num.data(), num.data(), a.data());
      crypto_core_ristretto255_scalar_mul(den.data(), den.data(), b.data());
    }
    ScalarBytes inv{};
    EXPECT_EQ(crypto_core_ristretto255_scalar_invert(inv.data(), den.data()), 0);
    ScalarBytes term{};
    crypto_core_ristretto255_scalar_mul(term.data(), num.data(), inv.data());
    crypto_core_ristretto255_scalar_mul(term.data(), term.data(), keys[i].coin.secret_share.data());
    crypto_core_ristretto255_scalar_add(sum.data(), sum.data(), term.data());
  }
  return sum;
}

TEST(Keygen, SameSeedGivesSameKeysAndAnotherSeedDoesNot) {
  const Membership members(7);
  const auto a = deal_keys(members, seeded(99));
  const auto b = deal_keys(members, seeded(99));
  const auto c = deal_keys(members, seeded(100));
  ASSERT_EQ(a.size(), 7u);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].coin.secret_share, b[i].coin.secret_share);
    EXPECT_EQ(a[i].coin.public_shares, b[i].coin.public_shares);
    EXPECT_EQ(a[i].signing_secret, b[i].signing_secret);
    EXPECT_EQ(a[i].signing_public, b[i].signing_public);
    EXPECT_NE(a[i].coin.secret_share, c[i].coin.secret_share);
    EXPECT_NE(a[i].signing_public, c[i].signing_public);
  }
}

TEST(Keygen, EveryNodeHoldsItsShareAndTheSamePublicKeys) {
  for (const std::size_t n : {1u, 4u, 7u, 10u, 31u}) {
    const Membership members(n);
    const auto keys = deal_keys(members, seeded(n));
    ASSERT_EQ(keys.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(keys[i].coin.self.value, i);
      EXPECT_EQ(keys[i].coin.public_shares, keys[0].coin.public_shares);
      EXPECT_EQ(keys[i].signing_public, keys[0].signing_public);
      ASSERT_EQ(keys[i].coin.public_shares.size(), n);
      PointBytes expected{};
      ASSERT_EQ(crypto_scalarmult_ristretto255_base(expected.data(), keys[i].coin.secret_share.data()), 0);
      EXPECT_EQ(keys[i].coin.public_shares[i], expected) << "X_" << i << " != x_" << i << " * G";
    }
  }
}

TEST(Keygen, SecretSharesLieOnOneDegreeFPolynomial) {
  const Membership members(7);  // f = 2
  const auto keys = deal_keys(members, seeded(3));
  // Every 3-subset interpolates to the same P(0).
  const ScalarBytes secret = interpolate(keys, {0, 1, 2}, 0);
  int subsets = 0;
  for (std::size_t a = 0; a < 7; ++a) {
    for (std::size_t b = a + 1; b < 7; ++b) {
      for (std::size_t c = b + 1; c < 7; ++c) {
        EXPECT_EQ(interpolate(keys, {a, b, c}, 0), secret);
        ++subsets;
      }
    }
  }
  EXPECT_EQ(subsets, 35);
  // Any 3 shares predict every other share: the degree is at most f ...
  for (std::size_t k = 3; k < 7; ++k) {
    EXPECT_EQ(interpolate(keys, {0, 1, 2}, static_cast<std::uint32_t>(k + 1)), keys[k].coin.secret_share);
  }
  // ... and 2 shares do not: the degree is exactly f (with overwhelming
  // probability for a random polynomial).
  EXPECT_NE(interpolate(keys, {0, 1}, 0), secret);
}

TEST(Keygen, SigningKeysSignAndVerify) {
  const Membership members(4);
  const auto keys = deal_keys(members, seeded(8));
  const std::array<std::uint8_t, 5> message = {'e', 'p', 'o', 'c', 'h'};
  for (std::size_t i = 0; i < 4; ++i) {
    std::array<std::uint8_t, crypto_sign_BYTES> signature{};
    crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                         keys[i].signing_secret.data());
    for (std::size_t j = 0; j < 4; ++j) {
      const int verified = crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                                       keys[0].signing_public[j].data());
      EXPECT_EQ(verified == 0, i == j) << "signed by " << i << ", checked against " << j;
    }
  }
}

}  // namespace
}  // namespace quorumclear::quorum
