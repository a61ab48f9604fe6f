#pragma once
// What nodes send each other besides quorum messages: epoch signatures (the
// certificate channel) and catch-up (a lagging node fetching decided epochs
// from one peer). Fixed-width big-endian, strict: every frame decodes to one
// value or is refused, and nothing is allocated beyond what the frame holds.
// The signer of a signature is the authenticated peer, never a field.
//
//   signature   := 1 epoch:u64 output:32 state:32 audit:32 sig:64
//   request     := 1 from_epoch:u64 count:u16           (count 1..kCatchUpEpochsMax)
//   epoch head  := 2 epoch:u64 output:32 state:32 audit:32 batches:u16
//                  signatures:u16 (node:u16 sig:64){signatures}
//   epoch batch := 3 epoch:u64 index:u16 proposer:u16 length:u32 bytes{length}
//   unavailable := 4 from_epoch:u64 highest_applied:u64   (0xff.. when none)

#include "quorum/certificate.h"

#include <optional>
#include <variant>

namespace quorumclear::node {

using quorum::Bytes;
using quorum::ByteView;

/// Epochs one catch-up request may ask for; the server streams them in order.
inline constexpr std::uint16_t kCatchUpEpochsMax = 64;

struct SignatureFrame {
  std::uint64_t epoch = 0;
  quorum::Digest output{};
  quorum::Digest state{};
  quorum::Digest audit{};
  quorum::Signature signature{};
};

struct CatchUpRequest {
  std::uint64_t from_epoch = 0;
  std::uint16_t count = 1;
};
struct CatchUpEpochHead {
  std::uint64_t epoch = 0;
  quorum::Digest output{};
  quorum::Digest state{};
  quorum::Digest audit{};
  std::uint16_t batches = 0;
  std::vector<std::pair<quorum::NodeId, quorum::Signature>> signatures;
};
struct CatchUpBatch {
  std::uint64_t epoch = 0;
  std::uint16_t index = 0;
  quorum::NodeId proposer;
  Bytes value;
};
struct CatchUpUnavailable {
  std::uint64_t from_epoch = 0;
  std::optional<std::uint64_t> highest_applied;
};
using CatchUpFrame = std::variant<CatchUpRequest, CatchUpEpochHead, CatchUpBatch, CatchUpUnavailable>;

[[nodiscard]] Bytes encode(const SignatureFrame& frame);
[[nodiscard]] Bytes encode(const CatchUpFrame& frame);
/// nullopt for anything malformed. `nodes` bounds proposer and signer ids.
[[nodiscard]] std::optional<SignatureFrame> decode_signature(ByteView bytes);
[[nodiscard]] std::optional<CatchUpFrame> decode_catch_up(ByteView bytes, std::size_t nodes);

}  // namespace quorumclear::node
