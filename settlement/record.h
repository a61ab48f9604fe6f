#pragma once
// A fixed-capacity big-endian record builder: the ledger feeds each state
// change to the state digest as one such record, so hashing costs one
// update call per change and never allocates.

#include "settlement/types.h"

#include <array>
#include <cassert>
#include <cstring>
#include <string_view>

namespace quorumclear::settlement {

class Record {
 public:
  Record& u8(std::uint8_t v) {
    assert(size_ < bytes_.size());
    bytes_[size_++] = v;
    return *this;
  }
  Record& u16(std::uint16_t v) { return u8(static_cast<std::uint8_t>(v >> 8)).u8(static_cast<std::uint8_t>(v)); }
  Record& u32(std::uint32_t v) {
    return u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v));
  }
  Record& u64(std::uint64_t v) {
    return u32(static_cast<std::uint32_t>(v >> 32)).u32(static_cast<std::uint32_t>(v));
  }
  Record& i32(std::int32_t v) { return u32(static_cast<std::uint32_t>(v)); }
  Record& i64(std::int64_t v) { return u64(static_cast<std::uint64_t>(v)); }
  Record& bytes(ByteView v) {
    if (v.empty()) return *this;  // data() may be null; memcpy must not see it
    assert(size_ + v.size() <= bytes_.size());
    std::memcpy(bytes_.data() + size_, v.data(), v.size());
    size_ += v.size();
    return *this;
  }
  /// Length-prefixed, so adjacent texts cannot run into each other.
  Record& text(std::string_view v) {
    assert(v.size() <= 255);
    u8(static_cast<std::uint8_t>(v.size()));
    return bytes(ByteView(reinterpret_cast<const std::uint8_t*>(v.data()), v.size()));
  }
  [[nodiscard]] ByteView view() const { return ByteView(bytes_.data(), size_); }

 private:
  std::array<std::uint8_t, 256> bytes_{};
  std::size_t size_ = 0;
};

}  // namespace quorumclear::settlement
