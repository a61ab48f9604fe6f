// The ops listener: GET /healthz answers while the process lives (it asks
// the node nothing, so a stuck node still shows as alive but not ready),
// GET /readyz names every readiness check and why it fails, GET /metrics is
// the node's Prometheus page (never on the member API's port).

#include "services/api/handlers.h"
#include "services/api/reply.h"

#include <algorithm>

namespace quorumclear::api {

bool is_ops_path(std::string_view path) { return path == "/healthz" || path == "/readyz" || path == "/metrics"; }

Reply ops_reply(NodeService& node, std::string_view method, std::string_view path) {
  if (!is_ops_path(path)) {
    return error_reply(ApiError{404, "NOT_FOUND", "no such resource", {}, 0});
  }
  if (method != "GET") {
    Reply reply = error_reply(ApiError{405, "METHOD_NOT_ALLOWED", "allowed: GET", {}, 0});
    reply.headers.emplace_back("Allow", "GET");
    return reply;
  }
  if (path == "/metrics") {
    std::optional<std::string> page = node.metrics_page();
    if (!page) return error_reply(ApiError{404, "NOT_FOUND", "this node keeps no metrics", {}, 0});
    return Reply{200, std::move(*page), {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}}};
  }
  JsonWriter w;
  if (path == "/healthz") {
    w.begin_object().field("status", "alive").end_object();
    return json_reply(200, w.take());
  }
  const Readiness readiness = node.readiness();
  const bool ready = std::all_of(readiness.checks.begin(), readiness.checks.end(),
                                 [](const ReadinessCheck& c) { return c.ok; });
  w.begin_object().field("ready", ready).key("checks").begin_array();
  for (const ReadinessCheck& c : readiness.checks) {
    w.begin_object().field("name", c.name).field("ok", c.ok);
    if (!c.ok) w.field("reason", c.reason.empty() ? std::string_view("failing") : c.reason);
    w.end_object();
  }
  w.end_array().end_object();
  return json_reply(ready ? 200 : 503, w.take());
}

}  // namespace quorumclear::api
