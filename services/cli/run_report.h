#pragma once
// The settlement report of one business date (GET /v1/settlement-runs/{date},
// the RunReport of openapi.json) as clearctl prints it: a table for people,
// CSV for spreadsheets. Amounts are the decimal strings the node wrote;
// nothing is recomputed, so every node's report prints the same bytes.
//
// CSV: one header line, then one record per line, the first column naming
// its kind: "run" (status, cut-off epoch, digest), "total" (per currency:
// trade count, gross, net, netting efficiency in basis points),
// "instruction" (a member's net obligation: securities per ISIN, cash per
// currency; a FAILED one has fail_reason) and "unmatched" (a report left
// unmatched at the cut-off). Columns a kind does not have are empty.

#include "services/cli/json_access.h"

#include <string>

namespace quorumclear::cli {

/// The human table: business date, status, totals and netting efficiency,
/// net obligations per member, fails with reasons, unmatched reports.
[[nodiscard]] std::string report_table(const JsonValue& run);

/// The CSV described above.
[[nodiscard]] std::string report_csv(const JsonValue& run);

/// "75.00%" for "7500" basis points; the text unchanged if not an integer.
[[nodiscard]] std::string percent_of_bps(const std::string& bps);

}  // namespace quorumclear::cli
