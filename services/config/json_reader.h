#pragma once
// Strict reading of one JSON document, for config's parsers only (this
// header is not part of config's API, and it is the only one that shows
// Poco). Every accessor names the JSON path it reads, refuses a wrong type
// (a fraction where an integer belongs, a number where a decimal string
// belongs, null anywhere), checks ranges, and finish() refuses keys nobody
// read, so a misspelt optional field is an error instead of a silent default.
//
// Errors unwind as FieldError to the one catch in each load_* function,
// which adds the file name. An exception here, not error values: a parser
// is a deep descent over one document and every accessor would otherwise
// need its own check at every call site; nothing outside config sees it.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace quorumclear::config::detail {

/// A field that is missing, mistyped or out of range.
struct FieldError {
  std::string field;
  std::string message;
};

class JsonArray;

/// A JSON object at `path` ("" for the document, "business", "nodes[2]").
class JsonObject {
 public:
  JsonObject(Poco::JSON::Object::Ptr object, std::string path);

  [[nodiscard]] bool has(std::string_view key) const;
  /// A string of 1..max_bytes bytes (0..max_bytes when allow_empty).
  [[nodiscard]] std::string string(std::string_view key, std::size_t max_bytes, bool allow_empty = false);
  [[nodiscard]] std::optional<std::string> optional_string(std::string_view key, std::size_t max_bytes);
  /// The text of a decimal string field (at most 40 bytes); a JSON number
  /// there is refused with a message naming `example` ("10.50").
  [[nodiscard]] std::string decimal_text(std::string_view key, std::string_view example);
  /// A JSON integer in [min, max]: no fraction, no exponent, no string.
  [[nodiscard]] std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max);
  [[nodiscard]] std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
                                                             std::int64_t max);
  [[nodiscard]] bool boolean(std::string_view key);
  [[nodiscard]] std::optional<bool> optional_boolean(std::string_view key);
  [[nodiscard]] JsonObject object(std::string_view key);
  [[nodiscard]] std::optional<JsonObject> optional_object(std::string_view key);
  /// An array of at most max_items elements.
  [[nodiscard]] JsonArray array(std::string_view key, std::size_t max_items);
  /// An absent array reads as empty.
  [[nodiscard]] JsonArray optional_array(std::string_view key, std::size_t max_items);

  /// Throws for the first key (in sorted order) that no accessor read.
  void finish() const;
  /// The path of `key` below this object.
  [[nodiscard]] std::string field(std::string_view key) const;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  [[nodiscard]] Poco::Dynamic::Var take(std::string_view key);

  Poco::JSON::Object::Ptr object_;
  std::string path_;
  std::set<std::string, std::less<>> read_;
};

/// A JSON array at `path`.
class JsonArray {
 public:
  JsonArray(Poco::JSON::Array::Ptr array, std::string path);
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] JsonObject object(std::size_t i) const;
  [[nodiscard]] std::string string(std::size_t i, std::size_t max_bytes) const;
  [[nodiscard]] std::string field(std::size_t i) const;
  /// Calls read(JsonObject&) for each element, which must be an object,
  /// then refuses the keys it did not read.
  template <typename Read>
  void each_object(Read read) const {
    for (std::size_t i = 0; i < size(); ++i) {
      JsonObject element = object(i);
      read(element);
      element.finish();
    }
  }

 private:
  Poco::JSON::Array::Ptr array_;  // null for an absent optional array
  std::string path_;
};

/// Parses `text` as one JSON object: refuses other roots, duplicate keys,
/// comments, trailing characters and invalid UTF-8.
[[nodiscard]] JsonObject parse_object(std::string_view text);

/// Throws FieldError{field, message}.
[[noreturn]] void fail(std::string field, std::string message);

}  // namespace quorumclear::config::detail
