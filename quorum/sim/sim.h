#pragma once
// The deterministic network simulator: n quorum engines in one process, a
// seeded fake network (delay, reorder, duplication, partitions that heal,
// crashes) and Byzantine nodes under the threat model of quorum/sim/README.md.
// One SimConfig (seed included) fully determines a run, so every failure
// replays from the command line that replay_command() prints.

#include "quorum/engine.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quorumclear::quorum::sim {

/// Who misbehaves in a run. All but kNone, kIssue59 and kCrashRestart make f
/// nodes faulty (chosen by the seed); kIssue59 uses exactly one Byzantine
/// node plus an adversarial scheduler, as in MacBrough's attack;
/// kCrashRestart crashes f nodes that restart and count as honest.
enum class AdversaryKind : std::uint8_t {
  kNone,          // all honest; the network alone delays, reorders, duplicates
  kCrash,         // f nodes stop, some at the start, some mid-epoch
  kEquivocate,    // f proposers send different values to the two halves of the network
  kBadStripes,    // f nodes send corrupted stripes and non-codeword encodings
  kBadBranches,   // f nodes send Merkle branches that do not prove their stripe
  kBadCoin,       // f nodes send forged coin shares or none
  kBothVotes,     // f nodes vote both values in BVAL/AUX/CONF/TERM
  kReplay,        // f nodes replay old messages, re-stamped or as they were
  /// f nodes flood far-future epochs, and within the window send maximum-size
  /// stripes under junk roots in every instance (the most a peer can pin)
  kFlood,
  kIssue59,       // HoneyBadgerBFT issue 59: adaptive scheduler + one Byzantine node
  kByzantine,     // each of f nodes picks one of the behaviours above
  /// f honest nodes crash (possibly mid-step, messages in flight), lose all
  /// volatile state and restart from what their Steps declared durable,
  /// catching up by certificate (quorum/sim/README.md).
  kCrashRestart,
  /// f proposers send genuine codewords of maximum-size stripes whose frames
  /// are over-long (beyond kBatchBytesMax, where the stripe leaves room),
  /// non-canonical, or exactly kBatchBytesMax (a value that must deliver).
  kOverlongFrames,
};

inline constexpr AdversaryKind kAllAdversaries[] = {
    AdversaryKind::kNone,       AdversaryKind::kCrash,     AdversaryKind::kEquivocate,
    AdversaryKind::kBadStripes, AdversaryKind::kBadBranches, AdversaryKind::kBadCoin,
    AdversaryKind::kBothVotes,  AdversaryKind::kReplay,    AdversaryKind::kFlood,
    AdversaryKind::kIssue59,    AdversaryKind::kByzantine, AdversaryKind::kCrashRestart,
    AdversaryKind::kOverlongFrames};

[[nodiscard]] std::string_view to_string(AdversaryKind kind);
[[nodiscard]] std::optional<AdversaryKind> parse_adversary(std::string_view name);

struct SimConfig {
  std::size_t n = 4;
  std::uint64_t seed = 1;
  AdversaryKind adversary = AdversaryKind::kNone;
  std::uint64_t epochs = 4;         // every honest node must decide this many
  std::uint64_t first_epoch = 0;    // > 0: engines start as restarted nodes
  std::size_t batch_txs = 4;        // transactions per proposed batch
  std::size_t tx_bytes = 32;        // bytes per transaction (>= 16)
  std::uint64_t delay_min_ms = 1;   // per message, uniform in [min, max]
  std::uint64_t delay_max_ms = 20;  // 0/0: zero delay, FIFO
  /// Probability that a message takes the slow path instead: uniform in
  /// [max, 10 max]. The heavy tail is what makes honest nodes see RBCs
  /// deliver at different moments, i.e. split ABA inputs and coin rounds.
  double slow = 0.1;
  double duplicate = 0.0;           // probability a message is delivered twice
  bool partition = false;           // split the nodes in two until partition_heal_ms
  std::uint64_t partition_heal_ms = 200;
  /// Liveness bound: a run that needs more deliveries than this fails.
  /// 0 = derived from n and epochs (see liveness_budget()).
  std::uint64_t delivery_budget = 0;
};

/// Deliveries a run may use before liveness counts as violated.
[[nodiscard]] std::uint64_t liveness_budget(const SimConfig& config);

/// The command line that reproduces this run exactly.
[[nodiscard]] std::string replay_command(const SimConfig& config);

struct RunResult {
  std::vector<std::string> violations;
  std::uint64_t decided_epochs = 0;     // fewest decided by any honest node
  std::uint64_t deliveries = 0;         // messages delivered by the network
  std::uint64_t delivered_bytes = 0;    // their canonical encoded size
  std::uint64_t transactions = 0;       // in the first `epochs` outputs
  std::uint64_t aba_instances = 0;      // summed over honest nodes
  std::uint64_t aba_rounds = 0;
  std::uint32_t aba_rounds_max = 0;
  std::uint64_t threshold_coins = 0;
  std::uint64_t faults = 0;             // recorded by honest nodes
  /// Faults honest nodes recorded against honest nodes, by FaultKind. Each
  /// one is also a violation; kept by kind to say which rule misfired.
  std::array<std::uint64_t, EngineStats::kFaultKinds> honest_blamed{};
  std::uint64_t restarts = 0;           // engines rebuilt after a crash
  std::uint64_t catch_ups = 0;          // engines rebuilt at a later epoch, no crash
  std::uint64_t certified_epochs = 0;   // epochs taken by certificate
  std::uint64_t sat_out_epochs = 0;     // epochs skipped at restart because H >= them
  std::uint64_t virtual_ms = 0;         // simulated time at the end
  std::size_t buffered_peak = 0;        // largest buffered_bytes_peak of an honest node
  std::size_t buffered_bound = 0;       // the bound it was checked against
  /// Largest peer_stripe_bytes_peak of an honest node: the most one peer
  /// made it hold. Checked against peer_stripe_bytes_bound(n), which is
  /// within kPeerStripeBudgetBytes (quorum/memory_budget.h).
  std::size_t peer_stripe_peak = 0;
  std::vector<NodeId> faulty;           // crashed or Byzantine nodes

  [[nodiscard]] bool ok() const { return violations.empty(); }
};

/// Runs one seeded simulation and checks every invariant on it.
[[nodiscard]] RunResult run_simulation(const SimConfig& config);

/// One summary line: seed, n, adversary, violations, epochs, messages and
/// bytes per epoch, ABA rounds (mean/max).
[[nodiscard]] std::string summary_line(const SimConfig& config, const RunResult& result);

}  // namespace quorumclear::quorum::sim
