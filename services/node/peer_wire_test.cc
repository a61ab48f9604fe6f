// Proves the signature and catch-up frames (snapshot chunks among them)
// round-trip and that truncated, padded, out-of-range or unknown frames are
// refused, never half-read.

#include "services/node/peer_wire.h"

#include "settlement/snapshot.h"

#include <gtest/gtest.h>

namespace quorumclear::node {
namespace {

TEST(PeerWire, EveryFrameRoundTripsAndEveryTruncationIsRefused) {
  SignatureFrame s{7, {}, {}, {}, {}};
  s.output.fill(1);
  s.signature.fill(9);
  const Bytes sb = encode(s);
  ASSERT_TRUE(decode_signature(sb).has_value());
  EXPECT_EQ(decode_signature(sb)->signature, s.signature);
  for (std::size_t cut = 0; cut < sb.size(); ++cut) {
    EXPECT_FALSE(decode_signature(ByteView(sb).first(cut)).has_value()) << cut;
  }
  Bytes padded = sb;
  padded.push_back(0);
  EXPECT_FALSE(decode_signature(padded).has_value());

  CatchUpEpochHead head{5, {}, {}, {}, {}, {}, 2, {{quorum::NodeId{1}, {}}, {quorum::NodeId{3}, {}}}};
  head.snapshot.fill(7);
  head.obligations.fill(9);
  const std::vector<CatchUpFrame> frames = {
      CatchUpRequest{3, 64}, head, CatchUpBatch{5, 1, quorum::NodeId{2}, {1, 2, 3}},
      CatchUpUnavailable{9, std::nullopt}, CatchUpUnavailable{9, 8}, ProgressRequest{},
      ProgressReport{std::nullopt, std::nullopt, std::nullopt, std::nullopt}, ProgressReport{12, 9, 10, s},
      SnapshotRequest{255, 3}, SnapshotRequest{kNewestSnapshot, 0},
      SnapshotChunk{255, 5, 0, 1, {1, 2, 3, 4, 5}}, SnapshotUnavailable{255},
      SnapshotUnavailable{kNewestSnapshot}};
  for (const CatchUpFrame& f : frames) {
    const Bytes b = encode(f);
    const auto back = decode_catch_up(b, 4);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(encode(*back), b);
    for (std::size_t cut = 0; cut < b.size(); ++cut) {
      EXPECT_FALSE(decode_catch_up(ByteView(b).first(cut), 4).has_value());
    }
  }
}

TEST(PeerWire, OutOfRangeFieldsAreRefused) {
  EXPECT_FALSE(decode_catch_up(encode(CatchUpFrame{CatchUpRequest{0, 0}}), 4));
  EXPECT_FALSE(decode_catch_up(encode(CatchUpFrame{CatchUpRequest{0, kCatchUpEpochsMax + 1}}), 4));
  EXPECT_FALSE(decode_catch_up(encode(CatchUpFrame{CatchUpBatch{1, 0, quorum::NodeId{4}, {}}}), 4));
  EXPECT_FALSE(decode_catch_up(encode(CatchUpFrame{CatchUpBatch{1, 4, quorum::NodeId{0}, {}}}), 4));
  CatchUpEpochHead head{1, {}, {}, {}, {}, {}, 1, {{quorum::NodeId{4}, {}}}};
  EXPECT_FALSE(decode_catch_up(encode(CatchUpFrame{head}), 4));
  EXPECT_FALSE(decode_catch_up(Bytes{9, 0, 0}, 4));
  EXPECT_FALSE(decode_catch_up(Bytes{}, 4));
}

TEST(PeerWire, SnapshotChunksRoundTripAtEveryPosition) {
  constexpr std::uint64_t kTotal = 2 * kSnapshotWireChunkBytes + 7;
  ASSERT_EQ(snapshot_wire_chunks(kTotal), 3U);
  EXPECT_EQ(snapshot_wire_chunks(kSnapshotWireChunkBytes), 1U);
  EXPECT_EQ(snapshot_wire_chunks(kSnapshotWireChunkBytes + 1), 2U);
  EXPECT_EQ(snapshot_wire_chunks(settlement::kSnapshotBytesMax),
            settlement::kSnapshotBytesMax / kSnapshotWireChunkBytes);
  for (std::uint32_t chunk = 0; chunk < 3; ++chunk) {
    Bytes bytes(chunk < 2 ? kSnapshotWireChunkBytes : 7, static_cast<std::uint8_t>(chunk + 1));
    const Bytes b = encode(CatchUpFrame{SnapshotChunk{511, kTotal, chunk, 3, bytes}});
    const auto back = decode_catch_up(b, 4);
    ASSERT_TRUE(back.has_value()) << chunk;
    const auto& c = std::get<SnapshotChunk>(*back);
    EXPECT_EQ(c.epoch, 511U);
    EXPECT_EQ(c.total_bytes, kTotal);
    EXPECT_EQ(c.chunk, chunk);
    EXPECT_EQ(c.chunks, 3U);
    EXPECT_EQ(c.bytes, bytes);
    EXPECT_FALSE(decode_catch_up(ByteView(b).first(b.size() - 1), 4)) << chunk;
    Bytes padded = b;
    padded.push_back(0);
    EXPECT_FALSE(decode_catch_up(padded, 4)) << chunk;
  }
}

TEST(PeerWire, MalformedSnapshotChunksAreRefused) {
  const auto refused = [](const SnapshotChunk& c) { return !decode_catch_up(encode(CatchUpFrame{c}), 4); };
  constexpr std::uint64_t kTotal = kSnapshotWireChunkBytes + 3;
  const Bytes full(kSnapshotWireChunkBytes, 1);
  ASSERT_FALSE(refused(SnapshotChunk{1, kTotal, 0, 2, full}));
  ASSERT_FALSE(refused(SnapshotChunk{1, kTotal, 1, 2, {1, 2, 3}}));
  // A wrong length: short of a full chunk, past the rest, an empty last one.
  EXPECT_TRUE(refused(SnapshotChunk{1, kTotal, 0, 2, Bytes(kSnapshotWireChunkBytes - 1, 1)}));
  EXPECT_TRUE(refused(SnapshotChunk{1, kTotal, 1, 2, {1, 2, 3, 4}}));
  EXPECT_TRUE(refused(SnapshotChunk{1, kTotal, 1, 2, {1, 2}}));
  EXPECT_TRUE(refused(SnapshotChunk{1, 5, 0, 1, {}}));
  // A chunk index at or past the count.
  EXPECT_TRUE(refused(SnapshotChunk{1, kTotal, 2, 2, {1, 2, 3}}));
  EXPECT_TRUE(refused(SnapshotChunk{1, kTotal, ~std::uint32_t{0}, 2, {1, 2, 3}}));
  // A chunk count other than the total's.
  EXPECT_TRUE(refused(SnapshotChunk{1, kTotal, 0, 3, full}));
  EXPECT_TRUE(refused(SnapshotChunk{1, kTotal, 0, 1, full}));
  EXPECT_TRUE(refused(SnapshotChunk{1, 3, 0, 0, {}}));
  // No snapshot is empty or above the largest one decoded.
  EXPECT_TRUE(refused(SnapshotChunk{1, 0, 0, 0, {}}));
  EXPECT_TRUE(refused(SnapshotChunk{1, 0, 0, 1, {}}));
  constexpr std::uint64_t kAbove = settlement::kSnapshotBytesMax + 1;
  const auto above_chunks = static_cast<std::uint32_t>(kAbove / kSnapshotWireChunkBytes + 1);
  EXPECT_TRUE(refused(SnapshotChunk{1, kAbove, 0, above_chunks, full}));
  EXPECT_TRUE(refused(SnapshotChunk{1, ~std::uint64_t{0}, 0, 0, full}));
  // Trailing bytes after a request or an unavailable answer.
  for (const CatchUpFrame& f : {CatchUpFrame{SnapshotRequest{1, 0}}, CatchUpFrame{SnapshotUnavailable{1}}}) {
    Bytes padded = encode(f);
    padded.push_back(0);
    EXPECT_FALSE(decode_catch_up(padded, 4));
  }
}

}  // namespace
}  // namespace quorumclear::node
