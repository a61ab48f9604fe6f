#pragma once
// Test-only helpers for reliable broadcast: what a (possibly Byzantine)
// proposer commits to, and n RBC instances on a seeded random network.
// Shared by reliable_broadcast_test.cc and rbc_limits_test.cc.

#include "quorum/erasure.h"
#include "quorum/merkle.h"
#include "quorum/reliable_broadcast.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <vector>

namespace quorumclear::quorum::testing_rbc {

inline NodeId node(std::size_t i) { return NodeId{static_cast<std::uint16_t>(i)}; }

inline Bytes random_bytes(std::mt19937_64& rng, std::size_t size) {
  Bytes out(size);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

/// What an (honest or Byzantine) proposer commits to: n stripes and their tree.
struct Commitment {
  std::vector<Bytes> stripes;
  Digest root{};
  std::vector<std::vector<Digest>> branches;

  explicit Commitment(std::vector<Bytes> s) : stripes(std::move(s)) {
    const std::vector<ByteView> leaves(stripes.begin(), stripes.end());
    const MerkleTree tree(leaves);
    root = tree.root();
    for (std::size_t i = 0; i < stripes.size(); ++i) branches.push_back(tree.branch(i));
  }
  RbcVal val(std::size_t i) const { return RbcVal{root, branches[i], stripes[i]}; }
  RbcEcho echo(std::size_t i) const { return RbcEcho{root, branches[i], stripes[i]}; }
};

inline std::vector<Bytes> honest_stripes(const Membership& members, ByteView value) {
  const ErasureCoder coder(members);
  const EncodedValue enc = coder.encode(value);
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < members.n(); ++i) out.emplace_back(enc.stripe(i).begin(), enc.stripe(i).end());
  return out;
}

struct Envelope {
  NodeId from;
  NodeId to;
  RbcPayload payload;
};

/// n instances of one RBC and a network that delivers in seeded random
/// order, optionally duplicating. Silent nodes crashed before the start;
/// Byzantine nodes' traffic is injected by the test and their inbox dropped.
class TestNetwork {
 public:
  TestNetwork(std::size_t n, std::size_t proposer, std::uint64_t seed,
              const std::shared_ptr<ErasureCoder>& coder = nullptr)
      : members(n), proposer_(node(proposer)), rng_(seed), silent(n), byzantine(n), delivered(n), faults(n) {
    for (std::size_t i = 0; i < n; ++i) nodes.emplace_back(members, node(i), proposer_, coder);
  }


  bool honest(std::size_t i) const { return !silent[i] && !byzantine[i]; }

  void propose(ByteView value) { absorb(proposer_, nodes[proposer_.value].propose(value)); }
  void inject(std::size_t from, std::size_t to, RbcPayload payload) {
    pending_.push_back(Envelope{node(from), node(to), std::move(payload)});
  }

  void run() {
    while (!pending_.empty()) {
      const std::size_t pick = rng_() % pending_.size();
      std::swap(pending_[pick], pending_.back());
      Envelope e = std::move(pending_.back());
      pending_.pop_back();
      if (!honest(e.to.value)) continue;
      if (duplicate_per_mille > 0 && rng_() % 1000 < duplicate_per_mille) pending_.push_back(e);
      ++handled;
      ReliableBroadcast& to = nodes[e.to.value];
      absorb(e.to, move_payloads ? to.handle(e.from, std::move(e.payload)) : to.handle(e.from, e.payload));
    }
  }

  std::size_t honest_delivered() const {
    std::size_t count = 0;
    for (std::size_t i = 0; i < members.n(); ++i) count += honest(i) && delivered[i].has_value() ? 1u : 0u;
    return count;
  }

  Membership members;
  std::vector<ReliableBroadcast> nodes;
  std::uint64_t duplicate_per_mille = 0;
  bool move_payloads = false;  // the rvalue handle() instead of the const one
  std::size_t handled = 0;

 private:
  void absorb(NodeId at, ReliableBroadcast::Output out) {
    faults[at.value].insert(faults[at.value].end(), out.faults.begin(), out.faults.end());
    if (out.delivered) {
      EXPECT_FALSE(delivered[at.value].has_value()) << "delivered twice at " << at.value;
      delivered[at.value] = std::move(out.delivered);
    }
    for (auto& [to, payload] : out.messages) {
      if (!to.to_all) {
        EXPECT_NE(to.node, at) << "a node never messages itself";
        pending_.push_back(Envelope{at, to.node, payload});
        continue;
      }
      for (std::size_t j = 0; j < members.n(); ++j) {
        if (j != at.value) pending_.push_back(Envelope{at, node(j), payload});
      }
    }
  }

  NodeId proposer_;
  std::mt19937_64 rng_;
  std::vector<Envelope> pending_;

 public:
  std::vector<bool> silent;
  std::vector<bool> byzantine;
  std::vector<std::optional<Bytes>> delivered;
  std::vector<std::vector<Fault>> faults;
};

inline std::size_t count_faults(const std::vector<Fault>& faults, NodeId from, FaultKind kind) {
  return static_cast<std::size_t>(
      std::count_if(faults.begin(), faults.end(), [&](const Fault& f) { return f.node == from && f.kind == kind; }));
}

}  // namespace quorumclear::quorum::testing_rbc
