#include "services/log/log.h"

#include <chrono>
#include <ctime>

namespace quorumclear::log {
namespace {

constexpr std::size_t kValueBytesMax = 512;

bool bare(std::string_view v) {
  if (v.empty()) return false;
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '=' || c == '\\') return false;
  }
  return true;
}

void append_time(std::string& line) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  line.append(buffer, n);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03dZ", static_cast<int>(millis));
  line.append(ms);
}

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
  if (text == "trace") return Level::kTrace;
  if (text == "debug") return Level::kDebug;
  if (text == "info") return Level::kInfo;
  if (text == "warn") return Level::kWarn;
  if (text == "error") return Level::kError;
  return std::nullopt;
}

std::string_view to_string(Level level) {
  switch (level) {
    case Level::kTrace: return "TRACE";
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO";
    case Level::kWarn: return "WARN";
    case Level::kError: return "ERROR";
  }
  return "INFO";
}

void append_value(std::string& line, std::string_view value) {
  const std::string_view v = value.substr(0, kValueBytesMax);
  if (bare(v)) {
    line.append(v);
    return;
  }
  line.push_back('"');
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      line.push_back('\\');
      line.push_back(c);
    } else if (c == '\n') {
      line.append("\\n");
    } else if (u < 0x20 || u == 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\x%02x", u);
      line.append(esc);
    } else {
      line.push_back(c);
    }
  }
  line.push_back('"');
}

Logger::Logger(std::string node, Level level, std::FILE* out)
    : node_(std::move(node)), level_(level), out_(out) {}

void Logger::write(Level level, std::string_view component, std::string_view event,
                   std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  std::string line;
  line.reserve(160);
  append_time(line);
  line.push_back(' ');
  line.append(to_string(level));
  line.append(" node=");
  append_value(line, node_);
  line.append(" component=");
  append_value(line, component);
  line.append(" event=");
  append_value(line, event);
  for (const Field& f : fields) {
    line.push_back(' ');
    line.append(f.key);
    line.push_back('=');
    append_value(line, f.value);
  }
  line.push_back('\n');
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace quorumclear::log
