#include "services/store/epoch_replay.h"

#include "quorum/certificate.h"

namespace quorumclear::store {

ReplayedEpoch replay_stored_epoch(settlement::Ledger& ledger, const StoredEpoch& stored) {
  ReplayedEpoch out;
  std::vector<quorum::BatchView> views;
  out.batches.reserve(stored.batches.size());
  views.reserve(stored.batches.size());
  for (const StoredBatch& b : stored.batches) {
    out.batches.push_back({b.proposer, b.bytes});
    views.push_back({quorum::NodeId{b.proposer}, b.bytes});
  }
  out.result = ledger.apply(stored.epoch, out.batches);
  out.output_digest = quorum::output_digest(quorum::Epoch{stored.epoch}, views);
  return out;
}

}  // namespace quorumclear::store
