#pragma once
// Owning handles for the OpenSSL objects this folder uses, and the helpers
// that turn PEM text into them and keys into pins. Internal to services/net.

#include "services/net/tls_identity.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

namespace quorumclear::net::detail {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Deleter<SSL_free>>;

/// Parses the first certificate of a PEM text; null on failure or when the
/// text exceeds kPemBytesMax.
[[nodiscard]] X509Ptr parse_certificate_pem(std::string_view pem);
/// Parses a PEM private key (unencrypted); null on failure or oversize.
[[nodiscard]] PkeyPtr parse_private_key_pem(std::string_view pem);
/// SHA-256 of the DER SubjectPublicKeyInfo of `key` (public half only).
[[nodiscard]] std::optional<Pin> pin_of_key(const EVP_PKEY* key);

/// The first queued OpenSSL error as text (and clears the queue): for log
/// details and exception messages. Never contains key material.
[[nodiscard]] std::string take_openssl_error();

}  // namespace quorumclear::net::detail
