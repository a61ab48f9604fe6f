#pragma once
// Business dates: civil date conversion and a weekend-plus-holidays calendar.
// No clock anywhere: "today" is the ledger's open business date, which only
// a cut-off entry in the agreed log moves forward.

#include "settlement/types.h"

#include <optional>
#include <vector>

namespace quorumclear::settlement {

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// days_from_civil). Precondition: a valid y/m/d.
[[nodiscard]] constexpr BusinessDate date_from_civil(int year, unsigned month, unsigned day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return BusinessDate{era * 146097 + static_cast<int>(doe) - 719468};
}

struct CivilDate {
  int year = 1970;
  unsigned month = 1;
  unsigned day = 1;
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

/// Inverse of date_from_civil.
[[nodiscard]] CivilDate civil_from_date(BusinessDate date);

/// True for dates inside [kDateMin, kDateMax].
[[nodiscard]] constexpr bool in_date_range(BusinessDate date) {
  return date >= kDateMin && date <= kDateMax;
}

/// Saturdays, Sundays and the listed holidays are not business days.
class BusinessCalendar {
 public:
  BusinessCalendar() = default;
  /// Precondition: holidays sorted, unique, in range (ReferenceData checks).
  explicit BusinessCalendar(std::vector<BusinessDate> holidays);

  /// Precondition: in_date_range(date).
  [[nodiscard]] bool is_business_day(BusinessDate date) const;
  /// The first business day strictly after `date`; empty past kDateMax.
  [[nodiscard]] std::optional<BusinessDate> next_business_day(BusinessDate date) const;
  /// `date` moved forward by `count` business days (count >= 0); empty past kDateMax.
  [[nodiscard]] std::optional<BusinessDate> add_business_days(BusinessDate date, int count) const;
  /// Number of business days in (from, to], or empty when to < from or the
  /// count exceeds `limit`. Cost is bounded by the gap, not by the dates.
  [[nodiscard]] std::optional<int> business_days_between(BusinessDate from, BusinessDate to,
                                                         int limit) const;
  [[nodiscard]] const std::vector<BusinessDate>& holidays() const { return holidays_; }

 private:
  std::vector<BusinessDate> holidays_;
};

}  // namespace quorumclear::settlement
