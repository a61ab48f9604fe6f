#pragma once
// The logical channels a peer link carries. The transport treats them alike
// (one ordered stream per peer); the tag lets the node route a frame to the
// engine, the certificate collector or the catch-up server without peeking
// into the payload, and lets stats split traffic by purpose.

#include <cstddef>
#include <cstdint>
#include <optional>

namespace quorumclear::net {

enum class Channel : std::uint8_t {
  kQuorum = 1,       // quorum::Message encodings (quorum/codec.h)
  kCertificate = 2,  // epoch signatures
  kCatchUp = 3,      // requests and replies for certified epochs
};

inline constexpr std::size_t kChannelCount = 3;

/// 0-based index for per-channel arrays.
[[nodiscard]] constexpr std::size_t channel_index(Channel channel) {
  return static_cast<std::size_t>(channel) - 1;
}

/// The channel a wire byte names, or nullopt for an unknown one.
[[nodiscard]] constexpr std::optional<Channel> channel_from_wire(std::uint8_t byte) {
  if (byte < 1 || byte > kChannelCount) return std::nullopt;
  return static_cast<Channel>(byte);
}

}  // namespace quorumclear::net
