// node_state: where the node stands; node_entered_epoch: the one value it
// writes outside an epoch's transaction (a row of its own, schema/0014).
#include "services/store/node_store_internal.h"
#include "services/store/sql_rows.h"

#include <limits>

namespace quorumclear::store {
namespace {

std::optional<std::uint64_t> epoch_or_none(std::int64_t stored) {
  if (stored < 0) return std::nullopt;  // -1: none yet
  return static_cast<std::uint64_t>(stored);
}

}  // namespace

StoredState NodeStore::load_state() {
  return guarded("load_state", [&](Session& s) {
    pqxx::work tx(s.db);
    const pqxx::result rows = tx.exec(
        "SELECT last_applied_epoch, GREATEST(entered_epoch, COALESCE((SELECT entered_epoch FROM "
        "node_entered_epoch), -1)), state_digest, audit_head, "
        "open_business_date - DATE '1970-01-01', history_start_epoch, (SELECT min(epoch) FROM epochs) FROM node_state");
    if (rows.empty()) throw StoreError("store: load_state: no node_state row; run init_network first");
    const pqxx::row row = rows[0];
    StoredState state;
    state.last_applied_epoch = epoch_or_none(row[0].as<std::int64_t>());
    state.entered_epoch = epoch_or_none(row[1].as<std::int64_t>());
    state.state_digest = sql::digest_of(row[2]);
    state.audit_head = sql::digest_of(row[3]);
    state.open_business_date = settlement::BusinessDate{row[4].as<std::int32_t>()};
    if (!row[5].is_null()) state.history_start_epoch = row[5].as<std::uint64_t>();
    if (!row[6].is_null()) state.lowest_epoch = row[6].as<std::uint64_t>();
    tx.commit();
    return state;
  });
}

void NodeStore::record_entered_epoch(std::uint64_t epoch) {
  if (epoch > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw std::invalid_argument("store: entered epoch " + std::to_string(epoch) + " does not fit a bigint");
  }
  guarded("record_entered_epoch", [&](Session& s) {
    pqxx::work tx(s.db);
    // GREATEST: a Step that re-enters an older epoch is no reason to fail;
    // the trigger of 0014 refuses a decrease from anywhere else. Never
    // node_state's row: the epoch writer holds it locked while it commits.
    tx.exec("INSERT INTO node_entered_epoch (entered_epoch) VALUES (" + std::to_string(epoch) +
            ") ON CONFLICT (singleton) DO UPDATE SET entered_epoch = GREATEST(node_entered_epoch.entered_epoch, "
            "EXCLUDED.entered_epoch)");
    tx.commit();  // synchronous_commit = on (session_conninfo): on disk before the messages go out
    return 0;
  });
}

}  // namespace quorumclear::store
