// Proves the one rounding rule (half-to-even on dropped digits), exact
// up-scaling, and that overflow and zero considerations are reported, never wrapped.
#include "settlement/money.h"

#include <gtest/gtest.h>

#include <limits>

namespace quorumclear::settlement {
namespace {

Consideration eur(std::int64_t quantity, std::int64_t price, int price_scale) {
  return consideration_of(Quantity{quantity}, Price{price}, price_scale, 2);
}

TEST(Consideration, ExactWhenScalesMatch) {
  const Consideration c = eur(100, 1000, 2);  // 100 x 10.00 EUR
  EXPECT_EQ(c.status, ConsiderationStatus::kOk);
  EXPECT_EQ(c.amount.minor, 100'000);
}

TEST(Consideration, RoundsHalfToEven) {
  // Price scale 3 (tenths of a cent): one digit is dropped.
  EXPECT_EQ(eur(1, 10'005, 3).amount.minor, 1000);  // 10.005 -> 10.00 (0 even)
  EXPECT_EQ(eur(1, 10'015, 3).amount.minor, 1002);  // 10.015 -> 10.02 (2 even)
  EXPECT_EQ(eur(1, 10'016, 3).amount.minor, 1002);  // above half rounds up
  EXPECT_EQ(eur(1, 10'014, 3).amount.minor, 1001);  // below half rounds down
  EXPECT_EQ(eur(3, 10'005, 3).amount.minor, 3002);  // 30.015 -> 30.02
}

TEST(Consideration, UpScalesExactlyWhenPriceIsCoarser) {
  // JPY-style price in whole units against a 4-decimal currency.
  const Consideration c = consideration_of(Quantity{7}, Price{123}, 0, 4);
  EXPECT_EQ(c.amount.minor, 7 * 123 * 10'000);
}

TEST(Consideration, ReportsOverflowInsteadOfWrapping) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(eur(kMax, kMax, 2).status, ConsiderationStatus::kOverflow);
  EXPECT_EQ(eur(kMax, 2, 2).status, ConsiderationStatus::kOverflow);
  EXPECT_EQ(eur(kMax, 1, 2).status, ConsiderationStatus::kOk);
  // Up-scaling overflow is caught before the multiplication.
  EXPECT_EQ(consideration_of(Quantity{kMax}, Price{kMax}, 0, 4).status,
            ConsiderationStatus::kOverflow);
  // A huge product that rounds down into range is fine.
  EXPECT_EQ(consideration_of(Quantity{kMax}, Price{10}, 3, 2).amount.minor, kMax);
}

TEST(Consideration, ReportsZero) {
  EXPECT_EQ(eur(1, 4, 3).status, ConsiderationStatus::kTooSmall);  // 0.004 EUR
  EXPECT_EQ(eur(1, 5, 3).status, ConsiderationStatus::kTooSmall);  // 0.005 -> 0.00 (even)
  EXPECT_EQ(eur(1, 6, 3).amount.minor, 1);
}

TEST(NettingEfficiency, MatchesTheDomainExample) {
  EXPECT_EQ(netting_efficiency_bps(192'400, 70'600), 6330u);  // 63.3%
  EXPECT_EQ(netting_efficiency_bps(100, 100), 0u);
  EXPECT_EQ(netting_efficiency_bps(100, 0), 10'000u);
  EXPECT_EQ(netting_efficiency_bps(0, 0), 0u);
}

TEST(CheckedArithmetic, RefusesOverflow) {
  std::int64_t out = 7;
  EXPECT_FALSE(checked_add(std::numeric_limits<std::int64_t>::max(), 1, out));
  EXPECT_EQ(out, 7);
  EXPECT_FALSE(checked_sub(std::numeric_limits<std::int64_t>::min(), 1, out));
  EXPECT_TRUE(checked_add(2, 3, out));
  EXPECT_EQ(out, 5);
}

}  // namespace
}  // namespace quorumclear::settlement
