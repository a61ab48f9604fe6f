#pragma once
// The API's two listeners on Poco's HTTPServer:
//   api  HTTPS (TLS 1.2 or later) with the node's tls.key / tls.crt, or
//        plain HTTP only when configured without TLS; bearer tokens; the
//        routes of routes.cc.
//   ops  plain HTTP, no token: GET /healthz and GET /readyz for probes,
//        GET /metrics for Prometheus.
// Each listener has its own bounded thread pool and connection queue, so
// probes answer while the API is saturated; a connection beyond the queue
// is closed by Poco (the client sees a reset, never an unbounded wait).
// Every request is answered: a malformed one gets a JSON error, an
// exception anywhere gets 500 INTERNAL, and the process keeps serving.
//
//   HttpServer server(node, config);   // binds both, throws ServerError
//   server.start();
//   ... server.api_port() ...
//   server.stop();                     // also done by the destructor

#include "services/api/node_service.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace quorumclear::api {

/// A listener's address; port 0 picks a free port (see api_port()).
struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

/// PEM files of the node's TLS identity (an unencrypted P-256 key and its
/// self-signed certificate; the key file's mode is checked by the config).
struct TlsIdentity {
  std::filesystem::path key_file;
  std::filesystem::path cert_file;
};

/// One answered request, for the node's structured log. Never holds a
/// token, a header or a body.
struct RequestRecord {
  std::string_view listener;  // "api" or "ops"
  std::string_view method;
  std::string_view route;  // the matched pattern, e.g. "/v1/trades/{trade_id}"; empty when none
  int status = 0;
  std::string_view member;   // the authenticated caller; empty before that
  std::string_view failure;  // a 500's exception text; empty otherwise
  std::uint64_t duration_us = 0;
};

struct ServerConfig {
  Endpoint api;
  /// HTTPS on the API listener; empty = plain HTTP (only when configured).
  std::optional<TlsIdentity> tls;
  Endpoint ops;
  std::size_t api_threads = 8;
  std::size_t api_queued_max = 64;  // accepted connections waiting for a thread
  std::size_t ops_threads = 2;
  std::size_t ops_queued_max = 16;
  /// Per socket read or write; bounds a slow client's hold on a thread.
  std::uint32_t io_timeout_ms = 10'000;
  std::uint32_t keep_alive_timeout_ms = 10'000;
  std::uint32_t keep_alive_requests_max = 1'000;
  /// Called from worker threads after each answer; may be empty.
  std::function<void(const RequestRecord&)> on_request;
};

/// A listener that could not be set up: names the endpoint or file.
class ServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpServer {
 public:
  /// Binds both listeners (and loads the TLS identity). `node` must outlive
  /// the server.
  HttpServer(NodeService& node, ServerConfig config);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  /// Stops accepting, closes open connections, waits for the workers.
  void stop();

  [[nodiscard]] std::uint16_t api_port() const;
  [[nodiscard]] std::uint16_t ops_port() const;

 private:
  struct Impl;  // Poco types stay in http_server.cc
  std::unique_ptr<Impl> impl_;
};

/// True for "application/json" with any parameters, in any letter case.
[[nodiscard]] bool is_json_media_type(std::string_view content_type);

}  // namespace quorumclear::api
