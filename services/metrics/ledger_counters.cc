#include "services/metrics/node_stats.h"

namespace quorumclear::metrics {

void LedgerCounters::count(const settlement::EpochResult& result, std::span<const settlement::EpochBatch> batches,
                           const settlement::ReferenceData& reference) {
  using K = settlement::TradeOutcomeKind;
  ++epochs_applied;
  for (const settlement::EpochBatch& b : batches) batch_bytes.observe(static_cast<double>(b.bytes.size()));
  epoch_reports.observe(static_cast<double>(result.trades.size()));
  for (const settlement::TradeOutcome& o : result.trades) {
    switch (o.kind) {
      case K::kConfirmed: ++trades_confirmed; break;
      case K::kRejected:
      case K::kRejectedUnkeyed: ++reports_rejected[static_cast<std::uint8_t>(o.reason)]; break;
      case K::kDuplicate: ++reports_duplicate; break;
      case K::kAlleged: ++reports_alleged; break;
      case K::kMismatched: ++reports_mismatched; break;
      case K::kAffirmed: ++reports_affirmed; break;
      case K::kCancelled: ++reports_cancelled; break;
    }
  }
  for (const settlement::SettlementReport& r : result.reports) {
    ++settlement_runs;
    for (const settlement::Obligation& o : r.obligations) {
      if (o.status == settlement::ObligationStatus::kSettled) ++obligations_settled;
      if (o.status == settlement::ObligationStatus::kFailed) ++obligations_failed;
    }
    for (const settlement::UnmatchedReport& u : r.unmatched) {
      if (u.status == settlement::TradeStatus::kExpired) ++reports_expired;
    }
    if (!last_run_date || r.business_date >= *last_run_date) {
      last_run_date = r.business_date;
      last_run_netting.clear();
      for (const settlement::CurrencyTotals& t : r.totals) {
        last_run_netting.push_back({std::string(reference.currency(t.currency).code.view()), t.gross_minor,
                                    t.net_minor, t.trade_count, t.efficiency_bps});
      }
    }
  }
}

void add_engine_counters(quorum::EngineStats& into, const quorum::EngineStats& from) {
  into.epochs_decided += from.epochs_decided;
  into.batches_decided += from.batches_decided;
  for (std::size_t i = 0; i < quorum::EngineStats::kPayloadTypes; ++i) {
    into.messages_sent[i] += from.messages_sent[i];
    into.bytes_sent[i] += from.bytes_sent[i];
    into.messages_received[i] += from.messages_received[i];
    into.bytes_received[i] += from.bytes_received[i];
  }
  into.messages_stale += from.messages_stale;
  into.messages_beyond_window += from.messages_beyond_window;
  into.aba_instances += from.aba_instances;
  into.aba_rounds += from.aba_rounds;
  into.aba_rounds_max = std::max(into.aba_rounds_max, from.aba_rounds_max);
  into.threshold_coins += from.threshold_coins;
  into.coin_shares_verified += from.coin_shares_verified;
  into.aba_dropped_future_round += from.aba_dropped_future_round;
  for (std::size_t i = 0; i < quorum::EngineStats::kFaultKinds; ++i) into.faults[i] += from.faults[i];
}

}  // namespace quorumclear::metrics
