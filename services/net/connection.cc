#include "services/net/connection.h"

#include <sys/socket.h>

#include <array>
#include <cerrno>

namespace quorumclear::net {
namespace {

// One socket read or TLS read at a time: a TLS record is at most 16 KiB of
// plaintext, so 64 KiB takes a few records per call.
constexpr std::size_t kChunkBytes = 64 * 1024;

}  // namespace

Connection::Connection(Fd fd, std::string remote, TlsSession::Role role, const TlsContext& tls,
                       std::size_t frame_body_bytes_max, std::uint64_t now_ms, std::uint64_t deadline)
    : deadline_ms(deadline),
      last_receive_ms(now_ms),
      last_send_ms(now_ms),
      fd_(std::move(fd)),
      remote_(std::move(remote)),
      role_(role),
      tls_(tls, role),
      reader_(frame_body_bytes_max),
      phase_(role == TlsSession::Role::kClient ? Phase::kConnecting : Phase::kHandshaking) {}

Connection::Io Connection::receive(std::size_t bytes_max, std::size_t* bytes, std::string* why) {
  std::array<std::uint8_t, kChunkBytes> chunk;
  *bytes = 0;
  while (*bytes < bytes_max) {
    const ssize_t n = recv(fd_.get(), chunk.data(), std::min(chunk.size(), bytes_max - *bytes), 0);
    if (n > 0) {
      tls_.feed(ByteView(chunk.data(), static_cast<std::size_t>(n)));
      *bytes += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    // Hand over what arrived before the end first: the frames in it are
    // good, and the socket reports its end (EOF, or EOF after the reset
    // error) again on the next call.
    if (*bytes > 0) break;
    if (n == 0) {
      *why = "connection closed by peer";
      return Io::kClosed;
    }
    *why = errno_text("recv");
    return Io::kFailed;
  }
  return Io::kOk;
}

Connection::Io Connection::flush(std::string* why) {
  for (;;) {
    if (out_sent_ == out_.size()) {
      out_.resize(kChunkBytes);
      out_.resize(tls_.take_ciphertext(out_));
      out_sent_ = 0;
      if (out_.empty()) return Io::kOk;
    }
    const ssize_t n = send(fd_.get(), out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
    if (n > 0) {
      out_sent_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Io::kOk;
    if (n < 0 && errno == EINTR) continue;
    *why = errno_text("send");
    return Io::kFailed;
  }
}

std::size_t Connection::backlog() const { return (out_.size() - out_sent_) + tls_.ciphertext_pending(); }

Connection::ReadStep Connection::next_frame() {
  std::array<std::uint8_t, kChunkBytes> plain;
  for (;;) {
    FrameReader::Result result = reader_.next();
    if (result.status == FrameReader::Result::Status::kFrame) {
      return ReadStep{ReadStep::Kind::kFrame, result.frame, FrameError::kEmpty};
    }
    if (result.status == FrameReader::Result::Status::kError) {
      return ReadStep{ReadStep::Kind::kFrameError, {}, result.error};
    }
    std::size_t got = 0;
    switch (tls_.read(plain, &got)) {
      case TlsSession::Status::kDone:
        reader_.append(ByteView(plain.data(), got));
        break;
      case TlsSession::Status::kWantMore:
        return ReadStep{ReadStep::Kind::kNeedBytes, {}, FrameError::kEmpty};
      case TlsSession::Status::kClosed:
        return ReadStep{ReadStep::Kind::kClosed, {}, FrameError::kEmpty};
      case TlsSession::Status::kFailed:
        return ReadStep{ReadStep::Kind::kTlsFailed, {}, FrameError::kEmpty};
    }
  }
}

bool Connection::write(ByteView plaintext, std::uint64_t now_ms) {
  last_send_ms = now_ms;
  return tls_.write(plaintext);
}

void Connection::close_with_reset() { reset_and_close(fd_); }

void Connection::close_orderly() {
  tls_.close_notify();
  std::string ignored;
  (void)flush(&ignored);
  fd_.close();
}

}  // namespace quorumclear::net
