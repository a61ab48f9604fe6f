#include "settlement/money.h"

#include <cassert>
#include <limits>

namespace quorumclear::settlement {
namespace {

constexpr Int128 kInt64Max = std::numeric_limits<std::int64_t>::max();

}  // namespace

Consideration consideration_of(Quantity quantity, Price price, int price_scale, int minor_units) {
  assert(quantity.units > 0 && price.units > 0);
  assert(price_scale >= 0 && price_scale <= 9 && minor_units >= 0 && minor_units <= 4);
  // Both factors are below 2^63, so the product is below 2^126: no overflow.
  Int128 product = static_cast<Int128>(quantity.units) * price.units;
  if (price_scale < minor_units) {
    // Finer currency than price: exact up-scaling. Check first, because
    // product * 10^4 could exceed 2^127.
    if (product > kInt64Max) return {ConsiderationStatus::kOverflow, {}};
    product *= pow10(minor_units - price_scale);
  } else if (price_scale > minor_units) {
    const Int128 divisor = pow10(price_scale - minor_units);
    Int128 quotient = product / divisor;
    const Int128 twice_remainder = 2 * (product % divisor);
    if (twice_remainder > divisor || (twice_remainder == divisor && quotient % 2 == 1)) {
      ++quotient;
    }
    product = quotient;
  }
  if (product > kInt64Max) return {ConsiderationStatus::kOverflow, {}};
  if (product == 0) return {ConsiderationStatus::kTooSmall, {}};
  return {ConsiderationStatus::kOk, AmountMinor{static_cast<std::int64_t>(product)}};
}

std::uint32_t netting_efficiency_bps(std::int64_t gross, std::int64_t net) {
  assert(net >= 0 && net <= gross);
  if (gross == 0) return 0;
  const Int128 saved = static_cast<Int128>(gross - net) * 10'000;
  return static_cast<std::uint32_t>(saved / gross);
}

}  // namespace quorumclear::settlement
