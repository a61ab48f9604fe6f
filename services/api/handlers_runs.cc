// POST /v1/cutoff, GET /v1/settlement-runs, GET /v1/settlement-runs/{date}.

#include "services/api/handlers.h"
#include "services/api/query.h"
#include "services/api/reply.h"
#include "services/api/report_json.h"

namespace quorumclear::api {
namespace {

constexpr std::uint32_t kRunPageDefault = 30;

std::string_view run_status_name(settlement::RunStatus status) {
  return status == settlement::RunStatus::kSettled ? "SETTLED" : "PARTIALLY_SETTLED";
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

// The summary's fields, inside an object the caller opened.
void write_summary_fields(JsonWriter& w, const RunSummary& s) {
  write_date(w, "business_date", s.business_date);
  w.field("cutoff_epoch", s.cutoff_epoch).field("status", run_status_name(s.status));
  write_digest(w, "report_digest", s.report_digest);
  w.key("totals").begin_array();
  for (const CurrencyTotalsView& t : s.totals) {
    w.begin_object().field("currency", t.currency.view());
    write_decimal(w, "gross", t.gross);
    write_decimal(w, "net", t.net);
    w.field("trade_count", t.trade_count).field("netting_efficiency_bps", t.netting_efficiency_bps);
    w.end_object();
  }
  w.end_array();
}

void write_instruction(JsonWriter& w, const InstructionView& i) {
  w.begin_object().field("member", i.member.view()).field("direction", direction_name(i.direction));
  w.field("asset_kind", asset_kind_name(i.kind)).field("asset", i.asset.view());
  w.field("currency", i.currency.view());
  write_date(w, "settlement_date", i.settlement_date);
  write_date(w, "origin_date", i.origin_date);
  write_decimal(w, "net_amount", i.net_amount);
  write_decimal(w, "value", i.value);
  write_decimal(w, "mark", i.mark);
  write_decimal(w, "settled_amount", i.settled_amount);
  write_decimal(w, "settled_mark", i.settled_mark);
  w.field("status", obligation_status_name(i.status)).field_if("fail_reason", reason_name(i.fail_reason));
  w.end_object();
}

void write_unmatched(JsonWriter& w, const UnmatchedView& u) {
  w.begin_object().field("submitter", u.submitter.view()).field("counterparty", u.counterparty.view());
  w.field("trade_id", u.trade_id.view()).field("version", u.version);
  w.field("status", to_string(u.status)).field_if("field", json_field(u.field));
  write_date(w, "business_date", u.business_date);
  w.end_object();
}

void write_report(JsonWriter& w, const RunReport& report) {
  w.begin_object();
  write_summary_fields(w, report.summary);
  w.key("instructions").begin_array();
  for (const InstructionView& i : report.instructions) write_instruction(w, i);
  w.end_array().key("unmatched").begin_array();
  for (const UnmatchedView& u : report.unmatched) write_unmatched(w, u);
  w.end_array().end_object();
}

// The optional cut-off body: empty, or {"business_date": "YYYY-MM-DD"}.
std::variant<std::optional<settlement::BusinessDate>, ApiError> cutoff_date(const std::string& body) {
  if (body.empty()) return std::optional<settlement::BusinessDate>{};
  auto parsed = parse_body(body, JsonLimits{4, 64});
  if (auto* error = std::get_if<ApiError>(&parsed)) return std::move(*error);
  const JsonValue& root = std::get<JsonValue>(parsed);
  if (root.type != JsonValue::Type::kObject) {
    return bad_request("FIELD_TYPE", "the body must be a JSON object");
  }
  std::optional<settlement::BusinessDate> date;
  for (std::size_t i = 0; i < root.keys.size(); ++i) {
    if (root.keys[i] != "business_date") {
      return bad_request("FIELD_UNKNOWN", "unknown field", root.keys[i].substr(0, 64));
    }
    if (date) return bad_request("FIELD_DUPLICATE", "business_date is given twice", "business_date");
    const JsonValue& v = root.items[i];
    date = v.type == JsonValue::Type::kString ? parse_date(v.text) : std::nullopt;
    if (!date) {
      return bad_request("FIELD_INVALID", "business_date must be a date string YYYY-MM-DD", "business_date");
    }
  }
  return date;
}

}  // namespace

Reply request_cutoff(NodeService& node, const Call& call) {
  if (QueryReader q(call.query, {}); q.error()) return error_reply(*q.error());
  auto date = cutoff_date(call.body);
  if (const auto* error = std::get_if<ApiError>(&date)) return error_reply(*error);
  return answer_reply(node.request_cutoff(call.caller, std::get<0>(date)), 202,
                      [](JsonWriter& w, const CutoffReceipt& receipt) {
                        w.begin_object();
                        write_date(w, "business_date", receipt.business_date);
                        w.end_object();
                      });
}

Reply list_settlement_runs(NodeService& node, const Call& call) {
  QueryReader q(call.query, {"cursor", "limit"});
  const Page page = q.page(kRunPageDefault, kPageLimitMax);
  if (q.error()) return error_reply(*q.error());
  return answer_reply(node.settlement_runs(call.caller, page), 200,
                      [](JsonWriter& w, const Paged<RunSummary>& runs) {
                        write_page(w, "runs", runs, [](JsonWriter& out, const RunSummary& s) {
                          out.begin_object();
                          write_summary_fields(out, s);
                          out.end_object();
                        });
                      });
}

Reply get_settlement_run(NodeService& node, const Call& call) {
  if (QueryReader q(call.query, {}); q.error()) return error_reply(*q.error());
  const std::optional<settlement::BusinessDate> date = parse_date(call.params.at(0));
  if (!date) {
    return error_reply(bad_request("PARAMETER_INVALID", "date must be a calendar date YYYY-MM-DD", "date"));
  }
  return answer_reply(node.settlement_run(call.caller, *date), 200, write_report);
}

}  // namespace quorumclear::api
