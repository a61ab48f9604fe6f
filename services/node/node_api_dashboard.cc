// GET /v1/dashboard: what the ops dashboard shows, gathered from the core's
// published status, its history samples, the transport, NodeIo's and the
// API's counters, and the newest settlement run. Reads copies only.

#include "services/node/node_api.h"

#include "services/metrics/histogram.h"

namespace quorumclear::node {
namespace {

api::LatencySummary summary_of(const metrics::Histogram& h) {
  return {h.count(), metrics::quantile(h, 0.5), metrics::quantile(h, 0.9), metrics::quantile(h, 0.99)};
}

std::vector<api::ReasonCount> reasons_of(const std::array<std::uint64_t, 256>& counts) {
  std::vector<api::ReasonCount> out;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    if (counts[r] > 0) out.push_back({static_cast<settlement::Reason>(r), counts[r]});
  }
  return out;
}

// Rates over the newest ~10 s of samples (the page charts the rest).
void fill_rates(api::DashboardView& d) {
  constexpr std::int64_t kWindowMs = 10'000;
  if (d.history.size() < 2) return;
  const api::DashboardSample& last = d.history.back();
  const api::DashboardSample* first = &d.history.front();
  for (const api::DashboardSample& s : d.history) {
    if (last.unix_ms - s.unix_ms <= kWindowMs) {
      first = &s;
      break;
    }
  }
  const double seconds = static_cast<double>(last.unix_ms - first->unix_ms) / 1'000.0;
  if (seconds <= 0) return;
  if (first->last_applied_epoch && last.last_applied_epoch) {
    d.epoch_rate_per_second =
        static_cast<double>(*last.last_applied_epoch - *first->last_applied_epoch) / seconds;
  }
  d.trade_rate_per_second = static_cast<double>(last.trades_confirmed - first->trades_confirmed) / seconds;
}

}  // namespace

api::Answer<api::DashboardView> NodeApi::dashboard(const api::Caller& caller) {
  const CoreStatus s = parts_.board.snapshot().core;
  api::DashboardView d;
  d.node_id = parts_.self.value;
  d.software_version = QC_VERSION;
  d.open_business_date = s.open_business_date;
  d.engine_epoch = s.engine_epoch;
  d.last_applied_epoch = s.last_applied;
  d.last_certified_epoch = s.last_certified;
  d.catching_up = s.catching_up;
  d.diverged_at_epoch = s.diverged_at;
  d.database_reachable = parts_.io.database_reachable();
  d.history_start_epoch = s.history_start_epoch;
  d.comparison_epoch = s.comparison_epoch;

  const net::TransportStats transport = parts_.transport.stats();
  std::optional<quorum::Digest> own;
  for (const NodeDigest& n : s.node_digests) {
    if (n.node == parts_.self.value) own = n.at_comparison;
  }
  for (std::uint16_t id = 0; id < parts_.genesis.nodes.size(); ++id) {
    api::DashboardNode node{id, id == parts_.self.value, id == parts_.self.value, {}, {}, {}};
    for (const net::PeerStats& p : transport.peers) {
      if (p.id.value == id) node.connected = p.connected;
    }
    for (const NodeDigest& n : s.node_digests) {
      if (n.node != id) continue;
      node.last_signed_epoch = n.last_signed;
      node.state_digest = n.at_comparison;
      if (own && n.at_comparison) node.agrees = *own == *n.at_comparison;
    }
    d.nodes.push_back(node);
  }

  for (const HistorySample& h : parts_.board.history()) {
    d.history.push_back({h.unix_ms, h.last_applied, h.trades_confirmed});
  }
  fill_rates(d);

  const metrics::LedgerCounters& l = s.ledger_counters;
  const metrics::ApiStats api = api_stats();
  d.received = api.reports_received;
  d.confirmed = l.trades_confirmed;
  d.alleged = l.reports_alleged;
  d.unmatched = s.matching.open_reports;
  d.mismatched = l.reports_mismatched;
  d.expired = l.reports_expired;
  d.rejected = reasons_of(l.reports_rejected);
  d.invalid = reasons_of(api.reports_invalid);
  const metrics::IoStats io = parts_.io.stats();
  d.confirmation_latency = summary_of(io.confirmation_latency);
  d.epoch_duration = summary_of(io.epoch_duration);
  for (const metrics::FaultRecord& f : io.recent_faults) d.faults.push_back({f.unix_ms, f.kind, f.peer, f.detail});

  // The newest run; a database that cannot answer leaves it out, not the rest.
  const api::Answer<api::Paged<api::RunSummary>> runs = settlement_runs(caller, api::Page{{}, 1});
  if (const auto* page = std::get_if<api::Paged<api::RunSummary>>(&runs); page && !page->items.empty()) {
    api::Answer<api::RunReport> run = settlement_run(caller, page->items.front().business_date);
    if (auto* report = std::get_if<api::RunReport>(&run)) d.latest_run = std::move(*report);
  }
  return d;
}

}  // namespace quorumclear::node
