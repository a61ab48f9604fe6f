#include "services/net/tls_session.h"

#include <openssl/err.h>

#include <stdexcept>

namespace quorumclear::net {
namespace {

// Trust comes from the pin, checked after the handshake (see the header);
// the chain verifier's opinion of a self-signed certificate is irrelevant.
int accept_any_certificate(int /*preverify_ok*/, X509_STORE_CTX* /*store*/) { return 1; }

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("TLS context: ") + what + " (" + detail::take_openssl_error() + ")");
}

}  // namespace

TlsContext::TlsContext(std::string_view key_pem, std::string_view cert_pem) {
  const detail::PkeyPtr key = detail::parse_private_key_pem(key_pem);
  if (!key) throw std::invalid_argument("key_pem: not a PEM private key");
  const detail::X509Ptr cert = detail::parse_certificate_pem(cert_pem);
  if (!cert) throw std::invalid_argument("cert_pem: not a PEM certificate");
  const std::optional<Pin> key_pin = detail::pin_of_key(key.get());
  const std::optional<Pin> cert_pin = detail::pin_of_key(X509_get0_pubkey(cert.get()));
  if (!key_pin || !cert_pin || *key_pin != *cert_pin) {
    throw std::invalid_argument("cert_pem: the certificate is not for key_pem's key");
  }
  own_pin_ = *key_pin;

  ctx_.reset(SSL_CTX_new(TLS_method()));
  require(ctx_ != nullptr, "SSL_CTX_new");
  SSL_CTX* ctx = ctx_.get();
  require(SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1, "TLS 1.3 minimum");
  require(SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1, "TLS 1.3 maximum");
  require(SSL_CTX_use_certificate(ctx, cert.get()) == 1, "use certificate");
  require(SSL_CTX_use_PrivateKey(ctx, key.get()) == 1, "use private key");
  require(SSL_CTX_check_private_key(ctx) == 1, "key matches certificate");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate);
  // Full handshakes only: a resumed session would carry no certificate to pin.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  require(SSL_CTX_set_num_tickets(ctx, 0) == 1, "no session tickets");
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
}

TlsSession::TlsSession(const TlsContext& context, Role role) : ssl_(SSL_new(context.get())) {
  if (!ssl_) throw std::runtime_error("SSL_new: " + detail::take_openssl_error());
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (in_ == nullptr || out_ == nullptr) {
    BIO_free(in_);
    BIO_free(out_);
    throw std::runtime_error("BIO_new: " + detail::take_openssl_error());
  }
  SSL_set_bio(ssl_.get(), in_, out_);  // ssl_ owns both now
  if (role == Role::kClient) {
    SSL_set_connect_state(ssl_.get());
  } else {
    SSL_set_accept_state(ssl_.get());
  }
}

void TlsSession::feed(ByteView ciphertext) {
  std::size_t written = 0;
  // A memory BIO grows to take everything; the loop bounds what it feeds.
  if (!ciphertext.empty()) BIO_write_ex(in_, ciphertext.data(), ciphertext.size(), &written);
}

std::size_t TlsSession::ciphertext_pending() const { return BIO_ctrl_pending(out_); }

std::size_t TlsSession::take_ciphertext(std::span<std::uint8_t> out) {
  std::size_t taken = 0;
  if (BIO_read_ex(out_, out.data(), out.size(), &taken) != 1) return 0;
  return taken;
}

TlsSession::Status TlsSession::handshake() {
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_.get());
  return rc == 1 ? Status::kDone : classify(rc);
}

std::optional<Pin> TlsSession::peer_pin() const {
  if (SSL_is_init_finished(ssl_.get()) != 1) return std::nullopt;
  X509* cert = SSL_get0_peer_certificate(ssl_.get());
  if (cert == nullptr) return std::nullopt;
  return detail::pin_of_key(X509_get0_pubkey(cert));
}

TlsSession::Status TlsSession::read(std::span<std::uint8_t> out, std::size_t* bytes) {
  ERR_clear_error();
  *bytes = 0;
  const int rc = SSL_read_ex(ssl_.get(), out.data(), out.size(), bytes);
  return rc == 1 ? Status::kDone : classify(rc);
}

bool TlsSession::write(ByteView plaintext) {
  if (plaintext.empty()) return true;
  ERR_clear_error();
  std::size_t written = 0;
  if (SSL_write_ex(ssl_.get(), plaintext.data(), plaintext.size(), &written) == 1 && written == plaintext.size()) {
    return true;
  }
  classify(0);
  return false;
}

void TlsSession::close_notify() {
  ERR_clear_error();
  if (SSL_is_init_finished(ssl_.get()) == 1) SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

TlsSession::Status TlsSession::classify(int rc) {
  switch (SSL_get_error(ssl_.get(), rc)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      return Status::kWantMore;
    case SSL_ERROR_ZERO_RETURN:
      return Status::kClosed;
    default:
      error_ = detail::take_openssl_error();
      return Status::kFailed;
  }
}

}  // namespace quorumclear::net
