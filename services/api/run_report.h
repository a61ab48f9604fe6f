#pragma once
// A settlement run as the API serves it (JSON) and as a node files it at
// the cut-off (data_dir/reports/<date>.json and <date>.csv): one writer for
// both, so the file and the answer cannot drift apart.

#include "services/api/answers.h"
#include "services/api/json_writer.h"

#include <string>

namespace quorumclear::api {

/// The summary's fields, inside an object the caller opened.
void write_run_summary_fields(JsonWriter& w, const RunSummary& summary);
/// The whole run as one JSON object.
void write_run_report(JsonWriter& w, const RunReport& report);

[[nodiscard]] std::string run_report_json(const RunReport& report);
/// One row per settlement instruction (RFC 4180, CRLF, with a header row);
/// the totals and unmatched reports are in the JSON.
[[nodiscard]] std::string run_report_csv(const RunReport& report);

}  // namespace quorumclear::api
