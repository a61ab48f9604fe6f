// clearctl submit: a trade file sent in bulk to the member's own node.
// Each report's fate at submission is the node's answer (ACCEPTED means
// durable as RECEIVED; matching happens later, see clearctl wait).

#include "services/api/report_json.h"
#include "services/cli/client_options.h"
#include "services/cli/json_access.h"
#include "services/cli/trade_file.h"

#include <iostream>

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl submit --node URL --cacert FILE --token-file FILE --file trades.csv|trades.json\n"
    "\n"
    "Sends the reports of a trade file to the node as the token's member, in bulk\n"
    "requests of at most 10,000. CSV: a header line naming the columns\n"
    "  trade_id,buyer,seller,isin,quantity,price,currency,trade_date,settlement_date\n"
    "(any order; client_ref optional), prices as decimals (10.50), dates YYYY-MM-DD.\n"
    "JSON: an array of report objects as POST /v1/trades/bulk takes them.\n"
    "Prints one line per refused or duplicate report (where, reason, field), then\n"
    "  submitted N: accepted A, rejected R, duplicates D\n"
    "A malformed line is refused here, naming its line and column; the rest are sent.\n"
    "Exit 0 when every request was answered (refusals are not failures), 1 otherwise.\n"
    "\n" QC_CLIENT_OPTIONS_USAGE;

struct Tally {
  std::size_t accepted = 0, rejected = 0, duplicates = 0, unanswered = 0;
};

// "[17].isin" -> "isin": the line already says which report.
std::string item_field(std::string field) {
  if (field.starts_with('[')) {
    const auto close = field.find(']');
    field = close == std::string::npos ? field : field.substr(close + 1);
    if (field.starts_with('.')) field.erase(0, 1);
  }
  return field;
}

void print_item(const JsonValue& item, const TradeRow& row, Tally& tally) {
  const std::string outcome = field_text(item, "outcome");
  if (outcome == "ACCEPTED") {
    ++tally.accepted;
    return;
  }
  const std::string who = row.trade_id + " (" + row.where + ")";
  if (outcome == "DUPLICATE") {
    ++tally.duplicates;
    std::cout << "duplicate " << who << ": already " << field_text(item, "status");
    if (const std::string reason = field_text(item, "reason"); !reason.empty()) {
      std::cout << " " << reason << (field_text(item, "field").empty() ? "" : " (field " + field_text(item, "field") + ")");
    }
    std::cout << "\n";
    return;
  }
  ++tally.rejected;
  const JsonValue* error = find(item, "error");
  const std::string field = error ? item_field(field_text(*error, "field")) : "";
  std::cout << "rejected " << who << ": " << outcome << " "
            << (error ? field_text(*error, "code") + ": " + field_text(*error, "message") : std::string())
            << (field.empty() ? "" : " (field " + field + ")") << "\n";
}

// One bulk request; false when it got no usable answer (printed).
bool send_chunk(ApiClient& client, std::span<const TradeRow> rows, Tally& tally) {
  const HttpResult answer = client.post("/v1/trades/bulk", bulk_body(rows));
  const std::string span = rows.front().where + " .. " + rows.back().where;
  std::optional<JsonValue> json = answer.status == 202 ? parse_answer(answer.body) : std::nullopt;
  const JsonValue* results = json ? find(*json, "results") : nullptr;
  if (results == nullptr || results->type != JsonValue::Type::kArray || results->items.size() != rows.size()) {
    std::cout << "not submitted " << span << ": "
              << (answer.status == 202 ? "the answer does not list every report" : describe_failure(answer)) << "\n";
    tally.unanswered += rows.size();
    return false;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) print_item(results->items[i], rows[i], tally);
  return true;
}

// Chunks of at most kBulkReportsMax reports and (with room for the array's
// brackets) kBulkBodyBytesMax bytes.
std::vector<std::span<const TradeRow>> chunks(const std::vector<TradeRow>& rows) {
  std::vector<std::span<const TradeRow>> out;
  std::size_t start = 0, bytes = 2;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::size_t size = bulk_body(std::span(&rows[i], 1)).size();
    if (i > start && (i - start == api::kBulkReportsMax || bytes + size > api::kBulkBodyBytesMax)) {
      out.emplace_back(rows.data() + start, i - start);
      start = i;
      bytes = 2;
    }
    bytes += size;
  }
  if (start < rows.size()) out.emplace_back(rows.data() + start, rows.size() - start);
  return out;
}

int run(const Args& args) {
  const Command command = submit_command();
  const auto path = args.value("file");
  if (!path) return usage_error(command, "--file is required");
  int status = kExitOk;
  auto clients = open_clients_or_report(command, args, &status);
  if (clients.empty()) return status;
  auto read = read_trade_file(*path);
  if (const auto* problem = std::get_if<std::string>(&read)) {
    std::cerr << "clearctl submit: " << *problem << "\n";
    return kExitFailed;
  }
  const TradeFile& file = std::get<TradeFile>(read);
  Tally tally;
  for (const RowRefusal& r : file.refused) {
    std::cout << "rejected " << (r.trade_id.empty() ? "" : r.trade_id + " ") << "(" << r.where << "): " << r.message
              << "\n";
    ++tally.rejected;
  }
  bool all_answered = true;
  for (const auto chunk : chunks(file.rows)) all_answered = send_chunk(*clients.front(), chunk, tally) && all_answered;
  std::cout << "submitted " << file.records() << ": accepted " << tally.accepted << ", rejected " << tally.rejected
            << ", duplicates " << tally.duplicates;
  if (tally.unanswered > 0) std::cout << ", not answered " << tally.unanswered;
  std::cout << "\n";
  return all_answered ? kExitOk : kExitFailed;
}

}  // namespace

Command submit_command() {
  return Command{"submit", "send a trade file (CSV or JSON) to the member's node in bulk", kUsage,
                 client_options({{"file"}}), run};
}

}  // namespace quorumclear::cli
