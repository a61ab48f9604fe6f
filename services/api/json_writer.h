#pragma once
// Writes JSON answers in the order fields are given. Every byte outside
// printable ASCII is escaped as \u00XX, so the output is valid JSON (and
// valid UTF-8) whatever bytes a string holds.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quorumclear::api {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  /// The next value's key; only inside an object.
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view text);
  JsonWriter& integer(std::int64_t value);
  JsonWriter& unsigned_integer(std::uint64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  /// A measurement (a rate, seconds), never money: money is a decimal
  /// string. Not finite: null.
  JsonWriter& number(double value);

  /// key(name) then the value: the common case.
  JsonWriter& field(std::string_view name, std::string_view text) { return key(name).string(text); }
  JsonWriter& field(std::string_view name, const char* text) { return key(name).string(text); }
  JsonWriter& field(std::string_view name, std::int64_t value) { return key(name).integer(value); }
  JsonWriter& field(std::string_view name, std::uint64_t value) { return key(name).unsigned_integer(value); }
  JsonWriter& field(std::string_view name, std::uint32_t value) { return key(name).unsigned_integer(value); }
  JsonWriter& field(std::string_view name, std::uint16_t value) { return key(name).unsigned_integer(value); }
  JsonWriter& field(std::string_view name, std::uint8_t value) { return key(name).unsigned_integer(value); }
  JsonWriter& field(std::string_view name, bool value) { return key(name).boolean(value); }
  /// Writes the field only when `text` is not empty.
  JsonWriter& field_if(std::string_view name, std::string_view text);

  /// The document; precondition: every container is closed.
  [[nodiscard]] std::string take();

 private:
  void before_value();
  void quoted(std::string_view text);

  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace quorumclear::api
