#include "services/api/json_value.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Handler.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>

#include <limits>
#include <stdexcept>
#include <utility>

namespace quorumclear::api {
namespace {

// Thrown by the builder when a bound is hit; carries our own message.
class LimitExceeded : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Builds a JsonValue tree from Poco's parse events. Open containers sit on
// a stack by value and are moved into their parent when they close, so no
// pointer into a growing vector is ever kept.
class TreeBuilder : public Poco::JSON::Handler {
 public:
  explicit TreeBuilder(std::size_t values_max) : values_max_(values_max) {}

  std::optional<JsonValue> take() { return std::move(root_); }

  void reset() override {
    open_.clear();
    open_keys_.clear();
    root_.reset();
    key_.clear();
    values_ = 0;
  }
  void startObject() override { open(JsonValue::Type::kObject); }
  void endObject() override { close(); }
  void startArray() override { open(JsonValue::Type::kArray); }
  void endArray() override { close(); }
  void key(const std::string& k) override { key_ = k; }
  void null() override { add(JsonValue{}); }
  void value(int v) override { add_integer(v); }
  void value(unsigned v) override { add_integer(v); }
  void value(Poco::Int64 v) override { add_integer(v); }
  void value(Poco::UInt64 v) override {
    if (v <= static_cast<Poco::UInt64>(std::numeric_limits<std::int64_t>::max())) {
      add_integer(static_cast<std::int64_t>(v));
      return;
    }
    JsonValue j;
    j.type = JsonValue::Type::kUnsigned;
    add(std::move(j));
  }
  void value(const std::string& v) override {
    JsonValue j;
    j.type = JsonValue::Type::kString;
    j.text = v;
    add(std::move(j));
  }
  // Poco reports any number written with a fraction or an exponent here;
  // the value itself is never used.
  void value(double) override {
    JsonValue j;
    j.type = JsonValue::Type::kNumber;
    add(std::move(j));
  }
  void value(bool v) override {
    JsonValue j;
    j.type = JsonValue::Type::kBool;
    j.boolean = v;
    add(std::move(j));
  }

 private:
  void count() {
    if (++values_ > values_max_) throw LimitExceeded("the document has too many values");
  }
  void add_integer(std::int64_t v) {
    JsonValue j;
    j.type = JsonValue::Type::kInteger;
    j.integer = v;
    add(std::move(j));
  }
  void open(JsonValue::Type type) {
    count();
    JsonValue j;
    j.type = type;
    open_.push_back(std::move(j));
    open_keys_.push_back(std::move(key_));
    key_.clear();
  }
  void close() {
    JsonValue done = std::move(open_.back());
    open_.pop_back();
    key_ = std::move(open_keys_.back());
    open_keys_.pop_back();
    place(std::move(done));
  }
  void add(JsonValue v) {
    count();
    place(std::move(v));
  }
  void place(JsonValue v) {
    if (open_.empty()) {
      root_ = std::move(v);
      return;
    }
    JsonValue& parent = open_.back();
    if (parent.type == JsonValue::Type::kObject) parent.keys.push_back(std::move(key_));
    key_.clear();
    parent.items.push_back(std::move(v));
  }

  std::size_t values_max_;
  std::size_t values_ = 0;
  std::vector<JsonValue> open_;
  std::vector<std::string> open_keys_;  // each open container's key in its parent
  std::string key_;
  std::optional<JsonValue> root_;
};

// Poco's messages name the problem and at most a byte of the input; keep
// them printable and short all the same.
std::string sanitized(const std::string& message) {
  std::string out;
  for (char c : message) {
    if (out.size() >= 120) break;
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

}  // namespace

JsonParse parse_json(const std::string& text, const JsonLimits& limits) {
  JsonParse result;
  auto* builder = new TreeBuilder(limits.values_max);
  Poco::JSON::Handler::Ptr handler(builder);  // owns builder
  try {
    Poco::JSON::Parser parser(handler);
    parser.setDepth(limits.depth_max);
    parser.setAllowComments(false);
    parser.parse(text);
    result.value = builder->take();
    if (!result.value) result.error = "the body is empty";
  } catch (const LimitExceeded& e) {
    result.error = e.what();
  } catch (const Poco::SyntaxException&) {
    // NumberParser: an integer beyond uint64 or a number beyond double.
    result.error = "a number is out of range";
  } catch (const Poco::Exception& e) {
    result.error = sanitized(e.message().empty() ? e.displayText() : e.message());
  } catch (const std::exception&) {
    result.error = "the body is not valid JSON";
  }
  if (!result.error.empty()) result.value.reset();
  return result;
}

std::string_view type_name(JsonValue::Type type) {
  switch (type) {
    case JsonValue::Type::kNull:
      return "null";
    case JsonValue::Type::kBool:
      return "boolean";
    case JsonValue::Type::kInteger:
    case JsonValue::Type::kUnsigned:
      return "integer";
    case JsonValue::Type::kNumber:
      return "number with a fraction or exponent";
    case JsonValue::Type::kString:
      return "string";
    case JsonValue::Type::kArray:
      return "array";
    case JsonValue::Type::kObject:
      return "object";
  }
  return "value";
}

}  // namespace quorumclear::api
