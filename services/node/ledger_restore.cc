#include "services/node/ledger_restore.h"

#include "quorum/certificate.h"
#include "services/node/clearing_node.h"
#include "services/store/epoch_replay.h"
#include "settlement/obligation_proof.h"
#include "settlement/snapshot.h"

#include <sodium.h>

namespace quorumclear::node {
namespace {

settlement::LedgerOptions fresh_options() {
  settlement::LedgerOptions options;
  randombytes_buf(options.hash_key.data(), sizeof options.hash_key);  // any value is correct
  return options;
}

/// The newest snapshot at or below `last` that is the one its epoch signed
/// and decodes; fills `out` and returns true, or notes why each was refused.
bool restore_from_snapshot(store::NodeStore& store, const SnapshotFiles* files,
                           const settlement::ReferenceData& reference, std::uint64_t last, RestoredLedger& out) {
  for (const std::uint64_t e : store.snapshot_epochs()) {
    if (e > last) continue;
    const auto refuse = [&](const std::string& why) {
      out.refused_snapshots.push_back("epoch " + std::to_string(e) + ": " + why);
    };
    const std::optional<store::StoredEpoch> epoch = store.load_epoch(e);
    if (!epoch || epoch->snapshot_digest == settlement::Digest{}) {
      refuse("its epoch signed no snapshot");
      continue;
    }
    // Only the epoch's own snapshot_digest, the one its tuple signed,
    // vouches for the bytes (the stored digest column is checked too).
    std::optional<MappedFile> file = files ? files->map(e) : std::nullopt;
    std::optional<store::StoredSnapshot> stored;
    settlement::ByteView bytes;
    const char* source = "file";
    if (file && settlement::snapshot_digest(file->bytes()) == epoch->snapshot_digest) {
      bytes = file->bytes();
    } else {
      if (file) refuse("its file is not the snapshot its epoch signed; reading the database's copy");
      file.reset();
      stored = store.load_snapshot(e);
      if (!stored) {
        refuse("gone while reading");
        continue;
      }
      if (settlement::snapshot_digest(stored->bytes) != epoch->snapshot_digest || stored->digest != epoch->snapshot_digest) {
        refuse("its bytes are not the snapshot its epoch signed");
        continue;
      }
      bytes = stored->bytes;
      source = "database";
    }
    auto decoded = settlement::decode_snapshot(bytes, reference, fresh_options());
    if (auto* error = std::get_if<settlement::SnapshotError>(&decoded)) {
      refuse("does not decode: " + error->what);
      continue;
    }
    std::shared_ptr<settlement::Ledger> ledger = std::move(std::get<std::unique_ptr<settlement::Ledger>>(decoded));
    if (ledger->last_applied_epoch() != e || ledger->state_digest() != epoch->state_digest) {
      refuse("its state is not its epoch's");
      continue;
    }
    out.ledger = std::move(ledger);
    out.audit_head = epoch->audit_head;
    out.snapshot_epoch = e;
    out.snapshot_source = source;
    return true;
  }
  return false;
}

}  // namespace

RestoredLedger restore_ledger(store::NodeStore& store, const SnapshotFiles* files,
                              const settlement::ReferenceData& reference, const store::StoredState& state) {
  RestoredLedger out;
  if (!state.last_applied_epoch) {
    out.ledger = std::make_shared<settlement::Ledger>(reference, fresh_options());
    return out;
  }
  if (!restore_from_snapshot(store, files, reference, *state.last_applied_epoch, out)) {
    if (state.history_start_epoch) {
      // Its history starts at a checkpoint: there is nothing before it to
      // replay from genesis, only the peers to rebuild from again.
      std::string why;
      for (const std::string& refused : out.refused_snapshots) why += "; " + refused;
      throw StartupError("this node's history starts at checkpoint epoch " +
                         std::to_string(*state.history_start_epoch) +
                         " and no stored snapshot at or after it is usable" + why +
                         "; refusing to start (an emptied database rebuilds from the peers)");
    }
    out.ledger = std::make_shared<settlement::Ledger>(reference, fresh_options());
  }
  settlement::Ledger& ledger = *out.ledger;
  quorum::Digest& audit = out.audit_head;
  const std::uint64_t from = out.snapshot_epoch ? *out.snapshot_epoch + 1 : 0;
  store.for_each_epoch(from, *state.last_applied_epoch, [&](const store::StoredEpoch& stored) {
    const store::ReplayedEpoch replayed = store::replay_stored_epoch(ledger, stored);
    const settlement::EpochResult& r = replayed.result;
    const quorum::Digest& output = replayed.output_digest;
    audit = quorum::audit_link(audit, quorum::Epoch{stored.epoch}, output, r.state_digest);
    const auto refuse = [&](const char* what) {
      throw StartupError("epoch " + std::to_string(stored.epoch) + ": the recomputed " + what +
                         " differs from the stored one; refusing to start");
    };
    if (r.status != settlement::ApplyStatus::kApplied) refuse("epoch order");
    if (output != stored.output_digest) refuse("output digest");
    if (r.state_digest != stored.state_digest) refuse("state digest");
    if (audit != stored.audit_head) refuse("audit head");
    if (settlement::prove_epoch_obligations(r.reports, reference).root != stored.obligations_root) {
      refuse("obligations root");
    }
    ++out.epochs_replayed;
  });
  if (ledger.last_applied_epoch() != state.last_applied_epoch || ledger.state_digest() != state.state_digest ||
      audit != state.audit_head) {
    throw StartupError("node_state disagrees with the stored epochs (last applied " +
                       std::to_string(*state.last_applied_epoch) + "); refusing to start");
  }
  return out;
}

}  // namespace quorumclear::node
