#include "services/node/core.h"
#include "services/node/catch_up_session.h"

#include "quorum/codec.h"
#include "services/config/dates.h"
#include "services/config/genesis.h"
#include "settlement/codec.h"
#include "settlement/scheduled_cut_off.h"
#include "settlement/snapshot.h"

#include <algorithm>
#include <cassert>

namespace quorumclear::node {

bool IngestBudget::try_reserve(std::size_t n) {
  std::size_t used = used_.load();
  do {
    if (used + n > capacity_) return false;
  } while (!used_.compare_exchange_weak(used, used + n));
  return true;
}

NodeCore::NodeCore(CoreSetup setup, CoreIo& io, IngestBudget& budget)
    : members_(setup.members),
      self_(setup.self),
      keys_(std::move(setup.keys)),
      network_id_(setup.network_id),
      options_(setup.options),
      io_(io),
      budget_(budget),
      ledger_(std::move(setup.ledger)),
      tracker_(members_, network_id_, keys_.signing_public,
               quorum::Epoch{ledger_->last_applied_epoch() ? *ledger_->last_applied_epoch() + 1 : 0}),
      next_apply_(ledger_->last_applied_epoch() ? *ledger_->last_applied_epoch() + 1 : 0),
      entered_(setup.entered_epoch),
      committed_(ledger_->last_applied_epoch()),
      certified_(ledger_->last_applied_epoch()),
      audit_head_(setup.audit_head),
      peer_signed_next_(members_.n(), 0),
      peer_latest_signature_(members_.n()),
      recent_digests_(members_.n()) {
  options_.engine.network_id = network_id_;
  fetch_checkpoint_ = setup.from_checkpoint && !ledger_->last_applied_epoch();
  if (setup.history_floor && setup.history_floor->epoch.value > 0) history_floor_ = setup.history_floor;
  history_start_ = setup.history_start_epoch;
  if (setup.rejoin && !entered_) {
    rejoin_.emplace();
  } else {
    rebuild_engine();
  }
}

NodeCore::~NodeCore() = default;

bool NodeCore::is_checkpoint(std::uint64_t epoch) const {
  return config::is_checkpoint_epoch(epoch, options_.checkpoint_interval_epochs);
}

void NodeCore::rebuild_engine() {
  if (rejoin_) return;  // no vote before the bound is known
  // Never vote again in an epoch entered before (it might contradict what
  // was sent then): those epochs come by certificate (engine.h, "Restart").
  const std::uint64_t first = std::max(next_apply_, entered_ ? *entered_ + 1 : 0);
  if (engine_) metrics::add_engine_counters(retired_engine_stats_, engine_->stats());
  engine_.reset();
  engine_.emplace(members_, self_, keys_, options_.engine, quorum::Epoch{first});
  // Decided epochs the old engine produced below the new start are kept in
  // waiting_; anything above was the old engine's and is recomputed.
  waiting_.erase(waiting_.lower_bound(first), waiting_.end());
}

void NodeCore::restore_pending(std::vector<ReceivedEntry> entries) {
  for (ReceivedEntry& e : entries) {
    if (!pending_.add(std::move(e))) budget_.release(1);
  }
}

bool NodeCore::accepting() const {
  const std::uint64_t committed_next = committed_ ? *committed_ + 1 : 0;
  return next_apply_ - committed_next < options_.apply_backlog_max;
}

void NodeCore::handle(CoreEvent&& event) {
  std::visit(
      [&](auto&& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, PeerFrame>) {
          on_peer(std::move(e));
        } else if constexpr (std::is_same_v<E, EntriesReceived>) {
          for (ReceivedEntry& r : e.entries) {
            if (!pending_.add(std::move(r))) budget_.release(1);
          }
        } else if constexpr (std::is_same_v<E, EpochCommitted>) {
          on_committed(e.epoch);
        } else if constexpr (std::is_same_v<E, ClockTick>) {
          on_tick(e);
        } else if constexpr (std::is_same_v<E, CutOffRequested>) {
          if (e.business_date < ledger_->open_business_date()) {
            io_.local_event("CUTOFF_REQUEST_LATE", std::nullopt,
                            config::format_iso_date(e.business_date) + " closed before the request arrived");
          } else {
            add_control(settlement::CutOff{e.operator_id, e.business_date}, "CUTOFF_PROPOSED");
          }
        } else {
          draining_ = true;
        }
      },
      std::move(event));
  maybe_propose(now_ms_);
}

// The Ready loop (STYLE.md 7a). The order below is the correctness argument.
void NodeCore::run(quorum::Step&& step) {
  // 1. Durable before any message of this Step leaves: a restarted node
  //    starts above this epoch and so never contradicts what it sent.
  if (step.entered_epoch && (!entered_ || step.entered_epoch->value > *entered_)) {
    io_.persist_entered_epoch(step.entered_epoch->value);
    entered_ = step.entered_epoch->value;
  }
  // 2. Send.
  for (quorum::OutgoingMessage& m : step.messages) {
    auto payload = std::make_shared<const quorum::Bytes>(quorum::encode(m.message));
    const std::optional<quorum::NodeId> to =
        m.to.to_all ? std::nullopt : std::optional<quorum::NodeId>(m.to.node);
    io_.send(to, Channel::kQuorum, m.message.epoch.value, std::move(payload));
  }
  // 3. Faults: counted and logged, never fatal.
  for (const quorum::Fault& f : step.faults) {
    ++faults_;
    io_.local_event("PEER_FAULT", f.node, std::string(quorum::to_string(f.kind)));
  }
  // 4. Decided epochs, in order: applied here, committed by the store,
  //    signed once committed (on_committed).
  for (quorum::DecidedEpoch& d : step.decided) on_decided(std::move(d));
}

void NodeCore::on_peer(PeerFrame&& frame) {
  if (!members_.contains(frame.from) || frame.from == self_) return;  // the transport authenticated it
  switch (frame.channel) {
    case Channel::kQuorum:
      on_quorum(frame.from, frame.payload);
      return;
    case Channel::kCertificate:
      on_signature(frame.from, frame.payload);
      return;
    case Channel::kCatchUp:
      on_catch_up(frame.from, frame.payload);
      return;
  }
  ++malformed_frames_;
}

void NodeCore::on_quorum(quorum::NodeId from, const quorum::Bytes& payload) {
  quorum::DecodeResult decoded = quorum::decode(payload, members_);
  if (!decoded.ok()) {
    ++malformed_frames_;
    io_.local_event("MALFORMED_FRAME", from, std::string(decoded.reason()));
    return;
  }
  if (diverged_at_ || !engine_) return;
  run(engine_->handle(from, decoded.message()));
}

void NodeCore::on_tick(const ClockTick& tick) {
  now_ms_ = tick.now_ms;
  schedule_cut_off(tick);
  if (engine_ && !diverged_at_ && !draining_) run(engine_->tick(tick.now_ms));
  if (rejoin_) ask_progress(tick.now_ms);
  maybe_catch_up(tick.now_ms);
}

// Every node proposes the scheduled cut-off by its own clock; the ledger
// closes the date at 2f+1 proposers, so neither f Byzantine nodes nor one
// fast honest clock can close the day early.
void NodeCore::schedule_cut_off(const ClockTick& tick) {
  if (tick.local_minute_of_day < 0 || tick.local_minute_of_day >= settlement::kMinutesPerDay) return;
  const std::optional<settlement::BusinessDate> due =
      settlement::scheduled_cut_off_due(ledger_->reference(), ledger_->open_business_date(), tick.local_date,
                                        tick.local_minute_of_day, options_.cutoff_minute_of_day);
  if (due) add_control(settlement::ScheduledCutOff{*due}, "SCHEDULED_CUTOFF_PROPOSED");
}

void NodeCore::add_control(const settlement::Entry& entry, std::string_view what) {
  settlement::Bytes bytes = settlement::encode_entry(entry);
  if (std::find(controls_.begin(), controls_.end(), bytes) != controls_.end()) return;
  controls_.push_back(std::move(bytes));
  last_control_proposal_ms_ = 0;  // propose it now
  io_.local_event(what, std::nullopt, config::format_iso_date(ledger_->open_business_date()));
}

void NodeCore::maybe_propose(std::uint64_t now_ms) {
  if (!engine_ || diverged_at_ || draining_ || !accepting()) return;
  while (engine_->can_propose() && engine_->stats().queued_proposals < options_.proposals_queued_max) {
    const bool controls_due =
        !controls_.empty() && now_ms >= last_control_proposal_ms_ + options_.control_repropose_ms;
    if (pending_.ready() == 0 && !controls_due) return;
    std::vector<const settlement::Bytes*> entries;
    std::size_t bytes = 5;
    for (const quorum::Bytes& c : controls_) {
      entries.push_back(&c);
      bytes += c.size();
    }
    // Exactly the epoch that carries it: one later, and entries its epoch
    // left out would wait for an epoch nobody starts on an idle network
    // until the heartbeat (ClusterAudit, idle heartbeat 60 s, saw a 202'd
    // report wait there past 30 s).
    const std::uint64_t last_carrier = engine_->carrier_of_next_proposal().value;
    pending_.take(options_.batch_entries_max, options_.batch_bytes_max - bytes, last_carrier, entries);
    last_control_proposal_ms_ = now_ms;
    run(engine_->propose(assemble_batch(entries)));
  }
}

void NodeCore::on_decided(quorum::DecidedEpoch&& decided) {
  const std::uint64_t e = decided.epoch.value;
  if (e < next_apply_) return;  // taken by catch-up meanwhile
  if (e > next_apply_) {
    // A gap below (epochs this node sat out after a restart): they come by
    // catch-up, and this one waits for them.
    if (waiting_.size() < options_.waiting_epochs_max) waiting_.emplace(e, std::move(decided));
    return;
  }
  apply(std::move(decided), false);
  drain_waiting();
  // Agreement may carry a node past what it set out to catch up on.
  if (catch_up_ && next_apply_ > catch_up_->target) catch_up_progress();
}

void NodeCore::drain_waiting() {
  while (!waiting_.empty() && waiting_.begin()->first <= next_apply_) {
    auto node = waiting_.extract(waiting_.begin());
    if (node.key() == next_apply_) apply(std::move(node.mapped()), false);
  }
}

void seal_applied_epoch(AppliedEpoch& applied, const settlement::Ledger& ledger, const quorum::Digest& network_id,
                        bool checkpoint, quorum::Digest& audit_head) {
  const quorum::Epoch epoch = applied.decided.epoch;
  const quorum::Digest output = quorum::output_digest(applied.decided);
  applied.previous_audit_head = audit_head;
  audit_head = quorum::audit_link(audit_head, epoch, output, applied.result.state_digest);
  applied.tuple = quorum::EpochTuple{network_id, epoch, output, applied.result.state_digest, audit_head, {}, {}};
  if (checkpoint) {
    // The whole state, encoded on this thread: its digest goes into the
    // tuple signed for this epoch, so it cannot wait. The store writes it.
    applied.snapshot = std::make_shared<const settlement::Bytes>(settlement::encode_snapshot(ledger));
    applied.tuple.snapshot_digest = settlement::snapshot_digest(*applied.snapshot);
  }
  if (!applied.result.reports.empty()) {
    applied.obligations = settlement::prove_epoch_obligations(applied.result.reports, ledger.reference());
    applied.tuple.obligations_root = applied.obligations.root;
  }
}

void NodeCore::apply(quorum::DecidedEpoch&& decided, bool by_catch_up) {
  assert(decided.epoch.value == next_apply_);
  if (diverged_at_) return;
  std::vector<settlement::EpochBatch> batches;
  batches.reserve(decided.batches.size());
  for (const quorum::DecidedBatch& b : decided.batches) {
    batches.push_back(settlement::EpochBatch{b.proposer.value, b.value});
  }
  auto applied = std::make_shared<AppliedEpoch>();
  applied->result = ledger_->apply(decided.epoch.value, batches);
  assert(applied->result.status == settlement::ApplyStatus::kApplied);
  settle_outcomes(applied->result);
  pending_.output(decided.epoch.value);
  ledger_counters_.count(applied->result, batches, ledger_->reference());
  note_digest(self_.value, decided.epoch.value, applied->result.state_digest);

  applied->decided = std::move(decided);
  seal_applied_epoch(*applied, *ledger_, network_id_, is_checkpoint(applied->decided.epoch.value), audit_head_);
  applied->by_catch_up = by_catch_up;
  tracker_.set_own(applied->tuple);
  own_tuples_[applied->decided.epoch.value] = applied->tuple;
  next_apply_ = applied->decided.epoch.value + 1;
  last_apply_ms_ = now_ms_;
  io_.write_epoch(std::move(applied));
}

void NodeCore::settle_outcomes(const settlement::EpochResult& result) {
  std::size_t left = 0;
  for (const settlement::TradeOutcome& o : result.trades) {
    if (o.proposer != self_.value) continue;
    if (pending_.decided(o.trade.submitter.view(), o.trade.trade_id.view(), o.content_hash)) ++left;
  }
  budget_.release(left);
  // A control entry is done once the ledger decided it one way or another;
  // until then every batch carries it again.
  for (const settlement::ControlOutcome& c : result.controls) {
    if (c.proposer != self_.value) continue;
    if (c.status == settlement::ControlStatus::kPending ||
        c.status == settlement::ControlStatus::kRepeatedVote) {
      continue;
    }
    std::erase_if(controls_, [&](const quorum::Bytes& bytes) {
      return settlement::sha256(bytes) == c.entry_digest;
    });
  }
}

void NodeCore::on_committed(std::uint64_t epoch) {
  committed_ = epoch;
  const auto it = own_tuples_.find(epoch);
  if (it == own_tuples_.end()) return;
  // Never sign a state the quorum certified otherwise.
  if (tracker_.diverged(quorum::Epoch{epoch})) {
    diverge(epoch, "a quorum certified another state");
    return;
  }
  const quorum::Signature signature = quorum::sign_epoch(it->second, keys_.signing_secret);
  (void)tracker_.file(quorum::EpochSignature{self_, it->second, signature});
  const SignatureFrame frame = signature_frame(it->second, signature);
  // Untagged, so never discarded by epoch: every node's copy of the
  // certificate needs 2f+1 of them, not only its own progress.
  io_.send(std::nullopt, Channel::kCertificate, std::nullopt,
           std::make_shared<const quorum::Bytes>(encode(frame)));
  flush_signatures(epoch);
  maybe_propose(now_ms_);
}

// Stores every valid signature over our committed tuple: f+1 of them let a
// laggard take the epoch from us, 2f+1 are its certificate.
void NodeCore::flush_signatures(std::uint64_t epoch) {
  if (!committed_ || epoch > *committed_) return;
  const auto it = own_tuples_.find(epoch);
  if (it == own_tuples_.end()) return;
  std::vector<std::pair<quorum::NodeId, quorum::Signature>> signatures = tracker_.signatures_for(it->second);
  const bool certified = signatures.size() >= members_.strong();
  io_.write_signatures(epoch, std::move(signatures));
  if (certified) {
    certified_ = std::max(certified_.value_or(0), epoch);
    own_tuples_.erase(it);
  }
  forget_settled_epochs();
}

// The tracker keeps every epoch whose certificate may still grow: from the
// oldest applied epoch not yet certified. An epoch whose signers withhold
// past kSignaturesPendingEpochs is given up here (f+1 signatures are stored,
// enough for laggards), so the window always moves.
void NodeCore::forget_settled_epochs() {
  constexpr std::uint64_t kSignaturesPendingEpochs = 128;
  if (next_apply_ > kSignaturesPendingEpochs) {
    own_tuples_.erase(own_tuples_.begin(), own_tuples_.lower_bound(next_apply_ - kSignaturesPendingEpochs));
  }
  const std::uint64_t keep_from = own_tuples_.empty() ? next_apply_ : own_tuples_.begin()->first;
  tracker_.forget_below(quorum::Epoch{keep_from});
}

void NodeCore::on_signature(quorum::NodeId from, const quorum::Bytes& payload) {
  const std::optional<SignatureFrame> frame = decode_signature(payload);
  if (!frame) {
    ++malformed_frames_;
    io_.local_event("MALFORMED_FRAME", from, "signature");
    return;
  }
  const quorum::EpochTuple tuple = tuple_of(network_id_, *frame);
  const quorum::SignatureFiling filing = tracker_.file(quorum::EpochSignature{from, tuple, frame->signature});
  switch (filing) {
    case quorum::SignatureFiling::kInvalid:
    case quorum::SignatureFiling::kConflicting:
      ++faults_;
      io_.local_event(filing == quorum::SignatureFiling::kInvalid ? "INVALID_SIGNATURE"
                                                                   : "CONFLICTING_SIGNATURE",
                      from, "epoch " + std::to_string(frame->epoch));
      return;
    case quorum::SignatureFiling::kOutOfWindow:
      // Still proof of progress when it verifies: a node far behind learns
      // from it that it must catch up.
      if (quorum::verify_epoch(tuple, frame->signature, keys_.signing_public.at(from.value))) {
        note_peer_progress(from, frame->epoch);
        note_peer_signature(from, tuple, frame->signature);
      }
      return;
    case quorum::SignatureFiling::kFiled:
    case quorum::SignatureFiling::kRepeated:
      break;
  }
  note_peer_progress(from, frame->epoch);
  note_peer_signature(from, tuple, frame->signature);
  if (tracker_.diverged(tuple.epoch)) {
    diverge(frame->epoch, "a quorum certified another state");
    return;
  }
  if (filing == quorum::SignatureFiling::kFiled) flush_signatures(frame->epoch);
}

void NodeCore::note_peer_progress(quorum::NodeId peer, std::uint64_t epoch) {
  if (epoch + 1 <= peer_signed_next_.at(peer.value)) return;
  peer_signed_next_[peer.value] = epoch + 1;
  // The peer applied this epoch: our frames of it and before are moot.
  io_.discard_below(peer, epoch + 1);
}

void NodeCore::note_peer_signature(quorum::NodeId peer, const quorum::EpochTuple& tuple,
                                   const quorum::Signature& signature) {
  std::optional<SignatureFrame>& latest = peer_latest_signature_.at(peer.value);
  if (!latest || tuple.epoch.value > latest->epoch) latest = signature_frame(tuple, signature);
  note_digest(peer.value, tuple.epoch.value, tuple.state_digest);
}

void NodeCore::note_digest(std::uint16_t node, std::uint64_t epoch, const quorum::Digest& digest) {
  auto& kept = recent_digests_.at(node);
  if (!kept.empty() && epoch <= kept.back().first) return;  // a late copy of an older signature
  kept.emplace_back(epoch, digest);
  if (kept.size() > kDigestsKept) kept.pop_front();
}

// Nodes sign at slightly different moments, so their newest digests are of
// different epochs: they are compared at the newest epoch all of them have
// signed. A peer far behind (stopped, catching up) would hold that epoch
// back past what we keep; it is shown with its last epoch and no digest.
void NodeCore::fill_digests(CoreStatus& s) const {
  const auto& own = recent_digests_.at(self_.value);
  if (own.empty()) return;
  const std::uint64_t newest = own.back().first;
  const std::uint64_t behind_limit = newest > kDigestsKept / 2 ? newest - kDigestsKept / 2 : 0;
  std::uint64_t common = newest;
  for (const auto& kept : recent_digests_) {
    if (!kept.empty() && kept.back().first >= behind_limit) common = std::min(common, kept.back().first);
  }
  s.comparison_epoch = common;
  for (std::uint16_t node = 0; node < recent_digests_.size(); ++node) {
    const auto& kept = recent_digests_[node];
    NodeDigest d{node, {}, {}};
    if (!kept.empty()) d.last_signed = kept.back().first;
    for (const auto& [epoch, digest] : kept) {
      if (epoch == common) d.at_comparison = digest;
    }
    s.node_digests.push_back(d);
  }
}

void NodeCore::diverge(std::uint64_t epoch, std::string why) {
  if (diverged_at_) return;
  diverged_at_ = epoch;
  io_.local_event("DIVERGED", std::nullopt, "epoch " + std::to_string(epoch) + ": " + why);
}

CoreStatus NodeCore::status() const {
  CoreStatus s;
  if (engine_) {
    s.engine_epoch = engine_->current_epoch().value;
    s.engine = engine_->stats();
  }
  metrics::add_engine_counters(s.engine, retired_engine_stats_);
  s.ledger_counters = ledger_counters_;
  fill_digests(s);
  s.last_applied = ledger_->last_applied_epoch();
  s.last_committed = committed_;
  s.last_certified = certified_;
  s.entered_epoch = entered_;
  s.rejoining = rejoin_.has_value();
  s.state_digest = ledger_->state_digest();
  s.audit_head = audit_head_;
  s.open_business_date = ledger_->open_business_date();
  s.pending_entries = pending_.size();
  s.catch_ups = catch_ups_;
  s.catching_up = catch_up_ != nullptr || checkpoint_fetch_ != nullptr;
  const std::optional<std::uint64_t> frontier = certified_frontier();
  s.behind_epochs = frontier && *frontier >= next_apply_ ? *frontier - next_apply_ + 1 : 0;
  s.diverged_at = diverged_at_;
  s.history_start_epoch = history_start_;
  s.faults = faults_;
  s.malformed_frames = malformed_frames_;
  s.drained = draining_ && (!entered_ || *entered_ < next_apply_) && committed_ == ledger_->last_applied_epoch();
  s.matching = ledger_->matching_stats();
  return s;
}

}  // namespace quorumclear::node
