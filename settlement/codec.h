#pragma once
// Canonical binary encoding of trades and batches: exactly one byte sequence
// per value, so content hashes agree across nodes and versions. Same rules as
// the quorum codec: fixed-width big-endian integers (no varints, whose
// padding would allow two encodings), one-byte lengths for bounded texts,
// booleans and tags as 0/1 or listed values only, no trailing bytes.
//
//   batch   := version:u8(=1) count:u32 entry{count}
//   entry   := kind:u8 body         (1 trade, 2 cut-off, 3 funding, 4 suspension,
//                                    5 trade cancel, 6 scheduled cut-off)
//   trade   := trade_id submitter buyer seller isin quantity:i64 price:i64
//              price_scale:u8 currency trade_date:i32 settlement_date:i32
//              has_client_ref:u8 [client_ref]
//   cut-off := operator business_date:i32
//   funding := operator reference member asset_kind:u8 asset amount:i64
//   suspend := operator reference isin suspended:u8
//   cancel  := trade_id submitter
//   scheduled cut-off := business_date:i32   (no operator: the nodes' own)
//   text    := length:u8 (<= the field's capacity) bytes
//
// Decoding never trusts its input: every length and count is bounded before
// anything is allocated, and any violation is an error value, never a crash.

#include "settlement/trade.h"

#include <string_view>

namespace quorumclear::settlement {

inline constexpr std::uint8_t kBatchVersion = 1;

enum class DecodeError : std::uint8_t {
  kNone,
  kTooLarge,        // input above kBatchBytesMax
  kTruncated,       // ran out of bytes inside a value
  kBadVersion,
  kTooManyEntries,  // count above kBatchEntriesMax or above what the bytes can hold
  kBadEntryKind,
  kTextTooLong,     // length byte above the field's capacity
  kBadFlag,         // a boolean or option tag other than 0/1
  kBadAssetKind,
  kTrailingBytes,
};

/// snake_case name, used as the offending "field" of a rejected batch.
[[nodiscard]] std::string_view to_string(DecodeError error);

/// Appends the canonical bytes of `trade` to `out`.
void encode_trade(const Trade& trade, Bytes& out);
/// The canonical bytes of `batch`.
[[nodiscard]] Bytes encode_batch(const Batch& batch);
/// The canonical bytes of one entry, kind byte first: what a batch holds
/// for it after the header, and what its content hash is taken over.
[[nodiscard]] Bytes encode_entry(const Entry& entry);
/// The content hash the ledger keys a report's idempotency on, over an
/// entry's canonical bytes: a trade's excludes its kind byte (it is the
/// hash of encode_trade), anything else's includes it, so a cancel's hash
/// is never a report's.
[[nodiscard]] Digest entry_content_hash(ByteView entry);

struct DecodedTrade {
  DecodeError error = DecodeError::kNone;
  std::size_t offset = 0;  // where decoding stopped, for diagnostics
  Trade trade;
};

struct DecodedBatch {
  DecodeError error = DecodeError::kNone;
  std::size_t offset = 0;
  Batch batch;
  /// Entry i was read from bytes [entry_offsets[i], entry_offsets[i + 1]),
  /// its kind byte first. Canonical encoding makes these bytes exactly what
  /// encoding the entry would give, so they can be hashed as they are.
  std::vector<std::uint32_t> entry_offsets;
};

/// Strict inverse of encode_trade: the whole input must be one trade.
[[nodiscard]] DecodedTrade decode_trade(ByteView bytes);
/// Strict inverse of encode_batch.
[[nodiscard]] DecodedBatch decode_batch(ByteView bytes);

}  // namespace quorumclear::settlement
