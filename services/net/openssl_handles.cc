#include "services/net/openssl_handles.h"

#include "quorum/sha256.h"

#include <openssl/err.h>
#include <openssl/pem.h>


namespace quorumclear::net::detail {
namespace {

// A read-only memory BIO over `pem`; null when it is too large to be a key
// or certificate (bounds what untrusted files can make us parse).
BioPtr pem_bio(std::string_view pem) {
  if (pem.empty() || pem.size() > kPemBytesMax) return nullptr;
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

}  // namespace

X509Ptr parse_certificate_pem(std::string_view pem) {
  BioPtr bio = pem_bio(pem);
  if (!bio) return nullptr;
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return cert;
}

PkeyPtr parse_private_key_pem(std::string_view pem) {
  BioPtr bio = pem_bio(pem);
  if (!bio) return nullptr;
  // An empty passphrase callback result makes an encrypted key fail to load
  // rather than prompt on a terminal.
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  return key;
}

std::optional<Pin> pin_of_key(const EVP_PKEY* key) {
  if (key == nullptr) return std::nullopt;
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) {
    ERR_clear_error();
    return std::nullopt;
  }
  const Pin pin = quorum::sha256(std::span<const std::uint8_t>(der, static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return pin;
}

std::string take_openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL error queued";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace quorumclear::net::detail
