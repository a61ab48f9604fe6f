#pragma once
// The one error every config reader returns: which file, which field (a
// JSON path such as "instruments[3].isin"), and what is wrong with it. An
// operator fixing a genesis or node file needs all three; a value is never
// echoed when it may be secret (database URLs, keys).

#include <string>

namespace quorumclear::config {

/// What is wrong, and where: every config reader returns one instead of throwing.
struct ConfigError {
  std::string file;     // the path as given, or as resolved from a node config
  std::string field;    // JSON path; empty for an error of the whole file (size, syntax, mode)
  std::string message;  // what is wrong, and what would be right

  /// "file: field: message", or "file: message" when no field applies.
  [[nodiscard]] std::string what() const;
};

}  // namespace quorumclear::config
