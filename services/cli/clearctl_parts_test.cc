// Proves clearctl's pure pieces: options parse as documented (a token is
// never an option, the one positional argument may stand anywhere), trade
// files parse with a malformed line refused alone naming its line and
// column, bulk bodies carry prices as strings, and the settlement report
// renders as a table and as CSV from the node's JSON without arithmetic.

#include "services/cli/command.h"
#include "services/cli/run_report.h"
#include "services/cli/trade_file.h"

#include <gtest/gtest.h>

namespace quorumclear::cli {
namespace {

const std::vector<OptionSpec> kSpec = {{"trade-id"}, {"node", true, true}, {"token-file"}, {"force", false}};

std::variant<Args, std::string> parse(std::vector<std::string_view> argv, std::string_view verb = "trade-id") {
  static std::string storage;
  const Command command{"status", "", "", kSpec, nullptr, verb};
  const auto rest = with_verb_option(argv, command, storage);
  return Args::parse(rest, kSpec);
}

TEST(ClearctlArgs, PositionalArgumentStandsAnywhereAndRepeatsAreRefused) {
  for (const auto& argv : std::vector<std::vector<std::string_view>>{
           {"T-1", "--node", "https://a:1"}, {"--node", "https://a:1", "T-1"}, {"--force", "T-1", "--node", "x"}}) {
    const auto args = parse(argv);
    ASSERT_TRUE(std::holds_alternative<Args>(args)) << std::get<std::string>(args);
    EXPECT_EQ(std::get<Args>(args).value("trade-id"), "T-1");
  }
  const auto many = parse({"--node", "a", "--node", "b"});
  ASSERT_TRUE(std::holds_alternative<Args>(many));
  EXPECT_EQ(std::get<Args>(many).values("node"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(std::get<std::string>(parse({"T-1", "T-2"})), "unexpected argument \"T-2\"");
  EXPECT_EQ(std::get<std::string>(parse({"--token-file", "a", "--token-file", "b"})), "option --token-file given twice");
  EXPECT_EQ(std::get<std::string>(parse({"--node"})), "option --node needs a value");
}

TEST(ClearctlArgs, TokenOnTheCommandLineIsRefusedWithoutEchoingIt) {
  const auto args = parse({"--token", "qc_secret_value", "T-1"});
  ASSERT_TRUE(std::holds_alternative<std::string>(args));
  const std::string& problem = std::get<std::string>(args);
  EXPECT_NE(problem.find("--token-file"), std::string::npos) << problem;
  EXPECT_NE(problem.find("QC_TOKEN"), std::string::npos) << problem;
  EXPECT_EQ(problem.find("qc_secret_value"), std::string::npos) << problem;
}

constexpr std::string_view kHeader = "trade_id,buyer,seller,isin,quantity,price,currency,trade_date,settlement_date\n";

TEST(ClearctlCsv, ParsesRowsInAnyColumnOrderWithQuotesAndCrlf) {
  const std::string text =
      "price,trade_id,buyer,seller,isin,quantity,currency,trade_date,settlement_date,client_ref\r\n"
      "10.50,T-1,BANK_A,BANK_B,DE0007164600,100,EUR,2026-12-01,2026-12-02,\"ref, with \"\"comma\"\"\"\r\n"
      "\r\n"
      " 0.000000001 , T-2 ,BANK_A,BANK_C,US0378331005,-5,EUR,2026-12-01,2026-12-02,\n";
  const auto parsed = parse_trades_csv(text, "t.csv");
  ASSERT_TRUE(std::holds_alternative<TradeFile>(parsed)) << std::get<std::string>(parsed);
  const TradeFile& file = std::get<TradeFile>(parsed);
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_TRUE(file.refused.empty());
  EXPECT_EQ(file.rows[0].price, "10.50");
  EXPECT_EQ(file.rows[0].quantity, 100);
  EXPECT_EQ(file.rows[0].client_ref, "ref, with \"comma\"");
  EXPECT_EQ(file.rows[0].where, "t.csv line 2");
  EXPECT_EQ(file.rows[1].trade_id, "T-2");
  EXPECT_EQ(file.rows[1].price, "0.000000001") << "a price stays the text written";
  EXPECT_EQ(file.rows[1].quantity, -5) << "the sign is the node's to judge";
  EXPECT_EQ(file.rows[1].where, "t.csv line 4");
  const std::string body = bulk_body(file.rows);
  EXPECT_NE(body.find("\"price\":\"10.50\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"quantity\":100"), std::string::npos) << body;
  EXPECT_NE(body.find("\"client_ref\":\"ref, with \\\"comma\\\"\""), std::string::npos) << body;
  EXPECT_EQ(body.find("client_ref", body.find("T-2")), std::string::npos) << "an empty client_ref is left out";
}

TEST(ClearctlCsv, MalformedLineIsRefusedAloneNamingLineAndColumn) {
  const std::string text = std::string(kHeader) +
                           "T-1,BANK_A,BANK_B,DE0007164600,100,10.50,EUR,2026-12-01,2026-12-02\n"
                           "T-2,BANK_A,BANK_B,DE0007164600,ten,10.50,EUR,2026-12-01,2026-12-02\n"
                           "T-3,BANK_A,BANK_B,DE0007164600,1.5,10.50,EUR,2026-12-01,2026-12-02\n"
                           "T-4,BANK_A,BANK_B,DE0007164600,100,10.50,EUR,2026-12-01\n"
                           "T-5,BANK_A,\"BANK_B,DE0007164600,100,10.50,EUR,2026-12-01,2026-12-02\n"
                           "T-6,BA\"NK_A,BANK_B,DE0007164600,100,10.50,EUR,2026-12-01,2026-12-02\n"
                           "T-7,BANK_A,BANK_B,DE0007164600,99999999999999999999,1,EUR,2026-12-01,2026-12-02\n"
                           "T-8,BANK_A,BANK_B,DE0007164600,7,10.50,EUR,2026-12-01,2026-12-02\n";
  const auto parsed = parse_trades_csv(text, "t.csv");
  ASSERT_TRUE(std::holds_alternative<TradeFile>(parsed)) << std::get<std::string>(parsed);
  const TradeFile& file = std::get<TradeFile>(parsed);
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_EQ(file.rows[1].trade_id, "T-8");
  ASSERT_EQ(file.refused.size(), 6u);
  EXPECT_EQ(file.refused[0].where, "t.csv line 3, column 5 (quantity)");
  EXPECT_EQ(file.refused[0].message, "\"ten\" is not a whole number");
  EXPECT_EQ(file.refused[0].trade_id, "T-2");
  EXPECT_EQ(file.refused[1].where, "t.csv line 4, column 5 (quantity)");
  EXPECT_EQ(file.refused[2].where, "t.csv line 5");
  EXPECT_EQ(file.refused[2].message, "8 fields, the header has 9");
  EXPECT_EQ(file.refused[3].where, "t.csv line 6, column 3");
  EXPECT_EQ(file.refused[3].message, "the quote is not closed on this line");
  EXPECT_EQ(file.refused[4].where, "t.csv line 7, column 2");
  EXPECT_EQ(file.refused[4].message, "a quote inside an unquoted field");
  EXPECT_EQ(file.refused[5].where, "t.csv line 8, column 5 (quantity)");
  EXPECT_EQ(file.records(), 8u);
}

TEST(ClearctlCsv, FileThatIsNotATradeFileIsRefusedWhole) {
  const auto missing = parse_trades_csv("trade_id,buyer\nT-1,BANK_A\n", "t.csv");
  EXPECT_EQ(std::get<std::string>(missing), "t.csv line 1: the header lacks the column seller");
  const auto unknown = parse_trades_csv("trade_id,buyer,colour\n", "t.csv");
  EXPECT_EQ(std::get<std::string>(unknown), "t.csv line 1, column 3: unknown column \"colour\"");
  const auto twice = parse_trades_csv("trade_id,trade_id\n", "t.csv");
  EXPECT_EQ(std::get<std::string>(twice), "t.csv line 1, column 2: column trade_id appears twice");
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_trades_csv("\n\n", "t.csv")));
  const auto header_only = parse_trades_csv(kHeader, "t.csv");
  ASSERT_TRUE(std::holds_alternative<TradeFile>(header_only));
  EXPECT_EQ(std::get<TradeFile>(header_only).records(), 0u);
}

TEST(ClearctlCsv, SplitsAndQuotesFields) {
  EXPECT_EQ(std::get<0>(split_csv_line("a,,\"b,c\",\"\"\"\"")), (std::vector<std::string>{"a", "", "b,c", "\""}));
  EXPECT_EQ(std::get<CsvLineError>(split_csv_line("a,\"b\"x")).column, 2u);
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
}

TEST(ClearctlJsonFile, ReportsDecodeStrictlyAndAFloatPriceIsRefused) {
  const std::string text =
      "[{\"trade_id\": \"T-1\", \"buyer\": \"BANK_A\", \"seller\": \"BANK_B\", \"isin\": \"DE0007164600\","
      " \"quantity\": 100, \"price\": \"10.50\", \"currency\": \"EUR\", \"trade_date\": \"2026-12-01\","
      " \"settlement_date\": \"2026-12-02\"},"
      " {\"trade_id\": \"T-2\", \"buyer\": \"BANK_A\", \"seller\": \"BANK_B\", \"isin\": \"DE0007164600\","
      " \"quantity\": 100, \"price\": 10.5, \"currency\": \"EUR\", \"trade_date\": \"2026-12-01\","
      " \"settlement_date\": \"2026-12-02\"},"
      " {\"trade_id\": \"T-3\"}, 7]";
  const auto parsed = parse_trades_json(text, "t.json");
  ASSERT_TRUE(std::holds_alternative<TradeFile>(parsed)) << std::get<std::string>(parsed);
  const TradeFile& file = std::get<TradeFile>(parsed);
  ASSERT_EQ(file.rows.size(), 1u);
  EXPECT_EQ(file.rows[0].where, "t.json item 0");
  ASSERT_EQ(file.refused.size(), 3u);
  EXPECT_EQ(file.refused[0].where, "t.json item 1, field price");
  EXPECT_EQ(file.refused[0].message, "must be a string");
  EXPECT_EQ(file.refused[1].where, "t.json item 2, field buyer");
  EXPECT_EQ(file.refused[1].message, "missing");
  EXPECT_EQ(file.refused[2].message, "not a JSON object");
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_trades_json("{}", "t.json")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_trades_json("[", "t.json")));
}

constexpr std::string_view kRun =
    R"({"business_date":"2026-12-01","cutoff_epoch":42,"status":"PARTIALLY_SETTLED","report_digest":"ab12",)"
    R"("totals":[{"currency":"EUR","gross":"4200.00","net":"1050.00","trade_count":4,"netting_efficiency_bps":7500}],)"
    R"("instructions":[)"
    R"({"member":"BANK_B","direction":"PAY","asset_kind":"CASH","asset":"EUR","currency":"EUR","settlement_date":"2026-12-02","origin_date":"2026-12-01","net_amount":"1050.00","value":"1050.00","mark":"0.00","settled_amount":"0.00","settled_mark":"0.00","status":"FAILED","fail_reason":"INSUFFICIENT_CASH"},)"
    R"({"member":"BANK_A","direction":"DELIVER","asset_kind":"SECURITIES","asset":"DE0007164600","currency":"EUR","settlement_date":"2026-12-02","origin_date":"2026-12-01","net_amount":"100","value":"1050.00","mark":"0.00","settled_amount":"100","settled_mark":"0.00","status":"SETTLED"}],)"
    R"("unmatched":[{"submitter":"BANK_A","counterparty":"BANK_C","trade_id":"A-9","version":1,"status":"ALLEGED","business_date":"2026-12-01"}]})";

TEST(ClearctlReport, TableShowsTotalsObligationsFailsAndUnmatched) {
  const auto run = parse_answer(std::string(kRun));
  ASSERT_TRUE(run);
  const std::string table = report_table(*run);
  for (const char* part : {"Settlement report for business date 2026-12-01", "PARTIALLY_SETTLED", "cut-off epoch 42",
                           "75.00%", "4200.00", "INSUFFICIENT_CASH", "Fails (1)", "Unmatched reports (1)", "A-9",
                           "DE0007164600"}) {
    EXPECT_NE(table.find(part), std::string::npos) << part << "\n" << table;
  }
  EXPECT_LT(table.find("BANK_A  DELIVER"), table.find("BANK_B  PAY")) << "grouped by member\n" << table;
  EXPECT_EQ(percent_of_bps("10000"), "100.00%");
  EXPECT_EQ(percent_of_bps("5"), "0.05%");
  EXPECT_EQ(percent_of_bps("0"), "0.00%");
}

TEST(ClearctlReport, CsvHasOneRecordPerLineWithTheNodesDecimals) {
  const auto run = parse_answer(std::string(kRun));
  ASSERT_TRUE(run);
  const std::string csv = report_csv(*run);
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < csv.size();) {
    const std::size_t end = csv.find('\n', at);
    lines.push_back(csv.substr(at, end - at));
    at = end + 1;
  }
  ASSERT_EQ(lines.size(), 6u) << csv;  // header, run, total, 2 instructions, unmatched
  EXPECT_TRUE(lines[0].starts_with("record,business_date,cutoff_epoch,report_digest,currency"));
  EXPECT_TRUE(lines[1].starts_with("run,2026-12-01,42,ab12,")) << lines[1];
  EXPECT_TRUE(lines[2].starts_with("total,2026-12-01,,,EUR,4,4200.00,1050.00,7500,")) << lines[2];
  EXPECT_NE(lines[3].find(",BANK_B,PAY,CASH,EUR,2026-12-02,2026-12-01,1050.00,"), std::string::npos) << lines[3];
  EXPECT_NE(lines[3].find(",FAILED,INSUFFICIENT_CASH,"), std::string::npos) << lines[3];
  EXPECT_TRUE(lines[5].starts_with("unmatched,2026-12-01,")) << lines[5];
  EXPECT_TRUE(lines[5].ends_with(",BANK_A,BANK_C,A-9,1,")) << lines[5];
  const auto header = std::get<0>(split_csv_line(lines[0]));
  for (const auto& line : lines) EXPECT_EQ(std::get<0>(split_csv_line(line)).size(), header.size()) << line;
}

}  // namespace
}  // namespace quorumclear::cli
