// clearctl positions: securities positions (GET /v1/positions) as a table.

#include "services/cli/client_options.h"
#include "services/cli/listing.h"

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl positions --node URL --cacert FILE --token-file FILE [--member M] [--isin ISIN]\n"
    "                          [--settlement-date YYYY-MM-DD]\n"
    "\n"
    "Prints the token's member's securities positions per instrument and settlement\n"
    "date: bought, sold, net (quantities), cash paid and received. --member: another\n"
    "member's (operator and regulator only; a member may name only itself).\n"
    "\n" QC_CLIENT_OPTIONS_USAGE;

int run(const Args& args) {
  return run_listing(positions_command(), args,
                     Listing{"/v1/positions",
                             "positions",
                             {{"member", "member"}, {"isin", "isin"}, {"settlement-date", "settlement_date"}},
                             {{"member", "member"},
                              {"isin", "isin"},
                              {"currency", "currency"},
                              {"settlement date", "settlement_date"},
                              {"bought", "bought"},
                              {"sold", "sold"},
                              {"net", "net"},
                              {"paid", "paid"},
                              {"received", "received"}}});
}

}  // namespace

Command positions_command() {
  return Command{"positions", "securities positions per member, instrument and date", kUsage,
                 client_options({{"member"}, {"isin"}, {"settlement-date"}}), run};
}

}  // namespace quorumclear::cli
