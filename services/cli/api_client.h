#pragma once
// clearctl's HTTPS client for a node's REST API (services/api/openapi.json).
// Poco NetSSL stays inside api_client.cc. One keep-alive connection per
// client; the server's certificate is verified against the --cacert PEM
// file(s) only (no system CAs: nodes' certificates are self-signed), and
// the bearer token is sent in a header and never printed or logged.

#include <chrono>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace quorumclear::cli {

/// Where and how to reach one node.
struct Endpoint {
  std::string url;                  // https://host:port or http://host:port (no path)
  std::vector<std::string> cacert;  // PEM files to trust (each may hold several certificates)
  std::string token;                // secret: never print it
};

/// One answer: status 0 means no HTTP answer came (transport_error says why).
struct HttpResult {
  int status = 0;
  std::string body;
  std::string transport_error;
};

// Limits (STYLE.md section 5).
inline constexpr std::size_t kAnswerBytesMax = 64 * 1024 * 1024;
inline constexpr std::chrono::seconds kConnectTimeout{10};
inline constexpr std::chrono::seconds kAnswerTimeout{120};
/// 429 and 503 answers are retried this often, after their Retry-After (capped).
inline constexpr int kBusyRetriesMax = 5;
inline constexpr std::chrono::seconds kRetryAfterMax{5};

class ApiClient {
 public:
  /// Checks the URL and the trust files; the connection opens on the first request.
  /// A refusal says what is wrong ("--node: ...", "--cacert FILE: ...").
  [[nodiscard]] static std::variant<std::unique_ptr<ApiClient>, std::string> open(const Endpoint& endpoint);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  /// GET path (with query). Retries a dropped keep-alive connection once,
  /// and 429/503 up to kBusyRetriesMax times.
  [[nodiscard]] HttpResult get(const std::string& path_and_query);
  /// POST a JSON body; the same retries (every POST of the API is
  /// idempotent: a repeated report answers DUPLICATE, a repeated cut-off
  /// vote is the same vote).
  [[nodiscard]] HttpResult post(const std::string& path, const std::string& json_body);
  [[nodiscard]] const std::string& url() const { return endpoint_.url; }

 private:
  struct Session;
  explicit ApiClient(Endpoint endpoint);
  HttpResult send(const std::string& method, const std::string& path, const std::string& body);
  HttpResult send_once(const std::string& method, const std::string& path, const std::string& body,
                       std::string* retry_after);

  Endpoint endpoint_;
  std::unique_ptr<Session> session_;
};

/// "HTTP 403 MEMBER_FORBIDDEN: message (field member)" from an error
/// answer {"error": {"code", "message", "field"}}, or "no answer from URL:
/// why" (transport_error is "URL: why"),
/// or the status and the start of a body that is not such JSON.
[[nodiscard]] std::string describe_failure(const HttpResult& result);

/// Percent-encodes a path segment or query value (RFC 3986 unreserved kept).
[[nodiscard]] std::string url_encode(const std::string& text);

}  // namespace quorumclear::cli
