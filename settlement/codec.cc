#include "settlement/codec.h"

#include "settlement/byte_writer.h"
#include "settlement/digest.h"

#include <cassert>

namespace quorumclear::settlement {
namespace {

enum class EntryKind : std::uint8_t {
  kTrade = 1,
  kCutOff = 2,
  kFunding = 3,
  kSuspension = 4,
  kTradeCancel = 5,
  kScheduledCutOff = 6,
};

// The smallest entry: a cancel with two empty texts (kind, 0, 0).
constexpr std::size_t kEntryBytesMin = 3;

class Reader {
 public:
  explicit Reader(ByteView bytes) : bytes_(bytes) {}
  [[nodiscard]] DecodeError error() const { return error_; }
  [[nodiscard]] std::size_t offset() const { return offset_; }
  [[nodiscard]] std::size_t remaining() const { return bytes_.size() - offset_; }
  void fail(DecodeError e) {
    if (error_ == DecodeError::kNone) error_ = e;
  }

  std::uint8_t u8() {
    if (error_ != DecodeError::kNone) return 0;
    if (remaining() < 1) {
      fail(DecodeError::kTruncated);
      return 0;
    }
    return bytes_[offset_++];
  }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
    return v;
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return v;
  }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  bool flag() {
    const std::uint8_t v = u8();
    if (v > 1) fail(DecodeError::kBadFlag);
    return v == 1;
  }
  template <std::size_t N, class Tag>
  Code<N, Tag> text() {
    const std::uint8_t length = u8();
    if (length > N) fail(DecodeError::kTextTooLong);
    if (error_ == DecodeError::kNone && remaining() < length) fail(DecodeError::kTruncated);
    if (error_ != DecodeError::kNone) return {};
    const auto* start = reinterpret_cast<const char*>(bytes_.data() + offset_);
    offset_ += length;
    return Code<N, Tag>::of(std::string_view(start, length));
  }

 private:
  ByteView bytes_;
  std::size_t offset_ = 0;
  DecodeError error_ = DecodeError::kNone;
};

void write_trade(ByteWriter& w, const Trade& t) {
  w.text(t.trade_id);
  w.text(t.submitter);
  w.text(t.buyer);
  w.text(t.seller);
  w.text(t.isin);
  w.i64(t.quantity.units);
  w.i64(t.price.units);
  w.u8(t.price_scale);
  w.text(t.currency);
  w.i32(t.trade_date.days);
  w.i32(t.settlement_date.days);
  w.u8(t.client_ref ? 1 : 0);
  if (t.client_ref) w.text(*t.client_ref);
}

Trade read_trade(Reader& r) {
  Trade t;
  t.trade_id = r.text<TradeId::kCapacity, TradeIdTag>();
  t.submitter = r.text<MemberId::kCapacity, MemberIdTag>();
  t.buyer = r.text<MemberId::kCapacity, MemberIdTag>();
  t.seller = r.text<MemberId::kCapacity, MemberIdTag>();
  t.isin = r.text<Isin::kCapacity, IsinTag>();
  t.quantity.units = r.i64();
  t.price.units = r.i64();
  t.price_scale = r.u8();
  t.currency = r.text<CurrencyCode::kCapacity, CurrencyCodeTag>();
  t.trade_date.days = r.i32();
  t.settlement_date.days = r.i32();
  if (r.flag()) t.client_ref = r.text<ClientRef::kCapacity, ClientRefTag>();
  return t;
}

struct EntryWriter {
  ByteWriter& w;
  void operator()(const Trade& t) const {
    w.u8(static_cast<std::uint8_t>(EntryKind::kTrade));
    write_trade(w, t);
  }
  void operator()(const CutOff& c) const {
    w.u8(static_cast<std::uint8_t>(EntryKind::kCutOff));
    w.text(c.operator_id);
    w.i32(c.business_date.days);
  }
  void operator()(const Funding& f) const {
    w.u8(static_cast<std::uint8_t>(EntryKind::kFunding));
    w.text(f.operator_id);
    w.text(f.reference);
    w.text(f.member);
    w.u8(static_cast<std::uint8_t>(f.kind));
    w.text(f.asset);
    w.i64(f.amount);
  }
  void operator()(const SuspensionChange& s) const {
    w.u8(static_cast<std::uint8_t>(EntryKind::kSuspension));
    w.text(s.operator_id);
    w.text(s.reference);
    w.text(s.isin);
    w.u8(s.suspended ? 1 : 0);
  }
  void operator()(const TradeCancel& c) const {
    w.u8(static_cast<std::uint8_t>(EntryKind::kTradeCancel));
    w.text(c.trade_id);
    w.text(c.submitter);
  }
  void operator()(const ScheduledCutOff& c) const {
    w.u8(static_cast<std::uint8_t>(EntryKind::kScheduledCutOff));
    w.i32(c.business_date.days);
  }
};

Entry read_entry(Reader& r) {
  switch (static_cast<EntryKind>(r.u8())) {
    case EntryKind::kTrade: return read_trade(r);
    case EntryKind::kCutOff: {
      CutOff c;
      c.operator_id = r.text<MemberId::kCapacity, MemberIdTag>();
      c.business_date.days = r.i32();
      return c;
    }
    case EntryKind::kFunding: {
      Funding f;
      f.operator_id = r.text<MemberId::kCapacity, MemberIdTag>();
      f.reference = r.text<ControlRef::kCapacity, ControlRefTag>();
      f.member = r.text<MemberId::kCapacity, MemberIdTag>();
      const std::uint8_t kind = r.u8();
      if (kind > 1) r.fail(DecodeError::kBadAssetKind);
      f.kind = static_cast<AssetKind>(kind);
      f.asset = r.text<AssetCode::kCapacity, AssetCodeTag>();
      f.amount = r.i64();
      return f;
    }
    case EntryKind::kSuspension: {
      SuspensionChange s;
      s.operator_id = r.text<MemberId::kCapacity, MemberIdTag>();
      s.reference = r.text<ControlRef::kCapacity, ControlRefTag>();
      s.isin = r.text<Isin::kCapacity, IsinTag>();
      s.suspended = r.flag();
      return s;
    }
    case EntryKind::kTradeCancel: {
      TradeCancel c;
      c.trade_id = r.text<TradeId::kCapacity, TradeIdTag>();
      c.submitter = r.text<MemberId::kCapacity, MemberIdTag>();
      return c;
    }
    case EntryKind::kScheduledCutOff: {
      ScheduledCutOff c;
      c.business_date.days = r.i32();
      return c;
    }
  }
  r.fail(DecodeError::kBadEntryKind);
  return CutOff{};
}

}  // namespace

std::string_view to_string(DecodeError error) {
  switch (error) {
    case DecodeError::kNone: return "none";
    case DecodeError::kTooLarge: return "too_large";
    case DecodeError::kTruncated: return "truncated";
    case DecodeError::kBadVersion: return "bad_version";
    case DecodeError::kTooManyEntries: return "too_many_entries";
    case DecodeError::kBadEntryKind: return "bad_entry_kind";
    case DecodeError::kTextTooLong: return "text_too_long";
    case DecodeError::kBadFlag: return "bad_flag";
    case DecodeError::kBadAssetKind: return "bad_asset_kind";
    case DecodeError::kTrailingBytes: return "trailing_bytes";
  }
  return "unknown";
}

void encode_trade(const Trade& trade, Bytes& out) {
  ByteWriter w(out);
  write_trade(w, trade);
}

Bytes encode_batch(const Batch& batch) {
  assert(batch.entries.size() <= kBatchEntriesMax);
  Bytes out;
  out.reserve(5 + batch.entries.size() * 128);
  ByteWriter w(out);
  w.u8(kBatchVersion);
  w.u32(static_cast<std::uint32_t>(batch.entries.size()));
  for (const Entry& entry : batch.entries) std::visit(EntryWriter{w}, entry);
  return out;
}

Bytes encode_entry(const Entry& entry) {
  Bytes out;
  ByteWriter w(out);
  std::visit(EntryWriter{w}, entry);
  return out;
}

Digest entry_content_hash(ByteView entry) {
  const bool trade = !entry.empty() && entry[0] == static_cast<std::uint8_t>(EntryKind::kTrade);
  return sha256(trade ? entry.subspan(1) : entry);
}

DecodedTrade decode_trade(ByteView bytes) {
  DecodedTrade result;
  if (bytes.size() > kBatchBytesMax) {
    result.error = DecodeError::kTooLarge;
    return result;
  }
  Reader r(bytes);
  result.trade = read_trade(r);
  if (r.error() == DecodeError::kNone && r.remaining() != 0) r.fail(DecodeError::kTrailingBytes);
  result.error = r.error();
  result.offset = r.offset();
  return result;
}

DecodedBatch decode_batch(ByteView bytes) {
  DecodedBatch result;
  if (bytes.size() > kBatchBytesMax) {
    result.error = DecodeError::kTooLarge;
    return result;
  }
  Reader r(bytes);
  if (r.u8() != kBatchVersion && r.error() == DecodeError::kNone) r.fail(DecodeError::kBadVersion);
  const std::uint32_t count = r.u32();
  // Bound the count by what the remaining bytes could possibly hold before
  // reserving, so a forged count cannot make us allocate.
  if (r.error() == DecodeError::kNone &&
      (count > kBatchEntriesMax || count > r.remaining() / kEntryBytesMin)) {
    r.fail(DecodeError::kTooManyEntries);
  }
  if (r.error() == DecodeError::kNone) {
    result.batch.entries.reserve(count);
    result.entry_offsets.reserve(count + 1);
    for (std::uint32_t i = 0; i < count && r.error() == DecodeError::kNone; ++i) {
      result.entry_offsets.push_back(static_cast<std::uint32_t>(r.offset()));
      result.batch.entries.push_back(read_entry(r));
    }
    result.entry_offsets.push_back(static_cast<std::uint32_t>(r.offset()));
  }
  if (r.error() == DecodeError::kNone && r.remaining() != 0) r.fail(DecodeError::kTrailingBytes);
  result.error = r.error();
  result.offset = r.offset();
  if (result.error != DecodeError::kNone) {
    result.batch.entries.clear();
    result.entry_offsets.clear();
  }
  return result;
}

}  // namespace quorumclear::settlement
