#pragma once
// A node's TLS identity and its pin (issue13-plan.md "Fixed formats").
//
// Peers authenticate each other by pinned public keys, never by a CA: each
// node makes its own ECDSA P-256 key and a self-signed certificate on its
// own host, and genesis carries only the pin, the SHA-256 of the DER
// SubjectPublicKeyInfo. Pinning the key rather than the certificate lets a
// node renew its certificate (new validity, new host names) without a new
// genesis, and nobody holds a key that could mint node identities.

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace quorumclear::net {

/// SHA-256 of the DER SubjectPublicKeyInfo of a node's TLS key.
using Pin = std::array<std::uint8_t, 32>;

/// A private key and its self-signed certificate, both PEM, and the key's pin.
/// key_pem is secret: never log it, write it only to a 0600 file.
struct TlsIdentity {
  std::string key_pem;   // PKCS#8 "PRIVATE KEY", unencrypted
  std::string cert_pem;  // X.509 v3 "CERTIFICATE"
  Pin pin{};
};

/// Generation failed: a bad host name (named in the message) or an OpenSSL
/// failure.
class TlsIdentityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Largest PEM text the parsers below accept; certificates are ~1 KB.
inline constexpr std::size_t kPemBytesMax = 64 * 1024;
/// Longest validity generate_tls_identity accepts (about 30 years).
inline constexpr int kValidityDaysMax = 11000;

/// Makes a fresh ECDSA P-256 key and a self-signed X.509 v3 certificate for
/// it: random 127-bit serial, subject = issuer = CN=<common_name> (hosts[0]
/// when empty; clearctl keygen passes "quorumclear-node-<id>", because a
/// client trusting a bundle of several nodes' certificates needs distinct
/// subjects: OpenSSL picks a trusted issuer by subject name, and with equal
/// names and keys of one type it may try the wrong one), valid from
/// one hour ago (clock skew) for `validity_days`, subjectAltName with every
/// host (an IPv4/IPv6 literal becomes an IP entry, anything else a DNS
/// entry), basicConstraints CA:FALSE, extendedKeyUsage serverAuth and
/// clientAuth (the same certificate serves the peer links both ways and the
/// REST API). No keyUsage extension: with one lacking keyCertSign, OpenSSL
/// would not treat the certificate as self-signed when a client trusts it
/// directly (curl --cacert).
/// Throws TlsIdentityError when hosts is empty, a host is neither an IP
/// literal nor a DNS name (letters, digits, '-', '.', optional leading
/// "*."; at most 253 characters), validity_days is outside
/// 1 .. kValidityDaysMax, common_name is longer than 64 bytes (RFC 5280's
/// ub-common-name), or OpenSSL fails.
[[nodiscard]] TlsIdentity generate_tls_identity(const std::vector<std::string>& hosts, int validity_days = 3650,
                                                std::string_view common_name = {});

/// The pin of the (first) certificate in a PEM text; nullopt when it does not
/// parse or is larger than kPemBytesMax.
[[nodiscard]] std::optional<Pin> pin_of_certificate_pem(std::string_view cert_pem);

/// The pin of the public half of a PEM private key; nullopt when it does not
/// parse. Lets a node check that its key file and certificate belong
/// together, and that its key is the one genesis pins for it.
[[nodiscard]] std::optional<Pin> pin_of_private_key_pem(std::string_view key_pem);

/// 64 lower-case hex characters.
[[nodiscard]] std::string to_hex(const Pin& pin);

/// Parses exactly 64 lower-case hex characters (the one spelling genesis
/// files use); anything else is nullopt.
[[nodiscard]] std::optional<Pin> pin_from_hex(std::string_view hex);

}  // namespace quorumclear::net
