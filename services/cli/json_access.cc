#include "services/cli/json_access.h"

namespace quorumclear::cli {

std::optional<JsonValue> parse_answer(const std::string& body) { return api::parse_json(body, kAnswerJsonLimits).value; }

const JsonValue* find(const JsonValue& object, std::string_view key) {
  if (object.type != JsonValue::Type::kObject) return nullptr;
  for (std::size_t i = 0; i < object.keys.size(); ++i) {
    if (object.keys[i] == key) return &object.items[i];
  }
  return nullptr;
}

std::string text_of(const JsonValue* value) {
  if (value == nullptr) return "";
  switch (value->type) {
    case JsonValue::Type::kString:
      return value->text;
    case JsonValue::Type::kInteger:
      return std::to_string(value->integer);
    case JsonValue::Type::kBool:
      return value->boolean ? "true" : "false";
    default:
      return "";
  }
}

std::string field_text(const JsonValue& object, std::string_view key) { return text_of(find(object, key)); }

}  // namespace quorumclear::cli
