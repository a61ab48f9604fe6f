#include "services/api/reply.h"

#include "settlement/reference_data.h"

#include <algorithm>

namespace quorumclear::api {
namespace {

std::string_view generic_code(RefusalKind kind) {
  switch (kind) {
    case RefusalKind::kInvalid:
      return "INVALID";
    case RefusalKind::kForbidden:
      return "FORBIDDEN";
    case RefusalKind::kNotFound:
      return "NOT_FOUND";
    case RefusalKind::kConflict:
      return "CONFLICT";
    case RefusalKind::kBusy:
      return "QUEUE_FULL";
    case RefusalKind::kUnavailable:
      return "UNAVAILABLE";
  }
  return "INVALID";
}

bool is_code(std::string_view code) {
  return !code.empty() && code.size() <= 48 && std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

int http_status(RefusalKind kind) {
  switch (kind) {
    case RefusalKind::kInvalid:
      return 400;
    case RefusalKind::kForbidden:
      return 403;
    case RefusalKind::kNotFound:
      return 404;
    case RefusalKind::kConflict:
      return 409;
    case RefusalKind::kBusy:
      return 429;
    case RefusalKind::kUnavailable:
      return 503;
  }
  return 500;
}

Reply refusal_reply(const Refusal& refusal) {
  ApiError error;
  error.status = http_status(refusal.kind);
  error.code = is_code(refusal.code) ? refusal.code : std::string(generic_code(refusal.kind));
  error.message = refusal.message.empty() ? error.code : refusal.message;
  error.field = refusal.field;
  error.retry_after_seconds = refusal.retry_after_seconds;
  return error_reply(error);
}

std::string_view json_field(std::string_view field) {
  return field == "price_scale" ? std::string_view("price") : field;
}

std::string_view reason_name(settlement::Reason reason) {
  return reason == settlement::Reason::kNone ? std::string_view{} : settlement::to_string(reason);
}

std::string_view asset_kind_name(settlement::AssetKind kind) {
  return kind == settlement::AssetKind::kCash ? "CASH" : "SECURITIES";
}

std::string_view direction_name(settlement::Direction direction) {
  switch (direction) {
    case settlement::Direction::kDeliver:
      return "DELIVER";
    case settlement::Direction::kReceive:
      return "RECEIVE";
    case settlement::Direction::kPay:
      return "PAY";
    case settlement::Direction::kCollect:
      return "COLLECT";
  }
  return "DELIVER";
}

std::string_view obligation_status_name(settlement::ObligationStatus status) {
  switch (status) {
    case settlement::ObligationStatus::kPending:
      return "PENDING";
    case settlement::ObligationStatus::kSettled:
      return "SETTLED";
    case settlement::ObligationStatus::kFailed:
      return "FAILED";
  }
  return "PENDING";
}

std::variant<settlement::TradeId, ApiError> trade_id_param(const std::string& text) {
  const std::optional<settlement::TradeId> id = settlement::TradeId::from(text);
  if (!id || !settlement::is_valid_trade_id(text)) {
    return bad_request("PARAMETER_INVALID", "trade_id is not a valid trade id", "trade_id");
  }
  return *id;
}

void write_trade(JsonWriter& w, const TradeView& trade) {
  const settlement::Trade& t = trade.report;
  w.begin_object();
  w.field("trade_id", t.trade_id.view()).field("submitter", t.submitter.view());
  w.field("buyer", t.buyer.view()).field("seller", t.seller.view()).field("isin", t.isin.view());
  w.field("quantity", t.quantity.units);
  write_decimal(w, "price", Decimal{t.price.units, t.price_scale});
  w.field("currency", t.currency.view());
  write_date(w, "trade_date", t.trade_date);
  write_date(w, "settlement_date", t.settlement_date);
  if (t.client_ref) w.field("client_ref", t.client_ref->view());
  w.field("status", to_string(trade.status));
  w.field_if("reason", reason_name(trade.reason)).field_if("field", json_field(trade.field));
  w.field("version", trade.version);
  if (trade.epoch) w.field("epoch", *trade.epoch);
  if (trade.counterparty) {
    w.key("counterparty").begin_object().field("member", trade.counterparty->member.view());
    if (trade.counterparty->status) w.field("status", to_string(*trade.counterparty->status));
    w.end_object();
  }
  if (trade.consideration) write_decimal(w, "consideration", *trade.consideration);
  if (trade.booked_business_date) write_date(w, "booked_business_date", *trade.booked_business_date);
  if (trade.booked_settlement_date) {
    write_date(w, "booked_settlement_date", *trade.booked_settlement_date);
  }
  w.end_object();
}

void write_epoch(JsonWriter& w, const EpochView& e) {
  w.begin_object().field("epoch", e.epoch);
  write_digest(w, "output_digest", e.output_digest);
  write_digest(w, "state_digest", e.state_digest);
  write_digest(w, "audit_head", e.audit_head);
  write_digest(w, "snapshot_digest", e.snapshot_digest);
  write_digest(w, "obligations_root", e.obligations_root);
  w.field("certified", e.certified).key("signatures").begin_array();
  for (const EpochSignature& s : e.signatures) {
    w.begin_object().field("node_id", s.node_id).field("signature", to_hex(s.signature)).end_object();
  }
  w.end_array().end_object();
}

}  // namespace quorumclear::api
