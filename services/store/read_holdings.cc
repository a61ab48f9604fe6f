// Holdings: traded positions and cash per settlement date, and balances,
// each in its table's primary-key order, so a page is one index range scan.
// The currency of an instrument and the minor units of a currency come
// from the genesis tables through scalar subqueries, which run for the
// rows of the page only.
#include "services/store/read_store_internal.h"

namespace quorumclear::store {
namespace {

using settlement::AssetKind;
using settlement::BusinessDate;

PositionRow position_row(const pqxx::row& row) {
  PositionRow p;
  p.member = read::code_of<settlement::MemberId>(row[0]);
  p.isin = read::code_of<settlement::Isin>(row[1]);
  p.settlement_date = read::date_of(row[2]);
  p.bought = row[3].as<std::int64_t>();
  p.sold = row[4].as<std::int64_t>();
  p.net = row[5].as<std::int64_t>();
  p.paid_minor = row[6].as<std::int64_t>();
  p.received_minor = row[7].as<std::int64_t>();
  p.last_epoch = read::epoch_of(row[8]);
  p.currency = read::code_of<settlement::CurrencyCode>(row[9]);
  p.minor_units = static_cast<std::uint8_t>(read::count_of(row[10], 4));
  return p;
}

CashRow cash_row(const pqxx::row& row) {
  CashRow c;
  c.member = read::code_of<settlement::MemberId>(row[0]);
  c.currency = read::code_of<settlement::CurrencyCode>(row[1]);
  c.settlement_date = read::date_of(row[2]);
  c.received_minor = row[3].as<std::int64_t>();
  c.paid_minor = row[4].as<std::int64_t>();
  c.net_minor = row[5].as<std::int64_t>();
  c.last_epoch = read::epoch_of(row[6]);
  c.minor_units = static_cast<std::uint8_t>(read::count_of(row[7], 4));
  return c;
}

BalanceRow balance_row(const pqxx::row& row) {
  BalanceRow b;
  b.account = read::code_of<settlement::MemberId>(row[0]);
  b.kind = row[1].as<int>() == 0 ? AssetKind::kSecurities : AssetKind::kCash;
  b.asset = read::code_of<settlement::AssetCode>(row[2]);
  b.amount = row[3].as<std::int64_t>();
  b.minor_units = static_cast<std::uint8_t>(read::count_of(row[4], 4));
  return b;
}

// Filters shared by positions and cash: member scope, one asset column,
// settlement date, and the keyset (member, asset, date) after the cursor.
template <class CodeT>
void holding_filters(read::Query& q, const Scope& scope, std::string_view asset_column,
                     const std::optional<CodeT>& asset, std::optional<BusinessDate> date, std::string_view cursor,
                     const read::Fingerprint& fp, AssetKind kind) {
  if (scope) q.where("member_id = " + q.param(sql::text(scope->view())));
  if (asset) q.where(std::string(asset_column) + " = " + q.param(sql::text(asset->view())));
  if (date) q.where("settlement_date = " + q.param(sql::date(*date)) + "::date");
  if (cursor.empty()) return;
  read::CursorReader reader(cursor, fp);
  const settlement::MemberId member = reader.member();
  const settlement::AssetCode code = reader.asset(kind);
  const BusinessDate at = reader.date();
  reader.finish();
  const std::string a = q.param(sql::text(member.view()));
  const std::string b = q.param(sql::text(code.view()));
  const std::string c = q.param(sql::date(at));
  q.where("(member_id, " + std::string(asset_column) + ", settlement_date) > (" + a + ", " + b + ", " + c + "::date)");
}

}  // namespace

Page<PositionRow> ReadStore::positions(const Scope& scope, std::optional<settlement::Isin> isin,
                                       std::optional<BusinessDate> settlement_date, std::string_view cursor,
                                       std::uint32_t limit) {
  read::check_limit(limit, kReadPageMax);
  read::check_scope(scope);
  read::Fingerprint fp(read::ListTag::kPositions);
  fp.add(scope).add(isin).add(settlement_date);
  read::Query q("SELECT member_id, isin::text, " + read::days("settlement_date") +
                ", bought, sold, net_quantity, paid_minor, received_minor, last_epoch, "
                "(SELECT i.currency::text FROM instruments i WHERE i.isin = p.isin), "
                "(SELECT c.minor_units FROM instruments i JOIN currencies c ON c.code = i.currency "
                "WHERE i.isin = p.isin) FROM positions p");
  holding_filters(q, scope, "isin", isin, settlement_date, cursor, fp, AssetKind::kSecurities);
  q.append("ORDER BY member_id, isin, settlement_date LIMIT " + std::to_string(limit + 1));
  return guarded("positions", [&](Session& s) {
    Snapshot tx(s.db);
    Page<PositionRow> page = read::page_of<PositionRow>(q.run(tx), limit, position_row, [&](const PositionRow& r) {
      return read::CursorWriter(fp).text(r.member.view()).text(r.isin.view()).date(r.settlement_date).finish();
    });
    tx.commit();
    return page;
  });
}

Page<CashRow> ReadStore::cash(const Scope& scope, std::optional<settlement::CurrencyCode> currency,
                              std::optional<BusinessDate> settlement_date, std::string_view cursor,
                              std::uint32_t limit) {
  read::check_limit(limit, kReadPageMax);
  read::check_scope(scope);
  read::Fingerprint fp(read::ListTag::kCash);
  fp.add(scope).add(currency).add(settlement_date);
  read::Query q("SELECT member_id, currency::text, " + read::days("settlement_date") +
                ", received_minor, paid_minor, net_minor, last_epoch, "
                "(SELECT c.minor_units FROM currencies c WHERE c.code = p.currency) FROM cash_positions p");
  holding_filters(q, scope, "currency", currency, settlement_date, cursor, fp, AssetKind::kCash);
  q.append("ORDER BY member_id, currency, settlement_date LIMIT " + std::to_string(limit + 1));
  return guarded("cash", [&](Session& s) {
    Snapshot tx(s.db);
    Page<CashRow> page = read::page_of<CashRow>(q.run(tx), limit, cash_row, [&](const CashRow& r) {
      return read::CursorWriter(fp).text(r.member.view()).text(r.currency.view()).date(r.settlement_date).finish();
    });
    tx.commit();
    return page;
  });
}

Page<BalanceRow> ReadStore::balances(const Scope& scope, std::string_view cursor, std::uint32_t limit) {
  read::check_limit(limit, kReadPageMax);
  read::check_scope(scope);
  read::Fingerprint fp(read::ListTag::kBalances);
  fp.add(scope);
  // kind: AssetKind's value, so securities come first, as in the ledger.
  read::Query q(
      "SELECT member_id, kind, asset, amount, minor_units FROM ("
      "SELECT member_id, 0 AS kind, isin::text AS asset, quantity AS amount, 0 AS minor_units "
      "FROM securities_balances UNION ALL "
      "SELECT member_id, 1, currency::text, amount_minor, "
      "(SELECT c.minor_units FROM currencies c WHERE c.code = b.currency) FROM cash_balances b) x");
  if (scope) {
    q.where("member_id = " + q.param(sql::text(scope->view())));
    // The CCP's account is the network's, not a member's.
    q.where("member_id <> " + q.param(sql::text(settlement::kCcpAccountId.view())));
  }
  if (!cursor.empty()) {
    read::CursorReader reader(cursor, fp);
    const settlement::MemberId account = reader.member();
    const AssetKind kind = reader.asset_kind();
    const settlement::AssetCode asset = reader.asset(kind);
    reader.finish();
    const std::string a = q.param(sql::text(account.view()));
    const std::string b = q.param(sql::integer(static_cast<std::int64_t>(kind)));
    const std::string c = q.param(sql::text(asset.view()));
    q.where("(member_id, kind, asset) > (" + a + ", " + b + "::int, " + c + ")");
  }
  q.append("ORDER BY member_id, kind, asset LIMIT " + std::to_string(limit + 1));
  return guarded("balances", [&](Session& s) {
    Snapshot tx(s.db);
    Page<BalanceRow> page = read::page_of<BalanceRow>(q.run(tx), limit, balance_row, [&](const BalanceRow& r) {
      return read::CursorWriter(fp)
          .text(r.account.view())
          .u8(static_cast<std::uint8_t>(r.kind))
          .text(r.asset.view())
          .finish();
    });
    tx.commit();
    return page;
  });
}

}  // namespace quorumclear::store
