// Proves the engine's own rules on small hand-checked runs: all-honest n = 4
// decides every epoch with every proposal in proposer order, restarted
// engines start at first_epoch, bad senders and out-of-window epochs become
// faults, epochs start on proposals, peers' messages or the heartbeat, and a
// replay of the same inputs gives byte-identical Steps.

#include "quorum/codec.h"
#include "quorum/engine.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>

namespace quorumclear::quorum {
namespace {

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::vector<NodeKeys> test_keys(const Membership& members, std::uint8_t salt) {
  std::uint64_t state = 0x9e3779b97f4a7c15ULL ^ salt;
  const RandomSource random = [&state](std::span<std::uint8_t> out) {
    for (auto& b : out) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      b = static_cast<std::uint8_t>(state >> 56);
    }
  };
  return deal_keys(members, random);
}

/// n engines wired by a FIFO network; every Step is also written to a
/// transcript (canonical message bytes, targets, decisions, faults).
struct Cluster {
  Cluster(std::size_t n, Epoch first, std::uint64_t heartbeat_ms = 0) : members(n) {
    const auto keys = test_keys(members, 1);
    EngineConfig cfg;
    cfg.network_id = sha256(bytes_of("engine-test"));
    cfg.idle_heartbeat_ms = heartbeat_ms;
    for (std::size_t i = 0; i < n; ++i) {
      engines.emplace_back(members, NodeId{static_cast<std::uint16_t>(i)}, keys[i], cfg, first);
    }
    decided.resize(n);
  }

  void apply(std::size_t i, Step step) {
    transcript.push_back(0xEE);
    transcript.push_back(static_cast<std::uint8_t>(i));
    for (const auto& m : step.messages) {
      transcript.push_back(m.to.to_all ? 0xFF : static_cast<std::uint8_t>(m.to.node.value));
      const Bytes enc = encode(m.message);
      transcript.insert(transcript.end(), enc.begin(), enc.end());
      for (std::size_t j = 0; j < members.n(); ++j) {
        if (j == i || (!m.to.to_all && m.to.node.value != j)) continue;
        queue.push_back({NodeId{static_cast<std::uint16_t>(i)}, NodeId{static_cast<std::uint16_t>(j)}, m.message});
      }
    }
    for (const auto& f : step.faults) {
      transcript.push_back(static_cast<std::uint8_t>(f.kind));
      faults.push_back(f);
    }
    if (step.entered_epoch) entered.push_back(*step.entered_epoch);
    for (auto& d : step.decided) {
      transcript.push_back(static_cast<std::uint8_t>(d.epoch.value));
      for (const auto& b : d.batches) transcript.insert(transcript.end(), b.value.begin(), b.value.end());
      decided[i].push_back(std::move(d));
    }
  }

  void run() {
    while (!queue.empty()) {
      auto [from, to, message] = std::move(queue.front());
      queue.pop_front();
      apply(to.value, engines[to.value].handle(from, message));
    }
  }

  Membership members;
  std::vector<Engine> engines;
  std::deque<std::tuple<NodeId, NodeId, Message>> queue;
  std::vector<std::vector<DecidedEpoch>> decided;
  std::vector<Fault> faults;
  std::vector<Epoch> entered;
  Bytes transcript;
};

std::string batch_name(std::size_t node, std::uint64_t epoch) {
  return "node " + std::to_string(node) + " epoch " + std::to_string(epoch);
}

void propose_round(Cluster& c, std::uint64_t epoch) {
  for (std::size_t i = 0; i < c.members.n(); ++i) c.apply(i, c.engines[i].propose(bytes_of(batch_name(i, epoch))));
}

TEST(Engine, AllHonestFourNodesDecideEveryEpochInOrder) {
  Cluster c(4, Epoch{0});
  for (std::uint64_t e = 0; e < 3; ++e) {
    propose_round(c, e);
    c.run();
  }
  EXPECT_TRUE(c.faults.empty());
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(c.decided[i].size(), 3u) << "node " << i;
    EXPECT_EQ(c.decided[i], c.decided[0]);
    for (std::uint64_t e = 0; e < 3; ++e) {
      const DecidedEpoch& d = c.decided[i][e];
      EXPECT_EQ(d.epoch, Epoch{e});
      // With every node honest and the network FIFO, all four RBCs deliver
      // before any ABA can input 0: the output holds every proposal.
      ASSERT_EQ(d.batches.size(), 4u);
      for (std::size_t j = 0; j < 4; ++j) {
        EXPECT_EQ(d.batches[j].proposer, NodeId{static_cast<std::uint16_t>(j)});
        EXPECT_EQ(d.batches[j].value, bytes_of(batch_name(j, e)));
      }
    }
    const EngineStats& s = c.engines[i].stats();
    EXPECT_EQ(s.epochs_decided, 3u);
    EXPECT_EQ(s.current_epoch, 3u);
    EXPECT_EQ(s.aba_instances, 12u);
    EXPECT_EQ(s.aba_rounds_max, 1u);  // all inputs 1: the fixed coin 1 of round 0 decides
    EXPECT_EQ(s.threshold_coins, 0u);
    EXPECT_GT(s.messages_sent[0], 0u);  // VALs
    EXPECT_GT(s.bytes_received[1], 0u); // ECHOs
  }
}

TEST(Engine, RestartedEnginesStartAtFirstEpoch) {
  Cluster c(4, Epoch{7});
  propose_round(c, 7);
  c.run();
  propose_round(c, 8);
  c.run();
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(c.decided[i].size(), 2u);
    EXPECT_EQ(c.decided[i][0].epoch, Epoch{7});
    EXPECT_EQ(c.decided[i][1].epoch, Epoch{8});
    EXPECT_EQ(c.decided[i][1].batches[2].value, bytes_of(batch_name(2, 8)));
  }
  EXPECT_EQ(c.entered.front(), Epoch{7});
}

TEST(Engine, PeersMessagesStartAnEpochWithAnEmptyBatch) {
  Cluster c(4, Epoch{0});
  // Only node 0 has a batch; the others join the epoch it started.
  c.apply(0, c.engines[0].propose(bytes_of("lonely")));
  c.run();
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(c.decided[i].size(), 1u);
    ASSERT_EQ(c.decided[i][0].batches.size(), 4u);
    EXPECT_EQ(c.decided[i][0].batches[0].value, bytes_of("lonely"));
    EXPECT_TRUE(c.decided[i][0].batches[1].value.empty());
  }
}

TEST(Engine, IdleHeartbeatStartsAnEmptyEpochAndOnlyAfterItElapses) {
  Cluster c(4, Epoch{0}, /*heartbeat_ms=*/100);
  c.apply(0, c.engines[0].tick(1000));
  c.apply(0, c.engines[0].tick(1099));
  EXPECT_TRUE(c.queue.empty());
  c.apply(0, c.engines[0].tick(1100));
  EXPECT_FALSE(c.queue.empty());
  ASSERT_EQ(c.entered.size(), 1u);
  EXPECT_EQ(c.entered[0], Epoch{0});
  c.run();
  for (std::size_t i = 0; i < 4; ++i) ASSERT_EQ(c.decided[i].size(), 1u);
}

TEST(Engine, UnknownSenderAndProposerAreFaultsNotCrashes) {
  Cluster c(4, Epoch{0});
  const Message bval{Epoch{0}, NodeId{1}, AbaBval{Round{0}, true}};
  c.apply(0, c.engines[0].handle(NodeId{4}, bval));
  c.apply(0, c.engines[0].handle(NodeId{0}, bval));  // ourselves
  c.apply(0, c.engines[0].handle(NodeId{2}, Message{Epoch{0}, NodeId{9}, AbaTerm{true}}));
  ASSERT_EQ(c.faults.size(), 3u);
  EXPECT_EQ(c.faults[0], (Fault{NodeId{4}, FaultKind::kUnknownSender}));
  EXPECT_EQ(c.faults[1], (Fault{NodeId{0}, FaultKind::kUnknownSender}));
  EXPECT_EQ(c.faults[2], (Fault{NodeId{2}, FaultKind::kMalformedMessage}));
  EXPECT_TRUE(c.queue.empty());
  const auto& s = c.engines[0].stats();
  EXPECT_EQ(s.faults[static_cast<std::size_t>(FaultKind::kUnknownSender)], 2u);
  EXPECT_EQ(s.live_epochs, 0u);
}

TEST(Engine, EpochsBeyondTheWindowAreDroppedAndStaleOnesIgnored) {
  Cluster c(4, Epoch{0});
  const Epoch last_in_window{kEpochWindow};
  c.apply(1, c.engines[1].handle(NodeId{2}, Message{Epoch{kEpochWindow + 1}, NodeId{2}, AbaBval{Round{0}, true}}));
  // Dropped and counted, never blamed: an honest peer is that far ahead
  // whenever we lag.
  EXPECT_TRUE(c.faults.empty());
  EXPECT_EQ(c.engines[1].stats().messages_beyond_window, 1u);
  EXPECT_EQ(c.engines[1].stats().live_epochs, 0u);
  c.apply(1, c.engines[1].handle(NodeId{2}, Message{last_in_window, NodeId{2}, AbaBval{Round{0}, true}}));
  EXPECT_TRUE(c.faults.empty());
  EXPECT_EQ(c.engines[1].stats().messages_beyond_window, 1u);
  EXPECT_EQ(c.engines[1].stats().live_epochs, 1u);  // kept, waiting for its turn

  // After epochs 0..5 are output, epoch 0 is far behind: ignored silently.
  c.queue.clear();
  for (std::uint64_t e = 0; e < 6; ++e) {
    propose_round(c, e);
    c.run();
  }
  // The early epoch-3 message made node 1 join epoch 3 with an empty batch,
  // so its later batches (and the others with it) ran one epoch further.
  ASSERT_GE(c.decided[1].size(), 6u);
  const std::size_t faults_before = c.faults.size();
  const std::uint64_t stale_before = c.engines[1].stats().messages_stale;
  c.apply(1, c.engines[1].handle(NodeId{3}, Message{Epoch{0}, NodeId{3}, AbaTerm{false}}));
  EXPECT_EQ(c.faults.size(), faults_before);
  EXPECT_EQ(c.engines[1].stats().messages_stale, stale_before + 1);
  EXPECT_LE(c.engines[1].stats().live_epochs, kLiveEpochsMax);
}

TEST(Engine, ReplayingTheSameInputsGivesByteIdenticalSteps) {
  auto run_once = [] {
    Cluster c(7, Epoch{3});
    for (std::uint64_t e = 3; e < 5; ++e) {
      propose_round(c, e);
      c.run();
    }
    return c.transcript;
  };
  const Bytes first = run_once();
  EXPECT_GT(first.size(), 1000u);
  EXPECT_EQ(first, run_once());
}

TEST(Engine, TheCarrierOfTheNextProposalIsTheEpochThatTakesIt) {
  Cluster c(4, Epoch{0});
  EXPECT_EQ(c.engines[0].carrier_of_next_proposal(), Epoch{0});  // not started: the current epoch
  c.apply(0, c.engines[0].propose(bytes_of("first")));
  EXPECT_EQ(c.engines[0].carrier_of_next_proposal(), Epoch{1});  // proposed in 0
  c.apply(0, c.engines[0].propose(bytes_of("second")));
  EXPECT_EQ(c.engines[0].carrier_of_next_proposal(), Epoch{2});
  c.apply(0, c.engines[0].propose(bytes_of("third")));
  c.run();
  // Each batch went into the epoch named for it when it was proposed.
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(c.decided[i].size(), 3u);
    EXPECT_EQ(c.decided[i][0].batches[0].value, bytes_of("first"));
    EXPECT_EQ(c.decided[i][1].batches[0].value, bytes_of("second"));
    EXPECT_EQ(c.decided[i][2].batches[0].value, bytes_of("third"));
  }
  // A peer's message opens epoch 3 at node 1, which has not proposed there.
  EXPECT_EQ(c.engines[0].carrier_of_next_proposal(), Epoch{3});
}

TEST(Engine, ProposalQueueIsBounded) {
  Cluster c(4, Epoch{0});
  std::size_t accepted = 0;
  while (c.engines[0].can_propose()) {
    c.apply(0, c.engines[0].propose(bytes_of("b" + std::to_string(accepted))));
    ++accepted;
  }
  // The first batch went straight into epoch 0; the default queue holds 4 more.
  EXPECT_EQ(accepted, 5u);
  EXPECT_EQ(c.engines[0].stats().queued_proposals, 4u);
}

}  // namespace
}  // namespace quorumclear::quorum
