#pragma once
// ABA(e, j): asynchronous binary agreement on "is proposer j's batch in
// epoch e" (Mostefaoui-Moumen-Raynal 2014 with the CONF round from
// HoneyBadgerBFT issue 59, and the fixed-coin schedule of QUORUM_PROTOCOL.md:
// round r mod 3 == 0 coin 1, == 1 coin 0, == 2 threshold coin).

#include "quorum/threshold_coin.h"
#include "quorum/step.h"

#include <memory>
#include <optional>

namespace quorumclear::quorum {

/// Counters the metrics layer maps to Prometheus.
struct BinaryAgreementStats {
  std::uint32_t rounds = 0;            // rounds started
  std::uint32_t threshold_coins = 0;   // coins combined from shares
  std::uint32_t shares_verified = 0;   // Chaum-Pedersen verifications run
  /// Messages for rounds more than kRoundWindow ahead of ours, dropped
  /// unrecorded: an honest peer may legitimately be that far ahead under
  /// asynchrony, so this is a load signal, not a fault (the catch-up re-send
  /// makes up for the drop once we get there).
  std::uint64_t dropped_future_round = 0;
};

class BinaryAgreement {
 public:
  struct [[nodiscard]] Output {
    std::vector<std::pair<Target, AbaPayload>> messages;
    std::vector<Fault> faults;
    /// Set exactly once, by the call that decides.
    std::optional<bool> decided;
  };

  /// `coin` must outlive the instance. `name` gives network, epoch and
  /// proposer; its round is ignored (set per round).
  BinaryAgreement(const Membership& members, NodeId self, const CoinName& name,
                  const ThresholdCoin& coin);
  ~BinaryAgreement();
  BinaryAgreement(BinaryAgreement&&) noexcept;
  BinaryAgreement& operator=(BinaryAgreement&&) noexcept;

  /// This node's input. Ignored (empty Output) if it already has one.
  Output input(bool value);

  /// A message from `from` (already known to be in the membership).
  Output handle(NodeId from, const AbaPayload& message);

  [[nodiscard]] bool has_input() const;
  [[nodiscard]] std::optional<bool> decision() const;
  /// True once decided and nothing more needs to be sent or received.
  [[nodiscard]] bool terminated() const;
  [[nodiscard]] const BinaryAgreementStats& stats() const;
  /// Bytes held for buffered future-round messages; bounded by kRoundWindow.
  [[nodiscard]] std::size_t buffered_bytes() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace quorumclear::quorum
