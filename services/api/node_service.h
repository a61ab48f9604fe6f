#pragma once
// NodeService: everything the REST API asks of the clearing node. The node
// (services/node) implements it; the API never touches the engine, the
// ledger or the database.
//
// Division of work. The API parses and bounds the request, authenticates the
// token (through authenticate), applies the per-route role gates below,
// calls one method and writes the answer. Every business rule is the
// node's: who is a party, validation, idempotency, durability, which rows a
// caller may see, cursors, queue limits.
//
// Role gates the API applies before calling (403 ROLE_FORBIDDEN otherwise):
//   submit, cancel         CLEARING_MEMBER, TRADING_VENUE
//   request_cutoff         OPERATOR
//   audit                  OPERATOR, REGULATOR
//   everything else        any authenticated caller
// and a filter or key naming another member than the caller (`member`,
// `submitter`) is refused unless the caller is the OPERATOR or REGULATOR.
// The node still scopes every answer to what the caller may see.
//
// Threads. The API calls these methods from its HTTP worker threads,
// concurrently: implementations are thread-safe and never touch the engine
// or the ledger from the calling thread (they read their own snapshots or
// the database, and hand writes to the core loop through bounded queues,
// STYLE.md 7a). Each call returns within bounded time; a node that cannot
// answer in time answers Refusal kUnavailable. A method should not throw:
// if one does, the API answers 500 INTERNAL and reports the event, and the
// process keeps serving.

#include "services/api/answers.h"

#include <optional>
#include <string>
#include <vector>

namespace quorumclear::api {

class NodeService {
 public:
  virtual ~NodeService() = default;

  /// The member owning the token whose SHA-256 is `token_sha256`, or empty
  /// when no token of this node matches (the API answers 401). A member
  /// token is valid only at the member's own node; the operator's and the
  /// regulator's are registered at every node. kUnavailable when the token
  /// cannot be checked now (database down): 503, never a 401 that would
  /// tell a member its good token is bad.
  [[nodiscard]] virtual Answer<std::optional<Caller>> authenticate(const TokenDigest& token_sha256) = 0;

  /// POST /v1/trades and /v1/trades/bulk: 1..10,000 reports that decoded,
  /// each with submitter == caller.member (set by the API). Per report: the
  /// caller must be its buyer or seller, or a venue permitted for both
  /// (else kForbidden); settlement::validate_trade (else kInvalid with its
  /// reason and field); idempotent by (submitter, trade_id): identical
  /// content -> kDuplicate with the current status, different content under
  /// a live report -> kConflict, replaceable (cancelled, mismatched, ...) ->
  /// accepted as the next version. Every kAccepted report is durable as
  /// RECEIVED before this returns (one commit for the call). Refuses the
  /// whole call, taking nothing, with kBusy (queue full) or kUnavailable.
  [[nodiscard]] virtual Answer<SubmitResult> submit(const Caller& caller,
                                                    std::vector<settlement::Trade> reports) = 0;

  /// DELETE /v1/trades/{trade_id}: durably queues a settlement::TradeCancel
  /// of the caller's report. kNotFound when the caller has no report under
  /// trade_id; kConflict (ALREADY_MATCHED, REPORT_NOT_OPEN) when it can
  /// already tell the cancel will be refused; kBusy / kUnavailable.
  [[nodiscard]] virtual Answer<CancelReceipt> cancel(const Caller& caller,
                                                     const settlement::TradeId& trade_id) = 0;

  /// GET /v1/trades/{trade_id}: the report `key` names (the API fills the
  /// submitter with the caller unless the operator or regulator names one).
  /// kNotFound also when the caller may not see it.
  [[nodiscard]] virtual Answer<TradeView> get_trade(const Caller& caller, const TradeKey& key) = 0;

  /// GET /v1/trades: reports the caller submitted (operator, regulator: all,
  /// or `member`'s), by the filter, in a stable order the cursor resumes.
  /// A cursor the node did not issue: kInvalid with field "cursor".
  [[nodiscard]] virtual Answer<Paged<TradeView>> list_trades(const Caller& caller, const TradeFilter& filter,
                                                             const Page& page) = 0;

  /// GET /v1/allegations: live reports other members made naming the
  /// caller (or `member`) as buyer or seller, still waiting for its side.
  [[nodiscard]] virtual Answer<Paged<TradeView>> allegations(const Caller& caller, const MemberFilter& filter,
                                                             const Page& page) = 0;

  /// GET /v1/positions.
  [[nodiscard]] virtual Answer<Paged<PositionView>> positions(const Caller& caller,
                                                              const PositionFilter& filter,
                                                              const Page& page) = 0;

  /// GET /v1/cash.
  [[nodiscard]] virtual Answer<Paged<CashView>> cash(const Caller& caller, const CashFilter& filter,
                                                     const Page& page) = 0;

  /// GET /v1/balances (the CCP's account only for operator and regulator).
  [[nodiscard]] virtual Answer<Paged<BalanceView>> balances(const Caller& caller, const MemberFilter& filter,
                                                            const Page& page) = 0;

  /// POST /v1/cutoff (operator only): durably queues a CutOff vote for
  /// `business_date`, or for the node's open business date when empty.
  /// kInvalid (field "business_date") for a date that is not open; kBusy,
  /// kUnavailable.
  [[nodiscard]] virtual Answer<CutoffReceipt> request_cutoff(
      const Caller& caller, std::optional<settlement::BusinessDate> business_date) = 0;

  /// GET /v1/settlement-runs: newest first.
  [[nodiscard]] virtual Answer<Paged<RunSummary>> settlement_runs(const Caller& caller, const Page& page) = 0;

  /// GET /v1/settlement-runs/{date}: kNotFound when no run closed `date`.
  [[nodiscard]] virtual Answer<RunReport> settlement_run(const Caller& caller,
                                                         settlement::BusinessDate business_date) = 0;

  /// GET /v1/epochs/{epoch}: kNotFound until this node applied `epoch`.
  [[nodiscard]] virtual Answer<EpochView> epoch(const Caller& caller, std::uint64_t epoch) = 0;

  /// GET /v1/audit (operator, regulator): chain links in epoch order.
  [[nodiscard]] virtual Answer<AuditPage> audit(const Caller& caller, const AuditQuery& query) = 0;

  /// GET /v1/node.
  [[nodiscard]] virtual Answer<NodeInfo> node_info(const Caller& caller) = 0;

  /// GET /readyz on the ops listener (no token): database reachable, at
  /// least n - f - 1 peers connected, not behind, no divergence.
  [[nodiscard]] virtual Readiness readiness() = 0;

  /// GET /v1/dashboard (operator only; the API gates the role).
  [[nodiscard]] virtual Answer<DashboardView> dashboard(const Caller& caller) {
    (void)caller;
    return Refusal{RefusalKind::kNotFound, "NOT_FOUND", "this node serves no dashboard", {}, 0};
  }

  /// GET /metrics on the ops listener (no token): the Prometheus text
  /// exposition, or empty (404) for a service that keeps no metrics.
  [[nodiscard]] virtual std::optional<std::string> metrics_page() { return std::nullopt; }
};

}  // namespace quorumclear::api
