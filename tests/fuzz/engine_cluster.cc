// The engine fuzzer's cluster: honest engines, queues, and the invariants.
#include "tests/fuzz/engine_cluster.h"

#include "quorum/sim/seeded_random.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace quorumclear::quorum::fuzz {
namespace {

[[noreturn]] __attribute__((format(printf, 1, 2))) void violation(const char* format, ...) {
  std::fputs("quorum_engine_fuzz: INVARIANT VIOLATED: ", stderr);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
  std::abort();
}

constexpr std::string_view kPayloadNames[] = {"VAL", "ECHO", "READY", "BVAL", "AUX", "CONF", "COIN", "TERM"};

std::size_t stripe_bytes_of(const Message& m) {
  if (const auto* val = std::get_if<RbcVal>(&m.payload)) return val->stripe.size();
  if (const auto* echo = std::get_if<RbcEcho>(&m.payload)) return echo->stripe.size();
  return 0;
}

ByteView view_of(std::string_view s) { return ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

void put_u64(Bytes& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

}  // namespace

Genesis::Genesis(std::size_t n)
    : members(n),
      network_id(sha256(view_of("quorum-engine-fuzz"))),
      // A fixed seed: a crash replays from its input alone.
      keys(deal_keys(members, sim::seeded_random(0x71656e67696e65ULL + n))),
      forge(members) {
  coins.reserve(n);
  for (const NodeKeys& k : keys) coins.emplace_back(members, k.coin);
  check_forge_matches_coder(members);
  std::fprintf(stderr,
               "quorum_engine_fuzz: n=%zu f=%zu k=%zu stripes %zu..%zu bytes, kBatchBytesMax %zu, "
               "buffered-bytes bound %zu MiB (kPeerStripeBudgetBytes %zu MiB x n), forge budget %zu MiB\n",
               n, members.f(), members.data_stripes(), erasure_min_stripe_bytes(members),
               erasure_max_stripe_bytes(members), kBatchBytesMax, buffered_bytes_bound(members) >> 20,
               kPeerStripeBudgetBytes >> 20, forged_bytes_budget(members) >> 20);
}

const Genesis& genesis_for(std::size_t n) {
  // Dealing keys costs milliseconds: once per n for the whole process.
  static const Genesis g4(4);
  static const Genesis g13(13);
  return n == 4 ? g4 : g13;
}

Cluster::Cluster(const Genesis& genesis, bool byzantine_first)
    : genesis_(genesis), byzantine_first_(byzantine_first), observed_(genesis.members.f()) {
  EngineConfig cfg;
  cfg.network_id = genesis.network_id;
  cfg.proposal_queue_max = 4;
  cfg.idle_heartbeat_ms = 100;
  const std::size_t honest = members().n() - members().f();
  engines_.reserve(honest);
  for (std::size_t i = 0; i < honest; ++i) {
    const NodeId id = honest_id(i);
    engines_.emplace_back(members(), id, genesis.keys[id.value], cfg, Epoch{0});
  }
  inbox_.resize(honest);
  next_epoch_.assign(honest, 0);
  // An epoch a node enters with an empty queue carries its empty batch.
  proposed_.assign(honest, std::set<Digest>{sha256(ByteView{})});
}

NodeId Cluster::honest_id(std::size_t honest) const {
  return NodeId{static_cast<std::uint16_t>(byzantine_first_ ? members().f() + honest : honest)};
}

NodeId Cluster::byzantine_id(std::size_t byzantine) const {
  return NodeId{static_cast<std::uint16_t>(byzantine_first_ ? byzantine : honest_count() + byzantine)};
}

std::size_t Cluster::honest_index(NodeId id) const {
  const std::size_t f = members().f();
  if (byzantine_first_) return id.value < f ? honest_count() : id.value - f;
  return id.value < honest_count() ? id.value : honest_count();
}

Recipients Cluster::recipients(std::uint8_t mask) const {
  Recipients out = 0;
  for (std::size_t i = 0; i < honest_count(); ++i) {
    if (mask == 0 || (mask & 0xc0) != 0 || ((mask >> (i % 6)) & 1) != 0) out |= only(i);
  }
  return out;
}

void Cluster::propose(std::size_t honest, std::size_t length, std::uint8_t fill) {
  Engine& engine = engines_[honest];
  if (!engine.can_propose()) return;  // the caller's duty, so never a finding
  Bytes batch(length % (kHonestBatchBytesMax + 1));
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i] = static_cast<std::uint8_t>(fill + 7 * i);
  // Distinct batches, so validity can tell whose batch an epoch carries.
  for (std::size_t i = 0; i < std::min<std::size_t>(batch.size(), 4); ++i) {
    batch[i] = static_cast<std::uint8_t>(batches_proposed_ >> (8 * i));
  }
  ++batches_proposed_;
  proposed_[honest].insert(sha256(batch));
  absorb(honest, engine.propose(std::move(batch)));
}

void Cluster::tick(std::size_t honest, std::uint64_t advance_ms) {
  now_ms_ += advance_ms;
  absorb(honest, engines_[honest].tick(now_ms_));
}

void Cluster::deliver(std::size_t honest, std::size_t index) {
  auto& queue = inbox_[honest];
  if (out_of_deliveries() || queue.empty()) return;
  const auto at = queue.begin() + static_cast<std::ptrdiff_t>(index % queue.size());
  const Envelope envelope = std::move(*at);
  queue.erase(at);
  const std::size_t stripe = stripe_bytes_of(*envelope.message);
  if (stripe > kRoundTripBytesMax) {
    // Past the budget large stripes are lost in transit (so no liveness
    // promise holds any more): one maximal codeword's delivery fits.
    if (large_stripe_bytes_ + stripe > large_stripe_budget(members())) {
      dropped_ = true;
      return;
    }
    large_stripe_bytes_ += stripe;
  }
  ++deliveries_;
  handling_ = envelope.message.get();
  absorb(honest, engines_[honest].handle(envelope.from, *envelope.message));
  handling_ = nullptr;
}

void Cluster::drop(std::size_t honest, std::size_t index) {
  auto& queue = inbox_[honest];
  if (queue.empty()) return;
  queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(index % queue.size()));
  dropped_ = true;
}

void Cluster::duplicate(std::size_t honest, std::size_t index) {
  auto& queue = inbox_[honest];
  if (queue.empty()) return;
  queue.push_back(queue[index % queue.size()]);
}

void Cluster::rotate(std::size_t honest, std::size_t count) {
  auto& queue = inbox_[honest];
  for (std::size_t i = 0; i < count && !queue.empty(); ++i) {
    queue.push_back(std::move(queue.front()));
    queue.pop_front();
  }
}

void Cluster::drain() {
  for (bool progress = true; progress && !out_of_deliveries();) {
    progress = false;
    for (std::size_t i = 0; i < honest_count(); ++i) {
      if (inbox_[i].empty()) continue;
      deliver(i, 0);
      progress = true;
    }
  }
  drained_quiet_ = std::all_of(inbox_.begin(), inbox_.end(), [](const auto& q) { return q.empty(); });
}

Epoch Cluster::lowest_epoch() const {
  Epoch out = engines_.front().current_epoch();
  for (const Engine& e : engines_) out = std::min(out, e.current_epoch());
  return out;
}

Epoch Cluster::highest_epoch() const {
  Epoch out = engines_.front().current_epoch();
  for (const Engine& e : engines_) out = std::max(out, e.current_epoch());
  return out;
}

bool Cluster::send_wire(NodeId from, Bytes wire, Recipients to) {
  DecodeResult decoded = decode(wire, members());
  last_wire_ = std::move(wire);
  last_wire_sender_ = from;
  if (!decoded.ok()) {
    ++byzantine_rejected_;  // stopped at the edge, as a real node would
    return false;
  }
  const auto message = std::make_shared<const Message>(std::move(decoded).message());
  for (std::size_t i = 0; i < honest_count(); ++i) {
    if ((to & only(i)) != 0) inbox_[i].push_back(Envelope{from, message});
  }
  if (to != 0) ++byzantine_sent_;
  return true;
}

bool Cluster::take_forge_budget(std::size_t bytes) {
  if (forged_bytes_ + bytes > forged_bytes_budget(members())) return false;
  forged_bytes_ += bytes;
  return true;
}

void Cluster::absorb(std::size_t honest, Step&& step) {
  const NodeId self = honest_id(honest);
  for (const Fault& fault : step.faults) {
    if (honest_index(fault.node) < honest_count()) {
      const Message* m = handling_;
      violation("node %u blamed honest node %u with %.*s while handling %s", self.value, fault.node.value,
                static_cast<int>(to_string(fault.kind).size()), to_string(fault.kind).data(),
                m == nullptr ? "a local call"
                             : (std::string(kPayloadNames[m->payload.index()]) + " epoch " +
                                std::to_string(m->epoch.value) + " proposer " + std::to_string(m->proposer.value))
                                   .c_str());
    }
  }
  for (OutgoingMessage& out : step.messages) route(honest, std::move(out));
  for (const DecidedEpoch& decided : step.decided) record_decided(honest, decided);
}

void Cluster::route(std::size_t honest, OutgoingMessage&& out) {
  const NodeId self = honest_id(honest);
  if (!out.to.to_all && (!members().contains(out.to.node) || out.to.node == self)) {
    violation("node %u addressed a message to node %u", self.value, out.to.node.value);
  }
  // Through the codec, as on the wire: it must come back unchanged. Only
  // the stripes of a Byzantine proposer's large codeword exceed the bound
  // (honest batches are small); their round trip would cost two copies of
  // MiBs under ASan's byte-wise memmove per broadcast and test nothing the
  // Byzantine copies of those stripes, which are all decoded, do not.
  const std::size_t size = encoded_size(out.message);
  std::shared_ptr<const Message> message;
  if (size <= kRoundTripBytesMax) {
    const Bytes wire = encode(out.message);
    if (wire.size() != size) violation("encoded_size disagrees with encode");
    DecodeResult decoded = decode(wire, members());
    if (!decoded.ok() || !(decoded.message() == out.message)) {
      violation("node %u sent a %s the codec does not round-trip (%.*s)", self.value,
                std::string(kPayloadNames[out.message.payload.index()]).c_str(),
                static_cast<int>(decoded.reason().size()), decoded.reason().data());
    }
    message = std::make_shared<const Message>(std::move(decoded).message());
  } else {
    message = std::make_shared<const Message>(std::move(out.message));
  }
  for (std::size_t j = 0; j < members().n(); ++j) {
    const NodeId to{static_cast<std::uint16_t>(j)};
    if (to == self || (!out.to.to_all && out.to.node != to)) continue;
    const std::size_t h = honest_index(to);
    if (h < honest_count()) {
      inbox_[h].push_back(Envelope{self, message});
      continue;
    }
    // A Byzantine node keeps what it was sent: genuine stripes, roots and
    // votes to act on later (ByzMirror, ByzEcho).
    auto& seen = observed_[byzantine_first_ ? j : j - honest_count()];
    seen.push_back(Envelope{self, message});
    if (seen.size() > kObservedKept) seen.pop_front();
  }
}

void Cluster::record_decided(std::size_t honest, const DecidedEpoch& decided) {
  const NodeId self = honest_id(honest);
  if (decided.epoch.value != next_epoch_[honest]) {
    violation("node %u output epoch %llu, expected %llu", self.value,
              static_cast<unsigned long long>(decided.epoch.value),
              static_cast<unsigned long long>(next_epoch_[honest]));
  }
  ++next_epoch_[honest];
  if (decided.batches.size() < members().quorum()) {
    violation("node %u epoch %llu has %zu batches, fewer than n - f", self.value,
              static_cast<unsigned long long>(decided.epoch.value), decided.batches.size());
  }
  Bytes summary;
  put_u64(summary, decided.epoch.value);
  for (std::size_t i = 0; i < decided.batches.size(); ++i) {
    const DecidedBatch& batch = decided.batches[i];
    if (i > 0 && !(decided.batches[i - 1].proposer < batch.proposer)) {
      violation("node %u epoch %llu: proposers not ascending", self.value,
                static_cast<unsigned long long>(decided.epoch.value));
    }
    const Digest value_digest = sha256(batch.value);
    const std::size_t h = honest_index(batch.proposer);
    if (h < honest_count() && !proposed_[h].contains(value_digest)) {
      violation("node %u epoch %llu carries a batch honest node %u never proposed (%zu bytes)", self.value,
                static_cast<unsigned long long>(decided.epoch.value), batch.proposer.value, batch.value.size());
    }
    put_u64(summary, batch.proposer.value);
    put_u64(summary, batch.value.size());
    summary.insert(summary.end(), value_digest.begin(), value_digest.end());
  }
  const auto [it, first] = decided_.try_emplace(decided.epoch.value, sha256(summary));
  if (!first && it->second != sha256(summary)) {
    violation("agreement: node %u output a different epoch %llu than another honest node", self.value,
              static_cast<unsigned long long>(decided.epoch.value));
  }
}

void Cluster::check_memory() const {
  const std::size_t bound = buffered_bytes_bound(members());
  for (std::size_t i = 0; i < honest_count(); ++i) {
    const std::size_t peak = engines_[i].stats().buffered_bytes_peak;
    if (peak > bound) {
      violation("node %u buffered %zu bytes at its peak, above the bound %zu (n x kPeerStripeBudgetBytes)",
                honest_id(i).value, peak, bound);
    }
    const std::size_t peer_peak = engines_[i].stats().peer_stripe_bytes_peak;
    if (peer_peak > peer_stripe_bytes_bound(members().n())) {
      violation("node %u held %zu stripe bytes of one peer, above peer_stripe_bytes_bound %zu",
                honest_id(i).value, peer_peak, peer_stripe_bytes_bound(members().n()));
    }
  }
}

void Cluster::check_final() const {
  check_memory();
  // Liveness is only promised when every honest message arrives and no node
  // fell more than the window behind (it would then need a certificate).
  const bool lossless = !dropped_ && drained_quiet_ && byzantine_sent_ == 0;
  const bool in_window = std::all_of(engines_.begin(), engines_.end(),
                                     [](const Engine& e) { return e.stats().messages_beyond_window == 0; });
  if (lossless && in_window && lowest_epoch() != highest_epoch()) {
    violation("liveness: after a fair lossless schedule honest nodes stopped at epochs %llu..%llu",
              static_cast<unsigned long long>(lowest_epoch().value),
              static_cast<unsigned long long>(highest_epoch().value));
  }
}

void Cluster::print_summary(std::size_t ops, std::size_t elapsed_ms) const {
  std::size_t peak = 0;
  std::uint64_t faults = 0;
  for (const Engine& e : engines_) {
    peak = std::max(peak, e.stats().buffered_bytes_peak);
    for (const std::uint64_t f : e.stats().faults) faults += f;
  }
  std::fprintf(stderr,
               "engine-fuzz: %zu ms, %zu ops, n=%zu epochs %llu..%llu deliveries %zu%s byzantine sent %zu rejected %zu forged %zu "
               "bytes faults %llu peak buffered %zu%s%s\n",
               elapsed_ms, ops, members().n(), static_cast<unsigned long long>(lowest_epoch().value),
               static_cast<unsigned long long>(highest_epoch().value), deliveries_,
               out_of_deliveries() ? " (cap)" : "", byzantine_sent_, byzantine_rejected_, forged_bytes_,
               static_cast<unsigned long long>(faults), peak, dropped_ ? " dropped" : "",
               drained_quiet_ ? " quiet" : "");
}

}  // namespace quorumclear::quorum::fuzz
