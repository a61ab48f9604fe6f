// Settlement runs: the list newest first with totals, and one run with its
// obligations (each a settlement instruction against the CCP) and the
// reports its cut-off found unmatched. Netting efficiency is not stored;
// it is derived from the stored gross and net by settlement's own rule.
#include "services/store/read_store_internal.h"

#include "settlement/money.h"

#include <limits>

namespace quorumclear::store {
namespace {

using settlement::BusinessDate;

const std::string& run_columns() {
  static const std::string columns = "SELECT " + read::days("r.settlement_date") + ", " +
                                     read::days("r.business_date") +
                                     ", r.cutoff_epoch, r.report_digest, r.status FROM settlement_runs r";
  return columns;
}

RunRow run_row(const pqxx::row& row) {
  RunRow r;
  r.settlement_date = read::date_of(row[0]);
  r.business_date = read::date_of(row[1]);
  r.cutoff_epoch = read::epoch_of(row[2]);
  r.report_digest = sql::digest_of(row[3]);
  r.status = read::run_status_of(row[4]);
  return r;
}

// Totals of the runs whose dates lie in [first, last], added to `runs`
// (which holds exactly those runs).
void add_totals(Snapshot& tx, std::vector<RunRow>& runs, BusinessDate first, BusinessDate last) {
  read::Query q("SELECT " + read::days("t.settlement_date") +
                ", t.currency::text, t.gross_minor, t.net_minor, t.trade_count, "
                "(SELECT c.minor_units FROM currencies c WHERE c.code = t.currency) FROM settlement_run_totals t");
  q.where("t.settlement_date BETWEEN " + q.param(sql::date(first)) + "::date AND " + q.param(sql::date(last)) +
          "::date");
  q.append("ORDER BY t.settlement_date, t.currency");
  for (const pqxx::row& row : q.run(tx)) {
    const BusinessDate date = read::date_of(row[0]);
    RunTotalsRow t;
    t.currency = read::code_of<settlement::CurrencyCode>(row[1]);
    t.gross_minor = row[2].as<std::int64_t>();
    t.net_minor = row[3].as<std::int64_t>();
    t.trade_count = read::count_of(row[4], std::numeric_limits<std::int32_t>::max());
    t.minor_units = static_cast<std::uint8_t>(read::count_of(row[5], 4));
    t.efficiency_bps = settlement::netting_efficiency_bps(t.gross_minor, t.net_minor);
    for (RunRow& run : runs) {
      if (run.settlement_date == date) run.totals.push_back(t);
    }
  }
}

ObligationRow obligation_row(const pqxx::row& row) {
  ObligationRow o;
  o.member = read::code_of<settlement::MemberId>(row[0]);
  o.kind = read::asset_kind_of(row[1]);
  o.asset = read::code_of<settlement::AssetCode>(row[2]);
  o.settlement_date = read::date_of(row[3]);
  o.origin_date = read::date_of(row[4]);
  o.net_amount = row[5].as<std::int64_t>();
  o.status = read::obligation_status_of(row[6]);
  o.fail_reason = read::reason_of(row[7]);
  o.price_minor = row[8].as<std::int64_t>();
  o.value_minor = row[9].as<std::int64_t>();
  o.mark_minor = row[10].as<std::int64_t>();
  o.settled_amount = row[11].as<std::int64_t>();
  o.settled_mark_minor = row[12].as<std::int64_t>();
  o.currency = read::code_of<settlement::CurrencyCode>(row[13]);
  o.minor_units = static_cast<std::uint8_t>(read::count_of(row[14], 4));
  // settlement's own rule; the schema guarantees net or mark is non-zero.
  settlement::Obligation as_settled;
  as_settled.kind = o.kind;
  as_settled.net_amount = o.net_amount;
  as_settled.mark_minor = o.mark_minor;
  o.direction = settlement::direction(as_settled);
  return o;
}

std::vector<ObligationRow> obligations(Snapshot& tx, BusinessDate date, const Scope& scope) {
  // The currency of value and mark: the asset itself, or its instrument's.
  read::Query q(
      "SELECT o.member_id, o.asset_kind, o.asset, " + read::days("o.settlement_date") + ", " +
      read::days("o.origin_date") +
      ", o.net_amount, o.status, o.fail_reason, o.price_minor, o.value_minor, o.mark_minor, o.settled_amount, "
      "o.settled_mark_minor, x.currency, (SELECT c.minor_units FROM currencies c WHERE c.code = x.currency) "
      "FROM net_obligations o CROSS JOIN LATERAL (SELECT CASE o.asset_kind WHEN 'CASH' THEN o.asset "
      "ELSE (SELECT i.currency::text FROM instruments i WHERE i.isin = o.asset) END AS currency) x");
  q.where("o.settlement_date = " + q.param(sql::date(date)) + "::date");
  if (scope) q.where("o.member_id = " + q.param(sql::text(scope->view())));
  q.append("ORDER BY o.member_id, o.asset_kind DESC, o.asset, o.origin_date");  // SECURITIES before CASH
  std::vector<ObligationRow> out;
  for (const pqxx::row& row : q.run(tx)) out.push_back(obligation_row(row));
  return out;
}

std::vector<UnmatchedRow> unmatched(Snapshot& tx, BusinessDate date, const Scope& scope) {
  read::Query q("SELECT u.submitter, u.counterparty, u.trade_id, u.version, u.status, u.mismatch_field, " +
                read::days("u.report_business_date") + " FROM settlement_unmatched_reports u");
  q.where("u.business_date = " + q.param(sql::date(date)) + "::date");
  if (scope) {
    const std::string m = q.param(sql::text(scope->view()));
    q.where("(u.submitter = " + m + " OR u.counterparty = " + m + ")");
  }
  q.append("ORDER BY u.submitter, u.trade_id");
  std::vector<UnmatchedRow> out;
  for (const pqxx::row& row : q.run(tx)) {
    UnmatchedRow u;
    u.submitter = read::code_of<settlement::MemberId>(row[0]);
    u.counterparty = read::code_of<settlement::MemberId>(row[1]);
    u.trade_id = read::code_of<settlement::TradeId>(row[2]);
    u.version = static_cast<std::uint8_t>(read::count_of(row[3], settlement::kReportVersionsMax));
    u.status = read::trade_status_of(row[4]);
    u.field = read::text_of(row[5]);
    u.report_business_date = read::date_of(row[6]);
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace

Page<RunRow> ReadStore::settlement_runs(std::string_view cursor, std::uint32_t limit) {
  read::check_limit(limit, kReadPageMax);
  const read::Fingerprint fp(read::ListTag::kRuns);
  read::Query q(run_columns());
  if (!cursor.empty()) {
    read::CursorReader reader(cursor, fp);
    const BusinessDate after = reader.date();
    reader.finish();
    q.where("r.settlement_date < " + q.param(sql::date(after)) + "::date");
  }
  q.append("ORDER BY r.settlement_date DESC LIMIT " + std::to_string(limit + 1));
  return guarded("settlement_runs", [&](Session& s) {
    Snapshot tx(s.db);
    Page<RunRow> page = read::page_of<RunRow>(q.run(tx), limit, run_row, [&](const RunRow& r) {
      return read::CursorWriter(fp).date(r.settlement_date).finish();
    });
    // Newest first: the page spans [back, front].
    if (!page.items.empty()) {
      add_totals(tx, page.items, page.items.back().settlement_date, page.items.front().settlement_date);
    }
    tx.commit();
    return page;
  });
}

std::optional<RunDetail> ReadStore::settlement_run(BusinessDate business_date, const Scope& scope) {
  read::check_scope(scope);
  return guarded("settlement_run", [&](Session& s) -> std::optional<RunDetail> {
    Snapshot tx(s.db);
    read::Query q(run_columns());
    q.where("r.settlement_date = " + q.param(sql::date(business_date)) + "::date");
    const pqxx::result rows = q.run(tx);
    if (rows.empty()) return std::nullopt;
    RunDetail detail;
    std::vector<RunRow> runs{run_row(rows[0])};
    add_totals(tx, runs, business_date, business_date);
    detail.run = std::move(runs.front());
    detail.obligations = obligations(tx, business_date, scope);
    detail.unmatched = unmatched(tx, business_date, scope);
    if (scope) {
      read::Query proof("SELECT proof FROM obligation_proofs");
      proof.where("settlement_date = " + proof.param(sql::date(business_date)) + "::date");
      proof.where("member_id = " + proof.param(sql::text(scope->view())));
      const pqxx::result found = proof.run(tx);
      if (!found.empty()) detail.proof = sql::bytes_of(found[0][0]);
    }
    tx.commit();
    return detail;
  });
}

}  // namespace quorumclear::store
