#include "settlement/digest.h"

#include <openssl/evp.h>

#include <cassert>
#include <string>
#include <utility>

namespace quorumclear::settlement {

// EVP calls cannot fail for SHA-256 with valid pointers short of memory
// exhaustion; a wrong digest would split the network, so failure is fatal.
Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  assert(ctx_ != nullptr && "EVP_MD_CTX_new failed");
  reset();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256::Sha256(Sha256&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  std::swap(ctx_, other.ctx_);
  return *this;
}

namespace {

// Fetched once: OpenSSL 3 otherwise looks the algorithm up under a lock on
// every initialisation, which showed as ~7% of applying a trade.
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  assert(md != nullptr);
  return md;
}

}  // namespace

void Sha256::reset() {
  [[maybe_unused]] const int ok = EVP_DigestInit_ex2(ctx_, sha256_md(), nullptr);
  assert(ok == 1);
}

void Sha256::update(ByteView bytes) {
  [[maybe_unused]] const int ok = EVP_DigestUpdate(ctx_, bytes.data(), bytes.size());
  assert(ok == 1);
}

void Sha256::update(std::string_view text) {
  update(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

void Sha256::update_u64(std::uint64_t v) {
  std::uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  update(ByteView(bytes, 8));
}

void Sha256::update_text(std::string_view text) {
  update_u64(text.size());
  update(text);
}

Digest Sha256::finish() {
  Digest out{};
  unsigned int length = 0;
  [[maybe_unused]] const int ok = EVP_DigestFinal_ex(ctx_, out.data(), &length);
  assert(ok == 1 && length == out.size());
  reset();
  return out;
}

Digest sha256(ByteView bytes) {
  Sha256 hasher;
  hasher.update(bytes);
  return hasher.finish();
}

std::string to_hex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (std::uint8_t b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

}  // namespace quorumclear::settlement
