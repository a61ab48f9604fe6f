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

void write_epoch_without_outcomes(pqxx::work& tx, const StoredEpoch& e) {
  const auto epoch = static_cast<std::int64_t>(e.epoch);
  const auto bytea = [](const Digest& d) { return pqxx::binarystring(d.data(), d.size()); };
  // trade_count NULL: this node computed no outcomes for the epoch (it took
  // the state after it, or fetched it as older history).
  tx.exec_params(
      "INSERT INTO epochs (epoch, output_digest, state_digest, audit_head, batch_count, trade_count, "
      "snapshot_digest, obligations_root) VALUES ($1, $2, $3, $4, $5, NULL, NULL, NULL)",
      epoch, bytea(e.output_digest), bytea(e.state_digest), bytea(e.audit_head), static_cast<int>(e.batches.size()));
  // NULL where the tuple carries none, as the epoch writer stores it.
  if (e.snapshot_digest != Digest{}) {
    tx.exec_params("UPDATE epochs SET snapshot_digest = $2 WHERE epoch = $1", epoch, bytea(e.snapshot_digest));
  }
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
    write_epoch_without_outcomes(tx, e);
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

void NodeStore::store_history_epoch(const StoredEpoch& e, std::span<const EpochSignature> signatures) {
  const std::string name = "store: store_history_epoch " + std::to_string(e.epoch);
  if (e.epoch >= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw StoreError(name + ": the epoch does not fit the schema's bigint");
  }
  guarded("store_history_epoch", [&](Session& s) {
    pqxx::work tx(s.db);
    const pqxx::row state = tx.exec1("SELECT last_applied_epoch, history_start_epoch FROM node_state");
    const bool below_start = !state[1].is_null() && e.epoch < state[1].as<std::uint64_t>();
    const bool before_any = state[1].is_null() && state[0].as<std::int64_t>() == -1;
    if (!below_start && !before_any) {
      throw StoreError(name + ": only epochs below a checkpoint this node's history starts at are stored so");
    }
    if (tx.exec_params("SELECT 1 FROM epochs WHERE epoch = $1", static_cast<std::int64_t>(e.epoch)).empty()) {
      write_epoch_without_outcomes(tx, e);
    }
    insert_signatures(tx, e.epoch, signatures);
    tx.commit();
    return 0;
  });
}

}  // namespace quorumclear::store
