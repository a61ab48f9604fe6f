#include "services/net/event_loop.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace quorumclear::net {
namespace {

// Ciphertext read from one connection per turn: one busy peer cannot keep
// the loop from the others.
constexpr std::size_t kReadBudgetBytes = 256 * 1024;
// Payload bytes framed per TLS write, and written to one connection per turn.
constexpr std::size_t kWriteChunkBytes = 256 * 1024;
constexpr std::size_t kWriteTurnBytes = 1024 * 1024;
// The loop wakes at least this often even when idle (timers are coarse).
constexpr std::uint64_t kPollTimeoutMaxMs = 1000;
// After an accept() error such as EMFILE, leave the listener alone this long
// rather than spin on a readable socket we cannot serve.
constexpr std::uint64_t kAcceptPauseMs = 100;
constexpr std::uint32_t kBackoffShiftMax = 16;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

std::string_view fault_event(FaultKind kind) {
  switch (kind) {
    case FaultKind::kPinMismatch:
    case FaultKind::kUnknownPin:
    case FaultKind::kWrongDirection:
      return "peer_refused";
    case FaultKind::kHandshakeFailed:
      return "peer_handshake_failed";
    default:
      return "peer_fault";
  }
}

std::string pin_text(const std::optional<Pin>& pin) { return pin ? to_hex(*pin) : std::string("(none)"); }

}  // namespace

EventLoop::EventLoop(const TransportOptions& options, const TransportCallbacks& callbacks, const TlsContext& tls,
                     PeerTable& table, std::uint64_t incarnation)
    : options_(options),
      callbacks_(callbacks),
      tls_(tls),
      table_(table),
      incarnation_(incarnation),
      frame_body_bytes_max_(options.limits.frame_payload_bytes_max + kDataHeaderBytes),
      wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      jitter_(incarnation) {
  if (!wake_fd_.valid()) throw TransportError(errno_text("eventfd"));
  links_.resize(table.size());
  for (std::size_t i = 0; i < links_.size(); ++i) {
    links_[i].index = i;
    links_[i].id = table.endpoint(i).id;
    links_[i].we_dial = options.self < links_[i].id;
  }
}

EventLoop::~EventLoop() { stop(); }

void EventLoop::start() {
  const std::optional<SocketAddress> address = resolve_address(options_.listen_host, options_.listen_port);
  if (!address) throw TransportError("listen_host: \"" + options_.listen_host + "\" does not resolve");
  SocketResult listening = listen_tcp(*address);
  if (!listening.fd.valid()) throw TransportError("listen_host/listen_port: " + listening.error);
  listener_ = std::move(listening.fd);
  listen_port_ = local_port(listener_.get());
  log(LogLevel::kInfo, "peer_listen", std::nullopt,
      "listening on " + options_.listen_host + ":" + std::to_string(listen_port_.load()) + ", own pin " +
          to_hex(tls_.own_pin()) + ", incarnation " + std::to_string(incarnation_));
  thread_ = std::thread([this] { run(); });
}

void EventLoop::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  wake();
  thread_.join();
}

void EventLoop::wake() {
  if (wake_pending_.exchange(true)) return;
  const std::uint64_t one = 1;
  // Only fails when the counter would overflow, which a pending wake-up
  // already covers.
  (void)!write(wake_fd_.get(), &one, sizeof one);
}

void EventLoop::run() {
  while (!stopping_.load()) turn();
  for (Link& link : links_) close_link(link, CloseKind::kOrderly, "transport stopped");
  pending_.clear();
  listener_.close();
}

void EventLoop::turn() {
  std::vector<pollfd> fds;
  std::vector<Polled> polled;
  dial_due(now_ms());
  const std::uint64_t before = now_ms();
  build_poll_set(before, fds, polled);
  if (poll(fds.data(), fds.size(), poll_timeout_ms(before)) < 0 && errno != EINTR) {
    log(LogLevel::kWarn, "peer_poll_failed", std::nullopt, errno_text("poll"));
  }
  const std::uint64_t now = now_ms();
  if (fds[0].revents & POLLIN) {
    std::uint64_t count = 0;
    (void)!read(wake_fd_.get(), &count, sizeof count);
    wake_pending_ = false;  // before looking at the buffers, so no send() is missed
  }
  if (fds[1].revents & POLLIN) accept_all(now);
  for (std::size_t k = 2; k < fds.size(); ++k) {
    const Polled& entry = polled[k - 2];
    if (fds[k].revents == 0) continue;
    if (entry.link != nullptr) {
      // A pending connection promoted this turn may have replaced it.
      if (entry.link->connection.get() == entry.connection) on_link_io(*entry.link, fds[k].revents, now);
    } else if (pending_[entry.pending_slot] != nullptr) {
      on_pending_io(pending_[entry.pending_slot], fds[k].revents, now);
    }
  }
  timers(now);
  for (Link& link : links_) {
    pump_writes(link, now);
    if (link.connection != nullptr) (void)flush(link);
  }
  std::erase(pending_, nullptr);
}

void EventLoop::build_poll_set(std::uint64_t now, std::vector<pollfd>& fds, std::vector<Polled>& polled) {
  fds.push_back(pollfd{wake_fd_.get(), POLLIN, 0});
  fds.push_back(pollfd{now >= accept_resume_ms_ ? listener_.get() : -1, POLLIN, 0});
  for (Link& link : links_) {
    Connection* c = link.connection.get();
    if (c == nullptr) continue;
    short events = 0;
    if (c->phase() == Connection::Phase::kConnecting) {
      events = POLLOUT;
    } else {
      if (!c->pending) events |= POLLIN;  // paused by the sink: let TCP push back
      if (c->backlog() > 0) events |= POLLOUT;
    }
    fds.push_back(pollfd{c->fd(), events, 0});
    polled.push_back(Polled{&link, c, 0});
  }
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    Connection* c = pending_[i].get();
    fds.push_back(pollfd{c->fd(), static_cast<short>(POLLIN | (c->backlog() > 0 ? POLLOUT : 0)), 0});
    polled.push_back(Polled{nullptr, c, i});
  }
}

int EventLoop::poll_timeout_ms(std::uint64_t now) const {
  std::uint64_t next = now + kPollTimeoutMaxMs;
  const TransportLimits& limits = options_.limits;
  for (const Link& link : links_) {
    const Connection* c = link.connection.get();
    if (c == nullptr) {
      if (link.we_dial) next = std::min(next, link.next_dial_ms);
    } else if (c->phase() != Connection::Phase::kOpen) {
      next = std::min(next, c->deadline_ms);
    } else {
      next = std::min(next, c->last_send_ms + limits.keepalive_ms);
      next = std::min(next, c->pending ? c->paused_until_ms : c->last_receive_ms + limits.idle_timeout_ms);
    }
  }
  for (const auto& c : pending_) next = std::min(next, c->deadline_ms);
  if (now < accept_resume_ms_) next = std::min(next, accept_resume_ms_);
  return next <= now ? 0 : static_cast<int>(next - now);
}

void EventLoop::dial_due(std::uint64_t now) {
  for (Link& link : links_) {
    if (!link.we_dial || link.connection != nullptr || now < link.next_dial_ms) continue;
    const PeerEndpoint& endpoint = table_.endpoint(link.index);
    const std::optional<SocketAddress> address = resolve_address(endpoint.host, endpoint.port);
    SocketResult dialing;
    if (!address) {
      dialing.error = "\"" + endpoint.host + "\" does not resolve";
    } else {
      dialing = connect_tcp(*address);
    }
    if (!dialing.fd.valid()) {
      table_.update(link.index, [](PeerStats& s) { ++s.dial_failures; });
      log(LogLevel::kDebug, "peer_dial_failed", link.id, dialing.error);
      schedule_dial(link, now);
      continue;
    }
    link.connection = std::make_unique<Connection>(std::move(dialing.fd), address->text(), TlsSession::Role::kClient,
                                                   tls_, frame_body_bytes_max_, now,
                                                   now + options_.limits.handshake_timeout_ms);
  }
}

void EventLoop::schedule_dial(Link& link, std::uint64_t now) {
  const TransportLimits& limits = options_.limits;
  const std::uint64_t ceiling = std::min<std::uint64_t>(
      limits.reconnect_backoff_max_ms,
      std::uint64_t{limits.reconnect_backoff_min_ms} << std::min(link.failed_attempts, kBackoffShiftMax));
  // Equal jitter: never sooner than half the backoff, so peers that lost
  // each other at the same moment do not redial in lockstep.
  std::uniform_int_distribution<std::uint64_t> delay(ceiling / 2, ceiling);
  link.next_dial_ms = now + delay(jitter_);
  ++link.failed_attempts;
}

void EventLoop::accept_all(std::uint64_t now) {
  for (;;) {
    SocketAddress from;
    SocketResult accepted = accept_tcp(listener_.get(), &from);
    if (!accepted.fd.valid()) {
      if (!accepted.error.empty()) {
        log(LogLevel::kWarn, "peer_accept_failed", std::nullopt, accepted.error);
        accept_resume_ms_ = now + kAcceptPauseMs;
      }
      return;
    }
    if (pending_.size() >= options_.limits.pending_handshakes_max) {
      table_.update_global([](TransportStats& s) { ++s.refused_busy; });
      reset_and_close(accepted.fd);
      continue;
    }
    pending_.push_back(std::make_unique<Connection>(std::move(accepted.fd), from.text(), TlsSession::Role::kServer,
                                                    tls_, frame_body_bytes_max_, now,
                                                    now + options_.limits.handshake_timeout_ms));
  }
}

bool EventLoop::advance_handshake(Connection& c, short revents, std::string* why, bool* failed) {
  *failed = true;
  if (c.phase() == Connection::Phase::kConnecting) {
    if ((revents & (POLLOUT | POLLERR | POLLHUP)) == 0) return *failed = false;
    if (const int error = connect_error(c.fd()); error != 0) {
      *why = std::string("connect: ") + std::strerror(error);
      return false;
    }
    c.set_phase(Connection::Phase::kHandshaking);
  }
  if (revents & (POLLIN | POLLERR | POLLHUP)) {
    std::size_t got = 0;
    if (c.receive(kReadBudgetBytes, &got, why) != Connection::Io::kOk) return false;
  }
  const TlsSession::Status status = c.tls().handshake();
  if (c.flush(why) != Connection::Io::kOk) return false;
  switch (status) {
    case TlsSession::Status::kDone:
      *failed = false;
      return true;
    case TlsSession::Status::kWantMore:
      *failed = false;
      return false;
    case TlsSession::Status::kClosed:
      *why = "closed during the TLS handshake";
      return false;
    case TlsSession::Status::kFailed:
      *why = "TLS handshake: " + c.tls().error();
      return false;
  }
  return false;
}

void EventLoop::on_link_io(Link& link, short revents, std::uint64_t now) {
  Connection& c = *link.connection;
  if (c.phase() == Connection::Phase::kConnecting || c.phase() == Connection::Phase::kHandshaking) {
    std::string why;
    bool failed = false;
    if (advance_handshake(c, revents, &why, &failed)) {
      authenticate_dialed(link, now);
    } else if (failed) {
      close_link(link, CloseKind::kReset, why);
    }
    return;
  }
  if ((revents & (POLLERR | POLLHUP)) != 0 && (revents & POLLIN) == 0) {
    close_link(link, CloseKind::kReset, "connection reset");
    return;
  }
  if (revents & POLLIN) pump_reads(link, now);
  if (link.connection != nullptr && (revents & POLLOUT)) (void)flush(link);
}

void EventLoop::on_pending_io(std::unique_ptr<Connection>& slot, short revents, std::uint64_t now) {
  std::string why;
  bool failed = false;
  if (advance_handshake(*slot, revents, &why, &failed)) {
    authenticate_accepted(std::move(slot), now);
    slot = nullptr;
  } else if (failed) {
    table_.update_global([](TransportStats& s) { ++s.handshake_failures; });
    fault(nullptr, FaultKind::kHandshakeFailed, "from " + slot->remote() + ": " + why);
    slot->close_with_reset();
    slot = nullptr;
  }
}

void EventLoop::authenticate_dialed(Link& link, std::uint64_t now) {
  Connection& c = *link.connection;
  const std::optional<Pin> pin = c.tls().peer_pin();
  const Pin& expected = table_.endpoint(link.index).pin;
  if (!pin || *pin != expected) {
    table_.update(link.index, [](PeerStats& s) { ++s.refused_pin; });
    fault(&link, FaultKind::kPinMismatch,
          c.remote() + " presented key " + pin_text(pin) + ", pinned for this node: " + to_hex(expected));
    close_link(link, CloseKind::kReset, "pin mismatch");
    return;
  }
  c.set_phase(Connection::Phase::kHello);
  send_hello(link, now);
  if (link.connection != nullptr) pump_reads(link, now);
}

void EventLoop::authenticate_accepted(std::unique_ptr<Connection> connection, std::uint64_t now) {
  const std::optional<Pin> pin = connection->tls().peer_pin();
  const std::optional<std::size_t> index = pin ? table_.index_of(*pin) : std::nullopt;
  if (!index) {
    table_.update_global([](TransportStats& s) { ++s.refused_unknown_pin; });
    fault(nullptr, FaultKind::kUnknownPin,
          "connection from " + connection->remote() + " presented key " + pin_text(pin) + ", pinned for no peer");
    connection->close_with_reset();
    return;
  }
  Link& link = links_[*index];
  if (link.we_dial) {
    table_.update(link.index, [](PeerStats& s) { ++s.refused_direction; });
    fault(&link, FaultKind::kWrongDirection,
          "dialed us from " + connection->remote() + ", but the lower id dials and ours is lower");
    connection->close_with_reset();
    return;
  }
  // The dialer redials only when it thinks the old connection dead; the
  // newest one is the live one.
  if (link.connection != nullptr) close_link(link, CloseKind::kReset, "replaced by a new connection from the peer");
  link.connection = std::move(connection);
  link.connection->set_phase(Connection::Phase::kHello);
  send_hello(link, now);
  // The peer's HELLO may already sit decrypted-ready in the TLS buffers,
  // where poll() cannot see it.
  if (link.connection != nullptr) pump_reads(link, now);
}

void EventLoop::send_hello(Link& link, std::uint64_t now) {
  scratch_.clear();
  append_hello(scratch_, HelloFrame{incarnation_, link.inbound.incarnation(), link.inbound.delivered_through()});
  link.acked_to_peer = link.inbound.delivered_through();
  if (!link.connection->write(scratch_, now)) {
    close_link(link, CloseKind::kReset, "TLS write: " + link.connection->tls().error());
    return;
  }
  (void)flush(link);
}

void EventLoop::close_link(Link& link, CloseKind kind, std::string_view reason) {
  std::unique_ptr<Connection> c = std::move(link.connection);
  if (c == nullptr) return;
  const bool was_open = c->phase() == Connection::Phase::kOpen;
  if (kind == CloseKind::kReset) {
    c->close_with_reset();
  } else {
    c->close_orderly();
  }
  if (was_open) {
    table_.close_session(link.index);
    log(LogLevel::kInfo, "peer_disconnected", link.id, std::string(reason) + " (" + c->remote() + ")");
  } else if (c->dialed()) {
    table_.update(link.index, [](PeerStats& s) { ++s.dial_failures; });
    log(LogLevel::kDebug, "peer_dial_failed", link.id, std::string(reason) + " (" + c->remote() + ")");
  }
  if (link.we_dial && !stopping_.load()) schedule_dial(link, now_ms());
}

void EventLoop::pump_reads(Link& link, std::uint64_t now) {
  std::size_t budget = kReadBudgetBytes;
  for (;;) {
    Connection* c = link.connection.get();
    if (c == nullptr) return;
    if (c->pending && !deliver_pending(link, now)) break;
    const Connection::ReadStep step = c->next_frame();
    if (step.kind == Connection::ReadStep::Kind::kFrame) {
      if (!on_frame(link, step.frame, now)) break;
      continue;
    }
    if (step.kind == Connection::ReadStep::Kind::kFrameError) {
      const FaultKind kind =
          step.error == FrameError::kOversized ? FaultKind::kOversizedFrame : FaultKind::kMalformedFrame;
      (void)peer_fault(link, kind, std::string(to_string(step.error)));
      return;
    }
    if (step.kind == Connection::ReadStep::Kind::kClosed) {
      close_link(link, CloseKind::kOrderly, "peer closed the session");
      return;
    }
    if (step.kind == Connection::ReadStep::Kind::kTlsFailed) {
      close_link(link, CloseKind::kReset, "TLS: " + c->tls().error());
      return;
    }
    // kNeedBytes: the session is drained; take more from the socket.
    if (budget == 0) break;  // the socket still holds data: poll() reports it again
    std::size_t got = 0;
    std::string why;
    if (c->receive(budget, &got, &why) != Connection::Io::kOk) {
      close_link(link, CloseKind::kReset, why);
      return;
    }
    if (got == 0) break;
    c->last_receive_ms = now;
    budget -= got;
  }
  if (link.connection != nullptr && link.connection->phase() == Connection::Phase::kOpen &&
      link.inbound.delivered_through() > link.acked_to_peer) {
    send_ack(link, now);
  }
}

bool EventLoop::on_frame(Link& link, const Frame& frame, std::uint64_t now) {
  if (const auto* hello = std::get_if<HelloFrame>(&frame)) return on_hello(link, *hello, now);
  if (const auto* data = std::get_if<DataFrame>(&frame)) return on_data(link, *data, now);
  const auto& ack = std::get<AckFrame>(frame);
  std::string violation;
  if (link.connection->phase() != Connection::Phase::kOpen) {
    violation = "ACK before HELLO";
  } else if (!table_.acknowledge(link.index, ack.delivered_through)) {
    violation = "ACK of sequence " + std::to_string(ack.delivered_through) + ", above anything sent";
  } else {
    return true;
  }
  return peer_fault(link, FaultKind::kProtocolViolation, violation);
}

bool EventLoop::on_hello(Link& link, const HelloFrame& hello, std::uint64_t now) {
  Connection& c = *link.connection;
  std::string violation;
  const bool known_before = link.inbound.incarnation() != 0;
  if (c.phase() != Connection::Phase::kHello) {
    violation = "second HELLO on one connection";
  } else {
    const bool reset = link.inbound.on_hello(hello.incarnation);
    if (reset) link.acked_to_peer = 0;
    std::optional<std::uint64_t> ack;
    if (hello.your_incarnation == incarnation_) ack = hello.delivered_through;
    const bool restarted = reset && known_before;
    if (table_.open_session(link.index, ack, hello.incarnation, restarted)) {
      c.set_phase(Connection::Phase::kOpen);
      c.last_receive_ms = now;
      link.failed_attempts = 0;
      log(LogLevel::kInfo, "peer_connected", link.id,
          std::string(c.dialed() ? "dialed " : "accepted from ") + c.remote() + ", peer incarnation " +
              std::to_string(hello.incarnation) + (restarted ? " (peer restarted)" : ""));
      return true;
    }
    violation = "HELLO acknowledges sequence " + std::to_string(hello.delivered_through) + ", above anything sent";
  }
  return peer_fault(link, FaultKind::kProtocolViolation, violation);
}

bool EventLoop::on_data(Link& link, const DataFrame& data, std::uint64_t now) {
  Connection& c = *link.connection;
  if (c.phase() != Connection::Phase::kOpen) {
    return peer_fault(link, FaultKind::kProtocolViolation, "DATA before HELLO");
  }
  if (!link.inbound.is_new(data.sequence)) {
    // Resent after a reconnect although we had delivered it: the ACK that
    // would have spared it was lost with the old connection.
    table_.update(link.index, [](PeerStats& s) { ++s.duplicates_ignored; });
    return true;
  }
  c.pending = Connection::Pending{data.sequence,
                                  InboundFrame{link.id, data.channel, Bytes(data.payload.begin(), data.payload.end())}};
  return deliver_pending(link, now);
}

bool EventLoop::deliver_pending(Link& link, std::uint64_t now) {
  Connection& c = *link.connection;
  Connection::Pending& pending = *c.pending;
  const std::size_t bytes = pending.frame.payload.size();
  const Channel channel = pending.frame.channel;
  if (!callbacks_.on_frame(pending.frame)) {
    if (c.paused_until_ms == 0) table_.update(link.index, [](PeerStats& s) { ++s.sink_pauses; });
    c.paused_until_ms = now + options_.limits.sink_retry_ms;
    return false;
  }
  if (c.paused_until_ms != 0) {
    // We did not read while paused; silence from the peer was ours.
    c.last_receive_ms = now;
    c.paused_until_ms = 0;
  }
  link.inbound.delivered(pending.sequence);
  c.pending.reset();
  table_.update(link.index, [&](PeerStats& s) {
    ChannelCounters& counters = s.received[channel_index(channel)];
    ++counters.frames;
    counters.bytes += bytes;
  });
  return true;
}

void EventLoop::pump_writes(Link& link, std::uint64_t now) {
  std::size_t written = 0;
  while (link.connection != nullptr && link.connection->phase() == Connection::Phase::kOpen &&
         link.connection->backlog() < kSocketBacklogBytes && written < kWriteTurnBytes) {
    const std::vector<OutboundFrame> due = table_.take_due(link.index, kWriteChunkBytes);
    if (due.empty()) return;
    scratch_.clear();
    for (const OutboundFrame& frame : due) {
      append_data(scratch_, frame.sequence, frame.channel, *frame.payload);
      written += frame.payload->size();
    }
    if (!link.connection->write(scratch_, now)) {
      close_link(link, CloseKind::kReset, "TLS write: " + link.connection->tls().error());
      return;
    }
    if (!flush(link)) return;
  }
}

void EventLoop::send_ack(Link& link, std::uint64_t now) {
  if (link.connection->send_failed) return;
  scratch_.clear();
  append_ack(scratch_, link.inbound.delivered_through());
  link.acked_to_peer = link.inbound.delivered_through();
  if (!link.connection->write(scratch_, now)) {
    close_link(link, CloseKind::kReset, "TLS write: " + link.connection->tls().error());
    return;
  }
  (void)flush(link);
}

bool EventLoop::flush(Link& link) {
  Connection& c = *link.connection;
  if (c.send_failed) return false;
  std::string why;
  if (c.flush(&why) == Connection::Io::kOk) return true;
  // A reset fails the next send while the peer's last frames still wait in
  // our receive queue. Deliver them before closing: otherwise a link reset
  // faster than we read would resend the same frames forever.
  c.send_failed = true;
  pump_reads(link, now_ms());
  if (link.connection != nullptr) close_link(link, CloseKind::kReset, why);
  return false;
}

void EventLoop::timers(std::uint64_t now) {
  for (Link& link : links_) link_timers(link, now);
  for (auto& slot : pending_) {
    if (slot == nullptr || now < slot->deadline_ms) continue;
    table_.update_global([](TransportStats& s) { ++s.handshake_failures; });
    fault(nullptr, FaultKind::kHandshakeFailed, "from " + slot->remote() + ": TLS handshake timed out");
    slot->close_with_reset();
    slot = nullptr;
  }
  if (now >= next_housekeeping_ms_) {
    next_housekeeping_ms_ = now + kPollTimeoutMaxMs;
    log_budget_drops();
  }
}

void EventLoop::link_timers(Link& link, std::uint64_t now) {
  Connection* c = link.connection.get();
  if (c == nullptr) return;
  const TransportLimits& limits = options_.limits;
  if (c->phase() != Connection::Phase::kOpen) {
    if (now >= c->deadline_ms) close_link(link, CloseKind::kReset, "handshake timed out");
    return;
  }
  if (c->pending && now >= c->paused_until_ms) pump_reads(link, now);
  c = link.connection.get();
  if (c == nullptr) return;
  // While paused we do not read, so the peer's silence proves nothing.
  if (!c->pending && now - c->last_receive_ms >= limits.idle_timeout_ms) {
    close_link(link, CloseKind::kReset, "idle: nothing received for " + std::to_string(now - c->last_receive_ms) + " ms");
  } else if (now - c->last_send_ms >= limits.keepalive_ms) {
    send_ack(link, now);
  }
}

void EventLoop::log_budget_drops() {
  const TransportStats stats = table_.snapshot();
  for (Link& link : links_) {
    const std::uint64_t dropped = stats.peers[link.index].dropped_budget;
    if (dropped == link.dropped_budget_logged) continue;
    log(LogLevel::kWarn, "peer_frames_dropped", link.id,
        std::to_string(dropped - link.dropped_budget_logged) +
            " unacknowledged frames dropped beyond the byte budget; the peer must catch up by certificate");
    link.dropped_budget_logged = dropped;
  }
}

bool EventLoop::peer_fault(Link& link, FaultKind kind, const std::string& detail) {
  table_.update(link.index, [](PeerStats& s) { ++s.faults; });
  fault(&link, kind, detail);
  close_link(link, CloseKind::kReset, detail);
  return false;
}

void EventLoop::fault(Link* link, FaultKind kind, std::string detail) {
  const std::optional<quorum::NodeId> peer = link != nullptr ? std::optional(link->id) : std::nullopt;
  const std::string text = std::string(to_string(kind)) + ": " + detail;
  log(LogLevel::kWarn, fault_event(kind), peer, text);
  if (callbacks_.on_fault) callbacks_.on_fault(PeerFault{peer, kind, std::move(detail)});
}

void EventLoop::log(LogLevel level, std::string_view event, std::optional<quorum::NodeId> peer,
                    std::string_view detail) {
  if (callbacks_.on_log) callbacks_.on_log(LogRecord{level, event, peer, detail});
}

}  // namespace quorumclear::net
