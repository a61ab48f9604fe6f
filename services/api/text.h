#pragma once
// The exact text forms of the API's values: decimal strings for money and
// prices, YYYY-MM-DD dates, lower-case hex. Integer arithmetic only; nothing
// here goes through floating point.

#include "services/api/answers.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace quorumclear::api {

/// Why a decimal string was refused.
enum class DecimalError : std::uint8_t {
  kSyntax,  // not ^[0-9]+(\.[0-9]+)?$ (no sign, no exponent, no spaces)
  kScale,   // more fractional digits than allowed
  kRange,   // does not fit int64 units
};

/// Parses an unsigned decimal string: "10.50" -> {1050, 2}. The scale is the
/// number of fractional digits written (0..scale_max, scale_max <= 18).
[[nodiscard]] std::variant<Decimal, DecimalError> parse_decimal(std::string_view text, int scale_max);

/// "-12.50" for {-1250, 2}; "100" for {100, 0}. Precondition: scale <= 18.
[[nodiscard]] std::string format_decimal(Decimal value);

/// Parses a valid calendar date "YYYY-MM-DD" (exactly that form).
[[nodiscard]] std::optional<settlement::BusinessDate> parse_date(std::string_view text);

/// YYYY-MM-DD. Precondition: a year in 0..9999.
[[nodiscard]] std::string format_date(settlement::BusinessDate date);

/// Parses a decimal integer with no sign and no leading zeros; empty when
/// it does not fit uint64.
[[nodiscard]] std::optional<std::uint64_t> parse_unsigned(std::string_view text);

/// Lower-case hex of `bytes`.
[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace quorumclear::api
