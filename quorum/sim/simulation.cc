#include "quorum/codec.h"
#include "quorum/memory_budget.h"
#include "quorum/merkle.h"
#include "quorum/sim/scheduler.h"
#include "quorum/sim/seeded_random.h"
#include "quorum/sim/sent_log.h"
#include "quorum/sim/sim.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace quorumclear::quorum::sim {
namespace {

constexpr std::uint64_t kNever = UINT64_MAX;
/// Violations of one kind reported per run; the rest are counted only.
constexpr std::size_t kViolationsPerKind = 5;

/// One proposer's value as a node decided it, reduced to what the checks need.
struct BatchRecord {
  NodeId proposer;
  Digest digest{};
  std::size_t bytes = 0;
  friend bool operator==(const BatchRecord&, const BatchRecord&) = default;
};

struct EpochRecord {
  Epoch epoch;
  std::vector<BatchRecord> batches;
  friend bool operator==(const EpochRecord&, const EpochRecord&) = default;
};

/// Totals of engines a node has discarded (crash or catch-up), so the run's
/// statistics and memory check cover every engine it ran.
struct RetiredEngines {
  std::uint64_t aba_instances = 0;
  std::uint64_t aba_rounds = 0;
  std::uint32_t aba_rounds_max = 0;
  std::uint64_t threshold_coins = 0;
  std::size_t buffered_peak = 0;
  std::size_t peer_stripe_peak = 0;
};

struct SimNode {
  std::unique_ptr<Engine> engine;        // null while crashed
  std::unique_ptr<Adversary> adversary;  // set for Byzantine nodes
  /// Crash (kCrash: forever; kCrashRestart: until restart_at_ms).
  std::uint64_t crash_at_ms = kNever;
  std::uint64_t restart_at_ms = kNever;
  bool crash_restart = false;  // crashes and restarts; honest for every check
  bool faulty = false;
  std::uint64_t proposals_made = 0;
  std::set<Digest> proposed;  // digests of every batch handed to propose()
  // --- what the Steps declared durable (survives a crash) ---
  std::vector<EpochRecord> decided;  // the node's log: consecutive from first_epoch
  std::vector<bool> certified;       // by log index: taken by certificate
  /// Engine outputs beyond a gap in the log (the engine was rebuilt past
  /// epochs it sat out), waiting for those epochs' certificates.
  std::map<std::uint64_t, EpochRecord> held;
  std::optional<Epoch> highest_entered;  // H
  // --- checks ---
  Epoch engine_first;                   // first_epoch of the current engine
  std::optional<Epoch> restart_floor;   // H when the engine was last rebuilt
  SentLog sent;
  RetiredEngines retired;
};

class Simulation {
 public:
  explicit Simulation(const SimConfig& config);
  RunResult run();

 private:
  void choose_faulty_nodes();
  void build_nodes();
  [[nodiscard]] std::unique_ptr<Engine> make_engine(std::size_t i, Epoch first) const;
  [[nodiscard]] bool down(const SimNode& node) const {
    return !node.engine || (!node.crash_restart && now_ms_ >= node.crash_at_ms);
  }
  void top_up_proposals(std::size_t i);
  Bytes make_batch(std::size_t i);
  void deliver(const Delivery& d);
  void apply(std::size_t i, Step&& step, std::size_t send_limit = SIZE_MAX);
  void audit(std::size_t i, const Step& step);
  void record_output(SimNode& node, const DecidedEpoch& d);
  void send(std::size_t from, NodeId to, const std::shared_ptr<const Message>& message);
  void schedule(NodeId from, NodeId to, std::shared_ptr<const Message> message);
  [[nodiscard]] std::uint64_t link_delay();
  [[nodiscard]] bool all_honest_done() const;
  [[nodiscard]] bool on_quiescence();
  // --- crash-restart and catch-up by certificate ---
  [[nodiscard]] std::uint64_t downtime_ms();
  void crash(std::size_t i);
  void restart_due(std::uint64_t until_ms);
  void restart(std::size_t i);
  [[nodiscard]] Epoch next_output(const SimNode& node) const;
  void rebuild(std::size_t i, Epoch first);
  [[nodiscard]] bool catch_up(std::size_t i);
  void catch_up_laggards();
  void fill_from_certificates(std::size_t i);
  [[nodiscard]] const EpochRecord* certificate(Epoch epoch) const;
  [[nodiscard]] std::optional<Epoch> honest_decided_max() const;
  void retire_engine(SimNode& node);
  // --- checks ---
  void violation(const std::string& kind, const std::string& text);
  void check_invariants(RunResult& result) const;
  void check_agreement(const SimNode& reference, const SimNode& node, std::size_t i, RunResult& result) const;
  void check_validity(const SimNode& node, std::size_t i, RunResult& result) const;
  [[nodiscard]] std::size_t memory_bound() const;
  void summarise(RunResult& result) const;

  SimConfig cfg_;
  Membership members_;
  std::mt19937_64 rng_;
  Digest network_id_{};
  EngineConfig engine_config_;
  std::vector<NodeKeys> keys_;
  std::vector<SimNode> nodes_;
  std::vector<bool> faulty_;
  std::vector<bool> crash_restart_;
  std::unique_ptr<Scheduler> scheduler_;
  Issue59Attack* attack_ = nullptr;  // owned by scheduler_ when kIssue59
  std::uint64_t run_ms_ = 1;         // generous virtual length of a run (kCrash times)
  /// About the virtual length of an undisturbed run (an epoch takes some 4
  /// to 5 maximal link delays): crash-restart points fall inside the run.
  std::uint64_t crash_horizon_ms_ = 1;
  std::uint64_t now_ms_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t deliveries_ = 0;
  std::uint64_t delivered_bytes_ = 0;
  std::size_t stripe_bytes_max_ = 0;
  std::size_t value_bytes_ = 0;
  std::uint64_t faults_ = 0;
  std::array<std::uint64_t, EngineStats::kFaultKinds> honest_blamed_{};
  std::uint64_t restarts_ = 0;
  std::uint64_t catch_ups_ = 0;
  std::uint64_t certified_epochs_ = 0;
  std::uint64_t sat_out_epochs_ = 0;
  std::vector<std::string> violations_;  // found during the run
  std::map<std::string, std::size_t> violation_counts_;
};

Simulation::Simulation(const SimConfig& config)
    : cfg_(config),
      members_(config.n),
      rng_(config.seed),
      faulty_(config.n, false),
      crash_restart_(config.n, false) {
  value_bytes_ = cfg_.batch_txs * cfg_.tx_bytes;
  network_id_ = sha256(ByteView{reinterpret_cast<const std::uint8_t*>("quorum-sim"), 10});
  engine_config_.network_id = network_id_;
  engine_config_.proposal_queue_max = 2;
  engine_config_.idle_heartbeat_ms = 500;
  run_ms_ = std::max<std::uint64_t>(1, cfg_.epochs * 12 * (cfg_.delay_max_ms + 1));
  crash_horizon_ms_ = std::max<std::uint64_t>(1, cfg_.epochs * 4 * (cfg_.delay_max_ms + 1));
  keys_ = deal_keys(members_, seeded_random(config.seed ^ 0x6b657973ULL));
  choose_faulty_nodes();
  build_nodes();
}

void Simulation::choose_faulty_nodes() {
  if (cfg_.adversary == AdversaryKind::kNone) return;
  std::vector<std::size_t> ids(cfg_.n);
  for (std::size_t i = 0; i < cfg_.n; ++i) ids[i] = i;
  std::shuffle(ids.begin(), ids.end(), rng_);
  const std::size_t count = cfg_.adversary == AdversaryKind::kIssue59 ? std::min<std::size_t>(1, members_.f())
                                                                       : members_.f();
  // Crash-restart nodes run the engine unmodified and count as honest: the
  // point is that a restart never makes an honest node contradict itself.
  auto& chosen = cfg_.adversary == AdversaryKind::kCrashRestart ? crash_restart_ : faulty_;
  for (std::size_t k = 0; k < count; ++k) chosen[ids[k]] = true;
}

std::unique_ptr<Engine> Simulation::make_engine(std::size_t i, Epoch first) const {
  return std::make_unique<Engine>(members_, NodeId{static_cast<std::uint16_t>(i)}, keys_[i], engine_config_, first);
}

void Simulation::build_nodes() {
  std::vector<NodeId> honest;
  for (std::size_t i = 0; i < cfg_.n; ++i) {
    if (!faulty_[i]) honest.push_back(NodeId{static_cast<std::uint16_t>(i)});
  }
  nodes_.resize(cfg_.n);
  for (std::size_t i = 0; i < cfg_.n; ++i) {
    SimNode& node = nodes_[i];
    const NodeId id{static_cast<std::uint16_t>(i)};
    node.engine = make_engine(i, Epoch{cfg_.first_epoch});
    node.engine_first = Epoch{cfg_.first_epoch};
    node.faulty = faulty_[i];
    node.crash_restart = crash_restart_[i];
    // Any moment of the run, mid-epoch included; the crash takes effect at
    // the first delivery to the node from then on, part-way through its Step.
    if (node.crash_restart) node.crash_at_ms = rng_() % crash_horizon_ms_;
    if (!node.faulty) continue;
    AdversaryKind kind = cfg_.adversary;
    if (kind == AdversaryKind::kByzantine) {
      // Each Byzantine node draws its own behaviour (crash included).
      static constexpr AdversaryKind kMix[] = {
          AdversaryKind::kCrash,   AdversaryKind::kEquivocate, AdversaryKind::kBadStripes,
          AdversaryKind::kBadBranches, AdversaryKind::kBadCoin, AdversaryKind::kBothVotes,
          AdversaryKind::kReplay,  AdversaryKind::kFlood,     AdversaryKind::kOverlongFrames};
      kind = kMix[rng_() % std::size(kMix)];
    }
    if (kind == AdversaryKind::kCrash) {
      // Half never start; the others stop at a random moment, mid-epoch.
      node.crash_at_ms = (rng_() % 2 == 0) ? 0 : rng_() % run_ms_;
    } else if (kind != AdversaryKind::kIssue59) {
      AdversaryContext ctx{members_, id, keys_[i], network_id_, value_bytes_, faulty_};
      node.adversary = make_adversary(kind, std::move(ctx), rng_());
    }
  }
  if (cfg_.adversary == AdversaryKind::kIssue59 && members_.f() > 0) {
    const auto f_it = std::find(faulty_.begin(), faulty_.end(), true);
    const std::size_t f_id = static_cast<std::size_t>(f_it - faulty_.begin());
    auto attack = std::make_unique<Issue59Attack>(members_, NodeId{static_cast<std::uint16_t>(f_id)},
                                                  keys_[f_id], network_id_, honest);
    attack_ = attack.get();
    scheduler_ = std::move(attack);
  } else {
    scheduler_ = std::make_unique<TimeOrderScheduler>();
  }
}

Bytes Simulation::make_batch(std::size_t i) {
  // Each transaction starts with (node, sequence, index), so every batch is
  // unique and a decided batch can be traced to its proposer.
  Bytes batch(value_bytes_);
  const std::uint64_t sequence = nodes_[i].proposals_made;
  for (std::size_t t = 0; t < cfg_.batch_txs; ++t) {
    std::uint8_t* tx = batch.data() + t * cfg_.tx_bytes;
    for (std::size_t b = 0; b < cfg_.tx_bytes; ++b) tx[b] = static_cast<std::uint8_t>(rng_());
    tx[0] = static_cast<std::uint8_t>(i);
    for (int k = 0; k < 8; ++k) tx[1 + k] = static_cast<std::uint8_t>(sequence >> (8 * k));
    tx[9] = static_cast<std::uint8_t>(t);
    tx[10] = static_cast<std::uint8_t>(t >> 8);
  }
  return batch;
}

void Simulation::top_up_proposals(std::size_t i) {
  SimNode& node = nodes_[i];
  while (!down(node) && node.engine->can_propose() && node.proposals_made < cfg_.epochs) {
    Bytes batch = make_batch(i);
    node.proposed.insert(sha256(batch));
    ++node.proposals_made;
    apply(i, node.engine->propose(std::move(batch)));
  }
}

void Simulation::deliver(const Delivery& d) {
  const std::size_t to = d.to.value;
  SimNode& node = nodes_[to];
  ++deliveries_;
  delivered_bytes_ += encoded_size(*d.message);
  if (node.adversary) node.adversary->on_receive(d.from, *d.message);
  Step step = node.engine->handle(d.from, *d.message);
  if (node.crash_restart && now_ms_ >= node.crash_at_ms) {
    // The crash hits part-way through sending this Step: what it declared
    // durable is kept, a seeded prefix of its messages got out.
    std::size_t copies = 0;
    for (const OutgoingMessage& m : step.messages) copies += m.to.to_all ? cfg_.n - 1 : 1;
    const std::size_t sent = static_cast<std::size_t>(rng_() % (copies + 1));
    apply(to, std::move(step), sent);
    crash(to);
    return;
  }
  apply(to, std::move(step));
  apply(to, node.engine->tick(now_ms_));
  top_up_proposals(to);
}

void Simulation::record_output(SimNode& node, const DecidedEpoch& d) {
  EpochRecord record{d.epoch, {}};
  for (const DecidedBatch& b : d.batches) record.batches.push_back(BatchRecord{b.proposer, sha256(b.value), b.value.size()});
  const Epoch next{cfg_.first_epoch + node.decided.size()};
  if (d.epoch != next) {
    // Past a gap of epochs sat out at a restart: held until certified.
    assert(d.epoch > next);
    node.held.emplace(d.epoch.value, std::move(record));
    return;
  }
  node.decided.push_back(std::move(record));
  node.certified.push_back(false);
  for (auto it = node.held.find(cfg_.first_epoch + node.decided.size()); it != node.held.end();
       it = node.held.find(cfg_.first_epoch + node.decided.size())) {
    node.decided.push_back(std::move(it->second));
    node.certified.push_back(false);
    node.held.erase(it);
  }
}

void Simulation::apply(std::size_t i, Step&& step, std::size_t send_limit) {
  SimNode& node = nodes_[i];
  // The Step's contract: make decided epochs and entered_epoch durable
  // first, then send.
  if (step.entered_epoch && (!node.highest_entered || *node.highest_entered < *step.entered_epoch)) {
    node.highest_entered = step.entered_epoch;
  }
  for (const DecidedEpoch& d : step.decided) record_output(node, d);
  if (!node.faulty) audit(i, step);
  std::size_t sent = 0;
  for (OutgoingMessage& m : step.messages) {
    auto shared = std::make_shared<const Message>(std::move(m.message));
    if (!m.to.to_all) {
      if (sent++ < send_limit) send(i, m.to.node, shared);
      continue;
    }
    for (std::size_t j = 0; j < cfg_.n; ++j) {
      if (j != i && sent++ < send_limit) send(i, NodeId{static_cast<std::uint16_t>(j)}, shared);
    }
  }
}

/// What an honest node's Step says, checked as it happens: the faults it
/// records must name faulty nodes, and what it sends must not contradict
/// anything it sent before (a restart included).
void Simulation::audit(std::size_t i, const Step& step) {
  SimNode& node = nodes_[i];
  const std::string who = "node " + std::to_string(i);
  for (const Fault& fault : step.faults) {
    ++faults_;
    if (fault.node.value >= cfg_.n || faulty_[fault.node.value]) continue;
    ++honest_blamed_[static_cast<std::size_t>(fault.kind)];
    violation("honest-blamed", who + " recorded " + std::string(to_string(fault.kind)) + " against honest node " +
                                   std::to_string(fault.node.value));
  }
  for (const OutgoingMessage& m : step.messages) {
    if (node.restart_floor && m.message.epoch <= *node.restart_floor) {
      violation("no-equivocation", who + " sent a message for epoch " + std::to_string(m.message.epoch.value) +
                                       " after restarting with H = " + std::to_string(node.restart_floor->value));
    }
    if (auto contradiction = node.sent.record(m.message)) {
      violation("no-equivocation", who + " sent " + *contradiction);
    }
  }
}

void Simulation::violation(const std::string& kind, const std::string& text) {
  if (++violation_counts_[kind] <= kViolationsPerKind) violations_.push_back(kind + ": " + text);
}

void Simulation::send(std::size_t from, NodeId to, const std::shared_ptr<const Message>& message) {
  const NodeId sender{static_cast<std::uint16_t>(from)};
  Adversary* adversary = nodes_[from].adversary.get();
  if (attack_ && faulty_[from]) adversary = attack_;
  if (!adversary) return schedule(sender, to, message);
  adversary->on_send(to, *message, [&](NodeId target, Message m) {
    schedule(sender, target, std::make_shared<const Message>(std::move(m)));
  });
}

std::uint64_t Simulation::link_delay() {
  if (cfg_.delay_max_ms == 0) return 0;
  if (cfg_.slow > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < cfg_.slow) {
    return std::uniform_int_distribution<std::uint64_t>(cfg_.delay_max_ms, 10 * cfg_.delay_max_ms)(rng_);
  }
  return std::uniform_int_distribution<std::uint64_t>(cfg_.delay_min_ms, cfg_.delay_max_ms)(rng_);
}

void Simulation::schedule(NodeId from, NodeId to, std::shared_ptr<const Message> message) {
  const auto arrival = [&]() {
    std::uint64_t t = now_ms_ + link_delay();
    // A partition delays, it does not lose: TCP retransmits once it heals.
    const bool across = (from.value < cfg_.n / 2) != (to.value < cfg_.n / 2);
    if (cfg_.partition && across && t < cfg_.partition_heal_ms) t = cfg_.partition_heal_ms + link_delay();
    return t;
  };
  if (const auto* p = std::get_if<RbcEcho>(&message->payload)) {
    stripe_bytes_max_ = std::max(stripe_bytes_max_, p->stripe.size());
  }
  if (const auto* p = std::get_if<RbcVal>(&message->payload)) {
    stripe_bytes_max_ = std::max(stripe_bytes_max_, p->stripe.size());
  }
  if (cfg_.duplicate > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < cfg_.duplicate) {
    scheduler_->push(Delivery{arrival(), seq_++, from, to, message});
  }
  scheduler_->push(Delivery{arrival(), seq_++, from, to, std::move(message)});
}

bool Simulation::all_honest_done() const {
  for (const SimNode& node : nodes_) {
    if (!node.faulty && node.decided.size() < cfg_.epochs) return false;
  }
  return true;
}

RunResult Simulation::run() {
  for (std::size_t i = 0; i < cfg_.n; ++i) top_up_proposals(i);
  const std::uint64_t budget = liveness_budget(cfg_);
  const bool restarts = cfg_.adversary == AdversaryKind::kCrashRestart;
  while (!all_honest_done() && deliveries_ < budget) {
    std::optional<Delivery> d = scheduler_->pop();
    if (!d) {
      if (on_quiescence()) continue;
      break;
    }
    if (restarts) restart_due(d->time_ms);
    now_ms_ = std::max(now_ms_, d->time_ms);
    if (down(nodes_[d->to.value])) continue;  // lost: the node is not there
    deliver(*d);
    if (restarts) catch_up_laggards();
  }
  RunResult result;
  result.violations = violations_;
  for (const auto& [kind, count] : violation_counts_) {
    if (count > kViolationsPerKind) {
      result.violations.push_back(kind + ": " + std::to_string(count - kViolationsPerKind) + " more");
    }
  }
  check_invariants(result);
  summarise(result);
  return result;
}

/// Nothing in flight but someone is not done. Time passes: a crashed node
/// restarts, a node stuck behind learns from a peer's status that it must
/// catch up by certificate, or idle heartbeats fire. False when none helps.
bool Simulation::on_quiescence() {
  if (cfg_.adversary == AdversaryKind::kCrashRestart) {
    std::uint64_t next = kNever;
    for (const SimNode& node : nodes_) {
      if (!node.engine) next = std::min(next, node.restart_at_ms);
    }
    if (next != kNever) {
      restart_due(next);
      return true;
    }
    bool caught_up = false;
    for (std::size_t i = 0; i < cfg_.n; ++i) {
      if (!nodes_[i].faulty && nodes_[i].decided.size() < cfg_.epochs) caught_up |= catch_up(i);
    }
    if (caught_up) return true;
  }
  // Two ticks a heartbeat apart: the first arms the idle timer, the second
  // fires it (tick() never sends before idle_heartbeat_ms of idleness).
  for (const std::uint64_t t : {now_ms_, now_ms_ + engine_config_.idle_heartbeat_ms}) {
    now_ms_ = t;
    for (std::size_t i = 0; i < cfg_.n; ++i) {
      if (!down(nodes_[i])) apply(i, nodes_[i].engine->tick(now_ms_));
    }
  }
  return scheduler_->size() > 0;
}

// --- crash-restart ------------------------------------------------------

std::uint64_t Simulation::downtime_ms() {
  // Half the restarts come back within about an epoch (they sit out the
  // epoch they crashed in), half after up to two run lengths (far behind:
  // certificates, possibly several rounds of catch-up).
  const std::uint64_t epoch_ms = std::max<std::uint64_t>(1, crash_horizon_ms_ / std::max<std::uint64_t>(1, cfg_.epochs));
  if (rng_() % 2 == 0) return 1 + rng_() % epoch_ms;
  return 1 + rng_() % (2 * crash_horizon_ms_);
}

void Simulation::crash(std::size_t i) {
  SimNode& node = nodes_[i];
  retire_engine(node);  // every volatile byte is gone
  node.crash_at_ms = kNever;
  node.restart_at_ms = now_ms_ + downtime_ms();
}

void Simulation::restart_due(std::uint64_t until_ms) {
  for (;;) {
    std::size_t due = cfg_.n;
    for (std::size_t i = 0; i < cfg_.n; ++i) {
      const SimNode& node = nodes_[i];
      if (!node.engine && node.crash_restart && node.restart_at_ms <= until_ms &&
          (due == cfg_.n || node.restart_at_ms < nodes_[due].restart_at_ms)) {
        due = i;
      }
    }
    if (due == cfg_.n) return;
    now_ms_ = std::max(now_ms_, nodes_[due].restart_at_ms);
    restart(due);
  }
}

/// The engine restarts from what was durable: the decided epochs and H.
void Simulation::restart(std::size_t i) {
  SimNode& node = nodes_[i];
  const Epoch after_output = next_output(node);
  Epoch first = after_output;
  if (node.highest_entered && *node.highest_entered >= first) first = node.highest_entered->next();
  sat_out_epochs_ += first.value - after_output.value;
  ++restarts_;
  node.restart_at_ms = kNever;
  // Some nodes crash again later: H must hold across several restarts.
  if (rng_() % 2 == 0) node.crash_at_ms = now_ms_ + 1 + rng_() % crash_horizon_ms_;
  rebuild(i, first);
}

/// The epoch after the last one the node output (log or held).
Epoch Simulation::next_output(const SimNode& node) const {
  std::uint64_t next = cfg_.first_epoch + node.decided.size();
  if (!node.held.empty()) next = std::max(next, node.held.rbegin()->first + 1);
  return Epoch{next};
}

void Simulation::rebuild(std::size_t i, Epoch first) {
  SimNode& node = nodes_[i];
  assert(!node.highest_entered || first > *node.highest_entered);
  assert(first >= next_output(node));
  if (node.engine) retire_engine(node);
  node.engine = make_engine(i, first);
  node.engine_first = first;
  node.restart_floor = node.highest_entered;
  fill_from_certificates(i);
  top_up_proposals(i);
}

/// Certificate catch-up (engine.h): when the node's engine is at or behind
/// an epoch the honest nodes have decided, take every decided epoch by
/// certificate and restart the engine after them, still above H. True if
/// the engine moved.
bool Simulation::catch_up(std::size_t i) {
  SimNode& node = nodes_[i];
  const std::optional<Epoch> decided = honest_decided_max();
  if (down(node) || !decided || node.engine->current_epoch() > *decided) return false;
  Epoch first = std::max(decided->next(), next_output(node));
  if (node.highest_entered && *node.highest_entered >= first) first = node.highest_entered->next();
  ++catch_ups_;
  rebuild(i, first);
  return true;
}

/// Messages more than W epochs ahead are dropped, so a node more than W
/// epochs behind the epoch the honest nodes are deciding (the one after the
/// highest decided) can only catch up by certificate; and a node with a gap
/// in its log takes the certificates as they appear. "Ahead" is measured by
/// decided epochs, never by engines' current epochs: a restarted engine
/// starts at H + 1, which nobody may have reached, and measuring from it
/// would push every other node into catch-up (and, above its own H, into
/// sitting out epochs) until fewer than n - f take part.
void Simulation::catch_up_laggards() {
  const std::optional<Epoch> decided = honest_decided_max();
  if (!decided) return;
  for (std::size_t i = 0; i < cfg_.n; ++i) {
    SimNode& node = nodes_[i];
    if (node.faulty || down(node)) continue;
    if (node.engine->current_epoch().value + kEpochWindow < decided->value + 1) {
      (void)catch_up(i);
    } else if (cfg_.first_epoch + node.decided.size() < node.engine_first.value) {
      fill_from_certificates(i);
    }
  }
}

/// Fills the log's gap below the engine's first epoch: the node's own held
/// outputs, else certificates, in order, as far as the network has decided.
void Simulation::fill_from_certificates(std::size_t i) {
  SimNode& node = nodes_[i];
  for (Epoch next{cfg_.first_epoch + node.decided.size()}; next < node.engine_first;
       next = Epoch{cfg_.first_epoch + node.decided.size()}) {
    if (auto it = node.held.find(next.value); it != node.held.end()) {
      node.decided.push_back(std::move(it->second));
      node.certified.push_back(false);
      node.held.erase(it);
      continue;
    }
    const EpochRecord* record = certificate(next);
    if (!record) return;
    node.decided.push_back(*record);
    node.certified.push_back(true);
    ++certified_epochs_;
  }
  // The engine's own outputs past the gap now join the log.
  for (auto it = node.held.find(cfg_.first_epoch + node.decided.size()); it != node.held.end();
       it = node.held.find(cfg_.first_epoch + node.decided.size())) {
    node.decided.push_back(std::move(it->second));
    node.certified.push_back(false);
    node.held.erase(it);
  }
}

/// An epoch some honest engine decided itself. In the real node this is a
/// certificate: the output with 2f + 1 signatures, at least f + 1 of them
/// from honest nodes that decided it.
const EpochRecord* Simulation::certificate(Epoch epoch) const {
  if (epoch.value < cfg_.first_epoch) return nullptr;
  const std::size_t k = epoch.value - cfg_.first_epoch;
  for (const SimNode& node : nodes_) {
    if (!node.faulty && k < node.decided.size() && !node.certified[k]) return &node.decided[k];
  }
  return nullptr;
}

std::optional<Epoch> Simulation::honest_decided_max() const {
  std::optional<Epoch> best;
  for (const SimNode& node : nodes_) {
    if (node.faulty || node.decided.empty()) continue;
    const Epoch last = node.decided.back().epoch;
    if (!best || *best < last) best = last;
  }
  return best;
}

void Simulation::retire_engine(SimNode& node) {
  const EngineStats& s = node.engine->stats();
  node.retired.aba_instances += s.aba_instances;
  node.retired.aba_rounds += s.aba_rounds;
  node.retired.aba_rounds_max = std::max(node.retired.aba_rounds_max, s.aba_rounds_max);
  node.retired.threshold_coins += s.threshold_coins;
  node.retired.buffered_peak = std::max(node.retired.buffered_peak, s.buffered_bytes_peak);
  node.retired.peer_stripe_peak = std::max(node.retired.peer_stripe_peak, s.peer_stripe_bytes_peak);
  node.engine.reset();
}

std::size_t Simulation::memory_bound() const {
  // README "Bounded memory": live epochs x n instances x (RBC: one stripe,
  // branch and bookkeeping per sender; ABA: a few votes per sender per
  // round in the window; the delivered value) + the proposal queue.
  const std::size_t n = cfg_.n;
  const std::size_t slots = kLiveEpochsMax;
  const std::size_t stripe = stripe_bytes_max_;  // honest or faulty, as sent in this run
  const std::size_t rbc = n * (stripe + 32 * merkle_depth(n) + 256) + 4096;
  const std::size_t aba = n * (kRoundWindow + 2) * 512;
  const std::size_t value = members_.data_stripes() * stripe;
  return slots * n * (rbc + aba + value) + 2 * value_bytes_;
}

void Simulation::check_validity(const SimNode& node, std::size_t i, RunResult& result) const {
  const std::size_t n = cfg_.n;
  std::set<Digest> seen_honest;
  for (std::size_t k = 0; k < node.decided.size(); ++k) {
    const EpochRecord& e = node.decided[k];
    auto violation = [&](const std::string& what) {
      result.violations.push_back("node " + std::to_string(i) + " epoch " + std::to_string(e.epoch.value) + ": " + what);
    };
    if (e.epoch.value != cfg_.first_epoch + k) violation("epochs out of order");
    if (e.batches.size() < members_.quorum()) violation("fewer than n-f batches");
    std::size_t honest = 0;
    for (std::size_t b = 0; b < e.batches.size(); ++b) {
      const BatchRecord& batch = e.batches[b];
      if (b > 0 && !(e.batches[b - 1].proposer < batch.proposer)) violation("proposer twice or unordered");
      if (batch.proposer.value >= n) violation("unknown proposer");
      if (batch.proposer.value >= n || faulty_[batch.proposer.value]) continue;
      ++honest;
      const SimNode& proposer = nodes_[batch.proposer.value];
      if (batch.bytes != 0 && !proposer.proposed.contains(batch.digest)) violation("value its honest proposer never proposed");
      if (batch.bytes != 0 && !seen_honest.insert(batch.digest).second) violation("an honest batch decided twice");
    }
    if (honest < n - 2 * members_.f()) violation("fewer than n-2f honest proposals");
  }
}

void Simulation::check_agreement(const SimNode& reference, const SimNode& node, std::size_t i,
                                 RunResult& result) const {
  const std::size_t common = std::min(reference.decided.size(), node.decided.size());
  for (std::size_t k = 0; k < common; ++k) {
    if (!(reference.decided[k] == node.decided[k])) {
      result.violations.push_back("agreement: node " + std::to_string(i) + " differs at epoch " +
                                  std::to_string(node.decided[k].epoch.value));
      return;
    }
  }
  // Outputs a restarted engine made past its gap are decisions too.
  for (const auto& [epoch, record] : node.held) {
    const std::size_t k = epoch - cfg_.first_epoch;
    if (k < reference.decided.size() && !(reference.decided[k] == record)) {
      result.violations.push_back("agreement: node " + std::to_string(i) + " differs at held epoch " +
                                  std::to_string(epoch));
      return;
    }
  }
}

void Simulation::check_invariants(RunResult& result) const {
  const SimNode* reference = nullptr;
  const std::size_t bound = memory_bound();
  for (std::size_t i = 0; i < cfg_.n; ++i) {
    const SimNode& node = nodes_[i];
    if (node.faulty) continue;
    if (node.decided.size() < cfg_.epochs) {
      result.violations.push_back("liveness: node " + std::to_string(i) + " decided " +
                                  std::to_string(node.decided.size()) + " of " + std::to_string(cfg_.epochs) +
                                  " epochs within " + std::to_string(liveness_budget(cfg_)) + " deliveries");
    }
    check_validity(node, i, result);
    const std::size_t peak =
        std::max(node.retired.buffered_peak, node.engine ? node.engine->stats().buffered_bytes_peak : 0);
    if (peak > bound) {
      result.violations.push_back("memory: node " + std::to_string(i) + " buffered " + std::to_string(peak) +
                                  " > bound " + std::to_string(bound));
    }
    // One peer's share, whatever it sent: never past the structural bound,
    // which memory_budget.h proves is within the per-peer budget.
    const std::size_t peer_peak = std::max(node.retired.peer_stripe_peak,
                                           node.engine ? node.engine->stats().peer_stripe_bytes_peak : 0);
    if (peer_peak > peer_stripe_bytes_bound(cfg_.n) || peer_peak > kPeerStripeBudgetBytes) {
      result.violations.push_back("memory: node " + std::to_string(i) + " held " + std::to_string(peer_peak) +
                                  " stripe bytes of one peer > per-peer bound " +
                                  std::to_string(peer_stripe_bytes_bound(cfg_.n)));
    }
    if (!reference) {
      reference = &node;
      continue;
    }
    check_agreement(*reference, node, i, result);
  }
}

void Simulation::summarise(RunResult& result) const {
  result.deliveries = deliveries_;
  result.delivered_bytes = delivered_bytes_;
  result.virtual_ms = now_ms_;
  result.buffered_bound = memory_bound();
  result.faults = faults_;
  result.honest_blamed = honest_blamed_;
  result.restarts = restarts_;
  result.catch_ups = catch_ups_;
  result.certified_epochs = certified_epochs_;
  result.sat_out_epochs = sat_out_epochs_;
  result.decided_epochs = UINT64_MAX;
  bool first = true;
  for (std::size_t i = 0; i < cfg_.n; ++i) {
    const SimNode& node = nodes_[i];
    if (node.faulty) {
      result.faulty.push_back(NodeId{static_cast<std::uint16_t>(i)});
      continue;
    }
    RetiredEngines totals = node.retired;
    if (node.engine) {
      const EngineStats& s = node.engine->stats();
      totals.aba_instances += s.aba_instances;
      totals.aba_rounds += s.aba_rounds;
      totals.aba_rounds_max = std::max(totals.aba_rounds_max, s.aba_rounds_max);
      totals.threshold_coins += s.threshold_coins;
      totals.buffered_peak = std::max(totals.buffered_peak, s.buffered_bytes_peak);
      totals.peer_stripe_peak = std::max(totals.peer_stripe_peak, s.peer_stripe_bytes_peak);
      // A coin combines f+1 shares of which at most one (our own) is not
      // checked: fewer verifications than that means unverified shares were
      // combined, which a Byzantine share could then bias.
      const std::uint64_t f = (cfg_.n - 1) / 3;
      if (s.coin_shares_verified < s.threshold_coins * f) {
        result.violations.push_back("coin-unverified: node " + std::to_string(i) + " combined " +
                                    std::to_string(s.threshold_coins) + " coins from only " +
                                    std::to_string(s.coin_shares_verified) + " verified shares");
      }
    }
    result.decided_epochs = std::min<std::uint64_t>(result.decided_epochs, node.decided.size());
    result.aba_instances += totals.aba_instances;
    result.aba_rounds += totals.aba_rounds;
    result.aba_rounds_max = std::max(result.aba_rounds_max, totals.aba_rounds_max);
    result.threshold_coins += totals.threshold_coins;
    result.buffered_peak = std::max(result.buffered_peak, totals.buffered_peak);
    result.peer_stripe_peak = std::max(result.peer_stripe_peak, totals.peer_stripe_peak);
    if (first) {
      first = false;
      for (std::size_t k = 0; k < std::min<std::size_t>(node.decided.size(), cfg_.epochs); ++k) {
        for (const BatchRecord& b : node.decided[k].batches) result.transactions += b.bytes / cfg_.tx_bytes;
      }
    }
  }
  if (result.decided_epochs == UINT64_MAX) result.decided_epochs = 0;
}

}  // namespace

std::string_view to_string(AdversaryKind kind) {
  switch (kind) {
    case AdversaryKind::kNone: return "none";
    case AdversaryKind::kCrash: return "crash";
    case AdversaryKind::kEquivocate: return "equivocate";
    case AdversaryKind::kBadStripes: return "bad-stripes";
    case AdversaryKind::kBadBranches: return "bad-branches";
    case AdversaryKind::kBadCoin: return "bad-coin";
    case AdversaryKind::kBothVotes: return "both-votes";
    case AdversaryKind::kReplay: return "replay";
    case AdversaryKind::kFlood: return "flood";
    case AdversaryKind::kIssue59: return "issue59";
    case AdversaryKind::kByzantine: return "byzantine";
    case AdversaryKind::kCrashRestart: return "crash-restart";
    case AdversaryKind::kOverlongFrames: return "overlong";
  }
  return "unknown";
}

std::optional<AdversaryKind> parse_adversary(std::string_view name) {
  for (AdversaryKind kind : kAllAdversaries) {
    if (to_string(kind) == name) return kind;
  }
  return std::nullopt;
}

std::uint64_t liveness_budget(const SimConfig& config) {
  if (config.delivery_budget != 0) return config.delivery_budget;
  // An all-honest epoch needs about 6 n^3 deliveries (RBC 2n^3, ABA about
  // 3n^3 per round, TERM n^3); 60x that per epoch allows for many ABA rounds
  // under attack while still catching a livelock quickly.
  const std::uint64_t n = config.n;
  return 60 * n * n * n * (config.epochs + 1) + 10'000;
}

std::string replay_command(const SimConfig& c) {
  std::ostringstream out;
  out << "quorum-sim --n " << c.n << " --adversary " << to_string(c.adversary) << " --seed-start " << c.seed
      << " --seeds 1 --epochs " << c.epochs << " --first-epoch " << c.first_epoch << " --batch " << c.batch_txs
      << " --tx-bytes " << c.tx_bytes << " --delay " << c.delay_min_ms << ":" << c.delay_max_ms << " --dup "
      << c.duplicate << " --slow " << c.slow;
  if (c.partition) out << " --partition " << c.partition_heal_ms;
  if (c.delivery_budget != 0) out << " --budget " << c.delivery_budget;
  return out.str();
}

std::string summary_line(const SimConfig& c, const RunResult& r) {
  const double epochs = static_cast<double>(std::max<std::uint64_t>(1, r.decided_epochs));
  const double mean_rounds =
      r.aba_instances == 0 ? 0.0 : static_cast<double>(r.aba_rounds) / static_cast<double>(r.aba_instances);
  std::uint64_t blamed = 0;
  for (const auto count : r.honest_blamed) blamed += count;
  char line[640];
  std::snprintf(line, sizeof line,
                "seed=%llu n=%zu adversary=%s violations=%zu epochs=%llu msgs/epoch=%.0f bytes/epoch=%.0f "
                "aba_rounds_mean=%.2f aba_rounds_max=%u coins=%llu faults=%llu honest_blamed=%llu "
                "buffered_peak=%zu peer_peak=%zu restarts=%llu catch_ups=%llu certified=%llu sat_out=%llu virtual_ms=%llu",
                static_cast<unsigned long long>(c.seed), c.n, std::string(to_string(c.adversary)).c_str(),
                r.violations.size(), static_cast<unsigned long long>(r.decided_epochs),
                static_cast<double>(r.deliveries) / epochs, static_cast<double>(r.delivered_bytes) / epochs,
                mean_rounds, r.aba_rounds_max, static_cast<unsigned long long>(r.threshold_coins),
                static_cast<unsigned long long>(r.faults), static_cast<unsigned long long>(blamed),
                r.buffered_peak, r.peer_stripe_peak, static_cast<unsigned long long>(r.restarts),
                static_cast<unsigned long long>(r.catch_ups), static_cast<unsigned long long>(r.certified_epochs),
                static_cast<unsigned long long>(r.sat_out_epochs), static_cast<unsigned long long>(r.virtual_ms));
  return line;
}

RunResult run_simulation(const SimConfig& config) {
  assert(is_supported_network_size(config.n));
  assert(config.tx_bytes >= 16);
  Simulation sim(config);
  return sim.run();
}

}  // namespace quorumclear::quorum::sim
