// Settlement results of one epoch: each cut-off's run with its totals per
// currency, its obligations (fresh and carried, with what settled) and the
// reports it found unmatched. Few rows per run; they keep every constraint
// of 0003..0008, which re-check what the ledger computed.
#include "services/store/node_store_internal.h"
#include "services/store/sql_rows.h"

namespace quorumclear::store {
namespace {

using namespace quorumclear::settlement;
using sql::Rows;

std::string_view obligation_status(ObligationStatus s) {
  switch (s) {
    case ObligationStatus::kPending: return "PENDING";
    case ObligationStatus::kSettled: return "SETTLED";
    case ObligationStatus::kFailed: return "FAILED";
  }
  throw StoreError("store: unknown obligation status");
}

std::string asset_code(const ReferenceData& ref, AssetKind kind, std::uint32_t asset) {
  if (kind == AssetKind::kCash) {
    return std::string(ref.currency(CurrencyIndex{static_cast<std::uint8_t>(asset)}).code.view());
  }
  return std::string(ref.instrument(InstrumentIndex{asset}).isin.view());
}

sql::Row<13> obligation_row(const ReferenceData& ref, const Obligation& o) {
  return {sql::date(o.settlement_date), sql::text(ref.member(o.member).id.view()),
          sql::text(o.kind == AssetKind::kCash ? "CASH" : "SECURITIES"), sql::text(asset_code(ref, o.kind, o.asset)),
          sql::integer(o.net_amount), sql::text(obligation_status(o.status)),
          o.fail_reason == Reason::kNone ? sql::null_field() : sql::text(to_string(o.fail_reason)),
          sql::date(o.origin_date), sql::integer(o.price_minor), sql::integer(o.value_minor),
          sql::integer(o.mark_minor), sql::integer(o.settled_amount), sql::integer(o.settled_mark_minor)};
}

sql::Row<8> unmatched_row(const ReferenceData& ref, const SettlementReport& run, const UnmatchedReport& u) {
  return {sql::date(run.settlement_date), sql::text(ref.member(u.submitter).id.view()),
          sql::text(u.trade_id.view()), sql::integer(u.version), sql::text(ref.member(u.counterparty).id.view()),
          sql::text(to_string(u.status)), sql::text_or_null(u.field), sql::date(u.business_date)};
}

}  // namespace

void write_settlement_runs(pqxx::work& tx, const EpochToWrite& e, BulkMethod bulk) {
  const ReferenceData& ref = e.reference;
  Rows<5> runs{{"settlement_date", "cutoff_epoch", "business_date", "report_digest", "status"}, {}};
  Rows<5> totals{{"settlement_date", "currency", "gross_minor", "net_minor", "trade_count"}, {}};
  Rows<13> obligations{{"settlement_date", "member_id", "asset_kind", "asset", "net_amount", "status",
                        "fail_reason", "origin_date", "price_minor", "value_minor", "mark_minor",
                        "settled_amount", "settled_mark_minor"},
                       {}};
  Rows<8> unmatched{{"business_date", "submitter", "trade_id", "version", "counterparty", "status",
                     "mismatch_field", "report_business_date"},
                    {}};
  for (const SettlementReport& run : e.result.reports) {
    runs.rows.push_back({sql::date(run.settlement_date), sql::integer(static_cast<std::int64_t>(run.cutoff_epoch)),
                         sql::date(run.business_date), sql::bytea(run.digest),
                         sql::text(run.status == RunStatus::kSettled ? "SETTLED" : "PARTIALLY_SETTLED")});
    for (const CurrencyTotals& t : run.totals) {
      totals.rows.push_back({sql::date(run.settlement_date), sql::text(ref.currency(t.currency).code.view()),
                             sql::integer(t.gross_minor), sql::integer(t.net_minor), sql::integer(t.trade_count)});
    }
    for (const Obligation& o : run.obligations) obligations.rows.push_back(obligation_row(ref, o));
    for (const UnmatchedReport& u : run.unmatched) unmatched.rows.push_back(unmatched_row(ref, run, u));
  }
  sql::write_rows(tx, bulk, "settlement_runs", runs);
  sql::write_rows(tx, bulk, "settlement_run_totals", totals);
  sql::write_rows(tx, bulk, "net_obligations", obligations);
  sql::write_rows(tx, bulk, "settlement_unmatched_reports", unmatched);
  Rows<3> proofs{{"settlement_date", "member_id", "proof"}, {}};
  for (const MemberObligationProof& p : e.obligation_proofs) {
    proofs.rows.push_back({sql::date(p.business_date), sql::text(p.member.view()),
                           sql::bytea(encode_obligation_proof(p.proof))});
  }
  sql::write_rows(tx, bulk, "obligation_proofs", proofs);
}

}  // namespace quorumclear::store
