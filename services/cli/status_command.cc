// clearctl status: one report's fields, one per line.

#include "services/cli/client_options.h"
#include "services/cli/json_access.h"

#include <iostream>

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl status TRADE_ID --node URL --cacert FILE --token-file FILE [--submitter M]\n"
    "\n"
    "Prints the token's member's report TRADE_ID (GET /v1/trades/{trade_id}) as\n"
    "\"field: value\" lines: status, reason and field when refused, the deciding epoch,\n"
    "the counterparty's side (counterparty.member, counterparty.status), the\n"
    "consideration. --submitter: whose report (operator and regulator only).\n"
    "\n" QC_CLIENT_OPTIONS_USAGE;

// Objects flatten to "outer.inner" names; arrays (none in a Trade today) as [i].
void flatten(const JsonValue& value, const std::string& name, std::vector<std::pair<std::string, std::string>>& out) {
  if (value.type == JsonValue::Type::kObject) {
    for (std::size_t i = 0; i < value.keys.size(); ++i) {
      flatten(value.items[i], name.empty() ? value.keys[i] : name + "." + value.keys[i], out);
    }
  } else if (value.type == JsonValue::Type::kArray) {
    for (std::size_t i = 0; i < value.items.size(); ++i) flatten(value.items[i], name + "[" + std::to_string(i) + "]", out);
  } else {
    out.emplace_back(name, text_of(&value));
  }
}

int run(const Args& args) {
  const Command command = status_command();
  const auto id = args.value("trade-id");
  if (!id || id->empty()) return usage_error(command, "say which TRADE_ID");
  int status = kExitOk;
  auto clients = open_clients_or_report(command, args, &status);
  if (clients.empty()) return status;
  std::string path = "/v1/trades/" + url_encode(*id);
  if (const auto submitter = args.value("submitter")) path += "?submitter=" + url_encode(*submitter);
  const HttpResult answer = clients.front()->get(path);
  const auto json = answer.status == 200 ? parse_answer(answer.body) : std::nullopt;
  if (!json) {
    std::cerr << "clearctl status: " << *id << ": "
              << (answer.status == 200 ? "the answer is not JSON" : describe_failure(answer)) << "\n";
    return kExitFailed;
  }
  std::vector<std::pair<std::string, std::string>> lines;
  flatten(*json, "", lines);
  std::size_t width = 0;
  for (const auto& [name, value] : lines) width = std::max(width, name.size());
  for (const auto& [name, value] : lines) {
    std::cout << name << ":" << std::string(width - name.size() + 1, ' ') << value << "\n";
  }
  return kExitOk;
}

}  // namespace

Command status_command() {
  return Command{"status", "one report's status, reason, epoch and counterparty", kUsage,
                 client_options({{"trade-id"}, {"submitter"}}), run, "trade-id"};
}

}  // namespace quorumclear::cli
