// clearctl cutoff: the operator's end-of-day request, sent to every node
// given, because it takes effect only when f+1 nodes have proposed it.

#include "services/api/json_writer.h"
#include "services/api/text.h"
#include "services/cli/client_options.h"
#include "services/cli/json_access.h"

#include <iostream>

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl cutoff --node URL [--node URL ...] --cacert FILE --token-file FILE\n"
    "                       [--date YYYY-MM-DD]\n"
    "\n"
    "Sends the operator's cut-off request (POST /v1/cutoff) to EVERY node given: the\n"
    "cut-off takes effect when f+1 nodes have proposed it, so give all of them (or at\n"
    "least f+1). Without --date the first node's open business date is read and sent\n"
    "to every node, so a node that closes the date meanwhile answers that it is closed\n"
    "instead of queuing a vote for the next day. Prints each node's answer; exit 1 if\n"
    "any node refused or could not be reached. --cacert may be given once per node,\n"
    "or once with a bundle of every node's tls.crt.\n"
    "\n" QC_CLIENT_OPTIONS_USAGE;

std::string cutoff_body(const std::string& date) {
  api::JsonWriter w;
  w.begin_object().field("business_date", date).end_object();
  return w.take();
}

// The date every node is asked to close: --date, or the first node's open one.
std::optional<std::string> date_to_close(const Args& args, ApiClient& first) {
  if (const auto date = args.value("date")) return *date;
  const HttpResult answer = first.get("/v1/node");
  const auto json = answer.status == 200 ? parse_answer(answer.body) : std::nullopt;
  if (!json || field_text(*json, "open_business_date").empty()) {
    std::cout << first.url() << ": cannot read the open business date: " << describe_failure(answer) << "\n";
    return std::nullopt;
  }
  return field_text(*json, "open_business_date");
}

int run(const Args& args) {
  const Command command = cutoff_command();
  if (const auto date = args.value("date"); date && !api::parse_date(*date)) {
    return usage_error(command, "--date must be a calendar date YYYY-MM-DD");
  }
  int status = kExitOk;
  auto clients = open_clients_or_report(command, args, &status);
  if (clients.empty()) return status;
  const std::optional<std::string> date = date_to_close(args, *clients.front());
  if (!date) return kExitFailed;
  const std::string body = cutoff_body(*date);
  std::size_t took = 0;
  for (const auto& client : clients) {
    const HttpResult answer = client->post("/v1/cutoff", body);
    const bool done = answer.status == 202 || answer.status == 200;
    const auto json = done ? parse_answer(answer.body) : std::nullopt;
    if (json) {
      ++took;
      std::cout << client->url() << ": cut-off of " << field_text(*json, "business_date")
                << (answer.status == 200 ? " already closed\n" : " queued\n");
    } else {
      std::cout << client->url() << (answer.status == 0 ? ": unreachable: " : ": refused: ") << describe_failure(answer)
                << "\n";
    }
  }
  std::cout << took << " of " << clients.size() << " nodes took the cut-off request\n";
  return took == clients.size() ? kExitOk : kExitFailed;
}

}  // namespace

Command cutoff_command() {
  return Command{"cutoff", "request the end-of-day cut-off at every node (operator)", kUsage,
                 client_options({{"date"}}, true), run};
}

}  // namespace quorumclear::cli
