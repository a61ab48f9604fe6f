#pragma once
// Where a restarting node's ledger comes from: the newest stored snapshot
// that checks out against its epoch's signed snapshot digest, then the
// stored epochs after it replayed; from genesis when there is none. Every
// replayed epoch's recomputed digests must equal the stored ones: a
// database edited behind the node's back, or a build that computes
// differently, must not run on. Restart time is bounded by the checkpoint
// interval, not by the history.

#include "services/node/snapshot_files.h"
#include "services/store/node_store.h"
#include "settlement/ledger.h"

#include "quorum/types.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quorumclear::node {

struct RestoredLedger {
  std::shared_ptr<settlement::Ledger> ledger;
  quorum::Digest audit_head{};
  /// The snapshot it started from; none: from genesis.
  std::optional<std::uint64_t> snapshot_epoch;
  /// Where its bytes came from: "file" (SnapshotFiles) or "database".
  std::string snapshot_source;
  std::uint64_t epochs_replayed = 0;
  /// Snapshots passed over, each with why (damaged, not the signed one).
  std::vector<std::string> refused_snapshots;
};

/// Each snapshot is read from `files` when there is one whose digest is
/// the signed one, else from the store (`files` may be null). Throws
/// StartupError (clearing_node.h) when a stored epoch does not recompute,
/// or node_state disagrees with the epochs.
[[nodiscard]] RestoredLedger restore_ledger(store::NodeStore& store, const SnapshotFiles* files,
                                            const settlement::ReferenceData& reference,
                                            const store::StoredState& state);

}  // namespace quorumclear::node
