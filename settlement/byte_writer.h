#pragma once
// The growing big-endian writer behind the settlement codecs (entries in
// codec.cc, whole ledgers in snapshot.cc): one encoding of integers and
// length-prefixed texts, so the two formats cannot drift apart in how they
// spell a field. Decoding is byte_reader.h (and codec.cc's own reader).

#include "settlement/types.h"

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>

namespace quorumclear::settlement {

class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : out_(out) {}
  /// Hands the bytes written so far to `spill` (and clears them) whenever
  /// they reach `bytes`, and once more at flush(): a long encoding can be
  /// consumed, or compared, in pieces without ever being held whole.
  void spill_every(std::size_t bytes, std::function<void(ByteView)> spill) {
    spill_at_ = bytes;
    spill_ = std::move(spill);
  }
  void flush() {
    if (spill_ && !out_.empty()) {
      spill_(out_);
      out_.clear();
    }
  }
  void u8(std::uint8_t v) { append(&v, 1); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  // Two's complement, high half first: the high half is v >> 64 (an
  // arithmetic shift), the low half v's low 64 bits.
  void i128(Int128 v) {
    i64(static_cast<std::int64_t>(v >> 64));
    u64(static_cast<std::uint64_t>(v & static_cast<Int128>(~std::uint64_t{0})));
  }
  void bytes(ByteView v) { append(v.data(), v.size()); }
  /// One length byte, then the text: callers hold texts of at most 255 bytes.
  void text(std::string_view v) {
    assert(v.size() <= std::numeric_limits<std::uint8_t>::max());
    u8(static_cast<std::uint8_t>(v.size()));
    append(reinterpret_cast<const std::uint8_t*>(v.data()), v.size());
  }
  template <std::size_t N, class Tag>
  void text(const Code<N, Tag>& code) {
    text(code.view());
  }
  /// A u32 item count.
  void count(std::size_t n) {
    assert(n <= std::numeric_limits<std::uint32_t>::max());
    u32(static_cast<std::uint32_t>(n));
  }

 private:
  // One append per integer, not one per byte: a snapshot is millions of them.
  void put(std::uint64_t v, int width) {
    std::uint8_t big_endian[8];
    for (int i = 0; i < width; ++i) big_endian[i] = static_cast<std::uint8_t>(v >> (8 * (width - 1 - i)));
    append(big_endian, static_cast<std::size_t>(width));
  }
  void append(const std::uint8_t* data, std::size_t n) {
    out_.insert(out_.end(), data, data + n);
    if (spill_ && out_.size() >= spill_at_) flush();
  }
  Bytes& out_;
  std::size_t spill_at_ = 0;
  std::function<void(ByteView)> spill_;
};

}  // namespace quorumclear::settlement
