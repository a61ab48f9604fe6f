#pragma once
// The transport's one thread: a poll(2) loop over the listener, a wake-up
// eventfd and every connection. It dials the peers we dial, authenticates
// every connection by pin, runs the HELLO exchange, moves DATA and ACK
// frames between the sockets and the PeerTable, delivers to the sink with
// backpressure, and keeps the timers (backoff, handshake, keepalive, idle,
// sink retry). Design notes are in transport.h.

#include "services/net/connection.h"
#include "services/net/peer_table.h"
#include "services/net/reliable_session.h"
#include "services/net/socket.h"
#include "services/net/tls_session.h"
#include "services/net/transport.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <thread>
#include <vector>

struct pollfd;

namespace quorumclear::net {

class EventLoop {
 public:
  /// All references must outlive the loop.
  EventLoop(const TransportOptions& options, const TransportCallbacks& callbacks, const TlsContext& tls,
            PeerTable& table, std::uint64_t incarnation);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Binds the listener and starts the thread. Throws TransportError.
  void start();
  /// Joins the thread after closing every connection. Idempotent.
  void stop();
  /// Makes the loop look at the send buffers now (after a send()).
  void wake();
  [[nodiscard]] std::uint16_t listen_port() const { return listen_port_.load(); }

 private:
  /// The loop's own state for one peer; the shared part is in PeerTable.
  struct Link {
    std::size_t index = 0;
    quorum::NodeId id;
    bool we_dial = false;
    std::unique_ptr<Connection> connection;
    std::uint64_t next_dial_ms = 0;
    std::uint32_t failed_attempts = 0;  // since the last open session
    InboundSequence inbound;
    std::uint64_t acked_to_peer = 0;    // delivered_through as of our last ACK or HELLO
    std::uint64_t dropped_budget_logged = 0;
  };
  enum class CloseKind : std::uint8_t { kOrderly, kReset };

  void run();
  void turn();
  /// What one pollfd entry stands for: a link's connection or a pending one.
  struct Polled {
    Link* link = nullptr;           // null for a pending connection
    Connection* connection = nullptr;
    std::size_t pending_slot = 0;   // index into pending_ when link is null
  };
  void build_poll_set(std::uint64_t now, std::vector<pollfd>& fds, std::vector<Polled>& polled);
  int poll_timeout_ms(std::uint64_t now) const;

  // Connections to and from peers.
  void dial_due(std::uint64_t now);
  void accept_all(std::uint64_t now);
  void on_link_io(Link& link, short revents, std::uint64_t now);
  /// Empties `slot` when the connection is gone (closed or promoted to a link).
  void on_pending_io(std::unique_ptr<Connection>& slot, short revents, std::uint64_t now);
  /// Drives connect and TLS handshake; true once the handshake is done.
  bool advance_handshake(Connection& connection, short revents, std::string* why, bool* failed);
  void authenticate_dialed(Link& link, std::uint64_t now);
  /// Identifies an accepted connection by its pin; takes ownership on success.
  void authenticate_accepted(std::unique_ptr<Connection> connection, std::uint64_t now);
  void send_hello(Link& link, std::uint64_t now);
  void close_link(Link& link, CloseKind kind, std::string_view reason);
  void schedule_dial(Link& link, std::uint64_t now);

  // Frames.
  void pump_reads(Link& link, std::uint64_t now);
  /// Handles one frame; false when the connection was closed or paused.
  bool on_frame(Link& link, const Frame& frame, std::uint64_t now);
  bool on_hello(Link& link, const HelloFrame& hello, std::uint64_t now);
  bool on_data(Link& link, const DataFrame& data, std::uint64_t now);
  bool deliver_pending(Link& link, std::uint64_t now);
  void pump_writes(Link& link, std::uint64_t now);
  void send_ack(Link& link, std::uint64_t now);
  bool flush(Link& link);

  void timers(std::uint64_t now);
  void link_timers(Link& link, std::uint64_t now);
  void log_budget_drops();
  /// Counts a fault against the peer, reports it and resets the
  /// connection. Returns false (the connection is gone) for the callers.
  bool peer_fault(Link& link, FaultKind kind, const std::string& detail);
  void fault(Link* link, FaultKind kind, std::string detail);
  void log(LogLevel level, std::string_view event, std::optional<quorum::NodeId> peer, std::string_view detail);

  const TransportOptions& options_;
  const TransportCallbacks& callbacks_;
  const TlsContext& tls_;
  PeerTable& table_;
  const std::uint64_t incarnation_;
  const std::size_t frame_body_bytes_max_;

  Fd listener_;
  Fd wake_fd_;
  std::atomic<bool> wake_pending_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint16_t> listen_port_{0};
  std::thread thread_;

  std::vector<Link> links_;
  std::vector<std::unique_ptr<Connection>> pending_;  // accepted, not yet identified
  std::uint64_t accept_resume_ms_ = 0;   // after an accept error (EMFILE), pause accepting
  std::uint64_t next_housekeeping_ms_ = 0;
  std::mt19937_64 jitter_;
  Bytes scratch_;                        // plaintext being framed for one write
};

}  // namespace quorumclear::net
