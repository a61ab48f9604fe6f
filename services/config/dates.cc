#include "services/config/dates.h"

#include "settlement/business_calendar.h"

#include <cassert>
#include <cstdio>

namespace quorumclear::config {
namespace {

/// The digits text[from, from + count) as a number, or -1.
int digits_at(std::string_view text, std::size_t from, std::size_t count) {
  int value = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

unsigned days_in_month(int year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::optional<settlement::BusinessDate> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const int year = digits_at(text, 0, 4);
  const int month = digits_at(text, 5, 2);
  const int day = digits_at(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return std::nullopt;
  if (static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month))) return std::nullopt;
  return settlement::date_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

std::string format_iso_date(settlement::BusinessDate date) {
  const settlement::CivilDate civil = settlement::civil_from_date(date);
  assert(civil.year >= 0 && civil.year <= 9999);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", civil.year, civil.month, civil.day);
  return text;
}

std::optional<int> parse_time_of_day(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const int hour = digits_at(text, 0, 2);
  const int minute = digits_at(text, 3, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return std::nullopt;
  return hour * 60 + minute;
}

std::string format_time_of_day(int minute_of_day) {
  assert(minute_of_day >= 0 && minute_of_day < 24 * 60);
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return text;
}

}  // namespace quorumclear::config
