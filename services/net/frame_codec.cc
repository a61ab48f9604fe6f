#include "services/net/frame_codec.h"

#include <cassert>
#include <cstring>

namespace quorumclear::net {
namespace {

void put_be(Bytes& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

std::uint64_t get_be(const std::uint8_t* p, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = value << 8 | p[i];
  return value;
}

void put_prefix(Bytes& out, std::size_t body_bytes, FrameType type) {
  put_be(out, body_bytes, 4);
  out.push_back(static_cast<std::uint8_t>(type));
}

FrameReader::Result error(FrameError e) {
  FrameReader::Result result;
  result.status = FrameReader::Result::Status::kError;
  result.error = e;
  return result;
}

FrameReader::Result frame(Frame f) {
  FrameReader::Result result;
  result.status = FrameReader::Result::Status::kFrame;
  result.frame = f;
  return result;
}

// Decodes one complete body (type byte first). Pure function of the bytes.
FrameReader::Result decode_body(const std::uint8_t* body, std::size_t size) {
  switch (body[0]) {
    case static_cast<std::uint8_t>(FrameType::kHello): {
      if (size != kHelloBodyBytes) return error(FrameError::kBadLength);
      if (body[1] != kWireVersion) return error(FrameError::kUnsupportedVersion);
      HelloFrame hello{get_be(body + 2, 8), get_be(body + 10, 8), get_be(body + 18, 8)};
      if (hello.incarnation == 0) return error(FrameError::kZeroIncarnation);
      return frame(hello);
    }
    case static_cast<std::uint8_t>(FrameType::kData): {
      if (size < kDataHeaderBytes) return error(FrameError::kBadLength);
      DataFrame data;
      data.sequence = get_be(body + 1, 8);
      if (data.sequence == 0) return error(FrameError::kZeroSequence);
      const std::optional<Channel> channel = channel_from_wire(body[9]);
      if (!channel) return error(FrameError::kUnknownChannel);
      data.channel = *channel;
      data.payload = ByteView(body + kDataHeaderBytes, size - kDataHeaderBytes);
      return frame(data);
    }
    case static_cast<std::uint8_t>(FrameType::kAck):
      if (size != kAckBodyBytes) return error(FrameError::kBadLength);
      return frame(AckFrame{get_be(body + 1, 8)});
    default:
      return error(FrameError::kUnknownType);
  }
}

}  // namespace

std::string_view to_string(FrameError e) {
  switch (e) {
    case FrameError::kOversized: return "frame length above the bound";
    case FrameError::kEmpty: return "empty frame";
    case FrameError::kUnknownType: return "unknown frame type";
    case FrameError::kBadLength: return "frame length wrong for its type";
    case FrameError::kUnsupportedVersion: return "unsupported hello version";
    case FrameError::kZeroIncarnation: return "hello incarnation 0";
    case FrameError::kUnknownChannel: return "unknown channel";
    case FrameError::kZeroSequence: return "data sequence 0";
  }
  return "unknown frame error";
}

void append_hello(Bytes& out, const HelloFrame& hello) {
  put_prefix(out, kHelloBodyBytes, FrameType::kHello);
  out.push_back(kWireVersion);
  put_be(out, hello.incarnation, 8);
  put_be(out, hello.your_incarnation, 8);
  put_be(out, hello.delivered_through, 8);
}

void append_ack(Bytes& out, std::uint64_t delivered_through) {
  put_prefix(out, kAckBodyBytes, FrameType::kAck);
  put_be(out, delivered_through, 8);
}

void append_data(Bytes& out, std::uint64_t sequence, Channel channel, ByteView payload) {
  assert(kDataHeaderBytes + payload.size() <= kFrameBodyBytesLimit);
  put_prefix(out, kDataHeaderBytes + payload.size(), FrameType::kData);
  put_be(out, sequence, 8);
  out.push_back(static_cast<std::uint8_t>(channel));
  out.insert(out.end(), payload.begin(), payload.end());
}

FrameReader::FrameReader(std::size_t body_bytes_max) : body_bytes_max_(body_bytes_max) {
  assert(body_bytes_max >= kAckBodyBytes && body_bytes_max <= kFrameBodyBytesLimit);
}

FrameReader::Result FrameReader::next() {
  const std::size_t available = buffered();
  if (available < kLengthPrefixBytes) return Result{};
  const std::uint8_t* head = buffer_.data() + start_;
  const std::uint64_t body_bytes = get_be(head, 4);
  // Judge the length before waiting for the body: an oversized prefix is
  // refused at once, never buffered towards.
  if (body_bytes == 0) return error(FrameError::kEmpty);
  if (body_bytes > body_bytes_max_) return error(FrameError::kOversized);
  if (available - kLengthPrefixBytes < body_bytes) return Result{};
  start_ += kLengthPrefixBytes + body_bytes;
  return decode_body(head + kLengthPrefixBytes, body_bytes);
}

void FrameReader::append(ByteView bytes) {
  // Drop consumed bytes first; the memmove is at most one partial frame.
  if (start_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

}  // namespace quorumclear::net
