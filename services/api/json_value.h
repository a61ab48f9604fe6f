#pragma once
// A small JSON document tree for request bodies, built by Poco's JSON
// parser through our own handler so that we keep what Poco's default tree
// drops: duplicate keys (refused, not silently overwritten) and whether a
// number was written as an integer (a fraction or exponent is never an
// integer, which is how "price": 10.5 and "quantity": 1e3 are refused).
// Bounded in depth and in the number of values, so that a small body cannot
// build a huge tree.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quorumclear::api {

struct JsonValue {
  enum class Type : std::uint8_t {
    kNull,
    kBool,
    kInteger,   // written without fraction or exponent, fits int64
    kUnsigned,  // written without fraction or exponent, above int64 max
    kNumber,    // written with a fraction or an exponent
    kString,
    kArray,
    kObject,
  };
  Type type = Type::kNull;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string text;  // kString
  /// kArray: the elements. kObject: the member values, keys[i] naming items[i],
  /// in document order, duplicates kept.
  std::vector<JsonValue> items;
  std::vector<std::string> keys;
};

/// Bounds on one document.
struct JsonLimits {
  std::size_t depth_max = 8;
  std::size_t values_max = 200'000;
};

/// A parsed document, or why it is not one (a short message, ASCII, that
/// never echoes the input).
struct JsonParse {
  std::optional<JsonValue> value;
  std::string error;
};

[[nodiscard]] JsonParse parse_json(const std::string& text, const JsonLimits& limits);

/// The JSON type name of `type` as a client would say it ("string", "number").
[[nodiscard]] std::string_view type_name(JsonValue::Type type);

}  // namespace quorumclear::api
