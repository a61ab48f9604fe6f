// Proves that generated TLS identities are P-256 keys with self-signed v3
// certificates carrying the requested SANs, that pins are the SHA-256 of the
// SubjectPublicKeyInfo, and that pin parsing accepts exactly one spelling.

#include "services/net/tls_identity.h"

#include "services/net/openssl_handles.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <set>

namespace quorumclear::net {
namespace {

using detail::X509Ptr;

std::set<std::string> subject_alt_names(X509* cert) {
  std::set<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      out.insert("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                                      static_cast<std::size_t>(ASN1_STRING_length(name->d.dNSName))));
    } else if (name->type == GEN_IPADD) {
      out.insert("IP:" + std::to_string(ASN1_STRING_length(name->d.iPAddress)) + " bytes");
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

TEST(TlsIdentity, GeneratesSelfSignedP256CertificateWithSans) {
  const TlsIdentity id = generate_tls_identity({"node0.example", "127.0.0.1", "::1"}, 30);
  const X509Ptr cert = detail::parse_certificate_pem(id.cert_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1) << "self-signed by its own key";
  EXPECT_EQ(X509_check_ca(cert.get()), 0) << "CA:FALSE";
  EXPECT_EQ(X509_check_host(cert.get(), "node0.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_EQ(subject_alt_names(cert.get()), (std::set<std::string>{"DNS:node0.example", "IP:4 bytes", "IP:16 bytes"}));
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<std::uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));

  const EVP_PKEY* key = X509_get0_pubkey(cert.get());
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  char curve[64] = {};
  std::size_t curve_len = 0;
  ASSERT_EQ(EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof curve, &curve_len), 1);
  EXPECT_STREQ(curve, "prime256v1");
  EXPECT_NE(id.key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
}

TEST(TlsIdentity, PinIsSha256OfSubjectPublicKeyInfo) {
  const TlsIdentity id = generate_tls_identity({"localhost"});
  const X509Ptr cert = detail::parse_certificate_pem(id.cert_pem);
  ASSERT_NE(cert, nullptr);
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &der);
  ASSERT_GT(len, 0);
  Pin expected{};
  SHA256(der, static_cast<std::size_t>(len), expected.data());
  OPENSSL_free(der);

  EXPECT_EQ(id.pin, expected);
  EXPECT_EQ(pin_of_certificate_pem(id.cert_pem), expected);
  EXPECT_EQ(pin_of_private_key_pem(id.key_pem), expected);
}

TEST(TlsIdentity, EveryGenerationIsFresh) {
  const TlsIdentity a = generate_tls_identity({"localhost"});
  const TlsIdentity b = generate_tls_identity({"localhost"});
  EXPECT_NE(a.pin, b.pin);
  const X509Ptr ca = detail::parse_certificate_pem(a.cert_pem);
  const X509Ptr cb = detail::parse_certificate_pem(b.cert_pem);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(ca.get()), X509_get0_serialNumber(cb.get())), 0);
}

// Verifies `pem` against a trust store holding every certificate in `bundle`.
int verify_against_bundle(const std::string& pem, const std::vector<const TlsIdentity*>& bundle) {
  X509_STORE* store = X509_STORE_new();
  for (const TlsIdentity* id : bundle) {
    const X509Ptr c = detail::parse_certificate_pem(id->cert_pem);
    X509_STORE_add_cert(store, c.get());
  }
  const X509Ptr leaf = detail::parse_certificate_pem(pem);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  const int ok = X509_verify_cert(ctx);
  const int error = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok == 1 ? X509_V_OK : error;
}

TEST(TlsIdentity, CommonNameIsTheSubjectAndABundleOfDistinctSubjectsVerifiesEach) {
  const TlsIdentity a = generate_tls_identity({"127.0.0.1", "localhost"}, 30, "quorumclear-node-0");
  const TlsIdentity b = generate_tls_identity({"127.0.0.1", "localhost"}, 30, "quorumclear-node-1");
  const X509Ptr cert = detail::parse_certificate_pem(a.cert_pem);
  char cn[80] = {};
  ASSERT_GT(X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn), 0);
  EXPECT_STREQ(cn, "quorumclear-node-0");
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1) << "the SAN still names the host";
  // A client trusting both nodes' certificates (clearctl --cacert bundle).
  EXPECT_EQ(verify_against_bundle(a.cert_pem, {&a, &b}), X509_V_OK);
  EXPECT_EQ(verify_against_bundle(b.cert_pem, {&a, &b}), X509_V_OK);
  EXPECT_THROW((void)generate_tls_identity({"localhost"}, 30, std::string(65, 'c')), TlsIdentityError);
}

TEST(TlsIdentity, RefusesBadHostsAndValidity) {
  EXPECT_THROW((void)generate_tls_identity({}), TlsIdentityError);
  for (const char* bad : {"", "bad host", "a..b", "-a.example", "a-.example", "x,IP:1.2.3.4", "ex\xc3\xa4mple"}) {
    EXPECT_THROW((void)generate_tls_identity({bad}), TlsIdentityError) << bad;
  }
  EXPECT_THROW((void)generate_tls_identity({std::string(254, 'a')}), TlsIdentityError);
  EXPECT_THROW((void)generate_tls_identity({"localhost"}, 0), TlsIdentityError);
  EXPECT_THROW((void)generate_tls_identity({"localhost"}, kValidityDaysMax + 1), TlsIdentityError);
  EXPECT_NO_THROW((void)generate_tls_identity({"*.nodes.example", "10.0.0.7"}, 1));
}

TEST(TlsIdentity, PinHexRoundTripsInOneSpelling) {
  Pin pin{};
  for (std::size_t i = 0; i < pin.size(); ++i) pin[i] = static_cast<std::uint8_t>(i * 37 + 5);
  const std::string hex = to_hex(pin);
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.substr(0, 6), "052a4f");
  EXPECT_EQ(pin_from_hex(hex), pin);

  std::string upper = hex;
  upper[1] = 'A';
  EXPECT_EQ(pin_from_hex(upper), std::nullopt) << "upper case is not the canonical spelling";
  EXPECT_EQ(pin_from_hex(hex.substr(1)), std::nullopt);
  EXPECT_EQ(pin_from_hex(hex + "0"), std::nullopt);
  EXPECT_EQ(pin_from_hex(std::string(63, '0') + "g"), std::nullopt);
}

TEST(TlsIdentity, PinOfGarbageIsNothing) {
  EXPECT_EQ(pin_of_certificate_pem(""), std::nullopt);
  EXPECT_EQ(pin_of_certificate_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), std::nullopt);
  EXPECT_EQ(pin_of_certificate_pem(std::string(kPemBytesMax + 1, 'A')), std::nullopt);
  EXPECT_EQ(pin_of_private_key_pem("not a key"), std::nullopt);
}

}  // namespace
}  // namespace quorumclear::net
