#include "services/cli/api_client.h"

#include "services/cli/json_access.h"
#include "services/net/openssl_handles.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/URI.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace quorumclear::cli {

struct ApiClient::Session {
  std::string host;
  std::uint16_t port = 0;
  bool tls = false;
  Poco::Net::Context::Ptr context;
  std::unique_ptr<Poco::Net::HTTPClientSession> http;
  bool used = false;  // a request went over this connection: it may have been closed since

  void reset() {
    http.reset();
    used = false;
  }
  Poco::Net::HTTPClientSession& connection() {
    if (!http) {
      http = tls ? std::make_unique<Poco::Net::HTTPSClientSession>(host, port, context)
                 : std::make_unique<Poco::Net::HTTPClientSession>(host, port);
      http->setTimeout(Poco::Timespan(kConnectTimeout.count(), 0), Poco::Timespan(kAnswerTimeout.count(), 0),
                       Poco::Timespan(kAnswerTimeout.count(), 0));
      http->setKeepAlive(true);
    }
    return *http;
  }
};

namespace {

// Each file is loaded into the context's trust store; a bundle holds several
// certificates (one per node): OpenSSL loads them all.
std::optional<std::string> trust(Poco::Net::Context& context, const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return "--cacert " + file + ": not a readable file";
    if (std::ifstream probe(file); !probe) return "--cacert " + file + ": cannot be read";
    ERR_clear_error();
    if (SSL_CTX_load_verify_locations(context.sslContext(), file.c_str(), nullptr) != 1) {
      return "--cacert " + file + ": not a PEM certificate file (" + net::detail::take_openssl_error() + ")";
    }
  }
  return std::nullopt;
}

}  // namespace

ApiClient::ApiClient(Endpoint endpoint) : endpoint_(std::move(endpoint)), session_(std::make_unique<Session>()) {}
ApiClient::~ApiClient() = default;

std::variant<std::unique_ptr<ApiClient>, std::string> ApiClient::open(const Endpoint& endpoint) {
  Poco::URI uri;
  try {
    uri = Poco::URI(endpoint.url);
  } catch (const Poco::Exception&) {
    return "--node " + endpoint.url + ": not a URL (say https://HOST:PORT)";
  }
  const bool tls = uri.getScheme() == "https";
  if (!tls && uri.getScheme() != "http") return "--node " + endpoint.url + ": must start with https:// or http://";
  if (uri.getHost().empty()) return "--node " + endpoint.url + ": names no host";
  if (!(uri.getPath().empty() || uri.getPath() == "/") || !uri.getRawQuery().empty() || !uri.getFragment().empty()) {
    return "--node " + endpoint.url + ": give only https://HOST:PORT (no path)";
  }
  if (tls && endpoint.cacert.empty()) return "--cacert is required for an https:// node (its tls.crt)";
  std::unique_ptr<ApiClient> client(new ApiClient(endpoint));
  Session& s = *client->session_;
  s.host = uri.getHost();
  s.port = uri.getPort();
  s.tls = tls;
  if (tls) {
    try {
      // No system CAs: a node's certificate is self-signed and trusted only
      // as given. VERIFY_RELAXED verifies the server's certificate; Poco then
      // checks the host name against it (skipped for loopback addresses).
      s.context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                         Poco::Net::Context::VERIFY_RELAXED, 9, false);
      s.context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    } catch (const Poco::Exception& e) {
      return "TLS: " + e.displayText();
    }
    if (auto problem = trust(*s.context, endpoint.cacert)) return *problem;
  }
  return client;
}

HttpResult ApiClient::get(const std::string& path_and_query) { return send("GET", path_and_query, ""); }

HttpResult ApiClient::post(const std::string& path, const std::string& json_body) {
  return send("POST", path, json_body);
}

HttpResult ApiClient::send(const std::string& method, const std::string& path, const std::string& body) {
  HttpResult result;
  for (int attempt = 0;; ++attempt) {
    const bool reused = session_->used;
    std::string retry_after;
    result = send_once(method, path, body, &retry_after);
    if (result.status == 0 && reused && attempt == 0) continue;  // the server closed an idle keep-alive connection
    if ((result.status == 429 || result.status == 503) && attempt < kBusyRetriesMax) {
      long seconds = 1;
      try {
        seconds = retry_after.empty() ? 1 : std::stol(retry_after);
      } catch (const std::exception&) {
        seconds = 1;  // a Retry-After date form: wait the minimum
      }
      seconds = std::clamp<long>(seconds, 1, kRetryAfterMax.count());
      std::this_thread::sleep_for(std::chrono::seconds(seconds));
      continue;
    }
    return result;
  }
}

HttpResult ApiClient::send_once(const std::string& method, const std::string& path, const std::string& body,
                                std::string* retry_after) {
  HttpResult result;
  try {
    Poco::Net::HTTPClientSession& session = session_->connection();
    session_->used = true;
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    if (!endpoint_.token.empty()) request.set("Authorization", "Bearer " + endpoint_.token);
    request.set("Accept", "application/json");
    if (method == "POST") {
      request.setContentType("application/json");
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    char buffer[64 * 1024];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      result.body.append(buffer, static_cast<std::size_t>(in.gcount()));
      if (result.body.size() > kAnswerBytesMax) {
        session_->reset();
        return HttpResult{0, "", endpoint_.url + ": the answer is larger than " + std::to_string(kAnswerBytesMax) + " bytes"};
      }
    }
    result.status = static_cast<int>(response.getStatus());
    *retry_after = response.get("Retry-After", "");
    if (!response.getKeepAlive()) session_->reset();
  } catch (const Poco::Exception& e) {
    session_->reset();
    result = HttpResult{0, "", endpoint_.url + ": " + e.displayText()};
  } catch (const std::exception& e) {
    session_->reset();
    result = HttpResult{0, "", endpoint_.url + ": " + e.what()};
  }
  return result;
}

std::string describe_failure(const HttpResult& result) {
  if (result.status == 0) return "no answer from " + result.transport_error;
  const std::string status = "HTTP " + std::to_string(result.status);
  if (const auto json = parse_answer(result.body)) {
    if (const JsonValue* error = find(*json, "error")) {
      std::string out = status + " " + field_text(*error, "code") + ": " + field_text(*error, "message");
      if (const std::string field = field_text(*error, "field"); !field.empty()) out += " (field " + field + ")";
      return out;
    }
  }
  std::string start = result.body.substr(0, 200);
  for (char& c : start) {
    if (c < 0x20 || c > 0x7e) c = ' ';
  }
  return start.empty() ? status : status + ": " + start;
}

std::string url_encode(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]%", out);  // every reserved character too
  return out;
}

}  // namespace quorumclear::cli
