#pragma once
// Byzantine behaviours for the simulator (threat model: quorum/sim/README.md).
// A Byzantine node runs a real Engine, so it takes part in every instance,
// and an Adversary rewrites what that engine sends, per recipient: it may
// drop, alter, multiply or add messages. Only the channel from the Byzantine
// node is under its control: authenticated links mean it can never forge a
// message from an honest node.

#include "quorum/keygen.h"
#include "quorum/sim/sim.h"

#include <functional>
#include <memory>
#include <random>

namespace quorumclear::quorum::sim {

/// Where an adversary's messages go: (recipient, message).
using Emit = std::function<void(NodeId to, Message message)>;

/// What every adversary may know: the membership, its own keys, the
/// network id and the run's batch shape (to craft plausible values).
struct AdversaryContext {
  Membership members;
  NodeId self;
  NodeKeys keys;
  Digest network_id{};
  std::size_t value_bytes = 0;  // size of an honest batch in this run
  /// Which nodes are faulty (colluders know each other), by NodeId.
  std::vector<bool> faulty;
};

class Adversary {
 public:
  virtual ~Adversary() = default;
  /// The Byzantine node's engine wants to send `message` to `to`.
  virtual void on_send(NodeId to, const Message& message, const Emit& emit) = 0;
  /// The Byzantine node received `message` from `from` (before its engine).
  virtual void on_receive(NodeId /*from*/, const Message& /*message*/) {}
};

/// One of the per-node behaviours (not kNone, kCrash or kIssue59, which are
/// network-level). `rng` is the adversary's own seeded generator.
[[nodiscard]] std::unique_ptr<Adversary> make_adversary(AdversaryKind kind, AdversaryContext context,
                                                        std::uint64_t seed);

}  // namespace quorumclear::quorum::sim
