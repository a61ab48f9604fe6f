#pragma once
// ISO 8601 calendar dates ("2026-12-01") and times of day ("17:30") as
// config files write them; settlement::BusinessDate inside.

#include "settlement/types.h"

#include <optional>
#include <string>
#include <string_view>

namespace quorumclear::config {

/// "YYYY-MM-DD" with a real month and day (leap years included), or empty.
/// Range against kDateMin..kDateMax is the caller's check.
[[nodiscard]] std::optional<settlement::BusinessDate> parse_iso_date(std::string_view text);

/// The inverse. Precondition: 0 <= year <= 9999 (every in_date_range date).
[[nodiscard]] std::string format_iso_date(settlement::BusinessDate date);

/// "HH:MM", 00:00 .. 23:59, as minutes after midnight; or empty.
[[nodiscard]] std::optional<int> parse_time_of_day(std::string_view text);

/// The inverse. Precondition: 0 <= minute_of_day < 1440.
[[nodiscard]] std::string format_time_of_day(int minute_of_day);

}  // namespace quorumclear::config
