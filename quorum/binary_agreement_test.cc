// Proves binary agreement decides one common value that some honest node
// proposed, in one or two rounds when inputs agree, and terminates under
// random scheduling with f crashed or Byzantine nodes (double votes,
// conflicting TERMs, invalid coin shares, far-future floods, lagging peers),
// and never blames an honest peer, not even one that runs rounds ahead.

#include "quorum/binary_agreement.h"
#include "quorum/sim/seeded_random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "quorum/keygen.h"

namespace quorumclear::quorum {
namespace {

NodeId node(std::size_t i) { return NodeId{static_cast<std::uint16_t>(i)}; }

RandomSource seeded(std::uint64_t seed) { return sim::seeded_random(seed); }

/// Keys per network size, dealt once: dealing is deterministic anyway.
const std::vector<ThresholdCoin>& coins_for(std::size_t n) {
  static std::map<std::size_t, std::vector<ThresholdCoin>> cache;
  auto it = cache.find(n);
  if (it == cache.end()) {
    std::vector<ThresholdCoin> coins;
    for (auto& keys : deal_keys(Membership(n), seeded(n))) coins.emplace_back(Membership(n), keys.coin);
    it = cache.emplace(n, std::move(coins)).first;
  }
  return it->second;
}

CoinName instance_name() {
  CoinName name;
  name.network_id.fill(0xab);
  name.epoch = Epoch{17};
  name.proposer = NodeId{2};
  return name;
}

std::optional<Round> round_of(const AbaPayload& payload) {
  return std::visit(
      [](const auto& m) -> std::optional<Round> {
        if constexpr (requires { m.round; }) {
          return m.round;
        } else {
          return std::nullopt;
        }
      },
      payload);
}

enum class Role { kHonest, kCrashed, kVoteBoth, kBadCoin };

/// n instances and a network that delivers one random pending message at a
/// time: any interleaving is possible, and the seed replays it.
class AbaNetwork {
 public:
  struct Envelope {
    std::size_t from;
    std::size_t to;
    AbaPayload payload;
  };

  AbaNetwork(std::size_t n, std::uint64_t seed, std::vector<Role> roles = {})
      : members_(n), rng_(seed), roles_(std::move(roles)) {
    roles_.resize(n, Role::kHonest);
    for (std::size_t i = 0; i < n; ++i) {
      nodes_.emplace_back(members_, node(i), instance_name(), coins_for(n)[i]);
    }
  }

  bool runs_code(std::size_t i) const { return roles_[i] == Role::kHonest || roles_[i] == Role::kBadCoin; }
  bool honest(std::size_t i) const { return roles_[i] == Role::kHonest; }

  void input(std::size_t i, bool value) {
    if (runs_code(i)) absorb(i, nodes_[i].input(value));
  }

  /// Delivers until nothing is pending or `stop` says so. Returns steps taken.
  std::size_t run(const std::function<bool()>& stop = [] { return false; }) {
    std::size_t steps = 0;
    while (!pending_.empty() && !stop() && steps < 5'000'000) {
      std::uniform_int_distribution<std::size_t> pick(0, pending_.size() - 1);
      const std::size_t k = pick(rng_);
      std::swap(pending_[k], pending_.back());
      const Envelope e = pending_.back();
      pending_.pop_back();
      ++steps;
      if (held_ && held_(e)) {
        held_messages_.push_back(e);
        continue;
      }
      deliver(e);
      // The network may deliver a message twice; honest nodes must not be
      // blamed for it.
      if (duplicate_percent_ > 0 && rng_() % 100 < duplicate_percent_) pending_.push_back(e);
    }
    return steps;
  }

  void hold_while(std::function<bool(const Envelope&)> rule) { held_ = std::move(rule); }
  void release_held() {
    held_ = nullptr;
    pending_.insert(pending_.end(), held_messages_.begin(), held_messages_.end());
    held_messages_.clear();
  }
  void crash(std::size_t i) { roles_[i] = Role::kCrashed; }
  void duplicate(std::uint64_t percent) { duplicate_percent_ = percent; }

  const BinaryAgreement& at(std::size_t i) const { return nodes_[i]; }
  std::size_t n() const { return members_.n(); }

  /// Faults honest observers recorded against `accused`.
  std::size_t faults_against(std::size_t accused, std::optional<FaultKind> kind = std::nullopt) const {
    std::size_t count = 0;
    for (const auto& [observer, fault] : faults_) {
      if (fault.node == node(accused) && (!kind || fault.kind == *kind)) ++count;
    }
    return count;
  }

  /// Every honest node decided, and all on the same value.
  std::optional<bool> common_decision() const {
    std::optional<bool> value;
    for (std::size_t i = 0; i < n(); ++i) {
      if (!honest(i)) continue;
      const auto d = nodes_[i].decision();
      if (!d || (value && *value != *d)) return std::nullopt;
      value = d;
    }
    return value;
  }

 private:
  void send(std::size_t from, std::size_t to, const AbaPayload& payload) {
    pending_.push_back(Envelope{from, to, payload});
  }

  void absorb(std::size_t from, BinaryAgreement::Output out) {
    for (auto& [target, payload] : out.messages) {
      if (roles_[from] == Role::kBadCoin) corrupt_coin(payload);
      for (std::size_t j = 0; j < n(); ++j) {
        const bool addressed = target.to_all ? j != from : target.node == node(j);
        if (addressed) send(from, j, payload);
      }
    }
    for (const Fault& f : out.faults) faults_.emplace_back(from, f);
  }

  static void corrupt_coin(AbaPayload& payload) {
    if (auto* coin = std::get_if<AbaCoin>(&payload)) coin->share.response[3] ^= 0x20;
  }

  void deliver(const Envelope& e) {
    switch (roles_[e.to]) {
      case Role::kCrashed:
        return;
      case Role::kVoteBoth:
        return vote_both(e);
      case Role::kHonest:
      case Role::kBadCoin:
        return absorb(e.to, nodes_[e.to].handle(node(e.from), e.payload));
    }
  }

  /// A Byzantine node that, for every round it hears of, votes both values,
  /// tells half the nodes one thing and half the other, sends garbage coin
  /// shares, conflicting TERMs and messages for far-future rounds.
  void vote_both(const Envelope& e) {
    const std::size_t self = e.to;
    const auto r = round_of(e.payload);
    // Reacting only to code-running nodes keeps two attackers from feeding
    // each other rounds forever.
    if (!runs_code(e.from) || !r || !attacked_.insert({self, r->value}).second) return;
    for (std::size_t j = 0; j < n(); ++j) {
      if (j == self) continue;
      const bool side = (j + r->value) % 2 == 1;
      send(self, j, AbaBval{*r, false});
      send(self, j, AbaBval{*r, true});
      send(self, j, AbaAux{*r, side});
      send(self, j, AbaAux{*r, !side});
      if (r->value % 3 == 2) {
        send(self, j, AbaConf{*r, side ? BoolSet::kTrue : BoolSet::kBoth});
        send(self, j, AbaConf{*r, BoolSet::kFalse});
        CoinShare garbage;
        garbage.point.fill(static_cast<std::uint8_t>(j));
        send(self, j, AbaCoin{*r, garbage});
      }
      send(self, j, AbaTerm{side});
      send(self, j, AbaTerm{!side});
      send(self, j, AbaBval{Round{r->value + 50}, side});  // beyond the window: dropped
      send(self, j, AbaBval{Round{kRoundsMax + r->value}, side});  // no honest node gets there
    }
  }

  Membership members_;
  std::mt19937_64 rng_;
  std::vector<Role> roles_;
  std::vector<BinaryAgreement> nodes_;
  std::vector<Envelope> pending_;
  std::vector<Envelope> held_messages_;
  std::function<bool(const Envelope&)> held_;
  std::vector<std::pair<std::size_t, Fault>> faults_;
  std::set<std::pair<std::size_t, std::uint32_t>> attacked_;
  std::uint64_t duplicate_percent_ = 0;
};

/// Faulty roles for the last f nodes.
std::vector<Role> last_f(std::size_t n, Role role) {
  std::vector<Role> roles(n, Role::kHonest);
  for (std::size_t i = n - Membership(n).f(); i < n; ++i) roles[i] = role;
  return roles;
}

struct RunSummary {
  std::optional<bool> decision;
  std::uint32_t threshold_coins = 0;
  std::uint32_t max_rounds = 0;
};

RunSummary run_once(std::size_t n, std::uint64_t seed, const std::vector<bool>& inputs,
                    std::vector<Role> roles = {}, std::uint64_t duplicate_percent = 0) {
  AbaNetwork net(n, seed, std::move(roles));
  net.duplicate(duplicate_percent);
  for (std::size_t i = 0; i < n; ++i) net.input(i, inputs[i]);
  net.run();
  RunSummary out;
  out.decision = net.common_decision();
  for (std::size_t i = 0; i < n; ++i) {
    if (!net.honest(i)) continue;
    out.threshold_coins += net.at(i).stats().threshold_coins;
    out.max_rounds = std::max(out.max_rounds, net.at(i).stats().rounds);
    EXPECT_TRUE(net.at(i).terminated()) << "node " << i << " seed " << seed;
    // Under random scheduling honest peers run rounds ahead of each other;
    // that is asynchrony, not misbehaviour.
    EXPECT_EQ(net.faults_against(i), 0u) << "an honest node was blamed, seed " << seed;
  }
  return out;
}

std::vector<bool> random_inputs(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed * 7919 + 1);
  std::vector<bool> inputs(n);
  for (std::size_t i = 0; i < n; ++i) inputs[i] = (rng() & 1) == 1;
  return inputs;
}

class AbaBySize : public ::testing::TestWithParam<std::size_t> {};

TEST_P(AbaBySize, UnanimousOnesDecideInRoundZeroWithTheFixedCoin) {
  const std::size_t n = GetParam();
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const RunSummary run = run_once(n, seed, std::vector<bool>(n, true));
    EXPECT_EQ(run.decision, std::optional<bool>(true));
    EXPECT_EQ(run.max_rounds, 1u);
    EXPECT_EQ(run.threshold_coins, 0u);
  }
}

TEST_P(AbaBySize, UnanimousZerosDecideInRoundOneWithTheFixedCoin) {
  const std::size_t n = GetParam();
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const RunSummary run = run_once(n, seed, std::vector<bool>(n, false));
    EXPECT_EQ(run.decision, std::optional<bool>(false));
    EXPECT_EQ(run.max_rounds, 2u);
    EXPECT_EQ(run.threshold_coins, 0u);
  }
}

TEST_P(AbaBySize, MixedInputsAgreeAndTerminateOverManySeeds) {
  const std::size_t n = GetParam();
  std::uint32_t coins = 0;
  std::array<int, 2> decided{};
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    const auto inputs = random_inputs(n, seed);
    const RunSummary run = run_once(n, seed, inputs);
    ASSERT_TRUE(run.decision.has_value()) << "no common decision, seed " << seed;
    // Validity: the decision is some node's input.
    EXPECT_NE(std::find(inputs.begin(), inputs.end(), *run.decision), inputs.end());
    coins += run.threshold_coins;
    ++decided[*run.decision ? 1 : 0];
  }
  EXPECT_GT(coins, 0u) << "the threshold coin was never needed";
  EXPECT_GT(decided[0], 0);
  EXPECT_GT(decided[1], 0);
}

TEST_P(AbaBySize, DuplicatedDeliveriesChangeNothing) {
  const std::size_t n = GetParam();
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    const RunSummary run = run_once(n, seed, random_inputs(n, seed), {}, 20);
    ASSERT_TRUE(run.decision.has_value()) << "seed " << seed;
  }
}

TEST_P(AbaBySize, FCrashedNodesDoNotStopTheOthers) {
  const std::size_t n = GetParam();
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    const RunSummary run = run_once(n, seed, random_inputs(n, seed), last_f(n, Role::kCrashed));
    ASSERT_TRUE(run.decision.has_value()) << "seed " << seed;
  }
}

TEST_P(AbaBySize, FNodesCrashingMidRunDoNotStopTheOthers) {
  const std::size_t n = GetParam();
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    AbaNetwork net(n, seed);
    const auto inputs = random_inputs(n, seed);
    for (std::size_t i = 0; i < n; ++i) net.input(i, inputs[i]);
    std::size_t budget = seed % 50 * n;
    (void)net.run([&] { return budget-- == 0; });
    for (std::size_t i = n - Membership(n).f(); i < n; ++i) net.crash(i);
    (void)net.run();
    ASSERT_TRUE(net.common_decision().has_value()) << "seed " << seed;
  }
}

TEST_P(AbaBySize, DoubleVotesAndConflictingTermsCannotBreakAgreementOrValidity) {
  const std::size_t n = GetParam();
  std::size_t conflicting = 0;
  std::size_t out_of_window = 0;
  std::uint64_t dropped_future = 0;
  std::uint32_t coins = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const auto roles = last_f(n, Role::kVoteBoth);
    AbaNetwork net(n, seed, roles);
    const auto inputs = random_inputs(n, seed);
    for (std::size_t i = 0; i < n; ++i) net.input(i, inputs[i]);
    net.run();
    ASSERT_TRUE(net.common_decision().has_value()) << "seed " << seed;
    // Validity: a value no honest node proposed is never decided.
    bool proposed = false;
    for (std::size_t i = 0; i < n; ++i) proposed |= net.honest(i) && inputs[i] == *net.common_decision();
    EXPECT_TRUE(proposed) << "seed " << seed;
    conflicting += net.faults_against(n - 1, FaultKind::kConflictingVote);
    out_of_window += net.faults_against(n - 1, FaultKind::kRoundOutOfWindow);
    for (std::size_t i = 0; i < n; ++i) {
      if (!net.honest(i)) continue;
      coins += net.at(i).stats().threshold_coins;
      dropped_future += net.at(i).stats().dropped_future_round;
      EXPECT_EQ(net.faults_against(i), 0u) << "an honest node was blamed, seed " << seed;
    }
  }
  EXPECT_GT(conflicting, 0u);
  EXPECT_GT(out_of_window, 0u) << "rounds >= kRoundsMax must be blamed";
  EXPECT_GT(dropped_future, 0u) << "far-future rounds must be dropped and counted";
  EXPECT_GT(coins, 0u) << "the attack never reached a threshold-coin round";
  for (const bool unanimous : {false, true}) {
    for (std::uint64_t seed = 0; seed < 30; ++seed) {
      const RunSummary run = run_once(n, seed, std::vector<bool>(n, unanimous), last_f(n, Role::kVoteBoth));
      EXPECT_EQ(run.decision, std::optional<bool>(unanimous)) << "validity, seed " << seed;
    }
  }
}

TEST_P(AbaBySize, InvalidCoinSharesAreFaultsAndNeverCombined) {
  const std::size_t n = GetParam();
  std::vector<Role> roles(n, Role::kHonest);
  // Node 0's shares are checked first, so its bad ones are always seen.
  for (std::size_t i = 0; i < Membership(n).f(); ++i) roles[i] = Role::kBadCoin;
  std::size_t faults = 0;
  std::uint32_t coins = 0;
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    AbaNetwork net(n, seed, roles);
    const auto inputs = random_inputs(n, seed);
    for (std::size_t i = 0; i < n; ++i) net.input(i, inputs[i]);
    net.run();
    ASSERT_TRUE(net.common_decision().has_value()) << "seed " << seed;
    faults += net.faults_against(0, FaultKind::kInvalidCoinShare);
    for (std::size_t i = 0; i < n; ++i) {
      if (net.honest(i)) coins += net.at(i).stats().threshold_coins;
    }
  }
  EXPECT_GT(coins, 0u);
  EXPECT_GT(faults, 0u);
}

INSTANTIATE_TEST_SUITE_P(N, AbaBySize, ::testing::Values(4, 7, 10));

TEST(BinaryAgreement, LaggingNodeCatchesUpAfterItDroppedFarFutureRounds) {
  // n = 7: node 6 hears nothing while 0..5 run ahead. Once one of them is in
  // round 3 or later undecided, nodes 4 and 5 crash and node 6 gets all it
  // missed at once. It drops rounds > 2 as out of window, yet 0..3 now
  // need its votes: they must re-send their later rounds when it shows up
  // there, or all of them stall.
  int lagged = 0;
  for (std::uint64_t seed = 0; seed < 2000 && lagged < 5; ++seed) {
    AbaNetwork net(7, seed);
    net.hold_while([](const auto& e) { return e.to == 6; });
    const auto inputs = random_inputs(7, seed);
    for (std::size_t i = 0; i < 7; ++i) net.input(i, inputs[i]);
    const auto ahead = [&] {
      for (std::size_t i = 0; i < 6; ++i) {
        if (net.at(i).stats().rounds >= 4) return true;
      }
      return false;
    };
    (void)net.run(ahead);
    bool undecided = true;
    for (std::size_t i = 0; i < 6; ++i) undecided &= !net.at(i).decision().has_value();
    if (!ahead() || !undecided) continue;
    ++lagged;
    net.crash(4);
    net.crash(5);
    net.release_held();
    (void)net.run();
    ASSERT_TRUE(net.common_decision().has_value()) << "seed " << seed;
    // Node 6 dropped the honest nodes' far-ahead rounds without blaming them.
    EXPECT_GT(net.at(6).stats().dropped_future_round, 0u) << "seed " << seed;
    for (std::size_t i = 0; i < 7; ++i) {
      if (!net.honest(i)) continue;
      EXPECT_EQ(net.faults_against(i), 0u) << "node " << i << " seed " << seed;
    }
  }
  EXPECT_GT(lagged, 0) << "no seed produced the lagging scenario";
}

// --- single-instance cases, fed by hand -------------------------------------

class OneInstance : public ::testing::Test {
 protected:
  OneInstance() : aba_(Membership(4), node(0), instance_name(), coins_for(4)[0]) {}
  BinaryAgreement aba_;
};

/// Plays peers 1 .. 3 of an n = 4 instance through one undecided round r:
/// both values reach bin_values and the AUX split keeps vals = {0, 1}, so
/// est becomes the coin and nobody decides. Returns what the instance sent.
std::vector<std::pair<Target, AbaPayload>> split_round(BinaryAgreement& aba, std::uint32_t r) {
  std::vector<std::pair<Target, AbaPayload>> sent;
  const auto take = [&](BinaryAgreement::Output out) {
    EXPECT_TRUE(out.faults.empty()) << "round " << r;
    sent.insert(sent.end(), out.messages.begin(), out.messages.end());
  };
  for (std::size_t j = 1; j < 4; ++j) {
    take(aba.handle(node(j), AbaBval{Round{r}, false}));
    take(aba.handle(node(j), AbaBval{Round{r}, true}));
  }
  take(aba.handle(node(1), AbaAux{Round{r}, false}));
  take(aba.handle(node(2), AbaAux{Round{r}, true}));
  if (r % 3 == 2) {
    CoinName name = instance_name();
    name.round = Round{r};
    take(aba.handle(node(1), AbaConf{Round{r}, BoolSet::kBoth}));
    take(aba.handle(node(2), AbaConf{Round{r}, BoolSet::kBoth}));
    take(aba.handle(node(1), AbaCoin{Round{r}, coins_for(4)[1].make_share(name)}));
  }
  return sent;
}

TEST_F(OneInstance, HaltedInstanceStillDecidesOnFPlusOneTerms) {
  (void)aba_.input(false);
  for (std::uint32_t r = 0; r < kRoundsMax; ++r) {
    (void)split_round(aba_, r);
    ASSERT_FALSE(aba_.decision().has_value()) << "round " << r;
  }
  EXPECT_EQ(aba_.stats().rounds, kRoundsMax) << "halted after kRoundsMax rounds";
  // Votes are over for a halted instance, TERMs are not: f+1 TERM(b) include
  // an honest decider, and without them the epoch could never be output.
  EXPECT_FALSE(aba_.handle(node(1), AbaBval{Round{0}, true}).decided.has_value());
  EXPECT_FALSE(aba_.handle(node(1), AbaTerm{true}).decided.has_value());
  const auto out = aba_.handle(node(2), AbaTerm{true});
  ASSERT_EQ(out.decided, std::optional<bool>(true));
  EXPECT_TRUE(aba_.terminated());
}

TEST_F(OneInstance, ARoundBeyondKRoundsMaxNeverMarksThePeerAsLagging) {
  (void)aba_.input(false);
  // Blamed, and not remembered: highest_round_seen + kRoundWindow used to
  // wrap to 1, so every later round took peer 1 for a laggard and sent it
  // all of that round's messages again.
  const auto blamed = aba_.handle(node(1), AbaBval{Round{0xFFFFFFFF}, true});
  ASSERT_EQ(blamed.faults.size(), 1u);
  EXPECT_EQ(blamed.faults[0], (Fault{node(1), FaultKind::kRoundOutOfWindow}));
  std::size_t resent = 0;
  for (std::uint32_t r = 0; r < 9; ++r) {
    for (const auto& [to, payload] : split_round(aba_, r)) resent += to.to_all ? 0u : 1u;
  }
  EXPECT_EQ(aba_.stats().rounds, 10u);
  EXPECT_EQ(resent, 0u) << "peer 1 voted in every round: it never lagged";
}

TEST_F(OneInstance, FPlusOneTermsDecideAtOnceEvenWithoutInput) {
  auto out = aba_.handle(node(1), AbaTerm{true});
  EXPECT_FALSE(out.decided.has_value());
  out = aba_.handle(node(2), AbaTerm{true});
  ASSERT_EQ(out.decided, std::optional<bool>(true));
  ASSERT_EQ(out.messages.size(), 1u);
  EXPECT_TRUE(out.messages[0].first.to_all);
  EXPECT_EQ(out.messages[0].second, AbaPayload(AbaTerm{true}));
  EXPECT_TRUE(aba_.terminated());
  EXPECT_FALSE(aba_.has_input());
  out = aba_.input(false);
  EXPECT_TRUE(out.messages.empty());
}

TEST_F(OneInstance, ConflictingAndDuplicateMessagesAreFaults) {
  (void)aba_.input(false);
  auto out = aba_.handle(node(1), AbaTerm{false});
  EXPECT_TRUE(out.faults.empty());
  out = aba_.handle(node(1), AbaTerm{false});
  EXPECT_TRUE(out.faults.empty()) << "a network duplicate is not a fault";
  out = aba_.handle(node(1), AbaTerm{true});
  ASSERT_EQ(out.faults.size(), 1u);
  EXPECT_EQ(out.faults[0], (Fault{node(1), FaultKind::kConflictingVote}));
  EXPECT_FALSE(out.decided.has_value()) << "one TERM per sender counts";

  out = aba_.handle(node(2), AbaAux{Round{1}, true});
  EXPECT_TRUE(out.faults.empty());
  out = aba_.handle(node(2), AbaAux{Round{1}, false});
  ASSERT_EQ(out.faults.size(), 1u);
  EXPECT_EQ(out.faults[0].kind, FaultKind::kConflictingVote);

  out = aba_.handle(node(3), AbaConf{Round{2}, BoolSet::kTrue});
  EXPECT_TRUE(out.faults.empty());
  out = aba_.handle(node(3), AbaConf{Round{2}, BoolSet::kBoth});
  ASSERT_EQ(out.faults.size(), 1u);
  EXPECT_EQ(out.faults[0].kind, FaultKind::kConflictingVote);

  const CoinShare share = coins_for(4)[3].make_share(instance_name());
  out = aba_.handle(node(3), AbaCoin{Round{2}, share});
  EXPECT_TRUE(out.faults.empty());
  CoinShare other = share;
  other.response[0] ^= 1;
  out = aba_.handle(node(3), AbaCoin{Round{2}, other});
  ASSERT_EQ(out.faults.size(), 1u);
  EXPECT_EQ(out.faults[0].kind, FaultKind::kDuplicateMessage);
}

TEST_F(OneInstance, MalformedAbaMessagesAreFaults) {
  (void)aba_.input(true);
  for (const AbaPayload& bad :
       {AbaPayload(AbaConf{Round{0}, BoolSet::kTrue}), AbaPayload(AbaConf{Round{2}, BoolSet::kNone}),
        AbaPayload(AbaConf{Round{2}, static_cast<BoolSet>(7)}), AbaPayload(AbaCoin{Round{1}, CoinShare{}})}) {
    const auto out = aba_.handle(node(1), bad);
    ASSERT_EQ(out.faults.size(), 1u);
    EXPECT_EQ(out.faults[0].kind, FaultKind::kMalformedMessage);
  }
}

TEST_F(OneInstance, FarFutureRoundsAreDroppedUnblamedAndMemoryStaysBounded) {
  (void)aba_.input(false);
  // Fill every round the window allows, from every peer.
  for (std::uint32_t r = 0; r <= kRoundWindow; ++r) {
    for (std::size_t j = 1; j < 4; ++j) {
      (void)aba_.handle(node(j), AbaBval{Round{r}, r % 2 == 0});
      (void)aba_.handle(node(j), AbaCoin{Round{2}, coins_for(4)[j].make_share(instance_name())});
    }
  }
  const std::size_t held = aba_.buffered_bytes();
  EXPECT_GT(held, 0u);
  // Rounds beyond the window but below kRoundsMax: an honest peer can be
  // there, so they are dropped and counted, never blamed.
  std::size_t faults = 0;
  std::size_t sent = 0;
  for (std::uint32_t r = kRoundWindow + 1; r < kRoundsMax; ++r) {
    for (const AbaPayload& flood : {AbaPayload(AbaBval{Round{r}, true}), AbaPayload(AbaAux{Round{r}, true}),
                                    AbaPayload(AbaConf{Round{r / 3 * 3 + 2}, BoolSet::kBoth})}) {
      if (round_of(flood)->value >= kRoundsMax) continue;
      const auto out = aba_.handle(node(1), flood);
      faults += out.faults.size();
      ++sent;
    }
  }
  EXPECT_EQ(faults, 0u);
  EXPECT_EQ(aba_.stats().dropped_future_round, sent);
  // Rounds an honest node never reaches (it halts at kRoundsMax): blamed.
  std::size_t blamed = 0;
  for (std::uint32_t r = kRoundsMax; r < 5000; ++r) {
    for (const AbaPayload& flood : {AbaPayload(AbaBval{Round{r}, true}), AbaPayload(AbaAux{Round{r}, true})}) {
      const auto out = aba_.handle(node(1), flood);
      for (const Fault& f : out.faults) blamed += f == Fault{node(1), FaultKind::kRoundOutOfWindow} ? 1u : 0u;
    }
  }
  EXPECT_EQ(blamed, 2 * (5000u - kRoundsMax));
  EXPECT_EQ(aba_.stats().dropped_future_round, sent);
  EXPECT_EQ(aba_.buffered_bytes(), held);
  EXPECT_FALSE(aba_.terminated());
}

}  // namespace
}  // namespace quorumclear::quorum
