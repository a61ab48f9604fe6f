#include "quorum/step.h"

#include <iterator>

namespace quorumclear::quorum {

std::string_view to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kMalformedMessage: return "malformed_message";
    case FaultKind::kUnknownSender: return "unknown_sender";
    case FaultKind::kRoundOutOfWindow: return "round_out_of_window";
    case FaultKind::kValNotFromProposer: return "val_not_from_proposer";
    case FaultKind::kDuplicateMessage: return "duplicate_message";
    case FaultKind::kInvalidMerkleBranch: return "invalid_merkle_branch";
    case FaultKind::kInvalidStripeSize: return "invalid_stripe_size";
    case FaultKind::kRbcEncodingMismatch: return "rbc_encoding_mismatch";
    case FaultKind::kInvalidCoinShare: return "invalid_coin_share";
    case FaultKind::kConflictingVote: return "conflicting_vote";
    case FaultKind::kMessageAfterTerminate: return "message_after_terminate";
    case FaultKind::kPeerBudgetExceeded: return "peer_budget_exceeded";
  }
  return "unknown";
}

void Step::absorb(Step&& other) {
  messages.insert(messages.end(), std::make_move_iterator(other.messages.begin()),
                  std::make_move_iterator(other.messages.end()));
  decided.insert(decided.end(), std::make_move_iterator(other.decided.begin()),
                 std::make_move_iterator(other.decided.end()));
  faults.insert(faults.end(), other.faults.begin(), other.faults.end());
  if (other.entered_epoch && (!entered_epoch || *other.entered_epoch > *entered_epoch)) {
    entered_epoch = other.entered_epoch;
  }
}

}  // namespace quorumclear::quorum
