#include "services/api/router.h"

#include "services/api/json_writer.h"
#include "services/api/reply.h"

#include <openssl/evp.h>

#include <algorithm>
#include <exception>

namespace quorumclear::api {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path[0] != '/') return out;
  std::size_t start = 1;
  while (true) {
    const std::size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '+' || c == '/';
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

Reply unauthenticated(std::string message) {
  Reply reply = error_reply(ApiError{401, "UNAUTHENTICATED", std::move(message), {}, 0});
  reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"quorumclear\"");
  return reply;
}

}  // namespace

Reply error_reply(const ApiError& error) {
  JsonWriter w;
  w.begin_object().key("error").begin_object();
  w.field("code", error.code).field("message", error.message).field_if("field", error.field);
  w.end_object().end_object();
  Reply reply{error.status, w.take(), {}};
  if (error.status == 429 || error.status == 503) {
    reply.headers.emplace_back("Retry-After",
                               std::to_string(std::max<std::uint32_t>(1, error.retry_after_seconds)));
  }
  return reply;
}

std::optional<std::vector<std::string>> match_pattern(std::string_view pattern, std::string_view path) {
  const std::vector<std::string_view> want = segments(pattern);
  const std::vector<std::string_view> have = segments(path);
  if (want.size() != have.size()) return std::nullopt;
  std::vector<std::string> params;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (!want[i].empty() && want[i].front() == '{') {
      if (have[i].empty()) return std::nullopt;
      params.emplace_back(have[i]);
    } else if (want[i] != have[i]) {
      return std::nullopt;
    }
  }
  return params;
}

std::optional<TokenDigest> bearer_token_digest(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size() || !iequals(authorization.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  // RFC 6750 b64token: token characters, then optional '=' padding.
  std::size_t end = 0;
  while (end < token.size() && is_token_char(token[end])) ++end;
  if (end == 0 || token.size() > kTokenCharsMax) return std::nullopt;
  for (std::size_t i = end; i < token.size(); ++i) {
    if (token[i] != '=') return std::nullopt;
  }
  TokenDigest digest{};
  unsigned int length = 0;
  if (EVP_Digest(token.data(), token.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    return std::nullopt;
  }
  return digest;
}

std::variant<Prepared, Reply> Router::prepare(std::string_view method, std::string_view path,
                                              std::string_view authorization) const {
  // Among the routes whose pattern fits, the one for this method with the
  // fewest parameters: a literal segment ("bulk") beats "{trade_id}".
  const Route* best = nullptr;
  std::vector<std::string> best_params;
  std::string allow;
  for (const Route& route : routes_) {
    std::optional<std::vector<std::string>> params = match_pattern(route.pattern, path);
    if (!params) continue;
    if (route.method != method) {
      if (allow.find(route.method) == std::string::npos) {
        allow += allow.empty() ? "" : ", ";
        allow += route.method;
      }
      continue;
    }
    if (best == nullptr || params->size() < best_params.size()) {
      best = &route;
      best_params = std::move(*params);
    }
  }
  if (best == nullptr && allow.empty()) {
    return error_reply(ApiError{404, "NOT_FOUND", "no such resource", {}, 0});
  }
  if (best == nullptr) {
    Reply reply = error_reply(ApiError{405, "METHOD_NOT_ALLOWED", "allowed: " + allow, {}, 0});
    reply.headers.emplace_back("Allow", allow);
    return reply;
  }
  if (authorization.empty()) return unauthenticated("an Authorization: Bearer token is required");
  const std::optional<TokenDigest> digest = bearer_token_digest(authorization);
  if (!digest) return unauthenticated("the Authorization header is not a Bearer token");
  Answer<std::optional<Caller>> found = node_.authenticate(*digest);
  if (const auto* refusal = std::get_if<Refusal>(&found)) return refusal_reply(*refusal);
  const std::optional<Caller>& caller = std::get<std::optional<Caller>>(found);
  if (!caller) return unauthenticated("the token is not valid at this node");
  if ((best->roles & role_bit(caller->role)) == 0) {
    return error_reply(ApiError{403,
                                "ROLE_FORBIDDEN",
                                std::string(settlement::to_string(caller->role)) + " may not use this route",
                                {},
                                0});
  }
  return Prepared{best, *caller, std::move(best_params)};
}

Reply Router::run(const Prepared& call, const QueryParams& query, const std::string& body,
                  std::string& what) const {
  const ApiError internal{500, "INTERNAL", "the node failed to answer this request", {}, 0};
  try {
    return call.route->handler(node_, Call{call.caller, call.params, query, body});
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "unknown exception";
  }
  return error_reply(internal);
}

}  // namespace quorumclear::api
