#pragma once
// The business time zone genesis names: an IANA zone that exists in the
// host's time zone database. Every node must find the same zone, so a name
// that this host cannot resolve is a genesis error, not a fallback to UTC.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace quorumclear::config {

/// Where Debian's tzdata package installs the zones.
inline const std::filesystem::path kZoneInfoDir = "/usr/share/zoneinfo";

/// Syntax only: 1..64 bytes of '/'-separated parts, each starting with a
/// letter and then [A-Za-z0-9_+-] ("Europe/Berlin", "Etc/GMT+1", "UTC"). No
/// dots, so no "..": the name can never leave the zone directory.
[[nodiscard]] bool is_valid_time_zone_name(std::string_view name);

/// Why `name` is not a usable zone under `zoneinfo_dir` (bad syntax, no such
/// file, not a TZif file), or empty when it is.
[[nodiscard]] std::optional<std::string> time_zone_problem(
    std::string_view name, const std::filesystem::path& zoneinfo_dir = kZoneInfoDir);

}  // namespace quorumclear::config
