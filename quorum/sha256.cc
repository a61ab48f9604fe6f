#include "quorum/sha256.h"

#include <openssl/evp.h>

#include <cassert>
#include <memory>

namespace quorumclear::quorum {

Digest sha256(std::initializer_list<std::span<const std::uint8_t>> parts) {
  // EVP_Digest* cannot fail for SHA-256 with valid pointers short of memory
  // exhaustion; we treat failure as fatal rather than hand back a wrong hash.
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  assert(ctx && "EVP_MD_CTX_new failed");
  [[maybe_unused]] int ok = EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  assert(ok == 1);
  for (auto part : parts) {
    ok = EVP_DigestUpdate(ctx.get(), part.data(), part.size());
    assert(ok == 1);
  }
  Digest out{};
  unsigned int len = 0;
  ok = EVP_DigestFinal_ex(ctx.get(), out.data(), &len);
  assert(ok == 1 && len == out.size());
  return out;
}

Digest sha256(std::span<const std::uint8_t> data) { return sha256({data}); }

}  // namespace quorumclear::quorum
