// Proves the threshold coin is a coin: any f+1 valid shares give the same
// value, fewer give none, the value depends only on the dealt secret and the
// name, and every kind of forged share fails its Chaum-Pedersen check.

#include "quorum/threshold_coin.h"
#include "quorum/sim/seeded_random.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>

#include "quorum/keygen.h"

namespace quorumclear::quorum {
namespace {

RandomSource seeded(std::uint64_t seed) { return sim::seeded_random(seed); }

CoinName name_of(std::uint64_t epoch, std::uint16_t proposer = 0, std::uint32_t round = 2) {
  CoinName name;
  name.network_id.fill(0x5a);
  name.epoch = Epoch{epoch};
  name.proposer = NodeId{proposer};
  name.round = Round{round};
  return name;
}

NodeId node(std::size_t i) { return NodeId{static_cast<std::uint16_t>(i)}; }

ScalarBytes small_scalar(std::uint32_t value) {
  ScalarBytes s{};
  for (std::size_t i = 0; i < 4; ++i) s[i] = static_cast<std::uint8_t>(value >> (8 * i));
  return s;
}

/// Coins for every node, keys dealt from a seeded source.
std::vector<ThresholdCoin> dealt_coins(std::size_t n, std::uint64_t seed) {
  const Membership members(n);
  std::vector<ThresholdCoin> coins;
  for (auto& keys : deal_keys(members, seeded(seed))) coins.emplace_back(members, keys.coin);
  return coins;
}

/// Coins for a hand-chosen polynomial with small integer coefficients,
/// x_i = P(i+1), computed here independently of keygen.
std::vector<ThresholdCoin> hand_coins(std::size_t n, const std::vector<std::uint32_t>& poly) {
  const Membership members(n);
  std::vector<ScalarBytes> secrets;
  std::vector<PointBytes> publics(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t value = 0;
    std::uint32_t power = 1;
    for (const std::uint32_t c : poly) {
      value += c * power;
      power *= static_cast<std::uint32_t>(i + 1);
    }
    secrets.push_back(small_scalar(value));
    EXPECT_EQ(crypto_scalarmult_ristretto255_base(publics[i].data(), secrets[i].data()), 0);
  }
  std::vector<ThresholdCoin> coins;
  for (std::size_t i = 0; i < n; ++i) coins.emplace_back(members, CoinKeys{node(i), secrets[i], publics});
  return coins;
}

std::vector<std::vector<std::size_t>> subsets(std::size_t n, std::size_t k) {
  std::vector<std::vector<std::size_t>> out;
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    if (static_cast<std::size_t>(std::popcount(mask)) != k) continue;
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < n; ++i) {
      if ((mask >> i) & 1u) members.push_back(i);
    }
    out.push_back(members);
  }
  return out;
}

std::optional<bool> combine_from(const std::vector<ThresholdCoin>& coins, const CoinName& name,
                                 const std::vector<std::size_t>& who) {
  std::vector<std::pair<NodeId, CoinShare>> shares;
  shares.reserve(who.size());
  for (const std::size_t i : who) shares.emplace_back(node(i), coins[i].make_share(name));
  return coins[0].combine(name, shares);
}

class EveryQuorum : public ::testing::TestWithParam<std::size_t> {};

TEST_P(EveryQuorum, AnyFPlusOneValidSharesGiveTheSameCoin) {
  const std::size_t n = GetParam();
  const auto coins = dealt_coins(n, 1000 + n);
  const std::size_t f = coins[0].members().f();
  // 24 names: if two subsets combined to different points, their bits would
  // agree on all 24 names with probability 2^-24.
  for (std::uint64_t e = 0; e < 24; ++e) {
    const CoinName name = name_of(e);
    std::vector<std::pair<NodeId, CoinShare>> all;
    for (std::size_t i = 0; i < n; ++i) {
      all.emplace_back(node(i), coins[i].make_share(name));
      for (std::size_t j = 0; j < n; ++j) ASSERT_TRUE(coins[j].verify_share(node(i), name, all[i].second));
    }
    const std::optional<bool> expected = coins[0].combine(name, all);
    ASSERT_TRUE(expected.has_value());
    for (const auto& who : subsets(n, f + 1)) {
      std::vector<std::pair<NodeId, CoinShare>> chosen;
      chosen.reserve(who.size());
      for (const std::size_t i : who) chosen.push_back(all[i]);
      EXPECT_EQ(coins[who[0]].combine(name, chosen), expected) << "epoch " << e;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(N, EveryQuorum, ::testing::Values(4, 7));

TEST(ThresholdCoin, ShareIsSecretTimesNameHashAndLagrangeRecoversTheSecret) {
  // P(x) = 5 + 3x: shares 8, 11, 14, 17. For nodes 0 and 1 (x = 1, 2) the
  // Lagrange weights at 0 are 2 and -1: 2*8 - 11 = 5 = P(0).
  const auto coins = hand_coins(4, {5, 3});
  const auto lone = hand_coins(1, {5});  // f = 0: the coin is 5 * H(C) itself
  const CoinName name = name_of(7);
  const CoinShare s0 = coins[0].make_share(name);
  const CoinShare s1 = coins[1].make_share(name);
  PointBytes twice{};
  PointBytes expected{};
  ASSERT_EQ(crypto_core_ristretto255_add(twice.data(), s0.point.data(), s0.point.data()), 0);
  ASSERT_EQ(crypto_core_ristretto255_sub(expected.data(), twice.data(), s1.point.data()), 0);
  const CoinShare secret_share = lone[0].make_share(name);
  EXPECT_EQ(expected, secret_share.point);
  // The coin of any f+1 shares is the coin of the lone holder of P(0).
  const std::vector<std::pair<NodeId, CoinShare>> alone{{node(0), secret_share}};
  EXPECT_EQ(combine_from(coins, name, {0, 1}), lone[0].combine(name, alone));
  EXPECT_EQ(combine_from(coins, name, {2, 3}), lone[0].combine(name, alone));
}

TEST(ThresholdCoin, CoinDependsOnlyOnTheSharedSecret) {
  // Same P(0) = 5, different slopes: same coins. P(0) = 6: different coins.
  const auto p = hand_coins(4, {5, 3});
  const auto q = hand_coins(4, {5, 11});
  const auto r = hand_coins(4, {6, 3});
  int differing = 0;
  for (std::uint64_t e = 0; e < 64; ++e) {
    const CoinName name = name_of(e);
    const auto bit_p = combine_from(p, name, {0, 3});
    EXPECT_EQ(bit_p, combine_from(q, name, {1, 2}));
    if (bit_p != combine_from(r, name, {0, 3})) ++differing;
  }
  EXPECT_GT(differing, 10);
}

TEST(ThresholdCoin, DifferentNamesGiveVaryingCoins) {
  const auto coins = dealt_coins(4, 7);
  int ones = 0;
  for (std::uint32_t k = 0; k < 200; ++k) {
    // Vary every field of the name, not only one.
    const CoinName name = name_of(k / 20, static_cast<std::uint16_t>(k % 4), 2 + 3 * (k % 5));
    const auto bit = combine_from(coins, name, {k % 4, (k + 1) % 4});
    ASSERT_TRUE(bit.has_value());
    ones += *bit ? 1 : 0;
  }
  // Binomial(200, 1/2): 60..140 is more than five standard deviations wide.
  EXPECT_GT(ones, 60);
  EXPECT_LT(ones, 140);
  // The network id is part of the name too.
  int differing = 0;
  for (std::uint64_t e = 0; e < 64; ++e) {
    const CoinName a = name_of(e);
    CoinName other = a;
    other.network_id[31] ^= 1;
    if (combine_from(coins, a, {0, 1}) != combine_from(coins, other, {0, 1})) ++differing;
  }
  EXPECT_GT(differing, 10);
}

TEST(ThresholdCoin, ForgedSharesAreRejected) {
  const auto coins = dealt_coins(4, 11);
  const ThresholdCoin& verifier = coins[3];
  const CoinName name = name_of(3);
  const CoinShare good = coins[1].make_share(name);
  ASSERT_TRUE(verifier.verify_share(node(1), name, good));

  std::vector<std::pair<std::string, CoinShare>> forged;
  CoinShare random_point = good;
  std::array<std::uint8_t, 64> wide{};
  wide.fill(0x33);
  crypto_core_ristretto255_from_hash(random_point.point.data(), wide.data());
  forged.emplace_back("random point", random_point);
  forged.emplace_back("share of another name", coins[1].make_share(name_of(4)));
  CoinShare bad_challenge = good;
  bad_challenge.challenge[0] ^= 1;
  forged.emplace_back("mutated challenge", bad_challenge);
  CoinShare bad_response = good;
  bad_response.response[5] ^= 0x40;
  forged.emplace_back("mutated response", bad_response);
  CoinShare identity = good;
  identity.point.fill(0);
  forged.emplace_back("identity point", identity);
  CoinShare garbage = good;
  garbage.point.fill(0xff);
  forged.emplace_back("invalid encoding", garbage);
  CoinShare zero_proof = good;
  zero_proof.challenge.fill(0);
  zero_proof.response.fill(0);
  forged.emplace_back("zero proof", zero_proof);
  CoinShare non_canonical = good;
  // challenge + L encodes the same scalar mod L but is not canonical.
  const ScalarBytes order = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                             0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                             0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  sodium_add(non_canonical.challenge.data(), order.data(), order.size());
  forged.emplace_back("non-canonical challenge", non_canonical);
  for (const auto& [what, share] : forged) {
    EXPECT_FALSE(verifier.verify_share(node(1), name, share)) << what;
  }
  // A valid share of node 2 is not a share of node 1, nor of a stranger.
  const CoinShare other = coins[2].make_share(name);
  EXPECT_TRUE(verifier.verify_share(node(2), name, other));
  EXPECT_FALSE(verifier.verify_share(node(1), name, other));
  EXPECT_FALSE(verifier.verify_share(node(4), name, other));
  // A share made with another dealing's key fails under this dealing's X_1.
  const auto stranger = dealt_coins(4, 12);
  EXPECT_FALSE(verifier.verify_share(node(1), name, stranger[1].make_share(name)));
}

TEST(ThresholdCoin, FewerThanFPlusOneDistinctSharesGiveNothing) {
  for (const std::size_t n : {4u, 7u}) {
    const auto coins = dealt_coins(n, 21);
    const std::size_t f = coins[0].members().f();
    const CoinName name = name_of(9);
    std::vector<std::size_t> who;
    for (std::size_t i = 0; i < f; ++i) who.push_back(i);
    EXPECT_EQ(combine_from(coins, name, who), std::nullopt);
    // f+1 entries, but one sender twice, is still f senders.
    who.push_back(0);
    EXPECT_EQ(combine_from(coins, name, who), std::nullopt);
    who.back() = f;
    EXPECT_NE(combine_from(coins, name, who), std::nullopt);
  }
}

TEST(ThresholdCoin, SharesAndCoinAreReproducible) {
  const Membership members(7);
  const auto keys = deal_keys(members, seeded(5));
  const ThresholdCoin first(members, keys[3].coin);
  const ThresholdCoin restarted(members, keys[3].coin);
  const CoinName name = name_of(42, 6, 5);
  EXPECT_EQ(first.make_share(name), first.make_share(name));
  EXPECT_EQ(first.make_share(name), restarted.make_share(name));
  const auto coins = dealt_coins(7, 5);
  EXPECT_EQ(combine_from(coins, name, {0, 2, 4}), combine_from(coins, name, {0, 2, 4}));
  EXPECT_EQ(combine_from(coins, name, {0, 2, 4}), combine_from(dealt_coins(7, 5), name, {1, 3, 6}));
}

}  // namespace
}  // namespace quorumclear::quorum
