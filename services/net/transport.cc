#include "services/net/transport.h"

#include "services/net/event_loop.h"
#include "services/net/peer_table.h"
#include "services/net/tls_session.h"

#include <openssl/rand.h>

#include <atomic>
#include <cassert>
#include <set>

namespace quorumclear::net {
namespace {

constexpr std::size_t kFramePayloadBytesMin = 1024;
constexpr std::size_t kFramePayloadBytesMax = 64u << 20;
constexpr std::size_t kPeerBufferBytesMax = std::size_t{16} << 30;
constexpr std::uint32_t kTimerMsMax = 10 * 60 * 1000;
constexpr std::size_t kPendingHandshakesMax = 1024;

[[noreturn]] void invalid(const std::string& field, const std::string& what) {
  throw TransportError("transport options: " + field + ": " + what);
}

void validate_limits(const TransportLimits& limits) {
  if (limits.frame_payload_bytes_max < kFramePayloadBytesMin || limits.frame_payload_bytes_max > kFramePayloadBytesMax) {
    invalid("limits.frame_payload_bytes_max", "must be 1 KiB .. 64 MiB");
  }
  if (limits.peer_buffer_bytes_max < limits.frame_payload_bytes_max + kBufferedFrameOverheadBytes ||
      limits.peer_buffer_bytes_max > kPeerBufferBytesMax) {
    invalid("limits.peer_buffer_bytes_max", "must hold one largest frame and be at most 16 GiB");
  }
  if (limits.reconnect_backoff_min_ms < 1 || limits.reconnect_backoff_max_ms < limits.reconnect_backoff_min_ms ||
      limits.reconnect_backoff_max_ms > kTimerMsMax) {
    invalid("limits.reconnect_backoff_min_ms/max_ms", "need 1 <= min <= max <= 600000");
  }
  if (limits.handshake_timeout_ms < 10 || limits.handshake_timeout_ms > kTimerMsMax) {
    invalid("limits.handshake_timeout_ms", "must be 10 .. 600000");
  }
  if (limits.keepalive_ms < 10 || limits.idle_timeout_ms <= limits.keepalive_ms ||
      limits.idle_timeout_ms > kTimerMsMax) {
    invalid("limits.keepalive_ms/idle_timeout_ms", "need 10 <= keepalive < idle timeout <= 600000");
  }
  if (limits.sink_retry_ms < 1 || limits.sink_retry_ms > 1000) invalid("limits.sink_retry_ms", "must be 1 .. 1000");
  if (limits.pending_handshakes_max < 1 || limits.pending_handshakes_max > kPendingHandshakesMax) {
    invalid("limits.pending_handshakes_max", "must be 1 .. 1024");
  }
}

void validate_peers(const TransportOptions& options, const Pin& own_pin) {
  if (options.peers.size() >= quorum::kNodesMax) invalid("peers", "too many");
  std::set<std::uint16_t> ids;
  std::set<Pin> pins;
  for (std::size_t i = 0; i < options.peers.size(); ++i) {
    const PeerEndpoint& peer = options.peers[i];
    const std::string field = "peers[" + std::to_string(i) + "]";
    if (peer.id == options.self) invalid(field + ".id", "is self");
    if (!ids.insert(peer.id.value).second) invalid(field + ".id", "listed twice");
    if (peer.pin == own_pin) invalid(field + ".pin", "is our own key's pin");
    if (!pins.insert(peer.pin).second) invalid(field + ".pin", "another peer has the same pin");
    if (options.self < peer.id && peer.host.empty()) invalid(field + ".host", "empty (we dial this peer)");
    if (options.self < peer.id && peer.port == 0) invalid(field + ".port", "0 (we dial this peer)");
  }
}

std::uint64_t random_incarnation() {
  std::uint64_t value = 0;
  while (value == 0) {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof value) != 1) {
      throw TransportError("incarnation: no randomness from OpenSSL");
    }
  }
  return value;
}

TlsContext make_tls(const TransportOptions& options) {
  try {
    return TlsContext(options.key_pem, options.cert_pem);
  } catch (const std::invalid_argument& e) {
    throw TransportError(std::string("transport options: ") + e.what());
  }
}

const TransportOptions& validated(const TransportOptions& options, const TransportCallbacks& callbacks,
                                  const TlsContext& tls) {
  if (!callbacks.on_frame) invalid("callbacks.on_frame", "required");
  if (options.listen_host.empty()) invalid("listen_host", "empty");
  validate_limits(options.limits);
  validate_peers(options, tls.own_pin());
  return options;
}

}  // namespace

std::string_view to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kOversizedFrame: return "oversized frame";
    case FaultKind::kMalformedFrame: return "malformed frame";
    case FaultKind::kProtocolViolation: return "protocol violation";
    case FaultKind::kPinMismatch: return "pin mismatch";
    case FaultKind::kUnknownPin: return "unknown pin";
    case FaultKind::kWrongDirection: return "wrong direction";
    case FaultKind::kHandshakeFailed: return "handshake failed";
  }
  return "unknown fault";
}

class Transport::Impl {
 public:
  Impl(TransportOptions options, TransportCallbacks callbacks)
      : options_(std::move(options)),
        callbacks_(std::move(callbacks)),
        tls_(make_tls(options_)),
        incarnation_(random_incarnation()),
        table_(validated(options_, callbacks_, tls_).peers, options_.limits.peer_buffer_bytes_max, incarnation_),
        loop_(options_, callbacks_, tls_, table_, incarnation_) {}

  void start() {
    if (started_.exchange(true)) throw TransportError("start: already started");
    if (stopped_.load()) throw TransportError("start: already stopped");
    loop_.start();
  }

  void stop() {
    stopped_ = true;
    loop_.stop();
  }

  SendResult send(quorum::NodeId to, Channel channel, std::optional<quorum::Epoch> epoch, Payload payload) {
    assert(payload != nullptr);
    if (stopped_.load()) return SendResult::kStopped;
    const std::optional<std::size_t> index = table_.index_of(to);
    if (!index) return SendResult::kUnknownPeer;
    if (payload->size() > options_.limits.frame_payload_bytes_max) return SendResult::kTooLarge;
    const SendResult result = table_.push(*index, channel, epoch, std::move(payload));
    if (result == SendResult::kQueued) loop_.wake();
    return result;
  }

  std::size_t broadcast(Channel channel, std::optional<quorum::Epoch> epoch, const Payload& payload) {
    std::size_t queued = 0;
    for (std::size_t i = 0; i < table_.size(); ++i) {
      if (send(table_.endpoint(i).id, channel, epoch, payload) == SendResult::kQueued) ++queued;
    }
    return queued;
  }

  void discard_below(quorum::NodeId peer, quorum::Epoch epoch) {
    if (const std::optional<std::size_t> index = table_.index_of(peer)) table_.discard_below(*index, epoch);
  }

  [[nodiscard]] std::uint16_t listen_port() const { return loop_.listen_port(); }
  [[nodiscard]] std::uint64_t incarnation() const { return incarnation_; }
  [[nodiscard]] TransportStats stats() const { return table_.snapshot(); }

 private:
  // Declaration order is construction order: the loop refers to all above it.
  const TransportOptions options_;
  const TransportCallbacks callbacks_;
  const TlsContext tls_;
  const std::uint64_t incarnation_;
  PeerTable table_;
  EventLoop loop_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
};

Transport::Transport(TransportOptions options, TransportCallbacks callbacks)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(callbacks))) {}

Transport::~Transport() { stop(); }

void Transport::start() { impl_->start(); }
void Transport::stop() { impl_->stop(); }
std::uint16_t Transport::listen_port() const { return impl_->listen_port(); }
std::uint64_t Transport::incarnation() const { return impl_->incarnation(); }

SendResult Transport::send(quorum::NodeId to, Channel channel, std::optional<quorum::Epoch> epoch, Payload payload) {
  return impl_->send(to, channel, epoch, std::move(payload));
}

std::size_t Transport::broadcast(Channel channel, std::optional<quorum::Epoch> epoch, const Payload& payload) {
  return impl_->broadcast(channel, epoch, payload);
}

void Transport::discard_below(quorum::NodeId peer, quorum::Epoch epoch) { impl_->discard_below(peer, epoch); }

TransportStats Transport::stats() const { return impl_->stats(); }

}  // namespace quorumclear::net
