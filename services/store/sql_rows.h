#pragma once
// Private to services/store: rows in PostgreSQL's text input form, and the
// two ways of sending many of them (BulkMethod): COPY through
// pqxx::stream_to, or multi-row INSERT statements. A value is formatted
// once, as text, whichever way it travels, so both write identical rows.

#include "services/store/node_store.h"

#include <pqxx/pqxx>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quorumclear::store::sql {

/// One column value in PostgreSQL's text input form, or NULL.
struct Field {
  std::string text;
  bool null = false;
};

}  // namespace quorumclear::store::sql

namespace pqxx {

/// Lets pqxx::stream_to write sql::Field: its text as it is, or \N.
template <>
struct string_traits<quorumclear::store::sql::Field> {
  using Field = quorumclear::store::sql::Field;
  static constexpr const char* name() noexcept { return "quorumclear::store::sql::Field"; }
  static constexpr bool has_null() noexcept { return true; }
  static bool is_null(const Field& f) { return f.null; }
  static Field null() { return Field{{}, true}; }
  static void from_string(const char text[], Field& f) { f = Field{text, false}; }
  static std::string to_string(const Field& f) { return f.text; }
};

}  // namespace pqxx

namespace quorumclear::store::sql {

[[nodiscard]] Field null_field();
[[nodiscard]] Field integer(std::int64_t value);
[[nodiscard]] Field boolean(bool value);
/// Text this node produced or validated (member ids from genesis, reason codes).
[[nodiscard]] Field text(std::string_view value);
/// NULL for an empty value (an absent reason, field or reference).
[[nodiscard]] Field text_or_null(std::string_view value);
/// Text copied from a decided batch that the ledger refused: any bytes, up
/// to the field's capacity. Bytes outside printable ASCII become '?', so
/// that no batch can make its epoch unwritable (PostgreSQL refuses NUL and
/// invalid UTF-8 in text, and a refused epoch would stop the node); the
/// length stays, so char(n) columns still fit. The exact bytes are in
/// epoch_batches.
[[nodiscard]] Field untrusted_text(std::string_view value);
/// The same replacement as untrusted_text, as a plain string.
[[nodiscard]] std::string printable(std::string_view value);
[[nodiscard]] Field bytea(settlement::ByteView value);
/// A calendar date as a Julian day ("J2461005"): no civil conversion, and
/// any int32 day count maps to a value PostgreSQL accepts: one outside its
/// date range (4713 BC .. 5874897 AD), which only a refused report can
/// carry, is stored as -infinity or infinity.
[[nodiscard]] Field date(settlement::BusinessDate date);

/// Reading back: a bytea column of exactly 32 bytes (else StoreError).
[[nodiscard]] Digest digest_of(const pqxx::field& field);
/// Reading back: any bytea column.
[[nodiscard]] Bytes bytes_of(const pqxx::field& field);

template <std::size_t N>
using Row = std::array<Field, N>;

/// Rows for one table (or staging table), with the columns they fill.
template <std::size_t N>
struct Rows {
  std::array<const char*, N> columns;
  std::vector<Row<N>> rows;
};

/// Multi-row INSERTs carry at most this many rows each: bounds one
/// statement's text (a 4,000-report epoch is still one statement).
inline constexpr std::size_t kValuesRowsPerStatement = 5'000;

/// "a, b, c".
template <std::size_t N>
std::string column_list(const std::array<const char*, N>& columns) {
  std::string out;
  for (const char* c : columns) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

/// COPY `rows` into `table`.
template <std::size_t N>
void copy_rows(pqxx::work& tx, const std::string& table, const Rows<N>& rows) {
  if (rows.rows.empty()) return;
  pqxx::stream_to out(tx, table, rows.columns);
  for (const Row<N>& row : rows.rows) out << row;
  out.complete();
}

/// "(v, v), (v, v)" for rows [first, last), each value quoted or NULL.
template <std::size_t N>
std::string values_list(pqxx::work& tx, const Rows<N>& rows, std::size_t first, std::size_t last) {
  std::string out;
  for (std::size_t r = first; r < last; ++r) {
    out += r == first ? "(" : ", (";
    for (std::size_t c = 0; c < N; ++c) {
      const Field& f = rows.rows[r][c];
      if (c != 0) out += ", ";
      out += f.null ? std::string("NULL") : tx.quote(f.text);
    }
    out += ')';
  }
  return out;
}

/// INSERT `rows` into `table` with multi-row VALUES, each statement ending
/// in `suffix` (e.g. an ON CONFLICT clause).
template <std::size_t N>
void insert_rows(pqxx::work& tx, const std::string& table, const Rows<N>& rows,
                 std::string_view suffix = {}) {
  const std::string head = "INSERT INTO " + table + " (" + column_list(rows.columns) + ") VALUES ";
  for (std::size_t first = 0; first < rows.rows.size(); first += kValuesRowsPerStatement) {
    const std::size_t last = std::min(rows.rows.size(), first + kValuesRowsPerStatement);
    tx.exec(head + values_list(tx, rows, first, last) + std::string(suffix));
  }
}

/// "ON CONFLICT (k1, k2) DO UPDATE SET c = EXCLUDED.c, ...": the first
/// `keys` columns are the conflict target, the others are replaced.
template <std::size_t N>
std::string on_conflict_replace(const std::array<const char*, N>& columns, std::size_t keys) {
  std::string target, set;
  for (std::size_t i = 0; i < N; ++i) {
    std::string& out = i < keys ? target : set;
    if (!out.empty()) out += ", ";
    out += columns[i];
    if (i >= keys) out += std::string(" = EXCLUDED.") + columns[i];
  }
  return "ON CONFLICT (" + target + ") DO UPDATE SET " + set;
}

/// Plain inserts, by `bulk`.
template <std::size_t N>
void write_rows(pqxx::work& tx, BulkMethod bulk, const std::string& table, const Rows<N>& rows) {
  if (bulk == BulkMethod::kCopy) {
    copy_rows(tx, table, rows);
  } else {
    insert_rows(tx, table, rows);
  }
}

/// Inserts or replaces rows: `conflict` is the ON CONFLICT clause. COPY
/// cannot resolve conflicts, so kCopy streams into `staging` (a temporary
/// table emptied at commit) and inserts from there in one statement.
template <std::size_t N>
void upsert_rows(pqxx::work& tx, BulkMethod bulk, const std::string& table, const std::string& staging,
                 const Rows<N>& rows, std::string_view conflict) {
  if (rows.rows.empty()) return;
  if (bulk == BulkMethod::kValues) {
    insert_rows(tx, table, rows, std::string(" ") + std::string(conflict));
    return;
  }
  copy_rows(tx, staging, rows);
  const std::string columns = column_list(rows.columns);
  tx.exec("INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + staging + " " +
          std::string(conflict));
}

}  // namespace quorumclear::store::sql
