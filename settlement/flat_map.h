#pragma once
// An open-addressing hash map from a packed 64-bit key to a small value, for
// the per-trade hot path (positions, balances). Keys are built from interned
// indices, never from peer-chosen text, so a fixed mixing function cannot be
// flooded. Iteration order is slot order: callers that need a canonical
// order (digests, reports) sort.

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace quorumclear::settlement {

template <class V>
class FlatMap {
 public:
  static constexpr std::uint64_t kNoKey = ~std::uint64_t{0};

  FlatMap() { rehash(16); }

  [[nodiscard]] std::size_t size() const { return size_; }

  /// The value under `key`, or nullptr. Precondition: key != kNoKey.
  [[nodiscard]] V* find(std::uint64_t key) {
    for (std::size_t i = slot_of(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == kNoKey) return nullptr;
    }
  }
  [[nodiscard]] const V* find(std::uint64_t key) const {
    return const_cast<FlatMap*>(this)->find(key);
  }

  /// The value under `key`, value-initialised when absent.
  V& operator[](std::uint64_t key) {
    assert(key != kNoKey);
    if (2 * (size_ + 1) > slots_.size()) rehash(2 * slots_.size());
    std::size_t i = slot_of(key);
    while (slots_[i].key != key && slots_[i].key != kNoKey) i = (i + 1) & mask_;
    if (slots_[i].key == kNoKey) {
      slots_[i].key = key;
      slots_[i].value = V{};
      ++size_;
    }
    return slots_[i].value;
  }

  void reserve(std::size_t count) {
    std::size_t capacity = slots_.size();
    while (capacity < 2 * count) capacity *= 2;
    if (capacity != slots_.size()) rehash(capacity);
  }

  /// Calls f(key, value) for every entry, in slot order.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.key != kNoKey) f(s.key, s.value);
    }
  }

 private:
  struct Slot {
    std::uint64_t key = kNoKey;
    V value{};
  };

  [[nodiscard]] std::size_t slot_of(std::uint64_t key) const {
    // splitmix64's finaliser: every key bit reaches the low bits we mask.
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return static_cast<std::size_t>(key) & mask_;
  }

  void rehash(std::size_t capacity) {
    assert((capacity & (capacity - 1)) == 0);
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.key != kNoKey) (*this)[s.key] = s.value;
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace quorumclear::settlement
