// POST /v1/cutoff, GET /v1/settlement-runs, GET /v1/settlement-runs/{date}.

#include "services/api/handlers.h"
#include "services/api/query.h"
#include "services/api/reply.h"
#include "services/api/report_json.h"
#include "services/api/run_report.h"

namespace quorumclear::api {
namespace {

constexpr std::uint32_t kRunPageDefault = 30;

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
  const Answer<CutoffReceipt> answer = node.request_cutoff(call.caller, std::get<0>(date));
  const auto* receipt = std::get_if<CutoffReceipt>(&answer);
  return answer_reply(answer, receipt && receipt->already_closed ? 200 : 202,
                      [](JsonWriter& w, const CutoffReceipt& r) {
                        w.begin_object();
                        write_date(w, "business_date", r.business_date);
                        w.field("state", r.already_closed ? "CLOSED" : "QUEUED");
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
                          write_run_summary_fields(out, s);
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
  return answer_reply(node.settlement_run(call.caller, *date), 200, write_run_report);
}

}  // namespace quorumclear::api
