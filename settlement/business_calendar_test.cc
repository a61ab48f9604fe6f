// Proves civil-date conversion round-trips and that business-day arithmetic
// skips weekends and holidays, within bounded loops.
#include "settlement/business_calendar.h"

#include <gtest/gtest.h>

namespace quorumclear::settlement {
namespace {

TEST(CivilDate, RoundTripsAndKnowsTheEpoch) {
  EXPECT_EQ(date_from_civil(1970, 1, 1).days, 0);
  EXPECT_EQ(date_from_civil(2026, 11, 25).days, 20'782);
  EXPECT_EQ(date_from_civil(2999, 12, 31), kDateMax);
  for (int days = 0; days <= kDateMax.days; days += 97) {
    const CivilDate c = civil_from_date(BusinessDate{days});
    EXPECT_EQ(date_from_civil(c.year, c.month, c.day).days, days);
  }
  EXPECT_EQ(civil_from_date(date_from_civil(2024, 2, 29)), (CivilDate{2024, 2, 29}));
}

TEST(BusinessCalendar, SkipsWeekendsAndHolidays) {
  const BusinessDate christmas = date_from_civil(2026, 12, 25);  // a Friday
  const BusinessCalendar calendar({christmas});
  EXPECT_TRUE(calendar.is_business_day(date_from_civil(2026, 12, 24)));
  EXPECT_FALSE(calendar.is_business_day(christmas));
  EXPECT_FALSE(calendar.is_business_day(date_from_civil(2026, 12, 26)));  // Saturday
  EXPECT_FALSE(calendar.is_business_day(date_from_civil(2026, 12, 27)));  // Sunday
  EXPECT_EQ(calendar.next_business_day(date_from_civil(2026, 12, 24)),
            date_from_civil(2026, 12, 28));
  EXPECT_EQ(calendar.add_business_days(date_from_civil(2026, 12, 23), 2),
            date_from_civil(2026, 12, 28));
  EXPECT_EQ(calendar.add_business_days(date_from_civil(2026, 12, 23), 0),
            date_from_civil(2026, 12, 23));
}

TEST(BusinessCalendar, CountsBusinessDaysBetween) {
  const BusinessCalendar calendar;
  const BusinessDate friday = date_from_civil(2026, 11, 27);
  const BusinessDate monday = date_from_civil(2026, 11, 30);
  EXPECT_EQ(calendar.business_days_between(friday, friday, 2), 0);
  EXPECT_EQ(calendar.business_days_between(friday, monday, 2), 1);
  EXPECT_EQ(calendar.business_days_between(friday, date_from_civil(2026, 12, 1), 2), 2);
  // More than the limit, or backwards: no answer, and no long loop.
  EXPECT_FALSE(calendar.business_days_between(friday, date_from_civil(2026, 12, 2), 2));
  EXPECT_FALSE(calendar.business_days_between(monday, friday, 2));
  EXPECT_FALSE(calendar.business_days_between(kDateMin, kDateMax, 10));
}

TEST(BusinessCalendar, StopsAtTheEndOfTheRange) {
  const BusinessCalendar calendar;
  EXPECT_FALSE(calendar.next_business_day(kDateMax).has_value());
  EXPECT_FALSE(calendar.add_business_days(date_from_civil(2999, 12, 30), 5).has_value());
}

}  // namespace
}  // namespace quorumclear::settlement
