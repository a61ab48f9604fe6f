// GET /v1/trades/{trade_id}, GET /v1/trades, GET /v1/allegations.

#include "services/api/handlers.h"
#include "services/api/query.h"
#include "services/api/reply.h"

namespace quorumclear::api {
namespace {

constexpr std::uint32_t kTradePageDefault = 100;

Reply trade_page(const Answer<Paged<TradeView>>& answer, std::string_view list_name) {
  return answer_reply(answer, 200, [list_name](JsonWriter& w, const Paged<TradeView>& page) {
    write_page(w, list_name, page, write_trade);
  });
}

}  // namespace

Reply get_trade(NodeService& node, const Call& call) {
  QueryReader q(call.query, {"submitter"});
  const std::optional<settlement::MemberId> submitter = q.member("submitter", call.caller);
  if (q.error()) return error_reply(*q.error());
  const auto trade_id = trade_id_param(call.params.at(0));
  if (const auto* error = std::get_if<ApiError>(&trade_id)) return error_reply(*error);
  const TradeKey key{submitter.value_or(call.caller.member), std::get<settlement::TradeId>(trade_id)};
  return answer_reply(node.get_trade(call.caller, key), 200, write_trade);
}

Reply list_trades(NodeService& node, const Call& call) {
  QueryReader q(call.query, {"status", "settlement_date", "member", "cursor", "limit"});
  TradeFilter filter;
  filter.status = q.status("status");
  filter.settlement_date = q.date("settlement_date");
  filter.member = q.member("member", call.caller);
  const Page page = q.page(kTradePageDefault, kPageLimitMax);
  if (q.error()) return error_reply(*q.error());
  return trade_page(node.list_trades(call.caller, filter, page), "trades");
}

Reply list_allegations(NodeService& node, const Call& call) {
  QueryReader q(call.query, {"member", "cursor", "limit"});
  const MemberFilter filter{q.member("member", call.caller)};
  const Page page = q.page(kTradePageDefault, kPageLimitMax);
  if (q.error()) return error_reply(*q.error());
  return trade_page(node.allegations(call.caller, filter, page), "allegations");
}

}  // namespace quorumclear::api
