#pragma once
// What each part of a running node counts, as plain values (STYLE.md
// section 6): the core thread fills LedgerCounters, the store and I/O
// threads IoStats, the HTTP threads ApiStats; the node copies them into one
// NodeSnapshot per scrape and exposition.h maps that to Prometheus. Nothing
// here knows prometheus-cpp, and no value that becomes a label comes from
// outside the code and genesis (no trade ids, member text or free text), so
// every label takes a bounded number of values.

#include "quorum/engine.h"
#include "services/metrics/histogram.h"
#include "services/net/transport.h"
#include "settlement/ledger.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace quorumclear::metrics {

/// Filled on the core thread from every epoch its ledger applies (by
/// agreement or by catch-up); counts since the process started.
struct LedgerCounters {
  std::uint64_t epochs_applied = 0;
  std::uint64_t trades_confirmed = 0;  // booked: the second matching report, or a venue's trade
  std::uint64_t reports_alleged = 0;
  std::uint64_t reports_mismatched = 0;
  std::uint64_t reports_affirmed = 0;
  std::uint64_t reports_cancelled = 0;
  std::uint64_t reports_duplicate = 0;
  std::uint64_t reports_expired = 0;   // unmatched at their expiry cut-off
  /// Rejected reports (keyed or not), indexed by settlement::Reason.
  std::array<std::uint64_t, 256> reports_rejected{};
  std::uint64_t settlement_runs = 0;
  std::uint64_t obligations_settled = 0;
  std::uint64_t obligations_failed = 0;
  struct CurrencyNetting {
    std::string currency;  // ISO code from genesis
    std::int64_t gross_minor = 0;
    std::int64_t net_minor = 0;
    std::uint32_t trade_count = 0;
    std::uint32_t efficiency_bps = 0;  // settlement::CurrencyTotals::efficiency_bps
  };
  /// The newest run this process saw, per currency.
  std::optional<settlement::BusinessDate> last_run_date;
  std::vector<CurrencyNetting> last_run_netting;
  Histogram batch_bytes{kBytesBuckets};
  Histogram epoch_reports{kReportsBuckets};

  /// Counts one applied epoch: `batches` are what the ledger applied it from.
  void count(const settlement::EpochResult& result, std::span<const settlement::EpochBatch> batches,
             const settlement::ReferenceData& reference);
};

/// The node's own events that blame a peer or its own state, by a bounded
/// kind (a code constant, never text from a message).
struct FaultRecord {
  std::string kind;
  std::optional<std::uint16_t> peer;
  std::string detail;
  std::int64_t unix_ms = 0;
};

/// Filled by NodeIo (core and store threads, under its lock).
struct IoStats {
  /// From the moment this node entered an epoch to the moment its ledger applied it.
  Histogram epoch_duration{kSecondsBuckets};
  /// One epoch's commit to PostgreSQL, retries while it is away included.
  Histogram apply_latency{kSecondsBuckets};
  /// From the 202 of a report this node accepted to the commit that
  /// CONFIRMED its trade (the later report of a matched pair, or a venue's).
  Histogram confirmation_latency{kSecondsBuckets};
  std::uint64_t epochs_committed = 0;
  /// Faults by (kind, peer; -1 for none).
  std::map<std::pair<std::string, int>, std::uint64_t> faults;
  /// The newest faults, oldest first (at most kRecentFaultsMax).
  std::vector<FaultRecord> recent_faults;
  static constexpr std::size_t kRecentFaultsMax = 50;
};

/// Filled by the HTTP threads.
struct ApiStats {
  std::uint64_t reports_received = 0;        // 202: durable as RECEIVED on this node
  std::uint64_t reports_duplicate = 0;       // answered with the status a copy already has
  std::uint64_t reports_conflict = 0;
  std::uint64_t refused_queue_full = 0;      // 429
  std::uint64_t refused_unavailable = 0;     // 503
  /// Reports refused by stateless validation (422), by settlement::Reason.
  std::array<std::uint64_t, 256> reports_invalid{};
  /// Requests by (listener, route template, status).
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests;
  Histogram request_duration{kSecondsBuckets};
};

/// The core's gauges (from its published status).
struct CoreGauges {
  std::uint64_t engine_epoch = 0;
  std::optional<std::uint64_t> last_applied;
  std::optional<std::uint64_t> last_committed;
  std::optional<std::uint64_t> last_certified;
  std::optional<std::uint64_t> entered_epoch;
  std::uint64_t behind_epochs = 0;
  std::uint64_t catch_ups = 0;
  bool catching_up = false;
  bool rejoining = false;
  bool diverged = false;
  std::size_t pending_entries = 0;
};

/// Read from /proc at scrape time (process_stats.cc).
struct ProcessStats {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double start_time_seconds = 0;
};
[[nodiscard]] ProcessStats read_process_stats();

struct NodeSnapshot {
  std::uint16_t node = 0;
  std::string version;
  CoreGauges core;
  quorum::EngineStats engine;
  settlement::MatchingStats matching;
  LedgerCounters ledger;
  net::TransportStats transport;
  IoStats io;
  ApiStats api;
  std::size_t ingest_used = 0;
  std::size_t ingest_capacity = 0;
  bool database_reachable = true;
  ProcessStats process;
};

/// Sums the counters of an engine that was replaced (a rebuild after
/// catch-up) into `into`, so that totals do not fall back.
void add_engine_counters(quorum::EngineStats& into, const quorum::EngineStats& from);

}  // namespace quorumclear::metrics
