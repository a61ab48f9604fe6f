#pragma once
// The pending votes on control entries (cut-off, funding, suspension,
// scheduled cut-off): which distinct proposers have proposed each entry's
// canonical bytes, until the entry's quorum of them have (f+1, or 2f+1 for a
// scheduled cut-off: ledger.h, "Control entries"). Bounded whatever faulty nodes
// propose: each proposer holds at most kControlVotesPerProposerMax votes on
// pending entries, and a pending entry expires kControlPendingEpochs after
// its first vote. Deterministic: iteration follows first-vote order.

#include "settlement/trade.h"
#include "settlement/validation.h"

#include <bitset>
#include <cstdint>
#include <map>
#include <vector>

namespace quorumclear::settlement {

/// Recorded as the proposer of an outcome that no proposer caused (expiry).
inline constexpr std::uint16_t kNoProposer = 0xffff;

struct PendingControl {
  std::uint64_t sequence = 0;     // first-vote order; unique, never reused
  std::uint64_t first_epoch = 0;  // the epoch of its first vote
  Digest digest{};                // SHA-256 of the entry's canonical bytes
  Entry entry;
  std::bitset<kNodesMax> voters;
  std::uint16_t votes = 0;        // voters.count()
  std::uint16_t quorum = 0;       // distinct voters it needs; fixed by its kind
};

/// A vote taken back: its proposer's quota was full (kControlVoteLimit), or
/// the whole entry aged out (kControlExpired, proposer kNoProposer).
struct DroppedVote {
  std::uint16_t proposer = kNoProposer;
  Reason reason = Reason::kControlExpired;
  Digest digest{};
  Entry entry;
  std::uint16_t votes_left = 0;  // 0: the entry is no longer pending
};

enum class VoteCount : std::uint8_t {
  kCounted,   // a new voter, still below the quorum
  kRepeated,  // this proposer voted for these bytes before: counts once
  kQuorum,    // a new voter, and the entry now has its quorum of voters
};

class ControlVotes {
 public:
  /// Precondition: nodes <= kNodesMax.
  explicit ControlVotes(std::size_t nodes);

  /// Counts `proposer`'s vote for the entry with canonical-bytes digest
  /// `digest`, which takes effect at `quorum` distinct voters, first seen
  /// (if new) in `epoch`. Votes the proposer's quota pushes out are appended
  /// to `dropped`. `votes` receives the entry's vote count after this vote.
  /// Preconditions: proposer < nodes; 1 <= quorum <= nodes, and the same
  /// quorum for every vote on one digest (the caller derives it from the
  /// entry's kind, which its bytes name).
  VoteCount vote(std::uint16_t proposer, const Digest& digest, const Entry& entry,
                 std::size_t quorum, std::uint64_t epoch, std::vector<DroppedVote>& dropped,
                 std::uint16_t& votes);
  /// Forgets a pending entry (it reached the quorum and was decided).
  void remove(const Digest& digest);
  /// Drops every entry whose first vote is kControlPendingEpochs or more
  /// epochs before `epoch`, appending them to `dropped`.
  void expire(std::uint64_t epoch, std::vector<DroppedVote>& dropped);

  [[nodiscard]] std::size_t size() const { return by_sequence_.size(); }
  /// Pending entries in first-vote order.
  [[nodiscard]] const std::map<std::uint64_t, PendingControl>& pending() const {
    return by_sequence_;
  }
  /// Asserts the indexes agree with each other and with the bounds.
  void check_invariants() const;

 private:
  void withdraw_oldest(std::uint16_t proposer, std::vector<DroppedVote>& dropped);
  void erase(std::map<std::uint64_t, PendingControl>::iterator it);

  friend class SnapshotCodec;  // snapshot.cc
  std::size_t nodes_;
  std::uint64_t next_sequence_ = 0;
  std::map<std::uint64_t, PendingControl> by_sequence_;
  std::map<Digest, std::uint64_t> sequence_of_;
  /// Per proposer, the sequences of the pending entries it voted for, oldest
  /// vote first; at most kControlVotesPerProposerMax each.
  std::vector<std::vector<std::uint64_t>> outstanding_;
};

}  // namespace quorumclear::settlement
