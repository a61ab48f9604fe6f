// Proves the transport's delivery guarantees over real TLS sockets on
// 127.0.0.1: a full mesh delivers every frame exactly once in send order,
// also across repeated TCP resets and peer restarts; discard_below and the
// byte budget drop what they should (counted) and nothing else; a full sink
// delays delivery and never loses a frame.

#include "services/net/transport_test_support.h"
#include "tests/tools/tcp_reset_proxy.h"

#include <atomic>
#include <thread>

namespace quorumclear::net {
namespace {

using namespace std::chrono_literals;
using test_support::expect_consecutive;
using test_support::Mesh;
using test_support::numbered;
using test_support::wait_until;

quorum::NodeId id(std::size_t i) { return quorum::NodeId{static_cast<std::uint16_t>(i)}; }

Channel channel_for(std::uint64_t k) { return static_cast<Channel>(1 + k % kChannelCount); }

TEST(Transport, FullMeshDeliversEveryFrameExactlyOnceInOrder) {
  constexpr std::size_t kNodes = 4;
  constexpr std::uint64_t kFrames = 600;
  Mesh mesh(kNodes);
  mesh.start_all();
  // Each node's core thread sends on its own, concurrently with the others.
  std::vector<std::thread> senders;
  for (std::size_t i = 0; i < kNodes; ++i) {
    senders.emplace_back([&, i] {
      for (std::uint64_t k = 0; k < kFrames; ++k) {
        for (std::size_t j = 0; j < kNodes; ++j) {
          if (j == i) continue;
          ASSERT_EQ(mesh.node(i).transport->send(id(j), channel_for(k), quorum::Epoch{k / 10},
                                                 numbered(k, 9 + (k * 131 + j) % 3000)),
                    SendResult::kQueued);
        }
      }
    });
  }
  for (std::thread& t : senders) t.join();
  ASSERT_TRUE(wait_until([&] {
    for (std::size_t i = 0; i < kNodes; ++i) {
      if (mesh.node(i).inbox.size() < (kNodes - 1) * kFrames) return false;
    }
    return true;
  }));
  for (std::size_t i = 0; i < kNodes; ++i) {
    for (std::size_t j = 0; j < kNodes; ++j) {
      if (j == i) continue;
      expect_consecutive(mesh.node(i).inbox.numbers_from(id(j)), 0, kFrames,
                         "node " + std::to_string(i) + " from " + std::to_string(j));
    }
    for (const InboundFrame& f : mesh.node(i).inbox.frames()) {
      ASSERT_EQ(f.channel, channel_for(test_support::number_of(f.payload)));
    }
    const PeerStats to_next = mesh.node(i).peer_stats(id((i + 1) % kNodes));
    std::uint64_t sent = 0;
    for (const ChannelCounters& c : to_next.sent) sent += c.frames;
    EXPECT_EQ(sent, kFrames);
    EXPECT_EQ(to_next.dropped_budget + to_next.dropped_epoch + to_next.faults, 0u);
  }
  // Once everything is acknowledged the resend buffers are empty.
  EXPECT_TRUE(wait_until([&] {
    for (std::size_t i = 0; i < kNodes; ++i) {
      for (const PeerStats& s : mesh.node(i).transport->stats().peers) {
        if (s.buffered_frames != 0) return false;
      }
    }
    return true;
  }));
}

TEST(Transport, BroadcastSharesOnePayload) {
  Mesh mesh(4);
  mesh.start_all();
  const Payload payload = numbered(7, 1000);
  EXPECT_EQ(mesh.node(2).transport->broadcast(Channel::kCertificate, std::nullopt, payload), 3u);
  ASSERT_TRUE(wait_until([&] {
    return mesh.node(0).inbox.size() == 1 && mesh.node(1).inbox.size() == 1 && mesh.node(3).inbox.size() == 1;
  }));
  EXPECT_EQ(mesh.node(3).inbox.frames()[0].payload, *payload);
  EXPECT_EQ(mesh.node(3).inbox.frames()[0].from, id(2));
  EXPECT_EQ(mesh.node(3).inbox.frames()[0].channel, Channel::kCertificate);
}

TEST(Transport, SendRefusesWhatItCannotCarry) {
  Mesh mesh(2);
  mesh.start_all();
  Transport& t = *mesh.node(0).transport;
  EXPECT_EQ(t.send(id(0), Channel::kQuorum, std::nullopt, numbered(1)), SendResult::kUnknownPeer) << "self";
  EXPECT_EQ(t.send(id(9), Channel::kQuorum, std::nullopt, numbered(1)), SendResult::kUnknownPeer);
  const std::size_t max = TransportLimits{}.frame_payload_bytes_max;
  EXPECT_EQ(t.send(id(1), Channel::kQuorum, std::nullopt, numbered(1, max + 1)), SendResult::kTooLarge);
  EXPECT_EQ(t.send(id(1), Channel::kQuorum, std::nullopt, numbered(1, max)), SendResult::kQueued);
  ASSERT_TRUE(wait_until([&] { return mesh.node(1).inbox.size() == 1; }));
  EXPECT_EQ(mesh.node(1).inbox.frames()[0].payload.size(), max);
  t.stop();
  EXPECT_EQ(t.send(id(1), Channel::kQuorum, std::nullopt, numbered(2)), SendResult::kStopped);
  t.stop();  // idempotent
}

TEST(Transport, FramesSurviveRepeatedConnectionResets) {
  constexpr std::uint64_t kFrames = 4000;
  std::unique_ptr<tools::ResetProxy> proxy;
  Mesh mesh(2, test_support::fast_limits(), [&](std::size_t, std::size_t, PeerEndpoint endpoint) {
    tools::ResetProxyOptions options;
    options.target_port = endpoint.port;
    options.reset_every_ms = 100;
    options.drop_after_bytes = 512 * 1024;  // also cut mid-frame, not only on the timer
    proxy = std::make_unique<tools::ResetProxy>(options);
    proxy->start();
    endpoint.port = proxy->port();
    return endpoint;
  });
  mesh.start_all();
  // Both directions at once, in bursts, so resets land while frames fly.
  std::vector<std::thread> senders;
  for (std::size_t i = 0; i < 2; ++i) {
    senders.emplace_back([&, i] {
      for (std::uint64_t k = 0; k < kFrames; ++k) {
        ASSERT_EQ(mesh.node(i).transport->send(id(1 - i), channel_for(k), std::nullopt, numbered(k, 16 + k % 2500)),
                  SendResult::kQueued);
        if (k % 200 == 199) std::this_thread::sleep_for(5ms);
      }
    });
  }
  for (std::thread& t : senders) t.join();
  ASSERT_TRUE(wait_until([&] { return mesh.node(0).inbox.size() >= kFrames && mesh.node(1).inbox.size() >= kFrames; },
                         30s))
      << "delivered " << mesh.node(0).inbox.size() << " and " << mesh.node(1).inbox.size() << "; node 0 sent "
      << mesh.node(0).peer_stats(id(1)).sent[0].frames << " resent " << mesh.node(0).peer_stats(id(1)).frames_resent
      << " sessions " << mesh.node(0).peer_stats(id(1)).sessions_opened << " dups "
      << mesh.node(0).peer_stats(id(1)).duplicates_ignored << " faults " << mesh.node(0).peer_stats(id(1)).faults;
  expect_consecutive(mesh.node(1).inbox.numbers_from(id(0)), 0, kFrames, "0 -> 1");
  expect_consecutive(mesh.node(0).inbox.numbers_from(id(1)), 0, kFrames, "1 -> 0");
  EXPECT_GE(proxy->resets(), 5u);
  const PeerStats s = mesh.node(0).peer_stats(id(1));
  EXPECT_GE(s.reconnects, 5u);
  EXPECT_GT(s.frames_resent + mesh.node(1).peer_stats(id(0)).frames_resent, 0u) << "resets cost resends";
  EXPECT_EQ(s.dropped_budget + s.faults, 0u);
}

class TransportRestart : public ::testing::TestWithParam<std::size_t> {};

TEST_P(TransportRestart, RestartedPeerResumesWithFreshNumbering) {
  const std::size_t restarted = GetParam();  // 0: the dialer restarts; 1: the listener
  const std::size_t other = 1 - restarted;
  Mesh mesh(2);
  mesh.start_all();
  for (std::uint64_t k = 0; k < 100; ++k) {
    (void)mesh.node(0).transport->send(id(1), Channel::kQuorum, std::nullopt, numbered(k));
    (void)mesh.node(1).transport->send(id(0), Channel::kQuorum, std::nullopt, numbered(k));
  }
  ASSERT_TRUE(wait_until([&] { return mesh.node(0).inbox.size() == 100 && mesh.node(1).inbox.size() == 100; }));
  ASSERT_TRUE(wait_until([&] { return mesh.node(other).peer_stats(id(restarted)).buffered_frames == 0; }));
  const std::uint64_t old_incarnation = mesh.node(restarted).transport->incarnation();

  mesh.node(restarted).transport.reset();
  // Sent while the peer is down: buffered, then delivered to its successor.
  for (std::uint64_t k = 100; k < 150; ++k) {
    (void)mesh.node(other).transport->send(id(restarted), Channel::kQuorum, std::nullopt, numbered(k));
  }
  mesh.restart(restarted);
  EXPECT_NE(mesh.node(restarted).transport->incarnation(), old_incarnation);
  for (std::uint64_t k = 0; k < 30; ++k) {
    (void)mesh.node(restarted).transport->send(id(other), Channel::kQuorum, std::nullopt, numbered(k));
  }
  ASSERT_TRUE(wait_until([&] {
    return mesh.node(restarted).inbox.size() == 150 && mesh.node(other).inbox.size() == 130;
  }));
  // The restarted process's inbox survived only because the test keeps it.
  expect_consecutive(mesh.node(restarted).inbox.numbers_from(id(other)), 0, 150, "to the restarted node");
  std::vector<std::uint64_t> from_restarted = mesh.node(other).inbox.numbers_from(id(restarted));
  expect_consecutive(std::vector<std::uint64_t>(from_restarted.begin() + 100, from_restarted.end()), 0, 30,
                     "from the new incarnation, numbered afresh");
  const PeerStats s = mesh.node(other).peer_stats(id(restarted));
  EXPECT_EQ(s.peer_restarts, 1u);
  EXPECT_EQ(s.peer_incarnation, mesh.node(restarted).transport->incarnation());
  EXPECT_GE(s.reconnects, 1u);
}

INSTANTIATE_TEST_SUITE_P(DialerOrListener, TransportRestart, ::testing::Values(0, 1));

TEST(Transport, DiscardBelowDropsFramesOfCertifiedEpochs) {
  Mesh mesh(2);
  mesh.start_all({0});  // node 0 (the dialer) is down: node 1 buffers
  Transport& t = *mesh.node(1).transport;
  std::uint64_t number = 0;
  for (std::uint64_t epoch = 0; epoch < 10; ++epoch) {
    for (int k = 0; k < 10; ++k) {
      ASSERT_EQ(t.send(id(0), Channel::kQuorum, quorum::Epoch{epoch},
                       numbered(number++, 64, static_cast<std::uint8_t>(epoch))),
                SendResult::kQueued);
    }
    ASSERT_EQ(t.send(id(0), Channel::kCatchUp, std::nullopt, numbered(number++, 64, 0xff)), SendResult::kQueued);
  }
  t.discard_below(id(0), quorum::Epoch{6});
  t.discard_below(id(0), quorum::Epoch{2});  // never lowers the floor
  EXPECT_EQ(t.send(id(0), Channel::kQuorum, quorum::Epoch{5}, numbered(number, 64, 5)), SendResult::kDroppedBelowEpoch);
  EXPECT_EQ(t.stats().peers[0].dropped_epoch, 61u);
  EXPECT_EQ(t.stats().peers[0].buffered_frames, 50u);

  mesh.start(0);
  ASSERT_TRUE(wait_until([&] { return mesh.node(0).inbox.size() == 50; }));
  std::uint64_t previous = 0;
  std::size_t untagged = 0;
  for (const InboundFrame& f : mesh.node(0).inbox.frames()) {
    const std::uint8_t tag = f.payload[8];
    if (tag == 0xff) {
      ++untagged;
    } else {
      EXPECT_GE(tag, 6) << "a frame of a certified epoch went out";
    }
    EXPECT_GE(test_support::number_of(f.payload), previous);
    previous = test_support::number_of(f.payload);
  }
  EXPECT_EQ(untagged, 10u) << "untagged frames are never discarded by epoch";
}

TEST(Transport, ByteBudgetDropsOldestFramesAndCountsThem) {
  TransportLimits limits = test_support::fast_limits();
  limits.frame_payload_bytes_max = 4096;
  limits.peer_buffer_bytes_max = 20 * (2048 + kBufferedFrameOverheadBytes);
  Mesh mesh(2, limits);
  mesh.start_all({0});
  Transport& t = *mesh.node(1).transport;
  for (std::uint64_t k = 0; k < 100; ++k) {
    ASSERT_EQ(t.send(id(0), Channel::kQuorum, std::nullopt, numbered(k, 2048)), SendResult::kQueued);
  }
  const PeerStats before = t.stats().peers[0];
  EXPECT_EQ(before.buffered_frames, 20u);
  EXPECT_EQ(before.dropped_budget, 80u);
  EXPECT_LE(before.buffered_bytes, limits.peer_buffer_bytes_max);

  mesh.start(0);
  ASSERT_TRUE(wait_until([&] { return mesh.node(0).inbox.size() == 20; }));
  expect_consecutive(mesh.node(0).inbox.numbers_from(id(1)), 80, 20, "the newest frames survive");
}

TEST(Transport, FullSinkDelaysDeliveryButNeverDropsAFrame) {
  constexpr std::uint64_t kFrames = 3000;
  Mesh mesh(2);
  std::atomic<bool> open{false};
  std::atomic<std::size_t> consumed{0};
  // A node queue of 32 frames drained by its core thread; closed at first.
  mesh.node(0).inbox.set_admit([&](std::size_t taken) { return open.load() && taken < consumed.load() + 32; });
  mesh.start_all();
  for (std::uint64_t k = 0; k < kFrames; ++k) {
    ASSERT_EQ(mesh.node(1).transport->send(id(0), Channel::kQuorum, std::nullopt, numbered(k, 1024)),
              SendResult::kQueued);
  }
  ASSERT_TRUE(wait_until([&] { return mesh.node(0).peer_stats(id(1)).sink_pauses >= 1; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(mesh.node(0).inbox.size(), 0u);
  EXPECT_GT(mesh.node(1).peer_stats(id(0)).buffered_frames, 0u) << "nothing is acknowledged before delivery";

  open = true;
  std::thread core([&] {
    while (consumed.load() < kFrames) {
      if (consumed.load() < mesh.node(0).inbox.size()) ++consumed;
      else std::this_thread::sleep_for(50us);
    }
  });
  const bool all = wait_until([&] { return mesh.node(0).inbox.size() == kFrames; }, 30s);
  core.join();
  ASSERT_TRUE(all) << mesh.node(0).inbox.size();
  expect_consecutive(mesh.node(0).inbox.numbers_from(id(1)), 0, kFrames, "through a full sink");
  EXPECT_GT(mesh.node(0).inbox.refusals(), 1u);
  EXPECT_EQ(mesh.node(1).peer_stats(id(0)).dropped_budget, 0u);
  EXPECT_EQ(mesh.node(0).peer_stats(id(1)).disconnects, 0u) << "pausing must not look like a dead peer";
}

}  // namespace
}  // namespace quorumclear::net
