// The engine fuzzer's Byzantine RBC operations (forged codewords, ECHO,
// READY) and the selectors all operations share; layouts in engine_fuzz_ops.h.
#include "tests/fuzz/engine_adversary.h"

#include <algorithm>
#include <array>
#include <limits>

namespace quorumclear::quorum::fuzz {
namespace {

Digest junk_digest(std::uint8_t x, std::uint8_t y) {
  const std::uint8_t seed[] = {0x6a, x, y};
  return sha256(ByteView(seed, sizeof(seed)));
}

bool same_spec(const FrameSpec& x, const FrameSpec& y) {
  return x.stripe_bytes == y.stripe_bytes && x.header_length == y.header_length && x.fill == y.fill &&
         x.junk_padding == y.junk_padding && x.corrupt_parity == y.corrupt_parity;
}

}  // namespace

// Forging and hashing a maximal codeword (tens of MiB) would dominate every
// input that sends one, and mutated inputs send the same ones again and
// again: the last few stay cached across inputs. The bytes depend only on
// (n, spec), so a cached codeword is exactly the one forge() would build.
// Fixed slots, primed at start-up and replaced in turn: a replacement frees
// as many blocks as it allocates, so libFuzzer's leak heuristic (more
// mallocs than frees in an input) does not run the input again under
// LeakSanitizer, which for a maximal codeword doubled its cost.
namespace {

struct CacheEntry {
  std::size_t n = 0;
  FrameSpec spec;
  std::shared_ptr<const Adversary::Codeword> codeword;
};
std::array<CacheEntry, 3> codeword_cache;
std::size_t codeword_cache_next = 0;

}  // namespace

std::shared_ptr<const Adversary::Codeword> Adversary::codeword_for(const Genesis& genesis, const FrameSpec& spec) {
  for (const CacheEntry& e : codeword_cache) {
    if (e.codeword && e.n == genesis.members.n() && same_spec(e.spec, spec)) return e.codeword;
  }
  EncodedValue stripes = genesis.forge.forge(spec);
  const std::vector<ByteView> leaves = stripes.stripes();
  MerkleTree tree(leaves);
  CacheEntry& slot = codeword_cache[codeword_cache_next];
  codeword_cache_next = (codeword_cache_next + 1) % codeword_cache.size();
  slot = CacheEntry{genesis.members.n(), spec,
                    std::make_shared<const Codeword>(Codeword{std::move(stripes), std::move(tree)})};
  return slot.codeword;
}

void Adversary::prime_codeword_cache(const Genesis& genesis) {
  for (std::size_t i = 0; i < codeword_cache.size(); ++i) {
    const std::size_t stripe = erasure_min_stripe_bytes(genesis.members);
    (void)codeword_for(genesis, FrameSpec{stripe, 0, static_cast<std::uint8_t>(0xe0 + i)});
  }
}

void Adversary::run(const OpRecord& r) {
  switch (r.op) {
    case Op::kByzVal: return val(r);
    case Op::kByzMaxVal: return max_val(r);
    case Op::kByzEcho: return echo(r);
    case Op::kByzReady: return ready(r);
    case Op::kByzVote: return vote(r);
    case Op::kByzCoin: return coin(r);
    case Op::kByzMirror: return mirror(r);
    case Op::kByzFlip: return flip(r);
    default: return;
  }
}

NodeId Adversary::sender(std::uint8_t a) const { return cluster_.byzantine_id(sender_index(a)); }

Epoch Adversary::epoch(std::uint8_t selector) const {
  const std::uint64_t base = cluster_.lowest_epoch().value;
  switch (selector & 0x0f) {
    case 8: return Epoch{base + 1};
    case 9: return Epoch{base + 2};
    case kEpochWindowEdge: return Epoch{base + kEpochWindow};
    case kEpochBeyondWindow: return Epoch{base + kEpochWindow + 1};
    case 12: return Epoch{base == 0 ? 0 : base - 1};
    case 13: return cluster_.highest_epoch();
    case 14: return Epoch{std::numeric_limits<std::uint64_t>::max()};
    case 15: return Epoch{base + (std::uint64_t{1} << 32)};
    default: return Epoch{base};
  }
}

const Adversary::Forged* Adversary::forged(std::uint8_t which) const {
  if (forged_.empty()) return nullptr;
  return &forged_[forged_.size() - 1 - which % forged_.size()];
}

const Adversary::Forged* Adversary::forge_and_send(NodeId from, Epoch e, NodeId proposer, const FrameSpec& spec,
                                                   Recipients to) {
  const Membership& members = cluster_.members();
  if (!cluster_.take_forge_budget(members.n() * spec.stripe_bytes)) return nullptr;
  if (forged_.size() == kForgedKept) forged_.erase(forged_.begin());
  forged_.push_back(Forged{e, proposer, codeword_for(cluster_.genesis(), spec)});
  const Forged& f = forged_.back();
  const Codeword& cw = *f.codeword;
  for (std::size_t i = 0; i < cluster_.honest_count(); ++i) {
    if ((to & cluster_.only(i)) == 0) continue;
    const NodeId id = cluster_.honest_id(i);
    const ByteView stripe = cw.stripes.stripe(id.value);
    cluster_.send(from, Message{e, proposer, RbcVal{cw.tree.root(), cw.tree.branch(id.value),
                                                     Bytes(stripe.begin(), stripe.end())}},
                  cluster_.only(i));
  }
  return &f;
}

// d: bits 0-1 stripe mode (honest for L, large, smallest, honest + 1..4),
// bits 2-3 header mode (L, the frame capacity - delta, kBatchBytesMax - 8 +
// delta, a huge length), 4 junk padding, 5 corrupt parity, 6 equivocate (a
// second codeword to the other honest nodes; with all as recipients, the
// even ones get the first and the odd ones the second),
// 7 VAL in another proposer's instance. e|f<<8: value length L.
// g: bits 0-1 the stripe mode's small number, 4-7 the header delta.
void Adversary::val(const OpRecord& r) {
  const auto [a, b, c, d, e, f, g] = r.arg;
  const Membership& members = cluster_.members();
  const std::size_t k = members.data_stripes();
  const std::size_t min_stripe = erasure_min_stripe_bytes(members);
  const std::size_t max_stripe = erasure_max_stripe_bytes(members);
  const std::size_t length = e | (std::size_t{f} << 8);
  const std::size_t honest_stripe = std::min(erasure_stripe_bytes(length, k), max_stripe);
  std::size_t stripe = honest_stripe;
  switch (d & 3) {
    // Large but not maximal (64 .. 512 KiB): kByzMaxVal owns the bound, and
    // a maximal codeword costs about a second per input to deliver.
    case 1: stripe = (std::size_t{64} << 10) << (g & 3u); break;
    case 2: stripe = min_stripe + (g & 3u); break;
    case 3: stripe = honest_stripe + 1 + (g & 3u); break;  // room for non-minimal padding
    default: break;
  }
  stripe = std::clamp(stripe, min_stripe, max_stripe);
  const std::size_t capacity = cluster_.genesis().forge.capacity(stripe);
  const std::size_t header_delta = g >> 4;
  std::uint64_t header = length;
  switch ((d >> 2) & 3) {
    case 1: header = capacity - std::min(header_delta, capacity); break;
    case 2: header = kBatchBytesMax - 8 + header_delta; break;
    case 3: header = std::numeric_limits<std::uint64_t>::max() >> (4 * header_delta); break;
    default: break;
  }
  const FrameSpec spec{stripe, header, static_cast<std::uint8_t>((b >> 4) * 0x11), (d & 0x10) != 0,
                       (d & 0x20) != 0};
  const NodeId from = sender(a);
  const NodeId proposer = (d & 0x80) != 0 ? instance(a >> 2) : from;
  const Epoch at = epoch(b);
  const Recipients all = cluster_.recipients(0);
  Recipients to = cluster_.recipients(c);
  const bool equivocate = (d & 0x40) != 0;
  if (equivocate && to == all) to &= 0x55555555u;
  forge_and_send(from, at, proposer, spec, to);
  if (equivocate && (all & ~to) != 0) {
    // Another value under another root to everyone else.
    FrameSpec other = spec;
    other.fill = static_cast<std::uint8_t>(~spec.fill);
    forge_and_send(from, at, proposer, other, all & ~to);
  }
}

// The largest codewords: the stripe bound and the frame capacity, where
// rounding makes k * stripe - 8 exceed kBatchBytesMax whenever k does not
// divide kBatchBytesMax + 8 (issue 11, item 1). Boundaries are where the
// bugs are, and a valid maximal value costs seconds to deliver under ASan
// at n = 13, so each delta is zero fifteen times in sixteen: d & 15 == 15
// takes 1 or 2 (bit 7) off the stripe, d >> 4 == 15 takes 1..4 (bits 0-1)
// off the header. b & 3: an epoch inside the window. Unless f == 0xff, every
// faulty id (the proposer too) also ECHOes its leaf and READYs the root, as
// a coalition would, so n - 2f honest recipients suffice to deliver.
void Adversary::max_val(const OpRecord& r) {
  const auto [a, b, c, d, e, f, g] = r.arg;
  (void)g;
  const std::size_t stripe_delta = (d & 15u) == 15 ? 1 + (d >> 7) : 0;
  const std::size_t header_delta = (d >> 4) == 15 ? 1 + (d & 3u) : 0;
  const std::size_t stripe = erasure_max_stripe_bytes(cluster_.members()) - stripe_delta;
  const std::size_t capacity = cluster_.genesis().forge.capacity(stripe);
  const FrameSpec spec{stripe, capacity - header_delta, e, false, false};
  const NodeId from = sender(a);
  const Recipients to = cluster_.recipients(c);
  const Forged* sent = forge_and_send(from, Epoch{cluster_.lowest_epoch().value + (b & 3u)}, from, spec, to);
  if (sent == nullptr || f == 0xff) return;
  for (std::size_t i = 0; i < cluster_.byzantine_count(); ++i) {
    const NodeId colluder = cluster_.byzantine_id(i);
    cluster_.send(colluder, echo_of(*sent, colluder.value, sent->epoch, from), to);
    cluster_.send(colluder, Message{sent->epoch, from, RbcReady{sent->codeword->tree.root()}}, to);
  }
}

Message Adversary::echo_of(const Forged& f, std::size_t leaf, Epoch e, NodeId proposer) const {
  const Codeword& cw = *f.codeword;
  const ByteView stripe = cw.stripes.stripe(leaf);
  return Message{e, proposer, RbcEcho{cw.tree.root(), cw.tree.branch(leaf), Bytes(stripe.begin(), stripe.end())}};
}

void Adversary::echo(const OpRecord& r) {
  for_senders(r.arg[0], [&](std::size_t byzantine) { echo_from(byzantine, r); });
}

// e & 7: 0 own leaf of a forged codeword in its instance; 1 the same in the
// instance d of epoch b (a valid branch under an unrelated root); 2 junk
// root; 3 another node's leaf; 4 relay of a VAL an honest proposer sent us
// (honest behaviour); 5 branch one short; 6 stripe byte g flipped; 7 mode 1
// in every instance of epoch b at once.
void Adversary::echo_from(std::size_t byzantine, const OpRecord& r) {
  const auto [a, b, c, d, e, f, g] = r.arg;
  (void)a;
  const NodeId from = cluster_.byzantine_id(byzantine);
  const Recipients to = cluster_.recipients(c);
  const std::uint8_t mode = e & 7;
  if (mode == 4) {
    const auto& seen = cluster_.observed(byzantine);
    for (std::size_t i = 0; i < seen.size(); ++i) {
      const Envelope& env = seen[seen.size() - 1 - (f + i) % seen.size()];
      if (const auto* v = std::get_if<RbcVal>(&env.message->payload)) {
        cluster_.send(from, Message{env.message->epoch, env.message->proposer, RbcEcho{v->root, v->branch, v->stripe}},
                      to);
        return;
      }
    }
    return;
  }
  const Forged* fw = forged(f);
  if (fw == nullptr) return;
  Message m = echo_of(*fw, from.value, fw->epoch, fw->proposer);
  auto& payload = std::get<RbcEcho>(m.payload);
  switch (mode) {
    case 1: m.epoch = epoch(b); m.proposer = instance(d); break;
    case 2: payload.root = junk_digest(d, g); break;
    case 3: m = echo_of(*fw, (from.value + 1) % cluster_.members().n(), fw->epoch, fw->proposer); break;
    case 5: if (!payload.branch.empty()) payload.branch.pop_back(); break;
    case 6: if (!payload.stripe.empty()) payload.stripe[g % payload.stripe.size()] ^= 0x80; break;
    case 7:
      for (std::size_t j = 0; j < cluster_.members().n(); ++j) {
        m.epoch = epoch(b);
        m.proposer = NodeId{static_cast<std::uint16_t>(j)};
        cluster_.send(from, m, to);
      }
      return;
    default: break;
  }
  cluster_.send(from, m, to);
}

void Adversary::ready(const OpRecord& r) {
  for_senders(r.arg[0], [&](std::size_t byzantine) { ready_from(byzantine, r); });
}

// e & 3: 0 a forged root in its own instance; 1 a forged root in instance d
// of epoch b; 2 the root of an RBC message honest nodes sent us (f picks
// which), in its instance; 3 a junk root. e & 4: in every instance.
void Adversary::ready_from(std::size_t byzantine, const OpRecord& r) {
  const auto [a, b, c, d, e, f, g] = r.arg;
  (void)a;
  const NodeId from = cluster_.byzantine_id(byzantine);
  std::optional<Message> m;
  if ((e & 3) == 0 || (e & 3) == 1) {
    if (const Forged* fw = forged(f)) m = Message{fw->epoch, fw->proposer, RbcReady{fw->codeword->tree.root()}};
    if (m && (e & 3) == 1) {
      m->epoch = epoch(b);
      m->proposer = instance(d);
    }
  } else if ((e & 3) == 2) {
    const auto& seen = cluster_.observed(byzantine);
    for (std::size_t i = 0; i < seen.size() && !m; ++i) {
      const Message& s = *seen[seen.size() - 1 - (f + i) % seen.size()].message;
      std::visit(
          [&](const auto& p) {
            if constexpr (requires { p.root; }) m = Message{s.epoch, s.proposer, RbcReady{p.root}};
          },
          s.payload);
    }
  } else {
    m = Message{epoch(b), instance(d), RbcReady{junk_digest(f, g)}};
  }
  if (!m) return;
  const Recipients to = cluster_.recipients(c);
  if ((e & 4) == 0) {
    cluster_.send(from, *m, to);
    return;
  }
  for (std::size_t j = 0; j < cluster_.members().n(); ++j) {
    m->proposer = NodeId{static_cast<std::uint16_t>(j)};
    cluster_.send(from, *m, to);
  }
}

}  // namespace quorumclear::quorum::fuzz
