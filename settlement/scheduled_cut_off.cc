#include "settlement/scheduled_cut_off.h"

#include <cassert>

namespace quorumclear::settlement {

std::optional<BusinessDate> scheduled_cut_off_due(const ReferenceData& reference,
                                                  BusinessDate open_date, BusinessDate local_date,
                                                  int local_minute_of_day,
                                                  int cutoff_minute_of_day) {
  assert(local_minute_of_day >= 0 && local_minute_of_day < kMinutesPerDay);
  assert(cutoff_minute_of_day >= 0 && cutoff_minute_of_day < kMinutesPerDay);
  assert(in_date_range(open_date));
  const bool due = local_date > open_date ||
                   (local_date == open_date && local_minute_of_day >= cutoff_minute_of_day);
  if (!due || !reference.calendar().next_business_day(open_date)) return std::nullopt;
  return open_date;
}

}  // namespace quorumclear::settlement
