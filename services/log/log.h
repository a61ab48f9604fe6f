#pragma once
// Structured logs: one line per event, with the UTC time, the level, the
// node id, the component and an UPPER_SNAKE event name, then key=value
// fields (logfmt; values with spaces, quotes or control characters quoted
// and escaped, so a member-supplied text cannot forge a line or a field).
// Thread-safe. Callers never pass a token, key or password: fields name what
// happened, never what was secret.

#include <atomic>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace quorumclear::log {

enum class Level : std::uint8_t { kTrace, kDebug, kInfo, kWarn, kError };
[[nodiscard]] std::optional<Level> parse_level(std::string_view text);
[[nodiscard]] std::string_view to_string(Level level);

struct Field {
  std::string_view key;
  std::string value;
};

class Logger {
 public:
  Logger(std::string node, Level level, std::FILE* out = stderr);
  [[nodiscard]] bool enabled(Level level) const { return level >= level_.load(); }
  void set_level(Level level) { level_.store(level); }
  void write(Level level, std::string_view component, std::string_view event,
             std::initializer_list<Field> fields = {});

 private:
  std::string node_;
  std::atomic<Level> level_;
  std::FILE* out_;
  std::mutex mutex_;
};

/// Appends `value` as a logfmt value: bare when safe, else quoted with \", \\,
/// \n and \xNN escapes; at most 512 bytes of it, so no field floods a line.
void append_value(std::string& line, std::string_view value);

}  // namespace quorumclear::log
