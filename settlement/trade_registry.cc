#include "settlement/trade_registry.h"

#include <algorithm>
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

std::string_view to_string(TradeStatus status) {
  switch (status) {
    case TradeStatus::kConfirmed: return "CONFIRMED";
    case TradeStatus::kRejected: return "REJECTED";
    case TradeStatus::kAlleged: return "ALLEGED";
    case TradeStatus::kMismatched: return "MISMATCHED";
    case TradeStatus::kAffirmed: return "AFFIRMED";
    case TradeStatus::kCancelled: return "CANCELLED";
    case TradeStatus::kExpired: return "UNMATCHED_EXPIRED";
    case TradeStatus::kReplaced: return "REPLACED";
  }
  return "UNKNOWN";
}

TradeRegistry::TradeRegistry(std::array<std::uint64_t, 2> hash_key) : key_(hash_key) {
  slots_.assign(1024, 0);
  mask_ = slots_.size() - 1;
  locked_slots_.assign(64, 0);
  locked_mask_ = locked_slots_.size() - 1;
}

std::uint64_t TradeRegistry::match_hash(MemberIndex buyer, MemberIndex seller,
                                        std::string_view id) const {
  std::uint8_t buffer[4 + TradeId::kCapacity];
  assert(id.size() <= TradeId::kCapacity);
  buffer[0] = static_cast<std::uint8_t>(buyer.value >> 8);
  buffer[1] = static_cast<std::uint8_t>(buyer.value);
  buffer[2] = static_cast<std::uint8_t>(seller.value >> 8);
  buffer[3] = static_cast<std::uint8_t>(seller.value);
  std::memcpy(buffer + 4, id.data(), id.size());
  return siphash13(key_, ByteView(buffer, 4 + id.size()));
}

std::uint32_t TradeRegistry::find_locked_in(MemberIndex buyer, MemberIndex seller,
                                            std::string_view id) const {
  if (locked_count_ == 0) return kNotOpen;
  const std::uint64_t h = match_hash(buyer, seller, id);
  const std::uint64_t tag = h >> 32;
  for (std::size_t i = h & locked_mask_;; i = (i + 1) & locked_mask_) {
    const std::uint64_t slot = locked_slots_[i];
    if (slot == 0) return kNotOpen;
    if ((slot >> 32) != tag) continue;
    const std::uint32_t index = static_cast<std::uint32_t>(slot & 0xffffffffu) - 1;
    const TradeRecord& r = records_[index];
    if (r.buyer == buyer && r.seller == seller && id_of(r) == id) return index;
  }
}

void TradeRegistry::index_locked_in(std::uint32_t index) {
  const TradeRecord& r = records_.at(index);
  assert(r.locked_in && r.status == TradeStatus::kConfirmed);
  // The first venue trade sizes the index by the capacity hint, so a
  // venue-heavy day does not rehash as it grows; a day without venues
  // never pays for it.
  while (locked_count_ == 0 && locked_slots_.size() < 2 * expected_) grow_locked();
  if (2 * (locked_count_ + 1) > locked_slots_.size()) grow_locked();
  const std::uint64_t h = match_hash(r.buyer, r.seller, id_of(r));
  std::size_t i = h & locked_mask_;
  while (locked_slots_[i] != 0) i = (i + 1) & locked_mask_;
  locked_slots_[i] = ((h >> 32) << 32) | (std::uint64_t{index} + 1);
  ++locked_count_;
}

void TradeRegistry::grow_locked() {
  std::vector<std::uint64_t> old = std::move(locked_slots_);
  locked_slots_.assign(old.size() * 2, 0);
  locked_mask_ = locked_slots_.size() - 1;
  for (std::uint64_t slot : old) {
    if (slot == 0) continue;
    const TradeRecord& r = records_[(slot & 0xffffffffu) - 1];
    const std::uint64_t h = match_hash(r.buyer, r.seller, id_of(r));
    std::size_t i = h & locked_mask_;
    while (locked_slots_[i] != 0) i = (i + 1) & locked_mask_;
    locked_slots_[i] = slot;
  }
}

const std::vector<Digest>& TradeRegistry::superseded(std::uint32_t index) const {
  static const std::vector<Digest> kNone;
  const auto it = std::lower_bound(superseded_.begin(), superseded_.end(), index,
                                   [](const auto& entry, std::uint32_t i) { return entry.first < i; });
  return it != superseded_.end() && it->first == index ? it->second : kNone;
}

void TradeRegistry::supersede(std::uint32_t index) {
  auto it = std::lower_bound(superseded_.begin(), superseded_.end(), index,
                             [](const auto& entry, std::uint32_t i) { return entry.first < i; });
  if (it == superseded_.end() || it->first != index) {
    it = superseded_.insert(it, {index, {}});
  }
  it->second.push_back(records_.at(index).content_hash);
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
    if (r.submitter == submitter && id_of(r) == id) {
      return Lookup{&r, h, static_cast<std::uint32_t>((slot & 0xffffffffu) - 1)};
    }
  }
}

std::uint32_t TradeRegistry::insert(std::string_view id, TradeRecord record, Lookup absent) {
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
  return static_cast<std::uint32_t>(records_.size() - 1);
}

std::vector<bool> TradeRegistry::locked_in_indexed() const {
  std::vector<bool> out(records_.size(), false);
  for (const std::uint64_t slot : locked_slots_) {
    if (slot != 0) out[(slot & 0xffffffffu) - 1] = true;
  }
  return out;
}

std::uint32_t TradeRegistry::append(std::string_view id, TradeRecord record) {
  assert(records_.size() < 0xfffffffeu && ids_.size() + id.size() < 0xffffffffu);
  record.id_offset = static_cast<std::uint32_t>(ids_.size());
  record.id_length = static_cast<std::uint8_t>(id.size());
  ids_.insert(ids_.end(), id.begin(), id.end());
  records_.push_back(record);
  return static_cast<std::uint32_t>(records_.size() - 1);
}

namespace {

/// Inserts keys 0..n-1 into an empty linear-probing table of (tag << 32 |
/// key + 1) slots, hashing kAhead keys ahead and prefetching their first
/// slot; false when `same(key, other)` says a key repeats.
template <class Hash, class Same>
bool fill_slots(std::vector<std::uint64_t>& slots, std::size_t mask, std::size_t n, const Hash& hash_of,
                const Same& same) {
  constexpr std::size_t kAhead = 16;
  std::array<std::uint64_t, kAhead> ahead{};
  for (std::size_t k = 0; k < std::min(kAhead, n); ++k) {
    ahead[k] = hash_of(k);
    __builtin_prefetch(&slots[ahead[k] & mask]);
  }
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint64_t h = ahead[k % kAhead];
    if (k + kAhead < n) {
      ahead[k % kAhead] = hash_of(k + kAhead);
      __builtin_prefetch(&slots[ahead[k % kAhead] & mask]);
    }
    const std::uint64_t tag = h >> 32;
    std::size_t i = h & mask;
    for (; slots[i] != 0; i = (i + 1) & mask) {
      if ((slots[i] >> 32) == tag && same(k, (slots[i] & 0xffffffffu) - 1)) return false;
    }
    slots[i] = (tag << 32) | (std::uint64_t{k} + 1);
  }
  return true;
}

std::size_t table_size(std::size_t at_least, std::size_t entries) {
  std::size_t size = at_least;
  while (size < 2 * entries) size *= 2;
  return size;
}

}  // namespace

bool TradeRegistry::index_appended() {
  // Nothing is indexed yet, so the table (sized by reserve()) is all empty:
  // clear a new one only when it must grow.
  const std::size_t size = table_size(slots_.size(), std::max(records_.size(), expected_));
  if (size != slots_.size()) slots_.assign(size, 0);
  mask_ = slots_.size() - 1;
  return fill_slots(
      slots_, mask_, records_.size(),
      [&](std::size_t r) { return hash(records_[r].submitter, id_of(records_[r])); },
      [&](std::size_t a, std::size_t b) {
        return records_[a].submitter == records_[b].submitter && id_of(records_[a]) == id_of(records_[b]);
      });
}

bool TradeRegistry::index_locked_in_appended(const std::vector<std::uint32_t>& indices) {
  assert(locked_count_ == 0);
  if (indices.empty()) return true;
  locked_slots_.assign(table_size(locked_slots_.size(), std::max(indices.size(), expected_)), 0);
  locked_mask_ = locked_slots_.size() - 1;
  const auto record_of = [&](std::size_t k) -> const TradeRecord& { return records_.at(indices[k]); };
  const bool unique = fill_slots(
      locked_slots_, locked_mask_, indices.size(),
      [&](std::size_t k) {
        const TradeRecord& r = record_of(k);
        assert(r.locked_in && r.status == TradeStatus::kConfirmed);
        return match_hash(r.buyer, r.seller, id_of(r));
      },
      [&](std::size_t a, std::size_t b) {
        const TradeRecord& x = record_of(a);
        const TradeRecord& y = record_of(b);
        return x.buyer == y.buyer && x.seller == y.seller && id_of(x) == id_of(y);
      });
  // Slots hold positions in `indices` so far; the index holds record indices.
  for (std::uint64_t& slot : locked_slots_) {
    if (slot != 0) slot = (slot & ~std::uint64_t{0xffffffffu}) | (std::uint64_t{indices[(slot & 0xffffffffu) - 1]} + 1);
  }
  locked_count_ = indices.size();
  return unique;
}

void TradeRegistry::reserve(std::size_t trades) {
  expected_ = trades;
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
