#pragma once
// Exact integer money: the consideration of a trade and checked arithmetic.
//
// Rounding rule (the only place money is rounded): consideration =
// quantity * price, rescaled from 10^-price_scale to the currency's minor
// units, rounded half-to-even on the dropped digits. Computed in Int128, so
// the product itself cannot overflow; a result beyond int64 is a rejection.
// Why round rather than reject inexact considerations: a price with more
// decimals than the currency (a 3-decimal EUR price) is normal for equities,
// and rejecting 3 x 10.005 EUR would refuse valid trades. Rounding happens
// once per trade and the buyer pays exactly what the seller receives, so
// cash still sums to zero; half-even keeps the rounding unbiased in aggregate.

#include "settlement/types.h"

#include <cstdint>

namespace quorumclear::settlement {

enum class ConsiderationStatus : std::uint8_t {
  kOk,
  kOverflow,  // does not fit int64 minor units
  kTooSmall,  // rounds to zero minor units (schema requires > 0)
};

struct Consideration {
  ConsiderationStatus status = ConsiderationStatus::kOk;
  AmountMinor amount;
};

/// 10^exponent; precondition 0 <= exponent <= 18.
[[nodiscard]] constexpr std::int64_t pow10(int exponent) {
  std::int64_t result = 1;
  for (int i = 0; i < exponent; ++i) result *= 10;
  return result;
}

/// Preconditions: quantity > 0, price > 0, 0 <= price_scale <= 9,
/// 0 <= minor_units <= 4 (validation establishes them).
[[nodiscard]] Consideration consideration_of(Quantity quantity, Price price, int price_scale,
                                             int minor_units);

/// a + b, or false on int64 overflow (out untouched).
[[nodiscard]] inline bool checked_add(std::int64_t a, std::int64_t b, std::int64_t& out) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return false;
  out = sum;
  return true;
}

/// a - b, or false on int64 overflow (out untouched).
[[nodiscard]] inline bool checked_sub(std::int64_t a, std::int64_t b, std::int64_t& out) {
  std::int64_t difference = 0;
  if (__builtin_sub_overflow(a, b, &difference)) return false;
  out = difference;
  return true;
}

/// Netting efficiency in basis points: floor(10000 * (gross - net) / gross),
/// 0 when gross is 0. Precondition: 0 <= net <= gross.
[[nodiscard]] std::uint32_t netting_efficiency_bps(std::int64_t gross, std::int64_t net);

}  // namespace quorumclear::settlement
