#include "services/api/handlers.h"
#include "services/api/report_json.h"

#include <array>

namespace quorumclear::api {
namespace {

// A cut-off body is at most {"business_date": "YYYY-MM-DD"}.
constexpr std::size_t kCutoffBodyBytesMax = 4 * 1024;

const std::array<Route, 16> kRoutes = {{
    {"POST", "/v1/trades", kParties, kSingleBodyBytesMax, false, submit_trade},
    {"GET", "/v1/trades", kAnyRole, 0, false, list_trades},
    {"POST", "/v1/trades/bulk", kParties, kBulkBodyBytesMax, false, submit_bulk},
    {"GET", "/v1/trades/{trade_id}", kAnyRole, 0, false, get_trade},
    {"DELETE", "/v1/trades/{trade_id}", kParties, 0, false, cancel_trade},
    {"GET", "/v1/allegations", kAnyRole, 0, false, list_allegations},
    {"GET", "/v1/positions", kAnyRole, 0, false, list_positions},
    {"GET", "/v1/cash", kAnyRole, 0, false, list_cash},
    {"GET", "/v1/balances", kAnyRole, 0, false, list_balances},
    {"POST", "/v1/cutoff", kOperatorOnly, kCutoffBodyBytesMax, true, request_cutoff},
    {"GET", "/v1/settlement-runs", kAnyRole, 0, false, list_settlement_runs},
    {"GET", "/v1/settlement-runs/{date}", kAnyRole, 0, false, get_settlement_run},
    {"GET", "/v1/epochs/{epoch}", kAnyRole, 0, false, get_epoch},
    {"GET", "/v1/audit", kOverseers, 0, false, get_audit},
    {"GET", "/v1/node", kAnyRole, 0, false, get_node},
    {"GET", "/v1/dashboard", kOperatorOnly, 0, false, get_dashboard},
}};

}  // namespace

std::span<const Route> api_routes() { return kRoutes; }

}  // namespace quorumclear::api
