#pragma once
// TLS 1.3 for the peer links: one context per transport (our key and
// certificate, the pinning policy) and one session per connection.
//
// Sessions run over memory BIOs: the event loop moves ciphertext between
// the socket and the session itself (recv / send with MSG_NOSIGNAL). That
// keeps SIGPIPE out of the process without touching its signal mask, lets
// the loop bound every buffer, and keeps OpenSSL away from the descriptor.
//
// Authentication is by pin only (tls_identity.h): the chain verifier is
// told to accept any certificate, because trust does not come from a CA;
// the handshake still proves that the peer holds the private key of the
// certificate it presented (CertificateVerify), and after the handshake
// the transport compares the SHA-256 of that key's SubjectPublicKeyInfo
// with the pins it was configured with. Both sides must present a
// certificate (the listener requires one). Session tickets and caching are
// off, so every connection runs a full handshake with certificates:
// resumption would skip the key the pin is checked against.

#include "services/net/frame_codec.h"
#include "services/net/openssl_handles.h"
#include "services/net/tls_identity.h"

#include <optional>
#include <string>
#include <string_view>

namespace quorumclear::net {

/// Our key, our certificate and the TLS 1.3-only, pin-checked policy.
class TlsContext {
 public:
  /// Throws std::invalid_argument naming "key_pem" or "cert_pem" when one
  /// does not parse, or when the key is not the certificate's.
  TlsContext(std::string_view key_pem, std::string_view cert_pem);

  [[nodiscard]] SSL_CTX* get() const { return ctx_.get(); }
  /// The pin of our own key.
  [[nodiscard]] const Pin& own_pin() const { return own_pin_; }

 private:
  detail::SslCtxPtr ctx_;
  Pin own_pin_{};
};

/// One connection's TLS state over memory BIOs.
class TlsSession {
 public:
  enum class Role : std::uint8_t { kClient, kServer };
  TlsSession(const TlsContext& context, Role role);

  /// Ciphertext received from the socket.
  void feed(ByteView ciphertext);
  /// Ciphertext waiting to go to the socket, and taking it.
  [[nodiscard]] std::size_t ciphertext_pending() const;
  std::size_t take_ciphertext(std::span<std::uint8_t> out);

  enum class Status : std::uint8_t { kDone, kWantMore, kClosed, kFailed };
  /// Advances the handshake; kDone once it completed.
  [[nodiscard]] Status handshake();
  /// The pin of the key the peer proved it holds; nullopt before the
  /// handshake completed or without a peer certificate.
  [[nodiscard]] std::optional<Pin> peer_pin() const;

  /// Decrypts into `out`. kDone with *bytes > 0, kWantMore when more
  /// ciphertext is needed, kClosed on the peer's close_notify, kFailed on
  /// a TLS error (a bad record, an alert).
  [[nodiscard]] Status read(std::span<std::uint8_t> out, std::size_t* bytes);
  /// Encrypts all of `plaintext` into the outgoing ciphertext (memory BIOs
  /// never push back). False on a TLS error.
  [[nodiscard]] bool write(ByteView plaintext);
  /// Queues our close_notify (best effort, on orderly stops).
  void close_notify();

  /// What the last kFailed was about, for logs (never key material).
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  Status classify(int rc);

  detail::SslPtr ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  std::string error_;
};

}  // namespace quorumclear::net
