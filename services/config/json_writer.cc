#include "services/config/json_writer.h"

#include <cstdio>

namespace quorumclear::config::detail {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", u);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

JsonLine& JsonLine::add(std::string_view key, std::string_view json) {
  if (!text_.empty()) text_ += ", ";
  text_ += json_string(key);
  text_ += ": ";
  text_ += json;
  return *this;
}

JsonLine& JsonLine::string(std::string_view key, std::string_view value) {
  return add(key, json_string(value));
}

JsonLine& JsonLine::integer(std::string_view key, std::int64_t value) {
  return add(key, std::to_string(value));
}

JsonLine& JsonLine::boolean(std::string_view key, bool value) { return add(key, value ? "true" : "false"); }

JsonLine& JsonLine::raw(std::string_view key, std::string_view json) { return add(key, json); }

}  // namespace quorumclear::config::detail
