#pragma once
// Exact decimal strings for prices and amounts in config files: "10.50" at
// scale 2 is 1050 units of 10^-2. No floating point is involved anywhere;
// a JSON number is never accepted where a decimal string is expected.

#include <cstdint>
#include <string>
#include <string_view>

namespace quorumclear::config {

/// Why a decimal string was refused.
enum class DecimalStatus : std::uint8_t {
  kOk,
  kSyntax,         // not digits[.digits], or a sign, exponent, leading zero
  kTooManyDigits,  // more fractional digits than the scale allows
  kOverflow,       // the scaled value does not fit int64
};

/// parse_decimal's result.
struct Decimal {
  DecimalStatus status = DecimalStatus::kOk;
  std::int64_t units = 0;  // the value times 10^scale, when kOk
};

/// Parses a non-negative decimal: "0", "12", "12.5", "0.01"; at most `scale`
/// fractional digits (fewer are padded). Refuses "", ".5", "5.", "+1",
/// "-1", "1e3", "01" and spaces. Precondition: 0 <= scale <= 18.
[[nodiscard]] Decimal parse_decimal(std::string_view text, int scale);

/// The inverse, with exactly `scale` fractional digits ("10.50" for 1050 at
/// scale 2; "7" at scale 0). Precondition: units >= 0, 0 <= scale <= 18.
[[nodiscard]] std::string format_decimal(std::int64_t units, int scale);

/// What parse_decimal's failure means, for an error message.
[[nodiscard]] std::string describe(DecimalStatus status, int scale);

}  // namespace quorumclear::config
