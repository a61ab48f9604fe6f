// The history below a checkpoint. A node rebuilt from a peer's checkpoint
// holds nothing before it; in the background, block by block from its
// floor (the lowest epoch it holds) down to genesis, it takes the older
// epochs by catch-up and stores them as history only (the epochs row, its
// batches, its signatures), so `clearctl audit verify` can replay from
// genesis there as on any node and the node can serve them to others.
// An epoch is taken under the catch-up rule, f+1 distinct valid signatures
// over its tuple and exactly the batches of its output digest, and a block
// also has to chain: each epoch's audit head is the link its successor
// extends, down to the 32 zero bytes before epoch 0. Nothing is applied:
// the ledger already stands past them.

#include "services/node/catch_up_session.h"
#include "services/node/core.h"

namespace quorumclear::node {
namespace {

/// Epochs one block asks for: few enough that a block's batches stay small
/// in memory, enough that the round trips do not dominate.
constexpr std::uint16_t kHistoryBlockEpochs = 16;

}  // namespace

bool NodeCore::is_history_frame(quorum::NodeId from, const CatchUpFrame& frame) const {
  if (!history_fetch_ || history_fetch_->peer != from || !history_floor_) return false;
  // Catch-up's frames are of epochs this node applies, all above the floor.
  const std::uint64_t floor = history_floor_->epoch.value;
  if (const auto* head = std::get_if<CatchUpEpochHead>(&frame)) return head->epoch < floor;
  if (const auto* batch = std::get_if<CatchUpBatch>(&frame)) return batch->epoch < floor;
  if (const auto* none = std::get_if<CatchUpUnavailable>(&frame)) return none->from_epoch < floor;
  return false;
}

void NodeCore::maybe_fetch_history(std::uint64_t now_ms) {
  if (!history_floor_ || checkpoint_fetch_) return;
  if (!history_fetch_) {
    history_fetch_ = std::make_unique<HistoryFetch>();
    history_fetch_->refused.assign(members_.n(), false);
    io_.local_event("HISTORY_FETCH_STARTED", std::nullopt,
                    "epochs below " + std::to_string(history_floor_->epoch.value) + " down to genesis");
    return ask_history_peer(now_ms, "start");
  }
  if (now_ms >= history_fetch_->last_heard_ms + options_.catch_up_timeout_ms) ask_history_peer(now_ms, "timeout");
}

void NodeCore::ask_history_peer(std::uint64_t now_ms, std::string_view why) {
  HistoryFetch& h = *history_fetch_;
  if (h.peer && why != "start") h.refused[h.peer->value] = true;
  const std::uint16_t start = h.peer ? static_cast<std::uint16_t>(h.peer->value + 1) : self_.value;
  std::optional<quorum::NodeId> chosen;
  for (std::size_t k = 0; k < members_.n() && !chosen; ++k) {
    const auto id = static_cast<std::uint16_t>((start + k) % members_.n());
    if (id != self_.value && !h.refused[id]) chosen = quorum::NodeId{id};
  }
  if (!chosen) {
    // Every peer refused once: a new round, after the timeout.
    h.refused.assign(members_.n(), false);
    h.peer.reset();
    h.last_heard_ms = now_ms;
    return;
  }
  h.peer = chosen;
  h.last_heard_ms = now_ms;
  request_history_block();
}

void NodeCore::request_history_block() {
  HistoryFetch& h = *history_fetch_;
  const std::uint64_t floor = history_floor_->epoch.value;
  h.from = floor > kHistoryBlockEpochs ? floor - kHistoryBlockEpochs : 0;
  h.head.reset();
  h.batches.clear();
  h.epochs.clear();
  io_.send(*h.peer, Channel::kCatchUp, std::nullopt,
           std::make_shared<const quorum::Bytes>(encode(CatchUpFrame{
               CatchUpRequest{h.from, static_cast<std::uint16_t>(floor - h.from)}})));
}

void NodeCore::on_history_frame(const CatchUpFrame& frame) {
  HistoryFetch& h = *history_fetch_;
  h.last_heard_ms = now_ms_;
  const auto refuse = [&](const std::string& why) {
    ++faults_;
    io_.local_event("HISTORY_REFUSED", h.peer, why);
    ask_history_peer(now_ms_, "refused");
  };
  if (std::holds_alternative<CatchUpUnavailable>(frame)) return ask_history_peer(now_ms_, "unavailable");
  const std::uint64_t expected = h.from + h.epochs.size();
  if (const auto* head = std::get_if<CatchUpEpochHead>(&frame)) {
    if (head->epoch != expected || h.head) return refuse("unexpected epoch head " + std::to_string(head->epoch));
    if (quorum::distinct_valid_signers(tuple_of(network_id_, *head), head->signatures, keys_.signing_public) <
        members_.weak()) {
      return refuse("fewer than f+1 valid signatures for epoch " + std::to_string(head->epoch));
    }
    h.head = *head;
  } else {
    const auto& batch = std::get<CatchUpBatch>(frame);
    if (!h.head || batch.epoch != h.head->epoch || batch.index != h.batches.size() || batch.index >= h.head->batches) {
      return refuse("unexpected batch");
    }
    h.batches.push_back(quorum::DecidedBatch{batch.proposer, batch.value});
  }
  if (!h.head || h.batches.size() < h.head->batches) return;
  HistoryEpoch epoch{quorum::DecidedEpoch{quorum::Epoch{h.head->epoch}, std::move(h.batches)},
                     tuple_of(network_id_, *h.head), {}};
  h.batches.clear();
  if (quorum::output_digest(epoch.decided) != epoch.tuple.output_digest) {
    return refuse("altered batches for epoch " + std::to_string(h.head->epoch));
  }
  for (const auto& [signer_id, signature] : h.head->signatures) {
    const quorum::NodeId signer = signer_id;
    const bool known = std::any_of(epoch.signatures.begin(), epoch.signatures.end(),
                                   [&](const auto& s) { return s.first == signer; });
    if (!known && signer.value < members_.n() &&
        quorum::verify_epoch(epoch.tuple, signature, keys_.signing_public.at(signer.value))) {
      epoch.signatures.emplace_back(signer, signature);
    }
  }
  h.head.reset();
  h.epochs.push_back(std::move(epoch));
  if (h.epochs.size() == history_floor_->epoch.value - h.from) finish_history_block();
}

void NodeCore::finish_history_block() {
  HistoryFetch& h = *history_fetch_;
  // Each epoch's head is what its successor's link extends, down to zero.
  const quorum::EpochTuple* above = &*history_floor_;
  for (std::size_t i = h.epochs.size(); i-- > 0;) {
    const quorum::EpochTuple& t = h.epochs[i].tuple;
    if (quorum::audit_link(t.audit_head, above->epoch, above->output_digest, above->state_digest) != above->audit_head) {
      ++faults_;
      io_.local_event("HISTORY_REFUSED", h.peer,
                      "epoch " + std::to_string(t.epoch.value) + " does not chain to epoch " +
                          std::to_string(above->epoch.value));
      return ask_history_peer(now_ms_, "refused");
    }
    above = &t;
  }
  if (h.from == 0 &&
      quorum::audit_link(quorum::Digest{}, quorum::Epoch{0}, above->output_digest, above->state_digest) != above->audit_head) {
    ++faults_;
    io_.local_event("HISTORY_REFUSED", h.peer, "epoch 0 does not start the chain");
    return ask_history_peer(now_ms_, "refused");
  }
  history_floor_ = h.epochs.front().tuple;
  const std::uint64_t from = h.from;
  io_.write_history(std::make_shared<const std::vector<HistoryEpoch>>(std::move(h.epochs)));
  if (from == 0) {
    io_.local_event("HISTORY_COMPLETE", h.peer, "every epoch before the checkpoint is stored, down to genesis");
    history_fetch_.reset();
    history_floor_.reset();
    return;
  }
  h.last_heard_ms = now_ms_;
  request_history_block();
}

}  // namespace quorumclear::node
