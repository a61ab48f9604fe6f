#pragma once
// A TCP forwarder that kills its connections on purpose: every
// reset_every_ms it resets all of them, and a connection that has carried
// drop_after_bytes is reset too. A reset is SO_LINGER {1, 0} then close on
// both sides, so each end sees a real TCP RST, as after a middlebox timeout
// or a crashed host. Cluster and transport tests put it between two nodes
// to prove that frames survive resets (services/net/transport.h).
//
// One thread, poll(2), non-blocking sockets; each direction buffers at most
// kProxyBufferBytes, so a stalled reader stalls its writer (TCP pushes back
// through the proxy as it would through a router).

#include "services/net/socket.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace quorumclear::tools {

inline constexpr std::size_t kProxyBufferBytes = 256 * 1024;

struct ResetProxyOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;  // 0: ephemeral, see ResetProxy::port()
  std::string target_host = "127.0.0.1";
  std::uint16_t target_port = 0;
  std::uint32_t reset_every_ms = 0;    // 0: never on a timer
  std::uint64_t drop_after_bytes = 0;  // 0: never by volume (both directions counted)
};

class ResetProxy {
 public:
  explicit ResetProxy(ResetProxyOptions options);
  /// Stops.
  ~ResetProxy();
  ResetProxy(const ResetProxy&) = delete;
  ResetProxy& operator=(const ResetProxy&) = delete;

  /// Binds and starts forwarding. Throws std::runtime_error when the
  /// listener cannot be opened or the target does not resolve.
  void start();
  /// Resets every connection and joins the thread. Idempotent.
  void stop();
  /// Resets every connection at the next turn of the loop. Thread-safe.
  void reset_all();

  [[nodiscard]] std::uint16_t port() const { return port_.load(); }
  /// Connections accepted so far.
  [[nodiscard]] std::uint64_t connections() const { return connections_.load(); }
  /// Connections this proxy reset (timer, volume or reset_all).
  [[nodiscard]] std::uint64_t resets() const { return resets_.load(); }
  /// Bytes forwarded, both directions.
  [[nodiscard]] std::uint64_t bytes_forwarded() const { return bytes_.load(); }

 private:
  struct Pair;
  void run();

  ResetProxyOptions options_;
  net::SocketAddress target_{};
  net::Fd listener_;
  net::Fd wake_fd_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> reset_requested_{false};
  std::atomic<std::uint16_t> port_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> resets_{0};
  std::atomic<std::uint64_t> bytes_{0};
};

}  // namespace quorumclear::tools
