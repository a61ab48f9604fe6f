// Proves that agreement, validity, integrity, liveness and bounded memory
// hold on 200 seeded runs for every n in {4, 7, 10, 13, 16} and every
// adversary of the threat model (quorum/sim/README.md).

#include "quorum/sim/sim.h"

#include <gtest/gtest.h>

#include <sstream>
#include <tuple>

namespace quorumclear::quorum::sim {
namespace {

constexpr std::uint64_t kSeedsPerCase = 200;

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
  return c;
}

class SimProperty : public ::testing::TestWithParam<std::tuple<std::size_t, AdversaryKind>> {};

TEST_P(SimProperty, AllInvariantsHoldOnEverySeed) {
  const auto [n, adversary] = GetParam();
  std::ostringstream failures;
  std::size_t failed = 0;
  std::uint64_t decided = 0;
  for (std::uint64_t seed = 1; seed <= kSeedsPerCase; ++seed) {
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
  EXPECT_GE(decided, kSeedsPerCase * config_for(n, adversary, 1).epochs);
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

TEST(SimChecks, TooSmallBudgetIsALivenessViolation) {
  SimConfig c = config_for(4, AdversaryKind::kNone, 1);
  c.delivery_budget = 50;  // far below one epoch's messages
  const RunResult r = run_simulation(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.violations.front().find("liveness"), std::string::npos);
}

}  // namespace
}  // namespace quorumclear::quorum::sim
