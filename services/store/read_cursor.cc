// Keyset cursors: the key of a page's last row, bound to the list and the
// filters it was issued for, as base64url.
//
//   cursor := base64url(version:u8(=1) tag:u8 fingerprint:8 field*)
//   field  := text: length:u8 bytes | date: i32be | u8
//
// No secret signs them: a cursor only says where in a list's key order the
// next page starts, and the scope and filters are applied to every page
// anyway, so a forged cursor can show nothing its bearer could not list
// from the start. What the fingerprint buys is strictness: a cursor of
// another list, scope or filter is refused rather than silently
// reinterpreted, and every byte is checked (the syntax of each key field,
// canonical base64url, no trailing bytes).
#include "services/store/read_store_internal.h"

#include "settlement/digest.h"
#include "settlement/isin.h"

namespace quorumclear::store::read {
namespace {

constexpr std::uint8_t kCursorVersion = 1;
constexpr std::size_t kHeaderBytes = 2 + 8;
// A cursor holds at most three keys of at most 64 bytes each; anything
// longer was not issued here.
constexpr std::size_t kCursorCharsMax = 512;
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const settlement::Bytes& bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = static_cast<std::uint32_t>(bytes[i]) << 16;
    if (n > 1) group |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    if (n > 2) group |= bytes[i + 2];
    for (std::size_t k = 0; k <= n; ++k) out += kAlphabet[(group >> (18 - 6 * k)) & 63];
  }
  return out;
}

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

[[noreturn]] void refuse(std::string_view why) {
  throw InvalidCursor("store: not a cursor issued for this list: " + std::string(why));
}

// Strict: no padding, no other characters, and the bits past the last
// whole byte are zero, so each byte string has exactly one spelling.
settlement::Bytes from_base64url(std::string_view text) {
  if (text.size() > kCursorCharsMax) refuse("too long");
  if (text.size() % 4 == 1) refuse("bad length");
  settlement::Bytes out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int held = 0;
  for (const char c : text) {
    const int v = sextet(c);
    if (v < 0) refuse("bad character");
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    held += 6;
    if (held >= 8) {
      held -= 8;
      out.push_back(static_cast<std::uint8_t>(bits >> held));
      bits &= (1u << held) - 1;
    }
  }
  if (bits != 0) refuse("not canonical");
  return out;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

}  // namespace

Fingerprint::Fingerprint(ListTag tag) : tag_(tag) {}

Fingerprint& Fingerprint::add(std::string_view value) {
  fed_ += '\x01';
  put_u32(fed_, static_cast<std::uint32_t>(value.size()));
  fed_ += value;
  return *this;
}

Fingerprint& Fingerprint::add_absent() {
  fed_ += '\x00';
  return *this;
}

Fingerprint& Fingerprint::add(std::optional<settlement::BusinessDate> date) {
  if (!date) return add_absent();
  fed_ += '\x01';
  put_u32(fed_, static_cast<std::uint32_t>(date->days));
  return *this;
}

std::array<std::uint8_t, 8> Fingerprint::finish() const {
  settlement::Sha256 h;
  h.update_u8(static_cast<std::uint8_t>(tag_));
  h.update(fed_);
  const Digest d = h.finish();
  std::array<std::uint8_t, 8> out{};
  std::copy(d.begin(), d.begin() + 8, out.begin());
  return out;
}

CursorWriter::CursorWriter(const Fingerprint& fingerprint) {
  bytes_.push_back(kCursorVersion);
  bytes_.push_back(static_cast<std::uint8_t>(fingerprint.tag()));
  const std::array<std::uint8_t, 8> fp = fingerprint.finish();
  bytes_.insert(bytes_.end(), fp.begin(), fp.end());
}

CursorWriter& CursorWriter::text(std::string_view value) {
  if (value.size() > 255) throw StoreError("store: a cursor key field is longer than 255 bytes");
  bytes_.push_back(static_cast<std::uint8_t>(value.size()));
  bytes_.insert(bytes_.end(), value.begin(), value.end());
  return *this;
}

CursorWriter& CursorWriter::date(settlement::BusinessDate value) {
  const auto v = static_cast<std::uint32_t>(value.days);
  for (int shift = 24; shift >= 0; shift -= 8) bytes_.push_back(static_cast<std::uint8_t>((v >> shift) & 0xff));
  return *this;
}

CursorWriter& CursorWriter::u8(std::uint8_t value) {
  bytes_.push_back(value);
  return *this;
}

std::string CursorWriter::finish() const { return base64url(bytes_); }

CursorReader::CursorReader(std::string_view cursor, const Fingerprint& fingerprint)
    : bytes_(from_base64url(cursor)) {
  if (bytes_.size() < kHeaderBytes) refuse("too short");
  if (bytes_[0] != kCursorVersion) refuse("unknown version");
  if (bytes_[1] != static_cast<std::uint8_t>(fingerprint.tag())) refuse("issued for another list");
  const std::array<std::uint8_t, 8> fp = fingerprint.finish();
  if (!std::equal(fp.begin(), fp.end(), bytes_.begin() + 2)) refuse("issued for other filters or scope");
  at_ = kHeaderBytes;
}

std::uint8_t CursorReader::u8() {
  if (at_ >= bytes_.size()) refuse("truncated");
  return bytes_[at_++];
}

std::string_view CursorReader::text() {
  const std::size_t n = u8();
  if (bytes_.size() - at_ < n) refuse("truncated");
  const std::string_view out(reinterpret_cast<const char*>(bytes_.data() + at_), n);
  at_ += n;
  return out;
}

settlement::MemberId CursorReader::member() {
  const std::string_view v = text();
  if (!settlement::is_valid_member_id(v)) refuse("bad member id");
  return settlement::MemberId::of(v);
}

settlement::TradeId CursorReader::trade_id() {
  const std::string_view v = text();
  if (!settlement::is_valid_trade_id(v)) refuse("bad trade id");
  return settlement::TradeId::of(v);
}

settlement::AssetCode CursorReader::asset(settlement::AssetKind kind) {
  const std::string_view v = text();
  const bool ok = kind == settlement::AssetKind::kCash ? settlement::is_valid_currency_code(v)
                                                       : settlement::is_valid_isin(v);
  if (!ok) refuse("bad asset code");
  return settlement::AssetCode::of(v);
}

settlement::BusinessDate CursorReader::date() {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
  const settlement::BusinessDate d{static_cast<std::int32_t>(v)};
  if (d < settlement::kDateMin || d > settlement::kDateMax) refuse("date out of range");
  return d;
}

settlement::AssetKind CursorReader::asset_kind() {
  const std::uint8_t v = u8();
  if (v > static_cast<std::uint8_t>(settlement::AssetKind::kCash)) refuse("bad asset kind");
  return static_cast<settlement::AssetKind>(v);
}

void CursorReader::finish() const {
  if (at_ != bytes_.size()) refuse("trailing bytes");
}

}  // namespace quorumclear::store::read
