#pragma once
// When a node proposes the scheduled cut-off (ledger.h, "Control entries"):
// a pure function of the ledger's open date and the node's own clock, which
// the node reads and converts into the genesis business time zone itself.
// The ledger never sees a clock; it only counts the nodes that say the time
// has come, and closes the date at 2f+1 of them.

#include "settlement/reference_data.h"

#include <optional>

namespace quorumclear::settlement {

inline constexpr int kMinutesPerDay = 24 * 60;

/// The date a node should propose ScheduledCutOff for now: `open_date`
/// when the node's local business date is after it (a Friday still open
/// on Saturday, after a weekend or a holiday, or after the network was
/// down), or is it and the local time is at or after the cut-off time;
/// otherwise empty. Also empty when no business day follows `open_date`
/// in the calendar (past 2999): the cut-off could not open one, so there
/// is nothing to propose. A network behind by several dates closes them
/// one per cut-off: each new open date is due again at once.
/// Minutes are since local midnight. Preconditions: both minutes in
/// [0, kMinutesPerDay); in_date_range(open_date).
[[nodiscard]] std::optional<BusinessDate> scheduled_cut_off_due(const ReferenceData& reference,
                                                                BusinessDate open_date,
                                                                BusinessDate local_date,
                                                                int local_minute_of_day,
                                                                int cutoff_minute_of_day);

}  // namespace quorumclear::settlement
