#include "services/store/sql_rows.h"

namespace quorumclear::store::sql {
namespace {

// PostgreSQL's date type spans Julian days 0 (4714-11-24 BC) to
// 2147483493 (5874897-12-31); 1970-01-01 is Julian day 2440588.
constexpr std::int64_t kJulianDayOfEpoch = 2'440'588;
constexpr std::int64_t kJulianDayMax = 2'147'483'493;

}  // namespace

Field null_field() { return Field{{}, true}; }

Field integer(std::int64_t value) { return Field{std::to_string(value), false}; }

Field boolean(bool value) { return Field{value ? "t" : "f", false}; }

Field text(std::string_view value) { return Field{std::string(value), false}; }

Field text_or_null(std::string_view value) { return value.empty() ? null_field() : text(value); }

std::string printable(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';  // char may be signed: bytes >= 0x80 are < 0 here
  }
  return out;
}

Field untrusted_text(std::string_view value) { return Field{printable(value), false}; }

Field bytea(settlement::ByteView value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 + 2 * value.size());
  out += "\\x";
  for (std::uint8_t b : value) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return Field{std::move(out), false};
}

Field date(settlement::BusinessDate date) {
  const std::int64_t julian = kJulianDayOfEpoch + date.days;
  if (julian < 0) return Field{"-infinity", false};
  if (julian > kJulianDayMax) return Field{"infinity", false};
  return Field{"J" + std::to_string(julian), false};
}

Digest digest_of(const pqxx::field& field) {
  const pqxx::binarystring bytes(field);
  if (bytes.size() != 32) {
    throw StoreError("store: column " + std::string(field.name()) + " holds " + std::to_string(bytes.size()) +
                     " bytes where a 32-byte digest belongs");
  }
  Digest d{};
  std::copy(bytes.begin(), bytes.end(), d.begin());
  return d;
}

Bytes bytes_of(const pqxx::field& field) {
  const pqxx::binarystring bytes(field);
  return Bytes(bytes.begin(), bytes.end());
}

}  // namespace quorumclear::store::sql
