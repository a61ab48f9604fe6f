// Proves the node clock reads a test instant from its file, converts it to
// the business time zone's date and minute (across midnight and DST), and
// falls back to the system clock when the file is unusable.

#include "services/node/node_clock.h"

#include "settlement/business_calendar.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace quorumclear::node {
namespace {

TEST(NodeClock, ParsesOnlyWellFormedUtcInstants) {
  EXPECT_EQ(parse_utc_instant("1970-01-02T00:00:01Z"), 86'401);
  EXPECT_EQ(parse_utc_instant("2026-12-01T16:29:50Z\n"), parse_utc_instant("2026-12-01T16:29:50Z"));
  for (const char* bad : {"2026-12-01 16:29:50Z", "2026-12-01T16:29:50", "2026-02-30T00:00:00Z",
                          "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z", "x"}) {
    EXPECT_FALSE(parse_utc_instant(bad).has_value()) << bad;
  }
}

TEST(NodeClock, FileInstantInTheBusinessTimeZone) {
  set_business_time_zone("Europe/Berlin");
  const auto path = std::filesystem::temp_directory_path() / "qc_node_clock_test.txt";
  const auto at = [&](const char* instant) {
    std::ofstream(path) << instant << "\n";
    return NodeClock(path).tick();
  };
  ClockTick t = at("2026-12-01T16:29:50Z");  // CET = UTC+1
  EXPECT_EQ(t.local_date, settlement::date_from_civil(2026, 12, 1));
  EXPECT_EQ(t.local_minute_of_day, 17 * 60 + 29);
  t = at("2026-12-01T23:30:00Z");
  EXPECT_EQ(t.local_date, settlement::date_from_civil(2026, 12, 2));
  EXPECT_EQ(t.local_minute_of_day, 30);
  t = at("2026-07-01T15:30:00Z");  // CEST = UTC+2
  EXPECT_EQ(t.local_minute_of_day, 17 * 60 + 30);
  std::ofstream(path) << "garbage";
  const std::int64_t now = NodeClock().wall_seconds();
  EXPECT_LE(std::abs(NodeClock(path).wall_seconds() - now), 2);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace quorumclear::node
