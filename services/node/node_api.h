#pragma once
// The node's answers to the REST API (api::NodeService), on the HTTP
// threads. Writes go to the core only through the inbox, after the reports
// are durable as RECEIVED; reads come from PostgreSQL through a bounded
// pool of connections, and the node's state from the core's status board.
// No business rule lives in services/api; they live here and in settlement.

#include "services/api/http_server.h"
#include "services/api/node_service.h"
#include "services/config/genesis.h"
#include "services/net/transport.h"
#include "services/node/connection_pool.h"
#include "services/node/core_inbox.h"
#include "services/node/node_io.h"
#include "services/node/status_board.h"
#include "services/store/node_store.h"
#include "services/store/read_store.h"

#include <chrono>
#include <map>
#include <mutex>

namespace quorumclear::node {

/// How long a request waits for a pooled database connection.
inline constexpr auto kLeaseTimeout = std::chrono::milliseconds(2'000);
/// A core that has not published its status for this long is not ready.
inline constexpr auto kCoreSilenceMax = std::chrono::seconds(5);

struct NodeApiParts {
  quorum::NodeId self;
  const config::NetworkGenesis& genesis;
  const settlement::ReferenceData& reference;
  std::string database;
  CoreInbox& inbox;
  IngestBudget& budget;
  StatusBoard& board;
  net::Transport& transport;
  NodeIo& io;
  /// The ops listener's GET /metrics page.
  std::function<std::string()> metrics_page;
};

class NodeApi final : public api::NodeService {
 public:
  explicit NodeApi(NodeApiParts parts);

  api::Answer<std::optional<api::Caller>> authenticate(const api::TokenDigest& token_sha256) override;
  api::Answer<api::SubmitResult> submit(const api::Caller& caller, std::vector<settlement::Trade> reports) override;
  api::Answer<api::CancelReceipt> cancel(const api::Caller& caller, const settlement::TradeId& trade_id) override;
  api::Answer<api::TradeView> get_trade(const api::Caller& caller, const api::TradeKey& key) override;
  api::Answer<api::Paged<api::TradeView>> list_trades(const api::Caller& caller, const api::TradeFilter& filter,
                                                      const api::Page& page) override;
  api::Answer<api::Paged<api::TradeView>> allegations(const api::Caller& caller, const api::MemberFilter& filter,
                                                      const api::Page& page) override;
  api::Answer<api::Paged<api::PositionView>> positions(const api::Caller& caller, const api::PositionFilter& filter,
                                                       const api::Page& page) override;
  api::Answer<api::Paged<api::CashView>> cash(const api::Caller& caller, const api::CashFilter& filter,
                                              const api::Page& page) override;
  api::Answer<api::Paged<api::BalanceView>> balances(const api::Caller& caller, const api::MemberFilter& filter,
                                                     const api::Page& page) override;
  api::Answer<api::CutoffReceipt> request_cutoff(const api::Caller& caller,
                                                 std::optional<settlement::BusinessDate> business_date) override;
  api::Answer<api::Paged<api::RunSummary>> settlement_runs(const api::Caller& caller, const api::Page& page) override;
  api::Answer<api::RunReport> settlement_run(const api::Caller& caller, settlement::BusinessDate business_date) override;
  api::Answer<api::EpochView> epoch(const api::Caller& caller, std::uint64_t epoch) override;
  api::Answer<api::AuditPage> audit(const api::Caller& caller, const api::AuditQuery& query) override;
  api::Answer<api::NodeInfo> node_info(const api::Caller& caller) override;
  api::Readiness readiness() override;
  std::optional<std::string> metrics_page() override;
  api::Answer<api::DashboardView> dashboard(const api::Caller& caller) override;

  /// Counts one answered request (ServerConfig::on_request). Thread-safe.
  void count_request(const api::RequestRecord& record);
  /// A copy of the API's counters. Thread-safe.
  [[nodiscard]] metrics::ApiStats api_stats() const;

 private:
  /// The 404 hint of a node whose history starts at a checkpoint (empty otherwise).
  [[nodiscard]] std::string before_history() const;
  /// Which members' rows the caller may see: its own, or all (nullopt) for
  /// the operator and the regulator, narrowed to `named` when they name one.
  [[nodiscard]] std::optional<settlement::MemberId> scope(const api::Caller& caller,
                                                          const std::optional<settlement::MemberId>& named) const;
  /// Runs `read` on a pooled read connection, mapping database trouble to
  /// 503 and an unknown cursor to 400.
  template <class T, class F>
  api::Answer<T> with_reads(F&& read);
  std::mutex& submit_lock(const settlement::MemberId& member);
  api::Answer<api::SubmitResult> take_reports(const api::Caller& caller, std::vector<settlement::Trade> reports);

  NodeApiParts parts_;
  ConnectionPool<store::NodeStore> writes_;
  ConnectionPool<store::ReadStore> reads_;
  std::mutex locks_mutex_;
  std::map<std::string, std::unique_ptr<std::mutex>> submit_locks_;
  mutable std::mutex stats_mutex_;
  metrics::ApiStats stats_;
};

}  // namespace quorumclear::node
