// The audit chain's per-epoch link (issue 13 plan, "Audit chain link"):
// pure, so the node that signs the head and the writer that stores it
// compute it the same way.
#include "services/store/node_store.h"

#include "settlement/digest.h"

namespace quorumclear::store {

std::array<std::uint8_t, 72> audit_record(std::uint64_t epoch, const Digest& output, const Digest& state) {
  std::array<std::uint8_t, 72> record{};
  for (int i = 0; i < 8; ++i) {
    record[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(epoch >> (56 - 8 * i));
  }
  std::copy(output.begin(), output.end(), record.begin() + 8);
  std::copy(state.begin(), state.end(), record.begin() + 40);
  return record;
}

Digest audit_link(const Digest& prev, std::uint64_t epoch, const Digest& output, const Digest& state) {
  const std::array<std::uint8_t, 72> record = audit_record(epoch, output, state);
  settlement::Sha256 hash;
  hash.update(prev);
  hash.update(record);
  return hash.finish();
}

}  // namespace quorumclear::store
