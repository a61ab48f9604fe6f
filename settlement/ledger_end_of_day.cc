// Control entries: cut-off of either kind (netting and DvP settlement),
// funding, suspension.
#include "settlement/ledger.h"

#include "settlement/ledger_context.h"
#include "settlement/money.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace quorumclear::settlement {
namespace {

std::string_view asset_code(AssetKind kind, std::uint32_t asset, const ReferenceData& ref) {
  if (kind == AssetKind::kCash) {
    return ref.currency(CurrencyIndex{static_cast<std::uint8_t>(asset)}).code.view();
  }
  return ref.instrument(InstrumentIndex{asset}).isin.view();
}

}  // namespace

Digest report_digest(const SettlementReport& report, const ReferenceData& ref) {
  // Codes, not indices, so that the digest reads the same to an auditor who
  // recomputes it from the database rows.
  Sha256 h;
  h.update_text("quorumclear.settlement.report.v4");
  h.update(Record().i32(report.business_date.days).i32(report.settlement_date.days)
               .u64(report.cutoff_epoch).u8(static_cast<std::uint8_t>(report.status)).view());
  for (const CurrencyTotals& t : report.totals) {
    h.update(Record().text(ref.currency(t.currency).code.view()).i64(t.gross_minor)
                 .i64(t.net_minor).u32(t.trade_count).u32(t.efficiency_bps).view());
  }
  for (const Obligation& o : report.obligations) {
    h.update(Record().text(ref.member(o.member).id.view()).u8(static_cast<std::uint8_t>(o.kind))
                 .text(asset_code(o.kind, o.asset, ref)).i64(o.net_amount)
                 .i32(o.settlement_date.days).i32(o.origin_date.days)
                 .u8(static_cast<std::uint8_t>(o.status)).text(to_string(o.fail_reason))
                 .i64(o.price_minor).i64(o.value_minor).i64(o.mark_minor).i64(o.settled_amount)
                 .i64(o.settled_mark_minor).view());
  }
  for (const UnmatchedReport& u : report.unmatched) {
    h.update(Record().u8('U').text(ref.member(u.submitter).id.view())
                 .text(ref.member(u.counterparty).id.view()).text(u.trade_id.view())
                 .u8(u.version).text(to_string(u.status)).text(u.field)
                 .i32(u.business_date.days).view());
  }
  return h.finish();
}

void Ledger::apply_cut_off(Context& ctx, ControlOutcome& out, BusinessDate date) {
  // check_control let it through: an OPERATOR's cut-off, or the scheduled
  // one, for the open date. Both kinds close it alike.
  assert(date == open_date_);
  const std::optional<BusinessDate> next = reference_.calendar().next_business_day(date);
  if (!next) {
    out.reason = Reason::kDateOutOfRange;
    out.field = "business_date";
    return;
  }
  ctx.result.reports.push_back(run_settlement(ctx, date));
  open_date_ = *next;
  // Gross notional and quantity limits are per business date: a new date starts at zero.
  std::fill(gross_today_.begin(), gross_today_.end(), 0);
  std::fill(gross_quantity_today_.begin(), gross_quantity_today_.end(), 0);
}

SettlementReport Ledger::run_settlement(Context& ctx, BusinessDate date) {
  SettlementReport report;
  report.business_date = date;
  report.settlement_date = date;
  report.cutoff_epoch = ctx.epoch;
  if (auto it = books_.find(date); it != books_.end()) {
    Netting netting = net_date_book(it->second, date, reference_);
    report.obligations = std::move(netting.obligations);
    report.totals = std::move(netting.totals);
    it->second.settled = true;
  }
  for (Obligation o : carried_) {
    o.settlement_date = date;
    o.status = ObligationStatus::kPending;
    o.fail_reason = Reason::kNone;
    o.settled_amount = 0;
    o.settled_mark_minor = 0;
    report.obligations.push_back(o);
  }
  SettleOutcome outcome = settle_bundle(report.obligations, balances_, reference_);
  ctx.touched_balances.insert(ctx.touched_balances.end(), outcome.changed.begin(),
                              outcome.changed.end());
  carried_ = std::move(outcome.carried);
  report.status = carried_.empty() ? RunStatus::kSettled : RunStatus::kPartiallySettled;
  expire_reports(ctx, date, report);
  report.digest = report_digest(report, reference_);
  return report;
}

void Ledger::apply_funding(Context& ctx, ControlOutcome& out, const Funding& f) {
  FundingTarget target;
  [[maybe_unused]] const Reason valid = resolve_funding(f, reference_, target, out.field);
  assert(valid == Reason::kNone);  // check_control let it through
  // Every balance is at most its asset's supply, so bounding the supply by
  // int64 bounds every balance, the CCP's included.
  std::int64_t& supply =
      f.kind == AssetKind::kCash ? supply_cash_[target.asset] : supply_securities_[target.asset];
  std::int64_t new_supply = 0;
  if (!checked_add(supply, f.amount, new_supply)) {
    out.reason = Reason::kBalanceOverflow;
    out.field = "amount";
    return;
  }
  supply = new_supply;
  if (target.to_ccp) {
    // Cannot overflow: capital <= the CCP's balance <= supply.
    (f.kind == AssetKind::kCash ? capital_cash_ : capital_securities_)[target.asset] += f.amount;
  }
  balances_.add(target.account, f.kind, target.asset, f.amount);
  ctx.touched_balances.push_back(BalanceKey{target.account, f.kind, target.asset});
}

void Ledger::apply_suspension(ControlOutcome& out, const SuspensionChange& s) {
  const std::optional<InstrumentIndex> i = reference_.find_instrument(s.isin);
  assert(i.has_value());  // check_control let it through
  suspended_[i->value] = s.suspended ? 1 : 0;
  out.field = {};
}

}  // namespace quorumclear::settlement
