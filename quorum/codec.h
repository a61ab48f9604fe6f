#pragma once
// Canonical binary encoding of quorum::Message. Every byte string either
// decodes to exactly one Message or is rejected with a reason, and every
// Message has exactly one encoding: decode(x) == m implies encode(m) == x.
//
// Wire format, version 1. Integers are fixed-width big-endian.
//
//   u8  version            = 1
//   u64 epoch
//   u16 proposer           < n (the membership size the receiver knows)
//   u8  payload type       1 RbcVal, 2 RbcEcho, 3 RbcReady, 4 AbaBval,
//                          5 AbaAux, 6 AbaConf, 7 AbaCoin, 8 AbaTerm
//   payload:
//     RbcVal, RbcEcho      32 root | u8 branch count c | c x 32 sibling
//                          hashes | u32 stripe length s | s stripe bytes
//                          c <= merkle_depth(n); erasure_min_stripe_bytes(n)
//                          <= s <= erasure_max_stripe_bytes(n)
//     RbcReady             32 root
//     AbaBval, AbaAux      u32 round | u8 value (0 or 1)
//     AbaConf              u32 round | u8 set (1 {false}, 2 {true}, 3 both;
//                          never 0)
//     AbaCoin              u32 round | 32 point | 32 challenge | 32 response
//     AbaTerm              u8 value (0 or 1)
//
// Nothing may follow the payload. Counts and lengths are checked against
// the bounds above and against the bytes actually present before anything
// is allocated, so a peer cannot make us allocate more than it sent.
// Semantic checks (exact branch length, Merkle proof, round window, coin
// proof) belong to the components that own them.

#include "quorum/message.h"

#include <cstddef>
#include <string_view>
#include <utility>
#include <variant>

namespace quorumclear::quorum {

inline constexpr std::uint8_t kCodecVersion = 1;

enum class DecodeError : std::uint8_t {
  kTruncated,            // input ended inside a field
  kUnsupportedVersion,   // first byte is not kCodecVersion
  kUnknownPayloadType,   // type tag outside 1..8
  kProposerOutOfRange,   // proposer >= n
  kNonCanonicalBool,     // bool byte other than 0 or 1
  kNonCanonicalBoolSet,  // BoolSet byte other than 1..3
  kBranchTooLong,        // more Merkle siblings than a tree of n leaves has
  kStripeSizeOutOfRange, // no value of 0..kBatchBytesMax bytes gives this stripe
  kTrailingBytes,        // bytes left after a complete message
};

[[nodiscard]] std::string_view to_string(DecodeError error);

/// A decoded Message, or why the input was rejected.
class DecodeResult {
 public:
  DecodeResult(Message message) : value_(std::move(message)) {}  // NOLINT: implicit by design
  DecodeResult(DecodeError error) : value_(error) {}             // NOLINT: implicit by design

  [[nodiscard]] bool ok() const { return std::holds_alternative<Message>(value_); }
  /// Precondition: ok().
  [[nodiscard]] const Message& message() const& { return std::get<Message>(value_); }
  [[nodiscard]] Message message() && { return std::get<Message>(std::move(value_)); }
  /// Precondition: !ok().
  [[nodiscard]] DecodeError error() const { return std::get<DecodeError>(value_); }
  /// Short human-readable reason; empty when ok().
  [[nodiscard]] std::string_view reason() const { return ok() ? std::string_view{} : to_string(error()); }

 private:
  std::variant<Message, DecodeError> value_;
};

/// Exact size of encode(message).
[[nodiscard]] std::size_t encoded_size(const Message& message);

/// Precondition: the message is one we would accept back, i.e. branch
/// counts fit a u8, stripes a u32, and an AbaConf set is not kNone.
[[nodiscard]] Bytes encode(const Message& message);

/// Strict decoding of untrusted bytes for a membership of members.n().
[[nodiscard]] DecodeResult decode(ByteView bytes, const Membership& members);

}  // namespace quorumclear::quorum
