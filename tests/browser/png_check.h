#pragma once
// Just enough PNG decoding to tell whether a screenshot shows anything:
// 8-bit RGB and RGBA, non-interlaced (what Chromium writes). Everything
// else, and every malformed or truncated file, gives nullopt.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace quorumclear::testing {

struct PngSummary {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  /// Distinct RGB colours (alpha ignored), counted up to kPngColorCap.
  std::size_t distinct_colors = 0;
  /// The share of pixels whose RGB differs from the most common one (the
  /// background): 0 for a blank page.
  double non_background_fraction = 0;
};

inline constexpr std::size_t kPngColorCap = 100000;
/// Larger images are refused rather than decoded (4096 x 4096).
inline constexpr std::uint64_t kPngMaxPixels = std::uint64_t{1} << 24;

/// Parses the chunks (signature and every CRC checked; IHDR first, the
/// IDAT chunks concatenated, IEND required), inflates and unfilters the
/// image and summarises its colours.
[[nodiscard]] std::optional<PngSummary> summarize_png(std::span<const std::uint8_t> png);

}  // namespace quorumclear::testing
