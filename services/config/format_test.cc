// Proves the text formats config reads and writes are exact and strict:
// hex (lower case, exact length), decimals (no float, no sign, no excess
// digits, overflow caught), ISO dates and times of day, time zone names and
// the TZif check.

#include "services/config/dates.h"
#include "services/config/decimal.h"
#include "services/config/hex.h"
#include "services/config/test_network.h"
#include "services/config/time_zone.h"

#include <gtest/gtest.h>

#include <limits>

namespace quorumclear::config {
namespace {

TEST(Hex, LowerCaseOutExactInput) {
  const std::array<std::uint8_t, 3> bytes = {0x00, 0xab, 0xff};
  EXPECT_EQ(to_hex(bytes), "00abff");
  EXPECT_EQ(from_hex<3>("00abff"), bytes);
  EXPECT_EQ(from_hex<3>("00ABFF"), std::nullopt);
  EXPECT_EQ(from_hex<3>("00abf"), std::nullopt);
  EXPECT_EQ(from_hex<3>("00abff00"), std::nullopt);
  EXPECT_EQ(from_hex<3>("00abfg"), std::nullopt);
  EXPECT_EQ(from_hex<3>(" 0abff"), std::nullopt);
}

TEST(Decimal, ParsesExactlyAtScale) {
  struct Case {
    const char* text;
    int scale;
    DecimalStatus status;
    std::int64_t units;
  };
  const Case cases[] = {
      {"0", 2, DecimalStatus::kOk, 0},
      {"10.5", 2, DecimalStatus::kOk, 1050},
      {"10.50", 2, DecimalStatus::kOk, 1050},
      {"0.01", 2, DecimalStatus::kOk, 1},
      {"7", 0, DecimalStatus::kOk, 7},
      {"999.999999999", 9, DecimalStatus::kOk, 999'999'999'999},
      {"9223372036854775807", 0, DecimalStatus::kOk, std::numeric_limits<std::int64_t>::max()},
      {"92233720368547758.07", 2, DecimalStatus::kOk, std::numeric_limits<std::int64_t>::max()},
      {"9223372036854775808", 0, DecimalStatus::kOverflow, 0},
      {"92233720368547758.08", 2, DecimalStatus::kOverflow, 0},
      {"99999999999999999999999", 0, DecimalStatus::kOverflow, 0},
      {"10.505", 2, DecimalStatus::kTooManyDigits, 0},
      {"1.0", 0, DecimalStatus::kTooManyDigits, 0},
      {"", 2, DecimalStatus::kSyntax, 0},
      {".5", 2, DecimalStatus::kSyntax, 0},
      {"5.", 2, DecimalStatus::kSyntax, 0},
      {"-1", 2, DecimalStatus::kSyntax, 0},
      {"+1", 2, DecimalStatus::kSyntax, 0},
      {"1e3", 2, DecimalStatus::kSyntax, 0},
      {"01", 2, DecimalStatus::kSyntax, 0},
      {"1,5", 2, DecimalStatus::kSyntax, 0},
      {" 1", 2, DecimalStatus::kSyntax, 0},
      {"1.2.3", 2, DecimalStatus::kSyntax, 0},
  };
  for (const Case& c : cases) {
    const Decimal d = parse_decimal(c.text, c.scale);
    EXPECT_EQ(d.status, c.status) << c.text;
    if (c.status == DecimalStatus::kOk) {
      EXPECT_EQ(d.units, c.units) << c.text;
    }
  }
}

TEST(Decimal, FormatIsTheInverse) {
  EXPECT_EQ(format_decimal(1050, 2), "10.50");
  EXPECT_EQ(format_decimal(1, 2), "0.01");
  EXPECT_EQ(format_decimal(0, 3), "0.000");
  EXPECT_EQ(format_decimal(7, 0), "7");
  for (const std::int64_t units : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999},
                                   std::int64_t{123456789}, std::numeric_limits<std::int64_t>::max()}) {
    for (int scale = 0; scale <= 9; ++scale) {
      const Decimal back = parse_decimal(format_decimal(units, scale), scale);
      EXPECT_EQ(back.status, DecimalStatus::kOk);
      EXPECT_EQ(back.units, units);
    }
  }
}

TEST(Dates, IsoDatesAndTimesOfDay) {
  EXPECT_EQ(parse_iso_date("1970-01-01"), settlement::BusinessDate{0});
  EXPECT_EQ(parse_iso_date("2024-02-29"), settlement::date_from_civil(2024, 2, 29));
  for (const char* bad : {"2023-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01",
                          "26-01-01", "2026/01/01", "2026-01-01T00:00"}) {
    EXPECT_EQ(parse_iso_date(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(parse_iso_date("2000-02-29"), settlement::date_from_civil(2000, 2, 29));
  EXPECT_EQ(format_iso_date(settlement::date_from_civil(2026, 12, 1)), "2026-12-01");
  EXPECT_EQ(parse_time_of_day("00:00"), 0);
  EXPECT_EQ(parse_time_of_day("23:59"), 1439);
  for (const char* bad : {"24:00", "12:60", "9:30", "09:3", "0930", "09:30:00", "ab:cd"}) {
    EXPECT_EQ(parse_time_of_day(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(format_time_of_day(17 * 60 + 5), "17:05");
}

TEST(TimeZone, NamesAreSyntaxCheckedAndMustBeCompiledZones) {
  for (const char* good :
       {"UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+1", "Etc/GMT-14"}) {
    EXPECT_TRUE(is_valid_time_zone_name(good)) << good;
  }
  for (const char* bad : {"", "/etc/passwd", "../etc/passwd", "Europe/../../etc", "Europe//Berlin", "Europe/",
                          "zone.tab", "Europe/Berlin ", "1Zone", "Europe\\Berlin"}) {
    EXPECT_FALSE(is_valid_time_zone_name(bad)) << bad;
  }
  EXPECT_EQ(time_zone_problem("Europe/Berlin"), std::nullopt) << "tzdata is installed";
  EXPECT_EQ(time_zone_problem("UTC"), std::nullopt);
  const testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "Test");
  testing::write_text(dir.path() / "Test" / "Zone", "TZif2 and the rest");
  testing::write_text(dir.path() / "Test" / "Notes", "# not a zone");
  EXPECT_EQ(time_zone_problem("Test/Zone", dir.path()), std::nullopt);
  EXPECT_NE(time_zone_problem("Test/Notes", dir.path()), std::nullopt);
  EXPECT_NE(time_zone_problem("Test", dir.path()), std::nullopt) << "a directory";
  EXPECT_NE(time_zone_problem("Test/Absent", dir.path()), std::nullopt);
}

}  // namespace
}  // namespace quorumclear::config
