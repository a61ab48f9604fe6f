// A node that lost its data takes the ledger's state after a peer's newest
// checkpoint instead of replaying every epoch since genesis (services/
// README.md, "Rebuilt from a checkpoint"). It believes nothing the peer says
// until it holds all of:
//   - the checkpoint epoch's head with f+1 distinct valid signatures over its
//     tuple (so at least one honest node applied it and computed that
//     snapshot digest), and the batches whose output digest the tuple signs;
//   - snapshot bytes whose SHA-256 is the tuple's snapshot digest, decoding
//     (which validates them like any untrusted input) to a ledger that
//     stands after that epoch with the tuple's state digest.
// Then it installs the ledger, has the store write the checkpoint as where
// its history starts, and takes the epochs after it by catch-up. A peer that
// serves anything else is refused (a fault), one that stalls or has no
// checkpoint is passed over; when no peer serves one, the node replays from
// genesis as before. Voting is a separate question (core_rejoin.cc): the
// checkpoint only saves replay.

#include "services/node/catch_up_session.h"
#include "services/node/core.h"

#include "settlement/snapshot.h"

namespace quorumclear::node {
namespace {

/// Chunks asked for ahead of those received: the serving node's queue
/// holds 8 requests (node_io.cc), and 4 MiB in flight keep a link busy.
constexpr std::uint32_t kChunksInFlight = 4;
/// Rounds over all peers while some did not answer at all.
constexpr std::uint32_t kRoundsMax = 3;

}  // namespace

void NodeCore::maybe_fetch_checkpoint(std::uint64_t now_ms) {
  if (!checkpoint_fetch_) {
    checkpoint_fetch_ = std::make_unique<CheckpointFetch>();
    checkpoint_fetch_->refused.assign(members_.n(), false);
    return ask_checkpoint_peer(now_ms);
  }
  if (now_ms >= checkpoint_fetch_->last_heard_ms + options_.catch_up_timeout_ms) {
    checkpoint_fetch_->timed_out = true;
    refuse_checkpoint_peer("no answer in " + std::to_string(options_.catch_up_timeout_ms) + " ms", false);
  }
}

void NodeCore::ask_checkpoint_peer(std::uint64_t now_ms) {
  CheckpointFetch& f = *checkpoint_fetch_;
  const std::uint16_t start = f.peer ? static_cast<std::uint16_t>(f.peer->value + 1) : self_.value;
  std::optional<quorum::NodeId> chosen;
  for (std::size_t k = 0; k < members_.n() && !chosen; ++k) {
    const auto id = static_cast<std::uint16_t>((start + k) % members_.n());
    if (id != self_.value && !f.refused[id]) chosen = quorum::NodeId{id};
  }
  if (!chosen && f.timed_out && f.rounds < kRoundsMax) {
    // Peers that did not answer may not have been connected yet: once more.
    ++f.rounds;
    f.timed_out = false;
    f.refused.assign(members_.n(), false);
    f.peer.reset();
    return ask_checkpoint_peer(now_ms);
  }
  if (!chosen) {
    io_.local_event("CHECKPOINT_NOT_FOUND", std::nullopt,
                    "no peer served a certified checkpoint: replaying the certified epochs from genesis");
    checkpoint_fetch_.reset();
    fetch_checkpoint_ = false;
    return;
  }
  CheckpointFetch next;
  next.refused = std::move(f.refused);
  next.rounds = f.rounds;
  next.timed_out = f.timed_out;
  f = std::move(next);
  f.peer = chosen;
  f.last_heard_ms = now_ms;
  f.requested = 1;
  io_.send(*chosen, Channel::kCatchUp, std::nullopt,
           std::make_shared<const quorum::Bytes>(encode(CatchUpFrame{SnapshotRequest{kNewestSnapshot, 0}})));
}

void NodeCore::refuse_checkpoint_peer(std::string why, bool fault) {
  CheckpointFetch& f = *checkpoint_fetch_;
  if (fault) {
    ++faults_;
    io_.local_event("CHECKPOINT_REFUSED", f.peer, why);
  } else {
    io_.local_event("CHECKPOINT_PASSED_OVER", f.peer, why);
  }
  if (f.peer) f.refused[f.peer->value] = true;
  ask_checkpoint_peer(now_ms_);
}

void NodeCore::on_snapshot_frame(quorum::NodeId from, const CatchUpFrame& frame) {
  if (!checkpoint_fetch_ || checkpoint_fetch_->peer != from) return;  // unasked, or a late answer
  CheckpointFetch& f = *checkpoint_fetch_;
  f.last_heard_ms = now_ms_;
  if (std::holds_alternative<SnapshotUnavailable>(frame)) {
    return refuse_checkpoint_peer("it holds no snapshot", false);
  }
  const auto& chunk = std::get<SnapshotChunk>(frame);
  if (!f.epoch) {
    if (chunk.chunk != 0 || !is_checkpoint(chunk.epoch)) {
      return refuse_checkpoint_peer("its first chunk is not chunk 0 of a checkpoint epoch", true);
    }
    f.epoch = chunk.epoch;
    f.total_bytes = chunk.total_bytes;
    f.chunks = chunk.chunks;
    // The checkpoint epoch first: its signatures say whether the rest is worth fetching.
    io_.send(from, Channel::kCatchUp, std::nullopt,
             std::make_shared<const quorum::Bytes>(encode(CatchUpFrame{CatchUpRequest{chunk.epoch, 1}})));
  } else if (chunk.epoch != *f.epoch || chunk.total_bytes != f.total_bytes || chunk.chunk != f.received) {
    return refuse_checkpoint_peer("chunk " + std::to_string(chunk.chunk) + " of epoch " + std::to_string(chunk.epoch) +
                                      " does not follow chunk " + std::to_string(f.received) + " of epoch " +
                                      std::to_string(*f.epoch),
                                  true);
  }
  // Decoding checked the length of each chunk against total_bytes, so
  // `bytes` never grows past what the first chunk announced.
  f.bytes.insert(f.bytes.end(), chunk.bytes.begin(), chunk.bytes.end());
  ++f.received;
  if (!f.epoch_verified) return;
  if (f.received == f.chunks) return finish_checkpoint_fetch();
  request_chunks();
}

void NodeCore::on_checkpoint_epoch_frame(const CatchUpFrame& frame) {
  CheckpointFetch& f = *checkpoint_fetch_;
  f.last_heard_ms = now_ms_;
  if (std::holds_alternative<CatchUpUnavailable>(frame)) {
    // Not a fault: a node writes its snapshot right after the epoch's
    // commit, and serves the epoch only once it holds signatures for it.
    return refuse_checkpoint_peer("it does not serve the epoch of its checkpoint yet", false);
  }
  if (!f.epoch || f.epoch_verified) return refuse_checkpoint_peer("an epoch it was not asked for", true);
  if (const auto* head = std::get_if<CatchUpEpochHead>(&frame)) {
    if (head->epoch != *f.epoch || f.head) return refuse_checkpoint_peer("an epoch head it was not asked for", true);
    const quorum::EpochTuple tuple = tuple_of(network_id_, *head);
    if (tuple.snapshot_digest == quorum::Digest{}) {
      return refuse_checkpoint_peer("epoch " + std::to_string(head->epoch) + " signs no snapshot", true);
    }
    if (quorum::distinct_valid_signers(tuple, head->signatures, keys_.signing_public) < members_.weak()) {
      return refuse_checkpoint_peer("fewer than f+1 valid signatures for checkpoint epoch " +
                                        std::to_string(head->epoch),
                                    true);
    }
    f.head = *head;
  } else if (const auto* batch = std::get_if<CatchUpBatch>(&frame)) {
    if (!f.head || batch->epoch != f.head->epoch || batch->index != f.batches.size() ||
        batch->index >= f.head->batches) {
      return refuse_checkpoint_peer("an unexpected batch", true);
    }
    f.batches.push_back(quorum::DecidedBatch{batch->proposer, batch->value});
  } else {
    return refuse_checkpoint_peer("an unexpected frame", true);
  }
  if (!f.head || f.batches.size() < f.head->batches) return;
  const quorum::DecidedEpoch decided{quorum::Epoch{f.head->epoch}, f.batches};
  if (quorum::output_digest(decided) != f.head->output) {
    return refuse_checkpoint_peer("altered batches for checkpoint epoch " + std::to_string(f.head->epoch), true);
  }
  f.epoch_verified = true;
  if (f.received == f.chunks) return finish_checkpoint_fetch();
  request_chunks();
}

void NodeCore::request_chunks() {
  CheckpointFetch& f = *checkpoint_fetch_;
  while (f.requested < f.chunks && f.requested < f.received + kChunksInFlight) {
    io_.send(*f.peer, Channel::kCatchUp, std::nullopt,
             std::make_shared<const quorum::Bytes>(encode(CatchUpFrame{SnapshotRequest{*f.epoch, f.requested}})));
    ++f.requested;
  }
}

void NodeCore::finish_checkpoint_fetch() {
  CheckpointFetch& f = *checkpoint_fetch_;
  const CatchUpEpochHead& head = *f.head;
  const quorum::EpochTuple tuple = tuple_of(network_id_, head);
  const std::string name = "checkpoint epoch " + std::to_string(head.epoch);
  if (settlement::snapshot_digest(f.bytes) != tuple.snapshot_digest) {
    return refuse_checkpoint_peer(name + ": the snapshot is not the one its certified tuple signs", true);
  }
  // Hashing proved the bytes are what an honest node encoded; decoding still
  // validates everything, since a bug there must not crash this node.
  auto decoded = settlement::decode_snapshot(f.bytes, ledger_->reference(), ledger_->options());
  if (const auto* error = std::get_if<settlement::SnapshotError>(&decoded)) {
    return refuse_checkpoint_peer(name + ": its snapshot does not decode: " + error->what, true);
  }
  std::unique_ptr<settlement::Ledger>& ledger = std::get<std::unique_ptr<settlement::Ledger>>(decoded);
  if (ledger->last_applied_epoch() != head.epoch || ledger->state_digest() != tuple.state_digest) {
    return refuse_checkpoint_peer(name + ": its snapshot's state is not the signed one", true);
  }

  auto install = std::make_shared<CheckpointInstall>();
  install->decided = quorum::DecidedEpoch{quorum::Epoch{head.epoch}, std::move(f.batches)};
  install->tuple = tuple;
  for (const auto& [signer_id, signature] : head.signatures) {
    const quorum::NodeId signer = signer_id;
    if (signer.value >= members_.n() || !quorum::verify_epoch(tuple, signature, keys_.signing_public.at(signer.value))) {
      continue;
    }
    if (std::none_of(install->signatures.begin(), install->signatures.end(),
                     [&](const auto& s) { return s.first == signer; })) {
      install->signatures.emplace_back(signer, signature);
    }
  }
  install->snapshot = std::make_shared<const settlement::Bytes>(std::move(f.bytes));
  install->rows = ledger->state_rows();
  install->open_business_date = ledger->open_business_date();
  const std::size_t bytes = install->snapshot->size();
  const std::optional<quorum::NodeId> peer = f.peer;

  ledger_ = std::move(ledger);
  next_apply_ = head.epoch + 1;
  audit_head_ = tuple.audit_head;
  last_apply_ms_ = now_ms_;
  waiting_.erase(waiting_.begin(), waiting_.lower_bound(next_apply_));
  for (const auto& [signer, signature] : install->signatures) note_peer_progress(signer, head.epoch);
  const std::size_t signers = install->signatures.size();
  io_.start_from_checkpoint(std::move(install));
  io_.local_event("REBUILT_FROM_CHECKPOINT", peer,
                  name + ": snapshot of " + std::to_string(bytes) + " bytes, " + std::to_string(signers) +
                      " valid signatures; the epochs after it come by catch-up");
  checkpoint_fetch_.reset();
  fetch_checkpoint_ = false;
  if (tuple.epoch.value > 0) history_floor_ = tuple;
  history_start_ = tuple.epoch.value;
  forget_settled_epochs();
  drain_waiting();
}

}  // namespace quorumclear::node
