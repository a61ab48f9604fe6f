#pragma once
// Reading the node's JSON answers: api::JsonValue (services/api/json_value.h)
// keeps integers exact and decimals as the strings the node wrote, so money
// is never parsed into a floating-point number.

#include "services/api/json_value.h"

#include <optional>
#include <string>
#include <string_view>

namespace quorumclear::cli {

using api::JsonValue;

/// Bounds for answers (a settlement run of a busy day is large).
inline constexpr api::JsonLimits kAnswerJsonLimits{16, 8'000'000};

/// The parsed answer, or nullopt when the body is not JSON within the bounds.
[[nodiscard]] std::optional<JsonValue> parse_answer(const std::string& body);

/// The value of `key` in an object (the first, if repeated); nullptr when
/// absent or when `object` is not an object.
[[nodiscard]] const JsonValue* find(const JsonValue& object, std::string_view key);

/// A scalar as text: a string as written, an integer in decimal, true /
/// false, "" for null, absent, containers and out-of-range numbers.
[[nodiscard]] std::string text_of(const JsonValue* value);

/// text_of(find(object, key)).
[[nodiscard]] std::string field_text(const JsonValue& object, std::string_view key);

}  // namespace quorumclear::cli
