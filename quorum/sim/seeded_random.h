#pragma once
// A reproducible RandomSource for tests and the simulator: key generation
// from a seed, so a failing run replays with the same keys.

#include "quorum/types.h"

#include <memory>
#include <random>

namespace quorumclear::quorum::sim {

/// Not cryptographic: for tests and simulation only. Production injects
/// libsodium's randombytes_buf.
[[nodiscard]] inline RandomSource seeded_random(std::uint64_t seed) {
  auto engine = std::make_shared<std::mt19937_64>(seed);
  return [engine](std::span<std::uint8_t> out) {
    for (auto& b : out) b = static_cast<std::uint8_t>((*engine)());
  };
}

}  // namespace quorumclear::quorum::sim
