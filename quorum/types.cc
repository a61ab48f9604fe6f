#include "quorum/types.h"

#include <cassert>

namespace quorumclear::quorum {

Membership::Membership(std::size_t n) : n_(n), f_(n == 0 ? 0 : (n - 1) / 3) {
  assert(n >= 1 && n <= kNodesMax && "membership size out of range");
}

}  // namespace quorumclear::quorum
