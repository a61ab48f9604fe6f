#include "services/api/text.h"

#include "settlement/business_calendar.h"

#include <limits>

namespace quorumclear::api {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Accumulates decimal digits into `value`; false on uint64 overflow.
bool add_digits(std::string_view digits, std::uint64_t& value) {
  for (char c : digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  return true;
}

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return !text.empty();
}

unsigned two_digits(std::string_view text, std::size_t at) {
  return static_cast<unsigned>((text[at] - '0') * 10 + (text[at + 1] - '0'));
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned days_in_month(int year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

}  // namespace

std::variant<Decimal, DecimalError> parse_decimal(std::string_view text, int scale_max) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(fraction))) {
    return DecimalError::kSyntax;
  }
  if (fraction.size() > static_cast<std::size_t>(scale_max)) return DecimalError::kScale;
  std::uint64_t units = 0;
  if (!add_digits(whole, units) || !add_digits(fraction, units) ||
      units > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return DecimalError::kRange;
  }
  return Decimal{static_cast<std::int64_t>(units), static_cast<std::uint8_t>(fraction.size())};
}

std::string format_decimal(Decimal value) {
  // Magnitude in uint64 so that INT64_MIN has one too.
  const bool negative = value.units < 0;
  std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(value.units) : static_cast<std::uint64_t>(value.units);
  std::string digits = std::to_string(magnitude);
  if (digits.size() <= value.scale) digits.insert(0, value.scale + 1 - digits.size(), '0');
  if (value.scale > 0) digits.insert(digits.size() - value.scale, 1, '.');
  return negative ? "-" + digits : digits;
}

std::optional<settlement::BusinessDate> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!all_digits(text.substr(0, 4)) || !all_digits(text.substr(5, 2)) || !all_digits(text.substr(8, 2))) {
    return std::nullopt;
  }
  const int year = static_cast<int>(two_digits(text, 0) * 100 + two_digits(text, 2));
  const unsigned month = two_digits(text, 5);
  const unsigned day = two_digits(text, 8);
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  return settlement::date_from_civil(year, month, day);
}

std::string format_date(settlement::BusinessDate date) {
  const settlement::CivilDate civil = settlement::civil_from_date(date);
  std::string text = std::to_string(civil.year);
  text.insert(0, text.size() < 4 ? 4 - text.size() : 0, '0');
  text += civil.month < 10 ? "-0" : "-";
  text += std::to_string(civil.month);
  text += civil.day < 10 ? "-0" : "-";
  text += std::to_string(civil.day);
  return text;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  if (!all_digits(text) || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  std::uint64_t value = 0;
  if (!add_digits(text, value)) return std::nullopt;
  return value;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

}  // namespace quorumclear::api
