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
    "least f+1). Without --date the node's open business date is cut off. Prints each\n"
    "node's answer; exit 1 if any node refused or could not be reached. --cacert may be\n"
    "given once per node, or once with a bundle of every node's tls.crt.\n"
    "\n" QC_CLIENT_OPTIONS_USAGE;

int run(const Args& args) {
  const Command command = cutoff_command();
  std::string body;
  if (const auto date = args.value("date")) {
    if (!api::parse_date(*date)) return usage_error(command, "--date must be a calendar date YYYY-MM-DD");
    api::JsonWriter w;
    w.begin_object().field("business_date", *date).end_object();
    body = w.take();
  }
  int status = kExitOk;
  auto clients = open_clients_or_report(command, args, &status);
  if (clients.empty()) return status;
  std::size_t took = 0;
  for (const auto& client : clients) {
    const HttpResult answer = client->post("/v1/cutoff", body);
    const auto json = answer.status == 202 ? parse_answer(answer.body) : std::nullopt;
    if (json) {
      ++took;
      std::cout << client->url() << ": cut-off of " << field_text(*json, "business_date") << " queued\n";
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
