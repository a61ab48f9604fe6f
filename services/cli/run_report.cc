#include "services/cli/run_report.h"

#include "services/cli/text_table.h"
#include "services/cli/trade_file.h"

#include <algorithm>
#include <array>
#include <sstream>

namespace quorumclear::cli {
namespace {

const std::vector<JsonValue>& array_of(const JsonValue& run, std::string_view key) {
  static const std::vector<JsonValue> kNone;
  const JsonValue* value = find(run, key);
  return value != nullptr && value->type == JsonValue::Type::kArray ? value->items : kNone;
}

// Instructions grouped by member (stable: the node's order within a member).
std::vector<const JsonValue*> by_member(const std::vector<JsonValue>& instructions) {
  std::vector<const JsonValue*> out;
  for (const JsonValue& i : instructions) out.push_back(&i);
  std::stable_sort(out.begin(), out.end(), [](const JsonValue* a, const JsonValue* b) {
    return field_text(*a, "member") < field_text(*b, "member");
  });
  return out;
}

void print_totals(std::ostream& out, const JsonValue& run) {
  out << "\nTotals and netting efficiency\n";
  TextTable totals({"currency", "trades", "gross", "net", "netting efficiency"});
  for (const JsonValue& t : array_of(run, "totals")) {
    totals.add({field_text(t, "currency"), field_text(t, "trade_count"), field_text(t, "gross"), field_text(t, "net"),
                percent_of_bps(field_text(t, "netting_efficiency_bps"))});
  }
  if (totals.empty()) {
    out << "  none: no trade settled on this date\n";
  } else {
    totals.print(out);
  }
}

void print_obligations(std::ostream& out, const std::vector<const JsonValue*>& instructions) {
  out << "\nNet obligations per member (securities per ISIN, cash per currency)\n";
  TextTable table({"member", "direction", "asset", "settlement date", "amount", "value", "settled", "status"});
  for (const JsonValue* i : instructions) {
    table.add({field_text(*i, "member"), field_text(*i, "direction"), field_text(*i, "asset"),
               field_text(*i, "settlement_date"), field_text(*i, "net_amount"), field_text(*i, "value"),
               field_text(*i, "settled_amount"), field_text(*i, "status")});
  }
  if (table.empty()) {
    out << "  none\n";
  } else {
    table.print(out);
  }
}

void print_fails(std::ostream& out, const std::vector<const JsonValue*>& instructions) {
  TextTable fails({"member", "direction", "asset", "amount", "settled", "reason"});
  for (const JsonValue* i : instructions) {
    if (field_text(*i, "status") != "FAILED") continue;
    fails.add({field_text(*i, "member"), field_text(*i, "direction"), field_text(*i, "asset"),
               field_text(*i, "net_amount"), field_text(*i, "settled_amount"), field_text(*i, "fail_reason")});
  }
  out << "\nFails (" << fails.size() << ")\n";
  if (fails.empty()) {
    out << "  none\n";
  } else {
    fails.print(out);
  }
}

void print_unmatched(std::ostream& out, const JsonValue& run) {
  TextTable table({"submitter", "counterparty", "trade id", "version", "status", "field", "business date"});
  for (const JsonValue& u : array_of(run, "unmatched")) {
    table.add({field_text(u, "submitter"), field_text(u, "counterparty"), field_text(u, "trade_id"),
               field_text(u, "version"), field_text(u, "status"), field_text(u, "field"),
               field_text(u, "business_date")});
  }
  out << "\nUnmatched reports (" << table.size() << ")\n";
  if (table.empty()) {
    out << "  none\n";
  } else {
    table.print(out);
  }
}

constexpr std::array<std::string_view, 27> kCsvColumns = {
    "record", "business_date", "cutoff_epoch", "report_digest", "currency", "trade_count", "gross", "net",
    "netting_efficiency_bps", "member", "direction", "asset_kind", "asset", "settlement_date", "origin_date",
    "net_amount", "value", "mark", "settled_amount", "settled_mark", "status", "fail_reason", "submitter",
    "counterparty", "trade_id", "version", "field"};

// One record: each column is the object's field of that name; the business
// date is the object's own where it has one (an unmatched report's), else
// the run's.
void csv_record(std::ostream& out, std::string_view kind, const JsonValue& object, const std::string& date) {
  for (std::size_t c = 0; c < kCsvColumns.size(); ++c) {
    std::string cell;
    if (c == 0) {
      cell = kind;
    } else if (kCsvColumns[c] == "business_date" && find(object, "business_date") == nullptr) {
      cell = date;
    } else {
      cell = field_text(object, kCsvColumns[c]);
    }
    out << (c ? "," : "") << csv_field(cell);
  }
  out << "\n";
}

}  // namespace

std::string percent_of_bps(const std::string& bps) {
  if (bps.empty() || bps.find_first_not_of("0123456789") != std::string::npos) return bps;
  const std::string padded = bps.size() < 3 ? std::string(3 - bps.size(), '0') + bps : bps;
  return padded.substr(0, padded.size() - 2) + "." + padded.substr(padded.size() - 2) + "%";
}

std::string report_table(const JsonValue& run) {
  std::ostringstream out;
  out << "Settlement report for business date " << field_text(run, "business_date") << "\n"
      << "  status " << field_text(run, "status") << ", cut-off epoch " << field_text(run, "cutoff_epoch")
      << ", report digest " << field_text(run, "report_digest") << "\n";
  print_totals(out, run);
  const auto instructions = by_member(array_of(run, "instructions"));
  print_obligations(out, instructions);
  print_fails(out, instructions);
  print_unmatched(out, run);
  return out.str();
}

std::string report_csv(const JsonValue& run) {
  std::ostringstream out;
  for (std::size_t c = 0; c < kCsvColumns.size(); ++c) out << (c ? "," : "") << kCsvColumns[c];
  out << "\n";
  const std::string date = field_text(run, "business_date");
  csv_record(out, "run", run, date);
  for (const JsonValue& t : array_of(run, "totals")) csv_record(out, "total", t, date);
  for (const JsonValue& i : array_of(run, "instructions")) csv_record(out, "instruction", i, date);
  for (const JsonValue& u : array_of(run, "unmatched")) csv_record(out, "unmatched", u, date);
  return out.str();
}

}  // namespace quorumclear::cli
