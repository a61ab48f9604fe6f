#pragma once
// The node's clock, injected into the core as ClockTick events: monotonic
// milliseconds for pacing (never wall time: a clock step must not stall
// or rush epochs), and the wall time as a date and minute in the network's
// business time zone, for the scheduled cut-off. Tests point the wall time
// at a file holding an ISO-8601 UTC instant ("2026-12-01T16:29:50Z"),
// re-read on every tick, so they move a node's day forward without waiting.

#include "services/node/core.h"

#include <filesystem>
#include <optional>
#include <string>

namespace quorumclear::node {

/// Sets the process's time zone (TZ) to an IANA zone such as
/// "Europe/Berlin". Call once, before any thread starts.
void set_business_time_zone(const std::string& zone);

/// Parses "YYYY-MM-DDTHH:MM:SSZ" (UTC) into seconds since 1970.
[[nodiscard]] std::optional<std::int64_t> parse_utc_instant(std::string_view text);

class NodeClock {
 public:
  /// The system's wall clock.
  NodeClock() = default;
  /// The wall time read from `path` on every tick (testing); the system
  /// clock while the file is missing or unreadable.
  explicit NodeClock(std::filesystem::path path) : path_(std::move(path)) {}

  [[nodiscard]] ClockTick tick() const;
  /// The wall time this clock shows, seconds since 1970 (UTC).
  [[nodiscard]] std::int64_t wall_seconds() const;

 private:
  std::optional<std::filesystem::path> path_;
};

}  // namespace quorumclear::node
