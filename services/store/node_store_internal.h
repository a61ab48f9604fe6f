#pragma once
// Private to services/store: the session behind a NodeStore, the exception
// mapping every public call goes through, and the writers each concern's
// file provides. Nothing outside services/store includes this.

#include "services/store/node_store.h"

#include <pqxx/pqxx>

#include <exception>

namespace quorumclear::store {

/// One connection and what this process created in it. Replaced whole
/// after any libpq or libpqxx error, so a half-done COPY or a connection in
/// an unknown state is never reused.
struct NodeStore::Session {
  Session(const std::string& url, const StoreOptions& options);
  pqxx::connection db;
  /// The backend whose session holds the staging tables, 0 for none:
  /// libpqxx may reconnect on its own, and temporary tables die with the
  /// backend, so a changed pid means "create them again".
  int staging_backend = 0;
};

/// The libpq connection string for `url` with this store's session
/// settings: statement timeout, synchronous commit, no NOTICE chatter, UTF-8
/// and a connect timeout (unless the URL sets one). Settings travel in the
/// connection string, not in SET statements, so they hold on any reconnect.
/// Throws std::invalid_argument if the URL sets `options` itself.
[[nodiscard]] std::string session_conninfo(const std::string& url, const StoreOptions& options);

/// Maps the exception in flight to what the store throws: StoreError
/// subclasses and std::invalid_argument pass unchanged, connection loss,
/// timeouts and lost commits become StoreUnavailable, any other libpqxx
/// error a StoreError naming `what`; anything else (MigrationError) is
/// rethrown as it is. `broken` is set when the session must be replaced
/// (any libpq or libpqxx error).
[[nodiscard]] std::exception_ptr map_current_exception(const char* what, bool& broken);

/// False when the server already ended this idle connection (its FATAL or
/// EOF is waiting on the socket: pg_terminate_backend, a server restart), so
/// the caller replaces it before a call runs on it. Only polls the socket;
/// reads and sends nothing. Never throws.
[[nodiscard]] bool connection_alive(pqxx::connection_base& db) noexcept;

template <class F>
auto NodeStore::guarded(const char* what, F&& body) {
  try {
    return body(session());
  } catch (...) {
    bool broken = false;
    std::exception_ptr mapped = map_current_exception(what, broken);
    if (broken) session_.reset();
    std::rethrow_exception(mapped);
  }
}

/// The member id of a ledger account: a member's own, or "CCP" (the
/// central counterparty's account, a member row since 0005).
[[nodiscard]] inline std::string account_id(const settlement::ReferenceData& ref, settlement::AccountIndex a) {
  if (a == ref.ccp_account()) return std::string(settlement::kCcpAccountId.view());
  return std::string(ref.member(settlement::MemberIndex{a.value}).id.view());
}

// Writers, one file per concern; each runs inside the caller's transaction.

/// genesis_rows.cc: every reference row and node_state for a first start.
void write_genesis(pqxx::work& tx, const settlement::ReferenceData& reference,
                   const Digest& network_id, std::uint16_t self, BulkMethod bulk);
/// genesis_rows.cc: throws NetworkMismatch unless the stored genesis is this one.
void check_genesis(pqxx::work& tx, const settlement::ReferenceData& reference,
                   const Digest& network_id, std::uint16_t self);
/// genesis_rows.cc: the ledger's state digest before epoch 0.
[[nodiscard]] Digest genesis_digest(const settlement::ReferenceData& reference);

/// epoch_writer.cc: the temporary tables staged updates and upserts go
/// through, created once per backend (`staging_backend` remembers which).
void ensure_staging(pqxx::connection& db, int& staging_backend);
/// epoch_writer.cc: everything of one epoch but the commit. Preconditions
/// checked by the caller (apply_epoch): the epoch is the next one and its
/// audit head extends `prev_head`, the stored one.
/// `history_start`: node_state.history_start_epoch (schema/0013).
void write_epoch(pqxx::work& tx, const EpochToWrite& epoch, const Digest& prev_head, std::uint16_t self,
                 std::optional<std::uint64_t> history_start, BulkMethod bulk);
/// epoch_writer.cc: positions and cash positions rows, every one with
/// last_epoch `epoch` (an epoch's touched cells, or a checkpoint's state).
void write_position_rows(pqxx::work& tx, const settlement::ReferenceData& reference, std::uint64_t epoch,
                         std::span<const settlement::PositionRow> positions,
                         std::span<const settlement::CashRow> cash, BulkMethod bulk);
/// epoch_writer.cc: securities and cash balance rows, upserted.
void write_balance_rows(pqxx::work& tx, const settlement::ReferenceData& reference,
                        std::span<const settlement::BalanceRow> balances, BulkMethod bulk);
/// snapshots.cc: a snapshot and its chunks (nothing if one is stored for
/// the epoch), then drops all but the newest kSnapshotsKept.
void insert_snapshot(pqxx::work& tx, std::uint64_t epoch, const Digest& digest, ByteView bytes);
/// epoch_reader.cc: signature rows; one already stored for a node is kept.
void insert_signatures(pqxx::work& tx, std::uint64_t epoch, std::span<const EpochSignature> signatures);
/// report_rows.cc: trades rows, their status changes, trade_rejections.
/// With `history_start` (a node rebuilt from a checkpoint) a change of a
/// report decided before it finds no row, and only those may be missing.
void write_reports(pqxx::work& tx, const EpochToWrite& epoch, std::optional<std::uint64_t> history_start,
                   BulkMethod bulk);
/// settlement_rows.cc: settlement runs, totals, obligations, unmatched lists.
void write_settlement_runs(pqxx::work& tx, const EpochToWrite& epoch, BulkMethod bulk);
/// received.cc: deletes the received reports the epoch's outcomes answered
/// (node_store.h, "Received reports"); `self` is this node's id.
void delete_answered_received(pqxx::work& tx, const EpochToWrite& epoch, std::uint16_t self,
                              BulkMethod bulk);

}  // namespace quorumclear::store
