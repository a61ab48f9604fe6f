// The engine fuzzer's Byzantine ABA operations (BVAL, AUX, CONF, TERM, coin
// shares), its echoes of what honest nodes sent, and the wire-byte flip;
// argument layouts in engine_fuzz_ops.h.
#include "tests/fuzz/engine_adversary.h"

#include <limits>
#include <type_traits>

namespace quorumclear::quorum::fuzz {
namespace {

Digest junk_digest(std::uint8_t x, std::uint8_t y) {
  const std::uint8_t seed[] = {0x6a, x, y};
  return sha256(ByteView(seed, sizeof(seed)));
}

BoolSet conf_set(std::uint8_t x) { return static_cast<BoolSet>(1 + x % 3); }  // never kNone on the wire

}  // namespace

Round Adversary::round(std::uint8_t selector, std::uint8_t argument, NodeId instance) const {
  switch (selector & 7) {
    case 0: return Round{argument % 4u};
    case 1: return Round{argument % 16u};
    case 2: return Round{2 + 3 * (argument % 8u)};  // threshold-coin rounds
    case 3: return Round{kRoundsMax - 1 - argument % 3u};
    case 4: return Round{kRoundsMax + argument % 3u};
    case 5: return Round{std::numeric_limits<std::uint32_t>::max() - argument % 3u};
    case 6: return Round{argument};
    default: break;
  }
  // Aim at the round honest nodes are in: the latest ABA round they sent us.
  for (std::size_t b = 0; b < cluster_.byzantine_count(); ++b) {
    const auto& seen = cluster_.observed(b);
    for (auto it = seen.rbegin(); it != seen.rend(); ++it) {
      if (it->message->proposer != instance) continue;
      const std::optional<Round> r = std::visit(
          [](const auto& p) -> std::optional<Round> {
            if constexpr (requires { p.round; }) return p.round;
            return std::nullopt;
          },
          it->message->payload);
      if (r) return Round{r->value + argument % 3u};
    }
  }
  return Round{argument % 4u};
}

CoinShare Adversary::share_of(NodeId signer, Epoch e, NodeId inst, Round r) const {
  const Genesis& g = cluster_.genesis();
  return g.coins[signer.value].make_share(CoinName{g.network_id, e, inst, r});
}

// e: bits 0-1 BVAL / AUX / CONF / TERM, bit 2 the value, bits 3-4 the CONF
// set, bit 7 in every instance. f, g: round selector and argument.
void Adversary::vote(const OpRecord& r) {
  const auto [a, b, c, d, e, f, g] = r.arg;
  const NodeId from = sender(a);
  const Epoch at = epoch(b);
  const Recipients to = cluster_.recipients(c);
  const bool value = (e & 4) != 0;
  const std::size_t n = cluster_.members().n();
  const std::size_t first = (e & 0x80) != 0 ? 0 : instance(d).value;
  const std::size_t last = (e & 0x80) != 0 ? n : first + 1;
  for (std::size_t j = first; j < last; ++j) {
    const NodeId inst{static_cast<std::uint16_t>(j)};
    const Round rd = round(f, g, inst);
    Payload p;
    switch (e & 3) {
      case 0: p = AbaBval{rd, value}; break;
      case 1: p = AbaAux{rd, value}; break;
      case 2: p = AbaConf{rd, conf_set(static_cast<std::uint8_t>(e >> 3))}; break;
      default: p = AbaTerm{value}; break;
    }
    cluster_.send(from, Message{at, inst, std::move(p)}, to);
  }
}

// e & 7: 0-1 our genuine share; 2 genuine for round + 3 (another coin);
// 3 point byte e >> 3 flipped; 4 response byte e >> 3 flipped; 5 an honest
// node's genuine share passed off as ours; 6 all 0xff (no point, no
// canonical scalar); 7 our genuine share in every instance.
void Adversary::coin(const OpRecord& r) {
  const auto [a, b, c, d, e, f, g] = r.arg;
  const NodeId from = sender(a);
  const Epoch at = epoch(b);
  const Recipients to = cluster_.recipients(c);
  const std::size_t n = cluster_.members().n();
  const std::uint8_t mode = e & 7;
  const std::size_t byte = e >> 3;
  const std::size_t first = mode == 7 ? 0 : instance(d).value;
  const std::size_t last = mode == 7 ? n : first + 1;
  for (std::size_t j = first; j < last; ++j) {
    const NodeId inst{static_cast<std::uint16_t>(j)};
    const Round rd = round(f, g, inst);
    CoinShare share;
    switch (mode) {
      case 2: share = share_of(from, at, inst, Round{rd.value + 3}); break;
      case 3: share = share_of(from, at, inst, rd); share.point[byte] ^= 1; break;
      case 4: share = share_of(from, at, inst, rd); share.response[byte] ^= 1; break;
      case 5: share = share_of(cluster_.honest_id(byte % cluster_.honest_count()), at, inst, rd); break;
      case 6:
        share.point.fill(0xff);
        share.challenge.fill(0xff);
        share.response.fill(0xff);
        break;
      default: share = share_of(from, at, inst, rd); break;
    }
    cluster_.send(from, Message{at, inst, AbaCoin{rd, share}}, to);
  }
}

Message Adversary::mirrored(NodeId from, const Envelope& seen, std::uint8_t transform) const {
  Message m = *seen.message;
  if (transform == 3) return m;  // a replay under our name
  const bool flip = transform == 1;
  const bool shift = transform == 2;
  std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, RbcVal>) {
          // The honest answer to our VAL: ECHO our stripe.
          RbcEcho echo{p.root, p.branch, p.stripe};
          if (flip && !echo.stripe.empty()) echo.stripe[0] ^= 1;
          m.payload = std::move(echo);
        } else if constexpr (std::is_same_v<T, RbcEcho> || std::is_same_v<T, RbcReady>) {
          m.payload = RbcReady{flip ? junk_digest(0, 1) : p.root};
        } else if constexpr (std::is_same_v<T, AbaCoin>) {
          const Round rd{p.round.value + (flip ? 3u : 0u) + (shift ? 1u : 0u)};
          m.payload = AbaCoin{rd, share_of(from, m.epoch, m.proposer, rd)};
        } else if constexpr (std::is_same_v<T, AbaConf>) {
          if (flip) p.values = p.values == BoolSet::kTrue ? BoolSet::kFalse : BoolSet::kTrue;
          if (shift) p.round.value += 1;
        } else if constexpr (std::is_same_v<T, AbaTerm>) {
          if (flip) p.value = !p.value;
        } else {
          if (flip) p.value = !p.value;
          if (shift) p.round.value += 1;
        }
      },
      m.payload);
  if (shift && m.payload.index() <= 2) m.epoch = m.epoch.next();
  return m;
}

// Acts on what honest nodes sent us: d picks the observed message (e & 8:
// all of them, oldest first), e & 3 the transform: 0 the honest answer
// (VAL -> ECHO, ECHO/READY -> READY, a vote -> the same vote, a share ->
// our share), 1 the opposite, 2 a round (or epoch) later, 3 a replay.
void Adversary::mirror(const OpRecord& r) {
  const auto [a, b, c, d, e, f, g] = r.arg;
  (void)b;
  (void)f;
  (void)g;
  const std::size_t index = sender_index(a);
  const NodeId from = sender(a);
  const auto& seen = cluster_.observed(index);
  if (seen.empty()) return;
  const Recipients to = cluster_.recipients(c);
  const std::uint8_t transform = e & 3;
  if ((e & 8) == 0) {
    cluster_.send(from, mirrored(from, seen[seen.size() - 1 - d % seen.size()], transform), to);
    return;
  }
  // Sending only queues messages for honest nodes, so `seen` stays put.
  for (const Envelope& env : seen) {
    cluster_.send(from, mirrored(from, env, transform), to);
  }
}

// The last Byzantine wire message with one byte changed, if it still decodes.
void Adversary::flip(const OpRecord& r) {
  const auto [a, b, c, d, e, f, g] = r.arg;
  (void)a;
  (void)b;
  Bytes wire = cluster_.last_wire();
  if (wire.empty()) return;
  const std::size_t at = (d | (std::size_t{e} << 8) | (std::size_t{f} << 16)) % wire.size();
  wire[at] ^= g == 0 ? 1 : g;
  cluster_.send_wire(cluster_.last_wire_sender(), std::move(wire), cluster_.recipients(c));
}

}  // namespace quorumclear::quorum::fuzz
