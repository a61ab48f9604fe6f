#pragma once
// net::Transport: the peer links of one clearing node (ARCHITECTURE.md "Peer
// links"). The node's core thread hands it frames for peers and takes the
// peers' frames from a sink; everything between is here.
//
// * Security: TCP + TLS 1.3 only, both sides present a certificate, and a
//   peer is whoever holds the key whose pin genesis lists (tls_session.h).
//   On a connection we dialed, the key must be the pin of the node we meant
//   to reach; on one we accepted, the key's pin names the node. Anything
//   else is refused before a byte of it is read, counted and logged (pins
//   are public; no secret is ever logged). Identity never comes from a
//   field in a message.
// * One logical session per pair, one TCP connection at a time: the node
//   with the LOWER id dials, the higher one only listens for it. A
//   deterministic rule needs no tie-break handshake and cannot leave two
//   half-used connections; the cost is that a node whose outbound path is
//   blocked cannot be reached by dialing it from the other side. An
//   accepted connection from a peer replaces any older one from it (the
//   dialer only redials when it believes the old one dead), and a
//   connection from a node we should dial is refused.
// * Reliable, ordered, at-most-once delivery across reconnects and peer
//   restarts: reliable_session.h (sequence numbers, cumulative ACKs,
//   resend from the peer's HELLO, the epoch floor and the byte budget);
//   wire format: frame_codec.h.
// * Reconnect: the dialer retries with capped exponential backoff and
//   jitter (a delay drawn from [d/2, d], d = min(max, min * 2^attempt));
//   the attempt count resets once a session is open. Keepalive ACKs every
//   keepalive_ms; a connection silent for idle_timeout_ms (a host that
//   vanished without a reset) is closed and redialed.
// * Backpressure inward: the sink returning false means the node's bounded
//   queue is full; the transport keeps that frame, stops reading that
//   connection and offers the frame again after sink_retry_ms. TCP then
//   pushes back on the sender; nothing is dropped.
// * Never blocking the caller: send() only appends to the peer's bounded
//   buffer and wakes the loop, so a slow or dead peer costs its own budget
//   and nothing else.
//
// Threading: ONE event-loop thread with non-blocking sockets and poll(2)
// owns every socket and TLS session; callers' threads touch only the
// per-peer buffers, under one mutex. A thread per peer would mean 30
// threads at n = 31 on a 2-core host, each needing the same buffers under
// locks anyway; TLS 1.3 record crypto with AES-NI costs far less than the
// engine's own work per byte, so one thread is not the bottleneck. The loop
// reads at most a bounded amount per connection per turn, so one busy peer
// cannot starve the others.
//
// Open points: host names in peer addresses are resolved with getaddrinfo
// on the loop thread at each dial (an IP literal never blocks; a slow DNS
// server would stall the loop for that long). The source address of an
// accepted connection is not checked against the peer's configured host:
// the key decides.

#include "quorum/types.h"
#include "services/net/channel.h"
#include "services/net/reliable_session.h"
#include "services/net/tls_identity.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace quorumclear::net {

/// Where another node listens and the key it must present.
struct PeerEndpoint {
  quorum::NodeId id;
  std::string host;        // IP literal or DNS name; used only if we dial it (id > self)
  std::uint16_t port = 0;  // likewise; 0 is refused for a peer we dial
  Pin pin{};
};

/// Bounds and timers; the defaults are what a node runs with.
struct TransportLimits {
  /// Largest DATA payload, both ways: 2 MiB covers a kBatchBytesMax batch
  /// plus its framing inside a catch-up reply. 1 KiB .. 64 MiB.
  std::size_t frame_payload_bytes_max = 2u << 20;
  /// Per-peer buffer of unacknowledged frames (the send queue is the same
  /// buffer). At least frame_payload_bytes_max + kBufferedFrameOverheadBytes.
  std::size_t peer_buffer_bytes_max = 64u << 20;
  std::uint32_t reconnect_backoff_min_ms = 50;
  std::uint32_t reconnect_backoff_max_ms = 5000;
  /// TCP connect + TLS handshake + HELLO must finish within this.
  std::uint32_t handshake_timeout_ms = 5000;
  std::uint32_t keepalive_ms = 1000;
  /// Greater than keepalive_ms.
  std::uint32_t idle_timeout_ms = 15000;
  /// How soon a refused frame is offered to the sink again. 1 .. 1000.
  std::uint32_t sink_retry_ms = 5;
  /// Accepted connections still in their handshake; more are closed at once
  /// (a port scanner or a flood cannot exhaust descriptors). 1 .. 1024.
  std::size_t pending_handshakes_max = 64;
};

struct TransportOptions {
  quorum::NodeId self;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;  // 0: an ephemeral port (tests); see listen_port()
  std::string key_pem;            // secret: never logged
  std::string cert_pem;
  /// Every other node, each id and each pin once; never self, never our own pin.
  std::vector<PeerEndpoint> peers;
  TransportLimits limits;
};

/// A frame from a peer, authenticated by its TLS key.
struct InboundFrame {
  quorum::NodeId from;
  Channel channel = Channel::kQuorum;
  std::vector<std::uint8_t> payload;
};

/// Takes one inbound frame. Returns true when the node took it (it may then
/// move the payload out), false when its queue is full (it must then leave
/// the frame as it was: it is offered again later). Called on the
/// transport's thread; must not block, throw, or call stop().
using FrameSink = std::function<bool(InboundFrame& frame)>;

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn };

/// One structured event: a snake_case name and a human-readable detail.
/// Details hold addresses, pins, counts and reasons, never key material.
struct LogRecord {
  LogLevel level = LogLevel::kInfo;
  std::string_view event;
  std::optional<quorum::NodeId> peer;
  std::string_view detail;
};
/// Called on the transport's thread; must not block or throw.
using LogSink = std::function<void(const LogRecord& record)>;

enum class FaultKind : std::uint8_t {
  kOversizedFrame,     // length prefix above the bound
  kMalformedFrame,     // a FrameError other than oversize
  kProtocolViolation,  // DATA or ACK before HELLO, a second HELLO, an ACK above what we sent
  kPinMismatch,        // the key at a peer's address is not its pin
  kUnknownPin,         // an accepted connection with a key no peer has (peer unknown)
  kWrongDirection,     // a peer we dial dialed us
  kHandshakeFailed,    // TLS failed or timed out before a key was known (peer unknown)
};

[[nodiscard]] std::string_view to_string(FaultKind kind);

/// A misbehaving or misconfigured counterpart: the node's fault record.
struct PeerFault {
  std::optional<quorum::NodeId> peer;  // nullopt until a pin identified it
  FaultKind kind = FaultKind::kMalformedFrame;
  std::string detail;
};
/// Called on the transport's thread; must not block or throw.
using FaultSink = std::function<void(const PeerFault& fault)>;

struct TransportCallbacks {
  FrameSink on_frame;  // required
  LogSink on_log;      // optional
  FaultSink on_fault;  // optional
};

enum class SendResult : std::uint8_t {
  kQueued,              // buffered; older frames may have made room (PeerStats::dropped_budget)
  kDroppedBelowEpoch,   // tagged below the peer's discard floor: the peer has it by certificate
  kUnknownPeer,         // not a configured peer (or self)
  kTooLarge,            // payload above frame_payload_bytes_max
  kStopped,             // stop() was called
};

struct ChannelCounters {
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;  // payload bytes
};

/// Plain counters for one peer (the metrics layer maps them).
struct PeerStats {
  quorum::NodeId id;
  bool connected = false;              // a session is open now
  std::uint64_t sessions_opened = 0;   // handshake, pin and HELLO completed
  std::uint64_t reconnects = 0;        // sessions opened after the first
  std::uint64_t disconnects = 0;       // open sessions lost (reset, EOF, fault, idle, replaced)
  std::uint64_t dial_failures = 0;     // our dials that never opened a session
  std::array<ChannelCounters, kChannelCount> sent{};      // first transmissions
  std::array<ChannelCounters, kChannelCount> received{};  // delivered to the sink
  std::uint64_t frames_resent = 0;     // sent again on a later connection
  std::uint64_t duplicates_ignored = 0;  // received again, not delivered
  std::uint64_t dropped_epoch = 0;     // below the discard floor
  std::uint64_t dropped_budget = 0;    // oldest frames beyond the byte budget
  std::uint64_t buffered_frames = 0;   // unacknowledged now
  std::uint64_t buffered_bytes = 0;    // counted as for the budget
  std::uint64_t refused_pin = 0;       // its address presented another key
  std::uint64_t refused_direction = 0; // it dialed us although we dial it
  std::uint64_t faults = 0;            // oversized / malformed frames, protocol violations
  std::uint64_t sink_pauses = 0;       // times the sink refused and reading paused
  std::uint64_t peer_restarts = 0;     // new incarnations after the first
  std::uint64_t peer_incarnation = 0;  // 0 until its first HELLO
};

struct TransportStats {
  std::uint64_t incarnation = 0;  // ours
  std::vector<PeerStats> peers;   // in TransportOptions::peers order
  std::uint64_t refused_unknown_pin = 0;  // accepted connections with a key no peer has
  std::uint64_t handshake_failures = 0;   // accepted connections that failed TLS or timed out
  std::uint64_t refused_busy = 0;         // accepted beyond pending_handshakes_max
};

/// Invalid options (the message names the field) or a listener that could
/// not be opened.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Transport {
 public:
  /// Validates the options and loads the key. Throws TransportError naming
  /// the offending field. Nothing is opened until start().
  Transport(TransportOptions options, TransportCallbacks callbacks);
  /// Stops (see stop()).
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  /// Binds the listener and starts the loop thread, which dials the peers
  /// with higher ids. Throws TransportError when the listener cannot be
  /// opened. At most once.
  void start();
  /// Closes every connection and joins the loop thread; frames not yet
  /// acknowledged are dropped with the process's memory. Idempotent.
  void stop();

  /// The bound port; valid after start() (useful with listen_port 0).
  [[nodiscard]] std::uint16_t listen_port() const;
  /// This process's random incarnation (never 0), sent in every HELLO.
  [[nodiscard]] std::uint64_t incarnation() const;

  /// Queues one frame for peer `to`. Thread-safe, never blocks on the
  /// network. `epoch`: the epoch the frame belongs to, so discard_below can
  /// drop it; nullopt for frames that must never be dropped so. Frames may
  /// be queued before start(). Precondition: payload is not null.
  SendResult send(quorum::NodeId to, Channel channel, std::optional<quorum::Epoch> epoch, Payload payload);
  /// send() to every peer, sharing the one payload. Returns how many peers
  /// queued it.
  std::size_t broadcast(Channel channel, std::optional<quorum::Epoch> epoch, const Payload& payload);

  /// The peer has every epoch below `epoch` by certificate: drop buffered
  /// frames tagged below it, and refuse such frames from now on. The floor
  /// never goes down. Thread-safe.
  void discard_below(quorum::NodeId peer, quorum::Epoch epoch);

  /// A consistent snapshot. Thread-safe.
  [[nodiscard]] TransportStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quorumclear::net
