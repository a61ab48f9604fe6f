#include "services/net/tls_identity.h"

#include "services/net/openssl_handles.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace quorumclear::net {
namespace {

using detail::BioPtr;
using detail::PkeyPtr;
using detail::X509Ptr;

[[noreturn]] void fail(const std::string& what) {
  throw TlsIdentityError("generate_tls_identity: " + what + " (" + detail::take_openssl_error() + ")");
}

void check(int rc, const char* what) {
  if (rc != 1) fail(what);
}

// The 4 or 16 address bytes of an IP literal, or empty.
std::string ip_literal_bytes(const std::string& host) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 4);
  if (inet_pton(AF_INET6, host.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 16);
  return {};
}

// RFC 1123 host name (optionally a leading "*." wildcard label): what a SAN
// dNSName may hold and clients will match. Refusing anything else keeps
// odd bytes out of certificates and makes a typo an error here rather than
// a handshake failure on another host.
bool is_dns_name(std::string_view host) {
  if (host.starts_with("*.")) host.remove_prefix(2);
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  char previous = '.';
  for (char c : host) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c == '.') {
      if (label == 0 || previous == '-') return false;
      label = 0;
    } else if (alnum || (c == '-' && label > 0)) {
      if (++label > 63) return false;
    } else {
      return false;
    }
    previous = c;
  }
  return label > 0 && previous != '-';
}

void add_ext(X509* cert, int nid, void* value, int critical) {
  check(X509_add1_ext_i2d(cert, nid, value, critical, X509V3_ADD_DEFAULT), "add extension");
}

void add_subject_alt_names(X509* cert, const std::vector<std::string>& hosts) {
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  if (names == nullptr) fail("allocate subjectAltName");
  for (const std::string& host : hosts) {
    GENERAL_NAME* name = GENERAL_NAME_new();
    ASN1_STRING* value = nullptr;
    int type = GEN_DNS;
    if (const std::string ip = ip_literal_bytes(host); !ip.empty()) {
      type = GEN_IPADD;
      value = ASN1_OCTET_STRING_new();
      if (value != nullptr) ASN1_OCTET_STRING_set(value, reinterpret_cast<const unsigned char*>(ip.data()),
                                                  static_cast<int>(ip.size()));
    } else {
      value = ASN1_IA5STRING_new();
      if (value != nullptr) ASN1_STRING_set(value, host.data(), static_cast<int>(host.size()));
    }
    if (name == nullptr || value == nullptr) {
      GENERAL_NAME_free(name);
      ASN1_STRING_free(value);
      GENERAL_NAMES_free(names);
      fail("allocate subjectAltName entry");
    }
    GENERAL_NAME_set0_value(name, type, value);
    sk_GENERAL_NAME_push(names, name);
  }
  const int rc = X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT);
  GENERAL_NAMES_free(names);
  check(rc, "add subjectAltName");
}

void add_extensions(X509* cert, const std::vector<std::string>& hosts) {
  BASIC_CONSTRAINTS* constraints = BASIC_CONSTRAINTS_new();
  if (constraints == nullptr) fail("allocate basicConstraints");
  constraints->ca = 0;
  const int rc = X509_add1_ext_i2d(cert, NID_basic_constraints, constraints, 1, X509V3_ADD_DEFAULT);
  BASIC_CONSTRAINTS_free(constraints);
  check(rc, "add basicConstraints");

  EXTENDED_KEY_USAGE* usage = sk_ASN1_OBJECT_new_null();
  if (usage == nullptr) fail("allocate extendedKeyUsage");
  sk_ASN1_OBJECT_push(usage, OBJ_nid2obj(NID_server_auth));
  sk_ASN1_OBJECT_push(usage, OBJ_nid2obj(NID_client_auth));
  add_ext(cert, NID_ext_key_usage, usage, 0);
  sk_ASN1_OBJECT_free(usage);  // the objects are OpenSSL's static table entries

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* key_id = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_key_identifier, "hash");
  if (key_id == nullptr) fail("subjectKeyIdentifier");
  const int added = X509_add_ext(cert, key_id, -1);
  X509_EXTENSION_free(key_id);
  check(added, "add subjectKeyIdentifier");

  add_subject_alt_names(cert, hosts);
}

void set_random_serial(X509* cert) {
  unsigned char bytes[16];
  check(RAND_bytes(bytes, sizeof bytes), "random serial");
  bytes[0] &= 0x7f;  // positive, and at most 20 octets as RFC 5280 4.1.2.2 asks
  bytes[15] |= 1;    // never zero
  BIGNUM* serial = BN_bin2bn(bytes, sizeof bytes, nullptr);
  if (serial == nullptr) fail("serial");
  ASN1_INTEGER* encoded = BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert));
  BN_free(serial);
  if (encoded == nullptr) fail("serial");
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

void validate_hosts(const std::vector<std::string>& hosts) {
  if (hosts.empty()) throw TlsIdentityError("generate_tls_identity: hosts: at least one host name or IP is needed");
  for (const std::string& host : hosts) {
    if (ip_literal_bytes(host).empty() && !is_dns_name(host)) {
      throw TlsIdentityError("generate_tls_identity: hosts: \"" + host + "\" is neither an IP address nor a DNS name");
    }
  }
}

}  // namespace

TlsIdentity generate_tls_identity(const std::vector<std::string>& hosts, int validity_days,
                                  std::string_view common_name_given) {
  validate_hosts(hosts);
  if (common_name_given.size() > 64) {
    throw TlsIdentityError("generate_tls_identity: common_name: at most 64 bytes");
  }
  if (validity_days < 1 || validity_days > kValidityDaysMax) {
    throw TlsIdentityError("generate_tls_identity: validity_days: must be 1 .. " + std::to_string(kValidityDaysMax));
  }
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("P-256 key generation");

  X509Ptr cert(X509_new());
  if (!cert) fail("allocate certificate");
  check(X509_set_version(cert.get(), X509_VERSION_3), "version");
  set_random_serial(cert.get());
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr) fail("notBefore");
  if (X509_time_adj_ex(X509_getm_notAfter(cert.get()), validity_days, 0, nullptr) == nullptr) fail("notAfter");
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string common_name = !common_name_given.empty()   ? std::string(common_name_given)
                                  : hosts.front().size() <= 64 ? hosts.front()
                                                               : "quorumclear-node";
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0),
        "subject");
  check(X509_set_issuer_name(cert.get(), name), "issuer");
  check(X509_set_pubkey(cert.get(), key.get()), "public key");
  add_extensions(cert.get(), hosts);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fail("sign certificate");

  TlsIdentity identity;
  // Secure-heap memory BIO: the PEM text of the key is cleansed when freed.
  BioPtr key_bio(BIO_new(BIO_s_secmem()));
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio) fail("allocate PEM buffers");
  check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr), "write key");
  check(PEM_write_bio_X509(cert_bio.get(), cert.get()), "write certificate");
  identity.key_pem = bio_text(key_bio.get());
  identity.cert_pem = bio_text(cert_bio.get());
  const std::optional<Pin> pin = detail::pin_of_key(key.get());
  if (!pin) fail("public key encoding");
  identity.pin = *pin;
  return identity;
}

std::optional<Pin> pin_of_certificate_pem(std::string_view cert_pem) {
  const X509Ptr cert = detail::parse_certificate_pem(cert_pem);
  if (!cert) return std::nullopt;
  return detail::pin_of_key(X509_get0_pubkey(cert.get()));
}

std::optional<Pin> pin_of_private_key_pem(std::string_view key_pem) {
  const PkeyPtr key = detail::parse_private_key_pem(key_pem);
  if (!key) return std::nullopt;
  return detail::pin_of_key(key.get());
}

std::string to_hex(const Pin& pin) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string hex(2 * pin.size(), '0');
  for (std::size_t i = 0; i < pin.size(); ++i) {
    hex[2 * i] = kDigits[pin[i] >> 4];
    hex[2 * i + 1] = kDigits[pin[i] & 0x0f];
  }
  return hex;
}

std::optional<Pin> pin_from_hex(std::string_view hex) {
  Pin pin{};
  if (hex.size() != 2 * pin.size()) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < pin.size(); ++i) {
    const int high = nibble(hex[2 * i]);
    const int low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    pin[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return pin;
}

}  // namespace quorumclear::net
