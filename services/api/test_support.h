#pragma once
// The API tests' harness: a real HttpServer on 127.0.0.1 in front of a
// FakeNode, a Poco HTTP client, and a check of every response against
// openapi.json.

#include "services/api/http_server.h"
#include "services/api/test_fake_node.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace quorumclear::api::testing {

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct HttpCall {
  std::string method = "GET";
  std::string target;
  std::string token;  // sent as "Bearer <token>" when not empty
  std::optional<std::string> body;
  std::string content_type = "application/json";
  bool chunked = false;
};

/// Sends one request on `session` and reads the whole answer.
HttpAnswer send_call(Poco::Net::HTTPClientSession& session, const HttpCall& call);

/// Writes `bytes` to a fresh TCP connection and returns everything the
/// server sends back until it closes (or `timeout_ms` pass).
std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms = 5000);

/// A report body: the valid default with fields replaced by raw JSON text
/// (`{"price", "10.5"}` writes a JSON number) and fields dropped.
std::string report_json(const std::vector<std::pair<std::string, std::string>>& replace = {},
                        const std::vector<std::string>& drop = {});

/// A trade id'd report of BANK_A buying from BANK_B, as JSON.
std::string report_with_id(const std::string& trade_id);

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Sends `call` on a fresh connection and expects the answer to be what
  /// openapi.json documents.
  HttpAnswer call(const HttpCall& call);
  HttpAnswer get(const std::string& target, std::string_view member);
  HttpAnswer post(const std::string& target, std::string_view member, const std::string& body);

  static Poco::JSON::Object::Ptr json(const HttpAnswer& answer);
  /// The answer is `status` with error.code `code` (and error.field `field`).
  static void expect_error(const HttpAnswer& answer, int status, std::string_view code,
                           std::optional<std::string_view> field = std::nullopt);

  FakeNode node_;
  std::unique_ptr<HttpServer> server_;
  std::mutex records_mu_;
  std::vector<std::string> records_;  // every RequestRecord, flattened to text
};

}  // namespace quorumclear::api::testing
