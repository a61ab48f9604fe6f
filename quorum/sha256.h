#pragma once
// SHA-256 for the quorum engine (Merkle trees, coin names, epoch digests).
// OpenSSL's implementation is used because it takes the SHA-NI path on the
// machines we run on; the engine never sees OpenSSL types.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace quorumclear::quorum {

using Digest = std::array<std::uint8_t, 32>;

/// SHA-256 of one contiguous byte range.
[[nodiscard]] Digest sha256(std::span<const std::uint8_t> data);

/// SHA-256 over several ranges, as if concatenated; no copy is made.
[[nodiscard]] Digest sha256(std::initializer_list<std::span<const std::uint8_t>> parts);

}  // namespace quorumclear::quorum
