#pragma once
// Every message one quorum engine sends another. Each names its instance by
// (epoch, proposer): RBC(e, j) and ABA(e, j) share the pair. The canonical
// byte encoding is in quorum/codec.h.

#include "quorum/types.h"

#include <array>
#include <variant>

namespace quorumclear::quorum {

// --- Reliable broadcast (erasure-coded Bracha) ---------------------------

/// Proposer -> node i: stripe i of the value and its Merkle branch to root.
struct RbcVal {
  Digest root{};
  std::vector<Digest> branch;  // leaf-to-root sibling hashes
  Bytes stripe;
  friend bool operator==(const RbcVal&, const RbcVal&) = default;
};

/// Node i -> all: "I hold stripe i under root", forwarding its stripe.
struct RbcEcho {
  Digest root{};
  std::vector<Digest> branch;
  Bytes stripe;
  friend bool operator==(const RbcEcho&, const RbcEcho&) = default;
};

/// Node i -> all: "enough nodes hold stripes under root to reconstruct it".
struct RbcReady {
  Digest root{};
  friend bool operator==(const RbcReady&, const RbcReady&) = default;
};

// --- Binary agreement ----------------------------------------------------

/// A set of binary values, as carried by CONF. Encoded as a bitmask:
/// bit 0 = false is in the set, bit 1 = true is in the set.
enum class BoolSet : std::uint8_t { kNone = 0, kFalse = 1, kTrue = 2, kBoth = 3 };

struct AbaBval {
  Round round;
  bool value = false;
  friend bool operator==(const AbaBval&, const AbaBval&) = default;
};

struct AbaAux {
  Round round;
  bool value = false;
  friend bool operator==(const AbaAux&, const AbaAux&) = default;
};

/// CONF carries the AUX-phase set `vals`, not bin_values (issue 59).
/// Never kNone on the wire.
struct AbaConf {
  Round round;
  BoolSet values = BoolSet::kNone;
  friend bool operator==(const AbaConf&, const AbaConf&) = default;
};

/// A node's share of the threshold coin for (network, epoch, proposer,
/// round), with a Chaum-Pedersen proof (challenge, response) that it was
/// made with the node's secret key share. All three are ristretto255
/// encodings (a point, two scalars); validity is checked by the coin.
struct CoinShare {
  std::array<std::uint8_t, 32> point{};
  std::array<std::uint8_t, 32> challenge{};
  std::array<std::uint8_t, 32> response{};
  friend bool operator==(const CoinShare&, const CoinShare&) = default;
};

struct AbaCoin {
  Round round;
  CoinShare share;
  friend bool operator==(const AbaCoin&, const AbaCoin&) = default;
};

/// "I decided `value`": counts as this node's BVAL, AUX and CONF for
/// `value` in every later round.
struct AbaTerm {
  bool value = false;
  friend bool operator==(const AbaTerm&, const AbaTerm&) = default;
};

using RbcPayload = std::variant<RbcVal, RbcEcho, RbcReady>;
using AbaPayload = std::variant<AbaBval, AbaAux, AbaConf, AbaCoin, AbaTerm>;
using Payload = std::variant<RbcVal, RbcEcho, RbcReady, AbaBval, AbaAux, AbaConf, AbaCoin, AbaTerm>;

/// One engine-to-engine message.
struct Message {
  Epoch epoch;
  NodeId proposer;  // which RBC/ABA instance of the epoch
  Payload payload;
  friend bool operator==(const Message&, const Message&) = default;
};

}  // namespace quorumclear::quorum
