// GET /v1/dashboard (operator): the ops dashboard's data; GET /dashboard:
// the page itself (dashboard/dashboard.html, compiled in), which holds no
// data and so needs no token; it signs in and reads /v1/dashboard.

#include "services/api/handlers.h"
#include "services/api/query.h"
#include "services/api/reply.h"
#include "services/api/run_report.h"

namespace quorumclear::api {
namespace {

template <class T>
void optional_field(JsonWriter& w, std::string_view name, const std::optional<T>& v) {
  w.key(name);
  if (!v) {
    w.null();
  } else if constexpr (std::is_same_v<T, double>) {
    w.number(*v);
  } else if constexpr (std::is_same_v<T, bool>) {
    w.boolean(*v);
  } else if constexpr (std::is_same_v<T, settlement::Digest>) {
    w.string(to_hex(*v));
  } else {
    w.unsigned_integer(*v);
  }
}

void write_latency(JsonWriter& w, std::string_view name, const LatencySummary& l) {
  w.key(name).begin_object().field("count", l.count);
  optional_field(w, "p50", l.p50);
  optional_field(w, "p90", l.p90);
  optional_field(w, "p99", l.p99);
  w.end_object();
}

void write_reasons(JsonWriter& w, std::string_view name, const std::vector<ReasonCount>& reasons) {
  w.key(name).begin_array();
  for (const ReasonCount& r : reasons) {
    w.begin_object().field("reason", settlement::to_string(r.reason)).field("count", r.count).end_object();
  }
  w.end_array();
}

void write_dashboard(JsonWriter& w, const DashboardView& d) {
  w.begin_object().key("node").begin_object().field("id", d.node_id).field("version", d.software_version);
  write_date(w, "open_business_date", d.open_business_date);
  w.field("engine_epoch", d.engine_epoch);
  optional_field(w, "last_applied_epoch", d.last_applied_epoch);
  optional_field(w, "last_certified_epoch", d.last_certified_epoch);
  w.field("catching_up", d.catching_up);
  optional_field(w, "diverged_at_epoch", d.diverged_at_epoch);
  w.field("database_reachable", d.database_reachable);
  optional_field(w, "history_start_epoch", d.history_start_epoch);
  w.end_object();
  optional_field(w, "comparison_epoch", d.comparison_epoch);
  w.key("nodes").begin_array();
  for (const DashboardNode& n : d.nodes) {
    w.begin_object().field("id", n.id).field("self", n.self).field("connected", n.connected);
    optional_field(w, "last_signed_epoch", n.last_signed_epoch);
    optional_field(w, "state_digest", n.state_digest);
    optional_field(w, "agrees", n.agrees);
    w.end_object();
  }
  w.end_array();
  w.key("epoch_rate_per_second").number(d.epoch_rate_per_second);
  w.key("trade_rate_per_second").number(d.trade_rate_per_second);
  w.key("history").begin_array();
  for (const DashboardSample& s : d.history) {
    w.begin_object().field("unix_ms", s.unix_ms);
    optional_field(w, "last_applied_epoch", s.last_applied_epoch);
    w.field("trades_confirmed", s.trades_confirmed).end_object();
  }
  w.end_array();
  w.key("trades").begin_object().field("received", d.received).field("confirmed", d.confirmed);
  w.field("alleged", d.alleged).field("unmatched", d.unmatched).field("mismatched", d.mismatched);
  w.field("expired", d.expired);
  write_reasons(w, "rejected", d.rejected);
  write_reasons(w, "invalid", d.invalid);
  w.end_object();
  write_latency(w, "confirmation_latency_seconds", d.confirmation_latency);
  write_latency(w, "epoch_duration_seconds", d.epoch_duration);
  w.key("settlement");
  if (d.latest_run) {
    write_run_report(w, *d.latest_run);
  } else {
    w.null();
  }
  w.key("faults").begin_array();
  for (const DashboardFault& f : d.faults) {
    w.begin_object().field("unix_ms", f.unix_ms).field("kind", f.kind);
    optional_field(w, "peer", f.peer);
    w.field("detail", f.detail).end_object();
  }
  w.end_array().end_object();
}

}  // namespace

Reply get_dashboard(NodeService& node, const Call& call) {
  if (QueryReader q(call.query, {}); q.error()) return error_reply(*q.error());
  return answer_reply(node.dashboard(call.caller), 200, write_dashboard);
}

Reply dashboard_page() {
  Reply reply{200, std::string(dashboard_html()), {}};
  reply.headers = {{"Content-Type", "text/html; charset=utf-8"},
                   // Everything the page needs is itself and same-origin fetches.
                   {"Content-Security-Policy",
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
                    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
                   {"X-Frame-Options", "DENY"},
                   {"Referrer-Policy", "no-referrer"}};
  return reply;
}

}  // namespace quorumclear::api
