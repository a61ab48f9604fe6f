#pragma once
// What `clearctl audit verify` needs of PostgreSQL beyond NodeStore: the
// audited database's raw audit_log rows, a scratch database to replay
// into, and a row-by-row comparison of two databases.
//
//   AuditStore audited(url);                         // read-only use of the audited node's database
//   std::optional<AuditLogRow> row = audited.audit_row(seq);
//   ScratchDatabase scratch(url);                    // CREATE DATABASE qc_audit_<random> on url's server
//   NodeStore replay(scratch.url()); ...             // migrate, init_network, apply_epoch per replayed epoch
//   TableComparison t = compare_table(url, scratch.url(), {"trades", {"received_at"}});
//
// The comparison is generic: it reads each table's columns and primary key
// from the catalogue of the audited database, so a column a later migration
// adds is compared without a change here; what is left out is named by the
// caller, with its reason (audit_command.cc).
//
// Every value is compared in PostgreSQL's text output form, NULL apart from
// any text. Both sides are read in one REPEATABLE READ snapshot each, with a
// server-side cursor (memory holds kCompareFetchRows rows per side). Every
// error surfaces as StoreError or StoreUnavailable (store_errors.h), never
// as a libpqxx type.

#include "services/store/node_store.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quorumclear::store {

/// One audit_log row as stored; nothing is checked but the column types.
struct AuditLogRow {
  std::uint64_t seq = 0;
  std::optional<std::uint64_t> epoch;
  std::string kind;
  std::optional<std::string> actor;
  Bytes record;
  Bytes prev_hash;   // 32 bytes unless the database was damaged
  Bytes entry_hash;  // likewise
};

/// How many rows a table holds, and its smallest and largest key.
struct KeyRange {
  std::uint64_t count = 0;
  std::optional<std::uint64_t> first, last;
};

/// Reads of an audited node's database (never writes). One thread.
class AuditStore {
 public:
  /// Connects; throws StoreUnavailable if the database cannot be reached.
  explicit AuditStore(std::string url, StoreOptions options = {});
  ~AuditStore();
  AuditStore(const AuditStore&) = delete;
  AuditStore& operator=(const AuditStore&) = delete;

  /// The audit_log row with this seq, if there is one.
  [[nodiscard]] std::optional<AuditLogRow> audit_row(std::uint64_t seq);
  /// How many audit_log rows there are, and the smallest and largest seq.
  [[nodiscard]] KeyRange audit_seq_range();
  /// How many epochs rows there are, and the smallest and largest epoch.
  [[nodiscard]] KeyRange epoch_range();
  /// node_state.node_id, which the replay's scratch database must be
  /// initialised with (apply_epoch's received-report rule reads it).
  [[nodiscard]] std::uint16_t node_id();

 private:
  struct Session;
  template <class F>
  auto guarded(const char* what, F&& body);
  KeyRange key_range(const char* what, const std::string& table, const std::string& column);

  std::string url_;
  StoreOptions options_;
  std::unique_ptr<Session> session_;
};

/// A database of its own on the server `server_url` names, created empty
/// (CREATE DATABASE qc_audit_<16 random hex digits>) and dropped by the
/// destructor (WITH (FORCE): a connection left open never keeps it).
/// Needs the CREATEDB privilege. Throws StoreError/StoreUnavailable.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const std::string& server_url, StoreOptions options = {});
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  /// Drops it now; false (and a message in `error`) when that failed.
  bool drop(std::string* error = nullptr) noexcept;

 private:
  std::string server_url_;
  StoreOptions options_;
  std::string name_;
  std::string url_;
  bool dropped_ = false;
};

/// `url` with its database name replaced by `database` (libpq URI or
/// key=value form). Throws std::invalid_argument on a name that is not
/// [a-z0-9_]{1,63}.
[[nodiscard]] std::string with_database(const std::string& url, const std::string& database);

/// True when the database has no table in schema public (what a scratch
/// database given by name must be, so that an audit never writes into a
/// database that holds anything).
[[nodiscard]] bool database_is_empty(const std::string& url, StoreOptions options = {});

/// Rows fetched per round trip and side while comparing.
inline constexpr int kCompareFetchRows = 1'000;
/// Values longer than this are shown cut, with their length, in a difference.
inline constexpr std::size_t kShownValueChars = 80;

/// One table to compare, and the columns left out (node-local by nature).
struct TableToCompare {
  std::string table;
  std::vector<std::string> excluded;
};

/// The first difference of a table: a column of a row both have, or a row
/// only one side has (column "(row)", value "present" or "absent").
struct RowDifference {
  std::string table;
  std::string key;  // "col=value, col=value" by primary key
  std::string column;
  std::string stored;
  std::string replayed;
};

struct TableComparison {
  std::string table;
  std::uint64_t rows = 0;          // rows compared equal before any difference
  std::vector<std::string> columns;  // the columns compared
  std::optional<RowDifference> difference;
};

/// Compares `t.table` in the audited database (`stored_url`) with the
/// replay's (`replayed_url`), row by row in primary key order, every column
/// but t.excluded; stops at the first difference. A column that only one
/// side has is a difference too. Throws StoreError when the table has no
/// primary key or does not exist in the audited database.
[[nodiscard]] TableComparison compare_table(const std::string& stored_url, const std::string& replayed_url,
                                            const TableToCompare& t, StoreOptions options = {});

}  // namespace quorumclear::store
