#pragma once
// Peer-link frames inside the TLS stream, version 1. Integers are
// fixed-width big-endian.
//
//   u32 body length L      1 <= L <= the configured frame bound
//   body:
//     u8 type
//     1 HELLO   u8 version (1) | u64 incarnation | u64 your_incarnation |
//               u64 delivered_through                     (L = 26)
//     2 DATA    u64 sequence (>= 1) | u8 channel (1..3) | payload
//                                                         (L = 10 + payload)
//     3 ACK     u64 delivered_through                     (L = 9)
//
// HELLO opens every connection in both directions, once, before anything
// else. `incarnation` is the sender's random per-process id (never 0);
// `your_incarnation` is the receiver's as the sender last saw it (0: never),
// and `delivered_through` the highest DATA sequence the sender has handed to
// its node from that incarnation: the receiver resends from there. An ACK
// carries the same cumulative count for the incarnation announced in this
// connection's HELLO. DATA sequences are the sender's per-peer numbering,
// which only grows within an incarnation; gaps are frames the sender chose
// to drop (reliable_session.h).
//
// Peer identity is never a field: it comes from the TLS key (transport.h).
// Every length is checked against the bound before anything is buffered
// beyond it, so a peer cannot make us hold more than one bounded frame.

#include "services/net/channel.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace quorumclear::net {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline constexpr std::uint8_t kWireVersion = 1;
inline constexpr std::size_t kLengthPrefixBytes = 4;
inline constexpr std::size_t kHelloBodyBytes = 26;
inline constexpr std::size_t kAckBodyBytes = 9;
/// DATA body bytes before the payload (type, sequence, channel).
inline constexpr std::size_t kDataHeaderBytes = 10;
/// Largest body length the u32 prefix can name; bounds every configuration.
inline constexpr std::size_t kFrameBodyBytesLimit = 0xffffffffu;

enum class FrameType : std::uint8_t { kHello = 1, kData = 2, kAck = 3 };

struct HelloFrame {
  std::uint64_t incarnation = 0;
  std::uint64_t your_incarnation = 0;
  std::uint64_t delivered_through = 0;
};

/// `payload` views the reader's buffer: valid until its next call.
struct DataFrame {
  std::uint64_t sequence = 0;
  Channel channel = Channel::kQuorum;
  ByteView payload;
};

struct AckFrame {
  std::uint64_t delivered_through = 0;
};

using Frame = std::variant<HelloFrame, DataFrame, AckFrame>;

/// Why bytes from a peer are not a frame. Any of them closes the connection
/// and counts a fault against the peer.
enum class FrameError : std::uint8_t {
  kOversized,           // length prefix above the bound
  kEmpty,               // length prefix 0
  kUnknownType,         // type byte not 1..3
  kBadLength,           // HELLO or ACK of the wrong size, DATA shorter than its header
  kUnsupportedVersion,  // HELLO version other than kWireVersion
  kZeroIncarnation,     // HELLO incarnation 0
  kUnknownChannel,      // DATA channel not 1..3
  kZeroSequence,        // DATA sequence 0
};

[[nodiscard]] std::string_view to_string(FrameError error);

/// Appends one encoded frame to `out`. Precondition for DATA:
/// kDataHeaderBytes + payload.size() fits the u32 prefix.
void append_hello(Bytes& out, const HelloFrame& hello);
void append_ack(Bytes& out, std::uint64_t delivered_through);
void append_data(Bytes& out, std::uint64_t sequence, Channel channel, ByteView payload);

/// Exact encoded size of a DATA frame with this payload, prefix included.
[[nodiscard]] constexpr std::size_t data_frame_bytes(std::size_t payload_bytes) {
  return kLengthPrefixBytes + kDataHeaderBytes + payload_bytes;
}

/// Incremental decoder for one connection's byte stream.
class FrameReader {
 public:
  /// Precondition: kAckBodyBytes <= body_bytes_max <= kFrameBodyBytesLimit
  /// (a bound below HELLO's size would refuse every connection; the
  /// transport checks its option against kHelloBodyBytes).
  explicit FrameReader(std::size_t body_bytes_max);

  /// One step of decoding: a complete frame, a request for more bytes, or
  /// an error (after which the reader must not be used again).
  struct Result {
    enum class Status : std::uint8_t { kFrame, kNeedMore, kError };
    Status status = Status::kNeedMore;
    Frame frame;
    FrameError error = FrameError::kEmpty;
  };

  /// Decodes the next frame from the buffered bytes. A returned DataFrame's
  /// payload stays valid until the next call to next() or append().
  [[nodiscard]] Result next();

  /// Adds received bytes. The caller appends only after next() answered
  /// kNeedMore, so the buffer never holds more than one frame and one
  /// read's worth of bytes.
  void append(ByteView bytes);

  /// Bytes buffered and not yet returned as frames.
  [[nodiscard]] std::size_t buffered() const { return buffer_.size() - start_; }

 private:
  std::size_t body_bytes_max_;
  Bytes buffer_;
  std::size_t start_ = 0;  // first byte not yet consumed
};

}  // namespace quorumclear::net
