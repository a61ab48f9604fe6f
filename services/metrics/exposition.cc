#include "services/metrics/exposition.h"

#include "settlement/validation.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <limits>

namespace quorumclear::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

// One family per name, in the order first added, each sample with its labels.
class Families {
 public:
  void counter(const std::string& name, const std::string& help, double value, Labels labels = {}) {
    add(name, help, MetricType::Counter, std::move(labels)).counter.value = value;
  }
  void gauge(const std::string& name, const std::string& help, double value, Labels labels = {}) {
    add(name, help, MetricType::Gauge, std::move(labels)).gauge.value = value;
  }
  void histogram(const std::string& name, const std::string& help, const Histogram& h, Labels labels = {}) {
    ClientMetric& m = add(name, help, MetricType::Histogram, std::move(labels));
    m.histogram.sample_count = h.count();
    m.histogram.sample_sum = h.sum();
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.counts().size(); ++i) {
      cumulative += h.counts()[i];
      const double bound =
          i < h.upper_bounds().size() ? h.upper_bounds()[i] : std::numeric_limits<double>::infinity();
      m.histogram.bucket.push_back({cumulative, bound});
    }
  }
  /// A family with no sample yet still shows its HELP and TYPE.
  void declare(const std::string& name, const std::string& help, MetricType type) { family(name, help, type); }
  [[nodiscard]] std::vector<MetricFamily> take() { return std::move(families_); }

 private:
  MetricFamily& family(const std::string& name, const std::string& help, MetricType type) {
    for (MetricFamily& f : families_) {
      if (f.name == name) return f;
    }
    families_.push_back(MetricFamily{name, help, type, {}});
    return families_.back();
  }
  ClientMetric& add(const std::string& name, const std::string& help, MetricType type, Labels labels) {
    MetricFamily& f = family(name, help, type);
    f.metric.emplace_back();
    f.metric.back().label = std::move(labels);
    return f.metric.back();
  }
  std::vector<MetricFamily> families_;
};

constexpr std::array<const char*, quorum::EngineStats::kPayloadTypes> kMessageTypes = {
    "RBC_VAL", "RBC_ECHO", "RBC_READY", "ABA_BVAL", "ABA_AUX", "ABA_CONF", "ABA_COIN", "ABA_TERM"};
constexpr std::array<const char*, net::kChannelCount> kChannels = {"quorum", "certificate", "catch_up"};

double num(std::uint64_t v) { return static_cast<double>(v); }

void epochs(Families& f, const NodeSnapshot& s) {
  const CoreGauges& c = s.core;
  f.gauge("quorumclear_epoch_current", "Lowest epoch the quorum engine has not yet output.", num(c.engine_epoch));
  const auto optional_gauge = [&](const char* name, const char* help, const std::optional<std::uint64_t>& v) {
    if (v) {
      f.gauge(name, help, num(*v));
    } else {
      f.declare(name, help, MetricType::Gauge);
    }
  };
  optional_gauge("quorumclear_epoch_last_applied", "Highest epoch this node's ledger applied.", c.last_applied);
  optional_gauge("quorumclear_epoch_last_committed", "Highest epoch committed to this node's PostgreSQL.",
                 c.last_committed);
  optional_gauge("quorumclear_epoch_last_certified", "Highest epoch with 2f+1 signatures over this node's tuple.",
                 c.last_certified);
  optional_gauge("quorumclear_epoch_entered", "Highest epoch this node voted in (durable before it voted).",
                 c.entered_epoch);
  const std::uint64_t applied = c.last_applied ? *c.last_applied + 1 : 0;
  const std::uint64_t certified = c.last_certified ? *c.last_certified + 1 : 0;
  f.gauge("quorumclear_certificate_lag_epochs", "Applied epochs not yet certified by 2f+1 signatures.",
          num(applied > certified ? applied - certified : 0));
  const std::uint64_t committed = c.last_committed ? *c.last_committed + 1 : 0;
  f.gauge("quorumclear_apply_backlog_epochs", "Applied epochs waiting for their PostgreSQL commit.",
          num(applied > committed ? applied - committed : 0));
  f.gauge("quorumclear_epochs_behind", "Epochs other nodes certified that this node has not applied.",
          num(c.behind_epochs));
  f.counter("quorumclear_epochs_decided_total", "Epochs the quorum engine decided by agreement.",
            num(s.engine.epochs_decided));
  f.counter("quorumclear_epochs_applied_total", "Epochs the ledger applied (agreement or catch-up).",
            num(s.ledger.epochs_applied));
  f.counter("quorumclear_batches_decided_total", "Proposers' batches in decided epochs.",
            num(s.engine.batches_decided));
  f.histogram("quorumclear_epoch_duration_seconds", "From entering an epoch to applying it.", s.io.epoch_duration);
  f.histogram("quorumclear_batch_size_bytes", "Size of each decided batch.", s.ledger.batch_bytes);
  f.histogram("quorumclear_epoch_trade_reports", "Trade reports and cancels decided per epoch.",
              s.ledger.epoch_reports);
  f.counter("quorumclear_catch_ups_total", "Catch-ups this node started (epochs taken by certificate).",
            num(c.catch_ups));
  f.gauge("quorumclear_catching_up", "1 while the node takes epochs by catch-up.", c.catching_up ? 1 : 0);
  f.gauge("quorumclear_rejoining", "1 while a node that lost its data waits for its voting bound.",
          c.rejoining ? 1 : 0);
  f.gauge("quorumclear_state_diverged", "1 when a quorum certified another state than this node's.",
          c.diverged ? 1 : 0);
}

void agreement(Families& f, const quorum::EngineStats& e) {
  f.counter("quorumclear_aba_instances_total", "Binary agreement instances of decided epochs.", num(e.aba_instances));
  f.counter("quorumclear_aba_rounds_total", "Binary agreement rounds of decided epochs.", num(e.aba_rounds));
  f.gauge("quorumclear_aba_rounds_max", "Most rounds one binary agreement took.", num(e.aba_rounds_max));
  f.counter("quorumclear_threshold_coins_total", "Threshold coins flipped.", num(e.threshold_coins));
  f.counter("quorumclear_coin_shares_verified_total", "Coin shares whose Chaum-Pedersen proof was checked.",
            num(e.coin_shares_verified));
  for (std::size_t i = 0; i < kMessageTypes.size(); ++i) {
    const Labels type{{"type", kMessageTypes[i]}};
    f.counter("quorumclear_quorum_messages_sent_total", "Engine messages sent, by type (to all: n-1).",
              num(e.messages_sent[i]), type);
    f.counter("quorumclear_quorum_sent_bytes_total", "Engine message bytes sent, by type.", num(e.bytes_sent[i]),
              type);
    f.counter("quorumclear_quorum_messages_received_total", "Engine messages received, by type.",
              num(e.messages_received[i]), type);
    f.counter("quorumclear_quorum_received_bytes_total", "Engine message bytes received, by type.",
              num(e.bytes_received[i]), type);
  }
  const char* dropped = "quorumclear_quorum_messages_dropped_total";
  const char* dropped_help = "Engine messages dropped unblamed, by why.";
  f.counter(dropped, dropped_help, num(e.messages_stale), {{"reason", "stale_epoch"}});
  f.counter(dropped, dropped_help, num(e.messages_beyond_window), {{"reason", "beyond_window"}});
  f.counter(dropped, dropped_help, num(e.aba_dropped_future_round), {{"reason", "future_round"}});
  f.gauge("quorumclear_engine_buffered_bytes", "Bytes the engine holds for live epochs.", num(e.buffered_bytes));
  f.gauge("quorumclear_engine_live_epochs", "Epochs the engine holds open.", num(e.live_epochs));
  f.gauge("quorumclear_engine_queued_proposals", "This node's batches queued in the engine.",
          num(e.queued_proposals));
}

// settlement::Reason is a closed enum: its names bound the label.
void by_reason(Families& f, const char* name, const char* help, const std::array<std::uint64_t, 256>& counts) {
  f.declare(name, help, MetricType::Counter);
  for (std::size_t r = 0; r < counts.size(); ++r) {
    if (counts[r] == 0) continue;
    f.counter(name, "", num(counts[r]),
              {{"reason", std::string(settlement::to_string(static_cast<settlement::Reason>(r)))}});
  }
}

void trades(Families& f, const NodeSnapshot& s) {
  const LedgerCounters& l = s.ledger;
  f.counter("quorumclear_trade_reports_received_total", "Reports this node acknowledged with 202 (durable here).",
            num(s.api.reports_received));
  f.counter("quorumclear_trade_reports_resubmitted_total",
            "Reports answered with the status of an identical copy (idempotent resubmission).",
            num(s.api.reports_duplicate));
  by_reason(f, "quorumclear_trade_reports_invalid_total", "Reports refused at submission (422), by reason.",
            s.api.reports_invalid);
  f.counter("quorumclear_trades_confirmed_total", "Trades booked: matched by both parties or locked in by a venue.",
            num(l.trades_confirmed));
  by_reason(f, "quorumclear_trade_reports_rejected_total",
            "Reports the ledger rejected when their epoch was applied, by reason.", l.reports_rejected);
  const struct {
    const char* name;
    const char* help;
    std::uint64_t value;
  } outcomes[] = {
      {"quorumclear_trade_reports_alleged_total", "Reports that became ALLEGED (waiting for the counterparty).",
       l.reports_alleged},
      {"quorumclear_trade_reports_mismatched_total", "Reports paired with a counterparty report that differs.",
       l.reports_mismatched},
      {"quorumclear_trade_reports_affirmed_total", "Bilateral reports of a venue's locked-in trade.",
       l.reports_affirmed},
      {"quorumclear_trade_reports_cancelled_total", "Live reports withdrawn by their submitter.", l.reports_cancelled},
      {"quorumclear_trade_reports_duplicate_total", "Decided reports repeating a decided version.",
       l.reports_duplicate},
      {"quorumclear_trade_reports_expired_total", "Reports still unmatched at their expiry cut-off.",
       l.reports_expired},
  };
  for (const auto& o : outcomes) f.counter(o.name, o.help, num(o.value));
  f.gauge("quorumclear_trade_reports_unmatched", "Live reports (ALLEGED or MISMATCHED) now.",
          num(s.matching.open_reports));
  f.histogram("quorumclear_confirmation_latency_seconds",
              "From the 202 of the report that completed a trade to its CONFIRMED commit on this node.",
              s.io.confirmation_latency);
}

void ingest_and_store(Families& f, const NodeSnapshot& s) {
  f.gauge("quorumclear_ingest_queue_reports", "Reports acknowledged here and not yet decided.", num(s.ingest_used));
  f.gauge("quorumclear_ingest_queue_capacity_reports", "Reports the ingest queue holds before it answers 429.",
          num(s.ingest_capacity));
  const char* refused = "quorumclear_ingest_refused_total";
  const char* refused_help = "Submissions refused whole, by why (429 queue_full, 503 unavailable).";
  f.counter(refused, refused_help, num(s.api.refused_queue_full), {{"reason", "queue_full"}});
  f.counter(refused, refused_help, num(s.api.refused_unavailable), {{"reason", "unavailable"}});
  f.gauge("quorumclear_postgres_up", "1 while this node's PostgreSQL answers.", s.database_reachable ? 1 : 0);
  f.histogram("quorumclear_postgres_apply_seconds", "One epoch's commit to PostgreSQL, retries included.",
              s.io.apply_latency);
  f.counter("quorumclear_epochs_committed_total", "Epochs committed to PostgreSQL.", num(s.io.epochs_committed));
}

void settlement_runs(Families& f, const LedgerCounters& l) {
  f.counter("quorumclear_settlement_runs_total", "Settlement runs (business dates closed).", num(l.settlement_runs));
  f.counter("quorumclear_settlement_obligations_settled_total", "Net obligations settled by the runs.",
            num(l.obligations_settled));
  f.counter("quorumclear_settlement_fails_total", "Net obligations that failed and were carried forward.",
            num(l.obligations_failed));
  const char* efficiency = "quorumclear_netting_efficiency_ratio";
  f.declare(efficiency, "The newest run's netting efficiency, 1 - net/gross, by currency.", MetricType::Gauge);
  for (const LedgerCounters::CurrencyNetting& c : l.last_run_netting) {
    f.gauge(efficiency, "", static_cast<double>(c.efficiency_bps) / 10'000.0, {{"currency", c.currency}});
  }
  const char* gross = "quorumclear_netting_gross_trades";
  f.declare(gross, "Trades the newest run netted, by currency.", MetricType::Gauge);
  for (const LedgerCounters::CurrencyNetting& c : l.last_run_netting) {
    f.gauge(gross, "", num(c.trade_count), {{"currency", c.currency}});
  }
}

void faults(Families& f, const IoStats& io) {
  const char* name = "quorumclear_faults_total";
  f.declare(name, "Faults this node recorded, by kind and blamed peer (\"none\": its own).", MetricType::Counter);
  for (const auto& [key, count] : io.faults) {
    f.counter(name, "", num(count),
              {{"kind", key.first}, {"peer", key.second < 0 ? std::string("none") : std::to_string(key.second)}});
  }
}

void peers(Families& f, const net::TransportStats& t) {
  for (const net::PeerStats& p : t.peers) {
    const std::string id = std::to_string(p.id.value);
    const Labels peer{{"peer", id}};
    f.gauge("quorumclear_peer_up", "1 while a session with the peer is open.", p.connected ? 1 : 0, peer);
    f.counter("quorumclear_peer_sessions_opened_total", "Sessions opened with the peer.", num(p.sessions_opened),
              peer);
    f.counter("quorumclear_peer_reconnects_total", "Sessions opened after the first.", num(p.reconnects), peer);
    f.counter("quorumclear_peer_disconnects_total", "Open sessions lost.", num(p.disconnects), peer);
    f.counter("quorumclear_peer_dial_failures_total", "Dials that never opened a session.", num(p.dial_failures),
              peer);
    f.counter("quorumclear_peer_frames_resent_total", "Frames sent again on a later connection.",
              num(p.frames_resent), peer);
    f.counter("quorumclear_peer_duplicate_frames_total", "Frames received again and not delivered.",
              num(p.duplicates_ignored), peer);
    const char* dropped = "quorumclear_peer_frames_dropped_total";
    const char* dropped_help = "Unacknowledged frames dropped: the peer has the epoch, or beyond the byte budget.";
    f.counter(dropped, dropped_help, num(p.dropped_epoch), {{"peer", id}, {"reason", "epoch_done"}});
    f.counter(dropped, dropped_help, num(p.dropped_budget), {{"peer", id}, {"reason", "budget"}});
    f.gauge("quorumclear_peer_buffered_frames", "Frames sent and not yet acknowledged.", num(p.buffered_frames), peer);
    f.gauge("quorumclear_peer_buffered_bytes", "Bytes sent and not yet acknowledged.", num(p.buffered_bytes), peer);
    f.counter("quorumclear_peer_link_faults_total", "Oversized or malformed frames and protocol violations.",
              num(p.faults), peer);
    f.counter("quorumclear_peer_restarts_total", "New incarnations of the peer seen.", num(p.peer_restarts), peer);
    for (std::size_t c = 0; c < kChannels.size(); ++c) {
      const Labels pc{{"peer", id}, {"channel", kChannels[c]}};
      f.counter("quorumclear_peer_frames_sent_total", "Frames first sent to the peer, by channel.",
                num(p.sent[c].frames), pc);
      f.counter("quorumclear_peer_sent_bytes_total", "Payload bytes first sent to the peer, by channel.",
                num(p.sent[c].bytes), pc);
      f.counter("quorumclear_peer_frames_received_total", "Frames delivered from the peer, by channel.",
                num(p.received[c].frames), pc);
      f.counter("quorumclear_peer_received_bytes_total", "Payload bytes delivered from the peer, by channel.",
                num(p.received[c].bytes), pc);
    }
  }
  const char* refused = "quorumclear_peer_connections_refused_total";
  const char* refused_help = "Accepted connections refused before a session, by why.";
  f.counter(refused, refused_help, num(t.refused_unknown_pin), {{"reason", "unknown_key"}});
  f.counter(refused, refused_help, num(t.handshake_failures), {{"reason", "handshake"}});
  f.counter(refused, refused_help, num(t.refused_busy), {{"reason", "busy"}});
}

void http(Families& f, const ApiStats& a) {
  const char* name = "quorumclear_http_requests_total";
  f.declare(name, "HTTP requests answered, by listener, route template and status.", MetricType::Counter);
  for (const auto& [key, count] : a.requests) {
    const auto& [listener, route, status] = key;
    f.counter(name, "", num(count),
              {{"listener", listener}, {"route", route.empty() ? "unmatched" : route}, {"status", std::to_string(status)}});
  }
  f.histogram("quorumclear_http_request_duration_seconds", "Time to answer an HTTP request.", a.request_duration);
}

void process(Families& f, const NodeSnapshot& s) {
  f.gauge("quorumclear_node_info", "This node's id and version.", 1,
          {{"node", std::to_string(s.node)}, {"version", s.version}});
  const ProcessStats& p = s.process;
  f.counter("process_cpu_seconds_total", "User and system CPU time spent in seconds.", p.cpu_seconds);
  f.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", p.resident_bytes);
  f.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", p.virtual_bytes);
  f.gauge("process_open_fds", "Number of open file descriptors.", p.open_fds);
  f.gauge("process_max_fds", "Maximum number of open file descriptors.", p.max_fds);
  f.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
          p.start_time_seconds);
}

}  // namespace

std::string render_prometheus(const NodeSnapshot& snapshot) {
  Families f;
  process(f, snapshot);
  epochs(f, snapshot);
  agreement(f, snapshot.engine);
  trades(f, snapshot);
  ingest_and_store(f, snapshot);
  settlement_runs(f, snapshot.ledger);
  faults(f, snapshot.io);
  peers(f, snapshot.transport);
  http(f, snapshot.api);
  return prometheus::TextSerializer().Serialize(f.take());
}

}  // namespace quorumclear::metrics
