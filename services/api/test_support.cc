#include "services/api/test_support.h"

#include "services/api/test_openapi_check.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <sstream>

namespace quorumclear::api::testing {

HttpAnswer send_call(Poco::Net::HTTPClientSession& session, const HttpCall& call) {
  Poco::Net::HTTPRequest request(call.method, call.target, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!call.token.empty()) request.set("Authorization", "Bearer " + call.token);
  if (call.body) {
    if (!call.content_type.empty()) request.setContentType(call.content_type);
    if (call.chunked) {
      request.setChunkedTransferEncoding(true);
    } else {
      request.setContentLength64(static_cast<Poco::Int64>(call.body->size()));
    }
  }
  std::ostream& out = session.sendRequest(request);
  if (call.body) out << *call.body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpAnswer answer;
  answer.status = static_cast<int>(response.getStatus());
  std::ostringstream body;
  Poco::StreamCopier::copyStream(in, body);
  answer.body = body.str();
  for (const auto& [name, value] : response) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(c));
    answer.headers[lower] = value;
  }
  return answer;
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, int timeout_ms) {
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
  socket.setReceiveTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout_ms) * 1000));
  socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string answer;
  char buffer[4096];
  try {
    while (true) {
      const int n = socket.receiveBytes(buffer, sizeof buffer);
      if (n <= 0) break;
      answer.append(buffer, static_cast<std::size_t>(n));
    }
  } catch (const Poco::Exception&) {
    // A timeout or reset ends the exchange; the test judges what arrived.
  }
  return answer;
}

std::string report_json(const std::vector<std::pair<std::string, std::string>>& replace,
                        const std::vector<std::string>& drop) {
  std::vector<std::pair<std::string, std::string>> fields = {{"trade_id", "\"T-1\""},
                                                             {"buyer", "\"BANK_A\""},
                                                             {"seller", "\"BANK_B\""},
                                                             {"isin", "\"DE0001102580\""},
                                                             {"quantity", "100"},
                                                             {"price", "\"10.50\""},
                                                             {"currency", "\"EUR\""},
                                                             {"trade_date", "\"2026-12-01\""},
                                                             {"settlement_date", "\"2026-12-02\""}};
  for (const auto& [name, raw] : replace) {
    bool found = false;
    for (auto& field : fields) {
      if (field.first == name) {
        field.second = raw;
        found = true;
      }
    }
    if (!found) fields.emplace_back(name, raw);
  }
  std::string out = "{";
  for (const auto& [name, raw] : fields) {
    if (std::find(drop.begin(), drop.end(), name) != drop.end()) continue;
    if (out.size() > 1) out += ", ";
    out += "\"" + name + "\": " + raw;
  }
  return out + "}";
}

std::string report_with_id(const std::string& trade_id) {
  return report_json({{"trade_id", "\"" + trade_id + "\""}});
}

void ApiTest::SetUp() {
  ServerConfig config;
  config.api_threads = 4;
  config.on_request = [this](const RequestRecord& r) {
    std::lock_guard lock(records_mu_);
    records_.push_back(std::string(r.listener) + " " + std::string(r.method) + " " + std::string(r.route) +
                       " " + std::to_string(r.status) + " " + std::string(r.member) + " " +
                       std::string(r.failure));
  };
  server_ = std::make_unique<HttpServer>(node_, std::move(config));
  server_->start();
}

void ApiTest::TearDown() {
  server_->stop();
  // Nothing the server reported may hold a token.
  std::lock_guard lock(records_mu_);
  for (const std::string& record : records_) EXPECT_EQ(record.find("s3cr3t"), std::string::npos) << record;
}

HttpAnswer ApiTest::call(const HttpCall& c) {
  Poco::Net::HTTPClientSession session("127.0.0.1", server_->api_port());
  session.setTimeout(Poco::Timespan(10, 0));
  HttpAnswer answer = send_call(session, c);
  for (const std::string& error :
       OpenApiDocument::instance().check(c.method, c.target, answer.status, answer.headers, answer.body)) {
    ADD_FAILURE() << c.method << " " << c.target << " -> " << answer.status << ": " << error << "\n"
                  << answer.body.substr(0, 2000);
  }
  return answer;
}

HttpAnswer ApiTest::get(const std::string& target, std::string_view member) {
  return call(HttpCall{"GET", target, FakeNode::token_of(member), std::nullopt, "application/json", false});
}

HttpAnswer ApiTest::post(const std::string& target, std::string_view member, const std::string& body) {
  return call(HttpCall{"POST", target, FakeNode::token_of(member), body, "application/json", false});
}

Poco::JSON::Object::Ptr ApiTest::json(const HttpAnswer& answer) {
  Poco::JSON::Parser parser;
  return parser.parse(answer.body).extract<Poco::JSON::Object::Ptr>();
}

void ApiTest::expect_error(const HttpAnswer& answer, int status, std::string_view code,
                           std::optional<std::string_view> field) {
  EXPECT_EQ(answer.status, status) << answer.body;
  const Poco::JSON::Object::Ptr error = json(answer)->getObject("error");
  ASSERT_TRUE(error) << answer.body;
  EXPECT_EQ(error->getValue<std::string>("code"), code) << answer.body;
  if (field) {
    EXPECT_EQ(error->has("field") ? error->getValue<std::string>("field") : "", *field) << answer.body;
  }
}

}  // namespace quorumclear::api::testing
