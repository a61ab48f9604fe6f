#pragma once
// A stored epoch applied again to a ledger: a restart's replay after its
// snapshot (services/node/ledger_restore.cc) and `clearctl audit verify`'s
// replay from genesis (services/cli/audit_command.cc) read the same rows
// the same way, so neither can come to check something the other does not.

#include "quorum/types.h"
#include "services/store/node_store.h"
#include "settlement/ledger.h"

#include <vector>

namespace quorumclear::store {

struct ReplayedEpoch {
  settlement::EpochResult result;
  /// The batches as the ledger read them: views into the StoredEpoch.
  std::vector<settlement::EpochBatch> batches;
  /// quorum::output_digest recomputed over them.
  quorum::Digest output_digest{};
};

/// quorum::output_digest over the stored batches, as decided.
[[nodiscard]] quorum::Digest stored_output_digest(const StoredEpoch& stored);

/// Applies `stored` to `ledger` (result.status says whether it took it).
[[nodiscard]] ReplayedEpoch replay_stored_epoch(settlement::Ledger& ledger, const StoredEpoch& stored);

}  // namespace quorumclear::store
