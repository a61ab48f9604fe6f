// Stored text back to settlement values. The names are the settlement
// vocabulary's own to_string, inverted, so the reader can never spell a
// status or reason differently from the writer; anything else in a column
// is a database this build did not write, and throws StoreError.
#include "services/store/read_store_internal.h"

#include <limits>
#include <unordered_map>

namespace quorumclear::store::read {
namespace {

using namespace std::string_literals;

// name -> value for every value of E that to_string names: all 256 values
// of the one-byte underlying type are asked, so a new enumerator is known
// here as soon as settlement names it.
template <class E>
const std::unordered_map<std::string_view, E>& names_of() {
  static const std::unordered_map<std::string_view, E> names = [] {
    std::unordered_map<std::string_view, E> m;
    for (unsigned v = 0; v <= std::numeric_limits<std::uint8_t>::max(); ++v) {
      const auto e = static_cast<E>(v);
      const std::string_view name = settlement::to_string(e);
      if (name != "UNKNOWN") m.emplace(name, e);
    }
    return m;
  }();
  return names;
}

template <class E>
E enum_of(const pqxx::field& field) {
  const std::string_view text(field.c_str(), field.size());
  const auto& names = names_of<E>();
  if (field.is_null()) throw StoreError("store: column "s + field.name() + " is NULL");
  const auto it = names.find(text);
  if (it == names.end()) throw StoreError("store: column "s + field.name() + " holds an unknown value");
  return it->second;
}

std::int64_t integer_of(const pqxx::field& field) {
  if (field.is_null()) throw StoreError("store: column "s + field.name() + " is NULL");
  return field.as<std::int64_t>();
}

std::uint8_t small_of(const pqxx::field& field, std::uint8_t max) {
  const std::int64_t v = integer_of(field);
  if (v < 0 || v > max) throw StoreError("store: column "s + field.name() + " is out of range");
  return static_cast<std::uint8_t>(v);
}

}  // namespace

settlement::BusinessDate date_of(const pqxx::field& field) {
  const std::int64_t days = integer_of(field);
  // read::days() maps every stored date into int32.
  return settlement::BusinessDate{static_cast<std::int32_t>(days)};
}

std::optional<settlement::BusinessDate> optional_date_of(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return date_of(field);
}

std::uint64_t epoch_of(const pqxx::field& field) {
  const std::int64_t v = integer_of(field);
  if (v < 0) throw StoreError("store: column "s + field.name() + " holds a negative epoch");
  return static_cast<std::uint64_t>(v);
}

std::optional<std::uint64_t> optional_epoch_of(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return epoch_of(field);
}

settlement::Reason reason_of(const pqxx::field& field) {
  if (field.is_null()) return settlement::Reason::kNone;
  return enum_of<settlement::Reason>(field);
}

settlement::TradeStatus trade_status_of(const pqxx::field& field) { return enum_of<settlement::TradeStatus>(field); }

settlement::ControlStatus control_status_of(const pqxx::field& field) {
  return enum_of<settlement::ControlStatus>(field);
}

settlement::ObligationStatus obligation_status_of(const pqxx::field& field) {
  const std::string_view v(field.c_str(), field.size());
  if (v == "PENDING") return settlement::ObligationStatus::kPending;
  if (v == "SETTLED") return settlement::ObligationStatus::kSettled;
  if (v == "FAILED") return settlement::ObligationStatus::kFailed;
  throw StoreError("store: column "s + field.name() + " holds an unknown obligation status");
}

settlement::RunStatus run_status_of(const pqxx::field& field) {
  // NETTED (0003) is a v1 status no ledger run ends in.
  const std::string_view v(field.c_str(), field.size());
  if (v == "SETTLED") return settlement::RunStatus::kSettled;
  if (v == "PARTIALLY_SETTLED") return settlement::RunStatus::kPartiallySettled;
  throw StoreError("store: column "s + field.name() + " holds an unknown run status");
}

settlement::AssetKind asset_kind_of(const pqxx::field& field) {
  const std::string_view v(field.c_str(), field.size());
  if (v == "SECURITIES") return settlement::AssetKind::kSecurities;
  if (v == "CASH") return settlement::AssetKind::kCash;
  throw StoreError("store: column "s + field.name() + " holds an unknown asset kind");
}

ControlKind control_kind_of(const pqxx::field& field) {
  const std::string_view v(field.c_str(), field.size());
  for (const ControlKind k :
       {ControlKind::kCutOff, ControlKind::kScheduledCutOff, ControlKind::kFunding, ControlKind::kSuspension}) {
    if (v == to_string(k)) return k;
  }
  throw StoreError("store: column "s + field.name() + " holds an unknown control kind");
}

std::string text_of(const pqxx::field& field) {
  if (field.is_null()) return {};
  return std::string(field.c_str(), field.size());
}

std::uint32_t count_of(const pqxx::field& field, std::uint32_t max) {
  const std::int64_t v = integer_of(field);
  if (v < 0 || v > max) throw StoreError("store: column "s + field.name() + " is out of range");
  return static_cast<std::uint32_t>(v);
}

const std::string& trade_columns() {
  static const std::string columns =
      "t.submitter, t.trade_id, t.version, t.buyer, t.seller, t.isin::text, t.quantity, t.price, "
      "t.price_scale, t.currency::text, t.consideration_minor, " +
      days("t.trade_date") + ", " + days("t.settlement_date") +
      ", t.client_ref, t.status, t.reject_reason, t.reject_field, t.epoch, t.status_epoch, t.report_kind, "
      "t.matched_submitter, " +
      days("t.business_date") + ", " + days("t.effective_settlement_date") +
      // A subquery, not a join: it runs for the rows a page returns only,
      // and leaves the scan in primary-key order for the LIMIT.
      ", (SELECT c.minor_units FROM currencies c WHERE c.code = t.currency)";
  return columns;
}

TradeRow trade_row(const pqxx::row& row) {
  TradeRow out;
  settlement::Trade& t = out.report;
  t.submitter = code_of<settlement::MemberId>(row[0]);
  t.trade_id = code_of<settlement::TradeId>(row[1]);
  out.version = small_of(row[2], settlement::kReportVersionsMax);
  t.buyer = code_of<settlement::MemberId>(row[3]);
  t.seller = code_of<settlement::MemberId>(row[4]);
  t.isin = code_of<settlement::Isin>(row[5]);
  t.quantity = settlement::Quantity{integer_of(row[6])};
  t.price = settlement::Price{integer_of(row[7])};
  t.price_scale = small_of(row[8], std::numeric_limits<std::uint8_t>::max());
  t.currency = code_of<settlement::CurrencyCode>(row[9]);
  out.consideration = settlement::AmountMinor{integer_of(row[10])};
  t.trade_date = date_of(row[11]);
  t.settlement_date = date_of(row[12]);
  t.client_ref = optional_code_of<settlement::ClientRef>(row[13]);
  // RECEIVED: a v1 row migrated undecided (0008); the writer of issue 13
  // keeps undecided reports in received_reports instead.
  if (std::string_view(row[14].c_str(), row[14].size()) != "RECEIVED") out.status = trade_status_of(row[14]);
  out.reason = reason_of(row[15]);
  out.field = text_of(row[16]);
  out.epoch = optional_epoch_of(row[17]);
  out.status_epoch = optional_epoch_of(row[18]);
  out.locked_in = std::string_view(row[19].c_str(), row[19].size()) == "LOCKED_IN";
  out.matched_submitter = optional_code_of<settlement::MemberId>(row[20]);
  out.booked_business_date = optional_date_of(row[21]);
  out.booked_settlement_date = optional_date_of(row[22]);
  if (!row[23].is_null()) out.currency_minor_units = small_of(row[23], 4);
  return out;
}

std::string trade_cursor(const Fingerprint& fingerprint, const TradeRow& row) {
  return CursorWriter(fingerprint).text(row.report.submitter.view()).text(row.report.trade_id.view()).finish();
}

void after_trade_key(Query& query, std::string_view cursor, const Fingerprint& fingerprint) {
  if (cursor.empty()) return;
  CursorReader reader(cursor, fingerprint);
  const settlement::MemberId submitter = reader.member();
  const settlement::TradeId trade_id = reader.trade_id();
  reader.finish();
  const std::string a = query.param(sql::text(submitter.view()));
  const std::string b = query.param(sql::text(trade_id.view()));
  query.where("(t.submitter, t.trade_id) > (" + a + ", " + b + ")");
}

}  // namespace quorumclear::store::read
