// The engine fuzzer's codeword forger, checked against ErasureCoder::encode.
#include "tests/fuzz/forged_codeword.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace quorumclear::quorum::fuzz {

std::uint8_t forged_value_byte(std::size_t i, std::uint8_t fill) {
  if (i < 8) return static_cast<std::uint8_t>(fill ^ (0x9d * (i + 1)));
  return fill;
}

Bytes forged_value(std::size_t length, std::uint8_t fill) {
  Bytes value(length, fill);
  for (std::size_t i = 0; i < std::min<std::size_t>(length, 8); ++i) value[i] = forged_value_byte(i, fill);
  return value;
}

CodewordForge::CodewordForge(const Membership& members)
    : k_(members.data_stripes()), coder_(std::make_shared<ErasureCoder>(members)) {}

EncodedValue CodewordForge::forge(const FrameSpec& spec) const {
  const std::size_t value_bytes =
      static_cast<std::size_t>(std::min<std::uint64_t>(spec.header_length, capacity(spec.stripe_bytes)));
  Bytes frame(kErasureFrameHeaderBytes + value_bytes, spec.fill);
  for (std::size_t b = 0; b < kErasureFrameHeaderBytes; ++b) {
    frame[b] = static_cast<std::uint8_t>(spec.header_length >> (8 * (kErasureFrameHeaderBytes - 1 - b)));
  }
  for (std::size_t i = 0; i < std::min<std::size_t>(value_bytes, 8); ++i) {
    frame[kErasureFrameHeaderBytes + i] = forged_value_byte(i, spec.fill);
  }
  const std::size_t frame_bytes = k_ * spec.stripe_bytes;
  if (spec.junk_padding && frame.size() < frame_bytes) {
    frame.resize(frame_bytes, 0);
    frame.back() = 0xa5;
  }
  // The engine's own coder builds the genuine codeword of any frame.
  EncodedValue out = coder_->encode_any_frame(frame, spec.stripe_bytes);
  if (spec.corrupt_parity) out.mutable_stripe(out.stripe_count() - 1)[0] ^= 0x01;
  return out;
}

void check_forge_matches_coder(const Membership& members) {
  const ErasureCoder coder(members);
  const CodewordForge forge(members);
  const std::size_t k = members.data_stripes();
  constexpr std::size_t kLengths[] = {0, 1, 7, 8, 9, 100, 1000, 4093, 65536 + 3};
  constexpr std::uint8_t kFills[] = {0x00, 0x5a};
  for (const std::size_t length : kLengths) {
    for (const std::uint8_t fill : kFills) {
      const EncodedValue honest = coder.encode(forged_value(length, fill));
      const EncodedValue forged = forge.forge(FrameSpec{erasure_stripe_bytes(length, k), length, fill});
      if (honest.stripe_bytes() != forged.stripe_bytes()) {
        std::fprintf(stderr, "forge: n=%zu length %zu: stripe %zu, coder %zu\n", members.n(), length,
                     forged.stripe_bytes(), honest.stripe_bytes());
        std::abort();
      }
      for (std::size_t i = 0; i < members.n(); ++i) {
        const ByteView a = honest.stripe(i);
        const ByteView b = forged.stripe(i);
        const auto diff = std::mismatch(a.begin(), a.end(), b.begin());
        if (diff.first != a.end()) {
          std::fprintf(stderr, "forge: n=%zu length %zu: stripe %zu differs at byte %td\n", members.n(), length,
                       i, diff.first - a.begin());
          std::abort();
        }
      }
    }
  }
}

}  // namespace quorumclear::quorum::fuzz
