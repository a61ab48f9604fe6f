// Catch-up: a node that restarted (and sits out the epochs it entered), or
// lags beyond the epoch window, or sees certified epochs it cannot finish,
// takes decided epochs from ONE peer. It accepts an epoch when f+1 distinct
// valid signatures cover the output digest of exactly the batches served (so
// at least one honest node decided them), applies it, and then requires its
// own state digest and audit head to be the signed ones. Requiring 2f+1
// would deadlock: with f nodes withholding signatures, the certificate needs
// the laggard's own, which it gives once it has applied and committed.
// A peer that serves anything else is refused and another is asked.

#include "services/node/core.h"
#include "services/node/catch_up_session.h"

#include <algorithm>

namespace quorumclear::node {


// The (f+1)-th highest epoch other nodes signed: at least one honest node
// applied it, so it is decided.
std::optional<std::uint64_t> NodeCore::certified_frontier() const {
  std::vector<std::uint64_t> next = peer_signed_next_;
  next.erase(next.begin() + self_.value);
  std::sort(next.begin(), next.end(), std::greater<>());
  const std::uint64_t v = next.at(members_.f());
  if (v == 0) return std::nullopt;
  return v - 1;
}

void NodeCore::maybe_catch_up(std::uint64_t now_ms) {
  if (diverged_at_) return;
  if (fetch_checkpoint_) return maybe_fetch_checkpoint(now_ms);
  maybe_fetch_history(now_ms);
  if (catch_up_) {
    if (now_ms >= catch_up_->last_heard_ms + options_.catch_up_timeout_ms) ask_next_peer(now_ms, "timeout");
    return;
  }
  const std::optional<std::uint64_t> frontier = certified_frontier();
  std::uint64_t target = 0;
  std::string_view why;
  if (engine_ && engine_->current_epoch().value > next_apply_) {
    // A restart sits out the epochs it entered: they come from a peer.
    target = std::max(engine_->current_epoch().value - 1, frontier.value_or(0));
    why = "epochs entered before a restart";
  } else if (frontier && *frontier >= next_apply_ + quorum::kEpochWindow) {
    target = *frontier;
    why = "behind beyond the epoch window";
  } else if (frontier && *frontier >= next_apply_ &&
             now_ms >= last_apply_ms_ + options_.catch_up_timeout_ms) {
    target = *frontier;
    why = "decided epochs not reached by messages";
  } else {
    return;
  }
  catch_up_ = std::make_unique<CatchUp>();
  catch_up_->target = target;
  catch_up_->refused.assign(members_.n(), false);
  ++catch_ups_;
  io_.local_event("CATCH_UP_STARTED", std::nullopt,
                  std::string(why) + ": epochs " + std::to_string(next_apply_) + ".." + std::to_string(target));
  ask_next_peer(now_ms, why);
}

void NodeCore::ask_next_peer(std::uint64_t now_ms, std::string_view why) {
  CatchUp& c = *catch_up_;
  if (c.peer && why == "timeout") c.refused[c.peer->value] = true;
  c.head.reset();
  c.batches.clear();
  // Prefer a peer known to have applied the next epoch; any other otherwise.
  const std::uint16_t start = c.peer ? static_cast<std::uint16_t>(c.peer->value + 1) : self_.value;
  std::optional<quorum::NodeId> chosen;
  for (int pass = 0; pass < 2 && !chosen; ++pass) {
    for (std::size_t k = 0; k < members_.n(); ++k) {
      const auto id = static_cast<std::uint16_t>((start + k) % members_.n());
      if (id == self_.value || c.refused[id]) continue;
      if (pass == 0 && peer_signed_next_[id] <= next_apply_) continue;
      chosen = quorum::NodeId{id};
      break;
    }
  }
  if (!chosen) {  // everyone refused once: start the round again later
    c.refused.assign(members_.n(), false);
    c.peer.reset();
    c.last_heard_ms = now_ms;
    return;
  }
  c.peer = chosen;
  request_more(now_ms);
}

void NodeCore::request_more(std::uint64_t now_ms) {
  CatchUp& c = *catch_up_;
  c.last_heard_ms = now_ms;
  const std::uint64_t wanted = c.target >= next_apply_ ? c.target - next_apply_ + 1 : 1;
  const CatchUpRequest request{next_apply_, static_cast<std::uint16_t>(
                                                std::min<std::uint64_t>(wanted, kCatchUpEpochsMax))};
  c.asked_through = next_apply_ + request.count - 1;
  io_.send(*c.peer, Channel::kCatchUp, std::nullopt,
           std::make_shared<const quorum::Bytes>(encode(CatchUpFrame{request})));
}

void NodeCore::refuse_catch_up_peer(std::string why) {
  CatchUp& c = *catch_up_;
  ++faults_;
  io_.local_event("CATCH_UP_REFUSED", c.peer, why);
  if (c.peer) c.refused[c.peer->value] = true;
  ask_next_peer(now_ms_, "refused");
}

void NodeCore::on_catch_up(quorum::NodeId from, const quorum::Bytes& payload) {
  std::optional<CatchUpFrame> frame = decode_catch_up(payload, members_.n());
  if (!frame) {
    ++malformed_frames_;
    io_.local_event("MALFORMED_FRAME", from, "catch-up");
    return;
  }
  if (const auto* request = std::get_if<CatchUpRequest>(&*frame)) {
    io_.serve_catch_up(from, *request);
    return;
  }
  if (const auto* request = std::get_if<SnapshotRequest>(&*frame)) {
    io_.serve_snapshot(from, *request);
    return;
  }
  if (std::holds_alternative<SnapshotChunk>(*frame) || std::holds_alternative<SnapshotUnavailable>(*frame)) {
    on_snapshot_frame(from, *frame);
    return;
  }
  if (std::holds_alternative<ProgressRequest>(*frame)) {
    answer_progress(from);
    return;
  }
  if (const auto* report = std::get_if<ProgressReport>(&*frame)) {
    on_progress(from, *report);
    return;
  }
  if (checkpoint_fetch_ && checkpoint_fetch_->peer == from) return on_checkpoint_epoch_frame(*frame);
  if (is_history_frame(from, *frame)) return on_history_frame(*frame);
  if (!catch_up_ || catch_up_->peer != from) return;  // a late answer to an earlier ask
  CatchUp& c = *catch_up_;
  c.last_heard_ms = now_ms_;
  if (const auto* none = std::get_if<CatchUpUnavailable>(&*frame)) {
    (void)none;
    c.refused[from.value] = true;
    ask_next_peer(now_ms_, "unavailable");
    return;
  }
  // The engine goes on deciding while a catch-up runs, so an epoch the peer
  // streams may be applied here meanwhile: its frames are stale, not the
  // peer's fault, and are dropped.
  if (c.head && c.head->epoch < next_apply_) {
    c.head.reset();
    c.batches.clear();
  }
  const std::uint64_t frame_epoch = std::holds_alternative<CatchUpEpochHead>(*frame)
                                        ? std::get<CatchUpEpochHead>(*frame).epoch
                                        : std::get<CatchUpBatch>(*frame).epoch;
  if (frame_epoch < next_apply_) return catch_up_progress();
  if (auto* head = std::get_if<CatchUpEpochHead>(&*frame)) {
    if (head->epoch != next_apply_ || c.head) return refuse_catch_up_peer("unexpected epoch head");
    const quorum::EpochTuple tuple = tuple_of(network_id_, *head);
    if (quorum::distinct_valid_signers(tuple, head->signatures, keys_.signing_public) < members_.weak()) {
      return refuse_catch_up_peer("fewer than f+1 valid signatures for epoch " + std::to_string(head->epoch));
    }
    c.head = std::move(*head);
    if (c.head->batches == 0) finish_catch_up_epoch();
    return;
  }
  auto& batch = std::get<CatchUpBatch>(*frame);
  if (!c.head || batch.epoch != c.head->epoch || batch.index != c.batches.size() ||
      batch.index >= c.head->batches) {
    return refuse_catch_up_peer("unexpected batch");
  }
  c.batches.push_back(quorum::DecidedBatch{batch.proposer, std::move(batch.value)});
  if (c.batches.size() == c.head->batches) finish_catch_up_epoch();
}

void NodeCore::finish_catch_up_epoch() {
  CatchUp& c = *catch_up_;
  const CatchUpEpochHead head = std::move(*c.head);
  c.head.reset();
  quorum::DecidedEpoch decided{quorum::Epoch{head.epoch}, std::move(c.batches)};
  c.batches.clear();
  // The signatures vouch for the output digest: the batches must be exactly
  // the decided ones before anything is applied.
  if (quorum::output_digest(decided) != head.output) {
    return refuse_catch_up_peer("altered batches for epoch " + std::to_string(head.epoch));
  }
  apply(std::move(decided), true);
  if (diverged_at_) return;
  const quorum::EpochTuple tuple = tuple_of(network_id_, head);
  if (own_tuples_.at(head.epoch) != tuple) {
    // f+1 signers, one of them honest, computed another state from the same
    // batches: this node is the one that differs.
    diverge(head.epoch, "state after catch-up differs from the signed one");
    return;
  }
  for (const auto& [signer, signature] : head.signatures) {
    if (tracker_.file(quorum::EpochSignature{signer, tuple, signature}) == quorum::SignatureFiling::kFiled) {
      note_peer_progress(signer, head.epoch);
    }
  }
  catch_up_progress();
}

void NodeCore::catch_up_progress() {
  CatchUp& c = *catch_up_;
  if (next_apply_ <= c.target) {
    // The peer streams the epochs it was asked for; ask again past them.
    if (next_apply_ > c.asked_through) request_more(now_ms_);
    return;
  }
  io_.local_event("CATCH_UP_DONE", c.peer, "applied through epoch " + std::to_string(next_apply_ - 1));
  catch_up_.reset();
  if (!engine_ || engine_->current_epoch().value < next_apply_) rebuild_engine();
  drain_waiting();
}

}  // namespace quorumclear::node
