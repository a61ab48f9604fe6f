#pragma once
// Internal to http_server.cc: the Poco request handlers of both listeners.
// One request: parse the target, route, authenticate and gate (router.h),
// read a bounded body, run the handler, write the reply; every exception
// becomes 500 and the process keeps serving.

#include "services/api/http_server.h"
#include "services/api/router.h"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace quorumclear::api {

/// Handlers for the API listener (`ops` false) or the ops listener. The
/// arguments must outlive the factory's server.
[[nodiscard]] Poco::Net::HTTPRequestHandlerFactory::Ptr handler_factory(const Router& router,
                                                                        NodeService& node,
                                                                        const ServerConfig& config, bool ops);

}  // namespace quorumclear::api
