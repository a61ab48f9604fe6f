// Proves the signature and catch-up frames round-trip and that truncated,
// padded, out-of-range or unknown frames are refused, never half-read.

#include "services/node/peer_wire.h"

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
      ProgressReport{std::nullopt, std::nullopt, std::nullopt, std::nullopt}, ProgressReport{12, 9, 10, s}};
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

}  // namespace
}  // namespace quorumclear::node
