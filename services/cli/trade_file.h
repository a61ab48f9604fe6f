#pragma once
// Trade files for clearctl submit and wait. CSV (RFC 4180 quoting, one
// record per line) with a header naming the columns
//   trade_id,buyer,seller,isin,quantity,price,currency,trade_date,settlement_date
// in any order, plus an optional client_ref; or JSON, an array of report
// objects as POST /v1/trades/bulk takes them. Only the form is checked here
// (a quantity is an integer, a price is text): every rule of the business
// is the node's. A malformed line is refused on its own, naming its line
// and column, and the others are still sent; a file that is not a trade
// file at all (no header, unknown column) is refused whole.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace quorumclear::cli {

/// One report as the API takes it; prices stay the decimal strings written.
struct TradeRow {
  std::string trade_id, buyer, seller, isin;
  std::int64_t quantity = 0;
  std::string price, currency, trade_date, settlement_date, client_ref;
  std::string where;  // "trades.csv line 7" or "trades.json item 3"
};

/// A line (or item) refused before sending.
struct RowRefusal {
  std::string where;  // "trades.csv line 7, column 5 (quantity)"
  std::string message;
  std::string trade_id;  // when it could be read
};

struct TradeFile {
  std::vector<TradeRow> rows;
  std::vector<RowRefusal> refused;
  [[nodiscard]] std::size_t records() const { return rows.size() + refused.size(); }
};

// Limits (STYLE.md section 5).
inline constexpr std::size_t kTradeFileBytesMax = 256 * 1024 * 1024;
inline constexpr std::size_t kTradeFileRecordsMax = 1'000'000;
inline constexpr std::size_t kCsvFieldBytesMax = 256;

/// Parses CSV text; `name` prefixes every location. A refusal of the whole
/// file is the string.
[[nodiscard]] std::variant<TradeFile, std::string> parse_trades_csv(std::string_view text, std::string_view name);

/// Parses a JSON array of report objects (fields as in the API's Report).
[[nodiscard]] std::variant<TradeFile, std::string> parse_trades_json(const std::string& text, std::string_view name);

/// Reads `path`: JSON when its first non-blank byte is '[', CSV otherwise.
[[nodiscard]] std::variant<TradeFile, std::string> read_trade_file(const std::filesystem::path& path);

/// The body of POST /v1/trades/bulk for `rows`.
[[nodiscard]] std::string bulk_body(std::span<const TradeRow> rows);

/// Why a CSV line does not split: at which 1-based column, and what.
struct CsvLineError {
  std::size_t column = 0;
  std::string message;
};

/// Splits one CSV line into fields (quotes "..." with "" for a quote).
/// Exposed for the tests.
[[nodiscard]] std::variant<std::vector<std::string>, CsvLineError> split_csv_line(std::string_view line);

/// One CSV field, quoted when it holds a comma, a quote or a line break.
[[nodiscard]] std::string csv_field(std::string_view text);

}  // namespace quorumclear::cli
