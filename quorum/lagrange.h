#pragma once
// Lagrange coefficients over the ristretto255 scalar field, shared by the
// threshold coin (interpolation at 0, to combine shares) and the genesis
// check that every public coin share lies on one polynomial (interpolation
// at the other nodes' indices). Node i's share is P(i + 1), so every
// x-coordinate here is a node index plus one and never 0.

#include "quorum/threshold_coin.h"

#include <cstdint>
#include <span>
#include <vector>

namespace quorumclear::quorum {

/// The scalar `value` (little-endian, as libsodium encodes scalars).
[[nodiscard]] ScalarBytes scalar_of(std::uint32_t value);

/// lambda_i = prod_{j != i} (at - x_j) / (x_i - x_j) for every i, so that
/// P(at) = sum_i lambda_i P(x_i) for any polynomial of degree < xs.size().
/// Precondition: the xs are distinct (at may be anything).
[[nodiscard]] std::vector<ScalarBytes> lagrange_coefficients(std::span<const std::uint32_t> xs,
                                                             std::uint32_t at);

}  // namespace quorumclear::quorum
