// Proves ISIN validation accepts real ISINs and rejects every malformed or
// mistyped one we could think of.
#include "settlement/isin.h"

#include <gtest/gtest.h>

namespace quorumclear::settlement {
namespace {

TEST(Isin, AcceptsRealIdentifiers) {
  EXPECT_TRUE(is_valid_isin("US0378331005"));  // Apple
  EXPECT_TRUE(is_valid_isin("DE0007164600"));  // SAP
  EXPECT_TRUE(is_valid_isin("GB0002634946"));  // BAE Systems
  EXPECT_TRUE(is_valid_isin("XS2021832634"));  // a Eurobond
  EXPECT_TRUE(is_valid_isin("US38259P5089"));  // letters inside the NSIN
}

TEST(Isin, RejectsWrongCheckDigit) {
  EXPECT_FALSE(is_valid_isin("US0378331006"));
  EXPECT_FALSE(is_valid_isin("DE0007164601"));
}

TEST(Isin, RejectsMalformed) {
  EXPECT_FALSE(is_valid_isin(""));
  EXPECT_FALSE(is_valid_isin("US037833100"));    // 11 chars
  EXPECT_FALSE(is_valid_isin("US03783310055"));  // 13 chars
  EXPECT_FALSE(is_valid_isin("us0378331005"));   // lower-case prefix
  EXPECT_FALSE(is_valid_isin("1S0378331005"));   // digit in prefix
  EXPECT_FALSE(is_valid_isin("US037833100A"));   // letter as check digit
  EXPECT_FALSE(is_valid_isin("US03783-1005"));   // punctuation
}

TEST(Isin, DetectsAdjacentTransposition) {
  // Luhn catches most swaps of neighbouring digits, the commonest typing error.
  EXPECT_FALSE(is_valid_isin("US0387331005"));
}

}  // namespace
}  // namespace quorumclear::settlement
