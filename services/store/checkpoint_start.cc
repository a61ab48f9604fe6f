// A node rebuilt from a peer's certified checkpoint: its database starts at
// the checkpoint epoch (schema/0013_history_from_checkpoint.sql says what it
// then holds and why the v1 triggers let it through).
#include "services/store/node_store_internal.h"
#include "services/store/sql_rows.h"

#include "settlement/snapshot.h"

#include <limits>

namespace quorumclear::store {
namespace {

void check_start(const CheckpointStart& start) {
  const StoredEpoch& e = start.epoch;
  const std::string name = "store: start_from_checkpoint " + std::to_string(e.epoch);
  if (e.epoch >= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw StoreError(name + ": the epoch does not fit the schema's bigint");
  }
  if (e.snapshot_digest == Digest{}) throw StoreError(name + ": the epoch is no checkpoint");
  if (settlement::snapshot_digest(start.snapshot) != e.snapshot_digest) {
    throw StoreError(name + ": the snapshot is not the one the epoch signs");
  }
  for (std::size_t i = 1; i < e.batches.size(); ++i) {
    if (e.batches[i - 1].proposer >= e.batches[i].proposer) {
      throw StoreError(name + ": batches not in ascending proposer order");
    }
  }
}

void write_checkpoint_epoch(pqxx::work& tx, const StoredEpoch& e) {
  const auto epoch = static_cast<std::int64_t>(e.epoch);
  const auto bytea = [](const Digest& d) { return pqxx::binarystring(d.data(), d.size()); };
  // trade_count NULL: this node took the state after the epoch, not its outcomes.
  tx.exec_params(
      "INSERT INTO epochs (epoch, output_digest, state_digest, audit_head, batch_count, trade_count, "
      "snapshot_digest) VALUES ($1, $2, $3, $4, $5, NULL, $6)",
      epoch, bytea(e.output_digest), bytea(e.state_digest), bytea(e.audit_head), static_cast<int>(e.batches.size()),
      bytea(e.snapshot_digest));
  if (e.obligations_root != Digest{}) {
    tx.exec_params("UPDATE epochs SET obligations_root = $2 WHERE epoch = $1", epoch, bytea(e.obligations_root));
  }
  for (const StoredBatch& b : e.batches) {
    tx.exec_params("INSERT INTO epoch_batches (epoch, proposer, payload) VALUES ($1, $2, $3)", epoch,
                   static_cast<int>(b.proposer), pqxx::binarystring(b.bytes.data(), b.bytes.size()));
  }
}

}  // namespace

void NodeStore::start_from_checkpoint(const CheckpointStart& start) {
  check_start(start);
  const StoredEpoch& e = start.epoch;
  guarded("start_from_checkpoint", [&](Session& s) {
    ensure_staging(s.db, s.staging_backend);
    pqxx::work tx(s.db);
    const pqxx::result state = tx.exec("SELECT last_applied_epoch FROM node_state FOR UPDATE");
    if (state.empty()) throw StoreError("store: start_from_checkpoint: no node_state row; run init_network first");
    if (state[0][0].as<std::int64_t>() != -1) {
      throw StoreError("store: start_from_checkpoint: epoch " + state[0][0].as<std::string>() +
                       " is applied already; only an empty database starts from a checkpoint");
    }
    write_checkpoint_epoch(tx, e);
    insert_signatures(tx, e.epoch, start.signatures);
    insert_snapshot(tx, e.epoch, e.snapshot_digest, start.snapshot);
    // Genesis wrote the opening balances; the ledger's are what stands now,
    // and a balance that went back to zero has no row in them.
    tx.exec("DELETE FROM securities_balances; DELETE FROM cash_balances");
    write_position_rows(tx, start.reference, e.epoch, start.rows.positions, start.rows.cash, options_.bulk);
    write_balance_rows(tx, start.reference, start.rows.balances, options_.bulk);
    tx.exec_params(
        "UPDATE node_state SET last_applied_epoch = $1, history_start_epoch = $1, state_digest = $2, "
        "audit_head = $3, open_business_date = DATE '1970-01-01' + $4::integer",
        static_cast<std::int64_t>(e.epoch), pqxx::binarystring(e.state_digest.data(), e.state_digest.size()),
        pqxx::binarystring(e.audit_head.data(), e.audit_head.size()), start.open_business_date.days);
    tx.commit();
    return 0;
  });
}

}  // namespace quorumclear::store
