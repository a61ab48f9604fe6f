#pragma once
// quorum::Engine: leaderless Byzantine atomic broadcast as a sans-I/O state
// machine (HoneyBadgerBFT's epochs of ACS, QUORUM_PROTOCOL.md). The caller
// feeds proposals, authenticated peer messages and clock ticks in, and takes
// Steps out: messages to send, decided epochs in order, faults observed.
// Nothing inside reads a clock, a socket or a random source; the same inputs
// in the same order give byte-identical Steps.
//
// Epoch rules (documented once here, cited from quorum/README.md):
//
// * current epoch: the lowest epoch not yet output. Epochs are output in
//   order, each exactly once, starting at `first_epoch`.
// * Proposals queue: propose() appends a batch to a FIFO of at most
//   EngineConfig::proposal_queue_max batches (the caller checks
//   can_propose(); a full queue is a caller bug). Each epoch this node
//   proposes takes the front batch, or an empty batch if the queue is empty.
//   A queued batch that did not make it into its epoch's output is NOT
//   re-proposed here: the caller re-submits its trades (QUORUM_PROTOCOL.md
//   step 5) and the settlement layer drops duplicates by trade id.
// * Starting the current epoch (sending our RBC VALs): as soon as either a
//   batch is queued, or any message of that epoch has arrived from a peer
//   (we then propose the queued batch or an empty one, so an epoch started by
//   others completes), or `idle_heartbeat_ms` of ticks passed without either.
//   Safety never depends on time: tick() only decides when an idle node
//   volunteers an empty epoch.
// * Epoch window W = kEpochWindow: messages for epochs in
//   [current, current + W] are processed at once (a node may help future
//   epochs' RBCs and ABAs before its own output of the current one, and
//   their outputs wait their turn). Messages for epochs above current + W are
//   dropped and counted (stats().messages_beyond_window), not recorded as
//   faults: an honest peer is that far ahead whenever we lag, so the sender
//   cannot be blamed. Whatever peers send, at most W + 1 epochs of state
//   exist (kLiveEpochsMax, memory_budget.h). A rising count is the node
//   layer's cue to catch up by certificate.
// * Finished epochs are dropped the moment they are output. An epoch is
//   output only once all n of its ABAs have decided, and an ABA decides
//   exactly when it terminates (it has then sent TERM, which stands in for
//   all its later votes), while every RBC whose value is in the output has
//   delivered here, so our ECHO and READY for it were sent before. Nothing
//   we could still send in e would help a slower honest peer finish e:
//   keeping e longer would only hold memory. (An earlier design kept K = 2
//   finished epochs for laggards; it never took effect for this reason and
//   is gone.) Messages for epochs below current are ignored silently
//   (counted in stats().messages_stale): a laggard's duplicates are not
//   misbehaviour. A node more than W epochs behind its peers cannot finish
//   by messages alone and must take the missed epochs by certificate
//   (services layer), then restart with a later first_epoch.
// * Restart: Step::entered_epoch reports each epoch in which this node sent
//   its first message. It is NOT monotone across Steps: we help epochs up
//   to current + W (ECHO, READY, votes) before we propose in current, so a
//   Step may report current + 2 and a later one current. The caller
//   persists the highest value ever reported, H (max, never the last one),
//   before sending that Step's messages. After a crash the engine is rebuilt with
//   first_epoch = max(last output + 1, H + 1): it never votes again in an
//   epoch it may already have voted in (it could contradict its earlier
//   votes); those epochs come by certificate.
// * Faults: unknown senders (outside the membership, or ourselves), unknown
//   proposer ids, out-of-window epochs and everything the RBC/ABA instances
//   detect become Fault records in the Step and counts in stats(); none is
//   fatal.

#include "quorum/keygen.h"
#include "quorum/memory_budget.h"
#include "quorum/step.h"

#include <array>
#include <memory>
#include <variant>

namespace quorumclear::quorum {

/// Largest proposal queue a configuration may ask for.
inline constexpr std::size_t kProposalQueueMax = 64;

struct EngineConfig {
  /// Names this network in every coin name (and, later, in certificates).
  Digest network_id{};
  /// Batches propose() may queue ahead of the epoch that carries them.
  /// 1 .. kProposalQueueMax.
  std::size_t proposal_queue_max = 4;
  /// An idle node volunteers an empty epoch after this much tick time; 0
  /// disables it (epochs then start only on proposals or peers' messages).
  std::uint64_t idle_heartbeat_ms = 1000;
};

/// Plain counters for the metrics layer (mapped to Prometheus there).
struct EngineStats {
  static constexpr std::size_t kPayloadTypes = std::variant_size_v<Payload>;
  static constexpr std::size_t kFaultKinds = 12;

  std::uint64_t current_epoch = 0;     // lowest epoch not yet output
  std::uint64_t epochs_decided = 0;
  std::uint64_t batches_decided = 0;   // proposers' values across decided epochs
  /// Indexed by Payload::index() (RbcVal, RbcEcho, RbcReady, AbaBval,
  /// AbaAux, AbaConf, AbaCoin, AbaTerm). A message to all counts n - 1 times.
  std::array<std::uint64_t, kPayloadTypes> messages_sent{};
  std::array<std::uint64_t, kPayloadTypes> bytes_sent{};  // canonical encoding
  std::array<std::uint64_t, kPayloadTypes> messages_received{};
  std::array<std::uint64_t, kPayloadTypes> bytes_received{};
  std::uint64_t messages_stale = 0;    // for epochs already output and dropped
  std::uint64_t messages_beyond_window = 0;  // for epochs above current + W, dropped
  /// ABA rounds of decided epochs, as of their output.
  std::uint64_t aba_instances = 0;
  std::uint64_t aba_rounds = 0;
  std::uint32_t aba_rounds_max = 0;
  std::uint64_t threshold_coins = 0;
  std::uint64_t coin_shares_verified = 0;   // Chaum-Pedersen checks (the costly crypto)
  /// ABA messages more than kRoundWindow rounds ahead, dropped unblamed (the
  /// sender re-sends once we get there); a load signal, not a fault.
  std::uint64_t aba_dropped_future_round = 0;
  /// Indexed by FaultKind.
  std::array<std::uint64_t, kFaultKinds> faults{};
  /// Live instances, queued and held batches. Summing it walks every live
  /// RBC and ABA, so it is refreshed on propose, on a tick that starts an
  /// epoch, on every epoch output and at least every n handled messages.
  std::size_t buffered_bytes = 0;
  std::size_t buffered_bytes_peak = 0;
  std::size_t live_epochs = 0;         // ACS instances held now
  /// The most stripe and branch bytes any one peer has made us hold at once
  /// (memory_budget.h: never above kPeerStripeBudgetBytes).
  std::size_t peer_stripe_bytes_peak = 0;
  std::size_t queued_proposals = 0;
};

class Engine {
 public:
  /// Preconditions: members.n() is a supported network size (4 .. 31),
  /// self is in `members`, keys are self's from genesis,
  /// cfg.proposal_queue_max in 1 .. kProposalQueueMax.
  Engine(Membership members, NodeId self, NodeKeys keys, EngineConfig cfg, Epoch first_epoch);
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  /// Queues this node's next batch. Preconditions: can_propose(),
  /// batch.size() <= kBatchBytesMax.
  Step propose(Bytes batch);
  /// A message from peer `from`, already authenticated by the transport.
  Step handle(NodeId from, const Message& message);
  /// Pacing only: may start an idle epoch (see idle_heartbeat_ms).
  Step tick(std::uint64_t now_ms);

  [[nodiscard]] bool can_propose() const;
  /// The epoch that will carry a batch proposed now: each epoch this node
  /// starts takes the front of its queue, so it is the current epoch plus
  /// the queued batches, plus one once this node proposed in the current
  /// epoch. A caller that waits one epoch too many before taking back a
  /// batch's contents waits, on an idle network, for the heartbeat.
  [[nodiscard]] Epoch carrier_of_next_proposal() const;
  [[nodiscard]] Epoch current_epoch() const;
  [[nodiscard]] const EngineStats& stats() const;
  [[nodiscard]] NodeId self() const;
  [[nodiscard]] const Membership& members() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace quorumclear::quorum
