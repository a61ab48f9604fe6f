#include "services/net/reliable_session.h"

#include <algorithm>
#include <cassert>

namespace quorumclear::net {

OutboundQueue::OutboundQueue(std::size_t budget_bytes) : budget_bytes_(budget_bytes) {}

OutboundQueue::PushOutcome OutboundQueue::push(Channel channel, std::optional<quorum::Epoch> epoch,
                                               Payload payload) {
  assert(payload != nullptr);
  PushOutcome outcome;
  if (epoch && *epoch < floor_) {
    ++dropped_epoch_;
    return outcome;
  }
  OutboundFrame frame{next_sequence_++, channel, epoch, std::move(payload)};
  const std::size_t cost = frame.budget_bytes();
  assert(cost <= budget_bytes_);
  while (bytes_ + cost > budget_bytes_) {
    drop_front();
    ++outcome.dropped_for_budget;
  }
  dropped_budget_ += outcome.dropped_for_budget;
  bytes_ += cost;
  outcome.queued = true;
  outcome.sequence = frame.sequence;
  frames_.push_back(std::move(frame));
  return outcome;
}

std::size_t OutboundQueue::discard_below(quorum::Epoch epoch) {
  floor_ = std::max(floor_, epoch);
  const auto stale = [this](const OutboundFrame& f) { return f.epoch && *f.epoch < floor_; };
  std::size_t dropped = 0;
  for (const OutboundFrame& f : frames_) {
    if (stale(f)) {
      bytes_ -= f.budget_bytes();
      ++dropped;
    }
  }
  if (dropped > 0) frames_.erase(std::remove_if(frames_.begin(), frames_.end(), stale), frames_.end());
  dropped_epoch_ += dropped;
  return dropped;
}

bool OutboundQueue::acknowledge(std::uint64_t delivered_through) {
  if (delivered_through > highest_sent_) return false;
  acked_ = std::max(acked_, delivered_through);
  while (!frames_.empty() && frames_.front().sequence <= acked_) drop_front();
  return true;
}

void OutboundQueue::restart_sending() { cursor_ = acked_; }

std::vector<OutboundFrame> OutboundQueue::take_due(std::size_t bytes_max) {
  std::vector<OutboundFrame> due;
  // Sequences increase along the deque, so the first frame after the
  // cursor is found by bisection even after discard_below left holes.
  auto it = std::partition_point(frames_.begin(), frames_.end(),
                                 [this](const OutboundFrame& f) { return f.sequence <= cursor_; });
  std::size_t bytes = 0;
  for (; it != frames_.end() && (due.empty() || bytes + it->payload->size() <= bytes_max); ++it) {
    bytes += it->payload->size();
    if (it->sequence <= highest_sent_) ++resent_;
    due.push_back(*it);
  }
  if (!due.empty()) {
    cursor_ = due.back().sequence;
    highest_sent_ = std::max(highest_sent_, cursor_);
  }
  return due;
}

bool OutboundQueue::has_due() const { return !frames_.empty() && frames_.back().sequence > cursor_; }

void OutboundQueue::drop_front() {
  assert(!frames_.empty());
  bytes_ -= frames_.front().budget_bytes();
  frames_.pop_front();
}

bool InboundSequence::on_hello(std::uint64_t incarnation) {
  if (incarnation == incarnation_) return false;
  incarnation_ = incarnation;
  delivered_through_ = 0;
  return true;
}

void InboundSequence::delivered(std::uint64_t sequence) {
  assert(is_new(sequence));
  delivered_through_ = sequence;
}

}  // namespace quorumclear::net
