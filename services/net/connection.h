#pragma once
// One TCP connection and its TLS session, as the event loop drives it:
// ciphertext between the socket and the session, plaintext frames out of
// the session. It knows nothing of peers, sequences or sinks (event_loop.h
// does); every buffer it holds is bounded by its caller's calls.

#include "services/net/frame_codec.h"
#include "services/net/socket.h"
#include "services/net/tls_session.h"
#include "services/net/transport.h"

#include <cstdint>
#include <optional>
#include <string>

namespace quorumclear::net {

/// Plaintext a session may have queued towards the socket before the loop
/// stops encrypting more frames for it: enough to keep a fast link busy
/// between two turns, small enough that a stuck peer holds little.
inline constexpr std::size_t kSocketBacklogBytes = 512 * 1024;

class Connection {
 public:
  enum class Phase : std::uint8_t {
    kConnecting,   // our TCP connect is in progress
    kHandshaking,  // TLS handshake
    kHello,        // authenticated; our HELLO sent, waiting for the peer's
    kOpen,         // session open: DATA and ACK flow
  };

  Connection(Fd fd, std::string remote, TlsSession::Role role, const TlsContext& tls,
             std::size_t frame_body_bytes_max, std::uint64_t now_ms, std::uint64_t deadline_ms);

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] const std::string& remote() const { return remote_; }
  [[nodiscard]] bool dialed() const { return role_ == TlsSession::Role::kClient; }
  [[nodiscard]] Phase phase() const { return phase_; }
  void set_phase(Phase phase) { phase_ = phase; }
  [[nodiscard]] TlsSession& tls() { return tls_; }

  enum class Io : std::uint8_t { kOk, kClosed, kFailed };

  /// Reads what the socket has, at most `bytes_max`, into the TLS session.
  /// *bytes tells how much (0: nothing waiting). kClosed on EOF, kFailed on
  /// an error, but only once nothing was read: bytes that arrived before
  /// the end are handed over first, and the end shows on the next call.
  Io receive(std::size_t bytes_max, std::size_t* bytes, std::string* why);
  /// Sends queued ciphertext until the socket would block.
  Io flush(std::string* why);
  /// Ciphertext not yet accepted by the socket.
  [[nodiscard]] std::size_t backlog() const;

  /// The next thing the plaintext stream holds.
  struct ReadStep {
    enum class Kind : std::uint8_t { kFrame, kNeedBytes, kFrameError, kClosed, kTlsFailed };
    Kind kind = Kind::kNeedBytes;
    Frame frame;
    FrameError error = FrameError::kEmpty;
  };
  /// Decodes the next frame, decrypting more if needed. kNeedBytes: the
  /// session has no more plaintext until receive() brings ciphertext. A
  /// DataFrame's payload is valid until the next call.
  [[nodiscard]] ReadStep next_frame();

  /// Encrypts plaintext (whole frames) for sending; false on a TLS error.
  [[nodiscard]] bool write(ByteView plaintext, std::uint64_t now_ms);

  /// Closes with a TCP reset (faults, refusals) or after queueing a TLS
  /// close_notify (orderly). Either way the descriptor is gone afterwards.
  void close_with_reset();
  void close_orderly();

  // Timers, all in steady-clock milliseconds.
  std::uint64_t deadline_ms;        // phases before kOpen must end by then
  std::uint64_t last_receive_ms;    // any bytes from the socket
  std::uint64_t last_send_ms;       // any frame written
  std::uint64_t paused_until_ms = 0;  // the sink refused: retry then

  /// A DATA frame decoded but refused by the sink, kept for the retry.
  struct Pending {
    std::uint64_t sequence = 0;
    InboundFrame frame;
  };
  std::optional<Pending> pending;

  /// Sending failed (typically a reset): nothing more is written, but what
  /// already arrived is still read and delivered before the close.
  bool send_failed = false;

 private:
  Fd fd_;
  std::string remote_;
  TlsSession::Role role_;
  TlsSession tls_;
  FrameReader reader_;
  Phase phase_;
  Bytes out_;                 // ciphertext taken from the session, not yet sent
  std::size_t out_sent_ = 0;  // bytes of out_ already sent
};

}  // namespace quorumclear::net
