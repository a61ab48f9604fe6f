#include "quorum/codec.h"
#include "quorum/merkle.h"
#include "quorum/sim/scheduler.h"
#include "quorum/sim/sim.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <set>
#include <sstream>

namespace quorumclear::quorum::sim {
namespace {

constexpr std::uint64_t kNeverCrash = UINT64_MAX;

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

struct SimNode {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Adversary> adversary;  // set for Byzantine nodes
  std::uint64_t crash_at_ms = kNeverCrash;
  bool faulty = false;
  std::uint64_t proposals_made = 0;
  std::set<Digest> proposed;  // digests of every batch handed to propose()
  std::vector<EpochRecord> decided;
};

class Simulation {
 public:
  explicit Simulation(const SimConfig& config);
  RunResult run();

 private:
  void choose_faulty_nodes();
  void build_nodes();
  [[nodiscard]] bool crashed(const SimNode& node) const { return now_ms_ >= node.crash_at_ms; }
  void top_up_proposals(std::size_t i);
  Bytes make_batch(std::size_t i);
  void apply(std::size_t i, Step&& step);
  void send(std::size_t from, NodeId to, const std::shared_ptr<const Message>& message);
  void schedule(NodeId from, NodeId to, std::shared_ptr<const Message> message);
  [[nodiscard]] std::uint64_t link_delay();
  [[nodiscard]] bool all_honest_done() const;
  void check_invariants(RunResult& result) const;
  void check_validity(const SimNode& node, std::size_t i, RunResult& result) const;
  [[nodiscard]] std::size_t memory_bound() const;
  void summarise(RunResult& result) const;

  SimConfig cfg_;
  Membership members_;
  std::mt19937_64 rng_;
  Digest network_id_{};
  std::vector<NodeKeys> keys_;
  std::vector<SimNode> nodes_;
  std::vector<bool> faulty_;
  std::unique_ptr<Scheduler> scheduler_;
  Issue59Attack* attack_ = nullptr;  // owned by scheduler_ when kIssue59
  std::uint64_t now_ms_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t deliveries_ = 0;
  std::uint64_t delivered_bytes_ = 0;
  std::size_t stripe_bytes_max_ = 0;
  std::size_t value_bytes_ = 0;
};

Simulation::Simulation(const SimConfig& config)
    : cfg_(config), members_(config.n), rng_(config.seed), faulty_(config.n, false) {
  value_bytes_ = cfg_.batch_txs * cfg_.tx_bytes;
  network_id_ = sha256(ByteView{reinterpret_cast<const std::uint8_t*>("quorum-sim"), 10});
  std::mt19937_64 key_rng(config.seed ^ 0x6b657973ULL);
  const RandomSource random = [&key_rng](std::span<std::uint8_t> out) {
    for (auto& b : out) b = static_cast<std::uint8_t>(key_rng());
  };
  keys_ = deal_keys(members_, random);
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
  for (std::size_t k = 0; k < count; ++k) faulty_[ids[k]] = true;
}

void Simulation::build_nodes() {
  EngineConfig ecfg;
  ecfg.network_id = network_id_;
  ecfg.proposal_queue_max = 2;
  ecfg.idle_heartbeat_ms = 500;
  std::vector<NodeId> honest;
  for (std::size_t i = 0; i < cfg_.n; ++i) {
    if (!faulty_[i]) honest.push_back(NodeId{static_cast<std::uint16_t>(i)});
  }
  const std::uint64_t run_ms = std::max<std::uint64_t>(1, cfg_.epochs * 12 * (cfg_.delay_max_ms + 1));
  nodes_.resize(cfg_.n);
  for (std::size_t i = 0; i < cfg_.n; ++i) {
    SimNode& node = nodes_[i];
    const NodeId id{static_cast<std::uint16_t>(i)};
    node.engine = std::make_unique<Engine>(members_, id, keys_[i], ecfg, Epoch{cfg_.first_epoch});
    node.faulty = faulty_[i];
    if (!node.faulty) continue;
    AdversaryKind kind = cfg_.adversary;
    if (kind == AdversaryKind::kByzantine) {
      // Each Byzantine node draws its own behaviour (crash included).
      static constexpr AdversaryKind kMix[] = {
          AdversaryKind::kCrash,   AdversaryKind::kEquivocate, AdversaryKind::kBadStripes,
          AdversaryKind::kBadBranches, AdversaryKind::kBadCoin, AdversaryKind::kBothVotes,
          AdversaryKind::kReplay,  AdversaryKind::kFlood};
      kind = kMix[rng_() % std::size(kMix)];
    }
    if (kind == AdversaryKind::kCrash) {
      // Half never start; the others stop at a random moment, mid-epoch.
      node.crash_at_ms = (rng_() % 2 == 0) ? 0 : rng_() % run_ms;
    } else if (kind != AdversaryKind::kIssue59) {
      AdversaryContext ctx{members_, id, keys_[i], network_id_, value_bytes_};
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
  while (node.engine->can_propose() && node.proposals_made < cfg_.epochs && !crashed(node)) {
    Bytes batch = make_batch(i);
    node.proposed.insert(sha256(batch));
    ++node.proposals_made;
    apply(i, node.engine->propose(std::move(batch)));
  }
}

void Simulation::apply(std::size_t i, Step&& step) {
  SimNode& node = nodes_[i];
  for (DecidedEpoch& d : step.decided) {
    EpochRecord record{d.epoch, {}};
    for (const DecidedBatch& b : d.batches) record.batches.push_back(BatchRecord{b.proposer, sha256(b.value), b.value.size()});
    node.decided.push_back(std::move(record));
  }
  for (OutgoingMessage& m : step.messages) {
    auto shared = std::make_shared<const Message>(std::move(m.message));
    if (!m.to.to_all) {
      send(i, m.to.node, shared);
      continue;
    }
    for (std::size_t j = 0; j < cfg_.n; ++j) {
      if (j != i) send(i, NodeId{static_cast<std::uint16_t>(j)}, shared);
    }
  }
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
  while (!all_honest_done() && deliveries_ < budget) {
    std::optional<Delivery> d = scheduler_->pop();
    if (!d) break;
    now_ms_ = std::max(now_ms_, d->time_ms);
    SimNode& node = nodes_[d->to.value];
    if (crashed(node)) continue;
    ++deliveries_;
    delivered_bytes_ += encoded_size(*d->message);
    if (node.adversary) node.adversary->on_receive(d->from, *d->message);
    apply(d->to.value, node.engine->handle(d->from, *d->message));
    apply(d->to.value, node.engine->tick(now_ms_));
    top_up_proposals(d->to.value);
  }
  RunResult result;
  check_invariants(result);
  summarise(result);
  return result;
}

std::size_t Simulation::memory_bound() const {
  // README "Bounded memory": live epochs x n instances x (RBC: one stripe,
  // branch and bookkeeping per sender; ABA: a few votes per sender per
  // round in the window; the delivered value) + the proposal queue.
  const std::size_t n = cfg_.n;
  const std::size_t slots = kEpochWindow + 1 + kFinishedEpochsKept;
  const std::size_t stripe = std::max(stripe_bytes_max_, adversary_stripe_bytes_max(members_));
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

void Simulation::check_invariants(RunResult& result) const {
  const SimNode* reference = nullptr;
  for (std::size_t i = 0; i < cfg_.n; ++i) {
    const SimNode& node = nodes_[i];
    if (node.faulty) continue;
    if (node.decided.size() < cfg_.epochs) {
      result.violations.push_back("liveness: node " + std::to_string(i) + " decided " +
                                  std::to_string(node.decided.size()) + " of " + std::to_string(cfg_.epochs) +
                                  " epochs within " + std::to_string(liveness_budget(cfg_)) + " deliveries");
    }
    check_validity(node, i, result);
    const std::size_t bound = memory_bound();
    if (node.engine->stats().buffered_bytes_peak > bound) {
      result.violations.push_back("memory: node " + std::to_string(i) + " buffered " +
                                  std::to_string(node.engine->stats().buffered_bytes_peak) + " > bound " +
                                  std::to_string(bound));
    }
    if (!reference) {
      reference = &node;
      continue;
    }
    const std::size_t common = std::min(reference->decided.size(), node.decided.size());
    for (std::size_t k = 0; k < common; ++k) {
      if (!(reference->decided[k] == node.decided[k])) {
        result.violations.push_back("agreement: node " + std::to_string(i) + " differs at epoch " +
                                    std::to_string(node.decided[k].epoch.value));
        break;
      }
    }
  }
}

void Simulation::summarise(RunResult& result) const {
  result.deliveries = deliveries_;
  result.delivered_bytes = delivered_bytes_;
  result.virtual_ms = now_ms_;
  result.buffered_bound = memory_bound();
  result.decided_epochs = UINT64_MAX;
  bool first = true;
  for (std::size_t i = 0; i < cfg_.n; ++i) {
    const SimNode& node = nodes_[i];
    if (node.faulty) {
      result.faulty.push_back(NodeId{static_cast<std::uint16_t>(i)});
      continue;
    }
    const EngineStats& s = node.engine->stats();
    result.decided_epochs = std::min<std::uint64_t>(result.decided_epochs, node.decided.size());
    result.aba_instances += s.aba_instances;
    result.aba_rounds += s.aba_rounds;
    result.aba_rounds_max = std::max(result.aba_rounds_max, s.aba_rounds_max);
    result.threshold_coins += s.threshold_coins;
    for (auto count : s.faults) result.faults += count;
    result.buffered_peak = std::max(result.buffered_peak, s.buffered_bytes_peak);
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
  char line[512];
  std::snprintf(line, sizeof line,
                "seed=%llu n=%zu adversary=%s violations=%zu epochs=%llu msgs/epoch=%.0f bytes/epoch=%.0f "
                "aba_rounds_mean=%.2f aba_rounds_max=%u coins=%llu faults=%llu buffered_peak=%zu",
                static_cast<unsigned long long>(c.seed), c.n, std::string(to_string(c.adversary)).c_str(),
                r.violations.size(), static_cast<unsigned long long>(r.decided_epochs),
                static_cast<double>(r.deliveries) / epochs, static_cast<double>(r.delivered_bytes) / epochs,
                mean_rounds, r.aba_rounds_max, static_cast<unsigned long long>(r.threshold_coins),
                static_cast<unsigned long long>(r.faults), r.buffered_peak);
  return line;
}

RunResult run_simulation(const SimConfig& config) {
  assert(config.n >= 1 && config.n <= kNodesMax);
  assert(config.tx_bytes >= 16);
  Simulation sim(config);
  return sim.run();
}

}  // namespace quorumclear::quorum::sim
