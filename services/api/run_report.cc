// A settlement run as JSON and CSV: the body of GET /v1/settlement-runs/{date}
// and the report files a node writes when a cut-off settles.

#include "services/api/run_report.h"

#include "services/api/reply.h"
#include "services/api/text.h"

namespace quorumclear::api {
namespace {

std::string_view run_status_name(settlement::RunStatus status) {
  return status == settlement::RunStatus::kSettled ? "SETTLED" : "PARTIALLY_SETTLED";
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

}  // namespace

void write_run_summary_fields(JsonWriter& w, const RunSummary& s) {
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

void write_run_report(JsonWriter& w, const RunReport& report) {
  w.begin_object();
  write_run_summary_fields(w, report.summary);
  w.key("instructions").begin_array();
  for (const InstructionView& i : report.instructions) write_instruction(w, i);
  w.end_array().key("unmatched").begin_array();
  for (const UnmatchedView& u : report.unmatched) write_unmatched(w, u);
  w.end_array();
  if (report.proof) {
    w.key("proof").begin_object().field("member", report.proof->member.view());
    w.field("encoding", to_hex(report.proof->proof)).key("epoch");
    write_epoch(w, report.proof->epoch);
    w.end_object();
  }
  w.end_object();
}

std::string run_report_json(const RunReport& report) {
  JsonWriter w;
  write_run_report(w, report);
  return w.take();
}

namespace {

// RFC 4180: a field holding a comma, quote or line break is quoted.
void csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void csv_row(std::string& out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (const std::string_view f : fields) {
    if (!first) out += ',';
    csv_field(out, f);
    first = false;
  }
  out += "\r\n";
}

}  // namespace

std::string run_report_csv(const RunReport& report) {
  std::string out;
  const std::string date = format_date(report.summary.business_date);
  csv_row(out, {"business_date", "member", "direction", "asset_kind", "asset", "currency", "settlement_date",
                "origin_date", "net_amount", "value", "settled_amount", "status", "fail_reason"});
  for (const InstructionView& i : report.instructions) {
    csv_row(out, {date, i.member.view(), direction_name(i.direction), asset_kind_name(i.kind), i.asset.view(),
                  i.currency.view(), format_date(i.settlement_date), format_date(i.origin_date),
                  format_decimal(i.net_amount), format_decimal(i.value), format_decimal(i.settled_amount),
                  obligation_status_name(i.status), reason_name(i.fail_reason)});
  }
  return out;
}

}  // namespace quorumclear::api
