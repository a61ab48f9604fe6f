// GET /v1/epochs/{epoch}, GET /v1/audit, GET /v1/node.

#include "services/api/handlers.h"
#include "services/api/query.h"
#include "services/api/reply.h"

namespace quorumclear::api {
namespace {

std::string_view change_kind_name(AuditChangeKind kind) {
  switch (kind) {
    case AuditChangeKind::kReport:
      return "REPORT";
    case AuditChangeKind::kTransition:
      return "TRANSITION";
    case AuditChangeKind::kControl:
      return "CONTROL";
    case AuditChangeKind::kSettlementRun:
      return "SETTLEMENT_RUN";
  }
  return "REPORT";
}

void write_link(JsonWriter& w, const AuditLink& link) {
  w.begin_object().field("epoch", link.epoch);
  write_digest(w, "output_digest", link.output_digest);
  write_digest(w, "state_digest", link.state_digest);
  write_digest(w, "prev_hash", link.prev_hash);
  write_digest(w, "entry_hash", link.entry_hash);
  w.key("changes").begin_array();
  for (const AuditChange& c : link.changes) {
    w.begin_object().field("kind", change_kind_name(c.kind)).field_if("member", c.member.view());
    w.field("reference", c.reference).field("version", c.version).field("status", c.status);
    w.field_if("reason", reason_name(c.reason)).field_if("field", json_field(c.field));
    w.end_object();
  }
  w.end_array().end_object();
}

}  // namespace

Reply get_epoch(NodeService& node, const Call& call) {
  if (QueryReader q(call.query, {}); q.error()) return error_reply(*q.error());
  const std::optional<std::uint64_t> epoch = parse_unsigned(call.params.at(0));
  if (!epoch) {
    return error_reply(bad_request("PARAMETER_INVALID", "epoch must be a non-negative integer", "epoch"));
  }
  return answer_reply(node.epoch(call.caller, *epoch), 200, write_epoch);
}

Reply get_audit(NodeService& node, const Call& call) {
  QueryReader q(call.query, {"after_epoch", "limit"});
  AuditQuery query;
  query.after_epoch = q.unsigned_integer("after_epoch");
  const std::optional<std::uint64_t> limit = q.unsigned_integer("limit");
  if (q.error()) return error_reply(*q.error());
  if (limit && (*limit < 1 || *limit > kAuditLimitMax)) {
    return error_reply(
        bad_request("PARAMETER_INVALID", "limit must be 1.." + std::to_string(kAuditLimitMax), "limit"));
  }
  if (limit) query.limit = static_cast<std::uint32_t>(*limit);
  return answer_reply(node.audit(call.caller, query), 200, [](JsonWriter& w, const AuditPage& page) {
    w.begin_object().key("links").begin_array();
    for (const AuditLink& link : page.links) write_link(w, link);
    w.end_array();
    if (page.next_after_epoch) w.field("next_after_epoch", *page.next_after_epoch);
    w.end_object();
  });
}

Reply get_node(NodeService& node, const Call& call) {
  if (QueryReader q(call.query, {}); q.error()) return error_reply(*q.error());
  return answer_reply(node.node_info(call.caller), 200, [&call](JsonWriter& w, const NodeInfo& info) {
    w.begin_object().field("node_id", info.node_id).field("node_count", info.node_count);
    w.field("network_name", info.network_name);
    write_digest(w, "network_id", info.network_id);
    write_date(w, "open_business_date", info.open_business_date);
    if (info.last_applied_epoch) w.field("last_applied_epoch", *info.last_applied_epoch);
    if (info.last_certified_epoch) w.field("last_certified_epoch", *info.last_certified_epoch);
    w.field("software_version", info.software_version);
    w.key("caller").begin_object().field("member_id", call.caller.member.view());
    w.field("role", settlement::to_string(call.caller.role)).end_object();
    w.end_object();
  });
}

}  // namespace quorumclear::api
