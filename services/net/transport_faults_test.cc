// Proves that the transport refuses what it must and survives what peers
// send: a key that is not pinned is refused in both directions and nothing
// it sends is delivered; a dial against the direction rule is refused;
// oversized, malformed and out-of-order frames from an authenticated peer
// and garbage or silence on the listener count a fault, close only that
// connection, and leave the node serving.

#include "services/net/frame_codec.h"
#include "services/net/socket.h"
#include "services/net/tls_session.h"
#include "services/net/transport_test_support.h"

#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>

namespace quorumclear::net {
namespace {

using namespace std::chrono_literals;
using test_support::Mesh;
using test_support::numbered;
using test_support::TestNode;
using test_support::wait_until;

quorum::NodeId id(std::size_t i) { return quorum::NodeId{static_cast<std::uint16_t>(i)}; }

// A hand-driven peer: a blocking TLS client with a given identity, so a
// test can send exactly the bytes it wants after a genuine handshake.
class RawPeer {
 public:
  RawPeer(const TlsIdentity& identity, std::uint16_t port) : tls_(identity.key_pem, identity.cert_pem) {
    const std::optional<SocketAddress> address = resolve_address("127.0.0.1", port);
    fd_ = Fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    EXPECT_EQ(connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address->storage), address->length), 0);
    ssl_.reset(SSL_new(tls_.get()));
    SSL_set_fd(ssl_.get(), fd_.get());
    handshake_ok_ = SSL_connect(ssl_.get()) == 1;
    ERR_clear_error();
  }

  [[nodiscard]] bool handshake_ok() const { return handshake_ok_; }

  void send(const Bytes& bytes) {
    std::size_t written = 0;
    EXPECT_EQ(SSL_write_ex(ssl_.get(), bytes.data(), bytes.size(), &written), 1);
  }
  void send_hello() {
    Bytes hello;
    append_hello(hello, HelloFrame{0x5eed, 0, 0});
    send(hello);
  }
  /// Reads until the transport closes the connection; false if it stays
  /// open for `timeout`.
  bool closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::uint8_t buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (SSL_pending(ssl_.get()) == 0 && poll(&p, 1, 20) == 0) continue;
      std::size_t got = 0;
      if (SSL_read_ex(ssl_.get(), buf, sizeof buf, &got) != 1) {
        ERR_clear_error();
        return true;
      }
    }
    return false;
  }

 private:
  TlsContext tls_;
  Fd fd_;
  detail::SslPtr ssl_;
  bool handshake_ok_ = false;
};

Bytes length_prefix(std::uint32_t length) {
  return Bytes{static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
               static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
}

// Node 1 of a two-node mesh is up; node 0's identity is used by a RawPeer.
class TransportFaults : public ::testing::Test {
 protected:
  TransportFaults() : mesh_(2) { mesh_.start_all({0}); }

  TestNode& listener() { return mesh_.node(1); }
  /// Sends `bytes` after a valid HELLO as node 0 and expects node 1 to
  /// close the connection and count one fault of `kind` against node 0.
  void expect_fault(const Bytes& bytes, FaultKind kind, std::size_t nth) {
    const std::size_t before = listener().faults.count(kind);
    RawPeer peer(mesh_.node(0).identity, listener().port);
    ASSERT_TRUE(peer.handshake_ok());
    peer.send_hello();
    peer.send(bytes);
    EXPECT_TRUE(peer.closed_within(3s));
    // The loop counts a fault before it reports it, so once reported it is counted.
    ASSERT_TRUE(wait_until([&] { return listener().faults.count(kind) == before + 1; }));
    EXPECT_EQ(listener().peer_stats(id(0)).faults, nth);
    const std::vector<PeerFault> faults = listener().faults.all();
    EXPECT_EQ(faults.back().peer, id(0));
  }
  /// Afterwards the real node 0 still gets a session and delivers.
  void expect_still_serving() {
    mesh_.start(0);
    ASSERT_EQ(mesh_.node(0).transport->send(id(1), Channel::kQuorum, std::nullopt, numbered(1)), SendResult::kQueued);
    ASSERT_TRUE(wait_until([&] { return listener().inbox.size() == 1; }));
  }

  Mesh mesh_;
};

TEST_F(TransportFaults, OversizedFrameIsAFaultNotACrash) {
  const std::uint32_t above = static_cast<std::uint32_t>(TransportLimits{}.frame_payload_bytes_max + kDataHeaderBytes + 1);
  expect_fault(length_prefix(above), FaultKind::kOversizedFrame, 1);
  expect_fault(length_prefix(0xffffffffu), FaultKind::kOversizedFrame, 2);
  expect_fault(length_prefix(0), FaultKind::kMalformedFrame, 3);
  expect_still_serving();
}

TEST_F(TransportFaults, MalformedFramesAreFaults) {
  Bytes unknown_type = length_prefix(1);
  unknown_type.push_back(77);
  expect_fault(unknown_type, FaultKind::kMalformedFrame, 1);
  Bytes second_hello;
  append_hello(second_hello, HelloFrame{0x5eed, 0, 0});
  expect_fault(second_hello, FaultKind::kProtocolViolation, 2);
  Bytes ack_beyond;
  append_ack(ack_beyond, 1000);  // node 1 never sent node 0 anything
  expect_fault(ack_beyond, FaultKind::kProtocolViolation, 3);
  EXPECT_EQ(listener().inbox.size(), 0u);
  expect_still_serving();
}

TEST_F(TransportFaults, DataBeforeHelloIsAFault) {
  RawPeer peer(mesh_.node(0).identity, listener().port);
  ASSERT_TRUE(peer.handshake_ok());
  Bytes data;
  append_data(data, 1, Channel::kQuorum, Bytes{1, 2, 3});
  peer.send(data);
  EXPECT_TRUE(peer.closed_within(3s));
  ASSERT_TRUE(wait_until([&] { return listener().faults.count(FaultKind::kProtocolViolation) == 1; }));
  EXPECT_EQ(listener().peer_stats(id(0)).faults, 1u);
  EXPECT_EQ(listener().inbox.size(), 0u);
}

TEST_F(TransportFaults, GarbageAndSilenceOnTheListenerCountAsHandshakeFailures) {
  {
    const std::optional<SocketAddress> address = resolve_address("127.0.0.1", listener().port);
    Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_EQ(connect(fd.get(), reinterpret_cast<const sockaddr*>(&address->storage), address->length), 0);
    std::vector<std::uint8_t> garbage(2000);
    for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<std::uint8_t>(i * 151 + 7);
    ASSERT_EQ(::send(fd.get(), garbage.data(), garbage.size(), MSG_NOSIGNAL), static_cast<ssize_t>(garbage.size()));
    ASSERT_TRUE(wait_until([&] { return listener().faults.count(FaultKind::kHandshakeFailed) == 1; }));
  }
  EXPECT_EQ(listener().transport->stats().handshake_failures, 1u);
  EXPECT_EQ(listener().faults.all().back().peer, std::nullopt);
  expect_still_serving();
}

TEST(TransportTimeouts, SilentConnectionTimesOut) {
  TransportLimits limits = test_support::fast_limits();
  limits.handshake_timeout_ms = 200;
  Mesh mesh(2, limits);
  mesh.start_all({0});
  const std::optional<SocketAddress> address = resolve_address("127.0.0.1", mesh.node(1).port);
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_EQ(connect(fd.get(), reinterpret_cast<const sockaddr*>(&address->storage), address->length), 0);
  ASSERT_TRUE(wait_until([&] { return mesh.node(1).transport->stats().handshake_failures == 1; }, 3s));
}

// A transport with a fresh key claiming to be node `self`.
std::unique_ptr<Transport> impostor(TestNode& as, quorum::NodeId self, std::vector<PeerEndpoint> peers,
                                    std::uint16_t port = 0) {
  as.identity = generate_tls_identity({"127.0.0.1"});
  as.id = self;
  TransportOptions options;
  options.self = self;
  options.listen_port = port;
  options.key_pem = as.identity.key_pem;
  options.cert_pem = as.identity.cert_pem;
  options.peers = std::move(peers);
  options.limits = test_support::fast_limits();
  auto transport = std::make_unique<Transport>(std::move(options), as.callbacks());
  transport->start();
  return transport;
}

TEST(TransportPins, UnpinnedKeyDialingInIsRefused) {
  Mesh mesh(2);
  mesh.start_all({0});
  TestNode& real = mesh.node(1);
  TestNode fake;
  fake.transport = impostor(fake, id(0), {PeerEndpoint{id(1), "127.0.0.1", real.port, real.identity.pin}});
  for (std::uint64_t k = 0; k < 10; ++k) (void)fake.transport->send(id(1), Channel::kQuorum, std::nullopt, numbered(k));
  ASSERT_TRUE(wait_until([&] { return real.faults.count(FaultKind::kUnknownPin) >= 2; }));
  EXPECT_GE(real.transport->stats().refused_unknown_pin, 2u);
  EXPECT_EQ(real.inbox.size(), 0u);
  EXPECT_FALSE(real.peer_stats(id(0)).connected);
  EXPECT_TRUE(wait_until([&] { return fake.peer_stats(id(1)).dial_failures >= 2; }));
  EXPECT_EQ(fake.peer_stats(id(1)).sessions_opened, 0u);
  fake.transport.reset();
}

TEST(TransportPins, UnpinnedKeyAtAPeersAddressIsRefused) {
  Mesh mesh(2);  // the real node 1 exists only as the pin node 0 expects
  TestNode fake;
  // The impostor listens where node 0 expects node 1, and would even accept node 0.
  fake.transport = impostor(fake, id(1), {PeerEndpoint{id(0), "127.0.0.1", 0, mesh.node(0).identity.pin}});
  mesh.node(1).port = fake.transport->listen_port();
  mesh.build(0);
  mesh.start(0);
  TestNode& real = mesh.node(0);
  for (std::uint64_t k = 0; k < 10; ++k) {
    (void)real.transport->send(id(1), Channel::kQuorum, std::nullopt, numbered(k));
    (void)fake.transport->send(id(0), Channel::kQuorum, std::nullopt, numbered(k));
  }
  ASSERT_TRUE(wait_until([&] { return real.faults.count(FaultKind::kPinMismatch) >= 2; }));
  EXPECT_GE(real.peer_stats(id(1)).refused_pin, 2u);
  EXPECT_EQ(real.faults.all().front().peer, id(1));
  EXPECT_EQ(real.inbox.size(), 0u) << "nothing the impostor sends is delivered";
  EXPECT_EQ(fake.inbox.size(), 0u) << "nothing is sent to it either";
  EXPECT_EQ(real.peer_stats(id(1)).sessions_opened, 0u);
  EXPECT_EQ(real.peer_stats(id(1)).buffered_frames, 10u);
  fake.transport.reset();
}

TEST(TransportPins, DialAgainstTheDirectionRuleIsRefused) {
  // Node 1 pins node 2's key; a misconfigured node 2 believes it is node 0
  // and so dials node 1, which expects node 2 to wait for it.
  Mesh mesh(3);
  mesh.node(2).port = 1;  // node 1 dials node 2 there and finds nobody
  mesh.build(1);
  mesh.start(1);
  TestNode& listener = mesh.node(1);
  TestNode misconfigured;
  misconfigured.identity = mesh.node(2).identity;
  TransportOptions options;
  options.self = id(0);
  options.key_pem = misconfigured.identity.key_pem;
  options.cert_pem = misconfigured.identity.cert_pem;
  options.peers = {PeerEndpoint{id(1), "127.0.0.1", listener.port, listener.identity.pin}};
  options.limits = test_support::fast_limits();
  misconfigured.transport = std::make_unique<Transport>(std::move(options), misconfigured.callbacks());
  misconfigured.transport->start();
  ASSERT_TRUE(wait_until([&] { return listener.faults.count(FaultKind::kWrongDirection) >= 1; }));
  EXPECT_GE(listener.peer_stats(id(2)).refused_direction, 1u);
  EXPECT_FALSE(listener.peer_stats(id(2)).connected);
  misconfigured.transport.reset();
}

TEST(TransportOptionsCheck, NamesTheOffendingField) {
  const TlsIdentity self = generate_tls_identity({"127.0.0.1"});
  const TlsIdentity other = generate_tls_identity({"127.0.0.1"});
  auto attempt = [&](auto&& edit) -> std::string {
    TransportOptions options;
    options.self = id(0);
    options.key_pem = self.key_pem;
    options.cert_pem = self.cert_pem;
    options.peers = {PeerEndpoint{id(1), "127.0.0.1", 7000, other.pin}};
    edit(options);
    try {
      Transport t(std::move(options), TransportCallbacks{[](InboundFrame&) { return true; }, nullptr, nullptr});
    } catch (const TransportError& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(attempt([](TransportOptions&) {}), "accepted");
  EXPECT_NE(attempt([](TransportOptions& o) { o.key_pem = "nope"; }).find("key_pem"), std::string::npos);
  EXPECT_NE(attempt([&](TransportOptions& o) { o.cert_pem = other.cert_pem; }).find("cert_pem"), std::string::npos);
  EXPECT_NE(attempt([](TransportOptions& o) { o.peers[0].id = id(0); }).find("peers[0].id"), std::string::npos);
  EXPECT_NE(attempt([&](TransportOptions& o) { o.peers.push_back(o.peers[0]); }).find("peers[1].id"),
            std::string::npos);
  EXPECT_NE(attempt([&](TransportOptions& o) { o.peers[0].pin = self.pin; }).find("peers[0].pin"), std::string::npos);
  EXPECT_NE(attempt([](TransportOptions& o) { o.peers[0].port = 0; }).find("peers[0].port"), std::string::npos);
  EXPECT_EQ(attempt([](TransportOptions& o) {
              o.self = id(2);  // node 1 dials us: its address is not needed
              o.peers[0].port = 0;
            }),
            "accepted");
  EXPECT_NE(attempt([](TransportOptions& o) { o.limits.frame_payload_bytes_max = 10; }).find("frame_payload"),
            std::string::npos);
  EXPECT_NE(attempt([](TransportOptions& o) { o.limits.peer_buffer_bytes_max = 1024; }).find("peer_buffer"),
            std::string::npos);
  EXPECT_NE(attempt([](TransportOptions& o) { o.limits.idle_timeout_ms = o.limits.keepalive_ms; }).find("idle"),
            std::string::npos);
  EXPECT_NE(attempt([](TransportOptions& o) { o.limits.reconnect_backoff_min_ms = 0; }).find("backoff"),
            std::string::npos);
  const std::string no_sink = [&] {
    TransportOptions options;
    options.key_pem = self.key_pem;
    options.cert_pem = self.cert_pem;
    try {
      Transport t(std::move(options), TransportCallbacks{});
    } catch (const TransportError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  }();
  EXPECT_NE(no_sink.find("on_frame"), std::string::npos);
}

TEST(TransportOptionsCheck, BusyPortIsAnErrorAtStart) {
  Mesh mesh(2);
  mesh.start_all({0});
  TransportOptions options;
  options.self = id(5);
  options.listen_port = mesh.node(1).port;
  const TlsIdentity identity = generate_tls_identity({"127.0.0.1"});
  options.key_pem = identity.key_pem;
  options.cert_pem = identity.cert_pem;
  Transport t(std::move(options), TransportCallbacks{[](InboundFrame&) { return true; }, nullptr, nullptr});
  // SO_REUSEADDR lets a restarted node rebind past TIME_WAIT, never steal a live listener.
  EXPECT_THROW(t.start(), TransportError);
}

}  // namespace
}  // namespace quorumclear::net
