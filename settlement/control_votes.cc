#include "settlement/control_votes.h"

#include <algorithm>
#include <cassert>

namespace quorumclear::settlement {

ControlVotes::ControlVotes(std::size_t nodes) : nodes_(nodes), outstanding_(nodes) {
  assert(nodes <= kNodesMax);
}

VoteCount ControlVotes::vote(std::uint16_t proposer, const Digest& digest, const Entry& entry,
                             std::size_t quorum, std::uint64_t epoch,
                             std::vector<DroppedVote>& dropped, std::uint16_t& votes) {
  assert(proposer < nodes_ && quorum >= 1 && quorum <= nodes_);
  auto known = sequence_of_.find(digest);
  if (known != sequence_of_.end() && by_sequence_.at(known->second).voters.test(proposer)) {
    votes = by_sequence_.at(known->second).votes;
    return VoteCount::kRepeated;
  }
  // The quota is per proposer, not global: evicting the globally oldest entry
  // would let one faulty node flood out every honest node's pending votes.
  // Here a flood only pushes out the flooder's own votes.
  if (outstanding_[proposer].size() == kControlVotesPerProposerMax) {
    // Never `known`'s entry: this proposer has not voted for it.
    withdraw_oldest(proposer, dropped);
  }
  if (known == sequence_of_.end()) {
    const std::uint64_t sequence = next_sequence_++;
    PendingControl fresh;
    fresh.sequence = sequence;
    fresh.first_epoch = epoch;
    fresh.digest = digest;
    fresh.entry = entry;
    fresh.quorum = static_cast<std::uint16_t>(quorum);
    by_sequence_.emplace(sequence, std::move(fresh));
    known = sequence_of_.emplace(digest, sequence).first;
  }
  PendingControl& pending = by_sequence_.at(known->second);
  assert(pending.quorum == quorum);
  pending.voters.set(proposer);
  pending.votes = static_cast<std::uint16_t>(pending.votes + 1);
  outstanding_[proposer].push_back(pending.sequence);
  votes = pending.votes;
  assert(pending.votes <= pending.quorum);
  return pending.votes == pending.quorum ? VoteCount::kQuorum : VoteCount::kCounted;
}

void ControlVotes::withdraw_oldest(std::uint16_t proposer, std::vector<DroppedVote>& dropped) {
  std::vector<std::uint64_t>& mine = outstanding_[proposer];
  assert(!mine.empty());
  const auto it = by_sequence_.find(mine.front());
  assert(it != by_sequence_.end() && it->second.voters.test(proposer));
  mine.erase(mine.begin());
  PendingControl& pending = it->second;
  pending.voters.reset(proposer);
  pending.votes = static_cast<std::uint16_t>(pending.votes - 1);
  dropped.push_back(DroppedVote{proposer, Reason::kControlVoteLimit, pending.digest,
                                pending.entry, pending.votes});
  if (pending.votes == 0) {
    sequence_of_.erase(pending.digest);
    by_sequence_.erase(it);
  }
}

void ControlVotes::erase(std::map<std::uint64_t, PendingControl>::iterator it) {
  const PendingControl& pending = it->second;
  for (std::size_t p = 0; p < nodes_; ++p) {
    if (!pending.voters.test(p)) continue;
    std::vector<std::uint64_t>& mine = outstanding_[p];
    const auto at = std::find(mine.begin(), mine.end(), pending.sequence);
    assert(at != mine.end());
    mine.erase(at);
  }
  sequence_of_.erase(pending.digest);
  by_sequence_.erase(it);
}

void ControlVotes::remove(const Digest& digest) {
  const auto known = sequence_of_.find(digest);
  assert(known != sequence_of_.end());
  erase(by_sequence_.find(known->second));
}

void ControlVotes::expire(std::uint64_t epoch, std::vector<DroppedVote>& dropped) {
  // Sequences grow with the epoch of the first vote, so the entries to
  // expire are a prefix of the map.
  while (!by_sequence_.empty() &&
         by_sequence_.begin()->second.first_epoch + kControlPendingEpochs <= epoch) {
    const PendingControl& oldest = by_sequence_.begin()->second;
    dropped.push_back(DroppedVote{kNoProposer, Reason::kControlExpired, oldest.digest,
                                  oldest.entry, 0});
    erase(by_sequence_.begin());
  }
}

void ControlVotes::check_invariants() const {
  assert(by_sequence_.size() == sequence_of_.size());
  assert(by_sequence_.size() <= nodes_ * kControlVotesPerProposerMax);
  std::size_t votes = 0;
  std::uint64_t last_epoch = 0;
  for (const auto& [sequence, pending] : by_sequence_) {
    assert(pending.sequence == sequence && sequence < next_sequence_);
    assert(sequence_of_.at(pending.digest) == sequence);
    assert(pending.votes == pending.voters.count());
    assert(pending.quorum >= 1 && pending.quorum <= nodes_);
    assert(pending.votes >= 1 && pending.votes < pending.quorum);
    assert(pending.first_epoch >= last_epoch);
    last_epoch = pending.first_epoch;
    votes += pending.votes;
  }
  std::size_t outstanding = 0;
  for (std::size_t p = 0; p < nodes_; ++p) {
    assert(outstanding_[p].size() <= kControlVotesPerProposerMax);
    for ([[maybe_unused]] std::uint64_t sequence : outstanding_[p]) {
      assert(by_sequence_.at(sequence).voters.test(p));
    }
    outstanding += outstanding_[p].size();
  }
  assert(outstanding == votes);
  (void)votes;
  (void)outstanding;
}

}  // namespace quorumclear::settlement
