#include "services/api/http_exchange.h"

#include "services/api/handlers.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <array>
#include <chrono>
#include <istream>

namespace quorumclear::api {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

// How much of a refused request's body is read and dropped before the
// answer (see drain_body): twice the largest body a route takes.
constexpr std::uint64_t kDrainBytesMax = 16 * 1024 * 1024;

// What one request's handling learned, for the reply and the log.
struct Exchange {
  std::string route;
  std::string member;
  std::string failure;
  bool keep_alive = true;
};

bool has_body(const HTTPServerRequest& request) {
  return request.getChunkedTransferEncoding() ||
         (request.hasContentLength() && request.getContentLength64() > 0);
}

Reply internal_error() {
  return error_reply(ApiError{500, "INTERNAL", "the request could not be answered", {}, 0});
}

// After refusing a request without reading all of its body: reads and
// drops the rest, so that a client still sending reads our answer instead of
// a connection reset. Bounded by kDrainBytesMax (and the socket timeout);
// false when the connection must close instead.
bool drain_body(HTTPServerRequest& request, std::size_t already_read) {
  if (!has_body(request)) return true;
  if (!request.getChunkedTransferEncoding() &&
      static_cast<std::uint64_t>(request.getContentLength64()) - already_read > kDrainBytesMax) {
    return false;
  }
  std::istream& in = request.stream();
  std::array<char, 16 * 1024> chunk{};
  std::size_t dropped = 0;
  while (in && dropped <= kDrainBytesMax) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    dropped += static_cast<std::size_t>(in.gcount());
  }
  return in.eof() && !in.bad() && dropped <= kDrainBytesMax;
}

// Reads the body of a route that takes one. RFC 9112 section 6.3: a request
// with neither Content-Length nor chunked coding has no body (Poco would
// otherwise read to the end of the connection).
std::optional<Reply> read_body(HTTPServerRequest& request, const Route& route, std::string& body,
                               Exchange& ex) {
  const bool present = has_body(request);
  if (!present && route.body_optional) return std::nullopt;
  if (!is_json_media_type(request.getContentType())) {
    ex.keep_alive = drain_body(request, 0);
    return error_reply(ApiError{
        415, "UNSUPPORTED_MEDIA_TYPE", "the body must be sent as Content-Type: application/json", {}, 0});
  }
  if (!present) return std::nullopt;
  const ApiError too_large{
      413, "BODY_TOO_LARGE", "the body exceeds " + std::to_string(route.body_bytes_max) + " bytes", {}, 0};
  const bool chunked = request.getChunkedTransferEncoding();
  if (!chunked && request.getContentLength64() > static_cast<Poco::Int64>(route.body_bytes_max)) {
    ex.keep_alive = drain_body(request, 0);
    return error_reply(too_large);
  }
  std::istream& in = request.stream();
  std::array<char, 16 * 1024> chunk{};
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (body.size() + got > route.body_bytes_max) {
      ex.keep_alive = drain_body(request, body.size() + got);
      return error_reply(too_large);
    }
    body.append(chunk.data(), got);
  }
  if (in.bad() || (!chunked && body.size() != static_cast<std::size_t>(request.getContentLength64()))) {
    ex.keep_alive = false;
    return error_reply(ApiError{400, "BODY_INCOMPLETE", "the body ended early or timed out", {}, 0});
  }
  return std::nullopt;
}

QueryParams query_of(const Poco::URI& uri) {
  QueryParams query;
  for (auto& [name, value] : uri.getQueryParameters()) query.emplace_back(name, value);
  return query;
}

Reply serve_api(const Router& router, HTTPServerRequest& request, Exchange& ex) {
  std::optional<Poco::URI> uri;
  QueryParams query;
  try {
    uri.emplace(request.getURI());
    query = query_of(*uri);
  } catch (const Poco::Exception&) {
    ex.keep_alive = drain_body(request, 0);
    return error_reply(bad_request("MALFORMED_URI", "the request target is not a valid URI"));
  }
  if (uri->getPath() == "/dashboard" && request.getMethod() == "GET") {
    ex.route = "/dashboard";
    ex.keep_alive = drain_body(request, 0);
    return dashboard_page();
  }
  auto prepared = router.prepare(request.getMethod(), uri->getPath(), request.get("Authorization", ""));
  if (auto* reply = std::get_if<Reply>(&prepared)) {
    ex.keep_alive = drain_body(request, 0);
    return std::move(*reply);
  }
  const Prepared& call = std::get<Prepared>(prepared);
  ex.route = std::string(call.route->pattern);
  ex.member = std::string(call.caller.member.view());
  std::string body;
  if (call.route->body_bytes_max == 0) {
    ex.keep_alive = drain_body(request, 0);  // a body it does not take is ignored
  } else if (std::optional<Reply> refused = read_body(request, *call.route, body, ex)) {
    return std::move(*refused);
  }
  return router.run(call, query, body, ex.failure);
}

void send(HTTPServerResponse& response, const HTTPServerRequest& request, const Reply& reply,
          bool keep_alive) {
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  response.setContentType("application/json");
  response.setContentLength64(static_cast<Poco::Int64>(reply.body.size()));
  response.set("Cache-Control", "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : reply.headers) response.set(name, value);
  response.setKeepAlive(keep_alive && request.getKeepAlive());
  response.sendBuffer(reply.body.data(), reply.body.size());
}

// One request on either listener. Poco creates one per request.
class RequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  RequestHandler(const Router& router, NodeService& node, const ServerConfig& config, bool ops)
      : router_(router), node_(node), config_(config), ops_(ops) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    const auto started = std::chrono::steady_clock::now();
    Exchange ex;
    Reply reply;
    try {
      reply = ops_ ? serve_ops(request, ex) : serve_api(router_, request, ex);
    } catch (const std::exception& e) {
      ex.failure = e.what();
    } catch (...) {
      ex.failure = "unknown exception";
    }
    if (!ex.failure.empty() && reply.status != 500) {
      reply = internal_error();
      ex.keep_alive = false;
    }
    try {
      send(response, request, reply, ex.keep_alive);
    } catch (...) {
      // The client went away; nothing left to answer.
    }
    if (config_.on_request) {
      const auto elapsed = std::chrono::steady_clock::now() - started;
      config_.on_request(RequestRecord{
          ops_ ? "ops" : "api", request.getMethod(), ex.route, reply.status, ex.member, ex.failure,
          static_cast<std::uint64_t>(
              std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count())});
    }
  }

 private:
  Reply serve_ops(HTTPServerRequest& request, Exchange& ex) {
    ex.keep_alive = drain_body(request, 0);
    std::string path;
    try {
      path = Poco::URI(request.getURI()).getPath();
    } catch (const Poco::Exception&) {
      return error_reply(bad_request("MALFORMED_URI", "the request target is not a valid URI"));
    }
    ex.route = is_ops_path(path) ? path : "";
    return ops_reply(node_, request.getMethod(), path);
  }

  const Router& router_;
  NodeService& node_;
  const ServerConfig& config_;
  bool ops_;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  HandlerFactory(const Router& router, NodeService& node, const ServerConfig& config, bool ops)
      : router_(router), node_(node), config_(config), ops_(ops) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new RequestHandler(router_, node_, config_, ops_);
  }

 private:
  const Router& router_;
  NodeService& node_;
  const ServerConfig& config_;
  bool ops_;
};

}  // namespace

Poco::Net::HTTPRequestHandlerFactory::Ptr handler_factory(const Router& router, NodeService& node,
                                                          const ServerConfig& config, bool ops) {
  return new HandlerFactory(router, node, config, ops);
}

bool is_json_media_type(std::string_view content_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  std::string normal;
  for (char c : type) {
    if (c != ' ' && c != '\t') normal += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  return normal == "application/json";
}

}  // namespace quorumclear::api
