// Proves the node core's Ready loop and catch-up on an in-memory cluster of
// four cores: both sides of trades submitted at their own members' nodes
// are decided once and booked identically everywhere with 2f+1-signed
// certificates; a node stopped beyond the epoch window catches up from one
// peer; a restarted node never sends in an epoch it entered before and takes
// those epochs by catch-up; a peer serving an altered epoch is refused.

#include "services/node/core.h"

#include "quorum/sim/seeded_random.h"
#include "settlement/codec.h"
#include "settlement/snapshot.h"
#include "settlement/test_support.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <set>

namespace quorumclear::node {
namespace {

using quorum::NodeId;
using settlement::testing::acme_trade;
using settlement::testing::counter_report;

constexpr std::size_t kNodes = 4;
/// Small, so every test crosses checkpoints and restarts from a snapshot.
constexpr std::uint64_t kCheckpointInterval = 4;

settlement::Genesis genesis() {
  settlement::Genesis g = settlement::testing::small_genesis();
  g.node_count = kNodes;
  for (auto& m : g.members) {
    if (m.node && *m.node >= kNodes) m.node.reset();
  }
  return g;
}

struct Wire {
  NodeId from;
  NodeId to;
  Channel channel;
  std::optional<std::uint64_t> epoch;
  std::shared_ptr<const quorum::Bytes> payload;
};

/// What one node's store would hold.
struct FakeStore {
  std::map<std::uint64_t, std::shared_ptr<const AppliedEpoch>> epochs;
  std::map<std::uint64_t, std::map<std::uint16_t, quorum::Signature>> signatures;
  std::optional<std::uint64_t> entered;
  /// Where its history starts when it was rebuilt from a peer's checkpoint.
  std::shared_ptr<const CheckpointInstall> start;
  /// The epochs below it fetched since, by epoch.
  std::map<std::uint64_t, HistoryEpoch> history;
};

class Cluster;

class TestIo final : public CoreIo {
 public:
  TestIo(Cluster& cluster, NodeId self) : cluster_(cluster), self_(self) {}
  void persist_entered_epoch(std::uint64_t epoch) override;
  void send(std::optional<NodeId> to, Channel channel, std::optional<std::uint64_t> epoch,
            std::shared_ptr<const quorum::Bytes> payload) override;
  void discard_below(NodeId peer, std::uint64_t epoch) override;
  void write_epoch(std::shared_ptr<const AppliedEpoch> epoch) override;
  void write_signatures(std::uint64_t epoch,
                        std::vector<std::pair<NodeId, quorum::Signature>> signatures) override;
  void serve_catch_up(NodeId peer, const CatchUpRequest& request) override;
  void serve_snapshot(NodeId peer, const SnapshotRequest& request) override;
  void start_from_checkpoint(std::shared_ptr<const CheckpointInstall> install) override;
  void write_history(std::shared_ptr<const std::vector<HistoryEpoch>> epochs) override {
    for (const HistoryEpoch& h : *epochs) {
      EXPECT_TRUE(cluster_store().start && h.tuple.epoch.value < cluster_store().start->tuple.epoch.value);
      cluster_store().history[h.tuple.epoch.value] = h;
    }
  }
  void local_event(std::string_view kind, std::optional<NodeId>, std::string detail) override {
    events.emplace_back(std::string(kind) + ": " + detail);
  }
  std::vector<std::string> events;
  /// Snapshot chunks peers asked this node for, in order.
  std::vector<std::pair<NodeId, SnapshotRequest>> snapshot_requests;
  /// Test hook: serve this epoch with one byte of one batch altered.
  std::optional<std::uint64_t> alter_served_epoch;
  /// Test hook: serve snapshots with one byte altered.
  bool alter_served_snapshots = false;

 private:
  FakeStore& cluster_store();
  Cluster& cluster_;
  NodeId self_;
};

class Cluster {
 public:
  explicit Cluster(std::uint64_t seed) : rng_(seed), keys_(quorum::deal_keys(quorum::Membership(kNodes), quorum::sim::seeded_random(seed))) {
    network_id_.fill(0x5a);
    for (std::uint16_t i = 0; i < kNodes; ++i) {
      stores.emplace_back();
      ios.push_back(std::make_unique<TestIo>(*this, NodeId{i}));
      budgets.push_back(std::make_unique<IngestBudget>(100'000));
      local.emplace_back();
      cores.emplace_back();
      start(i);
    }
  }

  /// (Re)builds node i from its store, as a restarted process would;
  /// `rejoin` as a node whose database was found empty after it had joined.
  /// `from_checkpoint`: it takes its peers' newest checkpoint, as the node
  /// does when it has applied nothing and took part before.
  void start(std::uint16_t i, bool rejoin = false, bool from_checkpoint = true) {
    std::shared_ptr<settlement::Ledger> ledger;
    quorum::Digest audit{};
    // From the newest stored snapshot, as the node does (ledger_restore.h).
    for (auto it = stores[i].epochs.rbegin(); it != stores[i].epochs.rend() && !ledger; ++it) {
      if (!it->second->snapshot) continue;
      auto decoded = settlement::decode_snapshot(*it->second->snapshot, settlement::testing::load(genesis()));
      ledger = std::move(std::get<std::unique_ptr<settlement::Ledger>>(decoded));
      audit = it->second->tuple.audit_head;
      restored_from[i] = it->first;
    }
    if (!ledger && stores[i].start) {
      auto decoded = settlement::decode_snapshot(*stores[i].start->snapshot, settlement::testing::load(genesis()));
      ledger = std::move(std::get<std::unique_ptr<settlement::Ledger>>(decoded));
      audit = stores[i].start->tuple.audit_head;
      restored_from[i] = stores[i].start->tuple.epoch.value;
    }
    if (!ledger) ledger = std::make_shared<settlement::Ledger>(settlement::testing::load(genesis()));
    const std::uint64_t from = ledger->last_applied_epoch() ? *ledger->last_applied_epoch() + 1 : 0;
    for (const auto& [e, applied] : stores[i].epochs) {
      if (e < from) continue;
      std::vector<settlement::EpochBatch> batches;
      for (const auto& b : applied->decided.batches) batches.push_back({b.proposer.value, b.value});
      (void)ledger->apply(e, batches);
      audit = applied->tuple.audit_head;
    }
    CoreSetup setup;
    setup.members = quorum::Membership(kNodes);
    setup.self = NodeId{i};
    setup.keys = keys_[i];
    setup.network_id = network_id_;
    setup.options.engine.idle_heartbeat_ms = 50;
    setup.options.catch_up_timeout_ms = 500;
    setup.options.checkpoint_interval_epochs = kCheckpointInterval;
    setup.ledger = std::move(ledger);
    setup.audit_head = audit;
    setup.entered_epoch = stores[i].entered;
    setup.rejoin = rejoin;
    setup.from_checkpoint = rejoin && from_checkpoint;
    if (stores[i].start) {
      // Its lowest epoch held, as the node reads it from its database.
      setup.history_floor = stores[i].history.empty() ? stores[i].start->tuple : stores[i].history.begin()->second.tuple;
    }
    local[i].clear();
    cores[i] = std::make_unique<NodeCore>(std::move(setup), *ios[i], *budgets[i]);
  }

  void submit(std::uint16_t node, const settlement::Trade& t) {
    ReceivedEntry e{std::string(t.submitter.view()), std::string(t.trade_id.view()), {},
                    settlement::encode_entry(t)};
    e.content_hash = settlement::entry_content_hash(e.entry);
    ASSERT_TRUE(budgets[node]->try_reserve(1));
    cores[node]->handle(EntriesReceived{{std::move(e)}});
  }

  /// Delivers frames in a seeded random order and ticks the clocks, for
  /// `steps` deliveries or until `done` holds.
  bool run(std::size_t steps, const std::function<bool()>& done) {
    for (std::size_t s = 0; s < steps; ++s) {
      if (done()) return true;
      for (std::uint16_t i = 0; i < kNodes; ++i) {
        while (!stopped.count(i) && !local[i].empty()) {
          CoreEvent ev = std::move(local[i].front());
          local[i].pop_front();
          cores[i]->handle(std::move(ev));
        }
      }
      if (s % 40 == 0) {
        now_ms_ += 10;
        for (std::uint16_t i = 0; i < kNodes; ++i) {
          if (!stopped.count(i)) cores[i]->handle(ClockTick{now_ms_, settlement::testing::kWednesday, minute_of_day[i]});
        }
      }
      std::vector<std::size_t> deliverable;
      for (std::size_t k = 0; k < wires.size() && deliverable.size() < 8; ++k) {
        if (!stopped.count(wires[k].to.value)) deliverable.push_back(k);
      }
      if (deliverable.empty()) continue;
      // Any pair of nodes may go next, but each link keeps its order, as the
      // transport guarantees.
      std::size_t k = deliverable[rng_() % deliverable.size()];
      for (std::size_t j = 0; j < k; ++j) {
        if (wires[j].from == wires[k].from && wires[j].to == wires[k].to) {
          k = j;
          break;
        }
      }
      Wire w = std::move(wires[k]);
      wires.erase(wires.begin() + static_cast<std::ptrdiff_t>(k));
      cores[w.to.value]->handle(PeerFrame{w.from, w.channel, *w.payload});
    }
    return done();
  }

  [[nodiscard]] std::string describe(std::uint16_t i) const {
    const CoreStatus st = cores[i]->status();
    std::string out = "node " + std::to_string(i) + " engine " + std::to_string(st.engine_epoch) +
                      " applied " + (st.last_applied ? std::to_string(*st.last_applied) : "-") +
                      " behind " + std::to_string(st.behind_epochs) + " catch-ups " +
                      std::to_string(st.catch_ups) + (st.catching_up ? " (active)" : "") + "\n";
    for (const std::string& e : ios[i]->events) out += "  " + e + "\n";
    return out;
  }

  [[nodiscard]] bool all_applied(std::uint64_t epoch) const {
    for (std::uint16_t i = 0; i < kNodes; ++i) {
      const auto last = cores[i]->ledger().last_applied_epoch();
      if (!last || *last < epoch) return false;
    }
    return true;
  }
  [[nodiscard]] std::uint64_t min_applied() const {
    std::uint64_t m = ~std::uint64_t{0};
    for (const auto& c : cores) {
      const auto last = c->ledger().last_applied_epoch();
      m = std::min<std::uint64_t>(m, last ? *last : 0);
    }
    return m;
  }

  std::vector<FakeStore> stores;
  /// The snapshot each node's last start began from.
  std::map<std::uint16_t, std::uint64_t> restored_from;
  std::vector<std::unique_ptr<TestIo>> ios;
  std::vector<std::unique_ptr<IngestBudget>> budgets;
  std::vector<std::unique_ptr<NodeCore>> cores;
  std::vector<std::deque<CoreEvent>> local;
  std::deque<Wire> wires;
  std::set<std::uint16_t> stopped;
  /// Nodes whose quorum frames are lost while they are stopped, as when the
  /// senders' resend budget overflowed: only catch-up can bring them back.
  std::set<std::uint16_t> lossy;
  /// Quorum messages each node sent, by epoch (after its last start).
  std::vector<std::set<std::uint64_t>> sent_epochs = std::vector<std::set<std::uint64_t>>(kNodes);
  /// Each node's wall clock on Wednesday, minutes after local midnight.
  std::vector<int> minute_of_day = std::vector<int>(kNodes, 10 * 60);

 private:
  std::mt19937_64 rng_;
  std::vector<quorum::NodeKeys> keys_;
  quorum::Digest network_id_{};
  std::uint64_t now_ms_ = 0;
};

void TestIo::persist_entered_epoch(std::uint64_t epoch) {
  auto& entered = cluster_.stores[self_.value].entered;
  entered = std::max(entered.value_or(0), epoch);
}
void TestIo::send(std::optional<NodeId> to, Channel channel, std::optional<std::uint64_t> epoch,
                  std::shared_ptr<const quorum::Bytes> payload) {
  if (channel == Channel::kQuorum && epoch) cluster_.sent_epochs[self_.value].insert(*epoch);
  for (std::uint16_t i = 0; i < kNodes; ++i) {
    if (i == self_.value || (to && to->value != i)) continue;
    if (channel == Channel::kQuorum && cluster_.lossy.count(i) && cluster_.stopped.count(i)) continue;
    cluster_.wires.push_back(Wire{self_, NodeId{i}, channel, epoch, payload});
  }
}
void TestIo::discard_below(NodeId peer, std::uint64_t epoch) {
  std::erase_if(cluster_.wires, [&](const Wire& w) {
    return w.from == self_ && w.to == peer && w.epoch && *w.epoch < epoch;
  });
}
void TestIo::write_epoch(std::shared_ptr<const AppliedEpoch> epoch) {
  const std::uint64_t e = epoch->decided.epoch.value;
  cluster_.stores[self_.value].epochs[e] = std::move(epoch);
  cluster_.local[self_.value].push_back(EpochCommitted{e});
}
void TestIo::write_signatures(std::uint64_t epoch, std::vector<std::pair<NodeId, quorum::Signature>> s) {
  for (const auto& [node, sig] : s) cluster_.stores[self_.value].signatures[epoch][node.value] = sig;
}
void TestIo::serve_catch_up(NodeId peer, const CatchUpRequest& request) {
  const FakeStore& store = cluster_.stores[self_.value];
  for (std::uint64_t e = request.from_epoch; e < request.from_epoch + request.count; ++e) {
    const auto it = store.epochs.find(e);
    const auto sigs = store.signatures.find(e);
    if (it == store.epochs.end() || sigs == store.signatures.end()) {
      send(peer, Channel::kCatchUp, std::nullopt,
           std::make_shared<const quorum::Bytes>(encode(CatchUpFrame{CatchUpUnavailable{e, std::nullopt}})));
      return;
    }
    const quorum::EpochTuple& t = it->second->tuple;
    CatchUpEpochHead head{e,
                          t.output_digest,
                          t.state_digest,
                          t.audit_head,
                          t.snapshot_digest,
                          t.obligations_root,
                          static_cast<std::uint16_t>(it->second->decided.batches.size()),
                          {}};
    for (const auto& [node, sig] : sigs->second) head.signatures.emplace_back(NodeId{node}, sig);
    send(peer, Channel::kCatchUp, std::nullopt, std::make_shared<const quorum::Bytes>(encode(CatchUpFrame{head})));
    for (std::uint16_t b = 0; b < head.batches; ++b) {
      CatchUpBatch batch{e, b, it->second->decided.batches[b].proposer, it->second->decided.batches[b].value};
      if (alter_served_epoch == e && !batch.value.empty()) batch.value.back() ^= 1;
      send(peer, Channel::kCatchUp, std::nullopt, std::make_shared<const quorum::Bytes>(encode(CatchUpFrame{batch})));
    }
  }
}

FakeStore& TestIo::cluster_store() { return cluster_.stores[self_.value]; }

void TestIo::serve_snapshot(NodeId peer, const SnapshotRequest& request) {
  snapshot_requests.emplace_back(peer, request);
  const FakeStore& store = cluster_.stores[self_.value];
  std::shared_ptr<const settlement::Bytes> snapshot;
  std::uint64_t epoch = 0;
  for (auto it = store.epochs.rbegin(); it != store.epochs.rend() && !snapshot; ++it) {
    if (it->second->snapshot && (request.epoch == kNewestSnapshot || request.epoch == it->first)) {
      snapshot = it->second->snapshot;
      epoch = it->first;
    }
  }
  const auto reply = [&](const CatchUpFrame& frame) {
    send(peer, Channel::kCatchUp, std::nullopt, std::make_shared<const quorum::Bytes>(encode(frame)));
  };
  const std::uint32_t chunks = snapshot ? snapshot_wire_chunks(snapshot->size()) : 0;
  if (request.chunk >= chunks) return reply(SnapshotUnavailable{request.epoch});
  const std::size_t at = std::size_t{request.chunk} * kSnapshotWireChunkBytes;
  settlement::Bytes bytes(snapshot->begin() + static_cast<std::ptrdiff_t>(at),
                          snapshot->begin() + static_cast<std::ptrdiff_t>(std::min(snapshot->size(), at + kSnapshotWireChunkBytes)));
  if (alter_served_snapshots) bytes.back() ^= 1;
  reply(SnapshotChunk{epoch, snapshot->size(), request.chunk, chunks, std::move(bytes)});
}
void TestIo::start_from_checkpoint(std::shared_ptr<const CheckpointInstall> install) {
  FakeStore& store = cluster_.stores[self_.value];
  EXPECT_TRUE(store.epochs.empty() && !store.start) << "only an empty store starts from a checkpoint";
  const std::uint64_t e = install->tuple.epoch.value;
  for (const auto& [node, sig] : install->signatures) store.signatures[e][node.value] = sig;
  store.start = std::move(install);
  cluster_.local[self_.value].push_back(EpochCommitted{e});
}

settlement::Trade trade(int id, std::string_view buyer, std::string_view seller) {
  return acme_trade("T" + std::to_string(id), buyer, seller, 10 + id, 1000 + id, settlement::testing::kWednesday);
}

// Each member reports at its own node: "A" at node 0 ... "D" at node 3.
constexpr std::array<std::string_view, kNodes> kMembers{"A", "B", "C", "D"};

// Trades `first` up to `end` between the members of two nodes, both sides
// reported, each at its own member's node.
void submit_two_sided(Cluster& c, int first, int end, std::uint16_t buyer_node, std::uint16_t seller_node) {
  for (int id = first; id < end; ++id) {
    const settlement::Trade t = trade(id, kMembers[buyer_node], kMembers[seller_node]);
    c.submit(buyer_node, t);
    c.submit(seller_node, counter_report(t));
  }
}

class CoreCluster : public ::testing::TestWithParam<std::uint64_t> {};
INSTANTIATE_TEST_SUITE_P(Seeds, CoreCluster, ::testing::Range<std::uint64_t>(0, 12));

// Every node committed the same certified tuple for every epoch all of them
// have applied.
/// Before the checkpoint a rebuilt node started from, it holds no epochs.
bool holds(const FakeStore& store, std::uint64_t e) {
  return !store.start || e > store.start->tuple.epoch.value;
}

void expect_identical(const Cluster& c) {
  const std::uint64_t last = c.min_applied();
  std::size_t reference_node = 0;
  while (c.stores[reference_node].start) ++reference_node;  // one built from genesis
  for (std::uint64_t e = 0; e <= last; ++e) {
    const auto& first = c.stores[reference_node].epochs.at(e)->tuple;
    for (std::size_t i = 0; i < kNodes; ++i) {
      if (c.stores[i].start && c.stores[i].start->tuple.epoch.value == e) {
        EXPECT_EQ(c.stores[i].start->tuple, first) << "node " << i << " started from checkpoint epoch " << e;
      }
      if (!holds(c.stores[i], e)) continue;
      ASSERT_TRUE(c.stores[i].epochs.count(e)) << "node " << i << " epoch " << e;
      EXPECT_EQ(c.stores[i].epochs.at(e)->tuple, first) << "node " << i << " epoch " << e;
    }
    // Checkpoints sign the snapshot each node wrote; other epochs sign none.
    const bool checkpoint = (e + 1) % kCheckpointInterval == 0;
    for (std::size_t i = 0; i < kNodes; ++i) {
      if (!holds(c.stores[i], e)) continue;
      const AppliedEpoch& applied = *c.stores[i].epochs.at(e);
      ASSERT_EQ(applied.snapshot != nullptr, checkpoint) << "node " << i << " epoch " << e;
      EXPECT_EQ(applied.tuple.snapshot_digest,
                checkpoint ? settlement::snapshot_digest(*applied.snapshot) : quorum::Digest{});
    }
  }
}

TEST_P(CoreCluster, TwoSidedTradesDecideOnceAndIdenticallyWithCertificates) {
  Cluster c(GetParam() * 10 + 1);
  for (int id = 0; id < 40; ++id) {
    submit_two_sided(c, id, id + 1, static_cast<std::uint16_t>(id % 4), static_cast<std::uint16_t>((id + 1) % 4));
  }
  ASSERT_TRUE(c.run(200'000, [&] {
    for (const auto& core : c.cores) {
      if (core->ledger().matching_stats().matched < 40 || core->status().pending_entries != 0) return false;
    }
    return true;
  }));
  expect_identical(c);
  for (std::size_t i = 0; i < kNodes; ++i) {
    EXPECT_EQ(c.budgets[i]->used(), 0u) << "every acknowledged report left the pool";
    const auto* r = c.cores[i]->ledger().find_trade(*c.cores[i]->ledger().reference().find_member(
                                                        settlement::MemberId::of("A")), "T0");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->status, settlement::TradeStatus::kConfirmed);
  }
  // Let the signatures settle, then every committed epoch carries 2f+1.
  const std::uint64_t last = c.min_applied();
  ASSERT_TRUE(c.run(100'000, [&] {
    for (const FakeStore& s : c.stores) {
      for (std::uint64_t e = 0; e <= last; ++e) {
        const auto it = s.signatures.find(e);
        if (it == s.signatures.end() || it->second.size() < 3) return false;
      }
    }
    return true;
  })) << [&] {
    std::string out;
    for (std::size_t i = 0; i < kNodes; ++i) {
      out += "node " + std::to_string(i) + ":";
      for (std::uint64_t e = 0; e <= last; ++e) {
        const auto it = c.stores[i].signatures.find(e);
        out += " " + std::to_string(it == c.stores[i].signatures.end() ? 0 : it->second.size());
      }
      out += " | committed " + std::to_string(c.stores[i].epochs.size()) + "\n";
    }
    return out;
  }();
}

// Node 3 is stopped and misses its quorum frames while the other three
// decide `trades` two-sided trades and run well past the epoch window.
void run_without_node_3(Cluster& c, int trades) {
  c.stopped.insert(3);
  c.lossy.insert(3);
  submit_two_sided(c, 0, trades, 0, 1);
  ASSERT_TRUE(c.run(300'000, [&] {
    for (std::uint16_t i = 0; i < 3; ++i) {
      const auto last = c.cores[i]->ledger().last_applied_epoch();
      if (!last || *last < 3 * quorum::kEpochWindow) return false;
    }
    return true;
  }));
}

TEST_P(CoreCluster, NodeStoppedBeyondTheWindowCatchesUpFromOnePeer) {
  Cluster c(GetParam() * 10 + 2);
  run_without_node_3(c, 30);
  const std::uint64_t target = *c.cores[0]->ledger().last_applied_epoch();
  c.stopped.clear();
  ASSERT_TRUE(c.run(400'000, [&] { return c.all_applied(target + 2); })) << c.describe(3);
  EXPECT_GE(c.cores[3]->status().catch_ups, 1u);
  expect_identical(c);
}

TEST_P(CoreCluster, RestartedNodeNeverSendsInAnEpochItEnteredAndCatchesUp) {
  Cluster c(GetParam() * 10 + 3);
  submit_two_sided(c, 0, 10, 2, 3);
  ASSERT_TRUE(c.run(200'000, [&] { return c.all_applied(4); }));
  // Node 2 stops mid-flight: some epochs entered, maybe not applied.
  const std::optional<std::uint64_t> entered = c.stores[2].entered;
  ASSERT_TRUE(entered.has_value());
  c.stores[2].epochs.erase(c.stores[2].epochs.upper_bound(2), c.stores[2].epochs.end());  // it lost the tail
  c.sent_epochs[2].clear();
  c.start(2);
  submit_two_sided(c, 10, 20, 0, 2);
  ASSERT_TRUE(c.run(400'000, [&] {
    return c.all_applied(*entered + 3) && c.cores[2]->ledger().matching_stats().matched >= 20;
  }));
  for (const std::uint64_t e : c.sent_epochs[2]) EXPECT_GT(e, *entered) << "voted again in epoch " << e;
  EXPECT_GE(c.cores[2]->status().catch_ups, 1u);
  expect_identical(c);
}

TEST(CoreRejoin, TheBoundIsTheFPlusOnethHighestReportPlusWindowAndMargin) {
  constexpr std::uint64_t kMargin = 16;
  const std::uint64_t w = quorum::kEpochWindow;
  // f = 1, three reports: one inflated report neither raises it...
  EXPECT_EQ(rejoin_first_epoch({1'000'000'000, 40, 41}, std::nullopt, 1, kMargin), 41 + 1 + w + kMargin);
  // ...nor does a deflated one lower it below the honest ones.
  EXPECT_EQ(rejoin_first_epoch({std::nullopt, 40, 41}, std::nullopt, 1, kMargin), 40 + 1 + w + kMargin);
  EXPECT_EQ(rejoin_first_epoch({0, 40, 41}, std::nullopt, 1, kMargin), 40 + 1 + w + kMargin);
  // A network that has entered nothing yet: above the first W + margin epochs.
  EXPECT_EQ(rejoin_first_epoch({std::nullopt, std::nullopt, std::nullopt}, std::nullopt, 1, kMargin), w + kMargin);
  // f = 2, five reports, two of them lies at either end.
  EXPECT_EQ(rejoin_first_epoch({900, 800, 70, 60, 0}, std::nullopt, 2, 0), 70 + 1 + w);
  // Its own signature, shown by one honest peer, outweighs lagging reports.
  EXPECT_EQ(rejoin_first_epoch({0, 10, 12}, 95, 1, kMargin), 95 + 1 + w + kMargin);
  EXPECT_EQ(rejoin_first_epoch({0, 50, 52}, 7, 1, kMargin), 50 + 1 + w + kMargin);
}

TEST_P(CoreCluster, NodeThatLostItsDataVotesOnlyAboveWhatItCouldHaveEnteredAndConfirmsAgain) {
  Cluster c(GetParam() * 10 + 6);
  submit_two_sided(c, 0, 10, 2, 3);
  ASSERT_TRUE(c.run(200'000, [&] { return c.all_applied(6); }));
  const std::optional<std::uint64_t> entered = c.stores[2].entered;
  ASSERT_TRUE(entered.has_value());
  // Its database is gone: no epochs, no signatures, no entered epoch.
  c.stores[2] = FakeStore{};
  c.sent_epochs[2].clear();
  c.start(2, /*rejoin=*/true);
  EXPECT_TRUE(c.cores[2]->status().rejoining);
  submit_two_sided(c, 10, 20, 0, 2);
  const std::uint64_t past = *entered + quorum::kEpochWindow + 16 + 3;
  ASSERT_TRUE(c.run(800'000, [&] {
    return c.all_applied(past) && c.cores[2]->ledger().matching_stats().matched >= 20;
  })) << c.describe(2);
  EXPECT_FALSE(c.cores[2]->status().rejoining);
  ASSERT_FALSE(c.sent_epochs[2].empty()) << "it votes again";
  EXPECT_GE(*c.sent_epochs[2].begin(), *entered + 1 + quorum::kEpochWindow + 16);
  for (const std::uint64_t e : c.sent_epochs[2]) EXPECT_GT(e, *entered) << "voted again in epoch " << e;
  const auto& events = c.ios[2]->events;
  const auto rejoined = std::find_if(events.begin(), events.end(), [](const std::string& e) { return e.rfind("REJOINED", 0) == 0; });
  ASSERT_NE(rejoined, events.end());
  // Its peers still held its last signatures and showed them to it.
  EXPECT_NE(rejoined->find("signed by this node up to"), std::string::npos) << *rejoined;
  // It took a peer's checkpoint rather than every epoch since genesis.
  ASSERT_TRUE(c.stores[2].start) << c.describe(2);
  const std::uint64_t checkpoint = c.stores[2].start->tuple.epoch.value;
  EXPECT_EQ((checkpoint + 1) % kCheckpointInterval, 0u);
  EXPECT_GE(checkpoint + 1, kCheckpointInterval);
  EXPECT_GE(c.stores[2].start->signatures.size(), 2u);
  EXPECT_FALSE(c.stores[2].epochs.count(0));
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const std::string& e) {
    return e.rfind("REBUILT_FROM_CHECKPOINT", 0) == 0;
  })) << c.describe(2);
  expect_identical(c);
  // In the background it fetched every epoch below the checkpoint, each the
  // one node 0 applied, down to genesis.
  ASSERT_TRUE(c.run(400'000, [&] { return c.stores[2].history.size() == checkpoint; })) << c.describe(2);
  for (std::uint64_t e = 0; e < checkpoint; ++e) {
    EXPECT_EQ(c.stores[2].history.at(e).tuple, c.stores[0].epochs.at(e)->tuple) << "epoch " << e;
    EXPECT_GE(c.stores[2].history.at(e).signatures.size(), 2u) << "epoch " << e;
  }
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const std::string& e) {
    return e.rfind("HISTORY_COMPLETE", 0) == 0;
  })) << c.describe(2);
  // Restarted, it starts from that checkpoint or a later snapshot of its own.
  c.start(2);
  ASSERT_TRUE(c.restored_from.count(2));
  EXPECT_GE(c.restored_from.at(2), checkpoint);
  submit_two_sided(c, 20, 24, 2, 1);
  ASSERT_TRUE(c.run(400'000, [&] { return c.cores[2]->ledger().matching_stats().matched >= 24; })) << c.describe(2);
  expect_identical(c);
}

TEST_P(CoreCluster, PeersServingAlteredSnapshotsAreRefusedAndAnHonestOneServes) {
  Cluster c(GetParam() * 10 + 7);
  submit_two_sided(c, 0, 10, 0, 1);
  ASSERT_TRUE(c.run(200'000, [&] { return c.all_applied(2 * kCheckpointInterval); }));
  c.stores[3] = FakeStore{};
  c.sent_epochs[3].clear();
  // Node 3 asks node 0 first (the next id after its own), then node 1.
  c.ios[0]->alter_served_snapshots = true;
  c.ios[1]->alter_served_snapshots = true;
  // And node 0 alters epoch 0 for the history below the checkpoint.
  c.ios[0]->alter_served_epoch = 0;
  c.start(3, /*rejoin=*/true);
  submit_two_sided(c, 10, 20, 0, 3);
  ASSERT_TRUE(c.run(800'000, [&] {
    return c.cores[3]->ledger().matching_stats().matched >= 20 && c.stores[3].start &&
           c.stores[3].history.size() == c.stores[3].start->tuple.epoch.value;
  })) << c.describe(3);
  EXPECT_EQ(c.stores[3].history.at(0).tuple, c.stores[2].epochs.at(0)->tuple);
  const auto& events = c.ios[3]->events;
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const std::string& e) { return e.rfind("CHECKPOINT_REFUSED", 0) == 0; }),
            2)
      << c.describe(3);
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const std::string& e) {
    return e.rfind("HISTORY_REFUSED", 0) == 0 && e.find("epoch 0") != std::string::npos;
  })) << c.describe(3);
  ASSERT_TRUE(c.stores[3].start) << "node 2 served it honestly";
  EXPECT_GE(c.cores[3]->status().faults, 2u);
  expect_identical(c);
}

TEST_P(CoreCluster, WithNoHonestSnapshotANodeThatLostItsDataReplaysFromGenesis) {
  Cluster c(GetParam() * 10 + 8);
  submit_two_sided(c, 0, 10, 0, 1);
  ASSERT_TRUE(c.run(200'000, [&] { return c.all_applied(2 * kCheckpointInterval); }));
  c.stores[3] = FakeStore{};
  c.sent_epochs[3].clear();
  for (std::uint16_t i = 0; i < 3; ++i) c.ios[i]->alter_served_snapshots = true;
  c.start(3, /*rejoin=*/true);
  submit_two_sided(c, 10, 20, 0, 3);
  ASSERT_TRUE(c.run(800'000, [&] { return c.cores[3]->ledger().matching_stats().matched >= 20; })) << c.describe(3);
  EXPECT_FALSE(c.stores[3].start);
  EXPECT_TRUE(c.stores[3].epochs.count(0)) << "every epoch since genesis, by catch-up";
  const auto& events = c.ios[3]->events;
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const std::string& e) {
    return e.rfind("CHECKPOINT_NOT_FOUND", 0) == 0;
  })) << c.describe(3);
  expect_identical(c);
}

TEST_P(CoreCluster, RestartFromTheNewestSnapshotGoesOnIdentically) {
  Cluster c(GetParam() * 10 + 5);
  submit_two_sided(c, 0, 20, 0, 1);
  ASSERT_TRUE(c.run(200'000, [&] { return c.all_applied(3 * kCheckpointInterval); }));
  c.start(1);
  ASSERT_TRUE(c.restored_from.count(1));
  EXPECT_GE(c.restored_from.at(1) + 1, 3 * kCheckpointInterval);
  EXPECT_EQ((c.restored_from.at(1) + 1) % kCheckpointInterval, 0u);
  submit_two_sided(c, 20, 30, 0, 1);
  ASSERT_TRUE(c.run(400'000, [&] {
    return c.all_applied(6 * kCheckpointInterval) && c.cores[1]->ledger().matching_stats().matched >= 30;
  })) << c.describe(1);
  expect_identical(c);
  EXPECT_EQ(c.cores[1]->ledger().business_state_digest(), c.cores[0]->ledger().business_state_digest());
}

TEST_P(CoreCluster, PeerServingAnAlteredEpochIsRefused) {
  Cluster c(GetParam() * 10 + 4);
  run_without_node_3(c, 20);
  // Node 3 asks node 0 first (the next id after its own): it and node 2
  // serve epoch 0 altered, node 1 honestly.
  c.ios[0]->alter_served_epoch = 0;
  c.ios[2]->alter_served_epoch = 0;
  const std::uint64_t target = *c.cores[0]->ledger().last_applied_epoch();
  c.stopped.clear();
  ASSERT_TRUE(c.run(600'000, [&] { return c.all_applied(target); }));
  const auto& events = c.ios[3]->events;
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const std::string& e) {
    return e.rfind("CATCH_UP_REFUSED", 0) == 0;
  })) << "the altered epoch 0 from node 0 was refused";
  expect_identical(c);
}

}  // namespace
}  // namespace quorumclear::node

namespace quorumclear::node {
namespace {

constexpr int kAfterCutOff = 17 * 60 + 31;  // CoreOptions' default cut-off is 17:30

// The settlement runs node i committed, by business date.
std::map<std::int32_t, settlement::Digest> committed_runs(const Cluster& c, std::size_t i) {
  std::map<std::int32_t, settlement::Digest> runs;
  for (const auto& [e, applied] : c.stores[i].epochs) {
    for (const settlement::SettlementReport& r : applied->result.reports) {
      EXPECT_TRUE(runs.emplace(r.business_date.days, r.digest).second) << "node " << i << ": a date settled twice";
    }
    // The tuple signs the members' obligations of exactly the runs the epoch
    // closed, and the store is handed every clearing member's proof of them.
    const auto proven = settlement::prove_epoch_obligations(applied->result.reports, c.cores[i]->ledger().reference());
    EXPECT_EQ(applied->tuple.obligations_root, proven.root) << "node " << i << " epoch " << e;
    EXPECT_EQ(applied->tuple.obligations_root == quorum::Digest{}, applied->result.reports.empty());
    EXPECT_EQ(applied->obligations.proofs.size(), proven.proofs.size());
  }
  return runs;
}

TEST(CoreCutOff, ScheduledCutOffClosesTheDateAtTwoFPlusOneClocksOnly) {
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Cluster c(seed * 7 + 3);
    submit_two_sided(c, 0, 8, 0, 1);
    // f Byzantine votes plus one fast honest clock are f+1 = 2: the day stays open.
    c.minute_of_day[0] = c.minute_of_day[1] = kAfterCutOff;
    (void)c.run(30'000, [] { return false; });
    for (std::uint16_t i = 0; i < kNodes; ++i) {
      EXPECT_EQ(c.cores[i]->ledger().open_business_date(), settlement::testing::kWednesday) << c.describe(i);
      EXPECT_TRUE(committed_runs(c, i).empty());
    }
    c.minute_of_day[2] = kAfterCutOff;
    ASSERT_TRUE(c.run(300'000, [&] {
      for (std::uint16_t i = 0; i < kNodes; ++i) {
        if (c.cores[i]->ledger().open_business_date() == settlement::testing::kWednesday) return false;
        if (c.cores[i]->status().last_committed != c.cores[i]->ledger().last_applied_epoch()) return false;
      }
      return true;
    })) << c.describe(0) << c.describe(3);
    const auto runs = committed_runs(c, 0);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.begin()->first, settlement::testing::kWednesday.days);
    for (std::uint16_t i = 1; i < kNodes; ++i) EXPECT_EQ(committed_runs(c, i), runs) << "node " << i;
    expect_identical(c);
  }
}

TEST(CoreCutOff, OperatorRequestThatArrivesAfterItsDateClosedClosesNothingElse) {
  Cluster c(11);
  c.minute_of_day = std::vector<int>(kNodes, kAfterCutOff);
  ASSERT_TRUE(c.run(300'000, [&] {
    for (const auto& core : c.cores) {
      if (core->ledger().open_business_date() == settlement::testing::kWednesday) return false;
    }
    return true;
  }));
  const settlement::BusinessDate thursday = c.cores[0]->ledger().open_business_date();
  // The operator asked while Wednesday was open; the scheduled cut-off won.
  for (std::uint16_t i = 0; i < kNodes; ++i) {
    c.cores[i]->handle(CutOffRequested{settlement::MemberId::of("OPS"), settlement::testing::kWednesday});
  }
  (void)c.run(30'000, [] { return false; });
  for (std::uint16_t i = 0; i < kNodes; ++i) {
    EXPECT_EQ(c.cores[i]->ledger().open_business_date(), thursday) << c.describe(i);
    EXPECT_EQ(committed_runs(c, i).size(), 1u);
  }
  // A request for the open date still closes it.
  for (std::uint16_t i = 0; i < kNodes; ++i) {
    c.cores[i]->handle(CutOffRequested{settlement::MemberId::of("OPS"), thursday});
  }
  ASSERT_TRUE(c.run(300'000, [&] {
    for (const auto& core : c.cores) {
      if (core->ledger().open_business_date() == thursday) return false;
    }
    return true;
  }));
}

}  // namespace
}  // namespace quorumclear::node
