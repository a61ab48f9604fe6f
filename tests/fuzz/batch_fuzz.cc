// libFuzzer entry for the clearing ledger's untrusted input: a proposer's
// batch bytes. Whatever they are, decoding must not crash, an accepted batch
// must re-encode to exactly the same bytes, and applying it (as the batch of
// several proposers, so control entries reach f+1 votes) to a fresh ledger
// must keep every invariant the ledger asserts: an assert firing here is a
// finding, not noise, because no batch a peer sends may break them.
#include "settlement/codec.h"
#include "settlement/ledger.h"
#include "settlement/test_support.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace qs = quorumclear::settlement;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const qs::ByteView input(data, size);
  const qs::DecodedBatch decoded = qs::decode_batch(input);
  if (decoded.error == qs::DecodeError::kNone) {
    const qs::Bytes again = qs::encode_batch(decoded.batch);
    if (again.size() != size || (size > 0 && std::memcmp(again.data(), data, size) != 0)) std::abort();
  }
  // A fresh ledger per input keeps runs reproducible from the input alone.
  static const qs::ReferenceData reference = qs::testing::load(qs::testing::small_genesis());
  qs::Ledger ledger(reference);
  const qs::Bytes bytes(data, data + size);
  (void)qs::testing::apply_epoch(ledger, 0, {{0, bytes}, {1, bytes}, {2, bytes}});
  // Replaying the same epoch must change nothing, whatever it held.
  (void)qs::testing::apply_epoch(ledger, 0, {{0, bytes}});
  return 0;
}
