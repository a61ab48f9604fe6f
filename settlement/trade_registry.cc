#include "settlement/trade_registry.h"

#include <cassert>
#include <cstring>

namespace quorumclear::settlement {
namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
  }
  void absorb(std::uint64_t m) {
    v3 ^= m;
    round();
    v0 ^= m;
  }
};

std::uint64_t load_le(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

std::uint64_t siphash13(std::array<std::uint64_t, 2> key, ByteView bytes) {
  SipState s{key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
             key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL};
  const std::size_t full = bytes.size() / 8 * 8;
  for (std::size_t i = 0; i < full; i += 8) s.absorb(load_le(bytes.data() + i, 8));
  const std::uint64_t last = load_le(bytes.data() + full, bytes.size() - full) |
                             (static_cast<std::uint64_t>(bytes.size() & 0xff) << 56);
  s.absorb(last);
  s.v2 ^= 0xff;
  s.round();
  s.round();
  s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

TradeRegistry::TradeRegistry(std::array<std::uint64_t, 2> hash_key) : key_(hash_key) {
  slots_.assign(1024, 0);
  mask_ = slots_.size() - 1;
}

std::uint64_t TradeRegistry::hash(MemberIndex submitter, std::string_view id) const {
  std::uint8_t buffer[2 + TradeId::kCapacity];
  assert(id.size() <= TradeId::kCapacity);
  buffer[0] = static_cast<std::uint8_t>(submitter.value >> 8);
  buffer[1] = static_cast<std::uint8_t>(submitter.value);
  std::memcpy(buffer + 2, id.data(), id.size());
  return siphash13(key_, ByteView(buffer, 2 + id.size()));
}

TradeRegistry::Lookup TradeRegistry::lookup(MemberIndex submitter, std::string_view id) const {
  const std::uint64_t h = hash(submitter, id);
  // The slot keeps 32 hash bits, so a probe touches a record (another cache
  // line) only on a real match, with odds 2^-32 otherwise.
  const std::uint64_t tag = h >> 32;
  for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
    const std::uint64_t slot = slots_[i];
    if (slot == 0) return Lookup{nullptr, h};
    if ((slot >> 32) != tag) continue;
    const TradeRecord& r = records_[(slot & 0xffffffffu) - 1];
    if (r.submitter == submitter && id_of(r) == id) return Lookup{&r, h};
  }
}

void TradeRegistry::insert(std::string_view id, TradeRecord record, Lookup absent) {
  assert(absent.record == nullptr && absent.hash == hash(record.submitter, id));
  assert(records_.size() < 0xfffffffeu && ids_.size() + id.size() < 0xffffffffu);
  if (2 * (records_.size() + 1) > slots_.size()) grow();
  record.id_offset = static_cast<std::uint32_t>(ids_.size());
  record.id_length = static_cast<std::uint8_t>(id.size());
  ids_.insert(ids_.end(), id.begin(), id.end());
  const std::uint64_t h = absent.hash;
  records_.push_back(record);
  std::size_t i = h & mask_;
  while (slots_[i] != 0) i = (i + 1) & mask_;
  slots_[i] = ((h >> 32) << 32) | records_.size();
}

void TradeRegistry::reserve(std::size_t trades) {
  records_.reserve(trades);
  ids_.reserve(trades * 16);
  while (slots_.size() < 2 * trades) grow();
}

void TradeRegistry::grow() {
  std::vector<std::uint64_t> old = std::move(slots_);
  slots_.assign(old.size() * 2, 0);
  mask_ = slots_.size() - 1;
  for (std::size_t r = 0; r < records_.size(); ++r) {
    const std::uint64_t h = hash(records_[r].submitter, id_of(records_[r]));
    std::size_t i = h & mask_;
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = ((h >> 32) << 32) | (r + 1);
  }
}

}  // namespace quorumclear::settlement
