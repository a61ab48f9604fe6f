// The snapshot codec (snapshot.h). Layout, all integers big-endian:
//
//   "QCSNAP" u16 version
//   header   u8 has_epoch, u64 epoch, i32 open date, digest state
//   dims     u16 members, u32 instruments, u8 currencies, u16 nodes
//   registry u32 n, n records in decision order; superseded hashes by record
//   matching open-report slots (used flag, report), free list, locked-in fields
//   stats    matched, locked_in, affirmed, mismatched, cancelled, expired, refused
//   books    per settlement date: cells sorted by key, gross, counts, volumes
//   money    balances sorted, supplies, capital, fund, gross today, suspensions
//   carried  open fails in order
//   votes    next sequence, pending entries by sequence, each proposer's queue
//   refs     applied control references sorted
//
// Record indices and slot numbers are kept as they are: outputs are sorted
// by record index, and keeping the slots means a restored ledger is the
// same machine, not merely an equivalent one.
#include "settlement/snapshot.h"

#include "settlement/byte_reader.h"
#include "settlement/byte_writer.h"
#include "settlement/codec.h"
#include "settlement/digest.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <tuple>

namespace quorumclear::settlement {
namespace {

constexpr std::array<std::uint8_t, 6> kMagic{'Q', 'C', 'S', 'N', 'A', 'P'};
constexpr std::size_t kHeaderBytes = 8 + 1 + 8 + 4 + 32;

constexpr std::array<std::string_view, 6> kMismatchFields{"isin",     "quantity",   "price",
                                                          "currency", "trade_date", "settlement_date"};

/// The static string first_difference returns for code `c` (1-based), so a
/// restored report's field is the same view the ledger compares with.
std::uint8_t mismatch_code(std::string_view field) {
  for (std::size_t i = 0; i < kMismatchFields.size(); ++i) {
    if (kMismatchFields[i] == field) return static_cast<std::uint8_t>(i + 1);
  }
  return 0;
}

void write_fields(ByteWriter& w, const ReportFields& f) {
  w.u32(f.instrument.value);
  w.i64(f.quantity.units);
  w.i64(f.price.units);
  w.u8(f.currency.value);
  w.i32(f.trade_date.days);
  w.i32(f.settlement_date.days);
}

void write_obligation(ByteWriter& w, const Obligation& o) {
  w.i32(o.settlement_date.days);
  w.i32(o.origin_date.days);
  w.u16(o.member.value);
  w.u8(static_cast<std::uint8_t>(o.kind));
  w.u32(o.asset);
  w.i64(o.net_amount);
  w.u8(static_cast<std::uint8_t>(o.status));
  w.u8(static_cast<std::uint8_t>(o.fail_reason));
  w.i64(o.price_minor);
  w.i64(o.value_minor);
  w.i64(o.mark_minor);
  w.i64(o.settled_amount);
  w.i64(o.settled_mark_minor);
}

template <class V, class F>
std::vector<std::pair<std::uint64_t, V>> sorted_cells(const FlatMap<V>& map, F keep) {
  std::vector<std::pair<std::uint64_t, V>> cells;
  map.for_each([&](std::uint64_t key, const V& value) {
    if (keep(value)) cells.emplace_back(key, value);
  });
  std::sort(cells.begin(), cells.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return cells;
}

constexpr auto kAll = [](const auto&) { return true; };

}  // namespace

/// Reads and restores the private state of a Ledger and the parts it owns.
class SnapshotCodec {
 public:
  static Bytes encode(const Ledger& l);
  /// Whether l encodes to exactly `expected`, compared piece by piece: a
  /// decode's canonical check never holds a second copy of the snapshot.
  static bool encodes_to(const Ledger& l, ByteView expected);
  static std::variant<std::unique_ptr<Ledger>, SnapshotError> decode(ByteView bytes, ReferenceData reference,
                                                                     LedgerOptions options);

 private:
  static void encode_into(ByteWriter& w, const Ledger& l);
  static void encode_registry(ByteWriter& w, const Ledger& l);
  static void encode_matching(ByteWriter& w, const Ledger& l);
  static void encode_books(ByteWriter& w, const Ledger& l);
  static void encode_money(ByteWriter& w, const Ledger& l);
  static void encode_votes(ByteWriter& w, const Ledger& l);
  static void decode_registry(ByteReader& r, Ledger& l);
  static void decode_matching(ByteReader& r, Ledger& l);
  static void decode_books(ByteReader& r, Ledger& l);
  static void decode_money(ByteReader& r, Ledger& l);
  static void decode_votes(ByteReader& r, Ledger& l);
  static ReportFields read_fields(ByteReader& r, const ReferenceData& ref);
  static Obligation read_obligation(ByteReader& r, const ReferenceData& ref);
  static void read_vector(ByteReader& r, std::vector<std::int64_t>& v);
};

Bytes SnapshotCodec::encode(const Ledger& l) {
  Bytes out;
  out.reserve(kHeaderBytes + 96 * l.registry_.size() + 4096);
  ByteWriter w(out);
  encode_into(w, l);
  return out;
}

bool SnapshotCodec::encodes_to(const Ledger& l, ByteView expected) {
  constexpr std::size_t kPiece = std::size_t{1} << 20;
  Bytes piece;
  piece.reserve(kPiece + 256);
  std::size_t at = 0;
  bool same = true;
  ByteWriter w(piece);
  w.spill_every(kPiece, [&](ByteView part) {
    same = same && part.size() <= expected.size() - at &&
           std::equal(part.begin(), part.end(), expected.begin() + static_cast<std::ptrdiff_t>(at));
    at += part.size();
  });
  encode_into(w, l);
  w.flush();
  return same && at == expected.size();
}

void SnapshotCodec::encode_into(ByteWriter& w, const Ledger& l) {
  w.bytes(kMagic);
  w.u16(kSnapshotVersion);
  w.u8(l.last_epoch_ ? 1 : 0);
  w.u64(l.last_epoch_.value_or(0));
  w.i32(l.open_date_.days);
  w.bytes(l.state_digest_);
  const ReferenceData& ref = l.reference_;
  w.u16(static_cast<std::uint16_t>(ref.member_count()));
  w.u32(static_cast<std::uint32_t>(ref.instrument_count()));
  w.u8(static_cast<std::uint8_t>(ref.currency_count()));
  w.u16(static_cast<std::uint16_t>(ref.node_count()));
  encode_registry(w, l);
  encode_matching(w, l);
  const MatchingStats& s = l.stats_;
  for (std::uint64_t v : {s.matched, s.locked_in, s.affirmed, s.mismatched, s.cancelled, s.expired,
                          s.refused_over_limit}) {
    w.u64(v);
  }
  encode_books(w, l);
  encode_money(w, l);
  encode_votes(w, l);
  w.count(l.applied_refs_.size());
  for (const auto& [reference, digest] : l.applied_refs_) {
    w.text(reference.view());
    w.bytes(digest);
  }
}

void SnapshotCodec::encode_registry(ByteWriter& w, const Ledger& l) {
  const TradeRegistry& reg = l.registry_;
  w.count(reg.size());
  const std::vector<bool> indexed_locked_in = reg.locked_in_indexed();
  for (std::size_t i = 0; i < reg.size(); ++i) {
    const TradeRecord& r = reg.record(i);
    const std::string_view id = reg.id_of(r);
    w.u16(r.submitter.value);
    w.text(id);
    w.bytes(r.content_hash);
    w.u64(r.epoch);
    w.u32(r.slot);
    w.u16(r.buyer.value);
    w.u16(r.seller.value);
    w.u8(r.version);
    w.u8(static_cast<std::uint8_t>(r.status));
    w.u8(static_cast<std::uint8_t>(r.reason));
    w.i32(r.business_date.days);
    w.i32(r.settlement_date.days);
    // Bit 0: a venue's trade; bit 1: in the locked-in index by match key.
    const bool indexed = indexed_locked_in[i];
    w.u8(static_cast<std::uint8_t>((r.locked_in ? 1 : 0) | (indexed ? 2 : 0)));
  }
  w.count(reg.superseded_.size());
  for (const auto& [index, hashes] : reg.superseded_) {
    w.u32(index);
    w.count(hashes.size());
    for (const Digest& d : hashes) w.bytes(d);
  }
}

void SnapshotCodec::encode_matching(ByteWriter& w, const Ledger& l) {
  const OpenReports& open = l.open_;
  w.count(open.slots_.size());
  for (std::size_t s = 0; s < open.slots_.size(); ++s) {
    w.u8(open.used_[s]);
    if (open.used_[s] == 0) continue;
    const OpenReport& o = open.slots_[s];
    w.u32(o.record);
    w.u16(o.submitter.value);
    w.u16(o.counterparty.value);
    write_fields(w, o.fields);
    w.i64(o.consideration.minor);
    w.i32(o.business_date.days);
    w.i32(o.expires_on.days);
    w.u8(mismatch_code(o.mismatch_field));
  }
  w.count(open.free_.size());
  for (std::uint32_t s : open.free_) w.u32(s);
  w.count(l.locked_fields_.size());
  for (const ReportFields& f : l.locked_fields_) write_fields(w, f);
}

void SnapshotCodec::encode_books(ByteWriter& w, const Ledger& l) {
  w.count(l.books_.size());
  for (const auto& [date, book] : l.books_) {
    w.i32(date.days);
    w.u8(book.settled ? 1 : 0);
    const auto positions = sorted_cells(book.positions, kAll);
    w.count(positions.size());
    for (const auto& [key, c] : positions) {
      w.u64(key);
      w.i64(c.bought);
      w.i64(c.sold);
      w.i64(c.paid_minor);
      w.i64(c.received_minor);
      w.u64(c.touched_epoch);
    }
    const auto cash = sorted_cells(book.cash, kAll);
    w.count(cash.size());
    for (const auto& [key, c] : cash) {
      w.u64(key);
      w.i64(c.received);
      w.i64(c.paid);
      w.u64(c.touched_epoch);
    }
    for (std::int64_t g : book.gross_minor) w.i64(g);
    for (std::uint32_t n : book.trade_count) w.u32(n);
    const auto volumes = sorted_cells(book.volumes, kAll);
    w.count(volumes.size());
    for (const auto& [key, v] : volumes) {
      w.u64(key);
      w.i128(v.quantity);
      w.i128(v.consideration_minor);
    }
  }
}

void SnapshotCodec::encode_money(ByteWriter& w, const Ledger& l) {
  std::vector<std::tuple<std::uint16_t, std::uint8_t, std::uint32_t, std::int64_t>> held;
  l.balances_.for_each([&](AccountIndex a, AssetKind k, std::uint32_t asset, std::int64_t amount) {
    held.emplace_back(a.value, static_cast<std::uint8_t>(k), asset, amount);
  });
  std::sort(held.begin(), held.end());
  w.count(held.size());
  for (const auto& [account, kind, asset, amount] : held) {
    w.u16(account);
    w.u8(kind);
    w.u32(asset);
    w.i64(amount);
  }
  for (const auto* v : {&l.supply_securities_, &l.supply_cash_, &l.capital_securities_, &l.capital_cash_,
                        &l.default_fund_, &l.gross_today_, &l.gross_quantity_today_}) {
    for (std::int64_t x : *v) w.i64(x);
  }
  for (std::uint8_t s : l.suspended_) w.u8(s);
  w.count(l.carried_.size());
  for (const Obligation& o : l.carried_) write_obligation(w, o);
}

void SnapshotCodec::encode_votes(ByteWriter& w, const Ledger& l) {
  const ControlVotes& v = l.votes_;
  w.u64(v.next_sequence_);
  w.count(v.by_sequence_.size());
  for (const auto& [sequence, p] : v.by_sequence_) {
    w.u64(sequence);
    w.u64(p.first_epoch);
    w.bytes(p.digest);
    w.u16(p.quorum);
    const Bytes entry = encode_entry(p.entry);
    w.count(entry.size());
    w.bytes(entry);
    w.u16(p.votes);
    for (std::size_t n = 0; n < kNodesMax; ++n) {
      if (p.voters.test(n)) w.u16(static_cast<std::uint16_t>(n));
    }
  }
  for (const std::vector<std::uint64_t>& queue : v.outstanding_) {
    w.count(queue.size());
    for (std::uint64_t s : queue) w.u64(s);
  }
}

ReportFields SnapshotCodec::read_fields(ByteReader& r, const ReferenceData& ref) {
  ReportFields f;
  f.instrument.value = r.u32();
  f.quantity.units = r.i64();
  f.price.units = r.i64();
  f.currency.value = r.u8();
  f.trade_date.days = r.i32();
  f.settlement_date.days = r.i32();
  r.expect(f.instrument.value < ref.instrument_count(), "report fields: instrument index");
  r.expect(f.currency.value < ref.currency_count(), "report fields: currency index");
  return f;
}

Obligation SnapshotCodec::read_obligation(ByteReader& r, const ReferenceData& ref) {
  Obligation o;
  o.settlement_date.days = r.i32();
  o.origin_date.days = r.i32();
  o.member.value = r.u16();
  const std::uint8_t kind = r.u8();
  o.asset = r.u32();
  o.net_amount = r.i64();
  const std::uint8_t status = r.u8();
  const std::uint8_t reason = r.u8();
  o.price_minor = r.i64();
  o.value_minor = r.i64();
  o.mark_minor = r.i64();
  o.settled_amount = r.i64();
  o.settled_mark_minor = r.i64();
  r.expect(o.member.value < ref.member_count(), "carried obligation: member index");
  r.expect(kind <= static_cast<std::uint8_t>(AssetKind::kCash), "carried obligation: asset kind");
  o.kind = static_cast<AssetKind>(kind);
  r.expect(o.asset < (o.kind == AssetKind::kCash ? ref.currency_count() : ref.instrument_count()),
           "carried obligation: asset index");
  r.expect(status <= static_cast<std::uint8_t>(ObligationStatus::kFailed), "carried obligation: status");
  o.status = static_cast<ObligationStatus>(status);
  r.expect(reason <= static_cast<std::uint8_t>(Reason::kLockedInMismatch), "carried obligation: reason");
  o.fail_reason = static_cast<Reason>(reason);
  return o;
}

void SnapshotCodec::read_vector(ByteReader& r, std::vector<std::int64_t>& v) {
  for (std::int64_t& x : v) x = r.i64();
}

void SnapshotCodec::decode_registry(ByteReader& r, Ledger& l) {
  const ReferenceData& ref = l.reference_;
  TradeRegistry& reg = l.registry_;
  const std::size_t n = r.count(2 + 1 + 32 + 8 + 4 + 4 + 3 + 8 + 1, "registry: record count");
  reg.reserve(std::max(n, l.options_.expected_trades));
  std::vector<std::uint32_t> locked;  // records in the locked-in index
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    TradeRecord t;
    t.submitter.value = r.u16();
    const std::string_view id = r.text(TradeId::kCapacity, "record: trade id length");
    t.content_hash = r.digest();
    t.epoch = r.u64();
    t.slot = r.u32();
    t.buyer.value = r.u16();
    t.seller.value = r.u16();
    t.version = r.u8();
    const std::uint8_t status = r.u8();
    const std::uint8_t reason = r.u8();
    t.business_date.days = r.i32();
    t.settlement_date.days = r.i32();
    const std::uint8_t flags = r.u8();
    if (!r.ok()) return;
    const std::size_t members = ref.member_count();
    if (!r.expect(!id.empty(), "record: empty trade id") ||
        !r.expect(t.submitter.value < members && t.buyer.value < members && t.seller.value < members,
                  "record: member index") ||
        !r.expect(t.version >= 1 && t.version <= kReportVersionsMax, "record: version") ||
        // REPLACED is a history status: a record holds its key's current version.
        !r.expect(status < static_cast<std::uint8_t>(TradeStatus::kReplaced), "record: status") ||
        !r.expect(reason <= static_cast<std::uint8_t>(Reason::kLockedInMismatch), "record: reason") ||
        !r.expect(flags <= 3 && flags != 2, "record: flags") ||
        !r.expect(l.last_epoch_ && t.epoch <= *l.last_epoch_, "record: epoch after the snapshot")) {
      return;
    }
    t.status = static_cast<TradeStatus>(status);
    t.reason = static_cast<Reason>(reason);
    t.locked_in = (flags & 1) != 0;
    if (!r.expect((flags & 2) == 0 || t.status == TradeStatus::kConfirmed, "record: locked-in index")) return;
    const std::uint32_t index = reg.append(id, t);
    if ((flags & 2) != 0) locked.push_back(index);
  }
  if (!r.ok() || !r.expect(reg.index_appended(), "record: key repeated") ||
      !r.expect(reg.index_locked_in_appended(locked), "record: locked-in index")) {
    return;
  }
  const std::size_t corrected = r.count(4 + 4 + 32, "registry: superseded count");
  std::int64_t previous = -1;
  for (std::size_t k = 0; k < corrected && r.ok(); ++k) {
    const std::uint32_t index = r.u32();
    const std::size_t hashes = r.count(32, "superseded: hash count");
    if (!r.expect(static_cast<std::int64_t>(index) > previous && index < reg.size(),
                  "superseded: record index") ||
        !r.expect(hashes >= 1 && hashes < kReportVersionsMax, "superseded: hash count")) {
      return;
    }
    previous = index;
    std::vector<Digest> list(hashes);
    for (Digest& d : list) d = r.digest();
    reg.superseded_.emplace_back(index, std::move(list));
  }
}

void SnapshotCodec::decode_matching(ByteReader& r, Ledger& l) {
  const ReferenceData& ref = l.reference_;
  OpenReports& open = l.open_;
  const std::size_t slots = r.count(1, "open reports: slot count");
  open.slots_.resize(slots);
  open.used_.assign(slots, 0);
  for (std::size_t s = 0; s < slots && r.ok(); ++s) {
    const std::uint8_t used = r.u8();
    if (!r.expect(used <= 1, "open report: used flag") || used == 0) continue;
    OpenReport& o = open.slots_[s];
    o.record = r.u32();
    o.submitter.value = r.u16();
    o.counterparty.value = r.u16();
    o.fields = read_fields(r, ref);
    o.consideration.minor = r.i64();
    o.business_date.days = r.i32();
    o.expires_on.days = r.i32();
    const std::uint8_t field = r.u8();
    if (!r.expect(field <= kMismatchFields.size(), "open report: mismatch field") ||
        !r.expect(o.record < l.registry_.size(), "open report: record index")) {
      return;
    }
    o.mismatch_field = field == 0 ? std::string_view{} : kMismatchFields[field - 1];
    const TradeRecord& t = l.registry_.record(o.record);
    if (!r.expect(is_live(t.status) && t.slot == s && o.submitter == t.submitter &&
                      o.counterparty == t.counterparty(),
                  "open report: record does not hold this slot")) {
      return;
    }
    open.used_[s] = 1;
    ++open.per_member_.at(o.submitter.value);
  }
  const std::size_t free = r.count(4, "open reports: free count");
  std::vector<std::uint8_t> freed(slots, 0);
  for (std::size_t k = 0; k < free && r.ok(); ++k) {
    const std::uint32_t s = r.u32();
    if (!r.expect(s < slots && open.used_[s] == 0 && freed[s] == 0, "open reports: free slot")) return;
    freed[s] = 1;
    open.free_.push_back(s);
  }
  if (!r.expect(open.free_.size() + open.size() == slots, "open reports: a slot neither used nor free")) {
    return;
  }
  const std::size_t locked = r.count(4 + 8 + 8 + 1 + 4 + 4, "locked-in fields: count");
  l.locked_fields_.reserve(locked);
  for (std::size_t k = 0; k < locked && r.ok(); ++k) l.locked_fields_.push_back(read_fields(r, ref));
  // Every record's slot is the one its status gives it.
  for (std::size_t i = 0; i < l.registry_.size() && r.ok(); ++i) {
    const TradeRecord& t = l.registry_.record(i);
    if (is_live(t.status)) {
      r.expect(t.slot < slots && open.used_[t.slot] == 1 && open.slots_[t.slot].record == i,
               "record: live without its open report");
    } else if (t.locked_in && t.status == TradeStatus::kConfirmed) {
      r.expect(t.slot < l.locked_fields_.size(), "record: locked-in fields index");
    } else {
      r.expect(t.slot == kNotOpen, "record: slot on a closed report");
    }
  }
}

void SnapshotCodec::decode_books(ByteReader& r, Ledger& l) {
  const ReferenceData& ref = l.reference_;
  const std::size_t ccys = ref.currency_count();
  const auto holder_ok = [&](std::uint64_t key, std::size_t assets) {
    return key >> 40 == 0 && cell_holder(key) < ref.member_count() && cell_asset(key) < assets;
  };
  const std::size_t dates = r.count(4 + 1 + 4 + 4 + 12 * ccys + 4, "books: date count");
  std::int64_t previous = std::numeric_limits<std::int64_t>::min();
  for (std::size_t d = 0; d < dates && r.ok(); ++d) {
    const BusinessDate date{r.i32()};
    if (!r.expect(date.days > previous, "books: dates out of order")) return;
    previous = date.days;
    DateBook& book = l.books_[date];
    book.settled = r.flag("book: settled flag");
    const std::size_t positions = r.count(8 + 32 + 8, "book: position count");
    book.positions.reserve(positions);
    std::uint64_t last_key = 0;
    for (std::size_t k = 0; k < positions && r.ok(); ++k) {
      const std::uint64_t key = r.u64();
      if (!r.expect((k == 0 || key > last_key) && holder_ok(key, ref.instrument_count()), "book: position key")) {
        return;
      }
      last_key = key;
      PositionCell& c = book.positions[key];
      c.bought = r.i64();
      c.sold = r.i64();
      c.paid_minor = r.i64();
      c.received_minor = r.i64();
      c.touched_epoch = r.u64();
    }
    const std::size_t cash = r.count(8 + 16 + 8, "book: cash count");
    book.cash.reserve(cash);
    for (std::size_t k = 0; k < cash && r.ok(); ++k) {
      const std::uint64_t key = r.u64();
      if (!r.expect((k == 0 || key > last_key) && holder_ok(key, ccys), "book: cash key")) return;
      last_key = key;
      CashCell& c = book.cash[key];
      c.received = r.i64();
      c.paid = r.i64();
      c.touched_epoch = r.u64();
    }
    book.gross_minor.assign(ccys, 0);
    for (std::int64_t& g : book.gross_minor) g = r.i64();
    book.trade_count.assign(ccys, 0);
    for (std::uint32_t& n : book.trade_count) n = r.u32();
    const std::size_t volumes = r.count(8 + 32, "book: volume count");
    for (std::size_t k = 0; k < volumes && r.ok(); ++k) {
      const std::uint64_t key = r.u64();
      if (!r.expect((k == 0 || key > last_key) && key < ref.instrument_count(), "book: volume key")) return;
      last_key = key;
      TradedVolume& v = book.volumes[key];
      v.quantity = r.i128();
      v.consideration_minor = r.i128();
    }
  }
}

void SnapshotCodec::decode_money(ByteReader& r, Ledger& l) {
  const ReferenceData& ref = l.reference_;
  // The genesis balances the constructor posted are replaced wholesale.
  l.balances_ = Balances(ref.member_count() + 1, ref.currency_count());
  const std::size_t held = r.count(2 + 1 + 4 + 8, "balances: count");
  std::tuple<std::uint16_t, std::uint8_t, std::uint32_t> previous{};
  for (std::size_t k = 0; k < held && r.ok(); ++k) {
    const std::uint16_t account = r.u16();
    const std::uint8_t kind = r.u8();
    const std::uint32_t asset = r.u32();
    const std::int64_t amount = r.i64();
    const std::tuple key{account, kind, asset};
    if (!r.expect(k == 0 || key > previous, "balances: out of order") ||
        !r.expect(account <= ref.member_count() && kind <= 1, "balance: account or kind") ||
        !r.expect(asset < (kind == 1 ? ref.currency_count() : ref.instrument_count()), "balance: asset") ||
        !r.expect(amount > 0, "balance: not positive")) {
      return;
    }
    previous = key;
    l.balances_.add(AccountIndex{account}, static_cast<AssetKind>(kind), asset, amount);
  }
  for (auto* v : {&l.supply_securities_, &l.supply_cash_, &l.capital_securities_, &l.capital_cash_,
                  &l.default_fund_, &l.gross_today_, &l.gross_quantity_today_}) {
    read_vector(r, *v);
  }
  for (std::uint8_t& s : l.suspended_) {
    s = r.flag("suspension flag") ? 1 : 0;
  }
  const std::size_t carried = r.count(4 + 4 + 2 + 1 + 4 + 8 + 2 + 40, "carried: count");
  for (std::size_t k = 0; k < carried && r.ok(); ++k) l.carried_.push_back(read_obligation(r, ref));
}

void SnapshotCodec::decode_votes(ByteReader& r, Ledger& l) {
  ControlVotes& v = l.votes_;
  const std::size_t nodes = v.nodes_;
  v.next_sequence_ = r.u64();
  const std::size_t pending = r.count(8 + 8 + 32 + 2 + 4 + 2, "votes: pending count");
  if (!r.expect(pending <= nodes * kControlVotesPerProposerMax, "votes: more than the quotas allow")) return;
  std::vector<std::vector<std::uint16_t>> voters_of;  // per pending entry, for the queue check
  for (std::size_t k = 0; k < pending && r.ok(); ++k) {
    PendingControl p;
    p.sequence = r.u64();
    p.first_epoch = r.u64();
    p.digest = r.digest();
    p.quorum = r.u16();
    const std::size_t length = r.count(1, "vote: entry length");
    const ByteView entry = r.span(length);
    p.votes = r.u16();
    if (!r.ok()) return;
    if (!r.expect(p.sequence < v.next_sequence_ && !v.by_sequence_.contains(p.sequence),
                  "vote: sequence") ||
        (!v.by_sequence_.empty() && !r.expect(p.sequence > v.by_sequence_.rbegin()->first, "vote: order")) ||
        !r.expect(l.last_epoch_ && p.first_epoch <= *l.last_epoch_, "vote: first epoch") ||
        !r.expect(p.quorum >= 1 && p.quorum <= nodes, "vote: quorum") ||
        !r.expect(p.votes >= 1 && p.votes < p.quorum, "vote: count") ||
        !r.expect(sha256(entry) == p.digest, "vote: digest of its entry") ||
        !r.expect(!v.sequence_of_.contains(p.digest), "vote: entry repeated")) {
      return;
    }
    // An entry travels as a one-entry batch body: the batch codec is its
    // one strict decoder.
    Bytes batch{kBatchVersion, 0, 0, 0, 1};
    batch.insert(batch.end(), entry.begin(), entry.end());
    DecodedBatch decoded = decode_batch(batch);
    if (!r.expect(decoded.error == DecodeError::kNone && decoded.batch.entries.size() == 1, "vote: entry")) {
      return;
    }
    p.entry = std::move(decoded.batch.entries.front());
    std::vector<std::uint16_t> voters;
    for (std::uint16_t n = 0; n < p.votes && r.ok(); ++n) {
      const std::uint16_t voter = r.u16();
      if (!r.expect(voter < nodes && (voters.empty() || voter > voters.back()), "vote: voters")) return;
      voters.push_back(voter);
      p.voters.set(voter);
    }
    voters_of.push_back(std::move(voters));
    v.sequence_of_.emplace(p.digest, p.sequence);
    v.by_sequence_.emplace(p.sequence, std::move(p));
  }
  // Each proposer's queue holds exactly the pending entries it voted for.
  std::size_t queued = 0;
  for (std::size_t n = 0; n < nodes && r.ok(); ++n) {
    const std::size_t length = r.count(8, "votes: queue length");
    if (!r.expect(length <= kControlVotesPerProposerMax, "votes: queue over its quota")) return;
    for (std::size_t k = 0; k < length && r.ok(); ++k) {
      const std::uint64_t sequence = r.u64();
      const auto it = v.by_sequence_.find(sequence);
      const auto& queue = v.outstanding_[n];
      if (!r.expect(it != v.by_sequence_.end() && it->second.voters.test(n) &&
                        std::find(queue.begin(), queue.end(), sequence) == queue.end(),
                    "votes: queue names an entry its proposer did not vote for")) {
        return;
      }
      v.outstanding_[n].push_back(sequence);
    }
    queued += length;
  }
  std::size_t votes = 0;
  for (const auto& list : voters_of) votes += list.size();
  r.expect(queued == votes, "votes: a vote missing from its proposer's queue");
}

std::variant<std::unique_ptr<Ledger>, SnapshotError> SnapshotCodec::decode(ByteView bytes,
                                                                           ReferenceData reference,
                                                                           LedgerOptions options) {
  const auto header = read_snapshot_header(bytes);
  if (const auto* e = std::get_if<SnapshotError>(&header)) return *e;
  auto ledger = std::make_unique<Ledger>(std::move(reference), options);
  Ledger& l = *ledger;
  const ReferenceData& ref = l.reference_;
  ByteReader r(bytes.subspan(kHeaderBytes));
  const auto fail = [&](const char* what) { return SnapshotError{what, kHeaderBytes + r.offset()}; };
  const SnapshotHeader& h = std::get<SnapshotHeader>(header);
  l.last_epoch_ = h.epoch;
  l.open_date_ = h.open_business_date;
  l.state_digest_ = h.state_digest;
  const std::uint16_t members = r.u16();
  const std::uint32_t instruments = r.u32();
  const std::uint8_t currencies = r.u8();
  const std::uint16_t nodes = r.u16();
  if (!r.expect(members == ref.member_count() && instruments == ref.instrument_count() &&
                    currencies == ref.currency_count() && nodes == ref.node_count(),
                "dimensions differ from this genesis")) {
    return fail(r.error());
  }
  decode_registry(r, l);
  if (r.ok()) decode_matching(r, l);
  MatchingStats& s = l.stats_;
  for (std::uint64_t* v : {&s.matched, &s.locked_in, &s.affirmed, &s.mismatched, &s.cancelled, &s.expired,
                           &s.refused_over_limit}) {
    *v = r.u64();
  }
  s.open_reports = l.open_.size();
  if (r.ok()) decode_books(r, l);
  if (r.ok()) decode_money(r, l);
  if (r.ok()) decode_votes(r, l);
  const std::size_t refs = r.count(1 + 32, "applied references: count");
  for (std::size_t k = 0; k < refs && r.ok(); ++k) {
    const std::string_view text = r.text(ControlRef::kCapacity, "applied reference: length");
    const Digest digest = r.digest();
    if (!r.ok()) break;
    const ControlRef reference_code = ControlRef::of(text);
    if (!r.expect(l.applied_refs_.empty() || reference_code > l.applied_refs_.rbegin()->first,
                  "applied references: out of order")) {
      break;
    }
    l.applied_refs_.emplace(reference_code, digest);
  }
  if (!r.ok()) return fail(r.error());
  if (r.remaining() != 0) return fail("trailing bytes");
  if (const char* violation = l.first_violation(true)) return fail(violation);
  // Whatever the checks above missed, bytes that are not exactly what this
  // state encodes to are not the state a checkpoint signed.
  if (!encodes_to(l, bytes)) return fail("not canonical");
  return ledger;
}

Bytes encode_snapshot(const Ledger& ledger) {
  assert(ledger.last_applied_epoch().has_value());
  return SnapshotCodec::encode(ledger);
}

Digest snapshot_digest(ByteView snapshot) { return sha256(snapshot); }

std::variant<SnapshotHeader, SnapshotError> read_snapshot_header(ByteView snapshot) {
  if (snapshot.size() > kSnapshotBytesMax) return SnapshotError{"too large", 0};
  ByteReader r(snapshot);
  for (std::uint8_t m : kMagic) {
    if (r.u8() != m) return SnapshotError{"not a snapshot", r.offset()};
  }
  if (r.u16() != kSnapshotVersion) return SnapshotError{"unknown snapshot version", r.offset()};
  SnapshotHeader h;
  const bool has_epoch = r.flag("epoch flag");
  h.epoch = r.u64();
  h.open_business_date.days = r.i32();
  h.state_digest = r.digest();
  if (!r.ok()) return SnapshotError{r.error(), r.offset()};
  if (!has_epoch) return SnapshotError{"a snapshot before epoch 0", r.offset()};
  return h;
}

std::variant<std::unique_ptr<Ledger>, SnapshotError> decode_snapshot(ByteView snapshot, ReferenceData reference,
                                                                     LedgerOptions options) {
  return SnapshotCodec::decode(snapshot, std::move(reference), options);
}

}  // namespace quorumclear::settlement
