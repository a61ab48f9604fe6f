// clearctl cash: cash positions (GET /v1/cash) as a table.

#include "services/cli/client_options.h"
#include "services/cli/listing.h"

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl cash --node URL --cacert FILE --token-file FILE [--member M] [--currency CCY]\n"
    "                     [--settlement-date YYYY-MM-DD]\n"
    "\n"
    "Prints the token's member's cash positions per currency and settlement date:\n"
    "received, paid and net (exact decimals). --member: another member's (operator\n"
    "and regulator only; a member may name only itself).\n"
    "\n" QC_CLIENT_OPTIONS_USAGE;

int run(const Args& args) {
  return run_listing(cash_command(), args,
                     Listing{"/v1/cash",
                             "cash",
                             {{"member", "member"}, {"currency", "currency"}, {"settlement-date", "settlement_date"}},
                             {{"member", "member"},
                              {"currency", "currency"},
                              {"settlement date", "settlement_date"},
                              {"received", "received"},
                              {"paid", "paid"},
                              {"net", "net"}}});
}

}  // namespace

Command cash_command() {
  return Command{"cash", "cash positions per member, currency and date", kUsage,
                 client_options({{"member"}, {"currency"}, {"settlement-date"}}), run};
}

}  // namespace quorumclear::cli
