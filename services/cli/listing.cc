#include "services/cli/listing.h"

#include "services/cli/client_options.h"
#include "services/cli/json_access.h"
#include "services/cli/text_table.h"

#include <iostream>

namespace quorumclear::cli {

int run_listing(const Command& command, const Args& args, const Listing& listing) {
  int status = kExitOk;
  auto clients = open_clients_or_report(command, args, &status);
  if (clients.empty()) return status;
  std::string query = "?limit=" + std::to_string(kListingPageItems);
  for (const auto& [option, parameter] : listing.filters) {
    if (const auto value = args.value(option)) query += "&" + parameter + "=" + url_encode(*value);
  }
  std::vector<std::string> headers;
  for (const auto& column : listing.columns) headers.push_back(column.first);
  TextTable table(headers);
  std::string cursor;
  do {
    const HttpResult answer =
        clients.front()->get(listing.path + query + (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
    const auto json = answer.status == 200 ? parse_answer(answer.body) : std::nullopt;
    const JsonValue* items = json ? find(*json, listing.items_key) : nullptr;
    if (items == nullptr || items->type != JsonValue::Type::kArray) {
      std::cerr << "clearctl " << command.name << ": "
                << (answer.status == 200 ? "the answer lists no " + listing.items_key : describe_failure(answer))
                << "\n";
      return kExitFailed;
    }
    for (const JsonValue& item : items->items) {
      std::vector<std::string> row;
      for (const auto& column : listing.columns) row.push_back(field_text(item, column.second));
      table.add(std::move(row));
    }
    cursor = field_text(*json, "next_cursor");
  } while (!cursor.empty() && table.size() < kListingItemsMax);
  if (table.empty()) {
    std::cout << "no " << listing.items_key << "\n";
  } else {
    table.print(std::cout, "");
  }
  return kExitOk;
}

}  // namespace quorumclear::cli
