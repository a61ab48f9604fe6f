#pragma once
// A ledger snapshot: the whole state of a Ledger after some epoch in one
// canonical, versioned byte string, so a node restarts from it instead of
// replaying all history, and a node that lost its data takes one from a
// peer. Every K epochs the certified epoch tuple carries snapshot_digest of
// it (QUORUM_PROTOCOL.md, "Certificates and checkpoints"): the chained state
// digest cannot be recomputed from a state, so it cannot vouch for one.
//
//   Bytes s = encode_snapshot(ledger);                 // canonical: same on every honest node
//   Digest d = snapshot_digest(s);                     // what the checkpoint signs
//   auto restored = decode_snapshot(s, reference, options);   // a Ledger, or a SnapshotError
//
// Canonical means the bytes depend only on the agreed history: records in
// the order they were decided, hash-table contents sorted by key, never the
// per-node hash key or table layout. Decoding treats the bytes as untrusted
// (a peer's, or a damaged row): every count is bounded by what the bytes
// can hold, every index checked against the reference data, every enum
// value and cross-reference validated, then the ledger's invariants checked
// without asserting, and the result re-encoded: bytes that do not encode
// back to themselves are refused, so a decoded ledger is exactly the one the
// bytes name.

#include "settlement/ledger.h"

#include <memory>
#include <string>
#include <variant>

namespace quorumclear::settlement {

/// "QCSNAP" || u16be(version): the first 8 bytes of every snapshot.
inline constexpr std::uint16_t kSnapshotVersion = 1;
/// Snapshots above this are refused before decoding (a million trades take
/// about 100 MB).
inline constexpr std::size_t kSnapshotBytesMax = std::size_t{1} << 32;

/// The whole state of `ledger` (which must have applied at least epoch 0).
[[nodiscard]] Bytes encode_snapshot(const Ledger& ledger);

/// SHA-256 of the snapshot bytes (they begin with their own domain tag).
[[nodiscard]] Digest snapshot_digest(ByteView snapshot);

/// What a snapshot says about itself, read without decoding the rest.
struct SnapshotHeader {
  std::uint64_t epoch = 0;       // the last epoch applied
  Digest state_digest{};         // the chained state digest after it
  BusinessDate open_business_date;
};

struct SnapshotError {
  std::string what;         // names the part that is wrong
  std::size_t offset = 0;   // where reading stopped
};

[[nodiscard]] std::variant<SnapshotHeader, SnapshotError> read_snapshot_header(ByteView snapshot);

/// The ledger `snapshot` encodes, over `reference` (the genesis it was
/// built from: its dimensions must match). Never crashes on any input.
[[nodiscard]] std::variant<std::unique_ptr<Ledger>, SnapshotError> decode_snapshot(
    ByteView snapshot, ReferenceData reference, LedgerOptions options = {});

}  // namespace quorumclear::settlement
