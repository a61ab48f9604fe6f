#include "services/store/epoch_replay.h"

#include "quorum/certificate.h"

namespace quorumclear::store {

quorum::Digest stored_output_digest(const StoredEpoch& stored) {
  std::vector<quorum::BatchView> views;
  views.reserve(stored.batches.size());
  for (const StoredBatch& b : stored.batches) views.push_back({quorum::NodeId{b.proposer}, b.bytes});
  return quorum::output_digest(quorum::Epoch{stored.epoch}, views);
}

ReplayedEpoch replay_stored_epoch(settlement::Ledger& ledger, const StoredEpoch& stored) {
  ReplayedEpoch out;
  out.batches.reserve(stored.batches.size());
  for (const StoredBatch& b : stored.batches) out.batches.push_back({b.proposer, b.bytes});
  out.result = ledger.apply(stored.epoch, out.batches);
  out.output_digest = stored_output_digest(stored);
  return out;
}

}  // namespace quorumclear::store
