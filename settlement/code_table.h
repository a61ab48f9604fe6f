#pragma once
// Interning table from a textual code (member id, ISIN, currency) to its
// genesis index: open addressing over the zero-padded code bytes, so a
// lookup hashes two words and compares one small array, with no string
// hashing or allocation. Only genesis inserts; lookups of codes read from
// batches can only probe clusters the genesis made, never grow them.

#include "settlement/types.h"

#include <cassert>
#include <cstring>
#include <optional>
#include <vector>

namespace quorumclear::settlement {

template <class CodeT, class IndexT>
class CodeTable {
 public:
  /// False when `code` is already present.
  bool insert(const CodeT& code, IndexT index) {
    if (2 * (count_ + 1) > slots_.size()) grow();
    Slot& slot = probe(code);
    if (slot.used) return false;
    slot = Slot{code, index, true};
    ++count_;
    return true;
  }

  [[nodiscard]] std::optional<IndexT> find(const CodeT& code) const {
    if (slots_.empty()) return std::nullopt;
    const Slot& slot = const_cast<CodeTable*>(this)->probe(code);
    if (!slot.used) return std::nullopt;
    return slot.index;
  }

 private:
  struct Slot {
    CodeT code;
    IndexT index{};
    bool used = false;
  };

  static std::uint64_t hash(const CodeT& code) {
    const auto& bytes = code.padded();
    std::uint64_t h = code.size() * 0x9e3779b97f4a7c15ULL;
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, bytes.data() + i, std::min<std::size_t>(8, bytes.size() - i));
      h = (h ^ word) * 0xbf58476d1ce4e5b9ULL;
      h ^= h >> 29;
    }
    return h;
  }

  Slot& probe(const CodeT& code) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(code) & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (!slot.used || slot.code == code) return slot;
    }
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    count_ = 0;
    for (const Slot& s : old) {
      if (s.used) insert(s.code, s.index);
    }
  }

  std::vector<Slot> slots_;
  std::size_t count_ = 0;
};

}  // namespace quorumclear::settlement
