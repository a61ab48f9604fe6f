// Proves that f flooding peers pin no more than the per-peer budget in an
// honest engine, however large the stripes they send (issue 11, item 2): the
// largest a peer can pin, maximum-size stripes under junk roots in every
// instance of every live epoch, is exactly peer_stripe_bytes_bound(n), and
// that is within kPeerStripeBudgetBytes.

#include "quorum/engine.h"
#include "quorum/erasure.h"
#include "quorum/merkle.h"
#include "quorum/sim/seeded_random.h"

#include <gtest/gtest.h>

#include <random>

namespace quorumclear::quorum {
namespace {

NodeId node(std::size_t i) { return NodeId{static_cast<std::uint16_t>(i)}; }

/// A Merkle tree over n random maximum-size stripes: a root no honest
/// proposer made, with a valid branch for every leaf.
struct JunkTree {
  std::vector<Bytes> leaves;
  Digest root{};
  std::vector<std::vector<Digest>> branches;

  JunkTree(const Membership& members, std::mt19937_64& rng) {
    const std::size_t stripe = erasure_max_stripe_bytes(members);
    for (std::size_t i = 0; i < members.n(); ++i) {
      Bytes leaf(stripe);
      for (auto& b : leaf) b = static_cast<std::uint8_t>(rng());
      leaves.push_back(std::move(leaf));
    }
    const std::vector<ByteView> views(leaves.begin(), leaves.end());
    const MerkleTree tree(views);
    root = tree.root();
    for (std::size_t i = 0; i < members.n(); ++i) branches.push_back(tree.branch(i));
  }
};

class FloodedEngine : public ::testing::TestWithParam<std::size_t> {};

TEST_P(FloodedEngine, FaultyPeersPinAtMostTheBudgetEach) {
  const std::size_t n = GetParam();
  const Membership members(n);
  const auto keys = deal_keys(members, sim::seeded_random(n));
  EngineConfig cfg;
  cfg.idle_heartbeat_ms = 0;
  Engine engine(members, node(0), keys[0], cfg, Epoch{0});
  std::mt19937_64 rng(n);
  std::size_t faults = 0;
  for (std::size_t p = n - members.f(); p < n; ++p) {
    const JunkTree junk(members, rng);
    for (std::uint64_t e = 0; e <= kEpochWindow; ++e) {
      // Its own VAL to us, and its ECHO in every instance: n + 1 stripes.
      Step step = engine.handle(node(p), Message{Epoch{e}, node(p), RbcVal{junk.root, junk.branches[0], junk.leaves[0]}});
      faults += step.faults.size();
      for (std::size_t j = 0; j < n; ++j) {
        step = engine.handle(node(p), Message{Epoch{e}, node(j), RbcEcho{junk.root, junk.branches[p], junk.leaves[p]}});
        faults += step.faults.size();
      }
    }
  }
  const EngineStats& stats = engine.stats();
  EXPECT_EQ(faults, 0u) << "each stripe is a proven leaf, within the budget: no evidence of a fault";
  EXPECT_EQ(stats.epochs_decided, 0u);
  EXPECT_EQ(stats.peer_stripe_bytes_peak, peer_stripe_bytes_bound(n)) << "the bound is reached, not exceeded";
  EXPECT_LE(stats.peer_stripe_bytes_peak, kPeerStripeBudgetBytes);
  // Everything held: the f flooders' stripes plus our own small state.
  EXPECT_LE(stats.buffered_bytes_peak, members.f() * kPeerStripeBudgetBytes + (1u << 20));
}

INSTANTIATE_TEST_SUITE_P(Sizes, FloodedEngine, ::testing::Values(4, 13, 31));

}  // namespace
}  // namespace quorumclear::quorum
