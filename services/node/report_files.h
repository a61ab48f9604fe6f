#pragma once
// The day's settlement report as files, next to the API's answer: a back
// office that takes files, and an operator whose database is away, still
// has each closed date's report. Written when the cut-off's epoch is
// committed, and at start for any run whose files are missing (a crash
// between the commit and the write).

#include "services/api/answers.h"

#include <filesystem>

namespace quorumclear::node {

/// `dir`/<date>.json and `dir`/<date>.csv, each replaced atomically (written
/// aside, synced, renamed), so a reader never sees half a report. Throws
/// std::runtime_error naming the file when it cannot be written.
void write_report_files(const std::filesystem::path& dir, const api::RunReport& report);

/// True when both files of `date` are in `dir`.
[[nodiscard]] bool report_files_exist(const std::filesystem::path& dir, settlement::BusinessDate date);

}  // namespace quorumclear::node
