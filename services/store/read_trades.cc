// Report reads: what a submission needs to know of its keys (key_states),
// one report with its counterparty's side (trade), the lists of current
// reports and of allegations waiting for a member's side.
//
// A key's current version is its highest: a correction takes the next
// version, and only a live version is marked REPLACED by it (a corrected
// REJECTED, CANCELLED or expired version keeps its status), so "current"
// is "no higher version exists", an index probe on the primary key.
#include "services/store/read_store_internal.h"

#include "settlement/codec.h"

#include <unordered_map>

namespace quorumclear::store {
namespace {

using namespace std::string_literals;
using settlement::MemberId;
using settlement::TradeStatus;

constexpr std::uint8_t kTradeEntryKind = 1;  // settlement/codec.h, entry kinds

constexpr std::string_view kIsCurrent =
    "NOT EXISTS (SELECT 1 FROM trades n WHERE n.submitter = t.submitter AND n.trade_id = t.trade_id "
    "AND n.version > t.version)";

void check_member(std::string_view member) {
  if (!settlement::is_valid_member_id(member)) {
    throw std::invalid_argument("store: '" + sql::printable(member) + "' is not a member id");
  }
}

// A text[] literal: {"a","b"}, each element quoted.
std::string text_array(const std::vector<std::string_view>& values) {
  std::string out = "{";
  for (const std::string_view v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

void fill_decided(const pqxx::result& rows, std::unordered_map<std::string_view, KeyState>& states) {
  for (const pqxx::row& row : rows) {
    KeyState& k = states.at(std::string_view(row[0].c_str(), row[0].size()));
    DecidedVersion v;
    v.version = static_cast<std::uint8_t>(read::count_of(row[1], settlement::kReportVersionsMax));
    v.status = read::trade_status_of(row[2]);
    v.reason = read::reason_of(row[3]);
    v.field = read::text_of(row[4]);
    v.epoch = read::epoch_of(row[5]);
    v.status_epoch = read::optional_epoch_of(row[6]);
    k.decided_hashes.push_back(sql::digest_of(row[7]));
    // Ordered by version: the last one is the current.
    k.current = std::move(v);
  }
}

// The other party's current report under the same trade id, if it names
// the same buyer and seller: the one report matching pairs this one with.
std::optional<CounterpartySide> counterparty_of(Snapshot& tx, const TradeRow& row) {
  const settlement::Trade& t = row.report;
  if (row.locked_in || (t.submitter != t.buyer && t.submitter != t.seller)) return std::nullopt;
  CounterpartySide side;
  side.member = t.submitter == t.buyer ? t.seller : t.buyer;
  // A refused report may name anything as its other party.
  if (!settlement::is_valid_member_id(side.member.view()) || side.member == t.submitter) return side;
  read::Query q("SELECT t.version, t.status, t.buyer, t.seller FROM trades t");
  q.where("t.submitter = " + q.param(sql::text(side.member.view())));
  q.where("t.trade_id = " + q.param(sql::text(t.trade_id.view())));
  q.append("ORDER BY t.version DESC LIMIT 1");
  const pqxx::result rows = q.run(tx);
  if (rows.empty()) return side;
  const pqxx::row r = rows[0];
  if (read::code_of<MemberId>(r[2]) != t.buyer || read::code_of<MemberId>(r[3]) != t.seller) return side;
  side.version = static_cast<std::uint8_t>(read::count_of(r[0], settlement::kReportVersionsMax));
  side.status = read::trade_status_of(r[1]);
  return side;
}

// The latest received report (not a cancel) of a key no epoch decided, as
// the API wrote it: the canonical entry, kind byte first.
std::optional<TradeRow> received_row(Snapshot& tx, std::string_view submitter, std::string_view trade_id) {
  read::Query q("SELECT r.entry FROM received_reports r");
  q.where("r.submitter = " + q.param(sql::text(submitter)));
  q.where("r.trade_id = " + q.param(sql::text(trade_id)));
  q.where("NOT r.is_cancel");
  q.append("ORDER BY r.received_at DESC, r.content_hash DESC LIMIT 1");
  const pqxx::result rows = q.run(tx);
  if (rows.empty()) return std::nullopt;
  const settlement::Bytes entry = sql::bytes_of(rows[0][0]);
  if (entry.empty() || entry[0] != kTradeEntryKind) {
    throw StoreError("store: a received report of " + std::string(submitter) + " is not a trade entry");
  }
  settlement::DecodedTrade decoded = settlement::decode_trade(settlement::ByteView(entry).subspan(1));
  if (decoded.error != settlement::DecodeError::kNone || decoded.trade.submitter.view() != submitter ||
      decoded.trade.trade_id.view() != trade_id) {
    throw StoreError("store: a received report of " + std::string(submitter) + " does not decode to its key");
  }
  TradeRow row;
  row.report = std::move(decoded.trade);
  const settlement::Trade& t = row.report;
  row.locked_in = t.submitter != t.buyer && t.submitter != t.seller;
  read::Query currency("SELECT minor_units FROM currencies");
  currency.where("code = " + currency.param(sql::untrusted_text(t.currency.view())));
  const pqxx::result units = currency.run(tx);
  if (!units.empty()) row.currency_minor_units = static_cast<std::uint8_t>(read::count_of(units[0][0], 4));
  return row;
}

}  // namespace

std::vector<KeyState> ReadStore::key_states(std::string_view submitter, std::span<const std::string> trade_ids) {
  check_member(submitter);
  if (trade_ids.size() > kKeyStatesMax) {
    throw std::invalid_argument("store: key_states takes at most " + std::to_string(kKeyStatesMax) + " trade ids");
  }
  std::unordered_map<std::string_view, KeyState> states;
  std::vector<std::string_view> unique;
  for (const std::string& id : trade_ids) {
    if (!settlement::is_valid_trade_id(id)) continue;
    if (states.try_emplace(id).second) unique.push_back(id);
  }
  if (!unique.empty()) {
    const std::string ids = text_array(unique);
    guarded("key_states", [&](Session& s) {
      Snapshot tx(s.db);
      fill_decided(tx.exec_params("SELECT trade_id, version, status, reject_reason, reject_field, epoch, "
                                  "status_epoch, content_hash FROM trades "
                                  "WHERE submitter = $1 AND trade_id = ANY($2::text[]) ORDER BY trade_id, version",
                                  std::string(submitter), ids),
                   states);
      for (const pqxx::row& row : tx.exec_params("SELECT trade_id, content_hash, is_cancel FROM received_reports "
                                                 "WHERE submitter = $1 AND trade_id = ANY($2::text[]) "
                                                 "ORDER BY trade_id, content_hash",
                                                 std::string(submitter), ids)) {
        states.at(std::string_view(row[0].c_str(), row[0].size()))
            .pending.push_back(PendingEntry{sql::digest_of(row[1]), row[2].as<bool>()});
      }
      tx.commit();
      return 0;
    });
  }
  std::vector<KeyState> out;
  out.reserve(trade_ids.size());
  for (const std::string& id : trade_ids) {
    const auto it = states.find(id);
    out.push_back(it != states.end() ? it->second : KeyState{});
    // Empty for an id longer than any trade id.
    out.back().trade_id = settlement::TradeId::from(id).value_or(settlement::TradeId{});
  }
  return out;
}

std::optional<TradeRow> ReadStore::trade(std::string_view submitter, std::string_view trade_id) {
  check_member(submitter);
  if (!settlement::is_valid_trade_id(trade_id)) return std::nullopt;
  return guarded("trade", [&](Session& s) -> std::optional<TradeRow> {
    Snapshot tx(s.db);
    read::Query q("SELECT " + read::trade_columns() + " FROM trades t");
    q.where("t.submitter = " + q.param(sql::text(submitter)));
    q.where("t.trade_id = " + q.param(sql::text(trade_id)));
    q.append("ORDER BY t.version DESC LIMIT 1");
    const pqxx::result rows = q.run(tx);
    std::optional<TradeRow> row =
        rows.empty() ? received_row(tx, submitter, trade_id) : std::optional<TradeRow>(read::trade_row(rows[0]));
    if (row) row->counterparty = counterparty_of(tx, *row);
    tx.commit();
    return row;
  });
}

Page<TradeRow> ReadStore::trades(const Scope& scope, std::optional<TradeStatus> status,
                                 std::optional<settlement::BusinessDate> settlement_date, std::string_view cursor,
                                 std::uint32_t limit) {
  read::check_limit(limit, kReadPageMax);
  read::check_scope(scope);
  read::Fingerprint fp(read::ListTag::kTrades);
  fp.add(scope);
  if (status) {
    fp.add(settlement::to_string(*status));
  } else {
    fp.add_absent();
  }
  fp.add(settlement_date);
  read::Query q("SELECT " + read::trade_columns() + " FROM trades t");
  if (scope) q.where("t.submitter = " + q.param(sql::text(scope->view())));
  read::after_trade_key(q, cursor, fp);
  q.where(kIsCurrent);
  if (status) q.where("t.status = " + q.param(sql::text(settlement::to_string(*status))));
  if (settlement_date) {
    q.where("COALESCE(t.effective_settlement_date, t.settlement_date) = " + q.param(sql::date(*settlement_date)) +
            "::date");
  }
  q.append("ORDER BY t.submitter, t.trade_id LIMIT " + std::to_string(limit + 1));
  return guarded("trades", [&](Session& s) {
    Snapshot tx(s.db);
    Page<TradeRow> page = read::page_of<TradeRow>(q.run(tx), limit, read::trade_row,
                                                  [&](const TradeRow& r) { return read::trade_cursor(fp, r); });
    tx.commit();
    return page;
  });
}

Page<TradeRow> ReadStore::allegations(const MemberId& member, std::string_view cursor, std::uint32_t limit) {
  read::check_limit(limit, kReadPageMax);
  check_member(member.view());
  read::Fingerprint fp(read::ListTag::kAllegations);
  fp.add(member.view());
  read::Query q("SELECT " + read::trade_columns() + " FROM trades t");
  // Live versions are always current (a correction replaces them), so no
  // version probe is needed here.
  q.where("t.status IN ('ALLEGED', 'MISMATCHED')");
  const std::string m = q.param(sql::text(member.view()));
  q.where("(t.buyer = " + m + " OR t.seller = " + m + ")");
  q.where("t.submitter <> " + m);
  read::after_trade_key(q, cursor, fp);
  // The member's own side: a live or booked report (also always current)
  // under the trade id naming the same buyer and seller.
  q.where("NOT EXISTS (SELECT 1 FROM trades o WHERE o.submitter = " + m +
          " AND o.trade_id = t.trade_id AND o.buyer = t.buyer AND o.seller = t.seller "
          "AND o.status IN ('ALLEGED', 'MISMATCHED', 'CONFIRMED', 'AFFIRMED'))");
  q.append("ORDER BY t.submitter, t.trade_id LIMIT " + std::to_string(limit + 1));
  return guarded("allegations", [&](Session& s) {
    Snapshot tx(s.db);
    Page<TradeRow> page = read::page_of<TradeRow>(q.run(tx), limit, read::trade_row,
                                                  [&](const TradeRow& r) { return read::trade_cursor(fp, r); });
    tx.commit();
    return page;
  });
}

}  // namespace quorumclear::store
