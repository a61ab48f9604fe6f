#include "services/config/time_zone.h"

#include <algorithm>
#include <fstream>

namespace quorumclear::config {
namespace {

bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_part_char(char c) {
  return is_letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-';
}

}  // namespace

bool is_valid_time_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, end - start);
    if (part.empty() || !is_letter(part[0])) return false;
    for (const char c : part) {
      if (!is_part_char(c)) return false;
    }
    if (end == name.size()) return true;
    start = end + 1;
  }
}

std::optional<std::string> time_zone_problem(std::string_view name,
                                             const std::filesystem::path& zoneinfo_dir) {
  if (!is_valid_time_zone_name(name)) {
    return "not an IANA time zone name such as \"Europe/Berlin\" ('/'-separated parts of letters, digits, "
           "'_', '+', '-')";
  }
  const std::filesystem::path file = zoneinfo_dir / std::string(name);
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    return "no such time zone in " + zoneinfo_dir.string() + " (is the tzdata package installed?)";
  }
  // Every compiled zone starts with the TZif magic; zone.tab, tzdata.zi and
  // the like live in the same directory but are not zones.
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  in.read(magic, sizeof magic);
  if (!in || std::string_view(magic, 4) != "TZif") return "not a compiled time zone (" + file.string() + ")";
  return std::nullopt;
}

}  // namespace quorumclear::config
