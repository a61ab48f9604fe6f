#include "services/config/json_reader.h"

#include <Poco/Exception.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <typeinfo>
#include <vector>

namespace quorumclear::config::detail {
namespace {

/// Poco's handler keeps the last of two equal keys; a config with two
/// "node_id"s is ambiguous, so the second one is an error.
class NoDuplicateKeys : public Poco::JSON::ParseHandler {
 public:
  void startObject() override {
    keys_.emplace_back();
    ParseHandler::startObject();
  }
  void endObject() override {
    keys_.pop_back();
    ParseHandler::endObject();
  }
  void key(const std::string& k) override {
    if (!keys_.back().insert(k).second) throw Poco::JSON::JSONException("duplicate key \"" + k + "\"");
    ParseHandler::key(k);
  }

 private:
  std::vector<std::set<std::string>> keys_;
};

/// What a value is, for "must be X, not Y" messages.
std::string_view kind_of(const Poco::Dynamic::Var& v) {
  if (v.isEmpty()) return "null";
  if (v.isBoolean()) return "a boolean";
  if (v.isString()) return "a string";
  if (v.isInteger()) return "an integer";
  if (v.isNumeric()) return "a number with a fraction or exponent";
  if (v.type() == typeid(Poco::JSON::Object::Ptr)) return "an object";
  if (v.type() == typeid(Poco::JSON::Array::Ptr)) return "an array";
  return "another type";
}

[[noreturn]] void wrong_type(const std::string& field, std::string_view wanted, const Poco::Dynamic::Var& v) {
  fail(field, "must be " + std::string(wanted) + ", not " + std::string(kind_of(v)));
}

std::string checked_string(const Poco::Dynamic::Var& v, const std::string& field, std::size_t max_bytes,
                           bool allow_empty) {
  if (!v.isString()) wrong_type(field, "a string", v);
  std::string s = v.extract<std::string>();
  if (s.empty() && !allow_empty) fail(field, "must not be empty");
  if (s.size() > max_bytes) fail(field, "longer than " + std::to_string(max_bytes) + " bytes");
  if (s.find('\0') != std::string::npos) fail(field, "contains a NUL character");
  return s;
}

std::int64_t checked_integer(const Poco::Dynamic::Var& v, const std::string& field, std::int64_t min,
                             std::int64_t max) {
  if (v.isBoolean() || !v.isInteger()) {
    wrong_type(field, "an integer (a JSON number without fraction or exponent)", v);
  }
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (!v.isSigned()) {
    const auto u = v.convert<Poco::UInt64>();
    if (u > static_cast<Poco::UInt64>(max)) fail(field, "must be " + range + ", not " + std::to_string(u));
    return static_cast<std::int64_t>(u);
  }
  const auto i = v.convert<Poco::Int64>();
  if (i < min || i > max) fail(field, "must be " + range + ", not " + std::to_string(i));
  return i;
}

}  // namespace

void fail(std::string field, std::string message) { throw FieldError{std::move(field), std::move(message)}; }

JsonObject parse_object(std::string_view text) {
  Poco::Dynamic::Var root;
  try {
    Poco::JSON::Parser parser(new NoDuplicateKeys);
    root = parser.parse(std::string(text));
  } catch (const Poco::Exception& e) {
    // JSONException for syntax, SyntaxException for an integer beyond 64 bits.
    fail("", "not valid JSON: " + e.message());
  }
  if (root.type() != typeid(Poco::JSON::Object::Ptr))
    fail("", "must be a JSON object, not " + std::string(kind_of(root)));
  return JsonObject(root.extract<Poco::JSON::Object::Ptr>(), "");
}

JsonObject::JsonObject(Poco::JSON::Object::Ptr object, std::string path)
    : object_(std::move(object)), path_(std::move(path)) {}

std::string JsonObject::field(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool JsonObject::has(std::string_view key) const { return object_->has(std::string(key)); }

Poco::Dynamic::Var JsonObject::take(std::string_view key) {
  read_.emplace(key);
  if (!has(key)) fail(field(key), "missing");
  return object_->get(std::string(key));
}

std::string JsonObject::string(std::string_view key, std::size_t max_bytes, bool allow_empty) {
  return checked_string(take(key), field(key), max_bytes, allow_empty);
}

std::optional<std::string> JsonObject::optional_string(std::string_view key, std::size_t max_bytes) {
  read_.emplace(key);
  if (!has(key)) return std::nullopt;
  return string(key, max_bytes);
}

std::string JsonObject::decimal_text(std::string_view key, std::string_view example) {
  const Poco::Dynamic::Var v = take(key);
  if (v.isNumeric() && !v.isBoolean()) {
    // Poco has already made it a double (or an integer that a float
    // elsewhere would round): exact amounts travel only as strings.
    fail(field(key), "must be a decimal string such as \"" + std::string(example) +
                         "\", not a JSON number (no floating point)");
  }
  return checked_string(v, field(key), 40, false);
}

std::int64_t JsonObject::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  return checked_integer(take(key), field(key), min, max);
}

std::optional<std::int64_t> JsonObject::optional_integer(std::string_view key, std::int64_t min,
                                                         std::int64_t max) {
  read_.emplace(key);
  if (!has(key)) return std::nullopt;
  return integer(key, min, max);
}

bool JsonObject::boolean(std::string_view key) {
  const Poco::Dynamic::Var v = take(key);
  if (!v.isBoolean()) wrong_type(field(key), "true or false", v);
  return v.extract<bool>();
}

std::optional<bool> JsonObject::optional_boolean(std::string_view key) {
  read_.emplace(key);
  if (!has(key)) return std::nullopt;
  return boolean(key);
}

JsonObject JsonObject::object(std::string_view key) {
  const Poco::Dynamic::Var v = take(key);
  if (v.type() != typeid(Poco::JSON::Object::Ptr)) wrong_type(field(key), "an object", v);
  return JsonObject(v.extract<Poco::JSON::Object::Ptr>(), field(key));
}

std::optional<JsonObject> JsonObject::optional_object(std::string_view key) {
  read_.emplace(key);
  if (!has(key)) return std::nullopt;
  return object(key);
}

JsonArray JsonObject::array(std::string_view key, std::size_t max_items) {
  const Poco::Dynamic::Var v = take(key);
  if (v.type() != typeid(Poco::JSON::Array::Ptr)) wrong_type(field(key), "an array", v);
  auto array = v.extract<Poco::JSON::Array::Ptr>();
  if (array->size() > max_items) fail(field(key), "more than " + std::to_string(max_items) + " entries");
  return JsonArray(std::move(array), field(key));
}

JsonArray JsonObject::optional_array(std::string_view key, std::size_t max_items) {
  read_.emplace(key);
  if (!has(key)) return JsonArray(nullptr, field(key));
  return array(key, max_items);
}

void JsonObject::finish() const {
  for (const std::string& name : object_->getNames()) {
    if (!read_.contains(name)) fail(field(name), "unknown key");
  }
}

JsonArray::JsonArray(Poco::JSON::Array::Ptr array, std::string path)
    : array_(std::move(array)), path_(std::move(path)) {}

std::size_t JsonArray::size() const { return array_.isNull() ? 0 : array_->size(); }

std::string JsonArray::field(std::size_t i) const { return path_ + "[" + std::to_string(i) + "]"; }

JsonObject JsonArray::object(std::size_t i) const {
  const Poco::Dynamic::Var v = array_->get(static_cast<unsigned>(i));
  if (v.type() != typeid(Poco::JSON::Object::Ptr)) wrong_type(field(i), "an object", v);
  return JsonObject(v.extract<Poco::JSON::Object::Ptr>(), field(i));
}

std::string JsonArray::string(std::size_t i, std::size_t max_bytes) const {
  return checked_string(array_->get(static_cast<unsigned>(i)), field(i), max_bytes, false);
}

}  // namespace quorumclear::config::detail
