#pragma once
// Forward-only schema migrations from numbered SQL files (schema/NNNN_name.sql).
//
// Each pending file runs in its own transaction together with its row in
// schema_migrations, so a failure leaves the database at the last good
// version. A file that changed after it was applied is refused: the database
// and the code would disagree about what the schema is.

#include <pqxx/pqxx>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace quorumclear::store {

/// A migration file as read from disk.
struct Migration {
  int version = 0;           // NNNN from the file name, 1-based and contiguous
  std::string name;          // the file name, e.g. "0001_reference_data.sql"
  std::string sql;           // the file's contents
  std::string checksum_hex;  // SHA-256 of the contents, lower-case hex
};

/// What a run did.
struct MigrationReport {
  std::vector<std::string> applied;  // names applied by this run, in order
  int already_applied = 0;           // how many were there before
};

/// Anything that stops a migration run: a bad file set, a tampered file, a
/// database newer than this build, or a failing statement (with its file).
class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bound on one migration file: migrations are DDL, never data dumps.
inline constexpr std::uintmax_t kMigrationFileBytesMax = 1 << 20;

/// Reads every NNNN_name.sql file in `dir`, ordered by version. Throws
/// MigrationError on a malformed name, a duplicate or missing version, an
/// oversized or unreadable file.
[[nodiscard]] std::vector<Migration> load_migrations(const std::filesystem::path& dir);

/// Applies the migrations that `db` has not yet recorded. Holds a PostgreSQL
/// advisory lock for the duration so concurrent runners serialise. Throws
/// MigrationError if an applied file changed, if the database records a
/// version this set lacks, or if a statement fails.
MigrationReport apply_migrations(pqxx::connection& db, const std::vector<Migration>& migrations);

}  // namespace quorumclear::store
