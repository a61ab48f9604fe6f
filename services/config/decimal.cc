#include "services/config/decimal.h"

#include <cassert>

namespace quorumclear::config {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// value * 10 + digit, false on int64 overflow.
bool push_digit(std::int64_t& value, char digit) {
  std::int64_t times_ten = 0;
  if (__builtin_mul_overflow(value, std::int64_t{10}, &times_ten)) return false;
  return !__builtin_add_overflow(times_ten, std::int64_t{digit - '0'}, &value);
}

}  // namespace

Decimal parse_decimal(std::string_view text, int scale) {
  assert(scale >= 0 && scale <= 18);
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  const bool has_point = point != std::string_view::npos;
  const auto all_digits = [](std::string_view s) {
    for (const char c : s) {
      if (!is_digit(c)) return false;
    }
    return true;
  };
  if (whole.empty() || !all_digits(whole) || (whole.size() > 1 && whole[0] == '0')) {
    return {DecimalStatus::kSyntax, 0};
  }
  if (has_point && (fraction.empty() || !all_digits(fraction))) return {DecimalStatus::kSyntax, 0};
  if (fraction.size() > static_cast<std::size_t>(scale)) return {DecimalStatus::kTooManyDigits, 0};
  std::int64_t units = 0;
  for (const char c : whole) {
    if (!push_digit(units, c)) return {DecimalStatus::kOverflow, 0};
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(scale); ++i) {
    if (!push_digit(units, i < fraction.size() ? fraction[i] : '0')) return {DecimalStatus::kOverflow, 0};
  }
  return {DecimalStatus::kOk, units};
}

std::string format_decimal(std::int64_t units, int scale) {
  assert(units >= 0 && scale >= 0 && scale <= 18);
  std::string digits = std::to_string(units);
  const auto width = static_cast<std::size_t>(scale);
  if (width == 0) return digits;
  if (digits.size() <= width) digits.insert(0, width + 1 - digits.size(), '0');
  digits.insert(digits.size() - width, 1, '.');
  return digits;
}

std::string describe(DecimalStatus status, int scale) {
  const std::string example = format_decimal(1050, scale);
  switch (status) {
    case DecimalStatus::kOk:
      return "ok";
    case DecimalStatus::kSyntax:
      return "must be a decimal string such as \"" + example +
             "\" (digits, optionally a point and more digits; "
             "no sign, exponent or leading zero)";
    case DecimalStatus::kTooManyDigits:
      return "has more than " + std::to_string(scale) + " fractional digits";
    case DecimalStatus::kOverflow:
      return "is too large (beyond int64 at scale " + std::to_string(scale) + ")";
  }
  return "invalid";
}

}  // namespace quorumclear::config
