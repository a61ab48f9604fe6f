#pragma once
// Private to services/store: the session behind a ReadStore, the snapshot
// every read runs in, a parameterised query builder, keyset cursors, and
// the parsers that turn stored text back into settlement values. Nothing
// outside services/store includes this.

#include "services/store/node_store_internal.h"
#include "services/store/read_store.h"
#include "services/store/sql_rows.h"

#include <pqxx/pqxx>

#include <string>
#include <string_view>
#include <vector>

namespace quorumclear::store {

/// One connection, replaced whole after any libpq or libpqxx error
/// (as NodeStore::Session).
struct ReadStore::Session {
  Session(const std::string& url, const StoreOptions& options);
  pqxx::connection db;
};

template <class F>
auto ReadStore::guarded(const char* what, F&& body) {
  try {
    return body(session());
  } catch (...) {
    bool broken = false;
    std::exception_ptr mapped = map_current_exception(what, broken);
    if (broken) session_.reset();
    std::rethrow_exception(mapped);
  }
}

/// Every read: one snapshot for all its statements, and no writes.
using Snapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

namespace read {

/// A statement with numbered parameters, built piece by piece so that a
/// filter adds its condition and its value in one place.
class Query {
 public:
  explicit Query(std::string head) : sql_(std::move(head)) {}
  /// Binds `value` to the next parameter and returns its placeholder "$n".
  std::string param(sql::Field value);
  /// Adds "WHERE condition", or "AND condition" after the first.
  Query& where(std::string_view condition);
  Query& append(std::string_view text);
  [[nodiscard]] pqxx::result run(pqxx::transaction_base& tx) const;

 private:
  std::string sql_;
  std::vector<sql::Field> params_;
  bool has_where_ = false;
};

/// SQL for a date column as days since 1970-01-01 (an int), with the
/// writer's +-infinity (sql::date: a refused report's date beyond
/// PostgreSQL's range) as the int32 extremes.
[[nodiscard]] std::string days(std::string_view column);

/// Which list a cursor belongs to; part of every cursor.
enum class ListTag : std::uint8_t {
  kTrades = 1,
  kAllegations,
  kPositions,
  kCash,
  kBalances,
  kRuns,
};

/// Binds a cursor to its list and the filters of the query it pages:
/// feed every filter, in a fixed order, absent ones included.
class Fingerprint {
 public:
  explicit Fingerprint(ListTag tag);
  Fingerprint& add(std::string_view value);
  Fingerprint& add_absent();
  template <class T>
  Fingerprint& add(const std::optional<T>& value) {
    return value ? add(value->view()) : add_absent();
  }
  Fingerprint& add(std::optional<settlement::BusinessDate> date);
  [[nodiscard]] ListTag tag() const { return tag_; }
  /// The first 8 bytes of the SHA-256 over the tag and everything added.
  [[nodiscard]] std::array<std::uint8_t, 8> finish() const;

 private:
  ListTag tag_;
  std::string fed_;
};

/// The key of a page's last row, written as a cursor.
class CursorWriter {
 public:
  explicit CursorWriter(const Fingerprint& fingerprint);
  CursorWriter& text(std::string_view value);  // at most 255 bytes
  CursorWriter& date(settlement::BusinessDate value);
  CursorWriter& u8(std::uint8_t value);
  /// base64url, no padding.
  [[nodiscard]] std::string finish() const;

 private:
  settlement::Bytes bytes_;
};

/// Reads a cursor back; every mistake throws InvalidCursor. Call finish()
/// after the last field: trailing bytes are refused too.
class CursorReader {
 public:
  CursorReader(std::string_view cursor, const Fingerprint& fingerprint);
  /// A member id (is_valid_member_id).
  settlement::MemberId member();
  /// A trade id (is_valid_trade_id).
  settlement::TradeId trade_id();
  /// An ISIN or a currency code, by the syntax of each.
  settlement::AssetCode asset(settlement::AssetKind kind);
  settlement::BusinessDate date();
  settlement::AssetKind asset_kind();
  void finish() const;

 private:
  std::string_view text();
  std::uint8_t u8();
  settlement::Bytes bytes_;
  std::size_t at_ = 0;
};

/// The limit every list takes: 1..max, else std::invalid_argument.
void check_limit(std::uint32_t limit, std::uint32_t max);
/// A scope's member must be a member id (it comes from authentication).
void check_scope(const Scope& scope);

// Parsers of stored values; anything the writer could not have written
// throws StoreError, naming the column.

template <class CodeT>
[[nodiscard]] CodeT code_of(const pqxx::field& field) {
  const std::optional<CodeT> code = CodeT::from(std::string_view(field.c_str(), field.size()));
  if (!code) throw StoreError("store: column " + std::string(field.name()) + " holds a code too long for it");
  return *code;
}
template <class CodeT>
[[nodiscard]] std::optional<CodeT> optional_code_of(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return code_of<CodeT>(field);
}
[[nodiscard]] settlement::BusinessDate date_of(const pqxx::field& field);
[[nodiscard]] std::optional<settlement::BusinessDate> optional_date_of(const pqxx::field& field);
[[nodiscard]] std::uint64_t epoch_of(const pqxx::field& field);
[[nodiscard]] std::optional<std::uint64_t> optional_epoch_of(const pqxx::field& field);
/// NULL is kNone.
[[nodiscard]] settlement::Reason reason_of(const pqxx::field& field);
[[nodiscard]] settlement::TradeStatus trade_status_of(const pqxx::field& field);
[[nodiscard]] settlement::ControlStatus control_status_of(const pqxx::field& field);
[[nodiscard]] settlement::ObligationStatus obligation_status_of(const pqxx::field& field);
[[nodiscard]] settlement::RunStatus run_status_of(const pqxx::field& field);
[[nodiscard]] settlement::AssetKind asset_kind_of(const pqxx::field& field);
[[nodiscard]] ControlKind control_kind_of(const pqxx::field& field);
/// NULL is empty.
[[nodiscard]] std::string text_of(const pqxx::field& field);
/// A value in [0, max] of an integer column.
[[nodiscard]] std::uint32_t count_of(const pqxx::field& field, std::uint32_t max);

/// The columns trade_row reads, for "SELECT <columns> FROM trades t".
[[nodiscard]] const std::string& trade_columns();
/// One row selected with trade_columns(); counterparty left empty.
[[nodiscard]] TradeRow trade_row(const pqxx::row& row);
/// The cursor after `row`: its (submitter, trade id).
[[nodiscard]] std::string trade_cursor(const Fingerprint& fingerprint, const TradeRow& row);
/// Adds "(t.submitter, t.trade_id) > (...)" for a cursor; nothing for "".
void after_trade_key(Query& query, std::string_view cursor, const Fingerprint& fingerprint);

/// `rows` (up to limit + 1 fetched) as a page: the extra row only says
/// that another page follows, whose cursor `cursor_of(last kept item)` is.
template <class T, class Parse, class CursorOf>
Page<T> page_of(const pqxx::result& rows, std::uint32_t limit, Parse&& parse, CursorOf&& cursor_of) {
  Page<T> page;
  const std::size_t keep = std::min<std::size_t>(rows.size(), limit);
  page.items.reserve(keep);
  for (std::size_t i = 0; i < keep; ++i) page.items.push_back(parse(rows[static_cast<pqxx::result::size_type>(i)]));
  if (rows.size() > limit) page.next_cursor = cursor_of(page.items.back());
  return page;
}

/// Epoch `e`'s row with its signatures, inside the caller's snapshot.
[[nodiscard]] std::optional<EpochRow> epoch_row(Snapshot& tx, std::uint64_t e);

}  // namespace read
}  // namespace quorumclear::store
