#include "services/node/node_clock.h"

#include "settlement/business_calendar.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>

namespace quorumclear::node {

void set_business_time_zone(const std::string& zone) {
  ::setenv("TZ", zone.c_str(), 1);
  ::tzset();
}

std::optional<std::int64_t> parse_utc_instant(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z') {
    return std::nullopt;
  }
  const auto number = [&](std::size_t at, std::size_t len) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  const auto y = number(0, 4), mo = number(5, 2), d = number(8, 2);
  const auto h = number(11, 2), mi = number(14, 2), s = number(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 ||
      *mi > 59 || *s > 59) {
    return std::nullopt;
  }
  const settlement::BusinessDate date =
      settlement::date_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  if (settlement::civil_from_date(date).day != static_cast<unsigned>(*d)) return std::nullopt;  // 31 Feb
  return std::int64_t{date.days} * 86'400 + *h * 3'600 + *mi * 60 + *s;
}

std::int64_t NodeClock::wall_seconds() const {
  if (path_) {
    std::ifstream in(*path_);
    std::string text(64, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (const std::optional<std::int64_t> t = parse_utc_instant(text)) return *t;
  }
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ClockTick NodeClock::tick() const {
  ClockTick t;
  t.now_ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now().time_since_epoch())
                                            .count());
  const std::time_t wall = static_cast<std::time_t>(wall_seconds());
  std::tm local{};
  localtime_r(&wall, &local);
  t.local_date = settlement::date_from_civil(local.tm_year + 1900, static_cast<unsigned>(local.tm_mon + 1),
                                             static_cast<unsigned>(local.tm_mday));
  t.local_minute_of_day = local.tm_hour * 60 + local.tm_min;
  return t;
}

}  // namespace quorumclear::node
