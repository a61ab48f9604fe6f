// GET /v1/positions, GET /v1/cash, GET /v1/balances.

#include "services/api/handlers.h"
#include "services/api/query.h"
#include "services/api/reply.h"

namespace quorumclear::api {
namespace {

constexpr std::uint32_t kHoldingPageDefault = 100;

void write_position(JsonWriter& w, const PositionView& p) {
  w.begin_object().field("member", p.member.view()).field("isin", p.isin.view());
  w.field("currency", p.currency.view());
  write_date(w, "settlement_date", p.settlement_date);
  w.field("bought", p.bought).field("sold", p.sold).field("net", p.net);
  write_decimal(w, "paid", p.paid);
  write_decimal(w, "received", p.received);
  w.end_object();
}

void write_cash(JsonWriter& w, const CashView& c) {
  w.begin_object().field("member", c.member.view()).field("currency", c.currency.view());
  write_date(w, "settlement_date", c.settlement_date);
  write_decimal(w, "received", c.received);
  write_decimal(w, "paid", c.paid);
  write_decimal(w, "net", c.net);
  w.end_object();
}

void write_balance(JsonWriter& w, const BalanceView& b) {
  w.begin_object().field("account", b.account.view()).field("asset_kind", asset_kind_name(b.kind));
  w.field("asset", b.asset.view());
  write_decimal(w, "amount", b.amount);
  w.end_object();
}

}  // namespace

Reply list_positions(NodeService& node, const Call& call) {
  QueryReader q(call.query, {"member", "isin", "settlement_date", "cursor", "limit"});
  PositionFilter filter;
  filter.member = q.member("member", call.caller);
  filter.isin = q.code<settlement::Isin>("isin");
  filter.settlement_date = q.date("settlement_date");
  const Page page = q.page(kHoldingPageDefault, kPageLimitMax);
  if (q.error()) return error_reply(*q.error());
  return answer_reply(
      node.positions(call.caller, filter, page), 200,
      [](JsonWriter& w, const Paged<PositionView>& p) { write_page(w, "positions", p, write_position); });
}

Reply list_cash(NodeService& node, const Call& call) {
  QueryReader q(call.query, {"member", "currency", "settlement_date", "cursor", "limit"});
  CashFilter filter;
  filter.member = q.member("member", call.caller);
  filter.currency = q.code<settlement::CurrencyCode>("currency");
  filter.settlement_date = q.date("settlement_date");
  const Page page = q.page(kHoldingPageDefault, kPageLimitMax);
  if (q.error()) return error_reply(*q.error());
  return answer_reply(node.cash(call.caller, filter, page), 200,
                      [](JsonWriter& w, const Paged<CashView>& p) { write_page(w, "cash", p, write_cash); });
}

Reply list_balances(NodeService& node, const Call& call) {
  QueryReader q(call.query, {"member", "cursor", "limit"});
  const MemberFilter filter{q.member("member", call.caller)};
  const Page page = q.page(kHoldingPageDefault, kPageLimitMax);
  if (q.error()) return error_reply(*q.error());
  return answer_reply(
      node.balances(call.caller, filter, page), 200,
      [](JsonWriter& w, const Paged<BalanceView>& p) { write_page(w, "balances", p, write_balance); });
}

}  // namespace quorumclear::api
