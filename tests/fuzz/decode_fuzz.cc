// libFuzzer entry for the message decoder: whatever the bytes, decode must
// not crash (ASan/UBSan watch), and anything it accepts must re-encode to
// exactly the same bytes, for every membership size we support.
#include "quorum/codec.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

using quorumclear::quorum::ByteView;
using quorumclear::quorum::Bytes;
using quorumclear::quorum::Membership;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Sizes chosen for their Merkle depth and stripe bounds: 1 (depth 0,
  // k = 1), 4, 7, 16 (depth 4), 17 (depth 5), 31 and 128 (kNodesMax).
  static const std::array<Membership, 7> memberships{Membership(1),  Membership(4),  Membership(7),
                                                     Membership(16), Membership(17), Membership(31),
                                                     Membership(128)};
  const ByteView input(data, size);
  for (const Membership& members : memberships) {
    const auto result = quorumclear::quorum::decode(input, members);
    if (!result.ok()) continue;
    if (quorumclear::quorum::encoded_size(result.message()) != size) std::abort();
    const Bytes again = quorumclear::quorum::encode(result.message());
    if (again.size() != size || (size > 0 && std::memcmp(again.data(), data, size) != 0)) std::abort();
  }
  return 0;
}
