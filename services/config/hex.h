#pragma once
// Hex text for keys, pins and shares in config files. Strict both ways:
// output is lower case, and input must be lower case of the exact length,
// so each value has exactly one spelling (genesis bytes, and with them the
// network id, never depend on who typed a pin).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace quorumclear::config {

/// Lower-case hex of `bytes`, two characters per byte.
[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes);

/// Decodes exactly out.size() bytes from 2 * out.size() characters of
/// [0-9a-f]; false (out unspecified) for any other length or character.
[[nodiscard]] bool from_hex(std::string_view text, std::span<std::uint8_t> out);

/// from_hex into a fixed-size array.
template <std::size_t N>
[[nodiscard]] std::optional<std::array<std::uint8_t, N>> from_hex(std::string_view text) {
  std::array<std::uint8_t, N> out{};
  if (!from_hex(text, out)) return std::nullopt;
  return out;
}

}  // namespace quorumclear::config
