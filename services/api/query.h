#pragma once
// Reads a route's query parameters: only the names the route allows, each
// at most once, each in its documented form. The first problem is kept as
// the answer (400, or 403 for a member filter the caller may not use), and
// later reads are then skipped, so a handler reads everything and checks
// error() once.

#include "services/api/api_error.h"
#include "services/api/router.h"

#include <initializer_list>
#include <optional>
#include <string_view>

namespace quorumclear::api {

class QueryReader {
 public:
  /// Records PARAMETER_UNKNOWN or PARAMETER_DUPLICATE at once.
  QueryReader(const QueryParams& query, std::initializer_list<std::string_view> allowed);

  [[nodiscard]] const std::optional<ApiError>& error() const { return error_; }

  /// The raw value, when given.
  [[nodiscard]] std::optional<std::string_view> text(std::string_view name);
  /// YYYY-MM-DD.
  [[nodiscard]] std::optional<settlement::BusinessDate> date(std::string_view name);
  /// A ReportStatus name such as "ALLEGED".
  [[nodiscard]] std::optional<ReportStatus> status(std::string_view name);
  /// A decimal integer without sign or leading zeros.
  [[nodiscard]] std::optional<std::uint64_t> unsigned_integer(std::string_view name);
  /// A member id, ISIN or currency code of at most its capacity.
  template <class Code>
  [[nodiscard]] std::optional<Code> code(std::string_view name) {
    const std::optional<std::string_view> raw = text(name);
    if (!raw) return std::nullopt;
    std::optional<Code> value = Code::from(*raw);
    if (!value || value->empty()) invalid(name, "is not a valid code");
    return value;
  }
  /// A member filter: the operator and the regulator may name anyone, other
  /// callers only themselves (else 403 MEMBER_FORBIDDEN).
  [[nodiscard]] std::optional<settlement::MemberId> member(std::string_view name, const Caller& caller);
  /// "cursor" (opaque, base64url-like, at most kCursorCharsMax) and "limit"
  /// (1..limit_max, default limit_default).
  [[nodiscard]] Page page(std::uint32_t limit_default, std::uint32_t limit_max);

 private:
  void invalid(std::string_view name, std::string_view what);
  /// `parse(text)` of the parameter when given; `what` describes its form.
  template <class Parse>
  auto parsed(std::string_view name, Parse&& parse, std::string_view what) {
    const std::optional<std::string_view> raw = text(name);
    decltype(parse(std::string_view{})) value;
    if (!raw) return value;
    value = parse(*raw);
    if (!value) invalid(name, what);
    return value;
  }

  const QueryParams& query_;
  std::optional<ApiError> error_;
};

inline constexpr std::size_t kCursorCharsMax = 512;

/// True for the operator and the regulator, who read every member's data.
[[nodiscard]] bool reads_everything(const Caller& caller);

}  // namespace quorumclear::api
