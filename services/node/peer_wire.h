#pragma once
// What nodes send each other besides quorum messages: epoch signatures (the
// certificate channel) and catch-up (a lagging node fetching decided epochs
// from one peer, or a node that lost its data fetching a checkpoint's
// ledger snapshot chunk by chunk). Fixed-width big-endian, strict: every
// frame decodes to one value or is refused, and nothing is allocated beyond
// what the frame holds. The signer of a signature is the authenticated peer,
// never a field.
//
//   digests     := output:32 state:32 audit:32 snapshot:32 obligations:32
//                  (the signed tuple's, quorum/certificate.h; zero when absent)
//   signature   := 1 epoch:u64 digests sig:64
//   request     := 1 from_epoch:u64 count:u16           (count 1..kCatchUpEpochsMax)
//   epoch head  := 2 epoch:u64 digests batches:u16
//                  signatures:u16 (node:u16 sig:64){signatures}
//   epoch batch := 3 epoch:u64 index:u16 proposer:u16 length:u32 bytes{length}
//   unavailable := 4 from_epoch:u64 highest_applied:u64   (0xff.. when none)
//   progress?   := 5                                     (a node that lost its data asks)
//   progress    := 6 entered:u64 applied:u64 frontier:u64 (0xff.. when none)
//                  yours:u8 [epoch:u64 digests sig:64]   (the asker's latest signature held)
//   snapshot?   := 7 epoch:u64 chunk:u32                 (epoch 0xff..: the newest held)
//   snapshot    := 8 epoch:u64 total_bytes:u64 chunk:u32 chunks:u32 length:u32 bytes{length}
//                  (total_bytes 1..kSnapshotBytesMax, chunks = ceil(total_bytes /
//                  kSnapshotWireChunkBytes), chunk < chunks, length exactly that chunk's)
//   no snapshot := 9 epoch:u64                           (as asked)

#include "quorum/certificate.h"

#include <cstdint>
#include <optional>
#include <variant>

namespace quorumclear::node {

using quorum::Bytes;
using quorum::ByteView;

/// Epochs one catch-up request may ask for; the server streams them in order.
inline constexpr std::uint16_t kCatchUpEpochsMax = 64;
/// A snapshot travels in chunks of this many bytes (the last one shorter),
/// well inside a transport frame.
inline constexpr std::size_t kSnapshotWireChunkBytes = std::size_t{1} << 20;
/// SnapshotRequest::epoch asking for the server's newest snapshot.
inline constexpr std::uint64_t kNewestSnapshot = UINT64_MAX;

/// Chunks a snapshot of `total_bytes` travels in: ceil(total_bytes /
/// kSnapshotWireChunkBytes). Precondition: total_bytes <=
/// settlement::kSnapshotBytesMax.
[[nodiscard]] std::uint32_t snapshot_wire_chunks(std::uint64_t total_bytes);

struct SignatureFrame {
  std::uint64_t epoch = 0;
  quorum::Digest output{};
  quorum::Digest state{};
  quorum::Digest audit{};
  quorum::Digest snapshot{};
  quorum::Digest obligations{};
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
  quorum::Digest snapshot{};
  quorum::Digest obligations{};
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
/// Asked by a node that lost its data, so it learns above which epoch it
/// may vote again (core_rejoin.cc).
struct ProgressRequest {};
/// The answer: the highest epoch this node entered, the last it applied,
/// and the certified frontier it knows of (the (f+1)-th highest epoch its
/// peers signed).
struct ProgressReport {
  std::optional<std::uint64_t> entered;
  std::optional<std::uint64_t> applied;
  std::optional<std::uint64_t> frontier;
  /// The newest signature this node holds from the asker: the asker checks
  /// it with its own key, so no one can claim it went further than it did.
  std::optional<SignatureFrame> yours;
};
/// Asks for chunk `chunk` of the server's snapshot of checkpoint epoch
/// `epoch` (kNewestSnapshot: of its newest one).
struct SnapshotRequest {
  std::uint64_t epoch = 0;
  std::uint32_t chunk = 0;
};
/// One chunk of the snapshot of `epoch`, `total_bytes` long in `chunks`
/// chunks: bytes [chunk * kSnapshotWireChunkBytes, +bytes.size()). The
/// requester checks the whole against the digest its certified tuple signs.
struct SnapshotChunk {
  std::uint64_t epoch = 0;
  std::uint64_t total_bytes = 0;
  std::uint32_t chunk = 0;
  std::uint32_t chunks = 0;
  Bytes bytes;
};
/// The server holds no snapshot for what was asked (`epoch` as asked).
struct SnapshotUnavailable {
  std::uint64_t epoch = 0;
};
using CatchUpFrame =
    std::variant<CatchUpRequest, CatchUpEpochHead, CatchUpBatch, CatchUpUnavailable, ProgressRequest,
                 ProgressReport, SnapshotRequest, SnapshotChunk, SnapshotUnavailable>;

/// The tuple a signature frame or an epoch head names.
template <class Frame>
[[nodiscard]] quorum::EpochTuple tuple_of(const quorum::Digest& network_id, const Frame& f) {
  return {network_id, quorum::Epoch{f.epoch}, f.output, f.state, f.audit, f.snapshot, f.obligations};
}
[[nodiscard]] inline SignatureFrame signature_frame(const quorum::EpochTuple& t, const quorum::Signature& s) {
  return {t.epoch.value, t.output_digest, t.state_digest, t.audit_head, t.snapshot_digest, t.obligations_root, s};
}

[[nodiscard]] Bytes encode(const SignatureFrame& frame);
[[nodiscard]] Bytes encode(const CatchUpFrame& frame);
/// nullopt for anything malformed. `nodes` bounds proposer and signer ids.
[[nodiscard]] std::optional<SignatureFrame> decode_signature(ByteView bytes);
[[nodiscard]] std::optional<CatchUpFrame> decode_catch_up(ByteView bytes, std::size_t nodes);

}  // namespace quorumclear::node
