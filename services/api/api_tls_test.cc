// Proves the API listener serves HTTPS with a self-signed P-256 identity
// (generated here with the OpenSSL API), accepts TLS 1.2 and 1.3 clients,
// survives a plain-HTTP client on the TLS port, and names the files of an
// identity it cannot load.

#include "services/api/test_openapi_check.h"
#include "services/api/test_support.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <random>

namespace quorumclear::api::testing {
namespace {

namespace fs = std::filesystem;

// Writes tls.key (0600) and tls.crt into `dir`: an ECDSA P-256 key and a
// self-signed certificate for 127.0.0.1 and localhost.
void write_identity(const fs::path& dir) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  const std::string cn = "127.0.0.1";
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    ASSERT_NE(ext, nullptr);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  BIO* key_out = BIO_new_file((dir / "tls.key").c_str(), "w");
  ASSERT_EQ(PEM_write_bio_PrivateKey(key_out, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  BIO_free(key_out);
  fs::permissions(dir / "tls.key", fs::perms::owner_read | fs::perms::owner_write);
  BIO* cert_out = BIO_new_file((dir / "tls.crt").c_str(), "w");
  ASSERT_EQ(PEM_write_bio_X509(cert_out, cert), 1);
  BIO_free(cert_out);
  X509_free(cert);
  EVP_PKEY_free(key);
}

class ApiTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("qc-api-tls-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    ASSERT_NO_FATAL_FAILURE(write_identity(dir_));
    Poco::Net::initializeSSL();
    ServerConfig config;
    config.tls = TlsIdentity{dir_ / "tls.key", dir_ / "tls.crt"};
    server_ = std::make_unique<HttpServer>(node_, std::move(config));
    server_->start();
  }
  void TearDown() override {
    server_.reset();
    Poco::Net::uninitializeSSL();
    fs::remove_all(dir_);
  }

  // A client trusting exactly the generated certificate, host name checked.
  Poco::Net::Context::Ptr client_context(bool tls12_only, const fs::path& ca = {}) {
    Poco::Net::Context::Params params;
    params.caLocation = (ca.empty() ? dir_ / "tls.crt" : ca).string();
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.loadDefaultCAs = false;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    if (tls12_only) context->disableProtocols(Poco::Net::Context::PROTO_TLSV1_3);
    return context;
  }

  HttpAnswer https(const HttpCall& call, bool tls12_only = false) {
    Poco::Net::HTTPSClientSession session("127.0.0.1", server_->api_port(), client_context(tls12_only));
    session.setTimeout(Poco::Timespan(10, 0));
    HttpAnswer answer = send_call(session, call);
    for (const std::string& error : OpenApiDocument::instance().check(call.method, call.target, answer.status,
                                                                      answer.headers, answer.body)) {
      ADD_FAILURE() << call.target << ": " << error;
    }
    return answer;
  }

  fs::path dir_;
  FakeNode node_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ApiTlsTest, ServesHttpsWithTheNodesIdentity) {
  const std::string token = FakeNode::token_of("BANK_A");
  EXPECT_EQ(https(HttpCall{"GET", "/v1/node", token, std::nullopt, "", false}).status, 200);
  EXPECT_EQ(https(HttpCall{"POST", "/v1/trades", token, report_json(), "application/json", false}).status,
            202);
  EXPECT_EQ(https(HttpCall{"GET", "/v1/node", "", std::nullopt, "", false}).status, 401);
}

TEST_F(ApiTlsTest, AClientPinnedToAnotherCertificateRefusesTheServer) {
  const fs::path other = dir_ / "other";
  fs::create_directories(other);
  ASSERT_NO_FATAL_FAILURE(write_identity(other));
  Poco::Net::HTTPSClientSession session("127.0.0.1", server_->api_port(),
                                        client_context(false, other / "tls.crt"));
  EXPECT_ANY_THROW(
      send_call(session, HttpCall{"GET", "/v1/node", FakeNode::token_of("BANK_A"), std::nullopt, "", false}));
}

TEST_F(ApiTlsTest, AcceptsTls12Clients) {
  EXPECT_EQ(
      https(HttpCall{"GET", "/v1/node", FakeNode::token_of("OPS"), std::nullopt, "", false}, true).status,
      200);
}

TEST_F(ApiTlsTest, APlainHttpClientOnTheTlsPortGetsNoAnswerAndChangesNothing) {
  const std::string answer =
      raw_exchange(server_->api_port(), "GET /v1/node HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                            FakeNode::token_of("BANK_A") + "\r\n\r\n");
  EXPECT_EQ(answer.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_EQ(https(HttpCall{"GET", "/v1/node", FakeNode::token_of("BANK_A"), std::nullopt, "", false}).status,
            200);
}

TEST_F(ApiTlsTest, AnIdentityThatCannotLoadNamesItsFiles) {
  ServerConfig config;
  config.tls = TlsIdentity{dir_ / "missing.key", dir_ / "tls.crt"};
  try {
    HttpServer server(node_, std::move(config));
    ADD_FAILURE() << "started without a key";
  } catch (const ServerError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.key"), std::string::npos) << e.what();
  }
}

TEST(ApiHttpServerSetup, ABadListenAddressIsAServerError) {
  FakeNode node;
  ServerConfig config;
  config.api.host = "not an address";
  EXPECT_THROW(HttpServer(node, std::move(config)), ServerError);
}

}  // namespace
}  // namespace quorumclear::api::testing
