// POST /v1/trades, POST /v1/trades/bulk, DELETE /v1/trades/{trade_id}.
//
// A single report answers with its own status: 202 accepted, 200 duplicate
// (nothing changed), 409 conflict, 400 invalid, 403 forbidden. A bulk
// answers 202 with one result per item whenever the array itself was
// acceptable and the node took the request: items that failed to decode
// are INVALID results, the rest go to the node in one call (one durable
// commit), so a back office gets every item's fate and resubmits only the
// refused ones. Only a refusal of the whole request (429, 503) or a body
// that is not an array of 1..10,000 reports answers otherwise.

#include "services/api/handlers.h"
#include "services/api/query.h"
#include "services/api/reply.h"
#include "services/api/report_json.h"

#include <array>

namespace quorumclear::api {
namespace {

std::string_view outcome_name(SubmitOutcome outcome) {
  switch (outcome) {
    case SubmitOutcome::kAccepted:
      return "ACCEPTED";
    case SubmitOutcome::kDuplicate:
      return "DUPLICATE";
    case SubmitOutcome::kConflict:
      return "CONFLICT";
    case SubmitOutcome::kInvalid:
      return "INVALID";
    case SubmitOutcome::kForbidden:
      return "FORBIDDEN";
  }
  return "INVALID";
}

// The error a refused item carries; `path` is "" or "[i]".
ApiError item_error(const SubmitItem& item, std::string_view path) {
  ApiError e;
  std::string_view code = reason_name(item.reason);
  switch (item.outcome) {
    case SubmitOutcome::kConflict:
      e.status = 409;
      if (code.empty()) code = "DUPLICATE_CONFLICT";
      e.message = "a different report is live under this trade_id";
      break;
    case SubmitOutcome::kForbidden:
      e.status = 403;
      if (code.empty()) code = "FORBIDDEN";
      e.message = "the caller may not submit this report";
      break;
    default:
      e.status = 400;
      if (code.empty()) code = "INVALID";
      e.message = "the report was refused by validation";
      break;
  }
  e.code = std::string(code);
  e.field = field_path(path, json_field(item.field));
  return e;
}

void write_error_object(JsonWriter& w, const ApiError& e) {
  w.key("error").begin_object();
  w.field("code", e.code).field("message", e.message).field_if("field", e.field);
  w.end_object();
}

// The fields of an accepted or duplicate report's receipt.
void write_receipt_fields(JsonWriter& w, const SubmitItem& item) {
  w.field("outcome", outcome_name(item.outcome)).field("status", to_string(item.status));
  w.field_if("reason", reason_name(item.reason)).field_if("field", json_field(item.field));
}

bool refused(const SubmitItem& item) {
  return item.outcome != SubmitOutcome::kAccepted && item.outcome != SubmitOutcome::kDuplicate;
}

Reply wrong_item_count() {
  return error_reply(ApiError{500, "INTERNAL", "the node answered a different number of reports", {}, 0});
}

// One bulk item's result: its index, trade id when decoded, outcome.
struct BulkResult {
  std::optional<settlement::TradeId> trade_id;
  SubmitItem item;
  std::optional<ApiError> error;  // decode errors and refused items
};

std::string write_bulk(const std::vector<BulkResult>& results) {
  std::array<std::uint64_t, 5> counts{};
  for (const BulkResult& r : results) ++counts[static_cast<std::size_t>(r.item.outcome)];
  JsonWriter w;
  w.begin_object().field("received", static_cast<std::uint64_t>(results.size()));
  w.field("accepted", counts[0]).field("duplicate", counts[1]).field("conflict", counts[2]);
  w.field("invalid", counts[3]).field("forbidden", counts[4]);
  w.key("results").begin_array();
  for (std::size_t i = 0; i < results.size(); ++i) {
    const BulkResult& r = results[i];
    w.begin_object().field("index", static_cast<std::uint64_t>(i));
    if (r.trade_id) w.field("trade_id", r.trade_id->view());
    if (r.error) {
      w.field("outcome", outcome_name(r.item.outcome));
      write_error_object(w, *r.error);
    } else {
      write_receipt_fields(w, r.item);
    }
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace

Reply submit_trade(NodeService& node, const Call& call) {
  if (QueryReader q(call.query, {}); q.error()) return error_reply(*q.error());
  DecodedReport decoded = decode_single_body(call.body, call.caller.member);
  if (const auto* error = std::get_if<ApiError>(&decoded)) return error_reply(*error);
  const settlement::TradeId trade_id = std::get<settlement::Trade>(decoded).trade_id;
  std::vector<settlement::Trade> reports{std::get<settlement::Trade>(std::move(decoded))};
  const Answer<SubmitResult> answer = node.submit(call.caller, std::move(reports));
  if (const auto* refusal = std::get_if<Refusal>(&answer)) return refusal_reply(*refusal);
  const SubmitResult& result = std::get<SubmitResult>(answer);
  if (result.items.size() != 1) return wrong_item_count();
  const SubmitItem& item = result.items.front();
  if (refused(item)) return error_reply(item_error(item, ""));
  JsonWriter w;
  w.begin_object().field("trade_id", trade_id.view());
  write_receipt_fields(w, item);
  w.end_object();
  return json_reply(item.outcome == SubmitOutcome::kAccepted ? 202 : 200, w.take());
}

Reply submit_bulk(NodeService& node, const Call& call) {
  if (QueryReader q(call.query, {}); q.error()) return error_reply(*q.error());
  auto decoded = decode_bulk_body(call.body, call.caller.member);
  if (const auto* error = std::get_if<ApiError>(&decoded)) return error_reply(*error);
  std::vector<DecodedReport>& items = std::get<std::vector<DecodedReport>>(decoded);
  std::vector<BulkResult> results(items.size());
  std::vector<settlement::Trade> reports;
  std::vector<std::size_t> report_index;  // reports[k] is item report_index[k]
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto* error = std::get_if<ApiError>(&items[i])) {
      results[i].item.outcome = SubmitOutcome::kInvalid;
      results[i].error = std::move(*error);
      continue;
    }
    results[i].trade_id = std::get<settlement::Trade>(items[i]).trade_id;
    reports.push_back(std::get<settlement::Trade>(std::move(items[i])));
    report_index.push_back(i);
  }
  if (!reports.empty()) {
    const Answer<SubmitResult> answer = node.submit(call.caller, std::move(reports));
    if (const auto* refusal = std::get_if<Refusal>(&answer)) return refusal_reply(*refusal);
    const SubmitResult& result = std::get<SubmitResult>(answer);
    if (result.items.size() != report_index.size()) return wrong_item_count();
    for (std::size_t k = 0; k < report_index.size(); ++k) {
      BulkResult& r = results[report_index[k]];
      r.item = result.items[k];
      if (refused(r.item)) r.error = item_error(r.item, "[" + std::to_string(report_index[k]) + "]");
    }
  }
  return json_reply(202, write_bulk(results));
}

Reply cancel_trade(NodeService& node, const Call& call) {
  if (QueryReader q(call.query, {}); q.error()) return error_reply(*q.error());
  const auto trade_id = trade_id_param(call.params.at(0));
  if (const auto* error = std::get_if<ApiError>(&trade_id)) return error_reply(*error);
  return answer_reply(node.cancel(call.caller, std::get<settlement::TradeId>(trade_id)), 202,
                      [](JsonWriter& w, const CancelReceipt& receipt) {
                        w.begin_object().field("trade_id", receipt.trade_id.view());
                        w.field("status", to_string(receipt.status)).end_object();
                      });
}

}  // namespace quorumclear::api
