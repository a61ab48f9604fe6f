#pragma once
// The route handlers, one per route, grouped in files by resource. Each
// parses its parameters, calls one NodeService method and writes the answer
// (STYLE.md section 7): no business rule lives here.

#include "services/api/router.h"

#include <span>

namespace quorumclear::api {

// handlers_submit.cc
Reply submit_trade(NodeService& node, const Call& call);  // POST /v1/trades
Reply submit_bulk(NodeService& node, const Call& call);   // POST /v1/trades/bulk
Reply cancel_trade(NodeService& node, const Call& call);  // DELETE /v1/trades/{trade_id}
// handlers_trades.cc
Reply get_trade(NodeService& node, const Call& call);         // GET /v1/trades/{trade_id}
Reply list_trades(NodeService& node, const Call& call);       // GET /v1/trades
Reply list_allegations(NodeService& node, const Call& call);  // GET /v1/allegations
// handlers_holdings.cc
Reply list_positions(NodeService& node, const Call& call);  // GET /v1/positions
Reply list_cash(NodeService& node, const Call& call);       // GET /v1/cash
Reply list_balances(NodeService& node, const Call& call);   // GET /v1/balances
// handlers_runs.cc
Reply request_cutoff(NodeService& node, const Call& call);        // POST /v1/cutoff
Reply list_settlement_runs(NodeService& node, const Call& call);  // GET /v1/settlement-runs
Reply get_settlement_run(NodeService& node, const Call& call);    // GET /v1/settlement-runs/{date}
// handlers_chain.cc
Reply get_epoch(NodeService& node, const Call& call);  // GET /v1/epochs/{epoch}
Reply get_audit(NodeService& node, const Call& call);  // GET /v1/audit
Reply get_node(NodeService& node, const Call& call);   // GET /v1/node
// handlers_dashboard.cc
Reply get_dashboard(NodeService& node, const Call& call);  // GET /v1/dashboard
/// GET /dashboard: the page, served without a token (it holds no data).
[[nodiscard]] Reply dashboard_page();
/// dashboard/dashboard.html, compiled in (dashboard_page.cc, generated).
[[nodiscard]] std::string_view dashboard_html();

/// Every route of the API listener (routes.cc).
[[nodiscard]] std::span<const Route> api_routes();

/// The ops listener (no token): GET /healthz, GET /readyz, GET /metrics (ops.cc).
[[nodiscard]] Reply ops_reply(NodeService& node, std::string_view method, std::string_view path);
/// One of the ops listener's three paths (its route, for the request log).
[[nodiscard]] bool is_ops_path(std::string_view path);

}  // namespace quorumclear::api
