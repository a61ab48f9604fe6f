// clearctl report: a business date's settlement report, as a table, the
// node's JSON or CSV, and optionally written to <date>.json and <date>.csv.

#include "services/api/text.h"
#include "services/cli/client_options.h"
#include "services/cli/json_access.h"
#include "services/cli/run_report.h"
#include "services/config/files.h"

#include <iostream>

namespace quorumclear::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearctl report --node URL --cacert FILE --token-file FILE --date YYYY-MM-DD\n"
    "                       [--format table|json|csv|both] [--out-dir DIR]\n"
    "\n"
    "Prints the settlement report of business date YYYY-MM-DD (GET\n"
    "/v1/settlement-runs/{date}): status, totals and netting efficiency per currency,\n"
    "net obligations per member (securities per ISIN, cash per currency), fails with\n"
    "their reasons and the reports left unmatched. A member sees its own obligations;\n"
    "the operator and the regulator see all, and every node prints the same report.\n"
    "--format: table (default), json (exactly as the node serves it), csv (one record\n"
    "per line, the first column naming run, total, instruction or unmatched), both\n"
    "(json, then csv). --out-dir: also writes DIR/<date>.json and DIR/<date>.csv.\n"
    "\n" QC_CLIENT_OPTIONS_USAGE;

std::optional<std::string> write_files(const std::string& dir, const std::string& date, const std::string& json,
                                       const std::string& csv) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return dir + ": " + ec.message();
  const std::filesystem::path base(dir);
  for (const auto& [name, text] : {std::pair{date + ".json", json}, std::pair{date + ".csv", csv}}) {
    if (auto e = config::write_file_atomically(base / name, text, 0644, config::Overwrite::kReplace)) {
      return e->what();
    }
  }
  return std::nullopt;
}

int run(const Args& args) {
  const Command command = report_command();
  const auto date = args.value("date");
  if (!date || !api::parse_date(*date)) return usage_error(command, "--date YYYY-MM-DD is required");
  const std::string format = args.value("format").value_or("table");
  if (format != "table" && format != "json" && format != "csv" && format != "both") {
    return usage_error(command, "--format must be table, json, csv or both");
  }
  int status = kExitOk;
  auto clients = open_clients_or_report(command, args, &status);
  if (clients.empty()) return status;
  const HttpResult answer = clients.front()->get("/v1/settlement-runs/" + *date);
  const auto run = answer.status == 200 ? parse_answer(answer.body) : std::nullopt;
  if (!run) {
    std::cerr << "clearctl report: " << *date << " at " << clients.front()->url() << ": "
              << (answer.status == 200 ? "the answer is not JSON" : describe_failure(answer)) << "\n";
    return kExitFailed;
  }
  std::string json = answer.body;
  if (!json.ends_with('\n')) json += '\n';
  const std::string csv = report_csv(*run);
  if (format == "table") std::cout << report_table(*run);
  if (format == "json" || format == "both") std::cout << json;
  if (format == "csv" || format == "both") std::cout << csv;
  if (const auto dir = args.value("out-dir")) {
    if (auto problem = write_files(*dir, *date, json, csv)) {
      std::cerr << "clearctl report: " << *problem << "\n";
      return kExitFailed;
    }
    std::cerr << "wrote " << (std::filesystem::path(*dir) / (*date + ".json")).string() << " and " << *date
              << ".csv\n";
  }
  return kExitOk;
}

}  // namespace

Command report_command() {
  return Command{"report", "a date's settlement report: table, JSON or CSV; --out-dir writes files", kUsage,
                 client_options({{"date"}, {"format"}, {"out-dir"}}), run};
}

}  // namespace quorumclear::cli
