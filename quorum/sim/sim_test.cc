// Proves that agreement, validity, integrity, liveness, bounded memory (in
// all and per peer), no fault blamed on an honest node and no honest node
// contradicting itself (across crash-restarts too) hold on up to 200 seeded
// runs for every n in {4, 7, 10, 13, 16} and every adversary of the threat
// model (quorum/sim/README.md), and over-long frames at every n from 4 to 31.

#include "quorum/memory_budget.h"
#include "quorum/sim/sent_log.h"
#include "quorum/sim/sim.h"

#include <gtest/gtest.h>

#include <sstream>
#include <tuple>

namespace quorumclear::quorum::sim {
namespace {

constexpr std::uint64_t kSeedsPerCase = 200;

/// The maximum-size adversaries move megabytes per message (1 MiB values,
/// stripes of up to half of that), so they run fewer seeds (100 at n <= 7,
/// 40 at 10, 20 above) to keep the label within the CI budget. Their
/// classes are also run at more sizes below.
std::uint64_t seeds_for(std::size_t n, AdversaryKind adversary) {
  const bool heavy = adversary == AdversaryKind::kFlood || adversary == AdversaryKind::kOverlongFrames;
  if (!heavy) return kSeedsPerCase;
  return n <= 7 ? 100 : n <= 10 ? 40 : 20;
}

/// Small runs so the whole label fits the CI budget: a few epochs, tiny
/// batches; larger n get fewer epochs because an epoch costs O(n^3) messages.
SimConfig config_for(std::size_t n, AdversaryKind adversary, std::uint64_t seed) {
  SimConfig c;
  c.n = n;
  c.adversary = adversary;
  c.seed = seed;
  c.epochs = n <= 7 ? 3 : 2;
  c.batch_txs = 3;
  c.tx_bytes = 32;
  c.delay_min_ms = 1;
  c.delay_max_ms = 20;
  // Vary the network too: duplicates on some seeds, a healing partition on others.
  c.duplicate = seed % 3 == 0 ? 0.05 : 0.0;
  c.partition = seed % 5 == 1;
  c.partition_heal_ms = 40;
  // Every fourth seed runs engines restarted at a later epoch.
  c.first_epoch = seed % 4 == 2 ? 1000 + seed : 0;
  // Crash-restart needs room to fall more than kEpochWindow behind and catch
  // up by certificate (the loop in quorum/sim/README.md).
  if (adversary == AdversaryKind::kCrashRestart) c.epochs = 6;
  return c;
}

class SimProperty : public ::testing::TestWithParam<std::tuple<std::size_t, AdversaryKind>> {};

TEST_P(SimProperty, AllInvariantsHoldOnEverySeed) {
  const auto [n, adversary] = GetParam();
  std::ostringstream failures;
  std::size_t failed = 0;
  std::uint64_t decided = 0;
  const std::uint64_t seeds = seeds_for(n, adversary);
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    const SimConfig config = config_for(n, adversary, seed);
    const RunResult result = run_simulation(config);
    decided += result.decided_epochs;
    if (result.ok()) continue;
    ++failed;
    failures << summary_line(config, result) << "\n";
    for (const auto& v : result.violations) failures << "  " << v << "\n";
    failures << "  replay: " << replay_command(config) << "\n";
  }
  EXPECT_EQ(failed, 0u) << failures.str();
  // Liveness is also checked per run; this guards against a run that
  // "passes" by deciding nothing.
  EXPECT_GE(decided, seeds * config_for(n, adversary, 1).epochs);
}

std::string case_name(const ::testing::TestParamInfo<SimProperty::ParamType>& info) {
  std::string name = "n" + std::to_string(std::get<0>(info.param)) + "_" +
                     std::string(to_string(std::get<1>(info.param)));
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Adversaries, SimProperty,
                         ::testing::Combine(::testing::Values(4, 7, 10, 13, 16),
                                            ::testing::ValuesIn(kAllAdversaries)),
                         case_name);

// Issue 11's two classes beyond the label's five sizes: over-long and
// maximal frames (item 1) at every supported n, where whether an over-long
// frame fits depends on k = n - 2f; and flooders pinning maximum-size
// stripes under junk roots (item 2), which must come close to the per-peer
// bound (else the scenario tests nothing) and never pass it.
TEST(SimEverySize, OverlongFramesAtEveryN) {
  std::ostringstream failures;
  for (std::size_t n = kNetworkSizeMin; n <= kNetworkSizeMax; ++n) {
    SimConfig c = config_for(n, AdversaryKind::kOverlongFrames, n);
    c.epochs = 1;
    c.first_epoch = 0;
    const RunResult r = run_simulation(c);
    if (!r.ok()) failures << summary_line(c, r) << "\n  " << r.violations.front() << "\n  " << replay_command(c) << "\n";
  }
  EXPECT_TRUE(failures.str().empty()) << failures.str();
}

TEST(SimEverySize, MaximumFloodsReachButNeverPassThePerPeerBound) {
  for (std::size_t n : {4u, 7u, 13u, 31u}) {
    SimConfig c = config_for(n, AdversaryKind::kFlood, n);
    c.epochs = 1;
    c.first_epoch = 0;
    const RunResult r = run_simulation(c);
    EXPECT_TRUE(r.ok()) << summary_line(c, r) << "\n  " << r.violations.front() << "\n  " << replay_command(c);
    EXPECT_GE(r.peer_stripe_peak, peer_stripe_bytes_bound(n) / 2) << "n=" << n << ": the flood pinned little";
    EXPECT_LE(r.peer_stripe_peak, peer_stripe_bytes_bound(n));
  }
}

TEST(SimDeterminism, SameSeedSameRun) {
  SimConfig c = config_for(7, AdversaryKind::kByzantine, 42);
  const RunResult a = run_simulation(c);
  const RunResult b = run_simulation(c);
  EXPECT_EQ(a.deliveries, b.deliveries);
  EXPECT_EQ(a.delivered_bytes, b.delivered_bytes);
  EXPECT_EQ(a.aba_rounds, b.aba_rounds);
  EXPECT_EQ(summary_line(c, a), summary_line(c, b));
  c.seed = 43;
  EXPECT_NE(run_simulation(c).delivered_bytes, a.delivered_bytes);
}

TEST(SimCrashRestart, RestartedNodesSitOutTheirEpochsAndCatchUpByCertificate) {
  RunResult total;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    SimConfig c = config_for(7, AdversaryKind::kCrashRestart, seed);
    c.epochs = 10;
    const RunResult r = run_simulation(c);
    ASSERT_TRUE(r.ok()) << summary_line(c, r) << "\n" << r.violations.front() << "\n" << replay_command(c);
    EXPECT_TRUE(r.faulty.empty()) << "restarted nodes count as honest";
    total.restarts += r.restarts;
    total.catch_ups += r.catch_ups;
    total.certified_epochs += r.certified_epochs;
    total.sat_out_epochs += r.sat_out_epochs;
  }
  // Guards against a scenario that never exercises what it claims to.
  EXPECT_GT(total.restarts, 100u);
  EXPECT_GT(total.sat_out_epochs, 0u) << "no restart found H >= its next epoch";
  EXPECT_GT(total.certified_epochs, total.sat_out_epochs);
  EXPECT_GT(total.catch_ups, 0u) << "no node fell more than the window behind";
}

TEST(SimChecks, SentLogFlagsContradictionsButNotRelaysOrRepeats) {
  SentLog log;
  const Epoch e{5};
  const NodeId p{2};
  EXPECT_FALSE(log.record(Message{e, p, AbaBval{Round{0}, false}}));
  EXPECT_FALSE(log.record(Message{e, p, AbaBval{Round{0}, true}})) << "relaying the other value is honest";
  EXPECT_FALSE(log.record(Message{e, p, AbaAux{Round{0}, true}}));
  EXPECT_FALSE(log.record(Message{e, p, AbaAux{Round{0}, true}})) << "a re-send is not a contradiction";
  EXPECT_FALSE(log.record(Message{e, p, AbaAux{Round{1}, false}}));
  EXPECT_TRUE(log.record(Message{e, p, AbaAux{Round{0}, false}}));
  EXPECT_FALSE(log.record(Message{e, p, AbaConf{Round{2}, BoolSet::kTrue}}));
  EXPECT_TRUE(log.record(Message{e, p, AbaConf{Round{2}, BoolSet::kBoth}}));
  EXPECT_FALSE(log.record(Message{e, p, AbaTerm{true}}));
  EXPECT_TRUE(log.record(Message{e, p, AbaTerm{false}}));
  Digest root{};
  EXPECT_FALSE(log.record(Message{e, p, RbcReady{root}}));
  EXPECT_FALSE(log.record(Message{Epoch{6}, p, RbcReady{root}}));
  root[0] = 1;
  EXPECT_TRUE(log.record(Message{e, p, RbcReady{root}}));
  EXPECT_FALSE(log.record(Message{e, p, RbcEcho{root, {}, {}}}));
  EXPECT_TRUE(log.record(Message{e, p, RbcEcho{Digest{}, {}, {}}}));
  EXPECT_FALSE(log.record(Message{e, p, RbcVal{root, {}, {}}}));
  EXPECT_TRUE(log.record(Message{e, p, RbcVal{Digest{}, {}, {}}})) << "a second value in one epoch";
  CoinShare share;
  EXPECT_FALSE(log.record(Message{e, p, AbaCoin{Round{2}, share}}));
  share.point[0] = 9;
  EXPECT_TRUE(log.record(Message{e, p, AbaCoin{Round{2}, share}}));
}

TEST(SimChecks, TooSmallBudgetIsALivenessViolation) {
  SimConfig c = config_for(4, AdversaryKind::kNone, 1);
  c.delivery_budget = 50;  // far below one epoch's messages
  const RunResult r = run_simulation(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.violations.front().find("liveness"), std::string::npos);
}

}  // namespace
}  // namespace quorumclear::quorum::sim
