#pragma once
// An error answer as the client sees it: an HTTP status and the body
// {"error": {"code": ..., "message": ..., "field": ...}}. Errors are values:
// decoding and handlers return them, nothing throws for bad input.

#include <cstdint>
#include <string>

namespace quorumclear::api {

struct ApiError {
  int status = 400;
  std::string code;                       // UPPER_SNAKE
  std::string message;                    // for people; never echoes a token
  std::string field;                      // JSON field path or query parameter; may be empty
  std::uint32_t retry_after_seconds = 0;  // 429 and 503
};

/// 400 with `code` naming `field`.
[[nodiscard]] inline ApiError bad_request(std::string code, std::string message, std::string field = {}) {
  return ApiError{400, std::move(code), std::move(message), std::move(field), 0};
}

}  // namespace quorumclear::api
