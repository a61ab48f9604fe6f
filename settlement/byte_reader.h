#pragma once
// The reader for untrusted big-endian bytes behind the snapshot and
// obligation-proof formats (snapshot.cc, obligation_proof.cc): the first
// failure sticks and names what was wrong, later reads give zeros, and no
// count is believed beyond what the remaining bytes can hold. The entry
// codec (codec.cc) keeps its own reader: it reports DecodeError codes.

#include "settlement/types.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace quorumclear::settlement {

/// Reads untrusted bytes: the first failure sticks, later reads give zeros.
class ByteReader {
 public:
  explicit ByteReader(ByteView bytes) : bytes_(bytes) {}
  [[nodiscard]] bool ok() const { return error_ == nullptr; }
  [[nodiscard]] const char* error() const { return error_; }
  [[nodiscard]] std::size_t offset() const { return offset_; }
  [[nodiscard]] std::size_t remaining() const { return bytes_.size() - offset_; }
  void fail(const char* what) {
    if (error_ == nullptr) error_ = what;
  }
  /// False (and failed) unless `condition`: for checks of decoded values.
  bool expect(bool condition, const char* what) {
    if (!condition) fail(what);
    return condition && ok();
  }
  std::uint8_t u8() {
    if (!ok()) return 0;
    if (remaining() < 1) {
      fail("truncated");
      return 0;
    }
    return bytes_[offset_++];
  }
  std::uint16_t u16() { return static_cast<std::uint16_t>(get(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
  std::uint64_t u64() { return get(8); }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  Int128 i128() {
    const Int128 high = i64();
    const Int128 low = u64();
    return high * (Int128{1} << 64) + low;
  }
  bool flag(const char* what) {
    const std::uint8_t v = u8();
    expect(v <= 1, what);
    return v == 1;
  }
  Digest digest() {
    Digest d{};
    if (take(d.size())) std::memcpy(d.data(), bytes_.data() + offset_ - d.size(), d.size());
    return d;
  }
  /// A length-prefixed text of at most `capacity` bytes.
  std::string_view text(std::size_t capacity, const char* what) {
    const std::uint8_t length = u8();
    if (!expect(length <= capacity, what) || !take(length)) return {};
    return {reinterpret_cast<const char*>(bytes_.data() + offset_ - length), length};
  }
  ByteView span(std::size_t length) {
    if (!take(length)) return {};
    return bytes_.subspan(offset_ - length, length);
  }
  /// A count of items of at least `item_bytes` each: never more than the
  /// remaining bytes can hold, so no allocation follows a lying count.
  std::size_t count(std::size_t item_bytes, const char* what) {
    const std::uint32_t n = u32();
    if (!expect(static_cast<std::uint64_t>(n) * item_bytes <= remaining(), what)) return 0;
    return n;
  }

 private:
  bool take(std::size_t n) {
    if (!ok()) return false;
    if (remaining() < n) {
      fail("truncated");
      return false;
    }
    offset_ += n;
    return true;
  }
  // One bounds check per integer, not one per byte: a snapshot is millions
  // of them.
  std::uint64_t get(std::size_t width) {
    if (!take(width)) return 0;
    const std::uint8_t* p = bytes_.data() + offset_ - width;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) v = (v << 8) | p[i];
    return v;
  }
  ByteView bytes_;
  std::size_t offset_ = 0;
  const char* error_ = nullptr;
};

}  // namespace quorumclear::settlement
