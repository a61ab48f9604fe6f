#pragma once
// A NodeService for the API's tests: an in-memory node with a few members,
// reports and canned reads, whose answers tests steer (busy, unavailable,
// throwing). It stands in for services/node and knows no ledger.

#include "services/api/node_service.h"

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace quorumclear::api::testing {

/// Members: BANK_A, BANK_B, BANK_C (clearing), VENUE_X (venue for BANK_A
/// and BANK_B), OPS (operator), REG (regulator); BANK_Z has a token that
/// belongs to another node (unknown here). Known ISINs: DE0001102580,
/// US0378331005. BANK_B has an ALLEGED report "B-1" selling to BANK_A.
class FakeNode : public NodeService {
 public:
  FakeNode();

  /// The bearer token of `member` at this node.
  [[nodiscard]] static std::string token_of(std::string_view member);

  std::atomic<bool> busy{false};           // submit, cancel, cutoff: 429
  std::atomic<bool> unavailable{false};    // every call: 503
  std::atomic<bool> database_down{false};  // readiness check "database" fails
  std::atomic<bool> throw_on_read{false};  // node_info throws
  std::atomic<int> submit_calls{0};

  Answer<std::optional<Caller>> authenticate(const TokenDigest& token_sha256) override;
  Answer<SubmitResult> submit(const Caller& caller, std::vector<settlement::Trade> reports) override;
  Answer<CancelReceipt> cancel(const Caller& caller, const settlement::TradeId& trade_id) override;
  Answer<TradeView> get_trade(const Caller& caller, const TradeKey& key) override;
  Answer<Paged<TradeView>> list_trades(const Caller& caller, const TradeFilter& filter,
                                       const Page& page) override;
  Answer<Paged<TradeView>> allegations(const Caller& caller, const MemberFilter& filter,
                                       const Page& page) override;
  Answer<Paged<PositionView>> positions(const Caller& caller, const PositionFilter& filter,
                                        const Page& page) override;
  Answer<Paged<CashView>> cash(const Caller& caller, const CashFilter& filter, const Page& page) override;
  Answer<Paged<BalanceView>> balances(const Caller& caller, const MemberFilter& filter,
                                      const Page& page) override;
  Answer<CutoffReceipt> request_cutoff(const Caller& caller,
                                       std::optional<settlement::BusinessDate> business_date) override;
  Answer<Paged<RunSummary>> settlement_runs(const Caller& caller, const Page& page) override;
  Answer<RunReport> settlement_run(const Caller& caller, settlement::BusinessDate business_date) override;
  Answer<EpochView> epoch(const Caller& caller, std::uint64_t epoch) override;
  Answer<AuditPage> audit(const Caller& caller, const AuditQuery& query) override;
  Answer<NodeInfo> node_info(const Caller& caller) override;
  Readiness readiness() override;

 private:
  struct Stored {
    settlement::Trade trade;
    ReportStatus status = ReportStatus::kReceived;
    std::optional<std::uint64_t> epoch;
  };
  using Key = std::pair<std::string, std::string>;  // (submitter, trade id)

  SubmitItem submit_one(const Caller& caller, const settlement::Trade& trade);
  TradeView view_of(const Stored& stored) const;

  std::mutex mu_;
  std::map<TokenDigest, Caller> tokens_;
  std::map<Key, Stored> reports_;
};

}  // namespace quorumclear::api::testing
