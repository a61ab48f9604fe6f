#pragma once
// Thin non-blocking TCP helpers over POSIX sockets, shared by the transport
// and the test tools (tests/tools/reset_proxy). Errors are values: an
// invalid Fd and a message naming the call and errno's text.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace quorumclear::net {

/// An owned file descriptor; closes on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { close(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  int release();
  void close();

 private:
  int fd_ = -1;
};

/// A resolved IPv4 or IPv6 socket address.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  /// "host:port" ("[v6]:port"), for logs.
  [[nodiscard]] std::string text() const;
};

/// "host:port" or "[v6-literal]:port" split into its parts; nullopt when
/// the port is missing, not a number or outside 0 .. 65535, or the host is
/// empty.
[[nodiscard]] std::optional<std::pair<std::string, std::uint16_t>> parse_host_port(std::string_view text);

/// An IP literal is converted directly; a name goes through getaddrinfo,
/// which may block on DNS (see transport.h, "Open points"). nullopt when it
/// does not resolve.
[[nodiscard]] std::optional<SocketAddress> resolve_address(const std::string& host, std::uint16_t port);

/// Outcome of a socket call: a valid fd, or what failed.
struct SocketResult {
  Fd fd;
  std::string error;  // empty when fd is valid
};

/// A non-blocking listening socket with SO_REUSEADDR (a restarted node
/// rebinds its port at once, whatever TIME_WAIT connections remain).
[[nodiscard]] SocketResult listen_tcp(const SocketAddress& address, int backlog = 64);

/// Starts a non-blocking connect; completion shows as writability, then
/// connect_error() tells the outcome.
[[nodiscard]] SocketResult connect_tcp(const SocketAddress& address);

/// The pending error of a connecting socket (0: connected).
[[nodiscard]] int connect_error(int fd);

/// Accepts one connection, non-blocking and with TCP_NODELAY; an invalid
/// Fd with an empty error when none is waiting.
[[nodiscard]] SocketResult accept_tcp(int listen_fd, SocketAddress* peer = nullptr);

/// The local port a socket is bound to (0 on error).
[[nodiscard]] std::uint16_t local_port(int fd);

/// Closes with SO_LINGER {1, 0}, so the kernel sends a TCP RST rather than
/// a FIN: the peer sees a reset, as when a middlebox or a crash kills the
/// connection.
void reset_and_close(Fd& fd);

/// "call: strerror(errno)".
[[nodiscard]] std::string errno_text(std::string_view call);

}  // namespace quorumclear::net
