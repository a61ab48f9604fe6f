// clearctl wait: until every report of a trade file is decided (no longer
// RECEIVED) at the member's node, then the count per status.

#include "services/cli/client_options.h"
#include "services/cli/json_access.h"
#include "services/cli/trade_file.h"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <map>
#include <set>
#include <thread>

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl wait --node URL --cacert FILE --token-file FILE --file trades.csv|trades.json\n"
    "                     [--timeout SECONDS]\n"
    "\n"
    "Polls GET /v1/trades/{trade_id} for each report of the file (as the token's\n"
    "member) until none is RECEIVED, i.e. an epoch has decided every one, then prints\n"
    "the count per status, e.g. \"CONFIRMED 412, ALLEGED 9, REJECTED 2\". A report the\n"
    "node does not hold (refused at submission, or never sent) counts as NOT_FOUND.\n"
    "--timeout: give up after SECONDS (default 120, at most 86400): exit 1, naming\n"
    "how many are still undecided.\n"
    "\n" QC_CLIENT_OPTIONS_USAGE;

constexpr std::chrono::milliseconds kPollInterval{300};
constexpr long kTimeoutMaxSeconds = 86400;

// The order statuses are printed in (openapi.json ReportStatus), then NOT_FOUND.
const std::vector<std::string> kStatusOrder = {"CONFIRMED", "AFFIRMED", "ALLEGED", "MISMATCHED", "REJECTED",
                                               "CANCELLED", "UNMATCHED_EXPIRED", "REPLACED", "NOT_FOUND"};

std::string counts_line(const std::map<std::string, std::size_t>& counts) {
  std::string out;
  const auto add = [&](const std::string& status, std::size_t n) {
    out += (out.empty() ? "" : ", ") + status + " " + std::to_string(n);
  };
  for (const std::string& s : kStatusOrder) {
    if (const auto it = counts.find(s); it != counts.end()) add(s, it->second);
  }
  for (const auto& [s, n] : counts) {
    if (std::find(kStatusOrder.begin(), kStatusOrder.end(), s) == kStatusOrder.end()) add(s, n);
  }
  return out.empty() ? "no reports" : out;
}

std::optional<long> parse_seconds(const std::string& text) {
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > kTimeoutMaxSeconds) {
    return std::nullopt;
  }
  return value;
}

int run(const Args& args) {
  const Command command = wait_command();
  const auto path = args.value("file");
  if (!path) return usage_error(command, "--file is required");
  const auto timeout = parse_seconds(args.value("timeout").value_or("120"));
  if (!timeout) return usage_error(command, "--timeout must be 1.." + std::to_string(kTimeoutMaxSeconds) + " seconds");
  int status = kExitOk;
  auto clients = open_clients_or_report(command, args, &status);
  if (clients.empty()) return status;
  auto read = read_trade_file(*path);
  if (const auto* problem = std::get_if<std::string>(&read)) {
    std::cerr << "clearctl wait: " << *problem << "\n";
    return kExitFailed;
  }
  std::set<std::string> undecided;
  for (const TradeRow& row : std::get<TradeFile>(read).rows) undecided.insert(row.trade_id);
  const std::size_t total = undecided.size();
  std::map<std::string, std::size_t> counts;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(*timeout);
  while (true) {
    for (auto it = undecided.begin(); it != undecided.end();) {
      const HttpResult answer = clients.front()->get("/v1/trades/" + url_encode(*it));
      std::string decided;
      if (answer.status == 404) {
        decided = "NOT_FOUND";
      } else if (answer.status == 200) {
        const auto json = parse_answer(answer.body);
        decided = json ? field_text(*json, "status") : "";
        if (decided.empty()) {
          std::cerr << "clearctl wait: " << *it << ": the answer names no status\n";
          return kExitFailed;
        }
      } else {
        std::cerr << "clearctl wait: " << *it << ": " << describe_failure(answer) << "\n";
        return kExitFailed;
      }
      if (decided == "RECEIVED") {
        ++it;
        continue;
      }
      ++counts[decided];
      it = undecided.erase(it);
    }
    if (undecided.empty()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      std::cout << "timed out after " << *timeout << " s: " << undecided.size() << " of " << total
                << " reports still RECEIVED (" << counts_line(counts) << ")\n";
      return kExitFailed;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  std::cout << "decided " << total << ": " << counts_line(counts) << "\n";
  return kExitOk;
}

}  // namespace

Command wait_command() {
  return Command{"wait", "wait until every report of a trade file is decided; counts per status", kUsage,
                 client_options({{"file"}, {"timeout"}}), run};
}

}  // namespace quorumclear::cli
