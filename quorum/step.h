#pragma once
// What a call into the engine (or one of its parts) asks the caller to do.

#include "quorum/message.h"

#include <optional>
#include <string_view>

namespace quorumclear::quorum {

/// Where a message goes. "All" means every OTHER node: each component
/// accounts for its own broadcasts internally, so callers never loop a
/// message back to the node that produced it.
struct Target {
  bool to_all = true;
  NodeId node;  // meaningful only when !to_all
  static Target all() { return Target{true, NodeId{}}; }
  static Target one(NodeId id) { return Target{false, id}; }
  friend bool operator==(const Target&, const Target&) = default;
};

/// Misbehaviour observed from a peer. Recorded, counted, never fatal: a
/// faulty peer's input is discarded and the engine carries on.
enum class FaultKind : std::uint8_t {
  kMalformedMessage,      // did not decode, or fields out of bounds
  kUnknownSender,         // sender id outside the membership
  kRoundOutOfWindow,      // an ABA round no honest node reaches (>= kRoundsMax)
  kValNotFromProposer,    // RBC VAL sent by a node other than the proposer
  kDuplicateMessage,      // a second, different VAL/ECHO/READY/BVAL/AUX/CONF/COIN/TERM
  kInvalidMerkleBranch,   // stripe does not hash to the claimed root
  kInvalidStripeSize,     // stripe length inconsistent with the instance
  kRbcEncodingMismatch,   // proposer's stripes do not re-encode to its root
  kInvalidCoinShare,      // Chaum-Pedersen proof fails, or not a valid point
  kConflictingVote,       // e.g. TERM for both values
  kMessageAfterTerminate, // input to an instance the sender itself terminated
  kPeerBudgetExceeded,    // a stripe beyond the per-peer budget (memory_budget.h)
};

[[nodiscard]] std::string_view to_string(FaultKind kind);

struct Fault {
  NodeId node;
  FaultKind kind;
  friend bool operator==(const Fault&, const Fault&) = default;
};

/// One proposer's value as decided in an epoch.
struct DecidedBatch {
  NodeId proposer;
  Bytes value;
  friend bool operator==(const DecidedBatch&, const DecidedBatch&) = default;
};

/// The agreed output of one epoch: the values of every proposer whose ABA
/// decided 1, ordered by proposer id. Identical at every honest node.
struct DecidedEpoch {
  Epoch epoch;
  std::vector<DecidedBatch> batches;
  friend bool operator==(const DecidedEpoch&, const DecidedEpoch&) = default;
};

struct OutgoingMessage {
  Target to;
  Message message;
};

/// The result of one engine call. The caller must first make durable what
/// the Step says (decided epochs; `entered_epoch`), then send `messages`.
struct [[nodiscard]] Step {
  std::vector<OutgoingMessage> messages;
  std::vector<DecidedEpoch> decided;  // in epoch order, each exactly once
  std::vector<Fault> faults;
  /// Set when this call made the node send its first message of a new
  /// epoch. A node restarted after a crash must not vote again in an epoch
  /// it entered before the crash (it might contradict itself): it sits that
  /// epoch out and takes its output by certificate instead.
  std::optional<Epoch> entered_epoch;

  /// Appends another step's effects, keeping order.
  void absorb(Step&& other);
};

}  // namespace quorumclear::quorum
