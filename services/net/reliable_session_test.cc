// Proves the per-peer delivery bookkeeping: numbering, cumulative ACKs,
// resend from the acknowledged point after a reconnect, the epoch floor and
// the byte budget (oldest first, counted), and the receiver's at-most-once,
// in-order rule across peer restarts.

#include "services/net/reliable_session.h"

#include <gtest/gtest.h>

namespace quorumclear::net {
namespace {

Payload bytes(std::size_t n) { return std::make_shared<const std::vector<std::uint8_t>>(n, 0x5a); }

std::vector<std::uint64_t> sequences(const std::vector<OutboundFrame>& frames) {
  std::vector<std::uint64_t> out;
  for (const OutboundFrame& f : frames) out.push_back(f.sequence);
  return out;
}

constexpr std::size_t kBig = 1u << 20;

TEST(OutboundQueue, NumbersSendsAndForgetsAcknowledged) {
  OutboundQueue q(kBig);
  for (std::uint64_t i = 0; i < 5; ++i) EXPECT_EQ(q.push(Channel::kQuorum, std::nullopt, bytes(10)).sequence, i + 1);
  EXPECT_EQ(sequences(q.take_due(30)), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(sequences(q.take_due(kBig)), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_FALSE(q.has_due());
  EXPECT_TRUE(q.acknowledge(3));
  EXPECT_EQ(q.buffered_frames(), 2u);
  EXPECT_EQ(q.buffered_bytes(), 2 * (10 + kBufferedFrameOverheadBytes));
  EXPECT_TRUE(q.acknowledge(2)) << "a stale ACK is harmless";
  EXPECT_EQ(q.acknowledged_through(), 3u);
  EXPECT_FALSE(q.acknowledge(6)) << "nobody can have delivered what we never sent";
  EXPECT_EQ(q.resent(), 0u);
}

TEST(OutboundQueue, TakesOneFrameEvenAboveTheChunk) {
  OutboundQueue q(kBig);
  (void)q.push(Channel::kQuorum, std::nullopt, bytes(1000));
  EXPECT_EQ(q.take_due(10).size(), 1u);
}

TEST(OutboundQueue, ResendsUnacknowledgedAfterReconnect) {
  OutboundQueue q(kBig);
  for (int i = 0; i < 6; ++i) (void)q.push(Channel::kQuorum, std::nullopt, bytes(1));
  (void)q.take_due(kBig);  // 1..6 went out on a connection that then died
  EXPECT_TRUE(q.acknowledge(2));
  q.restart_sending();     // the peer's HELLO said 2
  (void)q.push(Channel::kQuorum, std::nullopt, bytes(1));
  EXPECT_EQ(sequences(q.take_due(kBig)), (std::vector<std::uint64_t>{3, 4, 5, 6, 7}));
  EXPECT_EQ(q.resent(), 4u);
}

TEST(OutboundQueue, DiscardBelowDropsTaggedFramesOnly) {
  OutboundQueue q(kBig);
  (void)q.push(Channel::kQuorum, quorum::Epoch{1}, bytes(1));       // 1
  (void)q.push(Channel::kCatchUp, std::nullopt, bytes(1));          // 2: untagged
  (void)q.push(Channel::kQuorum, quorum::Epoch{2}, bytes(1));       // 3
  (void)q.push(Channel::kCertificate, quorum::Epoch{4}, bytes(1));  // 4
  (void)q.take_due(1);  // 1 is in flight
  EXPECT_EQ(q.discard_below(quorum::Epoch{3}), 2u);
  EXPECT_EQ(q.dropped_epoch(), 2u);
  EXPECT_EQ(sequences(q.take_due(kBig)), (std::vector<std::uint64_t>{2, 4}));
  // Below the floor a new frame is not even numbered; the floor never drops.
  EXPECT_FALSE(q.push(Channel::kQuorum, quorum::Epoch{2}, bytes(1)).queued);
  EXPECT_EQ(q.discard_below(quorum::Epoch{1}), 0u);
  EXPECT_FALSE(q.push(Channel::kQuorum, quorum::Epoch{2}, bytes(1)).queued);
  EXPECT_TRUE(q.push(Channel::kQuorum, quorum::Epoch{3}, bytes(1)).queued);
  EXPECT_TRUE(q.push(Channel::kQuorum, std::nullopt, bytes(1)).queued);
  EXPECT_EQ(q.dropped_epoch(), 4u);
  q.restart_sending();
  EXPECT_EQ(sequences(q.take_due(kBig)), (std::vector<std::uint64_t>{2, 4, 5, 6}));
}

TEST(OutboundQueue, BudgetDropsOldestAndCounts) {
  const std::size_t frame = 100 + kBufferedFrameOverheadBytes;
  OutboundQueue q(3 * frame);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(q.push(Channel::kQuorum, std::nullopt, bytes(100)).dropped_for_budget, 0u);
  (void)q.take_due(100);  // 1 sent, unacknowledged
  const OutboundQueue::PushOutcome outcome = q.push(Channel::kQuorum, std::nullopt, bytes(100));
  EXPECT_TRUE(outcome.queued);
  EXPECT_EQ(outcome.dropped_for_budget, 1u);
  EXPECT_EQ(q.dropped_budget(), 1u);
  EXPECT_EQ(q.buffered_bytes(), 3 * frame);
  EXPECT_EQ(q.push(Channel::kQuorum, std::nullopt, bytes(400)).dropped_for_budget, 3u) << "as many as it takes";
  EXPECT_EQ(q.dropped_budget(), 4u);
  q.restart_sending();
  EXPECT_EQ(sequences(q.take_due(kBig)), (std::vector<std::uint64_t>{5}));
}

TEST(InboundSequence, DeliversOnceInOrderAndResetsOnNewIncarnation) {
  InboundSequence in;
  EXPECT_TRUE(in.on_hello(77));
  EXPECT_TRUE(in.is_new(1));
  in.delivered(1);
  in.delivered(4);  // 2 and 3 were dropped by the sender: a gap, still in order
  EXPECT_FALSE(in.is_new(3));
  EXPECT_FALSE(in.is_new(4));
  EXPECT_FALSE(in.on_hello(77)) << "a reconnect of the same process keeps the count";
  EXPECT_EQ(in.delivered_through(), 4u);
  EXPECT_TRUE(in.on_hello(78)) << "a restarted peer numbers from 1 again";
  EXPECT_EQ(in.delivered_through(), 0u);
  EXPECT_TRUE(in.is_new(1));
}

}  // namespace
}  // namespace quorumclear::net
