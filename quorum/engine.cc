#include "quorum/engine.h"

#include "quorum/codec.h"
#include "quorum/common_subset.h"

#include <algorithm>
#include <cassert>
#include <deque>
#include <map>
#include <optional>
#include <utility>

namespace quorumclear::quorum {

static_assert(static_cast<std::size_t>(FaultKind::kPeerBudgetExceeded) + 1 == EngineStats::kFaultKinds,
              "EngineStats::faults must have one slot per FaultKind");

namespace {

/// One epoch's ACS and whether we have sent anything in it yet.
struct EpochSlot {
  CommonSubset acs;
  bool entered = false;
};

}  // namespace

struct Engine::State {
  State(Membership m, NodeId s, NodeKeys keys, EngineConfig c, Epoch first)
      : members(m),
        self(s),
        cfg(c),
        coin(std::make_unique<ThresholdCoin>(m, std::move(keys.coin))),
        budget(std::make_unique<PeerStripeBudget>(m.n())),
        current(first) {}

  Membership members;
  NodeId self;
  EngineConfig cfg;
  // Heap-allocated so its address survives moves of the Engine: every ABA
  // holds a reference to it.
  std::unique_ptr<ThresholdCoin> coin;
  // Heap-allocated for the same reason, and declared before `epochs` so the
  // RBCs that release into it on destruction go first.
  std::unique_ptr<PeerStripeBudget> budget;
  Epoch current;
  std::map<std::uint64_t, EpochSlot> epochs;                     // live ACS instances
  std::map<std::uint64_t, std::vector<DecidedBatch>> held_outputs;  // done, waiting their turn
  std::deque<Bytes> proposals;
  std::optional<std::uint64_t> idle_since_ms;
  EngineStats stats;

  EpochSlot& slot_for(Epoch epoch);
  void start_current_epoch(Step& step);
  void maybe_start_current_epoch(Step& step);
  void absorb(Epoch epoch, EpochSlot& slot, CommonSubset::Output&& out, Step& step);
  void output_ready_epochs(Step& step);
  void retire_finished_epochs();
  void record_fault(Step& step, NodeId node, FaultKind kind);
  void count_received(const Message& message);
  void refresh_stats();
  void refresh_counters();
  std::size_t handled_since_refresh = 0;
};

EpochSlot& Engine::State::slot_for(Epoch epoch) {
  auto it = epochs.find(epoch.value);
  if (it == epochs.end()) {
    assert(epoch >= current && epoch.value <= current.value + kEpochWindow);
    it = epochs
             .emplace(epoch.value,
                      EpochSlot{CommonSubset(members, self, epoch, cfg.network_id, *coin, nullptr, budget.get())})
             .first;
  }
  return it->second;
}

void Engine::State::start_current_epoch(Step& step) {
  EpochSlot& slot = slot_for(current);
  assert(!slot.acs.has_proposed());
  Bytes batch;
  if (!proposals.empty()) {
    batch = std::move(proposals.front());
    proposals.pop_front();
  }
  absorb(current, slot, slot.acs.propose(batch), step);
  idle_since_ms.reset();
}

// QUORUM_PROTOCOL.md: a node starts epoch e+1 once it has output e and has
// pending trades or has heard from a peer about e+1 (the heartbeat is
// tick()'s business). Only messages create slots besides our own proposal,
// so an existing slot means a peer has spoken in that epoch.
void Engine::State::maybe_start_current_epoch(Step& step) {
  auto it = epochs.find(current.value);
  const bool peer_started = it != epochs.end();
  if (peer_started && it->second.acs.has_proposed()) return;
  if (peer_started || !proposals.empty()) start_current_epoch(step);
}

void Engine::State::absorb(Epoch epoch, EpochSlot& slot, CommonSubset::Output&& out, Step& step) {
  if (!out.messages.empty() && !slot.entered) {
    slot.entered = true;
    if (!step.entered_epoch || *step.entered_epoch < epoch) step.entered_epoch = epoch;
  }
  for (OutgoingMessage& m : out.messages) {
    const std::size_t type = m.message.payload.index();
    const std::size_t copies = m.to.to_all ? members.n() - 1 : 1;
    stats.messages_sent[type] += copies;
    stats.bytes_sent[type] += copies * encoded_size(m.message);
    step.messages.push_back(std::move(m));
  }
  for (const Fault& fault : out.faults) record_fault(step, fault.node, fault.kind);
  if (out.decided) {
    assert(epoch >= current && "an epoch before current was already output");
    const CommonSubsetStats s = slot.acs.stats();
    stats.aba_instances += members.n();
    stats.aba_rounds += s.aba_rounds;
    stats.aba_rounds_max = std::max(stats.aba_rounds_max, s.aba_rounds_max);
    stats.threshold_coins += s.threshold_coins;
    stats.coin_shares_verified += s.coin_shares_verified;
    stats.aba_dropped_future_round += s.dropped_future_round;
    const bool inserted = held_outputs.emplace(epoch.value, std::move(*out.decided)).second;
    assert(inserted && "an ACS outputs once");
    (void)inserted;
  }
}

void Engine::State::output_ready_epochs(Step& step) {
  bool advanced = false;
  for (auto it = held_outputs.find(current.value); it != held_outputs.end();
       it = held_outputs.find(current.value)) {
    assert(step.decided.empty() || step.decided.back().epoch.next() == current);
    stats.batches_decided += it->second.size();
    step.decided.push_back(DecidedEpoch{current, std::move(it->second)});
    held_outputs.erase(it);
    ++stats.epochs_decided;
    current = current.next();
    advanced = true;
  }
  if (!advanced) return;
  retire_finished_epochs();
  maybe_start_current_epoch(step);
  // Starting the new epoch may complete it at once (peers had finished it):
  // then output it now too, in order.
  if (held_outputs.contains(current.value)) output_ready_epochs(step);
}

// engine.h "Finished epochs": an output epoch has nothing left to send.
void Engine::State::retire_finished_epochs() {
  for (auto it = epochs.begin(); it != epochs.end() && it->first < current.value;) {
    assert(it->second.acs.terminated() && "an epoch below current was output, so all its ABAs terminated");
    it = epochs.erase(it);
  }
}

void Engine::State::record_fault(Step& step, NodeId node, FaultKind kind) {
  ++stats.faults[static_cast<std::size_t>(kind)];
  step.faults.push_back(Fault{node, kind});
}

void Engine::State::count_received(const Message& message) {
  const std::size_t type = message.payload.index();
  ++stats.messages_received[type];
  stats.bytes_received[type] += encoded_size(message);
}

void Engine::State::refresh_stats() {
  handled_since_refresh = 0;
  std::size_t bytes = 0;
  for (const auto& [epoch, slot] : epochs) bytes += slot.acs.buffered_bytes();
  for (const Bytes& b : proposals) bytes += b.size();
  for (const auto& [epoch, batches] : held_outputs) {
    for (const DecidedBatch& b : batches) bytes += b.value.size();
  }
  stats.buffered_bytes = bytes;
  stats.buffered_bytes_peak = std::max(stats.buffered_bytes_peak, bytes);
  refresh_counters();
}

void Engine::State::refresh_counters() {
  stats.current_epoch = current.value;
  stats.live_epochs = epochs.size();
  stats.peer_stripe_bytes_peak = budget->peak();
  stats.queued_proposals = proposals.size();
}

Engine::Engine(Membership members, NodeId self, NodeKeys keys, EngineConfig cfg, Epoch first_epoch) {
  assert(is_supported_network_size(members.n()) && "genesis refuses other network sizes");
  assert(members.contains(self));
  assert(keys.coin.self == self);
  assert(cfg.proposal_queue_max >= 1 && cfg.proposal_queue_max <= kProposalQueueMax);
  state_ = std::make_unique<State>(members, self, std::move(keys), cfg, first_epoch);
  state_->refresh_stats();
}

Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

Step Engine::propose(Bytes batch) {
  State& s = *state_;
  assert(can_propose() && "proposal queue full: the caller must check can_propose()");
  assert(batch.size() <= kBatchBytesMax);
  Step step;
  s.proposals.push_back(std::move(batch));
  s.maybe_start_current_epoch(step);
  s.output_ready_epochs(step);
  s.refresh_stats();
  return step;
}

Step Engine::handle(NodeId from, const Message& message) {
  State& s = *state_;
  Step step;
  // The transport authenticated `from`, but a misconfigured peer table or a
  // replayed frame can still name a node we do not know, or ourselves.
  if (!s.members.contains(from) || from == s.self) {
    s.record_fault(step, from, FaultKind::kUnknownSender);
  } else if (!s.members.contains(message.proposer)) {
    s.record_fault(step, from, FaultKind::kMalformedMessage);
  } else if (message.epoch.value > s.current.value + kEpochWindow) {
    s.count_received(message);
    ++s.stats.messages_beyond_window;
  } else {
    s.count_received(message);
    auto it = s.epochs.find(message.epoch.value);
    if (message.epoch < s.current && it == s.epochs.end()) {
      ++s.stats.messages_stale;
    } else {
      EpochSlot& slot = it != s.epochs.end() ? it->second : s.slot_for(message.epoch);
      s.absorb(message.epoch, slot, slot.acs.handle(from, message), step);
      s.maybe_start_current_epoch(step);
      s.output_ready_epochs(step);
    }
  }
  // Summing buffered bytes walks every live instance: O(n) per message
  // would be O(n^4) per epoch, so it is sampled (engine.h, EngineStats).
  if (++s.handled_since_refresh >= s.members.n() || !step.decided.empty()) {
    s.refresh_stats();
  } else {
    s.refresh_counters();
  }
  return step;
}

Step Engine::tick(std::uint64_t now_ms) {
  State& s = *state_;
  Step step;
  auto it = s.epochs.find(s.current.value);
  const bool started = it != s.epochs.end() && it->second.acs.has_proposed();
  if (s.cfg.idle_heartbeat_ms == 0 || started) return step;
  if (!s.idle_since_ms || now_ms < *s.idle_since_ms) {
    s.idle_since_ms = now_ms;  // first idle tick, or a clock that went back
  } else if (now_ms - *s.idle_since_ms >= s.cfg.idle_heartbeat_ms) {
    s.start_current_epoch(step);
    s.output_ready_epochs(step);
    s.refresh_stats();
  }
  return step;
}

bool Engine::can_propose() const { return state_->proposals.size() < state_->cfg.proposal_queue_max; }
Epoch Engine::carrier_of_next_proposal() const {
  const State& s = *state_;
  const auto it = s.epochs.find(s.current.value);
  const bool proposed = it != s.epochs.end() && it->second.acs.has_proposed();
  return Epoch{s.current.value + s.proposals.size() + (proposed ? 1 : 0)};
}
Epoch Engine::current_epoch() const { return state_->current; }
const EngineStats& Engine::stats() const { return state_->stats; }
NodeId Engine::self() const { return state_->self; }
const Membership& Engine::members() const { return state_->members; }

}  // namespace quorumclear::quorum
