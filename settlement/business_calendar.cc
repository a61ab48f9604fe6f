#include "settlement/business_calendar.h"

#include <algorithm>
#include <cassert>

namespace quorumclear::settlement {

CivilDate civil_from_date(BusinessDate date) {
  const int z = date.days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const int year = static_cast<int>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
  return CivilDate{year, month, day};
}

BusinessCalendar::BusinessCalendar(std::vector<BusinessDate> holidays)
    : holidays_(std::move(holidays)) {
  assert(std::is_sorted(holidays_.begin(), holidays_.end()));
  assert(std::adjacent_find(holidays_.begin(), holidays_.end()) == holidays_.end());
}

bool BusinessCalendar::is_business_day(BusinessDate date) const {
  assert(in_date_range(date));
  // 1970-01-01 was a Thursday: (days + 4) % 7 is 0 on Sundays, 6 on Saturdays.
  const int weekday = (date.days + 4) % 7;
  if (weekday == 0 || weekday == 6) return false;
  return !std::binary_search(holidays_.begin(), holidays_.end(), date);
}

std::optional<BusinessDate> BusinessCalendar::next_business_day(BusinessDate date) const {
  // At most kHolidaysMax holidays plus weekends can follow one another, so
  // the loop is bounded even for an adversarial holiday list.
  for (BusinessDate next{date.days + 1}; in_date_range(next); next.days += 1) {
    if (is_business_day(next)) return next;
  }
  return std::nullopt;
}

std::optional<BusinessDate> BusinessCalendar::add_business_days(BusinessDate date,
                                                                int count) const {
  assert(count >= 0);
  for (int i = 0; i < count; ++i) {
    const std::optional<BusinessDate> next = next_business_day(date);
    if (!next) return std::nullopt;
    date = *next;
  }
  return date;
}

std::optional<int> BusinessCalendar::business_days_between(BusinessDate from, BusinessDate to,
                                                           int limit) const {
  if (to < from) return std::nullopt;
  int count = 0;
  BusinessDate cursor = from;
  while (cursor < to) {
    const std::optional<BusinessDate> next = next_business_day(cursor);
    if (!next || *next > to) break;  // `to` itself is not a business day
    cursor = *next;
    if (++count > limit) return std::nullopt;
  }
  return count;
}

}  // namespace quorumclear::settlement
