#pragma once
// Frames no honest proposer would write, encoded by
// ErasureCoder::encode_any_frame (no honest-proposer preconditions): a Byzantine
// proposer in the engine fuzzer picks the stripe size and the length its
// frame header claims freely, so it can build genuine codewords that no
// honest ErasureCoder::encode would (an over-long header, non-zero padding,
// oversized stripes) and that still pass every Merkle check.
//
// check_forge_matches_coder() proves the two encoders agree byte for byte
// on every frame an honest proposer can produce, so a forged codeword
// differs from an honest one only where its parameters say so.

#include "quorum/erasure.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace quorumclear::quorum::fuzz {

/// What the forger writes: frame = u64 big-endian header_length || value ||
/// padding, k * stripe_bytes bytes, then n - k parity stripes.
struct FrameSpec {
  std::size_t stripe_bytes = 0;
  /// What the header claims; the value region holds
  /// min(header_length, capacity) bytes of forged_value_byte().
  std::uint64_t header_length = 0;
  std::uint8_t fill = 0;
  bool junk_padding = false;    // last frame byte non-zero, if there is padding
  bool corrupt_parity = false;  // flip a byte of the last stripe: not a codeword
};

/// Byte i of a forged value: mostly `fill` (so a 16 MiB value is one
/// memset), with its first bytes varied so distinct fills and lengths give
/// distinct values.
[[nodiscard]] std::uint8_t forged_value_byte(std::size_t i, std::uint8_t fill);

/// The value an honest proposer would have to encode to get the frame
/// forge() writes for FrameSpec{honest stripe, length, fill}.
[[nodiscard]] Bytes forged_value(std::size_t length, std::uint8_t fill);

class CodewordForge {
 public:
  explicit CodewordForge(const Membership& members);

  /// Frame capacity for a stripe size: the longest value such a frame holds.
  [[nodiscard]] std::size_t capacity(std::size_t stripe_bytes) const {
    return k_ * stripe_bytes - kErasureFrameHeaderBytes;
  }

  /// Precondition: stripe_bytes * k >= kErasureFrameHeaderBytes.
  [[nodiscard]] EncodedValue forge(const FrameSpec& spec) const;

 private:
  std::size_t k_;
  std::shared_ptr<ErasureCoder> coder_;
};

/// Aborts (printing the first differing byte) unless forge() and
/// ErasureCoder::encode agree on honest frames of several lengths.
void check_forge_matches_coder(const Membership& members);

}  // namespace quorumclear::quorum::fuzz
