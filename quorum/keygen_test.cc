// Proves genesis key generation is reproducible from its random source, that
// every public share matches its secret share, that the secret shares lie on
// one degree-f polynomial, that the signing keys sign and verify, and that
// the dealer checks accept honest dealings and refuse altered or
// higher-degree public shares and mismatched secrets.

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

namespace quorumclear::quorum {
namespace {

// The dealer checks (issue 13): public shares on one degree-f polynomial,
// and a node's own secret against its public share.

PointBytes times_base(const ScalarBytes& s) {
  PointBytes p{};
  EXPECT_EQ(crypto_scalarmult_ristretto255_base(p.data(), s.data()), 0);
  return p;
}

ScalarBytes random_scalar_for_test(std::mt19937_64& rng) {
  std::array<std::uint8_t, 64> wide{};
  for (auto& b : wide) b = static_cast<std::uint8_t>(rng());
  ScalarBytes s{};
  crypto_core_ristretto255_scalar_reduce(s.data(), wide.data());
  return s;
}

/// X_i = P(i+1) * G for a random polynomial with `degree + 1` coefficients.
std::vector<PointBytes> public_shares_of_degree(std::size_t n, std::size_t degree, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<ScalarBytes> coefficients;
  for (std::size_t k = 0; k <= degree; ++k) coefficients.push_back(random_scalar_for_test(rng));
  std::vector<PointBytes> out;
  for (std::size_t i = 0; i < n; ++i) {
    ScalarBytes acc{};
    for (auto it = coefficients.rbegin(); it != coefficients.rend(); ++it) {
      crypto_core_ristretto255_scalar_mul(acc.data(), acc.data(),
                                          scalar(static_cast<std::uint32_t>(i + 1)).data());
      crypto_core_ristretto255_scalar_add(acc.data(), acc.data(), it->data());
    }
    out.push_back(times_base(acc));
  }
  return out;
}

TEST(CoinDealing, DealKeysIsBuiltOnDealCoinShares) {
  const Membership members(7);
  const auto coins = deal_coin_shares(members, seeded(41));
  const auto keys = deal_keys(members, seeded(41));
  ASSERT_EQ(coins.size(), 7u);
  for (std::size_t i = 0; i < coins.size(); ++i) {
    EXPECT_EQ(coins[i].self.value, i);
    EXPECT_EQ(coins[i].secret_share, keys[i].coin.secret_share);
    EXPECT_EQ(coins[i].public_shares, keys[i].coin.public_shares);
  }
}

TEST(CoinDealing, HonestDealingPassesBothChecksAtEverySupportedSize) {
  for (std::size_t n = kNetworkSizeMin; n <= kNetworkSizeMax; ++n) {
    const Membership members(n);
    const auto coins = deal_coin_shares(members, seeded(1000 + n));
    EXPECT_TRUE(public_shares_consistent(members, coins[0].public_shares)) << "n = " << n;
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_TRUE(secret_matches_public(coins[i].secret_share, coins[0].public_shares[i])) << n << "/" << i;
    }
  }
}

TEST(CoinDealing, OneAlteredPublicShareFails) {
  for (const std::size_t n : {4u, 5u, 7u, 10u, 16u, 31u}) {
    const Membership members(n);
    const auto coins = deal_coin_shares(members, seeded(2000 + n));
    // Altered inside the interpolation base (node 0), just past it (node f+1)
    // and at the end: every position is checked, whichever f+1 are the base.
    for (const std::size_t victim : {std::size_t{0}, members.f() + 1, n - 1}) {
      std::vector<PointBytes> shares = coins[0].public_shares;
      const PointBytes g = times_base(scalar(1));
      ASSERT_EQ(crypto_core_ristretto255_add(shares[victim].data(), shares[victim].data(), g.data()), 0);
      EXPECT_FALSE(public_shares_consistent(members, shares)) << "n = " << n << ", altered " << victim;
    }
  }
}

TEST(CoinDealing, SharesOfADegreeFPlusOnePolynomialFail) {
  for (const std::size_t n : {4u, 6u, 7u, 13u, 22u, 31u}) {
    const Membership members(n);
    EXPECT_TRUE(public_shares_consistent(members, public_shares_of_degree(n, members.f(), n)))
        << "degree f passes (n = " << n << ")";
    EXPECT_FALSE(public_shares_consistent(members, public_shares_of_degree(n, members.f() + 1, n)))
        << "degree f+1 fails (n = " << n << ")";
  }
}

TEST(CoinDealing, MalformedPublicSharesFail) {
  const Membership members(4);
  const auto coins = deal_coin_shares(members, seeded(77));
  std::vector<PointBytes> shares = coins[0].public_shares;
  EXPECT_FALSE(public_shares_consistent(members, std::span(shares).first(3))) << "too few";
  shares.push_back(shares[0]);
  EXPECT_FALSE(public_shares_consistent(members, shares)) << "too many";
  shares.pop_back();
  shares[2] = PointBytes{};  // the identity
  EXPECT_FALSE(public_shares_consistent(members, shares));
  shares[2].fill(0xff);  // not an encoding
  EXPECT_FALSE(public_shares_consistent(members, shares));
}

TEST(CoinDealing, AMismatchedSecretFails) {
  for (const std::size_t n : {4u, 10u, 31u}) {
    const Membership members(n);
    const auto coins = deal_coin_shares(members, seeded(3000 + n));
    const auto& public_shares = coins[0].public_shares;
    EXPECT_FALSE(secret_matches_public(coins[0].secret_share, public_shares[1]));
    EXPECT_FALSE(secret_matches_public(coins[n - 1].secret_share, public_shares[0]));
    ScalarBytes off_by_one{};
    crypto_core_ristretto255_scalar_add(off_by_one.data(), coins[1].secret_share.data(), scalar(1).data());
    EXPECT_FALSE(secret_matches_public(off_by_one, public_shares[1]));
  }
  const auto coins = deal_coin_shares(Membership(4), seeded(5));
  EXPECT_FALSE(secret_matches_public(ScalarBytes{}, coins[0].public_shares[0])) << "zero secret";
  ScalarBytes not_reduced{};
  not_reduced.fill(0xff);
  EXPECT_FALSE(secret_matches_public(not_reduced, coins[0].public_shares[0])) << "non-canonical secret";
  EXPECT_FALSE(secret_matches_public(coins[0].secret_share, PointBytes{})) << "identity public share";
}

}  // namespace
}  // namespace quorumclear::quorum
