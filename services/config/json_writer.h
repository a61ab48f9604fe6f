#pragma once
// Canonical JSON text for the files config writes (genesis.json, node
// public files, the coin dealing): fixed key order, fixed spacing, our own
// string escaping, so the bytes depend on the content alone, never on a
// library version. Internal to config.

#include <cstdint>
#include <string>
#include <string_view>

namespace quorumclear::config::detail {

/// `text` as a JSON string literal: '"' and '\' escaped, control
/// characters as \u00XX, everything else (UTF-8 included) as is.
[[nodiscard]] std::string json_string(std::string_view text);

/// Builds one JSON object on one line: {"a": 1, "b": "x"}.
class JsonLine {
 public:
  JsonLine& string(std::string_view key, std::string_view value);
  JsonLine& integer(std::string_view key, std::int64_t value);
  JsonLine& boolean(std::string_view key, bool value);
  /// `json` inserted verbatim (an array or object already rendered).
  JsonLine& raw(std::string_view key, std::string_view json);
  [[nodiscard]] std::string str() const { return text_.empty() ? "{}" : "{" + text_ + "}"; }

 private:
  JsonLine& add(std::string_view key, std::string_view json);
  std::string text_;
};

}  // namespace quorumclear::config::detail
