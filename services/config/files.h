#pragma once
// Bounded reads and atomic writes of config and key files. Every read is
// bounded before it allocates, so a wrong path (a device, a log file) is an
// error naming the file rather than a memory spike; every write goes to a
// temporary file first, so a crash never leaves half a key or half a genesis.

#include "services/config/config_error.h"

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace quorumclear::config {

/// Whether a file holds a secret: a secret file must not be readable or
/// writable by group or others (a node refuses to start otherwise).
enum class Secrecy : std::uint8_t { kPublic, kSecret };

/// Whether a write may replace an existing file.
enum class Overwrite : std::uint8_t { kRefuse, kReplace };

/// The whole content of regular file `path`, at most `max_bytes`. Refuses
/// anything but a regular file (after following symlinks), a larger file,
/// and for kSecret a mode with any group or other bit set (checked on the
/// opened file, so the file read is the file checked).
[[nodiscard]] std::variant<std::string, ConfigError> read_file(const std::filesystem::path& path,
                                                               std::size_t max_bytes, Secrecy secrecy);

/// Writes `bytes` to `path` with permission bits `mode` (whatever the
/// umask): a temporary file in the same directory, fsync, then linked into
/// place (kRefuse: fails if `path` exists, atomically) or renamed over it
/// (kReplace), then the directory is synced.
[[nodiscard]] std::optional<ConfigError> write_file_atomically(const std::filesystem::path& path,
                                                               std::string_view bytes, mode_t mode,
                                                               Overwrite overwrite);

}  // namespace quorumclear::config
