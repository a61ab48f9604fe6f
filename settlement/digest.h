#pragma once
// Streaming SHA-256 (OpenSSL EVP, SHA-NI where available) for content
// hashes, report digests and the state digest. One context is reused for
// millions of trades, so hashing a trade allocates nothing.

#include "settlement/types.h"

#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace quorumclear::settlement {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;

  /// Starts a new digest, discarding anything fed so far.
  void reset();
  void update(ByteView bytes);
  void update(std::string_view text);
  void update_u8(std::uint8_t v) { update(ByteView(&v, 1)); }
  /// Big-endian, as in the codec.
  void update_u64(std::uint64_t v);
  void update_i64(std::int64_t v) { update_u64(static_cast<std::uint64_t>(v)); }
  /// A length-prefixed text, so that concatenations cannot collide.
  void update_text(std::string_view text);
  /// Returns the digest and starts a new one.
  [[nodiscard]] Digest finish();

 private:
  evp_md_ctx_st* ctx_ = nullptr;
};

/// SHA-256 of one byte range.
[[nodiscard]] Digest sha256(ByteView bytes);

/// Lower-case hex, for tests and logs.
[[nodiscard]] std::string to_hex(const Digest& digest);

}  // namespace quorumclear::settlement
