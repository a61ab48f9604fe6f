// Proves erasure-coded reliable broadcast delivers the proposer's value at
// every honest node under random message order, duplication and f crashed
// nodes, never lets honest nodes deliver different values when the proposer
// equivocates, rejects bad stripes and non-codeword encodings (also at the
// proposer, which checks its own stripes by comparing bytes), behaves the
// same whether messages are copied or moved in and whether the coder is
// shared, and keeps its memory bounded whatever Byzantine peers send.
#include "quorum/reliable_broadcast.h"

#include "quorum/erasure.h"
#include "quorum/merkle.h"
#include "quorum/rbc_test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace quorumclear::quorum {
namespace {

using namespace testing_rbc;

TEST(ReliableBroadcast, HonestProposerEveryoneDeliversUnderRandomOrderAndDuplication) {
  for (std::size_t n : {4u, 7u, 16u}) {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      std::mt19937_64 rng(seed * 1000 + n);
      const std::size_t proposer = rng() % n;
      const Bytes value = random_bytes(rng, rng() % 5000);
      TestNetwork net(n, proposer, seed);
      net.duplicate_per_mille = 100;
      net.propose(value);
      net.run();
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_TRUE(net.delivered[i].has_value()) << "n=" << n << " seed=" << seed << " node " << i;
        EXPECT_EQ(*net.delivered[i], value);
        EXPECT_TRUE(net.nodes[i].has_delivered());
        EXPECT_TRUE(net.faults[i].empty()) << "duplicates are no fault";
      }
    }
  }
}

TEST(ReliableBroadcast, DeliversWithFSilentNodes) {
  for (std::size_t n : {4u, 7u, 16u}) {
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      const Membership members(n);
      TestNetwork net(n, 0, seed);
      // Crash f nodes other than the proposer, spread over the ids.
      std::mt19937_64 rng(seed);
      std::vector<std::size_t> others;
      for (std::size_t i = 1; i < n; ++i) others.push_back(i);
      std::shuffle(others.begin(), others.end(), rng);
      for (std::size_t c = 0; c < members.f(); ++c) net.silent[others[c]] = true;
      const Bytes value = random_bytes(rng, 777);
      net.propose(value);
      net.run();
      EXPECT_EQ(net.honest_delivered(), n - members.f()) << "n=" << n << " seed=" << seed;
      for (std::size_t i = 0; i < n; ++i) {
        if (net.honest(i)) {
          EXPECT_EQ(net.delivered[i], value);
        }
      }
    }
  }
}

std::size_t count_readies(const ReliableBroadcast::Output& out) {
  return static_cast<std::size_t>(std::count_if(out.messages.begin(), out.messages.end(), [](const auto& m) {
    return std::holds_alternative<RbcReady>(m.second);
  }));
}

TEST(ReliableBroadcast, MovedAndCopiedMessagesGiveTheSameRun) {
  for (std::size_t n : {4u, 7u}) {
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      std::mt19937_64 rng(seed + 100 * n);
      const Bytes value = random_bytes(rng, 300 + rng() % 3000);
      const Commitment bad(honest_stripes(Membership(n), random_bytes(rng, value.size())));
      const std::size_t byz = n - 1;
      std::vector<TestNetwork> runs;
      for (bool move : {false, true}) {
        TestNetwork& net = runs.emplace_back(n, 0, seed);
        net.byzantine[byz] = true;
        net.duplicate_per_mille = 100;
        net.move_payloads = move;
        // A Byzantine ECHO under another root, and one that equivocates.
        for (std::size_t to = 0; to < byz; ++to) net.inject(byz, to, bad.echo(byz));
        for (std::size_t to = 0; to < byz; ++to) net.inject(byz, to, bad.echo(to));
        net.propose(value);
        net.run();
      }
      EXPECT_EQ(runs[0].handled, runs[1].handled);
      for (std::size_t i = 0; i < byz; ++i) {
        EXPECT_EQ(runs[1].delivered[i], value) << "n=" << n << " seed=" << seed << " node " << i;
        EXPECT_EQ(runs[0].delivered[i], runs[1].delivered[i]);
        EXPECT_EQ(runs[0].faults[i], runs[1].faults[i]);
        EXPECT_EQ(runs[0].nodes[i].buffered_bytes(), runs[1].nodes[i].buffered_bytes());
      }
    }
  }
}

TEST(ReliableBroadcast, InstancesSharingOneCoderDeliverEveryProposersValue) {
  const Membership members(7);
  const auto coder = std::make_shared<ErasureCoder>(members);
  std::mt19937_64 rng(5);
  std::vector<TestNetwork> nets;
  std::vector<Bytes> values;
  for (std::size_t proposer = 0; proposer < 7; ++proposer) {
    nets.emplace_back(7, proposer, proposer, coder);
    values.push_back(random_bytes(rng, 100 * proposer));
  }
  // Interleaved, so the coder's decode-plan cache serves several instances.
  for (std::size_t proposer = 0; proposer < 7; ++proposer) nets[proposer].propose(values[proposer]);
  for (TestNetwork& net : nets) net.run();
  for (std::size_t proposer = 0; proposer < 7; ++proposer) {
    for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(nets[proposer].delivered[i], values[proposer]) << proposer;
  }
}

TEST(ReliableBroadcast, ProposerRejectsForgedEchoesOfItsOwnStripes) {
  // The proposer checks ECHOs of its own stripes by comparing bytes; every
  // forgery must still fail exactly as a hashed check fails.
  const Membership members(4);
  const Bytes value(900, 0x33);
  ReliableBroadcast rbc(members, node(0), node(0));
  auto proposed = rbc.propose(value);
  std::vector<std::optional<RbcVal>> vals(4);
  for (auto& [to, payload] : proposed.messages) {
    if (const auto* val = std::get_if<RbcVal>(&payload)) vals[to.node.value] = *val;
  }
  const auto echo_of = [&](std::size_t i) { return RbcEcho{vals[i]->root, vals[i]->branch, vals[i]->stripe}; };
  const auto expect_fault = [&](std::size_t from, RbcEcho echo, FaultKind kind) {
    const auto out = rbc.handle(node(from), std::move(echo));
    EXPECT_EQ(out.faults, (std::vector<Fault>{Fault{node(from), kind}})) << from;
    EXPECT_TRUE(out.messages.empty());
  };
  expect_fault(1, echo_of(2), FaultKind::kInvalidMerkleBranch);  // another node's stripe
  RbcEcho bad_branch = echo_of(2);
  bad_branch.branch[0][7] ^= 1;
  expect_fault(2, bad_branch, FaultKind::kInvalidMerkleBranch);
  RbcEcho bad_root = echo_of(3);
  bad_root.root[0] ^= 1;
  expect_fault(3, bad_root, FaultKind::kInvalidMerkleBranch);
  RbcEcho short_stripe = echo_of(3);
  short_stripe.stripe.pop_back();
  expect_fault(3, short_stripe, FaultKind::kInvalidMerkleBranch);
  RbcEcho no_stripe = echo_of(3);
  no_stripe.stripe.clear();
  expect_fault(3, no_stripe, FaultKind::kInvalidStripeSize);
  // The genuine ECHOs still count: with ours, 3 = n - f gives READY.
  EXPECT_TRUE(rbc.handle(node(1), echo_of(1)).faults.empty());
  const auto ready = rbc.handle(node(2), echo_of(2));
  EXPECT_TRUE(ready.faults.empty());
  EXPECT_EQ(count_readies(ready), 1u);
  EXPECT_FALSE(rbc.handle(node(1), RbcReady{vals[1]->root}).delivered.has_value());
  EXPECT_EQ(rbc.handle(node(2), RbcReady{vals[1]->root}).delivered, value);
}

TEST(ReliableBroadcast, EmptyValueDelivers) {
  for (std::size_t n : {1u, 2u, 4u, 7u}) {
    TestNetwork net(n, n - 1, 3);
    net.propose(Bytes{});
    net.run();
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_TRUE(net.delivered[i].has_value()) << n;
      EXPECT_TRUE(net.delivered[i]->empty());
    }
  }
}

TEST(ReliableBroadcast, SingleNodeDeliversOnPropose) {
  ReliableBroadcast rbc(Membership(1), node(0), node(0));
  const Bytes value{1, 2, 3};
  auto out = rbc.propose(value);
  EXPECT_EQ(out.delivered, value);
  EXPECT_TRUE(rbc.has_delivered());
}

TEST(ReliableBroadcast, ProposeSendsOneValPerOtherNodeAndOneEcho) {
  const Membership members(7);
  ReliableBroadcast rbc(members, node(2), node(2));
  auto out = rbc.propose(Bytes(100, 7));
  std::vector<int> vals(7, 0);
  std::size_t echoes = 0;
  for (const auto& [to, payload] : out.messages) {
    if (std::holds_alternative<RbcVal>(payload)) {
      ASSERT_FALSE(to.to_all);
      ++vals[to.node.value];
    } else {
      ASSERT_TRUE(std::holds_alternative<RbcEcho>(payload));
      EXPECT_TRUE(to.to_all);
      ++echoes;
    }
  }
  EXPECT_EQ(vals, (std::vector<int>{1, 1, 0, 1, 1, 1, 1}));
  EXPECT_EQ(echoes, 1u);
  EXPECT_FALSE(out.delivered.has_value());
}

// n = 4, f = 1: READY at 3 ECHO or 2 READY, deliver at 3 READY and 2 ECHO.
class RbcThresholds : public ::testing::Test {
 protected:
  Membership members{4};
  Bytes value{5, 4, 3, 2, 1, 0, 9, 9, 9};
  Commitment good{honest_stripes(members, value)};
  ReliableBroadcast rbc{members, node(1), node(0)};
};

TEST_F(RbcThresholds, EchoQuorumThenReadyQuorumDelivers) {
  auto out = rbc.handle(node(0), good.val(1));
  ASSERT_EQ(out.messages.size(), 1u);
  EXPECT_EQ(out.messages[0].second, RbcPayload(good.echo(1)));
  EXPECT_EQ(count_readies(rbc.handle(node(2), good.echo(2))), 0u);  // 2 ECHO

  // Corrupted stripe and wrong branch from node 3: faults, not counted.
  RbcEcho corrupt = good.echo(3);
  corrupt.stripe[0] ^= 1;
  out = rbc.handle(node(3), corrupt);
  EXPECT_EQ(out.faults, (std::vector<Fault>{{node(3), FaultKind::kInvalidMerkleBranch}}));
  EXPECT_EQ(count_readies(out), 0u);
  RbcEcho wrong_branch = good.echo(3);
  wrong_branch.branch[0][0] ^= 1;
  out = rbc.handle(node(3), wrong_branch);
  EXPECT_EQ(out.faults, (std::vector<Fault>{{node(3), FaultKind::kInvalidMerkleBranch}}));
  RbcEcho short_branch = good.echo(3);
  short_branch.branch.pop_back();
  out = rbc.handle(node(3), short_branch);
  EXPECT_EQ(out.faults, (std::vector<Fault>{{node(3), FaultKind::kInvalidMerkleBranch}}));
  RbcEcho someone_elses = good.echo(2);  // a valid stripe, but not node 3's
  out = rbc.handle(node(3), someone_elses);
  EXPECT_EQ(out.faults, (std::vector<Fault>{{node(3), FaultKind::kInvalidMerkleBranch}}));
  RbcEcho too_short = good.echo(3);
  too_short.stripe.resize(erasure_min_stripe_bytes(members) - 1);
  out = rbc.handle(node(3), too_short);
  EXPECT_EQ(out.faults, (std::vector<Fault>{{node(3), FaultKind::kInvalidStripeSize}}));

  out = rbc.handle(node(3), good.echo(3));  // 3 ECHO = n - f
  EXPECT_TRUE(out.faults.empty());
  EXPECT_EQ(count_readies(out), 1u);
  EXPECT_EQ(count_readies(rbc.handle(node(2), RbcReady{good.root})), 0u);  // own + 1
  EXPECT_FALSE(rbc.has_delivered());
  out = rbc.handle(node(3), RbcReady{good.root});  // 3 READY = 2f + 1
  ASSERT_TRUE(out.delivered.has_value());
  EXPECT_EQ(*out.delivered, value);
  EXPECT_TRUE(rbc.handle(node(0), RbcReady{good.root}).messages.empty());
}

TEST_F(RbcThresholds, ReadyAmplificationThenKEchoesDeliver) {
  EXPECT_EQ(count_readies(rbc.handle(node(2), RbcReady{good.root})), 0u);
  auto out = rbc.handle(node(3), RbcReady{good.root});  // f + 1 READY
  EXPECT_EQ(count_readies(out), 1u);
  out = rbc.handle(node(0), RbcReady{good.root});
  EXPECT_FALSE(out.delivered.has_value()) << "no stripes yet";
  out = rbc.handle(node(2), good.echo(2));
  EXPECT_FALSE(out.delivered.has_value()) << "1 of k = 2 stripes";
  out = rbc.handle(node(3), good.echo(3));  // two parity stripes reconstruct
  ASSERT_TRUE(out.delivered.has_value());
  EXPECT_EQ(*out.delivered, value);
  EXPECT_TRUE(out.faults.empty());
}

TEST_F(RbcThresholds, DuplicatesAreIgnoredAndEquivocationIsAFault) {
  (void)rbc.handle(node(0), good.val(1));
  auto out = rbc.handle(node(0), good.val(1));
  EXPECT_TRUE(out.messages.empty());
  EXPECT_TRUE(out.faults.empty());
  const Commitment other(honest_stripes(members, Bytes{42}));
  out = rbc.handle(node(0), other.val(1));
  EXPECT_EQ(out.faults, (std::vector<Fault>{{node(0), FaultKind::kDuplicateMessage}}));
  out = rbc.handle(node(2), good.val(1));
  EXPECT_EQ(out.faults, (std::vector<Fault>{{node(2), FaultKind::kValNotFromProposer}}));

  // The same ECHO twice counts once: 2 ECHO, not the 3 that trigger READY.
  EXPECT_EQ(count_readies(rbc.handle(node(2), good.echo(2))), 0u);
  out = rbc.handle(node(2), good.echo(2));
  EXPECT_TRUE(out.faults.empty());
  EXPECT_EQ(count_readies(out), 0u);
  out = rbc.handle(node(2), other.echo(2));
  EXPECT_EQ(out.faults, (std::vector<Fault>{{node(2), FaultKind::kDuplicateMessage}}));

  // The same READY twice counts once; f + 1 = 2 distinct are needed.
  EXPECT_EQ(count_readies(rbc.handle(node(3), RbcReady{good.root})), 0u);
  out = rbc.handle(node(3), RbcReady{good.root});
  EXPECT_EQ(count_readies(out), 0u);
  EXPECT_TRUE(out.faults.empty());
  out = rbc.handle(node(3), RbcReady{other.root});
  EXPECT_EQ(out.faults, (std::vector<Fault>{{node(3), FaultKind::kDuplicateMessage}}));
  EXPECT_FALSE(rbc.has_delivered());
}

TEST_F(RbcThresholds, ValWithBadStripeIsNotEchoed) {
  RbcVal bad = good.val(1);
  bad.stripe.back() ^= 0x40;
  auto out = rbc.handle(node(0), bad);
  EXPECT_EQ(out.faults, (std::vector<Fault>{{node(0), FaultKind::kInvalidMerkleBranch}}));
  EXPECT_TRUE(out.messages.empty());
  // Stripe 2 is a genuine leaf, but VAL to node 1 must carry leaf 1.
  out = rbc.handle(node(0), good.val(2));
  EXPECT_EQ(out.faults, (std::vector<Fault>{{node(0), FaultKind::kInvalidMerkleBranch}}));
  out = rbc.handle(node(0), good.val(1));
  EXPECT_TRUE(out.faults.empty());
  EXPECT_EQ(out.messages.size(), 1u);
}

// Byzantine proposer 0 sends VALs of value A to one half of the honest
// nodes and of value B to the other; it and f-1 colluders echo and READY
// either root at random. Honest nodes must agree, and deliver all or none.
TEST(ReliableBroadcast, EquivocatingProposerNeverSplitsHonestNodes) {
  std::size_t runs_delivered = 0;
  std::size_t runs_stuck = 0;
  for (std::size_t n : {4u, 7u, 16u}) {
    const Membership members(n);
    for (std::uint64_t seed = 0; seed < 60; ++seed) {
      std::mt19937_64 rng(seed * 31 + n);
      TestNetwork net(n, 0, seed);
      std::vector<std::size_t> byz{0};
      for (std::size_t b = 1; b < members.f(); ++b) byz.push_back(n - b);
      for (std::size_t b : byz) net.byzantine[b] = true;
      const Bytes a = random_bytes(rng, 300);
      const Bytes b = random_bytes(rng, 1 + rng() % 600);
      const Commitment ca(honest_stripes(members, a));
      const Commitment cb(honest_stripes(members, b));
      // How strongly the adversary favours A this run.
      const std::uint64_t favour_a = rng() % 101;
      std::vector<std::size_t> honest;
      for (std::size_t i = 0; i < n; ++i) {
        if (net.honest(i)) honest.push_back(i);
      }
      std::shuffle(honest.begin(), honest.end(), rng);
      for (std::size_t h = 0; h < honest.size(); ++h) {
        net.inject(0, honest[h], h < (honest.size() + 1) / 2 ? RbcPayload(ca.val(honest[h])) : cb.val(honest[h]));
      }
      for (std::size_t from : byz) {
        for (std::size_t to : honest) {
          const bool pick_a = rng() % 100 < favour_a;
          net.inject(from, to, pick_a ? ca.echo(from) : cb.echo(from));
          net.inject(from, to, RbcReady{rng() % 100 < favour_a ? ca.root : cb.root});
        }
      }
      net.run();
      const std::size_t delivered = net.honest_delivered();
      EXPECT_TRUE(delivered == 0 || delivered == honest.size()) << "totality, n=" << n << " seed=" << seed;
      std::optional<Bytes> first;
      for (std::size_t i : honest) {
        if (!net.delivered[i]) continue;
        EXPECT_TRUE(*net.delivered[i] == a || *net.delivered[i] == b);
        if (!first) first = net.delivered[i];
        EXPECT_EQ(net.delivered[i], first) << "agreement, n=" << n << " seed=" << seed;
      }
      (delivered > 0 ? runs_delivered : runs_stuck) += 1;
    }
  }
  // Both outcomes occur, so both branches of the property were exercised.
  EXPECT_GT(runs_delivered, 0u);
  EXPECT_GT(runs_stuck, 0u);
}

TEST(ReliableBroadcast, ByzantineEchoerIsBlamedAndIgnored) {
  for (std::size_t n : {4u, 7u}) {
    const Membership members(n);
    TestNetwork net(n, 0, n);
    const std::size_t byz = n - 1;
    net.byzantine[byz] = true;
    const Bytes value(1000, 0x5A);
    const Commitment c(honest_stripes(members, value));
    for (std::size_t to = 0; to + 1 < n; ++to) {
      RbcEcho bad = c.echo(byz);
      bad.stripe[to % bad.stripe.size()] ^= 0xFF;
      net.inject(byz, to, bad);
    }
    net.propose(value);
    net.run();
    for (std::size_t i = 0; i + 1 < n; ++i) {
      EXPECT_EQ(net.delivered[i], value);
      EXPECT_EQ(count_faults(net.faults[i], node(byz), FaultKind::kInvalidMerkleBranch), 1u);
      EXPECT_EQ(net.faults[i].size(), 1u);
    }
  }
}

void expect_non_codeword_rejected(std::size_t n, std::vector<Bytes> stripes, std::uint64_t seed,
                                  bool proposer_echoes = true) {
  const Membership members(n);
  const Commitment c(std::move(stripes));
  TestNetwork net(n, 0, seed);
  net.byzantine[0] = true;
  // Otherwise the proposer plays by the rules: one VAL each, ECHO, READY.
  for (std::size_t to = 1; to < n; ++to) {
    net.inject(0, to, c.val(to));
    if (proposer_echoes) net.inject(0, to, c.echo(0));
    net.inject(0, to, RbcReady{c.root});
  }
  net.run();
  for (std::size_t i = 1; i < n; ++i) {
    EXPECT_FALSE(net.delivered[i].has_value()) << "n=" << n << " node " << i;
    EXPECT_EQ(count_faults(net.faults[i], node(0), FaultKind::kRbcEncodingMismatch), 1u) << "n=" << n;
  }
}

TEST(ReliableBroadcast, InconsistentEncodingIsDetectedByReencoding) {
  for (std::size_t n : {4u, 7u, 16u}) {
    const Membership members(n);
    std::mt19937_64 rng(n);
    const Bytes value = random_bytes(rng, 2000);
    // A codeword with one parity stripe replaced: the data stripes decode
    // to `value`, but the tree is not over its encoding.
    auto bad_parity = honest_stripes(members, value);
    bad_parity.back() = random_bytes(rng, bad_parity.back().size());
    expect_non_codeword_rejected(n, bad_parity, 1);
    // One data stripe replaced: subsets disagree on the value.
    auto bad_data = honest_stripes(members, value);
    bad_data[1][0] ^= 1;
    expect_non_codeword_rejected(n, bad_data, 2);
    // The proposer's own stripe is bad and never echoed: nobody holds it,
    // so only hashing the re-encoded leaf can expose it.
    auto bad_unheld = honest_stripes(members, value);
    bad_unheld[0].back() ^= 1;
    expect_non_codeword_rejected(n, bad_unheld, 4, false);
    // Noise throughout: usually not even a valid frame.
    std::vector<Bytes> noise;
    for (std::size_t i = 0; i < n; ++i) noise.push_back(random_bytes(rng, 64));
    expect_non_codeword_rejected(n, noise, 3);
  }
}

TEST(ReliableBroadcast, UnequalStripeSizesBlameTheProposerNeverAnHonestRelayer) {
  // A Byzantine proposer commits to a tree whose leaves differ in size. Honest
  // nodes relay whatever stripe it gave them; the one that sees a size
  // conflict must blame the proposer (who vouched for the root), never the
  // honest echoer, and nobody delivers.
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const std::size_t n = 4;
    TestNetwork net(n, 0, seed);
    net.byzantine[0] = true;
    const Membership members(n);
    std::mt19937_64 rng(seed);
    auto stripes = honest_stripes(members, random_bytes(rng, 600));
    stripes[3].push_back(0);  // still within the stripe bounds, one byte longer
    const Commitment c(stripes);
    for (std::size_t i = 1; i < n; ++i) net.inject(0, i, c.val(i));
    net.run();
    std::size_t proposer_blamed = 0;
    for (std::size_t i = 1; i < n; ++i) {
      for (const Fault& f : net.faults[i]) {
        EXPECT_EQ(f.node, node(0)) << "seed " << seed << ": node " << i << " blamed honest node " << f.node.value;
        proposer_blamed += f.node == node(0) && f.kind == FaultKind::kInvalidStripeSize ? 1u : 0u;
      }
      EXPECT_FALSE(net.delivered[i].has_value());
    }
    // Node 3 got the long stripe in its VAL, nodes 1 and 2 the short ones:
    // every honest node receives at least one echo conflicting with its VAL.
    EXPECT_GE(proposer_blamed, 1u) << "seed " << seed;
  }
}

TEST(ReliableBroadcast, MemoryStaysBoundedUnderEchoAndReadyFlood) {
  const Membership members(7);  // f = 2
  std::mt19937_64 rng(11);
  const Bytes value = random_bytes(rng, 600);
  const Commitment good(honest_stripes(members, value));
  ReliableBroadcast rbc(members, node(1), node(0));
  (void)rbc.handle(node(0), good.val(1));
  const std::size_t stripe_bytes = good.stripes[0].size();
  std::size_t duplicates = 0;
  for (std::size_t flood = 0; flood < 1000; ++flood) {
    for (std::size_t byz : {5u, 6u}) {
      // Every ECHO is a genuine leaf of a tree the attacker built.
      std::vector<Bytes> junk;
      for (std::size_t i = 0; i < 7; ++i) junk.push_back(random_bytes(rng, stripe_bytes));
      const Commitment fake(std::move(junk));
      auto out = rbc.handle(node(byz), fake.echo(byz));
      auto out2 = rbc.handle(node(byz), RbcReady{fake.root});
      duplicates += out.faults.size() + out2.faults.size();
    }
  }
  EXPECT_EQ(duplicates, 2u * 2u * 999u) << "all but each attacker's first ECHO and READY";
  const std::size_t depth = merkle_depth(7);
  const std::size_t per_sender = stripe_bytes + depth * sizeof(Digest) + 512;
  EXPECT_LE(rbc.buffered_bytes(), 7 * per_sender);
  EXPECT_GT(rbc.buffered_bytes(), 3 * stripe_bytes) << "holds its own and two attackers' stripes";
  // The honest run still completes.
  for (std::size_t i : {0u, 2u, 3u, 4u}) (void)rbc.handle(node(i), good.echo(i));
  for (std::size_t i : {0u, 2u, 3u, 4u}) {
    auto out = rbc.handle(node(i), RbcReady{good.root});
    if (out.delivered) {
      EXPECT_EQ(*out.delivered, value);
    }
  }
  EXPECT_TRUE(rbc.has_delivered());
  EXPECT_LT(rbc.buffered_bytes(), 7 * 512) << "stripes are released on delivery";
}

}  // namespace
}  // namespace quorumclear::quorum
