// Proves that peer-link frames round-trip, decode incrementally from any
// split of the byte stream, and that every malformed or oversized frame is
// an error value judged from as few bytes as possible.

#include "services/net/frame_codec.h"

#include <gtest/gtest.h>

#include <random>

namespace quorumclear::net {
namespace {

using Status = FrameReader::Result::Status;

constexpr std::size_t kBound = 1024 + kDataHeaderBytes;

Bytes sample_stream() {
  Bytes out;
  append_hello(out, HelloFrame{0x1122334455667788u, 7, 42});
  append_data(out, 1, Channel::kQuorum, Bytes{1, 2, 3});
  append_data(out, 5, Channel::kCatchUp, Bytes{});
  append_ack(out, 99);
  append_data(out, 6, Channel::kCertificate, Bytes(1024, 0xab));
  return out;
}

// Feeds `stream` in pieces of `piece` bytes and describes every frame.
std::vector<std::string> decode_all(const Bytes& stream, std::size_t piece) {
  FrameReader reader(kBound);
  std::vector<std::string> seen;
  std::size_t offset = 0;
  for (;;) {
    FrameReader::Result r = reader.next();
    if (r.status == Status::kError) {
      seen.push_back("error " + std::string(to_string(r.error)));
      return seen;
    }
    if (r.status == Status::kNeedMore) {
      if (offset == stream.size()) return seen;
      const std::size_t n = std::min(piece, stream.size() - offset);
      reader.append(ByteView(stream.data() + offset, n));
      offset += n;
      continue;
    }
    if (const auto* h = std::get_if<HelloFrame>(&r.frame)) {
      seen.push_back("hello " + std::to_string(h->incarnation) + " " + std::to_string(h->your_incarnation) + " " +
                     std::to_string(h->delivered_through));
    } else if (const auto* d = std::get_if<DataFrame>(&r.frame)) {
      seen.push_back("data " + std::to_string(d->sequence) + " ch" +
                     std::to_string(static_cast<int>(d->channel)) + " " + std::to_string(d->payload.size()) + "B");
    } else {
      seen.push_back("ack " + std::to_string(std::get<AckFrame>(r.frame).delivered_through));
    }
  }
}

TEST(FrameCodec, RoundTripsFromAnySplit) {
  const Bytes stream = sample_stream();
  const std::vector<std::string> expected{"hello 1234605616436508552 7 42", "data 1 ch1 3B", "data 5 ch3 0B",
                                          "ack 99", "data 6 ch2 1024B"};
  for (std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{17}, stream.size()}) {
    EXPECT_EQ(decode_all(stream, piece), expected) << "piece " << piece;
  }
  EXPECT_EQ(data_frame_bytes(1024), 4 + 10 + 1024u);
}

TEST(FrameCodec, PayloadBytesSurvive) {
  Bytes stream;
  const Bytes payload{9, 8, 7, 0, 255};
  append_data(stream, 3, Channel::kQuorum, payload);
  FrameReader reader(kBound);
  reader.append(stream);
  const FrameReader::Result r = reader.next();
  ASSERT_EQ(r.status, Status::kFrame);
  const DataFrame& d = std::get<DataFrame>(r.frame);
  EXPECT_EQ(Bytes(d.payload.begin(), d.payload.end()), payload);
  EXPECT_EQ(reader.buffered(), 0u);
}

FrameError error_of(const Bytes& stream) {
  FrameReader reader(kBound);
  reader.append(stream);
  const FrameReader::Result r = reader.next();
  EXPECT_EQ(r.status, Status::kError);
  return r.error;
}

TEST(FrameCodec, OversizedLengthIsRefusedBeforeTheBody) {
  // Only the prefix arrived: the bound is judged at once, not after
  // buffering towards a frame we would refuse anyway.
  const std::uint32_t length = kBound + 1;
  EXPECT_EQ(error_of(Bytes{static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
                           static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)}),
            FrameError::kOversized);
  EXPECT_EQ(error_of(Bytes{0xff, 0xff, 0xff, 0xff}), FrameError::kOversized);
  Bytes at_bound;
  append_data(at_bound, 1, Channel::kQuorum, Bytes(kBound - kDataHeaderBytes, 0));
  FrameReader reader(kBound);
  reader.append(at_bound);
  EXPECT_EQ(reader.next().status, Status::kFrame);
}

TEST(FrameCodec, MalformedBodiesAreErrors) {
  EXPECT_EQ(error_of(Bytes{0, 0, 0, 0}), FrameError::kEmpty);
  EXPECT_EQ(error_of(Bytes{0, 0, 0, 1, 9}), FrameError::kUnknownType);
  EXPECT_EQ(error_of(Bytes{0, 0, 0, 2, 3, 0}), FrameError::kBadLength);           // short ACK
  EXPECT_EQ(error_of(Bytes{0, 0, 0, 5, 2, 0, 0, 0, 1}), FrameError::kBadLength);  // DATA without channel

  Bytes hello;
  append_hello(hello, HelloFrame{1, 0, 0});
  Bytes bad_version = hello;
  bad_version[5] = 2;
  EXPECT_EQ(error_of(bad_version), FrameError::kUnsupportedVersion);
  Bytes zero_incarnation;
  append_hello(zero_incarnation, HelloFrame{0, 0, 0});
  EXPECT_EQ(error_of(zero_incarnation), FrameError::kZeroIncarnation);
  Bytes long_hello = hello;
  long_hello[3] = static_cast<std::uint8_t>(kHelloBodyBytes + 1);
  long_hello.push_back(0);
  EXPECT_EQ(error_of(long_hello), FrameError::kBadLength);

  Bytes data;
  append_data(data, 1, Channel::kQuorum, Bytes{1});
  Bytes bad_channel = data;
  bad_channel[13] = 4;
  EXPECT_EQ(error_of(bad_channel), FrameError::kUnknownChannel);
  bad_channel[13] = 0;
  EXPECT_EQ(error_of(bad_channel), FrameError::kUnknownChannel);
  Bytes zero_sequence;
  append_data(zero_sequence, 0, Channel::kQuorum, Bytes{1});
  EXPECT_EQ(error_of(zero_sequence), FrameError::kZeroSequence);
}

TEST(FrameCodec, IncompleteFrameWaits) {
  Bytes stream;
  append_data(stream, 1, Channel::kQuorum, Bytes(100, 1));
  FrameReader reader(kBound);
  reader.append(ByteView(stream.data(), stream.size() - 1));
  EXPECT_EQ(reader.next().status, Status::kNeedMore);
  reader.append(ByteView(stream.data() + stream.size() - 1, 1));
  EXPECT_EQ(reader.next().status, Status::kFrame);
}

TEST(FrameCodec, RandomBytesAreFramesOrAnErrorNeverMore) {
  // Mutated valid streams: the reader must stop at an error or at the end,
  // and never return a payload larger than the bound.
  std::mt19937_64 random(13);
  const Bytes valid = sample_stream();
  for (int round = 0; round < 2000; ++round) {
    Bytes stream = valid;
    const int flips = 1 + static_cast<int>(random() % 8);
    for (int k = 0; k < flips; ++k) stream[random() % stream.size()] = static_cast<std::uint8_t>(random());
    stream.resize(random() % (stream.size() + 1));
    FrameReader reader(kBound);
    reader.append(stream);
    for (int guard = 0; guard < 100; ++guard) {
      const FrameReader::Result r = reader.next();
      if (r.status != Status::kFrame) break;
      if (const auto* d = std::get_if<DataFrame>(&r.frame)) {
        ASSERT_LE(d->payload.size(), kBound - kDataHeaderBytes);
      }
    }
  }
}

}  // namespace
}  // namespace quorumclear::net
