#include "services/api/http_server.h"

#include "services/api/handlers.h"
#include "services/api/http_exchange.h"
#include "services/api/router.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <thread>

namespace quorumclear::api {
namespace {

constexpr int kListenBacklog = 64;

Poco::Net::HTTPServerParams::Ptr server_params(const ServerConfig& config, std::size_t threads,
                                               std::size_t queued) {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(static_cast<int>(threads));
  params->setMaxQueued(static_cast<int>(queued));
  params->setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(config.io_timeout_ms) * 1000));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(
      Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(config.keep_alive_timeout_ms) * 1000));
  params->setMaxKeepAliveRequests(static_cast<int>(config.keep_alive_requests_max));
  return params;
}

Poco::Net::SocketAddress address_of(const Endpoint& endpoint, std::string_view what) {
  try {
    return Poco::Net::SocketAddress(endpoint.host, endpoint.port);
  } catch (const Poco::Exception& e) {
    throw ServerError(std::string(what) + " listener " + endpoint.host + ": " + e.displayText());
  }
}

Poco::Net::Context::Ptr tls_context(const TlsIdentity& tls) {
  Poco::Net::Context::Params params;
  params.privateKeyFile = tls.key_file.string();
  params.certificateFile = tls.cert_file.string();
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;  // clients present no certificate
  params.loadDefaultCAs = false;
  params.cipherList = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL";  // TLS 1.2; 1.3 keeps its own
  try {
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    context->preferServerCiphers();
    return context;
  } catch (const Poco::Exception& e) {
    throw ServerError("TLS identity " + tls.key_file.string() + " / " + tls.cert_file.string() + ": " +
                      e.displayText());
  }
}

}  // namespace

struct HttpServer::Impl {
  Impl(NodeService& n, ServerConfig c)
      : node(n),
        config(std::move(c)),
        router(node, api_routes()),
        api_pool("api", 1, static_cast<int>(config.api_threads)),
        ops_pool("ops", 1, static_cast<int>(config.ops_threads)) {}

  NodeService& node;
  ServerConfig config;
  Router router;
  bool ssl_initialized = false;
  // The pools outlive the servers that use them (members die in reverse).
  Poco::ThreadPool api_pool;
  Poco::ThreadPool ops_pool;
  std::unique_ptr<Poco::Net::HTTPServer> api;
  std::unique_ptr<Poco::Net::HTTPServer> ops;
  std::uint16_t api_port = 0;
  std::uint16_t ops_port = 0;
  bool running = false;
};

HttpServer::HttpServer(NodeService& node, ServerConfig config)
    : impl_(std::make_unique<Impl>(node, std::move(config))) {
  Impl& s = *impl_;
  const Poco::Net::SocketAddress api_address = address_of(s.config.api, "api");
  const Poco::Net::SocketAddress ops_address = address_of(s.config.ops, "ops");
  try {
    std::unique_ptr<Poco::Net::ServerSocket> api_socket;
    if (s.config.tls) {
      Poco::Net::initializeSSL();
      s.ssl_initialized = true;
      api_socket = std::make_unique<Poco::Net::SecureServerSocket>(api_address, kListenBacklog,
                                                                   tls_context(*s.config.tls));
    } else {
      api_socket = std::make_unique<Poco::Net::ServerSocket>(api_address, kListenBacklog);
    }
    Poco::Net::ServerSocket ops_socket(ops_address, kListenBacklog);
    s.api_port = api_socket->address().port();
    s.ops_port = ops_socket.address().port();
    s.api = std::make_unique<Poco::Net::HTTPServer>(
        handler_factory(s.router, s.node, s.config, false), s.api_pool, *api_socket,
        server_params(s.config, s.config.api_threads, s.config.api_queued_max));
    s.ops = std::make_unique<Poco::Net::HTTPServer>(
        handler_factory(s.router, s.node, s.config, true), s.ops_pool, ops_socket,
        server_params(s.config, s.config.ops_threads, s.config.ops_queued_max));
  } catch (const ServerError&) {
    throw;
  } catch (const Poco::Exception& e) {
    throw ServerError("listen on " + api_address.toString() + " / " + ops_address.toString() + ": " +
                      e.displayText());
  }
}

HttpServer::~HttpServer() {
  stop();
  impl_->api.reset();
  impl_->ops.reset();
  if (impl_->ssl_initialized) Poco::Net::uninitializeSSL();
}

void HttpServer::start() {
  if (impl_->running) return;
  impl_->api->start();
  impl_->ops->start();
  impl_->running = true;
}

void HttpServer::stop() {
  if (!impl_->running) return;
  impl_->running = false;
  // Each server's acceptor notices the stop at its next 250 ms poll; stop
  // both at once rather than one after the other.
  std::thread ops_stopper([this] { impl_->ops->stopAll(true); });
  impl_->api->stopAll(true);
  ops_stopper.join();
  impl_->api_pool.joinAll();
  impl_->ops_pool.joinAll();
}

std::uint16_t HttpServer::api_port() const { return impl_->api_port; }
std::uint16_t HttpServer::ops_port() const { return impl_->ops_port; }

}  // namespace quorumclear::api
