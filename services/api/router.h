#pragma once
// Routing without HTTP plumbing: match a method and path against the route
// table, authenticate the bearer token, apply the route's role gate, run
// its handler. http_server.cc feeds it requests and writes its replies;
// keeping Poco out of here keeps the rules readable in one place.

#include "services/api/api_error.h"
#include "services/api/node_service.h"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace quorumclear::api {

/// Query parameters in request order, percent-decoded.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// What a handler gets.
struct Call {
  const Caller& caller;
  const std::vector<std::string>& params;  // path parameters in pattern order
  const QueryParams& query;
  const std::string& body;  // empty for routes without a body
};

/// What goes back: status, JSON body, extra headers (Retry-After, Allow).
struct Reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = Reply (*)(NodeService& node, const Call& call);

/// Role bits for Route::roles.
inline constexpr unsigned role_bit(settlement::Role role) { return 1u << static_cast<unsigned>(role); }
inline constexpr unsigned kAnyRole = 0xffu;
inline constexpr unsigned kParties =
    role_bit(settlement::Role::kClearingMember) | role_bit(settlement::Role::kTradingVenue);
inline constexpr unsigned kOperatorOnly = role_bit(settlement::Role::kOperator);
inline constexpr unsigned kOverseers =
    role_bit(settlement::Role::kOperator) | role_bit(settlement::Role::kRegulator);

struct Route {
  std::string_view method;
  std::string_view pattern;    // "/v1/trades/{trade_id}": a {name} is one path segment
  unsigned roles;              // who may call it
  std::size_t body_bytes_max;  // 0: takes no body; else a JSON body up to this size
  bool body_optional;          // an empty body is allowed (POST /v1/cutoff)
  Handler handler;
};

/// A request that passed routing, authentication and its role gate.
struct Prepared {
  const Route* route = nullptr;
  Caller caller;
  std::vector<std::string> params;
};

/// The answer for an error.
[[nodiscard]] Reply error_reply(const ApiError& error);

class Router {
 public:
  /// `routes` must outlive the router.
  Router(NodeService& node, std::span<const Route> routes) : node_(node), routes_(routes) {}

  /// 404 (no route), 405 (no route for this method; Allow lists the
  /// others), 401 (missing, malformed or unknown bearer token) or 403 (role)
  /// as a Reply; otherwise the call to run. `authorization` is the raw
  /// Authorization header value (empty when absent); it is hashed, never kept.
  [[nodiscard]] std::variant<Prepared, Reply> prepare(std::string_view method, std::string_view path,
                                                      std::string_view authorization) const;

  /// Runs the handler; any exception becomes 500 INTERNAL (and `what` the
  /// exception's text, for the log).
  [[nodiscard]] Reply run(const Prepared& call, const QueryParams& query, const std::string& body,
                          std::string& what) const;

 private:
  NodeService& node_;
  std::span<const Route> routes_;
};

/// Splits "/v1/trades/T1" against "/v1/trades/{trade_id}"; empty when the
/// path does not fit, else the parameters.
[[nodiscard]] std::optional<std::vector<std::string>> match_pattern(std::string_view pattern,
                                                                    std::string_view path);

/// SHA-256 of the token in "Bearer <token>", or empty when the header is
/// not that form (RFC 6750 b64token, at most kTokenCharsMax characters).
[[nodiscard]] std::optional<TokenDigest> bearer_token_digest(std::string_view authorization);
inline constexpr std::size_t kTokenCharsMax = 512;

}  // namespace quorumclear::api
